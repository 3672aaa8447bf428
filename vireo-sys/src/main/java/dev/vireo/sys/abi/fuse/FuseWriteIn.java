package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_write_in}: the argument of WRITE (40 bytes), followed by {@code size} bytes of data. */
@CStruct(value = "struct fuse_write_in", headers = "linux/fuse.h")
public final class FuseWriteIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh"),
            JAVA_LONG.withName("offset"),
            JAVA_INT.withName("size"),
            JAVA_INT.withName("write_flags"),
            JAVA_LONG.withName("lock_owner"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long OFFSET = Layouts.offset(LAYOUT, "offset");
    private static final long SIZE_FIELD = Layouts.offset(LAYOUT, "size");
    private static final long WRITE_FLAGS = Layouts.offset(LAYOUT, "write_flags");
    private static final long LOCK_OWNER = Layouts.offset(LAYOUT, "lock_owner");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private FuseWriteIn() {
    }

    public static long fh(MemorySegment s) {
        return s.get(JAVA_LONG, FH);
    }

    public static void fh(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH, v);
    }

    public static long offset(MemorySegment s) {
        return s.get(JAVA_LONG, OFFSET);
    }

    public static void offset(MemorySegment s, long v) {
        s.set(JAVA_LONG, OFFSET, v);
    }

    public static int size(MemorySegment s) {
        return s.get(JAVA_INT, SIZE_FIELD);
    }

    public static void size(MemorySegment s, int v) {
        s.set(JAVA_INT, SIZE_FIELD, v);
    }

    public static int writeFlags(MemorySegment s) {
        return s.get(JAVA_INT, WRITE_FLAGS);
    }

    public static void writeFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, WRITE_FLAGS, v);
    }

    public static long lockOwner(MemorySegment s) {
        return s.get(JAVA_LONG, LOCK_OWNER);
    }

    public static void lockOwner(MemorySegment s, long v) {
        s.set(JAVA_LONG, LOCK_OWNER, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }
}
