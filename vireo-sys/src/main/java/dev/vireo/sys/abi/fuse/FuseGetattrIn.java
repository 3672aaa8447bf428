package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_getattr_in}: the argument of GETATTR; {@code fh} is valid with FUSE_GETATTR_FH. */
@CStruct(value = "struct fuse_getattr_in", headers = "linux/fuse.h")
public final class FuseGetattrIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("getattr_flags"),
            JAVA_INT.withName("dummy"),
            JAVA_LONG.withName("fh"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long GETATTR_FLAGS = Layouts.offset(LAYOUT, "getattr_flags");
    private static final long FH = Layouts.offset(LAYOUT, "fh");

    private FuseGetattrIn() {
    }

    public static int getattrFlags(MemorySegment s) {
        return s.get(JAVA_INT, GETATTR_FLAGS);
    }

    public static void getattrFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, GETATTR_FLAGS, v);
    }

    public static long fh(MemorySegment s) {
        return s.get(JAVA_LONG, FH);
    }

    public static void fh(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH, v);
    }
}
