package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_file_lock}: a POSIX record lock: inclusive byte range {@code [start, end]} (end OFFSET_MAX = to end of file), F_RDLCK/F_WRLCK/F_UNLCK, owner's tgid. */
@CStruct(value = "struct fuse_file_lock", headers = "linux/fuse.h")
public final class FuseFileLock {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("start"),
            JAVA_LONG.withName("end"),
            JAVA_INT.withName("type"),
            JAVA_INT.withName("pid"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long START = Layouts.offset(LAYOUT, "start");
    private static final long END = Layouts.offset(LAYOUT, "end");
    private static final long TYPE = Layouts.offset(LAYOUT, "type");
    private static final long PID = Layouts.offset(LAYOUT, "pid");

    private FuseFileLock() {
    }

    public static long start(MemorySegment s) {
        return s.get(JAVA_LONG, START);
    }

    public static void start(MemorySegment s, long v) {
        s.set(JAVA_LONG, START, v);
    }

    public static long end(MemorySegment s) {
        return s.get(JAVA_LONG, END);
    }

    public static void end(MemorySegment s, long v) {
        s.set(JAVA_LONG, END, v);
    }

    public static int type(MemorySegment s) {
        return s.get(JAVA_INT, TYPE);
    }

    public static void type(MemorySegment s, int v) {
        s.set(JAVA_INT, TYPE, v);
    }

    public static int pid(MemorySegment s) {
        return s.get(JAVA_INT, PID);
    }

    public static void pid(MemorySegment s, int v) {
        s.set(JAVA_INT, PID, v);
    }
}
