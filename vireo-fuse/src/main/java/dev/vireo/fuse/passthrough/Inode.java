package dev.vireo.fuse.passthrough;

import dev.vireo.sys.Fd;

import java.util.HashMap;
import java.util.Map;

/**
 * One host inode the kernel knows: its node id (slot and generation, never a pointer), its key
 * (st_dev, st_ino), how to reach it, and its lookup count.
 *
 * <p>How it is reached: by file handle ({@link #handle} non-null, with the mount it belongs to),
 * through an O_PATH descriptor opened on demand and kept in the table's bounded cache; or, when the
 * file system has no handles (or the inode is an O_TMPFILE), by an O_PATH descriptor held for the
 * inode's whole life ({@link #pinned}). {@link #fd}, {@link #borrows} and {@link #referenced} are
 * guarded by the inode's monitor; {@link #nlookup} by the table's.
 */
final class Inode {

    final long nodeId;
    final long dev;
    final long ino;
    /** S_IFMT bits of the inode's mode. */
    final int type;
    /** The file handle's opaque bytes, or null. */
    final byte[] handle;
    final int handleType;
    final int mountId;
    /** Whether {@link #fd} stays open as long as the inode lives (no handle). */
    final boolean pinned;

    /** Lookups the kernel holds; the inode goes when they reach zero. Guarded by the table. */
    long nlookup;
    /** Whether the inode has left the table. Guarded by the table. */
    boolean removed;

    /** The O_PATH descriptor (owned by the table), or -1 while evicted. */
    int fd;
    /** Operations using {@link #fd} right now: an evictor must not close it. */
    int borrows;
    /** Set on use, cleared by the eviction sweep (CLOCK). */
    boolean referenced;
    /** Whether the inode is on the table's CLOCK ring. Guarded by the ring's lock. */
    boolean tracked;
    /** Close {@link #fd} when the last borrower returns it (the inode was forgotten meanwhile). */
    boolean closeWhenIdle;
    /** POSIX lock descriptors, one open file description per lock owner (see {@link PosixLocks}). */
    Map<Long, Fd> locks;

    Inode(long nodeId, long dev, long ino, int type, byte[] handle, int handleType, int mountId, int fd) {
        this.nodeId = nodeId;
        this.dev = dev;
        this.ino = ino;
        this.type = type;
        this.handle = handle;
        this.handleType = handleType;
        this.mountId = mountId;
        this.pinned = handle == null;
        this.fd = fd;
    }

    Map<Long, Fd> locks() {
        if (locks == null) {
            locks = new HashMap<>();
        }
        return locks;
    }

    @Override
    public String toString() {
        return "Inode[" + Long.toHexString(nodeId) + " dev " + dev + " ino " + ino + (pinned ? " pinned" : " handle") + "]";
    }
}
