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
 * {@code struct io_uring_buf_reg}: the argument of IORING_(UN)REGISTER_PBUF_RING. {@code pad}
 * became {@code flags} in Linux 6.4 (IOU_PBUF_RING_MMAP); vireo leaves it 0 and provides the
 * ring memory itself, which every kernel since 5.19 accepts.
 */
@CStruct(value = "struct io_uring_buf_reg", headers = "linux/io_uring.h")
public final class IoUringBufReg {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"),
            JAVA_INT.withName("ring_entries"),
            JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("pad"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv"));

    private static final long RING_ADDR = Layouts.offset(LAYOUT, "ring_addr");
    private static final long RING_ENTRIES = Layouts.offset(LAYOUT, "ring_entries");
    private static final long BGID = Layouts.offset(LAYOUT, "bgid");

    private IoUringBufReg() {
    }

    /** Fills a zeroed registration: a ring of {@code entries} (a power of two) at a page-aligned {@code ringAddr}. */
    public static void set(MemorySegment reg, long ringAddr, int entries, int bgid) {
        reg.set(JAVA_LONG, RING_ADDR, ringAddr);
        reg.set(JAVA_INT, RING_ENTRIES, entries);
        reg.set(JAVA_SHORT, BGID, (short) bgid);
    }
}
