package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.fs.Name;

/**
 * The names one thread has lately resolved, each with the inode it named: a direct-mapped memo
 * keyed by (parent node id, name), so that a repeated LOOKUP (a guest revalidating its dentries,
 * a program stat-ing the same files) can be answered with one statx of the name instead of
 * openat2, statx and close.
 *
 * <p>A hit is only a guess, checked by the caller: the statx must find the same (st_dev, st_ino)
 * and the inode must still be in the table with its descriptor open (which keeps its inode number
 * from being reused). Nothing is ever answered from the memo alone, so it needs no invalidation;
 * a colliding name simply takes the slot. One per thread: no locking.
 */
final class RecentNames {

    private static final int SLOTS = 512;

    private final long[] parents = new long[SLOTS];
    private final byte[][] names = new byte[SLOTS][];
    private final Inode[] inodes = new Inode[SLOTS];

    /** The inode {@code name} in {@code parent} named when last resolved here, or null. */
    Inode get(long parent, Name name) {
        int slot = slot(parent, name);
        Inode i = inodes[slot];
        return i != null && parents[slot] == parent && name.contentEquals(names[slot]) ? i : null;
    }

    /** Remembers that {@code name} in {@code parent} named {@code inode}. */
    void put(long parent, Name name, Inode inode) {
        int slot = slot(parent, name);
        byte[] b = names[slot];
        if (b == null || b.length != name.length()) {
            b = new byte[name.length()];
            names[slot] = b;
        }
        name.copyTo(b);
        parents[slot] = parent;
        inodes[slot] = inode;
    }

    /** Forgets {@code name} in {@code parent}, if remembered. */
    void remove(long parent, Name name) {
        int slot = slot(parent, name);
        if (parents[slot] == parent && name.contentEquals(names[slot])) {
            inodes[slot] = null;
        }
    }

    private static int slot(long parent, Name name) {
        long h = parent * 0x9E3779B97F4A7C15L ^ name.hash();
        return (int) (h ^ h >>> 29) & (SLOTS - 1);
    }
}
