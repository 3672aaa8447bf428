package dev.vireo.mem;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * A position in an {@link SgList}, shared by {@link SgReader} and {@link SgWriter}: the current
 * entry, the offset inside it, and the bytes left. Multi-byte values are little-endian: virtio is
 * little-endian by spec (virtio 1.2 §1.4), and FUSE structs are in the host's order, which vireo
 * requires to be little-endian (x86-64, aarch64).
 */
abstract sealed class SgCursor permits SgReader, SgWriter {

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("vireo supports little-endian hosts only");
        }
    }

    SgList list;
    int index;
    long offset;
    long position;
    long limit;

    /** Starts at the beginning of {@code sg}. */
    void start(SgList sg) {
        list = sg;
        index = 0;
        offset = 0;
        position = 0;
        limit = sg.totalLength();
    }

    /** Bytes between the position and the end of the list. */
    public long remaining() {
        return limit - position;
    }

    /** Bytes passed so far. */
    public long position() {
        return position;
    }

    /** Moves forward {@code n} bytes. */
    public void skip(long n) {
        require(n);
        advance(n);
    }

    /**
     * Appends views of the next {@code n} bytes to {@code out} and moves past them: the zero-copy
     * hand-off of a payload to preadv/pwritev.
     */
    public void sliceTo(long n, SgList out) {
        require(n);
        long left = n;
        while (left > 0) {
            settle();
            long take = Math.min(left, list.length(index) - offset);
            out.add(list.base(index), list.offset(index) + offset, take);
            offset += take;
            position += take;
            left -= take;
        }
    }

    /** Skips empty tails so that the current entry has bytes (when any remain). */
    final void settle() {
        while (index < list.count() && offset == list.length(index)) {
            index++;
            offset = 0;
        }
    }

    final void advance(long n) {
        long left = n;
        while (left > 0) {
            settle();
            long take = Math.min(left, list.length(index) - offset);
            offset += take;
            position += take;
            left -= take;
        }
    }

    /** Bytes available in the current entry (after settling). */
    final long contiguous() {
        settle();
        return index < list.count() ? list.length(index) - offset : 0;
    }

    final MemorySegment base() {
        return list.base(index);
    }

    final long at() {
        return list.offset(index) + offset;
    }

    final void require(long n) {
        if (n < 0 || n > remaining()) {
            throw new SgException("need " + n + " bytes at position " + position + ", " + remaining() + " left");
        }
    }
}
