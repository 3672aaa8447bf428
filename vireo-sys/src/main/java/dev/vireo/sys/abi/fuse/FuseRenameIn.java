package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_rename_in}: the argument of RENAME, followed by the old and the new name. */
@CStruct(value = "struct fuse_rename_in", headers = "linux/fuse.h")
public final class FuseRenameIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("newdir"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long NEWDIR = Layouts.offset(LAYOUT, "newdir");

    private FuseRenameIn() {
    }

    public static long newdir(MemorySegment s) {
        return s.get(JAVA_LONG, NEWDIR);
    }

    public static void newdir(MemorySegment s, long v) {
        s.set(JAVA_LONG, NEWDIR, v);
    }
}
