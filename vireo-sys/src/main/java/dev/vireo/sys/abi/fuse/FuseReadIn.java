package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_read_in}: the argument of READ, READDIR and READDIRPLUS (40 bytes). */
@CStruct(value = "struct fuse_read_in", headers = "linux/fuse.h")
public final class FuseReadIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh"),
            JAVA_LONG.withName("offset"),
            JAVA_INT.withName("size"),
            JAVA_INT.withName("read_flags"),
            JAVA_LONG.withName("lock_owner"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long OFFSET = Layouts.offset(LAYOUT, "offset");
    private static final long SIZE_FIELD = Layouts.offset(LAYOUT, "size");
    private static final long READ_FLAGS = Layouts.offset(LAYOUT, "read_flags");
    private static final long LOCK_OWNER = Layouts.offset(LAYOUT, "lock_owner");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private FuseReadIn() {
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

    public static int readFlags(MemorySegment s) {
        return s.get(JAVA_INT, READ_FLAGS);
    }

    public static void readFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, READ_FLAGS, v);
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
