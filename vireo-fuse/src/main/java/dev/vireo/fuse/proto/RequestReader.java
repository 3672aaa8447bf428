package dev.vireo.fuse.proto;

import dev.vireo.mem.SgException;
import dev.vireo.mem.SgList;
import dev.vireo.mem.SgReader;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Reads one request's arguments from an {@link SgList}, bounded by the end of the arguments (the
 * header's {@code len} minus any extensions, fuse.h 7.38 {@code total_extlen}). Header and
 * arguments may sit in different entries, as the virtiofs driver places them.
 *
 * <p>Every read copies: fixed-size arguments into a struct-sized scratch segment
 * ({@link #copy}), names into a name buffer ({@link #name}). The sender may change the bytes while
 * they are read (guest memory), so the copy is what gets validated and used. Only payloads (WRITE
 * data) are handed on as views ({@link #payload}), without a copy.
 *
 * <p>Violations throw the shared {@link ProtocolException}s. One reader per worker; reused.
 */
public final class RequestReader {

    /** NAME_MAX: the longest name of a directory entry. */
    public static final int NAME_MAX = 255;

    private final SgReader in = new SgReader();
    private long end;

    /** Starts reading {@code request} at its beginning; reads stop at byte {@code end}. */
    public void reset(SgList request, long end) {
        if (end < 0 || end > request.totalLength()) {
            throw new IllegalArgumentException("end " + end + " outside a request of " + request.totalLength());
        }
        in.reset(request);
        this.end = end;
    }

    /** Moves the end of the readable arguments (to exclude extensions at the tail). */
    public void limit(long newEnd) {
        if (newEnd < in.position() || newEnd > end) {
            throw ProtocolException.EINVAL;
        }
        end = newEnd;
    }

    /** Bytes read so far. */
    public long position() {
        return in.position();
    }

    /** Bytes left before the end of the arguments. */
    public long remaining() {
        return end - in.position();
    }

    /** Copies the next {@code dst.byteSize()} bytes into {@code dst}; EINVAL if fewer remain. */
    public void copy(MemorySegment dst) {
        if (dst.byteSize() > remaining()) {
            throw ProtocolException.EINVAL;
        }
        in.read(dst);
    }

    /**
     * Copies up to {@code n} bytes, zero-filling the rest of {@code dst}: for arguments the kernel
     * sends shorter under older protocols (fuse_init_in before 7.36, fuse_setxattr_in without
     * SETXATTR_EXT).
     */
    public void copyPrefix(MemorySegment dst, long n) {
        if (n > remaining() || n > dst.byteSize()) {
            throw ProtocolException.EINVAL;
        }
        dst.fill((byte) 0);
        in.read(dst.asSlice(0, n));
    }

    /** Skips {@code n} bytes. */
    public void skip(long n) {
        if (n < 0 || n > remaining()) {
            throw ProtocolException.EINVAL;
        }
        in.skip(n);
    }

    public int u32() {
        if (remaining() < 4) {
            throw ProtocolException.EINVAL;
        }
        return in.u32();
    }

    public long u64() {
        if (remaining() < 8) {
            throw ProtocolException.EINVAL;
        }
        return in.u64();
    }

    /**
     * Copies a NUL-terminated directory entry name into {@code dst} (at least {@link #NAME_MAX} + 1
     * bytes) and returns its length: EINVAL when it is empty, has no NUL before the end of the
     * arguments, or contains '/'; ENAMETOOLONG when no NUL comes within {@code dst}. "." and ".."
     * are returned; whether they are allowed is the operation's decision.
     */
    public int name(MemorySegment dst) {
        int n = string(dst);
        if (n == 0) {
            throw ProtocolException.EINVAL;
        }
        for (int i = 0; i < n; i++) {
            if (dst.get(JAVA_BYTE, i) == '/') {
                throw ProtocolException.EINVAL;
            }
        }
        return n;
    }

    /**
     * Copies a NUL-terminated string into {@code dst} and returns its length without the NUL:
     * symbolic link targets (a {@code dst} of PATH_MAX), xattr names ('/' allowed). EINVAL when no
     * NUL comes before the end of the arguments, ENAMETOOLONG when none comes within {@code dst}.
     */
    public int string(MemorySegment dst) {
        long before = remaining();
        int n;
        try {
            n = in.cString(dst);
        } catch (SgException e) {
            // No NUL within min(dst, rest of the list): too long if dst was the tighter bound.
            throw dst.byteSize() < before ? ProtocolException.ENAMETOOLONG : ProtocolException.EINVAL;
        }
        if (in.position() > end) {
            // The NUL was found only in the extensions after the arguments.
            throw ProtocolException.EINVAL;
        }
        return n;
    }

    /**
     * Appends views of the next {@code n} bytes to {@code out}, without copying: the data of a
     * WRITE, handed to pwritev as iovecs.
     */
    public void payload(long n, SgList out) {
        if (n < 0 || n > remaining()) {
            throw ProtocolException.EINVAL;
        }
        in.sliceTo(n, out);
    }
}
