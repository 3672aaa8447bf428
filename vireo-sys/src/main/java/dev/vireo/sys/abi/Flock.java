package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct flock} for fcntl(2) record locks (F_GETLK, F_SETLK, F_OFD_*). */
@CStruct(value = "struct flock", headers = "fcntl.h")
public final class Flock {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("l_type"),
            JAVA_SHORT.withName("l_whence"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("l_start"),
            JAVA_LONG.withName("l_len"),
            JAVA_INT.withName("l_pid"),
            MemoryLayout.paddingLayout(4));

    private static final long TYPE = Layouts.offset(LAYOUT, "l_type");
    private static final long WHENCE = Layouts.offset(LAYOUT, "l_whence");
    private static final long START = Layouts.offset(LAYOUT, "l_start");
    private static final long LEN = Layouts.offset(LAYOUT, "l_len");
    private static final long PID = Layouts.offset(LAYOUT, "l_pid");

    private Flock() {
    }

    public static void set(MemorySegment f, int type, int whence, long start, long len, int pid) {
        f.set(JAVA_SHORT, TYPE, (short) type);
        f.set(JAVA_SHORT, WHENCE, (short) whence);
        f.set(JAVA_LONG, START, start);
        f.set(JAVA_LONG, LEN, len);
        f.set(JAVA_INT, PID, pid);
    }

    public static int type(MemorySegment f) {
        return f.get(JAVA_SHORT, TYPE);
    }

    public static long start(MemorySegment f) {
        return f.get(JAVA_LONG, START);
    }

    public static long len(MemorySegment f) {
        return f.get(JAVA_LONG, LEN);
    }

    public static int pid(MemorySegment f) {
        return f.get(JAVA_INT, PID);
    }
}
