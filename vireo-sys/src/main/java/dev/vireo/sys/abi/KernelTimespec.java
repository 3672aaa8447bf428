package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct __kernel_timespec}: the 64-bit timespec of io_uring timeouts. */
@CStruct(value = "struct __kernel_timespec", headers = "linux/time_types.h")
public final class KernelTimespec {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec"));

    private static final long SEC = Layouts.offset(LAYOUT, "tv_sec");
    private static final long NSEC = Layouts.offset(LAYOUT, "tv_nsec");

    private KernelTimespec() {
    }

    /** Sets the time from nanoseconds. */
    public static void setNanos(MemorySegment t, long nanos) {
        t.set(JAVA_LONG, SEC, nanos / 1_000_000_000L);
        t.set(JAVA_LONG, NSEC, nanos % 1_000_000_000L);
    }
}
