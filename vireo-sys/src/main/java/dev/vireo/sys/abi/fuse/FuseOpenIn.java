package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_open_in}: the argument of OPEN and OPENDIR: open(2) flags and FUSE_OPEN_* flags. */
@CStruct(value = "struct fuse_open_in", headers = "linux/fuse.h")
public final class FuseOpenIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("open_flags"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long OPEN_FLAGS = Layouts.offset(LAYOUT, "open_flags");

    private FuseOpenIn() {
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }

    public static int openFlags(MemorySegment s) {
        return s.get(JAVA_INT, OPEN_FLAGS);
    }

    public static void openFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, OPEN_FLAGS, v);
    }
}
