package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_lk_in}: the argument of GETLK, SETLK and SETLKW. */
@CStruct(value = "struct fuse_lk_in", headers = "linux/fuse.h")
public final class FuseLkIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh"),
            JAVA_LONG.withName("owner"),
            FuseFileLock.LAYOUT.withName("lk"),
            JAVA_INT.withName("lk_flags"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long OWNER = Layouts.offset(LAYOUT, "owner");
    /** Offset of the nested {@code lk} ({@link FuseFileLock}). */
    public static final long LK = Layouts.offset(LAYOUT, "lk");
    private static final long LK_FLAGS = Layouts.offset(LAYOUT, "lk_flags");

    private FuseLkIn() {
    }

    public static long fh(MemorySegment s) {
        return s.get(JAVA_LONG, FH);
    }

    public static void fh(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH, v);
    }

    public static long owner(MemorySegment s) {
        return s.get(JAVA_LONG, OWNER);
    }

    public static void owner(MemorySegment s, long v) {
        s.set(JAVA_LONG, OWNER, v);
    }

    public static int lkFlags(MemorySegment s) {
        return s.get(JAVA_INT, LK_FLAGS);
    }

    public static void lkFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, LK_FLAGS, v);
    }
}
