package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct fuse_init_in}: the kernel's INIT request (protocol 7.36+ layout, 64 bytes; older kernels send the first 16). */
@CStruct(value = "struct fuse_init_in", headers = "linux/fuse.h")
public final class FuseInitIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("major"),
            JAVA_INT.withName("minor"),
            JAVA_INT.withName("max_readahead"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("flags2"),
            MemoryLayout.sequenceLayout(11, JAVA_INT).withName("unused"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long MAJOR = Layouts.offset(LAYOUT, "major");
    private static final long MINOR = Layouts.offset(LAYOUT, "minor");
    private static final long MAX_READAHEAD = Layouts.offset(LAYOUT, "max_readahead");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long FLAGS2 = Layouts.offset(LAYOUT, "flags2");

    private FuseInitIn() {
    }

    public static int major(MemorySegment s) {
        return s.get(JAVA_INT, MAJOR);
    }

    public static void major(MemorySegment s, int v) {
        s.set(JAVA_INT, MAJOR, v);
    }

    public static int minor(MemorySegment s) {
        return s.get(JAVA_INT, MINOR);
    }

    public static void minor(MemorySegment s, int v) {
        s.set(JAVA_INT, MINOR, v);
    }

    public static int maxReadahead(MemorySegment s) {
        return s.get(JAVA_INT, MAX_READAHEAD);
    }

    public static void maxReadahead(MemorySegment s, int v) {
        s.set(JAVA_INT, MAX_READAHEAD, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }

    public static int flags2(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS2);
    }

    public static void flags2(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS2, v);
    }
}
