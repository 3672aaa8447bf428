package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct fuse_lk_out}: the reply to GETLK. */
@CStruct(value = "struct fuse_lk_out", headers = "linux/fuse.h")
public final class FuseLkOut {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            FuseFileLock.LAYOUT.withName("lk"));

    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of the nested {@code lk} ({@link FuseFileLock}). */
    public static final long LK = Layouts.offset(LAYOUT, "lk");

    private FuseLkOut() {
    }
}
