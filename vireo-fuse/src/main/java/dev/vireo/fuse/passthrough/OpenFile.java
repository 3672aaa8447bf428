package dev.vireo.fuse.passthrough;

import dev.vireo.sys.FdCalls;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file or directory: what a FUSE file handle names. The descriptor is opened for the
 * requester (with its permissions checked by the host) and closed when RELEASE has removed it from
 * the table <em>and</em> no request still uses it: a client that releases a handle while a READ on
 * it runs (only a misbehaving one would) must not make that READ use a closed, or reused,
 * descriptor number. A directory keeps its read position, so that consecutive READDIRs continue
 * without seeking.
 */
final class OpenFile {

    /** The table's reference plus one per request using the descriptor; 0 = closed. */
    private final AtomicInteger uses = new AtomicInteger(1);

    final long fh;
    final Inode inode;
    final int fd;
    final boolean directory;
    /**
     * Whether data was written, or the file truncated, through this handle (or it was opened with
     * O_TRUNC). Closing such a file may start writeback or free preallocated blocks on the host
     * (ext4 and xfs flush on the close after a truncate), so its RELEASE is not tried without
     * blocking ({@link PassthroughFs#release}).
     */
    volatile boolean modified;
    /**
     * Opened with O_DIRECT on the host ({@link PassthroughOptions#directIo}): its reads go to the
     * disk, so none is tried without blocking. Set before the handle reaches the client.
     */
    volatile boolean direct;
    /**
     * For directories: the offset the next record continues from (the d_off of the last record
     * sent, 0 at the start). Guarded by this.
     */
    long position;
    /** For directories: records read but not yet sent, {@code carry[carryStart, carryEnd)}. Guarded by this. */
    java.lang.foreign.MemorySegment carry;
    long carryStart;
    long carryEnd;

    OpenFile(long fh, Inode inode, int fd, boolean directory) {
        this.fh = fh;
        this.inode = inode;
        this.fd = fd;
        this.directory = directory;
    }

    /** Takes a use; false if the file is already closed. */
    boolean use() {
        while (true) {
            int u = uses.get();
            if (u == 0) {
                return false;
            }
            if (uses.compareAndSet(u, u + 1)) {
                return true;
            }
        }
    }

    /** Records a write or truncate through this handle (stored once: WRITEs call it each time). */
    void markModified() {
        if (!modified) {
            modified = true;
        }
    }

    /** Whether the descriptor is still open (released or not: a request may still use it). */
    boolean isOpen() {
        return uses.get() > 0;
    }

    /** Returns a use; the last one closes the descriptor. */
    void done() {
        if (uses.decrementAndGet() == 0) {
            FdCalls.close(fd);
        }
    }
}
