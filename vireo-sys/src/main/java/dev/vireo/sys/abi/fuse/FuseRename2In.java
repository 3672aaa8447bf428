package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_rename2_in}: the argument of RENAME2 (RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT), followed by the old and the new name. */
@CStruct(value = "struct fuse_rename2_in", headers = "linux/fuse.h")
public final class FuseRename2In {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("newdir"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long NEWDIR = Layouts.offset(LAYOUT, "newdir");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private FuseRename2In() {
    }

    public static long newdir(MemorySegment s) {
        return s.get(JAVA_LONG, NEWDIR);
    }

    public static void newdir(MemorySegment s, long v) {
        s.set(JAVA_LONG, NEWDIR, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }
}
