package dev.vireo.fuse.passthrough;

import java.util.Arrays;

/**
 * Inodes by (st_dev, st_ino): an open-addressing hash table with linear probing and backward-shift
 * deletion, so that finding an inode allocates nothing (a map keyed by a record would allocate a key
 * per LOOKUP). Not thread-safe: the {@link InodeTable} guards it.
 */
final class InodeIndex {

    private long[] devs;
    private long[] inos;
    private Inode[] values;
    private int size;
    private int mask;

    InodeIndex() {
        allocate(1024);
    }

    private void allocate(int capacity) {
        devs = new long[capacity];
        inos = new long[capacity];
        values = new Inode[capacity];
        mask = capacity - 1;
        size = 0;
    }

    int size() {
        return size;
    }

    private static int hash(long dev, long ino) {
        long h = ino * 0x9E3779B97F4A7C15L ^ dev * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ (h >>> 29));
    }

    Inode get(long dev, long ino) {
        int i = hash(dev, ino) & mask;
        while (true) {
            Inode v = values[i];
            if (v == null) {
                return null;
            }
            if (inos[i] == ino && devs[i] == dev) {
                return v;
            }
            i = (i + 1) & mask;
        }
    }

    /** Maps the inode's key to it, replacing any previous inode with that key. */
    void put(Inode inode) {
        if ((size + 1) * 4L > values.length * 3L) {
            grow();
        }
        int i = hash(inode.dev, inode.ino) & mask;
        while (values[i] != null) {
            if (inos[i] == inode.ino && devs[i] == inode.dev) {
                values[i] = inode;
                return;
            }
            i = (i + 1) & mask;
        }
        devs[i] = inode.dev;
        inos[i] = inode.ino;
        values[i] = inode;
        size++;
    }

    /** Removes the key's mapping if it maps to {@code inode} (a newer inode with the same key stays). */
    void remove(Inode inode) {
        int i = hash(inode.dev, inode.ino) & mask;
        while (values[i] != null) {
            if (values[i] == inode) {
                deleteAt(i);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void deleteAt(int slot) {
        int hole = slot;
        values[hole] = null;
        size--;
        int i = (hole + 1) & mask;
        while (values[i] != null) {
            int home = hash(devs[i], inos[i]) & mask;
            // Move entry i into the hole if its home is not in (hole, i] (cyclically).
            boolean between = hole <= i ? home > hole && home <= i : home > hole || home <= i;
            if (!between) {
                devs[hole] = devs[i];
                inos[hole] = inos[i];
                values[hole] = values[i];
                values[i] = null;
                hole = i;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        Inode[] old = values;
        allocate(old.length * 2);
        for (Inode v : old) {
            if (v != null) {
                put(v);
            }
        }
    }

    /** All inodes (cold: shutdown). */
    Inode[] all() {
        return Arrays.stream(values).filter(v -> v != null).toArray(Inode[]::new);
    }
}
