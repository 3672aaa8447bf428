package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_out_header}: the header of every FUSE reply, 16 bytes; {@code error} is 0 or a negative errno. */
@CStruct(value = "struct fuse_out_header", headers = "linux/fuse.h")
public final class FuseOutHeader {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("len"),
            JAVA_INT.withName("error"),
            JAVA_LONG.withName("unique"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long LEN = Layouts.offset(LAYOUT, "len");
    private static final long ERROR = Layouts.offset(LAYOUT, "error");
    private static final long UNIQUE = Layouts.offset(LAYOUT, "unique");

    private FuseOutHeader() {
    }

    public static int len(MemorySegment s) {
        return s.get(JAVA_INT, LEN);
    }

    public static void len(MemorySegment s, int v) {
        s.set(JAVA_INT, LEN, v);
    }

    public static int error(MemorySegment s) {
        return s.get(JAVA_INT, ERROR);
    }

    public static void error(MemorySegment s, int v) {
        s.set(JAVA_INT, ERROR, v);
    }

    public static long unique(MemorySegment s) {
        return s.get(JAVA_LONG, UNIQUE);
    }

    public static void unique(MemorySegment s, long v) {
        s.set(JAVA_LONG, UNIQUE, v);
    }
}
