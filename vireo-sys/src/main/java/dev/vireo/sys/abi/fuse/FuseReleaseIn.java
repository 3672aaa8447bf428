package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_release_in}: the argument of RELEASE and RELEASEDIR. */
@CStruct(value = "struct fuse_release_in", headers = "linux/fuse.h")
public final class FuseReleaseIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("release_flags"),
            JAVA_LONG.withName("lock_owner"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long RELEASE_FLAGS = Layouts.offset(LAYOUT, "release_flags");
    private static final long LOCK_OWNER = Layouts.offset(LAYOUT, "lock_owner");

    private FuseReleaseIn() {
    }

    public static long fh(MemorySegment s) {
        return s.get(JAVA_LONG, FH);
    }

    public static void fh(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }

    public static int releaseFlags(MemorySegment s) {
        return s.get(JAVA_INT, RELEASE_FLAGS);
    }

    public static void releaseFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, RELEASE_FLAGS, v);
    }

    public static long lockOwner(MemorySegment s) {
        return s.get(JAVA_LONG, LOCK_OWNER);
    }

    public static void lockOwner(MemorySegment s, long v) {
        s.set(JAVA_LONG, LOCK_OWNER, v);
    }
}
