package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_attr_out}: the reply to GETATTR and SETATTR (104 bytes). */
@CStruct(value = "struct fuse_attr_out", headers = "linux/fuse.h")
public final class FuseAttrOut {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("attr_valid"),
            JAVA_INT.withName("attr_valid_nsec"),
            JAVA_INT.withName("dummy"),
            FuseAttr.LAYOUT.withName("attr"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long ATTR_VALID = Layouts.offset(LAYOUT, "attr_valid");
    private static final long ATTR_VALID_NSEC = Layouts.offset(LAYOUT, "attr_valid_nsec");
    /** Offset of the nested {@code attr} ({@link FuseAttr}). */
    public static final long ATTR = Layouts.offset(LAYOUT, "attr");

    private FuseAttrOut() {
    }

    public static long attrValid(MemorySegment s) {
        return s.get(JAVA_LONG, ATTR_VALID);
    }

    public static void attrValid(MemorySegment s, long v) {
        s.set(JAVA_LONG, ATTR_VALID, v);
    }

    public static int attrValidNsec(MemorySegment s) {
        return s.get(JAVA_INT, ATTR_VALID_NSEC);
    }

    public static void attrValidNsec(MemorySegment s, int v) {
        s.set(JAVA_INT, ATTR_VALID_NSEC, v);
    }
}
