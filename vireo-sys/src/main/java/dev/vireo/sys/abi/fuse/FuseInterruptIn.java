package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_interrupt_in}: the argument of INTERRUPT: the unique id of the request to interrupt. */
@CStruct(value = "struct fuse_interrupt_in", headers = "linux/fuse.h")
public final class FuseInterruptIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("unique"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long UNIQUE = Layouts.offset(LAYOUT, "unique");

    private FuseInterruptIn() {
    }

    public static long unique(MemorySegment s) {
        return s.get(JAVA_LONG, UNIQUE);
    }

    public static void unique(MemorySegment s, long v) {
        s.set(JAVA_LONG, UNIQUE, v);
    }
}
