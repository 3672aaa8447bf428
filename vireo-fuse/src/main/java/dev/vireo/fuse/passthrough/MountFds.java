package dev.vireo.fuse.passthrough;

import dev.vireo.sys.FdCalls;

import java.util.Arrays;

/**
 * One descriptor per mount the shared tree spans, for open_by_handle_at (a handle names a file
 * within a mount, and opening it needs a descriptor on that mount). Registered the first time an
 * inode of the mount is looked up, kept until the file system ends; a tree spans few mounts, so
 * a small array searched linearly is enough.
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

    /** Remembers a duplicate of {@code fd} for mount {@code id}, unless one is known. */
    synchronized void register(int id, int fd) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == id) {
                return;
            }
        }
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
            fds = Arrays.copyOf(fds, count * 2);
        }
        ids[count] = id;
        fds[count] = FdCalls.fcntl(fd, FdCalls.F_DUPFD_CLOEXEC, 0);
        count++;
    }

    synchronized void closeAll() {
        for (int i = 0; i < count; i++) {
            FdCalls.close(fds[i]);
        }
        count = 0;
    }
}
