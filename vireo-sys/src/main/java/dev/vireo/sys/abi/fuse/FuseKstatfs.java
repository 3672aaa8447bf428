package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_kstatfs}: file system statistics inside {@code fuse_statfs_out} (80 bytes). */
@CStruct(value = "struct fuse_kstatfs", headers = "linux/fuse.h")
public final class FuseKstatfs {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("blocks"),
            JAVA_LONG.withName("bfree"),
            JAVA_LONG.withName("bavail"),
            JAVA_LONG.withName("files"),
            JAVA_LONG.withName("ffree"),
            JAVA_INT.withName("bsize"),
            JAVA_INT.withName("namelen"),
            JAVA_INT.withName("frsize"),
            JAVA_INT.withName("padding"),
            MemoryLayout.sequenceLayout(6, JAVA_INT).withName("spare"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long BLOCKS = Layouts.offset(LAYOUT, "blocks");
    private static final long BFREE = Layouts.offset(LAYOUT, "bfree");
    private static final long BAVAIL = Layouts.offset(LAYOUT, "bavail");
    private static final long FILES = Layouts.offset(LAYOUT, "files");
    private static final long FFREE = Layouts.offset(LAYOUT, "ffree");
    private static final long BSIZE = Layouts.offset(LAYOUT, "bsize");
    private static final long NAMELEN = Layouts.offset(LAYOUT, "namelen");
    private static final long FRSIZE = Layouts.offset(LAYOUT, "frsize");

    private FuseKstatfs() {
    }

    public static long blocks(MemorySegment s) {
        return s.get(JAVA_LONG, BLOCKS);
    }

    public static void blocks(MemorySegment s, long v) {
        s.set(JAVA_LONG, BLOCKS, v);
    }

    public static long bfree(MemorySegment s) {
        return s.get(JAVA_LONG, BFREE);
    }

    public static void bfree(MemorySegment s, long v) {
        s.set(JAVA_LONG, BFREE, v);
    }

    public static long bavail(MemorySegment s) {
        return s.get(JAVA_LONG, BAVAIL);
    }

    public static void bavail(MemorySegment s, long v) {
        s.set(JAVA_LONG, BAVAIL, v);
    }

    public static long files(MemorySegment s) {
        return s.get(JAVA_LONG, FILES);
    }

    public static void files(MemorySegment s, long v) {
        s.set(JAVA_LONG, FILES, v);
    }

    public static long ffree(MemorySegment s) {
        return s.get(JAVA_LONG, FFREE);
    }

    public static void ffree(MemorySegment s, long v) {
        s.set(JAVA_LONG, FFREE, v);
    }

    public static int bsize(MemorySegment s) {
        return s.get(JAVA_INT, BSIZE);
    }

    public static void bsize(MemorySegment s, int v) {
        s.set(JAVA_INT, BSIZE, v);
    }

    public static int namelen(MemorySegment s) {
        return s.get(JAVA_INT, NAMELEN);
    }

    public static void namelen(MemorySegment s, int v) {
        s.set(JAVA_INT, NAMELEN, v);
    }

    public static int frsize(MemorySegment s) {
        return s.get(JAVA_INT, FRSIZE);
    }

    public static void frsize(MemorySegment s, int v) {
        s.set(JAVA_INT, FRSIZE, v);
    }
}
