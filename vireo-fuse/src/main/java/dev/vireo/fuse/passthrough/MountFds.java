package dev.vireo.fuse.passthrough;

import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.SysException;

import java.lang.foreign.MemorySegment;

import java.util.Arrays;

/**
 * One descriptor per mount the shared tree spans, for open_by_handle_at (a handle names a file
 * within a mount, and opening it needs a descriptor on that mount, which may not be an O_PATH one:
 * the kernel looks it up with fdget). Registered the first time a directory of the mount is looked
 * up (opened O_RDONLY through its O_PATH descriptor), kept until the file system ends; a tree spans
 * few mounts, so a small array searched linearly is enough.
 */
final class MountFds {

    private int[] ids = new int[4];
    private int[] fds = new int[4];
    private int count;

    /** The descriptor for mount {@code id}, or -1. */
    synchronized int fd(int id) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == id) {
                return fds[i];
            }
        }
        return -1;
    }

    /** Remembers a duplicate of {@code fd} (opened, not O_PATH) for mount {@code id}, unless one is known. */
    synchronized void register(int id, int fd) {
        if (fd(id) >= 0) {
            return;
        }
        add(id, FdCalls.fcntl(fd, FdCalls.F_DUPFD_CLOEXEC, 0));
    }

    /**
     * Makes sure mount {@code id} has a descriptor, opening the directory {@code pathFd} (an O_PATH
     * descriptor) read-only through {@code /proc/self/fd} if needed. Returns false when the mount
     * has none and {@code pathFd} is not a directory it can open (nothing else is opened for this:
     * opening a FIFO or a device could block or have effects).
     */
    synchronized boolean ensure(int id, int pathFd, boolean directory, int procFd, MemorySegment name) {
        if (fd(id) >= 0) {
            return true;
        }
        if (!directory) {
            return false;
        }
        try {
            // With the requester's identity: a directory it may not read does not register the
            // mount (the inode is held by descriptor instead); a later one will.
            add(id, FsCalls.openat(procFd, name, FsCalls.O_RDONLY | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0));
            return true;
        } catch (SysException e) {
            return false;
        }
    }

    private void add(int id, int fd) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
            fds = Arrays.copyOf(fds, count * 2);
        }
        ids[count] = id;
        fds[count] = fd;
        count++;
    }

    synchronized void closeAll() {
        for (int i = 0; i < count; i++) {
            FdCalls.close(fds[i]);
        }
        count = 0;
    }
}
