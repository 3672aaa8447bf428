package dev.vireo.sys.abi.uring;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct io_uring_params}: io_uring_setup(2) input (flags) and output (features, ring offsets). */
@CStruct(value = "struct io_uring_params", headers = "linux/io_uring.h")
public final class IoUringParams {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            IoSqringOffsets.LAYOUT.withName("sq_off"),
            IoCqringOffsets.LAYOUT.withName("cq_off"));

    private static final long SQ_ENTRIES = Layouts.offset(LAYOUT, "sq_entries");
    private static final long CQ_ENTRIES = Layouts.offset(LAYOUT, "cq_entries");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long SQ_THREAD_IDLE = Layouts.offset(LAYOUT, "sq_thread_idle");
    private static final long FEATURES = Layouts.offset(LAYOUT, "features");
    private static final long SQ_OFF = Layouts.offset(LAYOUT, "sq_off");
    private static final long CQ_OFF = Layouts.offset(LAYOUT, "cq_off");

    private IoUringParams() {
    }

    public static int sqEntries(MemorySegment p) {
        return p.get(JAVA_INT, SQ_ENTRIES);
    }

    public static int cqEntries(MemorySegment p) {
        return p.get(JAVA_INT, CQ_ENTRIES);
    }

    /** Asks for a completion queue of {@code n} entries (with IORING_SETUP_CQSIZE). */
    public static void cqEntries(MemorySegment p, int n) {
        p.set(JAVA_INT, CQ_ENTRIES, n);
    }

    public static int flags(MemorySegment p) {
        return p.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment p, int flags) {
        p.set(JAVA_INT, FLAGS, flags);
    }

    public static void sqThreadIdle(MemorySegment p, int millis) {
        p.set(JAVA_INT, SQ_THREAD_IDLE, millis);
    }

    /** IORING_FEAT_* bits the kernel reported. */
    public static int features(MemorySegment p) {
        return p.get(JAVA_INT, FEATURES);
    }

    /** The submission-ring offsets, a {@link IoSqringOffsets} view. */
    public static MemorySegment sqOff(MemorySegment p) {
        return p.asSlice(SQ_OFF, IoSqringOffsets.LAYOUT);
    }

    /** The completion-ring offsets, a {@link IoCqringOffsets} view. */
    public static MemorySegment cqOff(MemorySegment p) {
        return p.asSlice(CQ_OFF, IoCqringOffsets.LAYOUT);
    }
}
