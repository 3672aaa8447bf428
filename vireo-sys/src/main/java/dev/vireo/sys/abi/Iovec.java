package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct iovec}: one buffer of a scatter-gather list (readv/writev/preadv/sendmsg). */
@CStruct(value = "struct iovec", headers = "sys/uio.h")
public final class Iovec {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long BASE = Layouts.offset(LAYOUT, "iov_base");
    private static final long LEN = Layouts.offset(LAYOUT, "iov_len");

    private Iovec() {
    }

    /** Points element {@code index} of the iovec array {@code array} at {@code buffer}. */
    public static void set(MemorySegment array, int index, MemorySegment buffer) {
        long at = index * SIZE;
        array.set(ADDRESS, at + BASE, buffer);
        array.set(JAVA_LONG, at + LEN, buffer.byteSize());
    }

    /**
     * Points element {@code index} at {@code length} bytes at {@code address}, for callers that
     * describe a part of a larger segment without allocating a slice for it (the I/O loop).
     */
    public static void set(MemorySegment array, int index, long address, long length) {
        long at = index * SIZE;
        array.set(JAVA_LONG, at + BASE, address);
        array.set(JAVA_LONG, at + LEN, length);
    }

    /** The base address of element {@code index}. */
    public static long base(MemorySegment array, int index) {
        return array.get(ADDRESS, index * SIZE + BASE).address();
    }

    /** The length of element {@code index}. */
    public static long len(MemorySegment array, int index) {
        return array.get(JAVA_LONG, index * SIZE + LEN);
    }
}
