package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_mknod_in}: the argument of MKNOD (protocol 7.12+), followed by the name. */
@CStruct(value = "struct fuse_mknod_in", headers = "linux/fuse.h")
public final class FuseMknodIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("mode"),
            JAVA_INT.withName("rdev"),
            JAVA_INT.withName("umask"),
            JAVA_INT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long MODE = Layouts.offset(LAYOUT, "mode");
    private static final long RDEV = Layouts.offset(LAYOUT, "rdev");
    private static final long UMASK = Layouts.offset(LAYOUT, "umask");

    private FuseMknodIn() {
    }

    public static int mode(MemorySegment s) {
        return s.get(JAVA_INT, MODE);
    }

    public static void mode(MemorySegment s, int v) {
        s.set(JAVA_INT, MODE, v);
    }

    public static int rdev(MemorySegment s) {
        return s.get(JAVA_INT, RDEV);
    }

    public static void rdev(MemorySegment s, int v) {
        s.set(JAVA_INT, RDEV, v);
    }

    public static int umask(MemorySegment s) {
        return s.get(JAVA_INT, UMASK);
    }

    public static void umask(MemorySegment s, int v) {
        s.set(JAVA_INT, UMASK, v);
    }
}
