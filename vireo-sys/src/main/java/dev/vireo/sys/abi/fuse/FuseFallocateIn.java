package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_fallocate_in}: the argument of FALLOCATE. */
@CStruct(value = "struct fuse_fallocate_in", headers = "linux/fuse.h")
public final class FuseFallocateIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh"),
            JAVA_LONG.withName("offset"),
            JAVA_LONG.withName("length"),
            JAVA_INT.withName("mode"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long OFFSET = Layouts.offset(LAYOUT, "offset");
    private static final long LENGTH = Layouts.offset(LAYOUT, "length");
    private static final long MODE = Layouts.offset(LAYOUT, "mode");

    private FuseFallocateIn() {
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

    public static long length(MemorySegment s) {
        return s.get(JAVA_LONG, LENGTH);
    }

    public static void length(MemorySegment s, long v) {
        s.set(JAVA_LONG, LENGTH, v);
    }

    public static int mode(MemorySegment s) {
        return s.get(JAVA_INT, MODE);
    }

    public static void mode(MemorySegment s, int v) {
        s.set(JAVA_INT, MODE, v);
    }
}
