package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_flush_in}: the argument of FLUSH (sent on every close(2) of a descriptor). */
@CStruct(value = "struct fuse_flush_in", headers = "linux/fuse.h")
public final class FuseFlushIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("fh"),
            JAVA_INT.withName("unused"),
            JAVA_INT.withName("padding"),
            JAVA_LONG.withName("lock_owner"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long LOCK_OWNER = Layouts.offset(LAYOUT, "lock_owner");

    private FuseFlushIn() {
    }

    public static long fh(MemorySegment s) {
        return s.get(JAVA_LONG, FH);
    }

    public static void fh(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH, v);
    }

    public static long lockOwner(MemorySegment s) {
        return s.get(JAVA_LONG, LOCK_OWNER);
    }

    public static void lockOwner(MemorySegment s, long v) {
        s.set(JAVA_LONG, LOCK_OWNER, v);
    }
}
