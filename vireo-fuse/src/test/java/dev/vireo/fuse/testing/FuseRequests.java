package dev.vireo.fuse.testing;

import dev.vireo.mem.SgList;
import dev.vireo.sys.abi.fuse.Fuse;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Builds FUSE requests as the kernel (or a guest's virtiofs driver) sends them, for tests of the
 * codec and dispatcher without a kernel: a header with the right length, then argument structs,
 * names and payloads, little-endian. {@link #split} lays a request out over several segments, the
 * way virtiofs puts the header and the arguments in separate descriptors. Shipped in vireo-fuse's
 * test-jar for the virtio-fs device's tests.
 */
public final class FuseRequests {

    /** The uid, gid and pid requests carry unless given. */
    public static final int UID = 0;
    public static final int GID = 0;
    public static final int PID = 4242;

    private FuseRequests() {
    }

    /** A request: {@code fuse_in_header} (len computed) followed by {@code parts}. */
    public static byte[] request(int opcode, long unique, long nodeId, byte[]... parts) {
        return request(opcode, unique, nodeId, UID, GID, PID, parts);
    }

    /** A request with explicit credentials. */
    public static byte[] request(int opcode, long unique, long nodeId, int uid, int gid, int pid, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        ByteBuffer h = le(40);
        h.putInt(40 + body.size()).putInt(opcode).putLong(unique).putLong(nodeId).putInt(uid).putInt(gid).putInt(pid)
                .putShort((short) 0).putShort((short) 0);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(h.array());
        all.writeBytes(body.toByteArray());
        return all.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Little-endian 32-bit values. */
    public static byte[] u32(int... v) {
        ByteBuffer b = le(4 * v.length);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    /** Little-endian 64-bit values. */
    public static byte[] u64(long... v) {
        ByteBuffer b = le(8 * v.length);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    /** A NUL-terminated name. */
    public static byte[] name(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** {@code fuse_init_in} of protocol 7.36+ (64 bytes). */
    public static byte[] initIn(int major, int minor, int maxReadahead, long flags) {
        ByteBuffer b = le(64);
        b.putInt(major).putInt(minor).putInt(maxReadahead).putInt((int) flags | Fuse.FUSE_INIT_EXT).putInt((int) (flags >>> 32));
        return b.array();
    }

    /** An INIT as a 7.45 kernel offering every flag sends it. */
    public static byte[] init(long unique) {
        return request(Fuse.FUSE_INIT, unique, 0, initIn(7, 45, 131072, -1L & ~Fuse.FUSE_INIT_RESERVED));
    }

    public static byte[] getattrIn(int flags, long fh) {
        return le(16).putInt(flags).putInt(0).putLong(fh).array();
    }

    public static byte[] openIn(int flags) {
        return u32(flags, 0);
    }

    public static byte[] createIn(int flags, int mode, int umask) {
        return u32(flags, mode, umask, 0);
    }

    /** {@code fuse_setattr_in} of a chmod: FATTR_MODE and the mode, no file handle. */
    public static byte[] chmodIn(int mode) {
        return le(88).putInt(0, Fuse.FATTR_MODE).putInt(68, mode).array();
    }

    public static byte[] mkdirIn(int mode, int umask) {
        return u32(mode, umask);
    }

    public static byte[] mknodIn(int mode, int rdev, int umask) {
        return u32(mode, rdev, umask, 0);
    }

    /** {@code fuse_read_in} (READ, READDIR, READDIRPLUS). */
    public static byte[] readIn(long fh, long offset, int size) {
        return le(40).putLong(fh).putLong(offset).putInt(size).putInt(0).putLong(0).putInt(0).putInt(0).array();
    }

    /** {@code fuse_write_in}; the data follows separately. */
    public static byte[] writeIn(long fh, long offset, int size) {
        return le(40).putLong(fh).putLong(offset).putInt(size).putInt(0).putLong(0).putInt(0).putInt(0).array();
    }

    public static byte[] releaseIn(long fh, int flags) {
        return le(24).putLong(fh).putInt(flags).putInt(0).putLong(0).array();
    }

    public static byte[] renameIn(long newDir) {
        return u64(newDir);
    }

    public static byte[] rename2In(long newDir, int flags) {
        return le(16).putLong(newDir).putInt(flags).putInt(0).array();
    }

    public static byte[] forgetIn(long nlookup) {
        return u64(nlookup);
    }

    public static byte[] getxattrIn(int size) {
        return u32(size, 0);
    }

    /** {@code fuse_lk_in}. */
    public static byte[] lkIn(long fh, long owner, long start, long end, int type, int pid) {
        return le(48).putLong(fh).putLong(owner).putLong(start).putLong(end).putInt(type).putInt(pid).putInt(0).putInt(0).array();
    }

    /** The request in native memory, as one segment. */
    public static MemorySegment segment(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(Math.max(1, bytes.length), 8);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, s, 0, bytes.length);
        return s.asSlice(0, bytes.length);
    }

    /**
     * The request in native memory as an SgList cut at {@code cuts} (ascending offsets), each piece
     * in its own allocation: e.g. {@code split(arena, req, 40)} puts the header and the arguments
     * in separate "descriptors".
     */
    public static SgList split(Arena arena, byte[] bytes, int... cuts) {
        SgList list = new SgList(cuts.length + 1);
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? Math.min(cuts[i], bytes.length) : bytes.length;
            if (to > from) {
                MemorySegment piece = arena.allocate(to - from);
                MemorySegment.copy(MemorySegment.ofArray(bytes), from, piece, 0, to - from);
                list.add(piece);
            }
            from = Math.max(from, to);
        }
        return list;
    }

    /** Bytes of a segment (tests). */
    public static byte[] bytes(MemorySegment s) {
        return s.toArray(JAVA_BYTE);
    }
}
