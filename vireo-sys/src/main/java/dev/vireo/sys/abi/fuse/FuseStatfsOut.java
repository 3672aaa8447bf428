package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct fuse_statfs_out}: the reply to STATFS. */
@CStruct(value = "struct fuse_statfs_out", headers = "linux/fuse.h")
public final class FuseStatfsOut {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            FuseKstatfs.LAYOUT.withName("st"));

    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of the nested {@code st} ({@link FuseKstatfs}). */
    public static final long ST = Layouts.offset(LAYOUT, "st");

    private FuseStatfsOut() {
    }
}
