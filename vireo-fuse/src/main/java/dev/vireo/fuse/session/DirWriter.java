package dev.vireo.fuse.session;

import dev.vireo.fuse.fs.DirectoryWriter;
import dev.vireo.fuse.fs.Entry;
import dev.vireo.fuse.proto.ReplyEncoder;
import dev.vireo.fuse.proto.RequestReader;

import java.lang.foreign.MemorySegment;

/** The {@link DirectoryWriter} of a request: records go straight into the reply, up to the kernel's size. */
final class DirWriter implements DirectoryWriter {

    private static final Entry NO_ENTRY = new Entry();

    private final ReplyEncoder encoder;
    private boolean plus;
    private long limit;
    private long used;
    private int count;

    DirWriter(ReplyEncoder encoder) {
        this.encoder = encoder;
    }

    /** Starts a reply of at most {@code size} body bytes (the encoder has begun). */
    void begin(boolean plus, long size) {
        this.plus = plus;
        this.limit = Math.min(size, encoder.remaining());
        this.used = 0;
        this.count = 0;
    }

    @Override
    public boolean plus() {
        return plus;
    }

    @Override
    public boolean fits(int nameLength) {
        int size = plus ? ReplyEncoder.direntplusSize(nameLength) : ReplyEncoder.direntSize(nameLength);
        return nameLength > 0 && nameLength <= RequestReader.NAME_MAX && used + size <= limit;
    }

    @Override
    public boolean fitsPlus(int nameLength) {
        return plus && fits(nameLength);
    }

    @Override
    public boolean add(MemorySegment name, int nameLength, long ino, int type, long nextOffset) {
        if (!fits(nameLength)) {
            return false;
        }
        if (plus) {
            // A READDIRPLUS record without attributes: node id 0 (the kernel links nothing).
            encoder.direntplus(name, nameLength, NO_ENTRY, ino, type, nextOffset);
            used += ReplyEncoder.direntplusSize(nameLength);
        } else {
            encoder.dirent(name, nameLength, ino, type, nextOffset);
            used += ReplyEncoder.direntSize(nameLength);
        }
        count++;
        return true;
    }

    @Override
    public boolean addPlus(MemorySegment name, int nameLength, Entry entry, int type, long nextOffset) {
        if (!fitsPlus(nameLength)) {
            return false;
        }
        encoder.direntplus(name, nameLength, entry, entry.attr().ino(), type, nextOffset);
        used += ReplyEncoder.direntplusSize(nameLength);
        count++;
        return true;
    }

    @Override
    public int count() {
        return count;
    }
}
