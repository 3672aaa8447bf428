package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_copy_file_range_in}: the argument of COPY_FILE_RANGE (and COPY_FILE_RANGE_64, protocol 7.45). */
@CStruct(value = "struct fuse_copy_file_range_in", headers = "linux/fuse.h")
public final class FuseCopyFileRangeIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh_in"),
            JAVA_LONG.withName("off_in"),
            JAVA_LONG.withName("nodeid_out"),
            JAVA_LONG.withName("fh_out"),
            JAVA_LONG.withName("off_out"),
            JAVA_LONG.withName("len"),
            JAVA_LONG.withName("flags"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH_IN = Layouts.offset(LAYOUT, "fh_in");
    private static final long OFF_IN = Layouts.offset(LAYOUT, "off_in");
    private static final long NODEID_OUT = Layouts.offset(LAYOUT, "nodeid_out");
    private static final long FH_OUT = Layouts.offset(LAYOUT, "fh_out");
    private static final long OFF_OUT = Layouts.offset(LAYOUT, "off_out");
    private static final long LEN = Layouts.offset(LAYOUT, "len");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private FuseCopyFileRangeIn() {
    }

    public static long fhIn(MemorySegment s) {
        return s.get(JAVA_LONG, FH_IN);
    }

    public static void fhIn(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH_IN, v);
    }

    public static long offIn(MemorySegment s) {
        return s.get(JAVA_LONG, OFF_IN);
    }

    public static void offIn(MemorySegment s, long v) {
        s.set(JAVA_LONG, OFF_IN, v);
    }

    public static long nodeidOut(MemorySegment s) {
        return s.get(JAVA_LONG, NODEID_OUT);
    }

    public static void nodeidOut(MemorySegment s, long v) {
        s.set(JAVA_LONG, NODEID_OUT, v);
    }

    public static long fhOut(MemorySegment s) {
        return s.get(JAVA_LONG, FH_OUT);
    }

    public static void fhOut(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH_OUT, v);
    }

    public static long offOut(MemorySegment s) {
        return s.get(JAVA_LONG, OFF_OUT);
    }

    public static void offOut(MemorySegment s, long v) {
        s.set(JAVA_LONG, OFF_OUT, v);
    }

    public static long len(MemorySegment s) {
        return s.get(JAVA_LONG, LEN);
    }

    public static void len(MemorySegment s, long v) {
        s.set(JAVA_LONG, LEN, v);
    }

    public static long flags(MemorySegment s) {
        return s.get(JAVA_LONG, FLAGS);
    }

    public static void flags(MemorySegment s, long v) {
        s.set(JAVA_LONG, FLAGS, v);
    }
}
