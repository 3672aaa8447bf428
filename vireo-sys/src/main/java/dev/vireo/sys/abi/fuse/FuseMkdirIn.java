package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_mkdir_in}: the argument of MKDIR, followed by the name. */
@CStruct(value = "struct fuse_mkdir_in", headers = "linux/fuse.h")
public final class FuseMkdirIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("mode"),
            JAVA_INT.withName("umask"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long MODE = Layouts.offset(LAYOUT, "mode");
    private static final long UMASK = Layouts.offset(LAYOUT, "umask");

    private FuseMkdirIn() {
    }

    public static int mode(MemorySegment s) {
        return s.get(JAVA_INT, MODE);
    }

    public static void mode(MemorySegment s, int v) {
        s.set(JAVA_INT, MODE, v);
    }

    public static int umask(MemorySegment s) {
        return s.get(JAVA_INT, UMASK);
    }

    public static void umask(MemorySegment s, int v) {
        s.set(JAVA_INT, UMASK, v);
    }
}
