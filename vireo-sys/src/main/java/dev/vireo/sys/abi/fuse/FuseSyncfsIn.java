package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_syncfs_in}: the argument of SYNCFS. */
@CStruct(value = "struct fuse_syncfs_in", headers = "linux/fuse.h")
public final class FuseSyncfsIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();

    private FuseSyncfsIn() {
    }
}
