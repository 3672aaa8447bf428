package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_attr}: the attributes of an inode in replies (88 bytes); times are seconds since the epoch plus nanoseconds. */
@CStruct(value = "struct fuse_attr", headers = "linux/fuse.h")
public final class FuseAttr {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ino"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("blocks"),
            JAVA_LONG.withName("atime"),
            JAVA_LONG.withName("mtime"),
            JAVA_LONG.withName("ctime"),
            JAVA_INT.withName("atimensec"),
            JAVA_INT.withName("mtimensec"),
            JAVA_INT.withName("ctimensec"),
            JAVA_INT.withName("mode"),
            JAVA_INT.withName("nlink"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"),
            JAVA_INT.withName("rdev"),
            JAVA_INT.withName("blksize"),
            JAVA_INT.withName("flags"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long INO = Layouts.offset(LAYOUT, "ino");
    private static final long SIZE_FIELD = Layouts.offset(LAYOUT, "size");
    private static final long BLOCKS = Layouts.offset(LAYOUT, "blocks");
    private static final long ATIME = Layouts.offset(LAYOUT, "atime");
    private static final long MTIME = Layouts.offset(LAYOUT, "mtime");
    private static final long CTIME = Layouts.offset(LAYOUT, "ctime");
    private static final long ATIMENSEC = Layouts.offset(LAYOUT, "atimensec");
    private static final long MTIMENSEC = Layouts.offset(LAYOUT, "mtimensec");
    private static final long CTIMENSEC = Layouts.offset(LAYOUT, "ctimensec");
    private static final long MODE = Layouts.offset(LAYOUT, "mode");
    private static final long NLINK = Layouts.offset(LAYOUT, "nlink");
    private static final long UID = Layouts.offset(LAYOUT, "uid");
    private static final long GID = Layouts.offset(LAYOUT, "gid");
    private static final long RDEV = Layouts.offset(LAYOUT, "rdev");
    private static final long BLKSIZE = Layouts.offset(LAYOUT, "blksize");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private FuseAttr() {
    }

    public static long ino(MemorySegment s) {
        return s.get(JAVA_LONG, INO);
    }

    public static void ino(MemorySegment s, long v) {
        s.set(JAVA_LONG, INO, v);
    }

    public static long size(MemorySegment s) {
        return s.get(JAVA_LONG, SIZE_FIELD);
    }

    public static void size(MemorySegment s, long v) {
        s.set(JAVA_LONG, SIZE_FIELD, v);
    }

    public static long blocks(MemorySegment s) {
        return s.get(JAVA_LONG, BLOCKS);
    }

    public static void blocks(MemorySegment s, long v) {
        s.set(JAVA_LONG, BLOCKS, v);
    }

    public static long atime(MemorySegment s) {
        return s.get(JAVA_LONG, ATIME);
    }

    public static void atime(MemorySegment s, long v) {
        s.set(JAVA_LONG, ATIME, v);
    }

    public static long mtime(MemorySegment s) {
        return s.get(JAVA_LONG, MTIME);
    }

    public static void mtime(MemorySegment s, long v) {
        s.set(JAVA_LONG, MTIME, v);
    }

    public static long ctime(MemorySegment s) {
        return s.get(JAVA_LONG, CTIME);
    }

    public static void ctime(MemorySegment s, long v) {
        s.set(JAVA_LONG, CTIME, v);
    }

    public static int atimensec(MemorySegment s) {
        return s.get(JAVA_INT, ATIMENSEC);
    }

    public static void atimensec(MemorySegment s, int v) {
        s.set(JAVA_INT, ATIMENSEC, v);
    }

    public static int mtimensec(MemorySegment s) {
        return s.get(JAVA_INT, MTIMENSEC);
    }

    public static void mtimensec(MemorySegment s, int v) {
        s.set(JAVA_INT, MTIMENSEC, v);
    }

    public static int ctimensec(MemorySegment s) {
        return s.get(JAVA_INT, CTIMENSEC);
    }

    public static void ctimensec(MemorySegment s, int v) {
        s.set(JAVA_INT, CTIMENSEC, v);
    }

    public static int mode(MemorySegment s) {
        return s.get(JAVA_INT, MODE);
    }

    public static void mode(MemorySegment s, int v) {
        s.set(JAVA_INT, MODE, v);
    }

    public static int nlink(MemorySegment s) {
        return s.get(JAVA_INT, NLINK);
    }

    public static void nlink(MemorySegment s, int v) {
        s.set(JAVA_INT, NLINK, v);
    }

    public static int uid(MemorySegment s) {
        return s.get(JAVA_INT, UID);
    }

    public static void uid(MemorySegment s, int v) {
        s.set(JAVA_INT, UID, v);
    }

    public static int gid(MemorySegment s) {
        return s.get(JAVA_INT, GID);
    }

    public static void gid(MemorySegment s, int v) {
        s.set(JAVA_INT, GID, v);
    }

    public static int rdev(MemorySegment s) {
        return s.get(JAVA_INT, RDEV);
    }

    public static void rdev(MemorySegment s, int v) {
        s.set(JAVA_INT, RDEV, v);
    }

    public static int blksize(MemorySegment s) {
        return s.get(JAVA_INT, BLKSIZE);
    }

    public static void blksize(MemorySegment s, int v) {
        s.set(JAVA_INT, BLKSIZE, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }
}
