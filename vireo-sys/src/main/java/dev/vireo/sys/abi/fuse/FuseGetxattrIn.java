package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_getxattr_in}: the argument of GETXATTR (followed by the name) and LISTXATTR; {@code size} 0 asks for the size only. */
@CStruct(value = "struct fuse_getxattr_in", headers = "linux/fuse.h")
public final class FuseGetxattrIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long SIZE_FIELD = Layouts.offset(LAYOUT, "size");

    private FuseGetxattrIn() {
    }

    public static int size(MemorySegment s) {
        return s.get(JAVA_INT, SIZE_FIELD);
    }

    public static void size(MemorySegment s, int v) {
        s.set(JAVA_INT, SIZE_FIELD, v);
    }
}
