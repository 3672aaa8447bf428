package dev.vireo.sys.abi.uring;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_buf_ring}: an array of {@link IoUringBuf} whose first entry's last 16
 * bits ({@code resv}) double as the ring's tail, which the application advances (with a release
 * store) when it hands buffers to the kernel. Only the header view is declared; the entries are
 * {@link IoUringBuf}s.
 */
@CStruct(value = "struct io_uring_buf_ring", headers = "linux/io_uring.h")
public final class IoUringBufRing {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("resv1"),
            JAVA_INT.withName("resv2"),
            JAVA_SHORT.withName("resv3"),
            JAVA_SHORT.withName("tail"));

    /** Byte offset of the 16-bit tail. */
    public static final long TAIL = Layouts.offset(LAYOUT, "tail");

    private IoUringBufRing() {
    }
}
