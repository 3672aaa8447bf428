package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_setattr_in}: the argument of SETATTR (88 bytes); {@code valid} holds FATTR_* bits saying which fields apply. */
@CStruct(value = "struct fuse_setattr_in", headers = "linux/fuse.h")
public final class FuseSetattrIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("valid"),
            JAVA_INT.withName("padding"),
            JAVA_LONG.withName("fh"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("lock_owner"),
            JAVA_LONG.withName("atime"),
            JAVA_LONG.withName("mtime"),
            JAVA_LONG.withName("ctime"),
            JAVA_INT.withName("atimensec"),
            JAVA_INT.withName("mtimensec"),
            JAVA_INT.withName("ctimensec"),
            JAVA_INT.withName("mode"),
            JAVA_INT.withName("unused4"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"),
            JAVA_INT.withName("unused5"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long VALID = Layouts.offset(LAYOUT, "valid");
    private static final long FH = Layouts.offset(LAYOUT, "fh");
    private static final long SIZE_FIELD = Layouts.offset(LAYOUT, "size");
    private static final long LOCK_OWNER = Layouts.offset(LAYOUT, "lock_owner");
    private static final long ATIME = Layouts.offset(LAYOUT, "atime");
    private static final long MTIME = Layouts.offset(LAYOUT, "mtime");
    private static final long CTIME = Layouts.offset(LAYOUT, "ctime");
    private static final long ATIMENSEC = Layouts.offset(LAYOUT, "atimensec");
    private static final long MTIMENSEC = Layouts.offset(LAYOUT, "mtimensec");
    private static final long CTIMENSEC = Layouts.offset(LAYOUT, "ctimensec");
    private static final long MODE = Layouts.offset(LAYOUT, "mode");
    private static final long UID = Layouts.offset(LAYOUT, "uid");
    private static final long GID = Layouts.offset(LAYOUT, "gid");

    private FuseSetattrIn() {
    }

    public static int valid(MemorySegment s) {
        return s.get(JAVA_INT, VALID);
    }

    public static void valid(MemorySegment s, int v) {
        s.set(JAVA_INT, VALID, v);
    }

    public static long fh(MemorySegment s) {
        return s.get(JAVA_LONG, FH);
    }

    public static void fh(MemorySegment s, long v) {
        s.set(JAVA_LONG, FH, v);
    }

    public static long size(MemorySegment s) {
        return s.get(JAVA_LONG, SIZE_FIELD);
    }

    public static void size(MemorySegment s, long v) {
        s.set(JAVA_LONG, SIZE_FIELD, v);
    }

    public static long lockOwner(MemorySegment s) {
        return s.get(JAVA_LONG, LOCK_OWNER);
    }

    public static void lockOwner(MemorySegment s, long v) {
        s.set(JAVA_LONG, LOCK_OWNER, v);
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
}
