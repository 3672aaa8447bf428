package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_fsync_in}: the argument of FSYNC and FSYNCDIR; FUSE_FSYNC_FDATASYNC in {@code fsync_flags}. */
@CStruct(value = "struct fuse_fsync_in", headers = "linux/fuse.h")
public final class FuseFsyncIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh"),
            JAVA_INT.withName("fsync_flags"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long FSYNC_FLAGS = Layouts.offset(LAYOUT, "fsync_flags");

    private FuseFsyncIn() {
    }

    public static long fh(MemorySegment s) {
        return s.get(JAVA_LONG, FH);
    }

    public static void fh(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH, v);
    }

    public static int fsyncFlags(MemorySegment s) {
        return s.get(JAVA_INT, FSYNC_FLAGS);
    }

    public static void fsyncFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, FSYNC_FLAGS, v);
    }
}
