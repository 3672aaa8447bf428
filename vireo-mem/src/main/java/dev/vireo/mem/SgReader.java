package dev.vireo.mem;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Reads a request sequentially from an {@link SgList}, across entry boundaries (a FUSE request's
 * header and arguments may sit in different descriptors). Little-endian. Reuse one reader per
 * worker: {@link #reset} it for each request; it allocates nothing.
 *
 * <p>The bytes belong to an untrusted party who may change them while they are read: read each
 * field once, copy what must stay stable (with {@link #read}) and validate the copy.
 */
public final class SgReader extends SgCursor {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    /** Starts reading {@code sg} from its beginning; returns this reader. */
    public SgReader reset(SgList sg) {
        start(sg);
        return this;
    }

    public int u8() {
        require(1);
        settle();
        int v = Byte.toUnsignedInt(base().get(JAVA_BYTE, at()));
        advance(1);
        return v;
    }

    public int u16() {
        require(2);
        if (contiguous() >= 2) {
            int v = Short.toUnsignedInt(base().get(U16, at()));
            advance(2);
            return v;
        }
        return (int) slow(2);
    }

    public int u32() {
        require(4);
        if (contiguous() >= 4) {
            int v = base().get(U32, at());
            advance(4);
            return v;
        }
        return (int) slow(4);
    }

    public long u64() {
        require(8);
        if (contiguous() >= 8) {
            long v = base().get(U64, at());
            advance(8);
            return v;
        }
        return slow(8);
    }

    /** Copies the next {@code dst.byteSize()} bytes into {@code dst} (a struct to validate). */
    public void read(MemorySegment dst) {
        long n = dst.byteSize();
        require(n);
        long done = 0;
        while (done < n) {
            long take = Math.min(contiguous(), n - done);
            MemorySegment.copy(base(), at(), dst, done, take);
            advance(take);
            done += take;
        }
    }

    /**
     * Copies a NUL-terminated string (at most {@code dst.byteSize()} bytes including the NUL) into
     * {@code dst} and returns its length without the NUL. Throws {@link SgException} when no NUL
     * comes within that bound or before the end of the list.
     */
    public int cString(MemorySegment dst) {
        long max = Math.min(dst.byteSize(), remaining());
        for (long i = 0; i < max; i++) {
            settle();
            byte b = base().get(JAVA_BYTE, at());
            dst.set(JAVA_BYTE, i, b);
            advance(1);
            if (b == 0) {
                return (int) i;
            }
        }
        throw new SgException("string without NUL within " + max + " bytes at position " + position);
    }

    private long slow(int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            settle();
            v |= (long) Byte.toUnsignedInt(base().get(JAVA_BYTE, at())) << (8 * i);
            advance(1);
        }
        return v;
    }
}
