package dev.vireo.fuse.proto;

import dev.vireo.fuse.fs.Attr;
import dev.vireo.fuse.fs.DeviceNumber;
import dev.vireo.fuse.fs.Entry;
import dev.vireo.fuse.fs.FileLock;
import dev.vireo.mem.SgList;
import dev.vireo.mem.SgWriter;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseAttr;
import dev.vireo.sys.abi.fuse.FuseAttrOut;
import dev.vireo.sys.abi.fuse.FuseDirent;
import dev.vireo.sys.abi.fuse.FuseDirentplus;
import dev.vireo.sys.abi.fuse.FuseEntryOut;
import dev.vireo.sys.abi.fuse.FuseFileLock;
import dev.vireo.sys.abi.fuse.FuseGetxattrOut;
import dev.vireo.sys.abi.fuse.FuseInitOut;
import dev.vireo.sys.abi.fuse.FuseKstatfs;
import dev.vireo.sys.abi.fuse.FuseLkOut;
import dev.vireo.sys.abi.fuse.FuseLseekOut;
import dev.vireo.sys.abi.fuse.FuseOpenOut;
import dev.vireo.sys.abi.fuse.FuseOutHeader;
import dev.vireo.sys.abi.fuse.FuseWriteOut;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Writes replies into an {@link SgList}: a /dev/fuse reply buffer, or the device-writable
 * descriptors of a virtio-fs chain (which may split any struct across entries). Each reply is a
 * {@code fuse_out_header} followed by the body; the header is written last, once the length is
 * known. Structs are filled in scratch segments through the header-checked layouts of
 * {@code dev.vireo.sys.abi.fuse} and copied into the reply; the scratch views are made once, so that
 * encoding allocates nothing.
 *
 * <p>A reply that does not fit the reply buffers throws {@link dev.vireo.mem.SgException}. One
 * encoder per worker; not thread-safe.
 */
public final class ReplyEncoder {

    /** The longest directory record: a direntplus header and a NAME_MAX name, aligned to 8. */
    private static final int MAX_RECORD = align8(Fuse.FUSE_NAME_OFFSET_DIRENTPLUS + RequestReader.NAME_MAX);

    private final SgWriter out = new SgWriter();
    private final MemorySegment outHeader;
    private final MemorySegment entryOut;
    private final MemorySegment entryAttr;
    private final MemorySegment attrOut;
    private final MemorySegment attrOutAttr;
    private final MemorySegment openOut;
    private final MemorySegment writeOut;
    private final MemorySegment statfsOut;
    private final MemorySegment getxattrOut;
    private final MemorySegment lkOut;
    private final MemorySegment lseekOut;
    private final MemorySegment initOut;
    private final MemorySegment u64;
    private final MemorySegment dirent;
    private final MemorySegment record;
    /** Views of {@link #record} of every length a directory record can have, indexed by length / 8. */
    private final MemorySegment[] recordViews = new MemorySegment[MAX_RECORD / 8 + 1];
    private SgList list;
    private long unique;

    /** An encoder whose scratch memory comes from {@code arena} (which must outlive it). */
    public ReplyEncoder(Arena arena) {
        MemorySegment s = arena.allocate(1024, 8);
        outHeader = s.asSlice(0, FuseOutHeader.SIZE);
        entryOut = s.asSlice(16, FuseEntryOut.SIZE);
        entryAttr = entryOut.asSlice(FuseEntryOut.ATTR, FuseAttr.SIZE);
        attrOut = s.asSlice(144, FuseAttrOut.SIZE);
        attrOutAttr = attrOut.asSlice(FuseAttrOut.ATTR, FuseAttr.SIZE);
        openOut = s.asSlice(248, FuseOpenOut.SIZE);
        writeOut = s.asSlice(264, FuseWriteOut.SIZE);
        statfsOut = s.asSlice(272, FuseKstatfs.SIZE);
        getxattrOut = s.asSlice(352, FuseGetxattrOut.SIZE);
        lkOut = s.asSlice(360, FuseLkOut.SIZE);
        lseekOut = s.asSlice(384, FuseLseekOut.SIZE);
        u64 = s.asSlice(392, 8);
        initOut = s.asSlice(400, FuseInitOut.SIZE);
        dirent = s.asSlice(464, FuseDirent.SIZE);
        record = arena.allocate(MAX_RECORD, 8);
        for (int i = 1; i < recordViews.length; i++) {
            recordViews[i] = record.asSlice(0, i * 8L);
        }
    }

    /** Starts the reply to request {@code unique} in {@code reply}: reserves room for the header. */
    public void begin(SgList reply, long unique) {
        this.list = reply;
        this.unique = unique;
        out.reset(reply);
        out.skip(FuseOutHeader.SIZE);
    }

    /** Bytes left for the body. */
    public long remaining() {
        return out.remaining();
    }

    /** Writes the header of a successful reply; returns the reply's length. */
    public long finish() {
        long length = out.position();
        header(length, 0);
        return length;
    }

    /** Writes a header-only error reply ({@code errno} positive) to {@code reply}; returns its length, 16. */
    public long error(SgList reply, long unique, int errno) {
        this.list = reply;
        this.unique = unique;
        header(FuseOutHeader.SIZE, -errno);
        return FuseOutHeader.SIZE;
    }

    /**
     * Finishes a reply whose body was placed by the caller into views taken with {@link #slice}:
     * {@code bodyLength} bytes after the header. Returns the reply's length.
     */
    public long finishSliced(long bodyLength) {
        long length = FuseOutHeader.SIZE + bodyLength;
        header(length, 0);
        return length;
    }

    private void header(long length, int error) {
        FuseOutHeader.len(outHeader, (int) length);
        FuseOutHeader.error(outHeader, error);
        FuseOutHeader.unique(outHeader, unique);
        out.reset(list);
        out.write(outHeader);
    }

    /**
     * The scratch {@code fuse_out_header} of a successful reply to {@code unique}, length 0, for a
     * transport that sends the body itself ({@link dev.vireo.fuse.transport.Exchange#completeWithFile}).
     */
    public MemorySegment successHeader(long unique) {
        FuseOutHeader.len(outHeader, (int) FuseOutHeader.SIZE);
        FuseOutHeader.error(outHeader, 0);
        FuseOutHeader.unique(outHeader, unique);
        return outHeader;
    }

    /** Appends views of the next {@code max} body bytes (or fewer, if the buffer is smaller) to {@code data}. */
    public void slice(long max, SgList data) {
        out.sliceTo(Math.min(max, out.remaining()), data);
    }

    /** fuse_entry_out. */
    public void entry(Entry e) {
        fillEntry(e);
        out.write(entryOut);
    }

    private void fillEntry(Entry e) {
        FuseEntryOut.nodeid(entryOut, e.nodeId());
        FuseEntryOut.generation(entryOut, e.generation());
        FuseEntryOut.entryValid(entryOut, e.entryTimeoutNanos() / 1_000_000_000L);
        FuseEntryOut.entryValidNsec(entryOut, (int) (e.entryTimeoutNanos() % 1_000_000_000L));
        FuseEntryOut.attrValid(entryOut, e.attrTimeoutNanos() / 1_000_000_000L);
        FuseEntryOut.attrValidNsec(entryOut, (int) (e.attrTimeoutNanos() % 1_000_000_000L));
        fillAttr(entryAttr, e.attr());
    }

    /** fuse_attr_out. */
    public void attr(Attr a, long timeoutNanos) {
        FuseAttrOut.attrValid(attrOut, timeoutNanos / 1_000_000_000L);
        FuseAttrOut.attrValidNsec(attrOut, (int) (timeoutNanos % 1_000_000_000L));
        fillAttr(attrOutAttr, a);
        out.write(attrOut);
    }

    private static void fillAttr(MemorySegment s, Attr a) {
        FuseAttr.ino(s, a.ino());
        FuseAttr.size(s, a.size());
        FuseAttr.blocks(s, a.blocks());
        FuseAttr.atime(s, a.atimeSec());
        FuseAttr.mtime(s, a.mtimeSec());
        FuseAttr.ctime(s, a.ctimeSec());
        FuseAttr.atimensec(s, a.atimeNsec());
        FuseAttr.mtimensec(s, a.mtimeNsec());
        FuseAttr.ctimensec(s, a.ctimeNsec());
        FuseAttr.mode(s, a.mode());
        FuseAttr.nlink(s, a.nlink());
        FuseAttr.uid(s, a.uid());
        FuseAttr.gid(s, a.gid());
        FuseAttr.rdev(s, DeviceNumber.toWire(a.rdev()));
        FuseAttr.blksize(s, a.blksize());
        FuseAttr.flags(s, a.flags());
    }

    /** fuse_open_out. */
    public void open(long fh, int openFlags) {
        openOut.fill((byte) 0);
        FuseOpenOut.fh(openOut, fh);
        FuseOpenOut.openFlags(openOut, openFlags);
        out.write(openOut);
    }

    /** fuse_write_out. */
    public void written(int count) {
        FuseWriteOut.size(writeOut, count);
        out.write(writeOut);
    }

    /** A bare 64-bit value (fuse_lseek_out; fuse_copy_file_range_out of 7.45). */
    public void u64(long v) {
        u64.set(JAVA_LONG, 0, v);
        out.write(u64);
    }

    /** fuse_statfs_out. */
    public void statfs(long blocks, long bfree, long bavail, long files, long ffree, int bsize, int namelen, int frsize) {
        statfsOut.fill((byte) 0);
        FuseKstatfs.blocks(statfsOut, blocks);
        FuseKstatfs.bfree(statfsOut, bfree);
        FuseKstatfs.bavail(statfsOut, bavail);
        FuseKstatfs.files(statfsOut, files);
        FuseKstatfs.ffree(statfsOut, ffree);
        FuseKstatfs.bsize(statfsOut, bsize);
        FuseKstatfs.namelen(statfsOut, namelen);
        FuseKstatfs.frsize(statfsOut, frsize);
        out.write(statfsOut);
    }

    /** fuse_getxattr_out. */
    public void xattrSize(int size) {
        FuseGetxattrOut.size(getxattrOut, size);
        out.write(getxattrOut);
    }

    /** fuse_lk_out. */
    public void lock(FileLock lock) {
        MemorySegment lk = lkOut;
        FuseFileLock.start(lk, lock.start());
        FuseFileLock.end(lk, lock.end());
        FuseFileLock.type(lk, lock.type());
        FuseFileLock.pid(lk, lock.pid());
        out.write(lkOut);
    }

    /** fuse_lseek_out. */
    public void lseek(long offset) {
        FuseLseekOut.offset(lseekOut, offset);
        out.write(lseekOut);
    }

    /** Raw bytes (a link target, an xattr value). */
    public void bytes(MemorySegment data) {
        out.write(data);
    }

    /** The scratch {@code fuse_init_out}, to fill and then {@link #init(long)}. */
    public MemorySegment initOut() {
        initOut.fill((byte) 0);
        return initOut;
    }

    /** Writes the first {@code size} bytes of {@link #initOut()}. */
    public void init(long size) {
        out.write(size == FuseInitOut.SIZE ? initOut : initOut.asSlice(0, size));
    }

    /** Size of a READDIR record with a name of {@code nameLength} bytes (FUSE_DIRENT_SIZE). */
    public static int direntSize(int nameLength) {
        return align8(Fuse.FUSE_NAME_OFFSET + nameLength);
    }

    /** Size of a READDIRPLUS record (FUSE_DIRENTPLUS_SIZE). */
    public static int direntplusSize(int nameLength) {
        return align8(Fuse.FUSE_NAME_OFFSET_DIRENTPLUS + nameLength);
    }

    /** Writes a fuse_dirent record (header, name, zero padding). {@code nameLength} ≤ NAME_MAX. */
    public void dirent(MemorySegment name, int nameLength, long ino, int type, long nextOffset) {
        int size = direntSize(nameLength);
        MemorySegment r = recordViews[size / 8];
        r.fill((byte) 0);
        FuseDirent.ino(r, ino);
        FuseDirent.off(r, nextOffset);
        FuseDirent.namelen(r, nameLength);
        FuseDirent.type(r, type);
        MemorySegment.copy(name, 0, r, Fuse.FUSE_NAME_OFFSET, nameLength);
        out.write(r);
    }

    /** Writes a fuse_direntplus record; {@code ino} is the dirent's inode number. */
    public void direntplus(MemorySegment name, int nameLength, Entry e, long ino, int type, long nextOffset) {
        int size = direntplusSize(nameLength);
        MemorySegment r = recordViews[size / 8];
        r.fill((byte) 0);
        fillEntry(e);
        MemorySegment.copy(entryOut, 0, r, 0, FuseEntryOut.SIZE);
        FuseDirent.ino(dirent, ino);
        FuseDirent.off(dirent, nextOffset);
        FuseDirent.namelen(dirent, nameLength);
        FuseDirent.type(dirent, type);
        MemorySegment.copy(dirent, 0, r, FuseDirentplus.DIRENT, FuseDirent.SIZE);
        MemorySegment.copy(name, 0, r, Fuse.FUSE_NAME_OFFSET_DIRENTPLUS, nameLength);
        out.write(r);
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }
}
