package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_ext_header}: the header of one request extension (protocol 7.38): total size including this header, and the type (FUSE_EXT_GROUPS ...). */
@CStruct(value = "struct fuse_ext_header", headers = "linux/fuse.h")
public final class FuseExtHeader {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("type"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long SIZE_FIELD = Layouts.offset(LAYOUT, "size");
    private static final long TYPE = Layouts.offset(LAYOUT, "type");

    private FuseExtHeader() {
    }

    public static int size(MemorySegment s) {
        return s.get(JAVA_INT, SIZE_FIELD);
    }

    public static void size(MemorySegment s, int v) {
        s.set(JAVA_INT, SIZE_FIELD, v);
    }

    public static int type(MemorySegment s) {
        return s.get(JAVA_INT, TYPE);
    }

    public static void type(MemorySegment s, int v) {
        s.set(JAVA_INT, TYPE, v);
    }
}
