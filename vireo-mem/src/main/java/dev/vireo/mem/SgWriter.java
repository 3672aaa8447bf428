package dev.vireo.mem;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Writes a reply sequentially into an {@link SgList} (a reply buffer, or the device-writable part
 * of a descriptor chain), across entry boundaries. Little-endian. Reuse one writer per worker.
 * {@link #position()} is the number of bytes written, the "used length" of a virtio reply.
 */
public final class SgWriter extends SgCursor {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    /** Starts writing {@code sg} from its beginning; returns this writer. */
    public SgWriter reset(SgList sg) {
        start(sg);
        return this;
    }

    public void u8(int v) {
        require(1);
        settle();
        base().set(JAVA_BYTE, at(), (byte) v);
        advance(1);
    }

    public void u16(int v) {
        require(2);
        if (contiguous() >= 2) {
            base().set(U16, at(), (short) v);
            advance(2);
        } else {
            slow(v, 2);
        }
    }

    public void u32(int v) {
        require(4);
        if (contiguous() >= 4) {
            base().set(U32, at(), v);
            advance(4);
        } else {
            slow(v, 4);
        }
    }

    public void u64(long v) {
        require(8);
        if (contiguous() >= 8) {
            base().set(U64, at(), v);
            advance(8);
        } else {
            slow(v, 8);
        }
    }

    /** Copies all of {@code src} (a struct or a small buffer) to the position. */
    public void write(MemorySegment src) {
        long n = src.byteSize();
        require(n);
        long done = 0;
        while (done < n) {
            long take = Math.min(contiguous(), n - done);
            MemorySegment.copy(src, done, base(), at(), take);
            advance(take);
            done += take;
        }
    }

    /** Writes {@code n} zero bytes. */
    public void zeros(long n) {
        require(n);
        long left = n;
        while (left > 0) {
            long take = Math.min(contiguous(), left);
            base().asSlice(at(), take).fill((byte) 0);
            advance(take);
            left -= take;
        }
    }

    /**
     * Writes a 32-bit value at absolute position {@code pos} (already written), without moving:
     * how a reply header's length is filled in once the reply is complete.
     */
    public void patchU32(long pos, int v) {
        if (pos < 0 || pos > position - 4) {
            throw new SgException("patch at " + pos + " outside the " + position + " bytes written");
        }
        long skip = pos;
        int i = 0;
        while (skip >= list.length(i)) {
            skip -= list.length(i);
            i++;
        }
        for (int b = 0; b < 4; b++) {
            while (skip == list.length(i)) {
                i++;
                skip = 0;
            }
            list.base(i).set(JAVA_BYTE, list.offset(i) + skip, (byte) (v >>> (8 * b)));
            skip++;
        }
    }

    private void slow(long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            settle();
            base().set(JAVA_BYTE, at(), (byte) (v >>> (8 * i)));
            advance(1);
        }
    }
}
