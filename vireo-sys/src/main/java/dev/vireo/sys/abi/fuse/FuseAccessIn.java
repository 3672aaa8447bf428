package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_access_in}: the argument of ACCESS: R_OK/W_OK/X_OK or F_OK. */
@CStruct(value = "struct fuse_access_in", headers = "linux/fuse.h")
public final class FuseAccessIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("mask"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long MASK = Layouts.offset(LAYOUT, "mask");

    private FuseAccessIn() {
    }

    public static int mask(MemorySegment s) {
        return s.get(JAVA_INT, MASK);
    }

    public static void mask(MemorySegment s, int v) {
        s.set(JAVA_INT, MASK, v);
    }
}
