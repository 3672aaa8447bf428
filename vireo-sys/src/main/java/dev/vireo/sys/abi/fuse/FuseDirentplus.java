package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct fuse_direntplus}: the header of one READDIRPLUS record: an entry and a dirent; the name follows, padded to 8 bytes. */
@CStruct(value = "struct fuse_direntplus", headers = "linux/fuse.h")
public final class FuseDirentplus {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            FuseEntryOut.LAYOUT.withName("entry_out"),
            FuseDirent.LAYOUT.withName("dirent"));

    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of the nested {@code entry_out} ({@link FuseEntryOut}). */
    public static final long ENTRY_OUT = Layouts.offset(LAYOUT, "entry_out");
    /** Offset of the nested {@code dirent} ({@link FuseDirent}). */
    public static final long DIRENT = Layouts.offset(LAYOUT, "dirent");

    private FuseDirentplus() {
    }
}
