package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_lseek_out}: the reply to LSEEK. */
@CStruct(value = "struct fuse_lseek_out", headers = "linux/fuse.h")
public final class FuseLseekOut {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("offset"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long OFFSET = Layouts.offset(LAYOUT, "offset");

    private FuseLseekOut() {
    }

    public static long offset(MemorySegment s) {
        return s.get(JAVA_LONG, OFFSET);
    }

    public static void offset(MemorySegment s, long v) {
        s.set(JAVA_LONG, OFFSET, v);
    }
}
