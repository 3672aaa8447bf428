package dev.vireo.fuse.passthrough;

import dev.vireo.sys.Errno;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.FileHandle;
import dev.vireo.sys.abi.Statx;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The inodes the kernel knows, by node id and by (st_dev, st_ino), with their lookup counts and a
 * bounded cache of open descriptors.
 *
 * <h2>Node ids</h2>
 * A node id is {@code generation << 32 | slot}: a slot in an array, and the slot's generation,
 * bumped each time the slot is reused. A node id the kernel sends is checked against both: an
 * unknown or stale one finds nothing (the caller answers ESTALE), never another inode. The root is
 * slot 1, generation 0: FUSE_ROOT_ID.
 *
 * <h2>Descriptors</h2>
 * An inode held by file handle has an O_PATH descriptor only while it is in use or cached; at most
 * {@code capacity} such descriptors are open, and a CLOCK sweep closes idle, unreferenced ones beyond
 * that. This is what lets vireo serve trees far larger than the open-file limit (the kernel keeps
 * every looked-up inode until memory pressure makes it FORGET them). Operations
 * {@link #acquire acquire} the descriptor and {@link #release release} it; the sweep never closes a
 * descriptor in use. Inodes without a handle keep their descriptor for life.
 */
final class InodeTable {

    private static final Log LOG = Log.of("fuse");
    static final long ROOT_ID = 1;

    private final Object lock = new Object();
    private volatile AtomicReferenceArray<Inode> slots = new AtomicReferenceArray<>(1024);
    private int[] generations = new int[1024];
    private int[] free = new int[64];
    private int freeCount;
    private int nextFresh = 2;
    private final InodeIndex index = new InodeIndex();
    private final Inode root;
    private final MountFds mounts;
    private final int capacity;
    private final AtomicInteger cached = new AtomicInteger();
    private final ReentrantLock sweeping = new ReentrantLock();
    /**
     * The CLOCK ring: the handle-backed inodes that have (or recently had) a descriptor, so that a
     * sweep visits a cache's worth of inodes, not the whole table. Guarded by {@link #sweeping};
     * never taken while an inode's monitor is held (the sweep takes the ring, then inodes).
     */
    private Inode[] ring = new Inode[256];
    private int ringSize;
    private int hand;

    /**
     * @param root     the root inode's key and pinned descriptor
     * @param capacity how many handle-backed descriptors to keep open
     */
    InodeTable(long rootDev, long rootIno, int rootFd, MountFds mounts, int capacity) {
        this.mounts = mounts;
        this.capacity = Math.max(16, capacity);
        this.root = new Inode(ROOT_ID, rootDev, rootIno, FsCalls.S_IFDIR, null, 0, -1, rootFd);
        root.nlookup = 1;
        slots.set(1, root);
        index.put(root);
    }

    Inode root() {
        return root;
    }

    /** Open handle-backed descriptors (tests, metrics). */
    int cachedDescriptors() {
        return cached.get();
    }

    /** The cache's limit. */
    int capacity() {
        return capacity;
    }

    /** Inodes in the table. */
    int size() {
        synchronized (lock) {
            return index.size();
        }
    }

    /** The inode {@code nodeId} names, or null for an unknown or stale node id. */
    Inode get(long nodeId) {
        int slot = (int) nodeId;
        AtomicReferenceArray<Inode> s = slots;
        if (slot <= 0 || slot >= s.length()) {
            return null;
        }
        Inode i = s.get(slot);
        return i != null && i.nodeId == nodeId ? i : null;
    }

    /**
     * Finds the inode with key (dev, ino) and counts one lookup of it. With a handle, the inode's
     * handle must match too: a different handle means the inode number was reused by a new file
     * after the old one was deleted, and the caller must insert a new inode. Returns null when not
     * found.
     */
    Inode lookup(long dev, long ino, MemorySegment handle) {
        synchronized (lock) {
            Inode i = index.get(dev, ino);
            if (i == null || i.removed) {
                return null;
            }
            if (handle != null && i.handle != null && !sameHandle(i, handle)) {
                return null;
            }
            i.nlookup++;
            return i;
        }
    }

    private static boolean sameHandle(Inode i, MemorySegment h) {
        int n = FileHandle.handleBytes(h);
        if (n != i.handle.length || FileHandle.handleType(h) != i.handleType) {
            return false;
        }
        long base = FileHandle.LAYOUT.byteSize();
        for (int k = 0; k < n; k++) {
            if (h.get(JAVA_BYTE, base + k) != i.handle[k]) {
                return false;
            }
        }
        return true;
    }

    /** Counts one more lookup of a known inode ("." lookups, LINK). */
    void ref(Inode i) {
        synchronized (lock) {
            i.nlookup++;
        }
    }

    /**
     * Adds a new inode with one lookup, reached by {@code handle} (null: by {@code fd} for life). If
     * the key is already known with the same handle (another thread inserted it meanwhile), counts a
     * lookup of that one instead and closes {@code fd}. {@code fd} (an O_PATH descriptor, or -1) is
     * owned by the table from here on.
     */
    Inode insert(long dev, long ino, int type, MemorySegment handle, int mountId, int fd) {
        Inode inode;
        Inode existing = null;
        synchronized (lock) {
            Inode known = index.get(dev, ino);
            if (known != null && !known.removed && (handle == null || known.handle == null || sameHandle(known, handle))) {
                known.nlookup++;
                existing = known;
                inode = known;
            } else {
                int slot = allocateSlot();
                long nodeId = ((long) generations[slot] << 32) | slot;
                byte[] bytes = null;
                int handleType = 0;
                if (handle != null) {
                    bytes = handle.asSlice(FileHandle.LAYOUT.byteSize(), FileHandle.handleBytes(handle)).toArray(JAVA_BYTE);
                    handleType = FileHandle.handleType(handle);
                }
                inode = new Inode(nodeId, dev, ino, type, bytes, handleType, mountId, fd);
                inode.nlookup = 1;
                slots.set(slot, inode);
                index.put(inode);
            }
        }
        if (existing != null) {
            if (fd >= 0) {
                FdCalls.close(fd);
            }
            return existing;
        }
        if (!inode.pinned && fd >= 0) {
            track(inode);
            if (cached.incrementAndGet() > capacity) {
                sweep();
            }
        }
        return inode;
    }

    private int allocateSlot() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        AtomicReferenceArray<Inode> s = slots;
        if (nextFresh == s.length()) {
            AtomicReferenceArray<Inode> bigger = new AtomicReferenceArray<>(s.length() * 2);
            for (int i = 0; i < s.length(); i++) {
                bigger.set(i, s.get(i));
            }
            generations = java.util.Arrays.copyOf(generations, s.length() * 2);
            slots = bigger;
        }
        return nextFresh++;
    }

    /** Drops {@code n} lookups of {@code nodeId} (FORGET); the inode goes at zero. Unknown ids are ignored. */
    void forget(long nodeId, long n) {
        Inode victim = null;
        synchronized (lock) {
            Inode i = get(nodeId);
            if (i == null || i == root) {
                return;
            }
            i.nlookup -= Math.min(Math.max(n, 0), i.nlookup);
            if (i.nlookup == 0) {
                removeLocked(i);
                victim = i;
            }
        }
        if (victim != null) {
            closeInode(victim);
        }
    }

    private void removeLocked(Inode i) {
        i.removed = true;
        index.remove(i);
        int slot = (int) i.nodeId;
        slots.set(slot, null);
        generations[slot]++;
        if (freeCount == free.length) {
            free = java.util.Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
    }

    private void closeInode(Inode i) {
        synchronized (i) {
            if (i.borrows > 0) {
                i.closeWhenIdle = true;
            } else {
                closeFd(i);
            }
            PosixLocks.closeAll(i);
        }
    }

    /** Closes the inode's descriptor; the caller holds its monitor. */
    private void closeFd(Inode i) {
        if (i.fd >= 0) {
            FdCalls.close(i.fd);
            i.fd = -1;
            if (!i.pinned) {
                cached.decrementAndGet();
            }
        }
    }

    /**
     * The inode's O_PATH descriptor, opened from its handle if it was evicted (as fsuid 0: opening
     * by handle needs CAP_DAC_READ_SEARCH). Every call is paired with {@link #release}.
     */
    int acquire(Inode i, Credentials creds, Scratch s) {
        boolean opened = false;
        int fd;
        synchronized (i) {
            if (i.fd < 0) {
                if (i.handle == null) {
                    throw new SysException("inode", Errno.ESTALE.code(), "closed " + i);
                }
                creds.asRoot();
                i.fd = openByHandle(i, s);
                opened = true;
            }
            i.borrows++;
            i.referenced = true;
            fd = i.fd;
        }
        if (opened) {
            track(i);
            if (cached.incrementAndGet() > capacity) {
                sweep();
            }
        }
        return fd;
    }

    /** Returns a descriptor taken with {@link #acquire}. */
    void release(Inode i) {
        synchronized (i) {
            i.borrows--;
            if (i.borrows == 0 && i.closeWhenIdle) {
                closeFd(i);
            }
        }
    }

    private int openByHandle(Inode i, Scratch s) {
        MemorySegment h = s.handle;
        FileHandle.handleBytes(h, i.handle.length);
        h.set(java.lang.foreign.ValueLayout.JAVA_INT, 4, i.handleType);
        MemorySegment.copy(MemorySegment.ofArray(i.handle), 0, h, FileHandle.LAYOUT.byteSize(), i.handle.length);
        int mountFd = mounts.fd(i.mountId);
        if (mountFd < 0) {
            throw new SysException("open_by_handle_at", Errno.ESTALE.code(), "no descriptor for mount " + i.mountId);
        }
        int fd = FsCalls.openByHandleAt(mountFd, h, FsCalls.O_PATH | FsCalls.O_CLOEXEC);
        // An inode added from a name (statx, then name_to_handle_at) may have got the handle of a
        // file that replaced the name in between: the handle must open the inode of the key.
        int r = FsCalls.tryStatx(fd, s.empty, FsCalls.AT_EMPTY_PATH, FsCalls.STATX_INO, s.statx);
        if (r < 0 || Statx.ino(s.statx) != i.ino) {
            FdCalls.close(fd);
            throw new SysException("open_by_handle_at", Errno.ESTALE.code(), "handle of " + i + " opens another inode");
        }
        return fd;
    }

    /** Puts an inode that now has a cached descriptor on the CLOCK ring (once). */
    private void track(Inode i) {
        sweeping.lock();
        try {
            if (i.tracked) {
                return;
            }
            if (ringSize == ring.length) {
                ring = java.util.Arrays.copyOf(ring, ring.length * 2);
            }
            ring[ringSize++] = i;
            i.tracked = true;
        } finally {
            sweeping.unlock();
        }
    }

    /**
     * Closes idle cached descriptors until the count is back under 90 % of the capacity: a CLOCK
     * sweep over the ring (a referenced inode gets a second chance; one in use is skipped; one whose
     * descriptor is already gone leaves the ring). One thread sweeps at a time; the others carry on
     * (the count may overshoot briefly).
     */
    private void sweep() {
        if (!sweeping.tryLock()) {
            return;
        }
        try {
            int target = capacity - capacity / 10;
            for (int step = 0; step < 3 * ringSize && cached.get() > target && ringSize > 0; step++) {
                if (hand >= ringSize) {
                    hand = 0;
                }
                Inode i = ring[hand];
                boolean drop;
                synchronized (i) {
                    if (i.fd < 0) {
                        drop = true;
                    } else if (i.borrows > 0) {
                        drop = false;
                    } else if (i.referenced) {
                        i.referenced = false;
                        drop = false;
                    } else {
                        closeFd(i);
                        drop = true;
                    }
                }
                if (drop) {
                    // Swap the last entry in; the hand stays to look at it next.
                    i.tracked = false;
                    ring[hand] = ring[--ringSize];
                    ring[ringSize] = null;
                } else {
                    hand++;
                }
            }
        } finally {
            sweeping.unlock();
        }
    }

    /** Closes every descriptor (the file system is ending). */
    void closeAll() {
        List<Inode> all = new ArrayList<>();
        synchronized (lock) {
            AtomicReferenceArray<Inode> s = slots;
            for (int k = 1; k < s.length(); k++) {
                Inode i = s.get(k);
                if (i != null) {
                    all.add(i);
                    s.set(k, null);
                }
            }
        }
        for (Inode i : all) {
            synchronized (i) {
                closeFd(i);
                PosixLocks.closeAll(i);
            }
        }
        LOG.debug("closed %d inodes", all.size());
    }
}
