package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_batch_forget_in}: the argument of BATCH_FORGET, followed by {@code count} {@link FuseForgetOne}s. */
@CStruct(value = "struct fuse_batch_forget_in", headers = "linux/fuse.h")
public final class FuseBatchForgetIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("count"),
            JAVA_INT.withName("dummy"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long COUNT = Layouts.offset(LAYOUT, "count");

    private FuseBatchForgetIn() {
    }

    public static int count(MemorySegment s) {
        return s.get(JAVA_INT, COUNT);
    }

    public static void count(MemorySegment s, int v) {
        s.set(JAVA_INT, COUNT, v);
    }
}
