package dev.vireo.sys.abi.uring;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_buf}, 16 bytes: one entry of a provided-buffer ring
 * (IORING_REGISTER_PBUF_RING, Linux 5.19): where a buffer is, how long, and the id the kernel
 * reports in a CQE's upper 16 flag bits when it used it.
 */
@CStruct(value = "struct io_uring_buf", headers = "linux/io_uring.h")
public final class IoUringBuf {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long ADDR = Layouts.offset(LAYOUT, "addr");
    private static final long LEN = Layouts.offset(LAYOUT, "len");
    private static final long BID = Layouts.offset(LAYOUT, "bid");

    private IoUringBuf() {
    }

    /** Fills the entry at byte offset {@code at} of a buffer ring. Leaves {@code resv} alone: in entry 0 it is the ring's tail. */
    public static void set(MemorySegment ring, long at, long addr, int len, int bid) {
        ring.set(JAVA_LONG, at + ADDR, addr);
        ring.set(JAVA_INT, at + LEN, len);
        ring.set(JAVA_SHORT, at + BID, (short) bid);
    }
}
