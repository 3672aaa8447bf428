package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct statx} (statx(2)), 256 bytes. */
@CStruct(value = "struct statx", headers = "linux/stat.h")
public final class Statx {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            JAVA_INT.withName("stx_blksize"),
            JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"),
            JAVA_INT.withName("stx_uid"),
            JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"),
            MemoryLayout.paddingLayout(2),
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            StatxTimestamp.LAYOUT.withName("stx_atime"),
            StatxTimestamp.LAYOUT.withName("stx_btime"),
            StatxTimestamp.LAYOUT.withName("stx_ctime"),
            StatxTimestamp.LAYOUT.withName("stx_mtime"),
            JAVA_INT.withName("stx_rdev_major"),
            JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"),
            JAVA_LONG.withName("stx_mnt_id"),
            JAVA_INT.withName("stx_dio_mem_align"),
            JAVA_INT.withName("stx_dio_offset_align"),
            MemoryLayout.paddingLayout(12 * 8));

    private static final long MASK = Layouts.offset(LAYOUT, "stx_mask");
    private static final long BLKSIZE = Layouts.offset(LAYOUT, "stx_blksize");
    private static final long NLINK = Layouts.offset(LAYOUT, "stx_nlink");
    private static final long UID = Layouts.offset(LAYOUT, "stx_uid");
    private static final long GID = Layouts.offset(LAYOUT, "stx_gid");
    private static final long MODE = Layouts.offset(LAYOUT, "stx_mode");
    private static final long INO = Layouts.offset(LAYOUT, "stx_ino");
    private static final long SIZE = Layouts.offset(LAYOUT, "stx_size");
    private static final long BLOCKS = Layouts.offset(LAYOUT, "stx_blocks");
    private static final long ATIME = Layouts.offset(LAYOUT, "stx_atime");
    private static final long BTIME = Layouts.offset(LAYOUT, "stx_btime");
    private static final long CTIME = Layouts.offset(LAYOUT, "stx_ctime");
    private static final long MTIME = Layouts.offset(LAYOUT, "stx_mtime");
    private static final long RDEV_MAJOR = Layouts.offset(LAYOUT, "stx_rdev_major");
    private static final long RDEV_MINOR = Layouts.offset(LAYOUT, "stx_rdev_minor");
    private static final long DEV_MAJOR = Layouts.offset(LAYOUT, "stx_dev_major");
    private static final long DEV_MINOR = Layouts.offset(LAYOUT, "stx_dev_minor");
    private static final long MNT_ID = Layouts.offset(LAYOUT, "stx_mnt_id");
    private static final long TS_NSEC = Layouts.offset(StatxTimestamp.LAYOUT, "tv_nsec");

    private Statx() {
    }

    public static int mask(MemorySegment s) {
        return s.get(JAVA_INT, MASK);
    }

    public static int blksize(MemorySegment s) {
        return s.get(JAVA_INT, BLKSIZE);
    }

    public static int nlink(MemorySegment s) {
        return s.get(JAVA_INT, NLINK);
    }

    public static int uid(MemorySegment s) {
        return s.get(JAVA_INT, UID);
    }

    public static int gid(MemorySegment s) {
        return s.get(JAVA_INT, GID);
    }

    /** File type and permission bits (S_IFMT | 07777). */
    public static int mode(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, MODE));
    }

    public static long ino(MemorySegment s) {
        return s.get(JAVA_LONG, INO);
    }

    public static long size(MemorySegment s) {
        return s.get(JAVA_LONG, SIZE);
    }

    public static long blocks(MemorySegment s) {
        return s.get(JAVA_LONG, BLOCKS);
    }

    public static long atimeSec(MemorySegment s) {
        return s.get(JAVA_LONG, ATIME);
    }

    public static int atimeNsec(MemorySegment s) {
        return s.get(JAVA_INT, ATIME + TS_NSEC);
    }

    public static long btimeSec(MemorySegment s) {
        return s.get(JAVA_LONG, BTIME);
    }

    public static long ctimeSec(MemorySegment s) {
        return s.get(JAVA_LONG, CTIME);
    }

    public static int ctimeNsec(MemorySegment s) {
        return s.get(JAVA_INT, CTIME + TS_NSEC);
    }

    public static long mtimeSec(MemorySegment s) {
        return s.get(JAVA_LONG, MTIME);
    }

    public static int mtimeNsec(MemorySegment s) {
        return s.get(JAVA_INT, MTIME + TS_NSEC);
    }

    public static int rdevMajor(MemorySegment s) {
        return s.get(JAVA_INT, RDEV_MAJOR);
    }

    public static int rdevMinor(MemorySegment s) {
        return s.get(JAVA_INT, RDEV_MINOR);
    }

    public static int devMajor(MemorySegment s) {
        return s.get(JAVA_INT, DEV_MAJOR);
    }

    public static int devMinor(MemorySegment s) {
        return s.get(JAVA_INT, DEV_MINOR);
    }

    public static long mntId(MemorySegment s) {
        return s.get(JAVA_LONG, MNT_ID);
    }
}
