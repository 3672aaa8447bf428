package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct statvfs} of glibc on x86-64 (fstatvfs(3)), the source of FUSE STATFS replies. */
@CStruct(value = "struct statvfs", headers = "sys/statvfs.h")
public final class Statvfs {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("f_bsize"),
            JAVA_LONG.withName("f_frsize"),
            JAVA_LONG.withName("f_blocks"),
            JAVA_LONG.withName("f_bfree"),
            JAVA_LONG.withName("f_bavail"),
            JAVA_LONG.withName("f_files"),
            JAVA_LONG.withName("f_ffree"),
            JAVA_LONG.withName("f_favail"),
            JAVA_LONG.withName("f_fsid"),
            JAVA_LONG.withName("f_flag"),
            JAVA_LONG.withName("f_namemax"),
            MemoryLayout.paddingLayout(6 * 4));

    private static final long BSIZE = Layouts.offset(LAYOUT, "f_bsize");
    private static final long FRSIZE = Layouts.offset(LAYOUT, "f_frsize");
    private static final long BLOCKS = Layouts.offset(LAYOUT, "f_blocks");
    private static final long BFREE = Layouts.offset(LAYOUT, "f_bfree");
    private static final long BAVAIL = Layouts.offset(LAYOUT, "f_bavail");
    private static final long FILES = Layouts.offset(LAYOUT, "f_files");
    private static final long FFREE = Layouts.offset(LAYOUT, "f_ffree");
    private static final long NAMEMAX = Layouts.offset(LAYOUT, "f_namemax");

    private Statvfs() {
    }

    public static long bsize(MemorySegment s) {
        return s.get(JAVA_LONG, BSIZE);
    }

    public static long frsize(MemorySegment s) {
        return s.get(JAVA_LONG, FRSIZE);
    }

    public static long blocks(MemorySegment s) {
        return s.get(JAVA_LONG, BLOCKS);
    }

    public static long bfree(MemorySegment s) {
        return s.get(JAVA_LONG, BFREE);
    }

    public static long bavail(MemorySegment s) {
        return s.get(JAVA_LONG, BAVAIL);
    }

    public static long files(MemorySegment s) {
        return s.get(JAVA_LONG, FILES);
    }

    public static long ffree(MemorySegment s) {
        return s.get(JAVA_LONG, FFREE);
    }

    public static long namemax(MemorySegment s) {
        return s.get(JAVA_LONG, NAMEMAX);
    }
}
