package dev.vireo.fuse.passthrough;

import dev.vireo.sys.Fd;
import dev.vireo.sys.abi.Statx;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * One host inode the kernel knows: its node id (slot and generation, never a pointer), its key
 * (st_dev, st_ino), how to reach it, and its lookup count.
 *
 * <p>How it is reached: by an O_PATH descriptor while it has one ({@link #fd}), and by a file
 * handle once the descriptor cache evicted that (the handle is taken from the descriptor at
 * eviction, with the mount it belongs to; the descriptor is reopened from it on demand). An inode
 * that cannot have a handle (a file system without them, a mount vireo has no descriptor for, an
 * O_TMPFILE) is {@link #pinned}: it keeps its descriptor for life. An inode a directory listing
 * found (READDIRPLUS), or that CREATE made, starts with neither: it is reached by its name in that
 * directory ({@link #listedIn}, {@link #listedName}) until an operation needs it, which opens the
 * name and checks that it still leads to this inode (a created one, through the file CREATE
 * opened if the name no longer does: {@link #createdWith}). {@link #fd}, {@link #borrows}, {@link #referenced},
 * {@link #handle}, {@link #pinned}, the listed name and {@link #createdWith} are guarded by the inode's monitor;
 * {@link #nlookup} and {@link #removed} by the table's lock.
 */
final class Inode {

    final long nodeId;
    final long dev;
    final long ino;
    /** S_IFMT bits of the inode's mode. */
    final int type;

    /** Lookups the kernel holds; the inode goes when they reach zero. Guarded by the table. */
    long nlookup;
    /** Whether the inode has left the table. Guarded by the table. */
    boolean removed;

    /** The file handle's opaque bytes, or null while the inode has not needed one. */
    byte[] handle;
    int handleType;
    int mountId = -1;
    /** Whether {@link #fd} stays open as long as the inode lives (no handle possible). */
    boolean pinned;
    /** The O_PATH descriptor (owned by the table), or -1 while evicted. */
    int fd;
    /** The directory a listing found this inode in (or a create made it in), while it has no descriptor yet; else null. */
    Inode listedIn;
    /** Its name there, NUL-terminated (a single component: from getdents64, or a checked request name), with {@link #listedIn}. */
    byte[] listedName;
    /**
     * For an inode CREATE made (listed under its new name), the file CREATE opened: while that is
     * open, the inode is reached through it when its name no longer leads to it (the client
     * renamed or unlinked it and still uses the open file: fchmod, fsetxattr). Null otherwise.
     */
    OpenFile createdWith;
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

    Inode(long nodeId, long dev, long ino, int type, int fd, boolean pinned) {
        this.nodeId = nodeId;
        this.dev = dev;
        this.ino = ino;
        this.type = type;
        this.fd = fd;
        this.pinned = pinned;
    }

    /** The st_dev part of an inode's key, from a statx. */
    static long dev(MemorySegment statx) {
        return ((long) Statx.devMajor(statx) << 32) | Integer.toUnsignedLong(Statx.devMinor(statx));
    }

    Map<Long, Fd> locks() {
        if (locks == null) {
            locks = new HashMap<>();
        }
        return locks;
    }

    @Override
    public String toString() {
        return "Inode[" + Long.toHexString(nodeId) + " dev " + dev + " ino " + ino + (pinned ? " pinned" : "") + "]";
    }
}
