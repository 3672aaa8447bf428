package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_forget_in}: the argument of FORGET: how many lookups the kernel drops. */
@CStruct(value = "struct fuse_forget_in", headers = "linux/fuse.h")
public final class FuseForgetIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("nlookup"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long NLOOKUP = Layouts.offset(LAYOUT, "nlookup");

    private FuseForgetIn() {
    }

    public static long nlookup(MemorySegment s) {
        return s.get(JAVA_LONG, NLOOKUP);
    }

    public static void nlookup(MemorySegment s, long v) {
        s.set(JAVA_LONG, NLOOKUP, v);
    }
}
