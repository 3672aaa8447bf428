package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct stat} of glibc on x86-64 (fstatat(2)), 144 bytes. */
@CStruct(value = "struct stat", headers = "sys/stat.h")
public final class Stat {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_LONG.withName("st_nlink"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("st_rdev"),
            JAVA_LONG.withName("st_size"),
            JAVA_LONG.withName("st_blksize"),
            JAVA_LONG.withName("st_blocks"),
            Timespec.LAYOUT.withName("st_atim"),
            Timespec.LAYOUT.withName("st_mtim"),
            Timespec.LAYOUT.withName("st_ctim"),
            MemoryLayout.paddingLayout(3 * 8));

    private static final long DEV = Layouts.offset(LAYOUT, "st_dev");
    private static final long INO = Layouts.offset(LAYOUT, "st_ino");
    private static final long NLINK = Layouts.offset(LAYOUT, "st_nlink");
    private static final long MODE = Layouts.offset(LAYOUT, "st_mode");
    private static final long UID = Layouts.offset(LAYOUT, "st_uid");
    private static final long GID = Layouts.offset(LAYOUT, "st_gid");
    private static final long RDEV = Layouts.offset(LAYOUT, "st_rdev");
    private static final long SIZE = Layouts.offset(LAYOUT, "st_size");
    private static final long BLKSIZE = Layouts.offset(LAYOUT, "st_blksize");
    private static final long BLOCKS = Layouts.offset(LAYOUT, "st_blocks");
    private static final long ATIM = Layouts.offset(LAYOUT, "st_atim");
    private static final long MTIM = Layouts.offset(LAYOUT, "st_mtim");
    private static final long CTIM = Layouts.offset(LAYOUT, "st_ctim");

    private Stat() {
    }

    public static long dev(MemorySegment s) {
        return s.get(JAVA_LONG, DEV);
    }

    public static long ino(MemorySegment s) {
        return s.get(JAVA_LONG, INO);
    }

    public static long nlink(MemorySegment s) {
        return s.get(JAVA_LONG, NLINK);
    }

    public static int mode(MemorySegment s) {
        return s.get(JAVA_INT, MODE);
    }

    public static int uid(MemorySegment s) {
        return s.get(JAVA_INT, UID);
    }

    public static int gid(MemorySegment s) {
        return s.get(JAVA_INT, GID);
    }

    public static long rdev(MemorySegment s) {
        return s.get(JAVA_LONG, RDEV);
    }

    public static long size(MemorySegment s) {
        return s.get(JAVA_LONG, SIZE);
    }

    public static long blksize(MemorySegment s) {
        return s.get(JAVA_LONG, BLKSIZE);
    }

    public static long blocks(MemorySegment s) {
        return s.get(JAVA_LONG, BLOCKS);
    }

    /** The access time as a {@link Timespec} view. */
    public static MemorySegment atim(MemorySegment s) {
        return s.asSlice(ATIM, Timespec.LAYOUT);
    }

    /** The modification time as a {@link Timespec} view. */
    public static MemorySegment mtim(MemorySegment s) {
        return s.asSlice(MTIM, Timespec.LAYOUT);
    }

    /** The status-change time as a {@link Timespec} view. */
    public static MemorySegment ctim(MemorySegment s) {
        return s.asSlice(CTIM, Timespec.LAYOUT);
    }
}
