package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct timespec} (glibc, 64-bit): seconds and nanoseconds; also {@code __kernel_timespec}. */
@CStruct(value = "struct timespec", headers = "time.h")
public final class Timespec {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec"));

    private static final long SEC = Layouts.offset(LAYOUT, "tv_sec");
    private static final long NSEC = Layouts.offset(LAYOUT, "tv_nsec");

    private Timespec() {
    }

    public static long sec(MemorySegment t) {
        return t.get(JAVA_LONG, SEC);
    }

    public static long nsec(MemorySegment t) {
        return t.get(JAVA_LONG, NSEC);
    }

    public static void set(MemorySegment t, long sec, long nsec) {
        t.set(JAVA_LONG, SEC, sec);
        t.set(JAVA_LONG, NSEC, nsec);
    }
}
