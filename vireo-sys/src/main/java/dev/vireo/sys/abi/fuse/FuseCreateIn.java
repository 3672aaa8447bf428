package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_create_in}: the argument of CREATE and TMPFILE, followed by the name. */
@CStruct(value = "struct fuse_create_in", headers = "linux/fuse.h")
public final class FuseCreateIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("mode"),
            JAVA_INT.withName("umask"),
            JAVA_INT.withName("open_flags"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long MODE = Layouts.offset(LAYOUT, "mode");
    private static final long UMASK = Layouts.offset(LAYOUT, "umask");
    private static final long OPEN_FLAGS = Layouts.offset(LAYOUT, "open_flags");

    private FuseCreateIn() {
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
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

    public static int openFlags(MemorySegment s) {
        return s.get(JAVA_INT, OPEN_FLAGS);
    }

    public static void openFlags(MemorySegment s, int v) {
        s.set(JAVA_INT, OPEN_FLAGS, v);
    }
}
