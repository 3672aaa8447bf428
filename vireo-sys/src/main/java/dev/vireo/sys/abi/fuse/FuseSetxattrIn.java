package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_setxattr_in}: the argument of SETXATTR, followed by the name and {@code size} bytes of value. The kernel sends only the first 8 bytes (FUSE_COMPAT_SETXATTR_IN_SIZE) unless FUSE_SETXATTR_EXT was negotiated. */
@CStruct(value = "struct fuse_setxattr_in", headers = "linux/fuse.h")
public final class FuseSetxattrIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("setxattr_flags"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long SIZE_FIELD = Layouts.offset(LAYOUT, "size");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long SETXATTR_FLAGS = Layouts.offset(LAYOUT, "setxattr_flags");

    private FuseSetxattrIn() {
    }

    public static int size(MemorySegment s) {
        return s.get(JAVA_INT, SIZE_FIELD);
    }

    public static void size(MemorySegment s, int v) {
        s.set(JAVA_INT, SIZE_FIELD, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }

    public static int setxattrFlags(MemorySegment s) {
        return s.get(JAVA_INT, SETXATTR_FLAGS);
    }

    public static void setxattrFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, SETXATTR_FLAGS, v);
    }
}
