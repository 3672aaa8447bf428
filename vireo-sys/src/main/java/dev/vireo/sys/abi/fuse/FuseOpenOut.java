package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_open_out}: the reply to OPEN, OPENDIR and the second part of CREATE/TMPFILE: the file handle and FOPEN_* flags. */
@CStruct(value = "struct fuse_open_out", headers = "linux/fuse.h")
public final class FuseOpenOut {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh"),
            JAVA_INT.withName("open_flags"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long OPEN_FLAGS = Layouts.offset(LAYOUT, "open_flags");

    private FuseOpenOut() {
    }

    public static long fh(MemorySegment s) {
        return s.get(JAVA_LONG, FH);
    }

    public static void fh(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH, v);
    }

    public static int openFlags(MemorySegment s) {
        return s.get(JAVA_INT, OPEN_FLAGS);
    }

    public static void openFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, OPEN_FLAGS, v);
    }
}
