package dev.vireo.fuse.fs;

import dev.vireo.sys.abi.Statx;

import java.lang.foreign.MemorySegment;

/**
 * The attributes of an inode as a reply carries them ({@code struct fuse_attr}). Mutable and
 * reused: a {@link Request} hands out one cleared instance per request ({@link Request#attr()}),
 * so that replying allocates nothing. Times are seconds since the epoch plus nanoseconds;
 * {@code rdev} is a host {@code dev_t} (glibc's makedev encoding), converted to the wire's
 * encoding by the codec.
 */
public final class Attr {

    private long ino;
    private long size;
    private long blocks;
    private long atimeSec;
    private long mtimeSec;
    private long ctimeSec;
    private int atimeNsec;
    private int mtimeNsec;
    private int ctimeNsec;
    private int mode;
    private int nlink;
    private int uid;
    private int gid;
    private long rdev;
    private int blksize;
    private int flags;

    /** Zeroes every field; returns this. */
    public Attr clear() {
        ino = size = blocks = atimeSec = mtimeSec = ctimeSec = rdev = 0;
        atimeNsec = mtimeNsec = ctimeNsec = mode = nlink = uid = gid = blksize = flags = 0;
        return this;
    }

    /** Copies the basic fields of a {@code struct statx} ({@link Statx}); returns this. */
    public Attr fromStatx(MemorySegment statx) {
        ino = Statx.ino(statx);
        size = Statx.size(statx);
        blocks = Statx.blocks(statx);
        atimeSec = Statx.atimeSec(statx);
        atimeNsec = Statx.atimeNsec(statx);
        mtimeSec = Statx.mtimeSec(statx);
        mtimeNsec = Statx.mtimeNsec(statx);
        ctimeSec = Statx.ctimeSec(statx);
        ctimeNsec = Statx.ctimeNsec(statx);
        mode = Statx.mode(statx);
        nlink = Statx.nlink(statx);
        uid = Statx.uid(statx);
        gid = Statx.gid(statx);
        rdev = DeviceNumber.make(Statx.rdevMajor(statx), Statx.rdevMinor(statx));
        blksize = Statx.blksize(statx);
        flags = 0;
        return this;
    }

    /** Copies all fields of {@code other}; returns this. */
    public Attr copyFrom(Attr other) {
        ino = other.ino;
        size = other.size;
        blocks = other.blocks;
        atimeSec = other.atimeSec;
        mtimeSec = other.mtimeSec;
        ctimeSec = other.ctimeSec;
        atimeNsec = other.atimeNsec;
        mtimeNsec = other.mtimeNsec;
        ctimeNsec = other.ctimeNsec;
        mode = other.mode;
        nlink = other.nlink;
        uid = other.uid;
        gid = other.gid;
        rdev = other.rdev;
        blksize = other.blksize;
        flags = other.flags;
        return this;
    }

    /** The inode number user space sees in st_ino (not the FUSE node id). */
    public long ino() {
        return ino;
    }

    public Attr ino(long v) {
        ino = v;
        return this;
    }

    public long size() {
        return size;
    }

    public Attr size(long v) {
        size = v;
        return this;
    }

    /** Allocated size in 512-byte units. */
    public long blocks() {
        return blocks;
    }

    public Attr blocks(long v) {
        blocks = v;
        return this;
    }

    public long atimeSec() {
        return atimeSec;
    }

    public int atimeNsec() {
        return atimeNsec;
    }

    public Attr atime(long sec, int nsec) {
        atimeSec = sec;
        atimeNsec = nsec;
        return this;
    }

    public long mtimeSec() {
        return mtimeSec;
    }

    public int mtimeNsec() {
        return mtimeNsec;
    }

    public Attr mtime(long sec, int nsec) {
        mtimeSec = sec;
        mtimeNsec = nsec;
        return this;
    }

    public long ctimeSec() {
        return ctimeSec;
    }

    public int ctimeNsec() {
        return ctimeNsec;
    }

    public Attr ctime(long sec, int nsec) {
        ctimeSec = sec;
        ctimeNsec = nsec;
        return this;
    }

    /** File type and permission bits (S_IFREG | 0644 ...). */
    public int mode() {
        return mode;
    }

    public Attr mode(int v) {
        mode = v;
        return this;
    }

    public int nlink() {
        return nlink;
    }

    public Attr nlink(int v) {
        nlink = v;
        return this;
    }

    public int uid() {
        return uid;
    }

    public Attr uid(int v) {
        uid = v;
        return this;
    }

    public int gid() {
        return gid;
    }

    public Attr gid(int v) {
        gid = v;
        return this;
    }

    /** Device number of a device special file (host dev_t). */
    public long rdev() {
        return rdev;
    }

    public Attr rdev(long v) {
        rdev = v;
        return this;
    }

    /** Preferred I/O size; 0 lets the kernel choose. */
    public int blksize() {
        return blksize;
    }

    public Attr blksize(int v) {
        blksize = v;
        return this;
    }

    /** FUSE_ATTR_* flags (FUSE_ATTR_SUBMOUNT, FUSE_ATTR_DAX). */
    public int flags() {
        return flags;
    }

    public Attr flags(int v) {
        flags = v;
        return this;
    }
}
