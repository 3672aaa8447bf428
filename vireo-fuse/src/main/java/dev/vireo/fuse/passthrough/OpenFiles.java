package dev.vireo.fuse.passthrough;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Open files by FUSE file handle: {@code generation << 32 | slot}, checked on every use like node
 * ids (an unknown or stale handle finds nothing: EBADF), never a descriptor number or a pointer the
 * client could forge. Lookups are lock-free; opening and releasing take the table's lock.
 */
final class OpenFiles {

    private volatile AtomicReferenceArray<OpenFile> slots = new AtomicReferenceArray<>(256);
    private int[] generations = new int[256];
    private int[] free = new int[64];
    private int freeCount;
    private int nextFresh = 1;

    /** Registers a new open file for {@code fd} (owned from here on); returns it. */
    synchronized OpenFile add(Inode inode, int fd, boolean directory) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            AtomicReferenceArray<OpenFile> s = slots;
            if (nextFresh == s.length()) {
                AtomicReferenceArray<OpenFile> bigger = new AtomicReferenceArray<>(s.length() * 2);
                for (int i = 0; i < s.length(); i++) {
                    bigger.set(i, s.get(i));
                }
                generations = java.util.Arrays.copyOf(generations, s.length() * 2);
                slots = bigger;
            }
            slot = nextFresh++;
        }
        long fh = ((long) generations[slot] << 32) | slot;
        OpenFile f = new OpenFile(fh, inode, fd, directory);
        slots.set(slot, f);
        return f;
    }

    /**
     * The open file {@code fh} names, with a use taken (return it with {@link OpenFile#done()}),
     * or null for an unknown, stale or closing handle.
     */
    OpenFile acquire(long fh) {
        OpenFile f = get(fh);
        return f != null && f.use() ? f : null;
    }

    private OpenFile get(long fh) {
        int slot = (int) fh;
        AtomicReferenceArray<OpenFile> s = slots;
        if (slot <= 0 || slot >= s.length()) {
            return null;
        }
        OpenFile f = s.get(slot);
        return f != null && f.fh == fh ? f : null;
    }

    /** Removes and closes {@code fh}; false if it is unknown. */
    boolean release(long fh) {
        OpenFile f;
        synchronized (this) {
            f = get(fh);
            if (f == null) {
                return false;
            }
            int slot = (int) fh;
            slots.set(slot, null);
            generations[slot]++;
            if (freeCount == free.length) {
                free = java.util.Arrays.copyOf(free, free.length * 2);
            }
            free[freeCount++] = slot;
        }
        f.done();
        return true;
    }

    /** Open files (tests). */
    synchronized int count() {
        int n = 0;
        AtomicReferenceArray<OpenFile> s = slots;
        for (int i = 1; i < s.length(); i++) {
            if (s.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /** Closes everything (the file system is ending). */
    void closeAll() {
        List<OpenFile> all = new ArrayList<>();
        synchronized (this) {
            AtomicReferenceArray<OpenFile> s = slots;
            for (int i = 1; i < s.length(); i++) {
                OpenFile f = s.get(i);
                if (f != null) {
                    all.add(f);
                    s.set(i, null);
                }
            }
        }
        for (OpenFile f : all) {
            f.done();
        }
    }
}
