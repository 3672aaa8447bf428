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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

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
 * <h2>Descriptors and handles</h2>
 * A new inode comes with the O_PATH descriptor its lookup opened, and keeps it while the cache has
 * room (as a descriptor-per-inode server would: operations need no reopening, and an unlinked
 * file's last reference goes with FORGET, after the UNLINK was answered). At most {@code capacity}
 * such descriptors are open: beyond that a CLOCK sweep over the ring of inodes with descriptors
 * closes idle, unreferenced ones, taking each one's file handle first (name_to_handle_at on the
 * descriptor); {@link #acquire} reopens it from the handle when needed (open_by_handle_at, checked
 * to open the inode of the key). That is what lets vireo serve trees far larger than the open-file
 * limit: the kernel keeps every looked-up inode until memory pressure makes it FORGET them.
 * Inodes that cannot have a handle are pinned and keep their descriptor. Operations
 * {@link #acquire acquire} the descriptor and {@link #release release} it; the sweep never closes
 * a descriptor in use.
 *
 * <h2>Inodes a listing found, or a create made</h2>
 * READDIRPLUS answers every name of a directory with its inode, and most of those the client never
 * uses (a {@code find} opens the directories only; the next cache drop forgets the rest). So a
 * listed name gets no descriptor: one statx of the name identifies it ({@link #addListed}), and
 * the inode remembers its directory and name. What CREATE, MKNOD, SYMLINK and LINK make is added
 * the same way (a create storm's files are released and unlinked without ever needing one); a
 * created file whose name the client renamed or removed while it is open is reopened through
 * that open file ({@link #createdWith}). The first operation that needs it opens that name
 * ({@link #acquire}) and checks that it still leads to the inode; if the host renamed or replaced
 * it meanwhile, the operation fails with ESTALE, on which the kernel looks the name up again
 * (LOOKUP_REVAL) and retries. Until then the inode holds one lookup of its directory, so that the
 * directory stays in the table to be opened from. A LOOKUP that opens such an inode's key keeps
 * the descriptor it opened. One system call per listed name instead of open and statx, and no
 * close when it is forgotten.
 *
 * <p>Lock order: the table's lock, then an inode's monitor; the ring's lock, then an inode's
 * monitor. No path takes them the other way round.
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
    private final int procFd;
    private final boolean handles;
    private final int capacity;
    private final AtomicInteger cached = new AtomicInteger();
    private final ReentrantLock sweeping = new ReentrantLock();
    /**
     * The CLOCK ring: the inodes that have (or recently had) a cached descriptor, so that a sweep
     * visits a cache's worth of inodes, not the whole table. Guarded by {@link #sweeping}.
     */
    private Inode[] ring = new Inode[256];
    private int ringSize;
    private int hand;

    /**
     * @param rootFd   the root's O_PATH descriptor (pinned)
     * @param handles  whether inodes may be held by file handle (else every inode is pinned)
     * @param capacity how many evictable descriptors to keep open
     */
    InodeTable(long rootDev, long rootIno, int rootFd, MountFds mounts, int procFd, boolean handles, int capacity) {
        this.mounts = mounts;
        this.procFd = procFd;
        this.handles = handles;
        this.capacity = Math.max(16, capacity);
        this.root = new Inode(ROOT_ID, rootDev, rootIno, FsCalls.S_IFDIR, rootFd, true);
        root.nlookup = 1;
        slots.set(1, root);
        index.put(root);
    }

    Inode root() {
        return root;
    }

    /** Open evictable descriptors (tests, metrics). */
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

    /** The known inode with key (dev, ino), counting one lookup; null when unknown (".." lookups). */
    Inode find(long dev, long ino) {
        synchronized (lock) {
            Inode i = index.get(dev, ino);
            if (i == null || i.removed) {
                return null;
            }
            i.nlookup++;
            return i;
        }
    }

    /**
     * Counts one more lookup of {@code i} if it is still in the table with its descriptor open
     * (then its inode number cannot have been reused by another file); false otherwise.
     */
    boolean refIfOpen(Inode i) {
        synchronized (lock) {
            if (i.removed) {
                return false;
            }
            synchronized (i) {
                if (i.fd < 0) {
                    return false;
                }
                i.referenced = true;
            }
            i.nlookup++;
            return true;
        }
    }

    /** Counts one more lookup of a known inode ("." lookups). */
    void ref(Inode i) {
        synchronized (lock) {
            i.nlookup++;
        }
    }

    /**
     * The inode that {@code fd} (an O_PATH descriptor, owned by the table from here on) opens, with
     * key (dev, ino): a known one (one more lookup; {@code fd} is closed, or kept if the known inode
     * had none) or a new one (one lookup). A known inode held only by its handle is the same file
     * only if the handles agree: its inode number may have been reused by a new file since the old
     * one was deleted.
     */
    Inode lookupOrAdd(long dev, long ino, int type, int fd, boolean pin, Scratch s) {
        boolean compared = false;
        byte[] handle = null;
        Inode checkedListing = null;
        while (true) {
            Inode result = null;
            boolean adopted = false;
            boolean needHandle = false;
            Inode listing = null;
            byte[] listedName = null;
            Inode listedIn = null;
            Inode known;
            synchronized (lock) {
                known = index.get(dev, ino);
                if (known != null && !known.removed) {
                    synchronized (known) {
                        if (known.fd < 0 && known.listedIn != null) {
                            // Found by a listing, not opened since. The same file if the name it was
                            // listed under still leads to the key, or if the file CREATE made it with
                            // is still open (so its number cannot have been freed): then the
                            // descriptor becomes its own.
                            if (checkedListing != known && !(known.createdWith != null && known.createdWith.isOpen())) {
                                listing = known;
                                listedIn = known.listedIn;
                                listedName = known.listedName;
                            } else {
                                result = known;
                                listedIn = known.listedIn;
                                known.listedIn = null;
                                known.listedName = null;
                                known.createdWith = null;
                                known.fd = fd;
                                adopted = true;
                            }
                        } else if (known.fd >= 0 || known.handle == null) {
                            // Its open descriptor holds the inode: the key cannot have been reused.
                            result = known;
                        } else if (compared) {
                            if (handle != null && Arrays.equals(handle, known.handle)) {
                                result = known;
                                known.fd = fd;
                                adopted = true;
                            }
                        } else {
                            needHandle = true;
                        }
                    }
                    if (result != null) {
                        known.nlookup++;
                    }
                }
                if (result == null && !needHandle && listing == null) {
                    result = addLocked(dev, ino, type, fd, pin || !handles);
                    adopted = true;
                }
            }
            if (listing != null) {
                if (listedNameLeadsTo(listedIn, listedName, dev, ino, s)) {
                    checkedListing = listing;
                } else {
                    // The number now belongs to another file; the next pass adds one.
                    unindex(listing, dev, ino);
                }
                continue;
            }
            if (needHandle) {
                handle = handleOf(fd, s);
                compared = true;
                continue;
            }
            if (result == known && !adopted) {
                FdCalls.close(fd);
            } else if (adopted && !result.pinned) {
                counted(result, s);
            }
            if (listedIn != null) {
                forget(listedIn.nodeId, 1);
            }
            return result;
        }
    }

    private Inode addLocked(long dev, long ino, int type, int fd, boolean pinned) {
        int slot = allocateSlot();
        long nodeId = ((long) generations[slot] << 32) | slot;
        Inode inode = new Inode(nodeId, dev, ino, type, fd, pinned);
        inode.nlookup = 1;
        slots.set(slot, inode);
        index.put(inode);
        return inode;
    }

    /**
     * The inode a directory listing found (or CREATE made) under {@code name} ({@code len} bytes
     * and a NUL) in {@code dir}, identified by a statx (dev, ino), counting one lookup: a known
     * inode, or a new one without a descriptor that {@link #acquire} opens from {@code dir} and
     * the name when it is first needed. A key known from a listing under another name is the same
     * file if that name still leads to it (a hard link); otherwise its number belongs to this
     * file now (ext4 gives a new file the number of one just removed, and the client's FORGET of
     * the old one may not have come yet): the old inode leaves the index and a new one is added.
     * Null if the key is known only by a file handle (the caller opens the name and uses
     * {@link #lookupOrAdd}, which compares handles).
     */
    Inode addListed(long dev, long ino, int type, Inode dir, MemorySegment name, int len, Scratch s) {
        Inode sameFile = null;
        while (true) {
            Inode other;
            Inode otherDir;
            byte[] otherName;
            synchronized (lock) {
                if (dir.removed) {
                    return null; // an open directory the kernel forgot (it never does): nothing to open from
                }
                Inode known = index.get(dev, ino);
                if (known == null || known.removed) {
                    Inode listed = addLocked(dev, ino, type, -1, !handles);
                    listed.listedIn = dir;
                    listed.listedName = name.asSlice(0, len + 1).toArray(JAVA_BYTE);
                    dir.nlookup++;
                    return listed;
                }
                synchronized (known) {
                    if (known.fd < 0 && known.listedIn == null && known.handle != null) {
                        return null;
                    }
                    boolean otherListing = known.fd < 0 && known.listedIn != null && known != sameFile
                            && !(known.listedIn == dir && MemorySegment.mismatch(MemorySegment.ofArray(known.listedName), 0,
                                    known.listedName.length, name, 0, len + 1) == -1);
                    if (!otherListing) {
                        known.nlookup++;
                        return known;
                    }
                    other = known;
                    otherDir = known.listedIn;
                    otherName = known.listedName;
                }
            }
            if (listedNameLeadsTo(otherDir, otherName, dev, ino, s)) {
                sameFile = other;
            } else {
                unindex(other, dev, ino);
            }
        }
    }

    /**
     * Takes a listed inode whose number now belongs to another file out of the index (it stays in
     * the table, answering ESTALE, until forgotten), if it is still there.
     */
    private void unindex(Inode listed, long dev, long ino) {
        synchronized (lock) {
            if (index.get(dev, ino) == listed) {
                index.remove(listed);
            }
        }
    }

    /**
     * Whether {@code name} (NUL-terminated) in {@code dir} leads to the inode (dev, ino) now: a
     * statx of the name, if the directory's descriptor is open (else false: the caller then
     * takes the inode for another file, which is safe, only less economical). The name was listed
     * moments ago as a rule, so the dentry cache answers, also on a non-blocking attempt.
     */
    private boolean listedNameLeadsTo(Inode dir, byte[] name, long dev, long ino, Scratch s) {
        int dirFd = acquireOpen(dir);
        if (dirFd < 0) {
            return false;
        }
        try {
            MemorySegment.copy(name, 0, s.listedName, JAVA_BYTE, 0, name.length);
            return isKey(dirFd, s.listedName, FsCalls.AT_SYMLINK_NOFOLLOW, s.checkStatx, dev, ino);
        } finally {
            release(dir);
        }
    }

    /** The handle bytes of {@code fd}, or null where the file system has none. Fills s.handle, s.mountId. */
    private byte[] handleOf(int fd, Scratch s) {
        FileHandle.handleBytes(s.handle, FileHandle.MAX_HANDLE_SZ);
        try {
            FsCalls.nameToHandleAt(fd, s.empty, s.handle, s.mountId, FsCalls.AT_EMPTY_PATH);
        } catch (SysException e) {
            return null;
        }
        return s.handle.asSlice(FileHandle.LAYOUT.byteSize(), FileHandle.handleBytes(s.handle)).toArray(JAVA_BYTE);
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
            generations = Arrays.copyOf(generations, s.length() * 2);
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
            Inode listedIn = closeInode(victim);
            if (listedIn != null) {
                forget(listedIn.nodeId, 1);
            }
        }
    }

    private void removeLocked(Inode i) {
        i.removed = true;
        index.remove(i);
        int slot = (int) i.nodeId;
        slots.set(slot, null);
        generations[slot]++;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
    }

    /** Closes a forgotten inode; returns the directory it still held a lookup of (listed, never opened), if any. */
    private Inode closeInode(Inode i) {
        synchronized (i) {
            if (i.borrows > 0) {
                i.closeWhenIdle = true;
            } else {
                closeFd(i);
            }
            PosixLocks.closeAll(i);
            Inode listedIn = i.listedIn;
            i.listedIn = null;
            i.listedName = null;
            i.createdWith = null;
            return listedIn;
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
     * The inode's O_PATH descriptor, reopened from its handle if it was evicted (as fsuid 0:
     * opening by handle needs CAP_DAC_READ_SEARCH). Every call is paired with {@link #release}.
     */
    int acquire(Inode i, Credentials creds, Scratch s) {
        boolean opened = false;
        int fd;
        openListed(i, creds, s);
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
            counted(i, s);
        }
        return fd;
    }

    /** Counts a descriptor just opened for an unpinned inode in the cache, and puts it on the ring. */
    private void counted(Inode i, Scratch s) {
        track(i);
        if (cached.incrementAndGet() > capacity) {
            sweep(s);
        }
    }

    /**
     * Gives an inode a listing found or CREATE made (and nothing opened since) its first
     * descriptor: opens its name in its directory, as vireo (as a handle is opened: the listing
     * ran as the requester), and checks that the name still leads to the inode. If it no longer
     * does (renamed, replaced or removed since), a created inode is reached through the file
     * CREATE opened while that is open; otherwise ESTALE.
     */
    private void openListed(Inode i, Credentials creds, Scratch s) {
        Inode dir;
        byte[] name;
        synchronized (i) {
            if (i.fd >= 0 || i.listedIn == null) {
                return;
            }
            dir = i.listedIn;
            name = i.listedName;
        }
        int fd;
        int dirFd = acquire(dir, creds, s);
        try {
            creds.asRoot();
            MemorySegment.copy(name, 0, s.listedName, JAVA_BYTE, 0, name.length);
            fd = FsCalls.tryOpenat(dirFd, s.listedName, FsCalls.O_PATH | FsCalls.O_NOFOLLOW | FsCalls.O_CLOEXEC, 0);
        } finally {
            release(dir);
        }
        if (fd >= 0 && !isInode(fd, i, s)) {
            FdCalls.close(fd);
            fd = -Errno.ESTALE.code();
        }
        boolean throughCreated = false;
        if (fd < 0) {
            int error = fd;
            fd = openCreatedWith(i, s);
            throughCreated = fd >= 0;
            if (fd < 0) {
                throw error == -Errno.ENOENT.code() || error == -Errno.ESTALE.code()
                        ? new SysException("inode", Errno.ESTALE.code(), "listed name of " + i + " no longer leads to it")
                        : new SysException("openat", -error, "listed name of " + i);
            }
        }
        boolean indexed;
        boolean adopted;
        synchronized (lock) {
            // Out of the index: lookupOrAdd could not tell it from the file that has its number now.
            indexed = index.get(i.dev, i.ino) == i;
            synchronized (i) {
                // Another thread may have opened it first, or the kernel forgotten it.
                // One reopened from the created file is this inode's for sure, indexed or not.
                adopted = (indexed || throughCreated) && i.fd < 0 && i.listedIn == dir;
                if (adopted) {
                    i.fd = fd;
                    i.listedIn = null;
                    i.listedName = null;
                    i.createdWith = null;
                }
            }
        }
        if (!adopted) {
            FdCalls.close(fd);
            if (!indexed && !throughCreated) {
                throw new SysException("inode", Errno.ESTALE.code(), "listed " + i + " was taken for another file");
            }
            return;
        }
        if (!i.pinned) {
            counted(i, s);
        }
        forget(dir.nodeId, 1);
    }

    /** Whether descriptor {@code fd} is of inode {@code i} (same st_dev and st_ino). */
    private static boolean isInode(int fd, Inode i, Scratch s) {
        return isKey(fd, s.empty, FsCalls.AT_EMPTY_PATH, s.statx, i.dev, i.ino);
    }

    /** Whether {@code path} in {@code dirfd} (statx with {@code flags}, into {@code st}) is the inode (dev, ino) now. */
    private static boolean isKey(int dirfd, MemorySegment path, int flags, MemorySegment st, long dev, long ino) {
        return FsCalls.tryStatx(dirfd, path, flags, FsCalls.STATX_INO, st) == 0 && Inode.dev(st) == dev && Statx.ino(st) == ino;
    }

    /**
     * An O_PATH descriptor of a created inode, reopened from the file CREATE opened if that is
     * still open (its use taken, so RELEASE cannot close the number under the reopen); -1 if
     * there is none.
     */
    private int openCreatedWith(Inode i, Scratch s) {
        OpenFile f;
        synchronized (i) {
            f = i.createdWith;
        }
        if (f == null || !f.use()) {
            return -1;
        }
        try {
            return FsCalls.tryOpenat(procFd, s.fdName(f.fd), FsCalls.O_PATH | FsCalls.O_CLOEXEC, 0);
        } finally {
            f.done();
        }
    }

    /**
     * Records the file CREATE opened for {@code i}, if {@code i} still waits for a descriptor
     * (see {@link Inode#createdWith}).
     */
    void createdWith(Inode i, OpenFile f) {
        synchronized (i) {
            if (i.fd < 0 && i.listedIn != null) {
                i.createdWith = f;
            }
        }
    }

    /**
     * As {@link #acquire}, but only a descriptor that is open: -1 if the inode's was closed
     * (reopening it from its handle may read the disk). For non-blocking attempts.
     */
    int acquireOpen(Inode i) {
        synchronized (i) {
            if (i.fd < 0) {
                return -1;
            }
            i.borrows++;
            i.referenced = true;
            return i.fd;
        }
    }

    /** Returns a descriptor taken with {@link #acquire} or {@link #acquireOpen}. */
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
        h.set(JAVA_INT, 4, i.handleType);
        MemorySegment.copy(MemorySegment.ofArray(i.handle), 0, h, FileHandle.LAYOUT.byteSize(), i.handle.length);
        int mountFd = mounts.fd(i.mountId);
        if (mountFd < 0) {
            throw new SysException("open_by_handle_at", Errno.ESTALE.code(), "no descriptor for mount " + i.mountId);
        }
        int fd = FsCalls.openByHandleAt(mountFd, h, FsCalls.O_PATH | FsCalls.O_CLOEXEC);
        // The handle was taken from the inode's own descriptor; check anyway that it opens the inode
        // of the key (a deleted file's handle fails with ESTALE in the kernel).
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
                ring = Arrays.copyOf(ring, ring.length * 2);
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
     * descriptor is already gone leaves the ring). Before a descriptor is closed its inode's handle
     * is taken from it, and its mount given a descriptor for open_by_handle_at; an inode that can
     * have neither is pinned instead. One thread sweeps at a time; the others carry on (the count may
     * overshoot briefly).
     */
    private void sweep(Scratch s) {
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
                    if (i.fd < 0 || i.pinned) {
                        drop = true;
                    } else if (i.borrows > 0) {
                        drop = false;
                    } else if (i.referenced) {
                        i.referenced = false;
                        drop = false;
                    } else {
                        if (i.handle == null && !takeHandle(i, s)) {
                            // No handle possible: it keeps its descriptor, outside the cache.
                            i.pinned = true;
                            cached.decrementAndGet();
                        } else {
                            closeFd(i);
                        }
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

    /** Takes the inode's file handle from its descriptor; false if it can have none. Holds its monitor. */
    private boolean takeHandle(Inode i, Scratch s) {
        byte[] h = handleOf(i.fd, s);
        if (h == null) {
            return false;
        }
        int mountId = s.mountId.get(JAVA_INT, 0);
        int handleType = FileHandle.handleType(s.handle);
        if (!mounts.ensure(mountId, i.fd, i.type == FsCalls.S_IFDIR, procFd, s.fdName(i.fd))) {
            return false;
        }
        i.handle = h;
        i.handleType = handleType;
        i.mountId = mountId;
        return true;
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
