package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.fs.Connection;
import dev.vireo.fuse.fs.DirectoryWriter;
import dev.vireo.fuse.fs.Entry;
import dev.vireo.fuse.fs.FileLock;
import dev.vireo.fuse.fs.LowLevelFileSystem;
import dev.vireo.fuse.fs.Name;
import dev.vireo.fuse.fs.Request;
import dev.vireo.fuse.fs.SetAttr;
import dev.vireo.fuse.proto.Opcode;
import dev.vireo.mem.SgList;
import dev.vireo.sys.Errno;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.Native;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.Dirent64;
import dev.vireo.sys.abi.FileHandle;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.OpenHow;
import dev.vireo.sys.abi.Statvfs;
import dev.vireo.sys.abi.Statx;
import dev.vireo.sys.abi.Timespec;
import dev.vireo.sys.abi.fuse.Fuse;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Serves a host directory: every FUSE operation becomes the same operation on the host, relative
 * to the inode's own descriptor, never by path.
 *
 * <h2>What a client can reach</h2>
 * Only the shared directory's tree. Names in requests are single components (the codec refuses
 * '/'); a child is resolved with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, O_NOFOLLOW) or a
 * no-follow *at call relative to its parent's descriptor, so a symbolic link is returned as what it
 * is and never followed on the host; ".." of the shared root is the root itself, and ".." elsewhere
 * only ever names an inode already in the table. Node ids and file handles are checked slot and
 * generation indexes; the host file handles vireo keeps are ones it made itself for inodes inside
 * the tree. Files are opened through the inode's own descriptor ({@code /proc/self/fd/N}, with the
 * requester's identity, so the host checks permissions), and new files with O_NOFOLLOW and
 * RESOLVE_NO_SYMLINKS, so a planted symbolic link cannot redirect a create. Limits: a host process
 * that moves a directory out of the tree while a client uses it moves it out of reach of the
 * checks above (as for every passthrough server); mounts inside the tree are crossed.
 *
 * <h2>Identity</h2>
 * Run as root with {@link PassthroughOptions#runAsRequester()}, each request runs with the
 * requester's fsuid, fsgid, supplementary groups and umask (see {@link Credentials}).
 *
 * <h2>Inodes</h2>
 * Inodes are keyed by (st_dev, st_ino) and held by file handle with a bounded descriptor cache
 * (see {@link InodeTable}), or by one O_PATH descriptor each where handles are unavailable.
 */
public final class PassthroughFs implements LowLevelFileSystem, AutoCloseable {

    private static final Log LOG = Log.of("fuse");
    private static final int STATX_MASK = FsCalls.STATX_BASIC_STATS;
    private static final int DT_DIR = 4;
    /**
     * File system types whose cached names, attributes and pages are answered without waiting
     * for anything but memory: lookups, attributes and reads of a share on one of these are tried
     * on the transport's non-blocking thread ({@link #servesNonBlocking}). A network file system
     * may revalidate with its server on a statx, so shares on anything else are not.
     */
    private static final Set<String> LOCAL_TYPES = Set.of(
            "ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "bcachefs", "zfs", "tmpfs", "ramfs", "overlay");

    private final Path source;
    private final PassthroughOptions options;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment empty;
    private final MemorySegment dotdot;
    private final MemorySegment dot;
    /** A zero-length buffer: xattr calls with it return the size needed. */
    private final MemorySegment none;
    private final int procFd;
    private final int rootReadFd;
    private final boolean handles;
    private final MountFds mounts = new MountFds();
    private final InodeTable inodes;
    private final OpenFiles files = new OpenFiles();
    private final PosixLocks locks;
    private final ProcGroups procGroups;
    private final ThreadLocal<PerThread> threads;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long timeout;
    private final boolean nonBlockingAttempts;
    private volatile boolean writeback;
    /** Whether directories on another file system than their parent's are announced as submounts ({@link PassthroughOptions#announceSubmounts}). */
    private volatile boolean submounts;

    /** Per-thread state: scratch memory and identity. */
    private static final class PerThread {
        final Scratch s;
        final Credentials creds;
        final MemorySegment name;
        final RecentNames recent = new RecentNames();

        PerThread(Scratch s, Credentials creds, MemorySegment name) {
            this.s = s;
            this.creds = creds;
            this.name = name;
        }
    }

    /**
     * Opens {@code source} (which must be a directory) for serving. With file handles preferred,
     * probes them on the root (name_to_handle_at, then open_by_handle_at, which needs
     * CAP_DAC_READ_SEARCH) and falls back to O_PATH descriptors when either fails.
     */
    public PassthroughFs(Path source, PassthroughOptions options) {
        this.source = source.toAbsolutePath().normalize();
        this.options = options;
        this.timeout = options.cache().timeoutNanos();
        this.nonBlockingAttempts = isLocal(this.source);
        this.empty = arena.allocate(1);
        this.dotdot = arena.allocateFrom("..");
        this.dot = arena.allocateFrom(".");
        this.none = empty.asSlice(0, 0);
        if (!Files.isDirectory(this.source)) {
            arena.close();
            throw new IllegalArgumentException("source " + this.source + (Files.exists(this.source) ? " is not a directory" : " does not exist"));
        }
        int root = -1;
        int rootRead = -1;
        int proc = -1;
        try {
            root = FsCalls.open(this.source.toString(), FsCalls.O_PATH | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0);
            rootRead = FsCalls.openat(root, ".", FsCalls.O_RDONLY | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0);
            proc = FsCalls.open("/proc/self/fd", FsCalls.O_PATH | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0);
            MemorySegment st = arena.allocate(Statx.LAYOUT);
            FsCalls.statx(root, empty, FsCalls.AT_EMPTY_PATH, STATX_MASK, st);
            this.handles = probeHandles(root, rootRead, options.fileHandles());
            this.procFd = proc;
            this.rootReadFd = rootRead;
            this.inodes = new InodeTable(Inode.dev(st), Statx.ino(st), root, mounts, proc, handles, cacheSize(options.fdCacheSize()));
        } catch (RuntimeException e) {
            for (int fd : new int[] {root, rootRead, proc}) {
                if (fd >= 0) {
                    FdCalls.close(fd);
                }
            }
            mounts.closeAll();
            arena.close();
            throw e;
        }
        this.locks = new PosixLocks(procFd);
        this.procGroups = options.runAsRequester() && options.groups() == PassthroughOptions.Groups.PROC ? new ProcGroups() : null;
        this.threads = ThreadLocal.withInitial(() -> {
            synchronized (arena) {
                return new PerThread(new Scratch(arena), new Credentials(options.runAsRequester(), procGroups),
                        arena.allocate(RequestName.SIZE));
            }
        });
        LOG.debug("serving %s: inodes by %s, descriptor cache %d", this.source, handles ? "file handle" : "O_PATH descriptor",
                inodes.capacity());
    }

    /** Size of a name buffer (NAME_MAX and its NUL). */
    private static final class RequestName {
        static final int SIZE = 256;
    }

    private boolean probeHandles(int root, int rootRead, PassthroughOptions.FileHandles mode) {
        if (mode == PassthroughOptions.FileHandles.NEVER) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(FileHandle.MAX_SIZE, 8);
            MemorySegment mountId = a.allocate(JAVA_INT);
            FileHandle.handleBytes(h, FileHandle.MAX_HANDLE_SZ);
            FsCalls.nameToHandleAt(root, empty, h, mountId, FsCalls.AT_EMPTY_PATH);
            mounts.register(mountId.get(JAVA_INT, 0), rootRead);
            int fd = FsCalls.openByHandleAt(rootRead, h, FsCalls.O_PATH | FsCalls.O_CLOEXEC);
            FdCalls.close(fd);
            return true;
        } catch (SysException e) {
            if (mode == PassthroughOptions.FileHandles.MANDATORY) {
                throw new SysException(e.call(), e.errno(), "file handles are mandatory but unusable on " + source);
            }
            LOG.debug("file handles unusable on %s (%s): using O_PATH descriptors", source, e.getMessage());
            return false;
        }
    }

    /** The descriptor cache size: the option, or half the open-file limit. */
    private static int cacheSize(int option) {
        if (option > 0) {
            return option;
        }
        long limit = 1024;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    limit = f[0].equals("unlimited") ? 1 << 20 : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the open-file limit: %s", e);
        }
        return (int) Math.clamp(limit / 2, 64, 1 << 20);
    }

    /**
     * Gives the calling thread back vireo's own file-system identity (fsuid and fsgid 0). Requests
     * leave the thread that ran them with the requester's identity, switched again only when the
     * next requester differs; that is free on threads that only serve (the /dev/fuse transport's),
     * but a thread that also does other work must call this after each dispatch.
     */
    public void resetThreadIdentity() {
        if (!closed.get()) {
            threads.get().creds.asRoot();
        }
    }

    /** Whether inodes are held by file handle. */
    public boolean usesFileHandles() {
        return handles;
    }

    /** Inodes the kernel currently knows. */
    public int inodeCount() {
        return inodes.size();
    }

    /** Inode descriptors open in the cache (handle-backed inodes). */
    public int cachedDescriptors() {
        return inodes.cachedDescriptors();
    }

    /** The limit of {@link #cachedDescriptors()}. */
    public int descriptorCacheCapacity() {
        return inodes.capacity();
    }

    /** Files and directories open by the kernel. */
    public int openFileCount() {
        return files.count();
    }

    // ---- INIT and the end ----

    @Override
    public void init(Connection c) {
        c.want(Fuse.FUSE_EXPORT_SUPPORT);
        c.want(Fuse.FUSE_ATOMIC_O_TRUNC);
        c.want(Fuse.FUSE_PARALLEL_DIROPS);
        c.want(Fuse.FUSE_DO_READDIRPLUS);
        c.want(Fuse.FUSE_READDIRPLUS_AUTO);
        c.want(Fuse.FUSE_ASYNC_DIO);
        c.want(Fuse.FUSE_CACHE_SYMLINKS);
        // The requester's umask comes with each create and is applied by the host (per thread),
        // which also lets default ACLs of the host take precedence as they should.
        c.want(Fuse.FUSE_DONT_MASK);
        // vireo kills set-user-ID/set-group-ID bits itself (the host does, for writes made with the
        // requester's identity); with it the kernel skips a GETXATTR of security.capability per write.
        c.want(Fuse.FUSE_HANDLE_KILLPRIV_V2);
        if (options.xattr()) {
            c.want(Fuse.FUSE_SETXATTR_EXT);
        }
        if (options.posixLocks()) {
            c.want(Fuse.FUSE_POSIX_LOCKS);
        }
        if (options.cache() == CachePolicy.AUTO) {
            c.want(Fuse.FUSE_AUTO_INVAL_DATA);
        }
        if (options.writeback()) {
            c.want(Fuse.FUSE_WRITEBACK_CACHE);
        }
        if (options.runAsRequester()) {
            c.want(Fuse.FUSE_CREATE_SUPP_GROUP);
        }
        writeback = c.wants(Fuse.FUSE_WRITEBACK_CACHE);
        // The kernel offers it for virtio-fs only; the attribute flag is what it acts on.
        submounts = options.announceSubmounts() && c.want(Fuse.FUSE_SUBMOUNTS);
    }

    @Override
    public void destroy() {
        close();
    }

    /** Closes every descriptor; later requests fail. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        locks.close();
        files.closeAll();
        inodes.closeAll();
        mounts.closeAll();
        FdCalls.close(rootReadFd);
        FdCalls.close(procFd);
        // The per-thread scratch lives in the arena: no operation may run any more.
        arena.close();
    }

    // ---- helpers ----

    private PerThread thread() {
        if (closed.get()) {
            throw new SysException("passthrough", Errno.ENOTCONN.code(), "closed");
        }
        return threads.get();
    }

    private Inode inode(long nodeId) {
        Inode i = inodes.get(nodeId);
        if (i == null) {
            throw new SysException("node", Errno.ESTALE.code(), Long.toHexString(nodeId));
        }
        return i;
    }

    private void checkWritable() {
        if (options.readOnly()) {
            throw new SysException("passthrough", Errno.EROFS.code(), "read-only");
        }
    }

    private void replyEntry(Request req, Inode i, MemorySegment statx) {
        req.replyEntry(entry(req, i, statx));
    }

    /** The request's reusable entry filled for {@code i}: its node id, timeouts and attributes from {@code statx}. */
    private Entry entry(Request req, Inode i, MemorySegment statx) {
        Entry e = req.entry().nodeId(i.nodeId).entryTimeoutNanos(timeout).attrTimeoutNanos(timeout);
        e.attr().fromStatx(statx);
        return e;
    }

    /**
     * As {@link #entry} for {@code i} found in {@code dir} (LOOKUP, READDIRPLUS): a directory on
     * another host file system than {@code dir}'s is marked a submount when they are announced.
     */
    private Entry childEntry(Request req, Inode dir, Inode i, MemorySegment statx) {
        Entry e = entry(req, i, statx);
        if (submounts && i.type == FsCalls.S_IFDIR && i.dev != dir.dev) {
            e.attr().flags(Fuse.FUSE_ATTR_SUBMOUNT);
        }
        return e;
    }

    /**
     * Finds or adds the inode {@code name} names in the directory {@code dirFd}, counting one
     * lookup, with its attributes left in {@code s.statx}; null when the name does not exist. Opens
     * the name as O_PATH beneath the directory, never following a symbolic link or a magic link
     * (openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, O_NOFOLLOW), and identifies the inode from
     * that descriptor: two system calls for a new inode, as a descriptor-per-inode server needs.
     */
    private Inode lookupChild(PerThread t, int dirFd, MemorySegment name) {
        return lookupChild(t, dirFd, name, 0);
    }

    /**
     * As {@link #lookupChild(PerThread, int, MemorySegment)}; with {@code resolve}
     * RESOLVE_CACHED, {@link #CACHE_MISS} when the name is not in the dentry cache (resolving it
     * would read the disk) or the kernel lacks RESOLVE_CACHED (before 5.12: EINVAL).
     */
    private Inode lookupChild(PerThread t, int dirFd, MemorySegment name, long resolve) {
        Scratch s = t.s;
        OpenHow.set(s.openHow, FsCalls.O_PATH | FsCalls.O_NOFOLLOW | FsCalls.O_CLOEXEC, 0,
                FsCalls.RESOLVE_BENEATH | FsCalls.RESOLVE_NO_MAGICLINKS | resolve);
        int fd = FsCalls.tryOpenat2(dirFd, name, s.openHow);
        if (fd == -Errno.ENOENT.code()) {
            return null;
        }
        if (resolve != 0 && (fd == -Errno.EAGAIN.code() || fd == -Errno.EINVAL.code())) {
            return CACHE_MISS;
        }
        if (fd < 0) {
            throw new SysException("openat2", -fd, Native.describe(name));
        }
        return identify(fd, s, false);
    }

    /**
     * The inode of an entry getdents64 has just listed in {@code dir}, counting one lookup, with its
     * attributes left in {@code s.statx}. Unlike a LOOKUP's name, which comes from the client and
     * may be ".." or hold a '/', such a name is one component of the host's own directory and
     * never "." or ".." (the caller lists those without attributes), so a walk that does not follow
     * it cannot leave the directory. A name that is not a directory is identified by one statx and
     * gets no descriptor until it is used ({@link InodeTable#addListed}): most listed names never
     * are (a {@code find} opens the directories only). Directories, which a walk opens next, and
     * names addListed declines (a key known only by its handle) are
     * opened with plain openat and O_NOFOLLOW (openat2's RESOLVE_BENEATH guards nothing here and
     * costs 3-10 % of an open and statx).
     */
    private Inode listedChild(PerThread t, OpenFile dir, MemorySegment name, int len, int type) {
        Scratch s = t.s;
        if (type != FsCalls.DT_DIR && type != FsCalls.DT_UNKNOWN) {
            FsCalls.statx(dir.fd, name, FsCalls.AT_SYMLINK_NOFOLLOW, STATX_MASK, s.statx);
            int mode = Statx.mode(s.statx) & FsCalls.S_IFMT;
            if (mode != FsCalls.S_IFDIR) {
                Inode i = inodes.addListed(Inode.dev(s.statx), Statx.ino(s.statx), mode, dir.inode, name, len, s);
                if (i != null) {
                    return i;
                }
            }
        }
        int fd = FsCalls.openat(dir.fd, name, FsCalls.O_PATH | FsCalls.O_NOFOLLOW | FsCalls.O_CLOEXEC, 0);
        return identify(fd, s, false);
    }

    /**
     * A LOOKUP of a name this thread resolved lately, with one statx of the name instead of
     * openat2, statx and close (3.4 against 1.2 µs in a C loop here): the inode it named then,
     * counting one lookup, if the name still names it and its descriptor is open (so its inode
     * number cannot have been reused); {@link #GONE} when the name no longer exists; null when the
     * caller must resolve it. A single component under the directory's descriptor, not followed if
     * a symbolic link (".." never comes here), so it cannot leave the share, as with openat2. The
     * walk is answered by the dentry cache, which resolved the name moments ago and whose entry
     * the inode's descriptor pins: it reads the directory only if the host renamed or removed the
     * name since, so non-blocking attempts use it too.
     */
    private Inode lookupRecent(PerThread t, long parent, int pfd, Name name) {
        Inode known = t.recent.get(parent, name);
        if (known == null) {
            return null;
        }
        if (known.removed) {
            // Forgotten since (after the client dropped its caches, every name): no statx for nothing.
            // A racy read, as a hint only: refIfOpen decides under the table's lock.
            t.recent.remove(parent, name);
            return null;
        }
        int r = FsCalls.tryStatx(pfd, name.cString(), FsCalls.AT_SYMLINK_NOFOLLOW, STATX_MASK, t.s.statx);
        if (r == -Errno.ENOENT.code()) {
            t.recent.remove(parent, name);
            return GONE;
        }
        if (r < 0 || known.dev != Inode.dev(t.s.statx) || known.ino != Statx.ino(t.s.statx) || !inodes.refIfOpen(known)) {
            t.recent.remove(parent, name);
            return null;
        }
        return known;
    }

    /** {@link #lookupRecent}'s answer when the name no longer exists. */
    private static final Inode GONE = new Inode(0, -1, -1, 0, -1, false);

    /** {@link #lookupChild}'s answer when a cached-only resolution missed. */
    private static final Inode CACHE_MISS = new Inode(0, -1, -1, 0, -1, false);

    /** The inode of {@code fd} (O_PATH; owned by the table from here on), its attributes left in s.statx. */
    private Inode identify(int fd, Scratch s, boolean pin) {
        try {
            FsCalls.statx(fd, empty, FsCalls.AT_EMPTY_PATH | FsCalls.AT_SYMLINK_NOFOLLOW, STATX_MASK, s.statx);
        } catch (RuntimeException e) {
            FdCalls.close(fd);
            throw e;
        }
        return inodes.lookupOrAdd(Inode.dev(s.statx), Statx.ino(s.statx), Statx.mode(s.statx) & FsCalls.S_IFMT, fd, pin, s);
    }

    /**
     * Finds or adds the inode of {@code fd}, a file just opened (CREATE), counting one lookup, with
     * its attributes left in {@code s.statx}.
     */
    private Inode identifyOpened(PerThread t, int fd) {
        Scratch s = t.s;
        return identify(FsCalls.openat(procFd, s.fdName(fd), FsCalls.O_PATH | FsCalls.O_CLOEXEC, 0), s, false);
    }

    /**
     * Finds or adds the inode of {@code fd}, a file CREATE just opened as {@code name} in {@code
     * dir}, counting one lookup, with its attributes left in {@code s.statx}. One statx of the
     * descriptor, and no O_PATH descriptor of its own until an operation needs one: the inode is
     * reached by its name, as a listed one ({@link InodeTable#addListed}), or through the open
     * file if the client renamed or removed the name meanwhile ({@link InodeTable#createdWith}).
     * A create storm's files are written, released and unlinked through the open file and the
     * directory alone: no open of /proc/self/fd/N (2 µs and a close here) per file.
     */
    private Inode identifyCreated(PerThread t, Inode dir, int fd, Name name) {
        Scratch s = t.s;
        FsCalls.statx(fd, empty, FsCalls.AT_EMPTY_PATH, STATX_MASK, s.statx);
        Inode i = inodes.addListed(Inode.dev(s.statx), Statx.ino(s.statx), Statx.mode(s.statx) & FsCalls.S_IFMT,
                dir, name.cString(), name.length(), s);
        return i != null ? i : identifyOpened(t, fd);
    }

    /**
     * Replies the entry of a just-created {@code name} in {@code dir} ({@code dirFd}). A directory
     * is opened (a walk goes into it next); anything else (MKNOD, SYMLINK, LINK) is identified by
     * one statx of the name and gets no descriptor until used, as a listed name
     * ({@link InodeTable#addListed}): an untar's symbolic links never need one.
     */
    private void replyNew(Request req, PerThread t, Inode dir, int dirFd, Name name, boolean directory) {
        Inode i = null;
        if (!directory) {
            Scratch s = t.s;
            if (FsCalls.tryStatx(dirFd, name.cString(), FsCalls.AT_SYMLINK_NOFOLLOW, STATX_MASK, s.statx) == 0) {
                int mode = Statx.mode(s.statx) & FsCalls.S_IFMT;
                if (mode != FsCalls.S_IFDIR) {
                    i = inodes.addListed(Inode.dev(s.statx), Statx.ino(s.statx), mode, dir, name.cString(), name.length(), s);
                }
            }
        }
        if (i == null) {
            i = lookupChild(t, dirFd, name.cString());
        }
        if (i == null) {
            // Removed by someone else at once: what was created is gone.
            req.replyError(Errno.ENOENT.code());
            return;
        }
        replyEntry(req, i, t.s.statx);
    }

    /**
     * open(2) flags for the host: no creation flags, adjusted for the writeback cache, and no
     * O_DIRECT unless {@link PassthroughOptions#directIo} (then data must be aligned as the host
     * file system wants: virtio-fs data buffers are the guest's own pages, /dev/fuse's are not).
     */
    private int openFlags(int flags) {
        int f = flags & ~(FsCalls.O_CREAT | FsCalls.O_EXCL | FsCalls.O_NOCTTY | FsCalls.O_NOFOLLOW
                | (options.directIo() ? 0 : FsCalls.O_DIRECT));
        if (writeback) {
            // The kernel reads pages to fill partial writes, and handles O_APPEND itself.
            if ((f & FsCalls.O_ACCMODE) == FsCalls.O_WRONLY) {
                f = (f & ~FsCalls.O_ACCMODE) | FsCalls.O_RDWR;
            }
            f &= ~FsCalls.O_APPEND;
        }
        return f | FsCalls.O_CLOEXEC;
    }

    /** Notes a file opened with O_DIRECT on the host (before the reply: no request for it can come earlier). */
    private void markDirect(OpenFile f, int flags) {
        if (options.directIo() && (flags & FsCalls.O_DIRECT) != 0) {
            f.direct = true;
        }
    }

    /**
     * OPEN is for regular files (and directories): the kernel keeps FIFOs, sockets and device nodes
     * to itself, so only a hostile client sends one, and opening them on the host could block a
     * worker (a FIFO without a writer) or reach a host device.
     */
    private static void requireOpenable(Inode i) {
        if (i.type != FsCalls.S_IFREG && i.type != FsCalls.S_IFDIR) {
            throw new SysException("open", i.type == FsCalls.S_IFLNK ? Errno.ELOOP.code() : Errno.ENXIO.code(), "special file");
        }
    }

    private OpenFile file(long fh) {
        OpenFile f = files.acquire(fh);
        if (f == null) {
            throw new SysException("fh", Errno.EBADF.code(), Long.toHexString(fh));
        }
        return f;
    }

    // ---- lookups ----

    /**
     * LOOKUP, GETATTR and READ, when the share is on a local file system: a non-blocking attempt
     * answers from the kernel's caches (dentry cache, inode cache, page cache) and gives back what
     * is not there, an inode whose descriptor was closed (reopening it reads the disk), and
     * requests that would need an identity switch. RELEASE too, when its close cannot wait on the
     * host ({@link #closesAtOnce}).
     */
    @Override
    public boolean servesNonBlocking(Opcode opcode) {
        return nonBlockingAttempts && (opcode == Opcode.LOOKUP || opcode == Opcode.GETATTR || opcode == Opcode.READ
                || opcode == Opcode.RELEASE);
    }

    private static boolean isLocal(Path source) {
        try {
            return LOCAL_TYPES.contains(Files.getFileStore(source).type());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The inode's descriptor, as {@link InodeTable#acquire}; in a non-blocking attempt only one
     * already open: otherwise -1, with the request given back.
     */
    private int acquire(Request req, Inode i, PerThread t) {
        if (!req.nonBlocking()) {
            return inodes.acquire(i, t.creds, t.s);
        }
        int fd = inodes.acquireOpen(i);
        if (fd < 0) {
            req.retryBlocking();
        }
        return fd;
    }

    @Override
    public void lookup(Request req, long parent, Name name) {
        PerThread t = thread();
        Inode p = inode(parent);
        boolean nonBlocking = req.nonBlocking();
        if (nonBlocking && (name.isDotDot() || !t.creds.isCurrent(req))) {
            req.retryBlocking();
            return;
        }
        if (name.isDot() || name.isDotDot() && p == inodes.root()) {
            // "." and the root's "..": the directory itself (the root's parent is outside the share).
            int fd = acquire(req, p, t);
            if (fd < 0) {
                return;
            }
            try {
                FsCalls.statx(fd, empty, FsCalls.AT_EMPTY_PATH, STATX_MASK, t.s.statx);
                inodes.ref(p);
                replyEntry(req, p, t.s.statx);
            } finally {
                inodes.release(p);
            }
            return;
        }
        int pfd = acquire(req, p, t);
        if (pfd < 0) {
            return;
        }
        try {
            t.creds.enter(req);
            if (name.isDotDot()) {
                lookupParent(req, t, pfd);
                return;
            }
            Inode i = lookupRecent(t, parent, pfd, name);
            if (i == null) {
                i = lookupChild(t, pfd, name.cString(), nonBlocking ? FsCalls.RESOLVE_CACHED : 0);
                if (i != null && i != CACHE_MISS) {
                    t.recent.put(parent, name, i);
                }
            } else if (i == GONE) {
                i = null;
            }
            if (i == CACHE_MISS) {
                req.retryBlocking();
                return;
            }
            if (i == null) {
                if (timeout > 0) {
                    // A negative entry the kernel may cache as long as positive ones.
                    req.replyEntry(req.entry().nodeId(0).entryTimeoutNanos(timeout));
                } else {
                    req.replyError(Errno.ENOENT.code());
                }
                return;
            }
            req.replyEntry(childEntry(req, p, i, t.s.statx));
        } finally {
            inodes.release(p);
        }
    }

    /**
     * ".." of a directory other than the root (NFS export reconnection): answered only with an
     * inode already in the table; the kernel holds every cached directory's parent, so a real parent
     * is always there, and nothing outside the share can be reached this way.
     */
    private void lookupParent(Request req, PerThread t, int pfd) {
        FsCalls.statx(pfd, dotdot, FsCalls.AT_SYMLINK_NOFOLLOW, STATX_MASK, t.s.statx);
        Inode i = inodes.find(Inode.dev(t.s.statx), Statx.ino(t.s.statx));
        if (i == null) {
            req.replyError(Errno.ENOENT.code());
            return;
        }
        replyEntry(req, i, t.s.statx);
    }

    @Override
    public void forget(long nodeId, long nlookup) {
        inodes.forget(nodeId, nlookup);
    }

    // ---- attributes ----

    @Override
    public void getattr(Request req, long nodeId, long fh) {
        PerThread t = thread();
        if (fh != -1) {
            OpenFile f = files.acquire(fh);
            if (f != null) {
                try {
                    FsCalls.statx(f.fd, empty, FsCalls.AT_EMPTY_PATH, STATX_MASK, t.s.statx);
                } finally {
                    f.done();
                }
                req.replyAttr(req.attr().fromStatx(t.s.statx), timeout);
                return;
            }
        }
        Inode i = inode(nodeId);
        int fd = acquire(req, i, t);
        if (fd < 0) {
            return;
        }
        try {
            FsCalls.statx(fd, empty, FsCalls.AT_EMPTY_PATH | FsCalls.AT_SYMLINK_NOFOLLOW, STATX_MASK, t.s.statx);
        } finally {
            inodes.release(i);
        }
        req.replyAttr(req.attr().fromStatx(t.s.statx), timeout);
    }

    @Override
    public void setattr(Request req, long nodeId, SetAttr a) {
        checkWritable();
        PerThread t = thread();
        Scratch s = t.s;
        Inode i = inode(nodeId);
        OpenFile f = a.hasFh() ? files.acquire(a.fh()) : null;
        int fd = inodes.acquire(i, t.creds, s);
        try {
            t.creds.enter(req);
            if (a.hasMode()) {
                if (f != null) {
                    FsCalls.fchmod(f.fd, a.mode() & 07777);
                } else {
                    FsCalls.fchmodat(FsCalls.AT_FDCWD, s.fdPath(fd), a.mode() & 07777, 0);
                }
            }
            if (a.hasUid() || a.hasGid()) {
                FsCalls.fchownat(fd, empty, a.hasUid() ? a.uid() : -1, a.hasGid() ? a.gid() : -1,
                        FsCalls.AT_EMPTY_PATH | FsCalls.AT_SYMLINK_NOFOLLOW);
            }
            if (a.hasSize()) {
                if (f != null) {
                    f.markModified();
                    FdCalls.ftruncate(f.fd, a.size());
                } else if (i.type != FsCalls.S_IFREG) {
                    throw new SysException("truncate", i.type == FsCalls.S_IFDIR ? Errno.EISDIR.code() : Errno.EINVAL.code());
                } else {
                    int w = FsCalls.openat(procFd, s.fdName(fd), FsCalls.O_WRONLY | FsCalls.O_CLOEXEC | FsCalls.O_NOCTTY, 0);
                    try {
                        FdCalls.ftruncate(w, a.size());
                    } finally {
                        FdCalls.close(w);
                    }
                }
            }
            if (a.hasAtime() || a.hasMtime()) {
                MemorySegment times = s.times;
                setTime(s.atime, a.hasAtime(), a.atimeNow(), a.atimeSec(), a.atimeNsec());
                setTime(s.mtime, a.hasMtime(), a.mtimeNow(), a.mtimeSec(), a.mtimeNsec());
                if (f != null) {
                    FsCalls.futimens(f.fd, times);
                } else {
                    FsCalls.utimensat(fd, empty, times, FsCalls.AT_EMPTY_PATH | FsCalls.AT_SYMLINK_NOFOLLOW);
                }
            }
            FsCalls.statx(fd, empty, FsCalls.AT_EMPTY_PATH | FsCalls.AT_SYMLINK_NOFOLLOW, STATX_MASK, s.statx);
            if (a.killSuidGid() && t.creds.isRoot()) {
                killSuidGid(fd, s);
            }
        } finally {
            inodes.release(i);
            if (f != null) {
                f.done();
            }
        }
        req.replyAttr(req.attr().fromStatx(s.statx), timeout);
    }

    private static void setTime(MemorySegment t, boolean set, boolean now, long sec, int nsec) {
        if (!set) {
            Timespec.set(t, 0, FsCalls.UTIME_OMIT);
        } else if (now) {
            Timespec.set(t, 0, FsCalls.UTIME_NOW);
        } else {
            Timespec.set(t, sec, nsec);
        }
    }

    /**
     * Clears set-user-ID and set-group-ID (the latter only with group execute, as the VFS does)
     * when the kernel asks (HANDLE_KILLPRIV_V2) and the host did not, because the operation ran as
     * root, whose CAP_FSETID keeps them. {@code s.statx} holds the current attributes.
     */
    private void killSuidGid(int fd, Scratch s) {
        int mode = Statx.mode(s.statx);
        int kill = FsCalls.S_ISUID;
        if ((mode & 010) != 0) {
            kill |= FsCalls.S_ISGID;
        }
        if ((mode & FsCalls.S_IFMT) == FsCalls.S_IFREG && (mode & kill) != 0) {
            FsCalls.fchmodat(FsCalls.AT_FDCWD, s.fdPath(fd), mode & 07777 & ~kill, 0);
            FsCalls.statx(fd, empty, FsCalls.AT_EMPTY_PATH, STATX_MASK, s.statx);
        }
    }

    @Override
    public void readlink(Request req, long nodeId) {
        PerThread t = thread();
        Inode i = inode(nodeId);
        int fd = inodes.acquire(i, t.creds, t.s);
        long n;
        try {
            n = FsCalls.readlinkat(fd, empty, t.s.buffer);
        } finally {
            inodes.release(i);
        }
        req.replyReadlink(t.s.buffer.asSlice(0, n));
    }

    @Override
    public void statfs(Request req, long nodeId) {
        PerThread t = thread();
        Inode i = inode(nodeId);
        int fd = inodes.acquire(i, t.creds, t.s);
        MemorySegment st = t.s.buffer.asSlice(0, Statvfs.LAYOUT.byteSize());
        try {
            FsCalls.fstatvfs(fd, st);
        } finally {
            inodes.release(i);
        }
        req.replyStatfs(Statvfs.blocks(st), Statvfs.bfree(st), Statvfs.bavail(st), Statvfs.files(st),
                Statvfs.ffree(st), (int) Statvfs.bsize(st), (int) Statvfs.namemax(st), (int) Statvfs.frsize(st));
    }

    @Override
    public void access(Request req, long nodeId, int mask) {
        PerThread t = thread();
        Inode i = inode(nodeId);
        int fd = inodes.acquire(i, t.creds, t.s);
        try {
            t.creds.enter(req);
            if ((mask & FsCalls.W_OK) != 0 && options.readOnly()) {
                throw new SysException("access", Errno.EROFS.code());
            }
            FsCalls.faccessat(fd, empty, mask, FsCalls.AT_EACCESS | FsCalls.AT_EMPTY_PATH);
        } finally {
            inodes.release(i);
        }
        req.replyOk();
    }

    // ---- creating and removing names ----

    @Override
    public void mknod(Request req, long parent, Name name, int mode, long rdev, int umask) {
        checkWritable();
        PerThread t = thread();
        Inode p = inode(parent);
        int pfd = inodes.acquire(p, t.creds, t.s);
        try {
            t.creds.enter(req);
            t.creds.umask(umask);
            FsCalls.mknodat(pfd, name.cString(), mode, rdev);
            replyNew(req, t, p, pfd, name, false);
        } finally {
            inodes.release(p);
        }
    }

    @Override
    public void mkdir(Request req, long parent, Name name, int mode, int umask) {
        checkWritable();
        PerThread t = thread();
        Inode p = inode(parent);
        int pfd = inodes.acquire(p, t.creds, t.s);
        try {
            t.creds.enter(req);
            t.creds.umask(umask);
            FsCalls.mkdirat(pfd, name.cString(), mode);
            replyNew(req, t, p, pfd, name, true);
        } finally {
            inodes.release(p);
        }
    }

    @Override
    public void symlink(Request req, Name target, long parent, Name name) {
        checkWritable();
        PerThread t = thread();
        Inode p = inode(parent);
        int pfd = inodes.acquire(p, t.creds, t.s);
        try {
            t.creds.enter(req);
            FsCalls.symlinkat(target.cString(), pfd, name.cString());
            replyNew(req, t, p, pfd, name, false);
        } finally {
            inodes.release(p);
        }
    }

    @Override
    public void link(Request req, long nodeId, long newParent, Name newName) {
        checkWritable();
        PerThread t = thread();
        Inode i = inode(nodeId);
        Inode p = inode(newParent);
        int fd = inodes.acquire(i, t.creds, t.s);
        try {
            int pfd = inodes.acquire(p, t.creds, t.s);
            try {
                t.creds.enter(req);
                // Through /proc/self/fd: linkat(AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH.
                FsCalls.linkat(FsCalls.AT_FDCWD, t.s.fdPath(fd), pfd, newName.cString(), FsCalls.AT_SYMLINK_FOLLOW);
                replyNew(req, t, p, pfd, newName, false);
            } finally {
                inodes.release(p);
            }
        } finally {
            inodes.release(i);
        }
    }

    @Override
    public void unlink(Request req, long parent, Name name) {
        remove(req, parent, name, 0);
    }

    @Override
    public void rmdir(Request req, long parent, Name name) {
        remove(req, parent, name, FsCalls.AT_REMOVEDIR);
    }

    private void remove(Request req, long parent, Name name, int flags) {
        checkWritable();
        PerThread t = thread();
        Inode p = inode(parent);
        int pfd = inodes.acquire(p, t.creds, t.s);
        try {
            t.creds.enter(req);
            FsCalls.unlinkat(pfd, name.cString(), flags);
        } finally {
            inodes.release(p);
        }
        req.replyOk();
    }

    @Override
    public void rename(Request req, long parent, Name name, long newParent, Name newName, int flags) {
        checkWritable();
        PerThread t = thread();
        Inode p = inode(parent);
        Inode q = inode(newParent);
        int pfd = inodes.acquire(p, t.creds, t.s);
        try {
            int qfd = inodes.acquire(q, t.creds, t.s);
            try {
                t.creds.enter(req);
                FsCalls.renameat2(pfd, name.cString(), qfd, newName.cString(), flags);
            } finally {
                inodes.release(q);
            }
        } finally {
            inodes.release(p);
        }
        req.replyOk();
    }

    // ---- files ----

    @Override
    public void open(Request req, long nodeId, int flags) {
        if ((flags & FsCalls.O_ACCMODE) != FsCalls.O_RDONLY || (flags & FsCalls.O_TRUNC) != 0) {
            checkWritable();
        }
        PerThread t = thread();
        Inode i = inode(nodeId);
        requireOpenable(i);
        int fd = inodes.acquire(i, t.creds, t.s);
        int opened;
        try {
            t.creds.enter(req);
            opened = FsCalls.openat(procFd, t.s.fdName(fd), openFlags(flags), 0);
        } finally {
            inodes.release(i);
        }
        OpenFile f = files.add(i, opened, false);
        if ((flags & FsCalls.O_TRUNC) != 0) {
            f.markModified(); // before the reply: the client cannot release the handle earlier
        }
        markDirect(f, flags);
        req.replyOpen(f.fh, options.cache().fileOpenFlags());
    }

    @Override
    public void create(Request req, long parent, Name name, int mode, int umask, int flags) {
        checkWritable();
        PerThread t = thread();
        Scratch s = t.s;
        Inode p = inode(parent);
        int pfd = inodes.acquire(p, t.creds, s);
        int fd;
        Inode i;
        try {
            t.creds.enter(req);
            t.creds.umask(umask);
            // A symbolic link planted at the name must not redirect the create: no symlinks at all.
            // O_EXCL as the client asked: a file the host created since the kernel's negative lookup must fail.
            OpenHow.set(s.openHow, openFlags(flags) | (flags & FsCalls.O_EXCL) | FsCalls.O_CREAT | FsCalls.O_NOFOLLOW,
                    mode & 07777, FsCalls.RESOLVE_BENEATH | FsCalls.RESOLVE_NO_SYMLINKS);
            fd = FsCalls.openat2(pfd, name.cString(), s.openHow);
            try {
                i = identifyCreated(t, p, fd, name);
            } catch (RuntimeException e) {
                FdCalls.close(fd);
                throw e;
            }
        } finally {
            inodes.release(p);
        }
        OpenFile f = files.add(i, fd, false);
        if ((flags & FsCalls.O_TRUNC) != 0) {
            f.markModified(); // before the reply: the client cannot release the handle earlier
        }
        markDirect(f, flags);
        inodes.createdWith(i, f);
        req.replyCreate(entry(req, i, s.statx), f.fh, options.cache().fileOpenFlags());
    }

    @Override
    public void tmpfile(Request req, long parent, int mode, int umask, int flags) {
        checkWritable();
        PerThread t = thread();
        Scratch s = t.s;
        Inode p = inode(parent);
        int pfd = inodes.acquire(p, t.creds, s);
        int fd;
        Inode i;
        try {
            t.creds.enter(req);
            t.creds.umask(umask);
            int f = openFlags(flags) & ~FsCalls.O_TMPFILE;
            if ((f & FsCalls.O_ACCMODE) == FsCalls.O_RDONLY) {
                f |= FsCalls.O_RDWR;
            }
            fd = FsCalls.openat(pfd, dot, f | FsCalls.O_TMPFILE, mode & 07777);
            try {
                // An unnamed inode cannot be reopened by handle: hold it by an O_PATH descriptor.
                t.creds.asRoot();
                int path = FsCalls.openat(procFd, s.fdName(fd), FsCalls.O_PATH | FsCalls.O_CLOEXEC, 0);
                i = identify(path, s, true);
            } catch (RuntimeException e) {
                FdCalls.close(fd);
                throw e;
            }
        } finally {
            inodes.release(p);
        }
        OpenFile of = files.add(i, fd, false);
        markDirect(of, flags);
        req.replyCreate(entry(req, i, s.statx), of.fh, options.cache().fileOpenFlags());
    }

    @Override
    public void read(Request req, long nodeId, long fh, long offset, int size, int flags) {
        OpenFile f = file(fh);
        try {
            // Spliced from the file where the transport can (/dev/fuse); read into the reply's own
            // buffers otherwise (virtio-fs: straight into guest memory).
            if (req.nonBlocking()) {
                readCached(req, f, offset, size);
                return;
            }
            if (req.replyFileData(f.fd, offset, size)) {
                return;
            }
            Scratch s = thread().s;
            SgList buf = req.dataBuffer(size);
            long n = preadv(f.fd, buf, offset, s, false);
            req.replyData(n);
        } finally {
            f.done();
        }
    }

    /**
     * The largest READ a non-blocking attempt serves: copying more from the page cache takes long
     * enough to hold up the requests behind it on the one thread, and is better spread over the
     * workers.
     */
    private static final int NON_BLOCKING_READ_MAX = 64 * 1024;

    /**
     * A non-blocking READ: from the page cache only (preadv2 RWF_NOWAIT), else given back; also
     * given back where the file does not support RWF_NOWAIT (EOPNOTSUPP), and for a file opened
     * with O_DIRECT.
     */
    private void readCached(Request req, OpenFile f, long offset, int size) {
        // An O_DIRECT read goes to the disk even with RWF_NOWAIT (which only spares it the locks).
        if (size > NON_BLOCKING_READ_MAX || f.direct) {
            req.retryBlocking();
            return;
        }
        Scratch s = thread().s;
        long n;
        try {
            n = preadv(f.fd, req.dataBuffer(size), offset, s, true);
        } catch (SysException e) {
            if (e.errno() != Errno.EOPNOTSUPP.code()) {
                throw e;
            }
            n = -1;
        }
        if (n < 0) {
            req.retryBlocking();
        } else {
            req.replyData(n);
        }
    }

    /**
     * Reads into the list's entries (at most IOV_MAX per call) until they are full or the file
     * ends. With {@code cachedOnly}, only from the page cache (RWF_NOWAIT): -1 when some of the
     * data is not there.
     */
    private static long preadv(int fd, SgList buf, long offset, Scratch s, boolean cachedOnly) {
        long total = 0;
        int from = 0;
        int count = buf.count();
        while (from < count) {
            int n = Math.min(count - from, Scratch.IOV_MAX);
            long want = 0;
            for (int k = 0; k < n; k++) {
                want += buf.length(from + k);
            }
            int written = buf.toIovecs(s.iov, from);
            int iovcnt = Math.min(written, n);
            long r = cachedOnly
                    ? FdCalls.tryPreadv2(fd, s.iov, iovcnt, offset + total, FdCalls.RWF_NOWAIT)
                    : FdCalls.preadv(fd, s.iov, iovcnt, offset + total);
            if (r < 0) {
                return -1;
            }
            total += r;
            if (r < want) {
                // RWF_NOWAIT stops where the cached pages do: that is the end of the file only if
                // a read from there finds nothing (a read at the end returns 0, never EAGAIN).
                if (cachedOnly && r > 0 && !atEnd(fd, offset + total, s)) {
                    return -1;
                }
                break;
            }
            from += n;
        }
        return total;
    }

    /** Whether a cached-only read at {@code offset} finds the end of the file. */
    private static boolean atEnd(int fd, long offset, Scratch s) {
        Iovec.set(s.iov, 0, s.buffer.address(), 1);
        return FdCalls.tryPreadv2(fd, s.iov, 1, offset, FdCalls.RWF_NOWAIT) == 0;
    }

    @Override
    public void write(Request req, long nodeId, long fh, long offset, SgList data, int writeFlags, int flags) {
        checkWritable();
        OpenFile f = file(fh);
        try {
            f.markModified();
            PerThread t = thread();
            boolean kill = (writeFlags & Fuse.FUSE_WRITE_KILL_SUIDGID) != 0;
            if (kill) {
                // Written with the requester's identity, the host clears set-user-ID bits as for a local write.
                t.creds.enter(req);
            }
            long n = pwritev(f.fd, data, offset, t.s);
            if (kill && t.creds.isRoot()) {
                FsCalls.statx(f.fd, empty, FsCalls.AT_EMPTY_PATH, STATX_MASK, t.s.statx);
                killSuidGid(f.fd, t.s);
            }
            req.replyWrite(n);
        } finally {
            f.done();
        }
    }

    /** Writes all of {@code data} at {@code offset} (pwritev per IOV_MAX entries, continuing short writes). */
    private static long pwritev(int fd, SgList data, long offset, Scratch s) {
        long total = 0;
        int count = data.count();
        int from = 0;
        while (from < count) {
            int n = Math.min(count - from, Scratch.IOV_MAX);
            long want = 0;
            for (int k = 0; k < n; k++) {
                want += data.length(from + k);
            }
            data.toIovecs(s.iov, from);
            long r = FdCalls.pwritev(fd, s.iov, n, offset + total);
            total += r;
            if (r < want) {
                // A short write (disk full, file size limit): report what was written; the kernel
                // retries the rest and gets the error then.
                break;
            }
            from += n;
        }
        return total;
    }

    @Override
    public void flush(Request req, long nodeId, long fh, long lockOwner) {
        OpenFile f = file(fh);
        try {
            // close(2) semantics for file systems that act on close (NFS flushes then).
            FdCalls.close(FdCalls.dup(f.fd));
            if (options.posixLocks()) {
                locks.release(f.inode, lockOwner);
            }
        } finally {
            f.done();
        }
        req.replyOk();
    }

    @Override
    public void release(Request req, long nodeId, long fh, int flags, int releaseFlags, long lockOwner) {
        if (req.nonBlocking() && !closesAtOnce(fh)) {
            req.retryBlocking();
            return;
        }
        files.release(fh);
        req.replyOk();
    }

    /**
     * Whether closing {@code fh} cannot wait on the host, for a non-blocking attempt (virtio-fs's
     * kick thread, which would otherwise wake a worker for a close): nothing was written or
     * truncated through it ({@link OpenFile#modified}), and its file still has a name, so the close
     * is not the last reference of an unlinked file, whose blocks it would free. A create storm's
     * RELEASE, and every read-only file's, is then answered without a hand-off.
     */
    private boolean closesAtOnce(long fh) {
        OpenFile f = files.acquire(fh);
        if (f == null) {
            return true; // nothing to close: the answer is the same either way
        }
        try {
            MemorySegment st = thread().s.statx;
            return !f.modified && FsCalls.tryStatx(f.fd, empty, FsCalls.AT_EMPTY_PATH, FsCalls.STATX_NLINK, st) == 0
                    && Statx.nlink(st) > 0;
        } finally {
            f.done();
        }
    }

    @Override
    public void fsync(Request req, long nodeId, long fh, boolean datasync) {
        OpenFile f = file(fh);
        try {
            if (datasync) {
                FdCalls.fdatasync(f.fd);
            } else {
                FdCalls.fsync(f.fd);
            }
        } finally {
            f.done();
        }
        req.replyOk();
    }

    @Override
    public void fallocate(Request req, long nodeId, long fh, int mode, long offset, long length) {
        checkWritable();
        OpenFile f = file(fh);
        try {
            f.markModified();
            FdCalls.fallocate(f.fd, mode, offset, length);
        } finally {
            f.done();
        }
        req.replyOk();
    }

    @Override
    public void lseek(Request req, long nodeId, long fh, long offset, int whence) {
        OpenFile f = file(fh);
        long r;
        try {
            r = FdCalls.lseek(f.fd, offset, whence);
        } finally {
            f.done();
        }
        req.replyLseek(r);
    }

    @Override
    public void copyFileRange(Request req, long nodeIn, long fhIn, long offIn, long nodeOut, long fhOut, long offOut,
                              long length, int flags) {
        checkWritable();
        OpenFile in = file(fhIn);
        try {
            OpenFile out = file(fhOut);
            try {
                out.markModified();
                Scratch s = thread().s;
                s.offsets.set(JAVA_LONG, 0, offIn);
                s.offsets.set(JAVA_LONG, 8, offOut);
                long n = FdCalls.copyFileRange(in.fd, s.offsets, out.fd, s.offsets.asSlice(8, 8), length, flags);
                req.replyWrite(n);
            } finally {
                out.done();
            }
        } finally {
            in.done();
        }
    }

    // ---- directories ----

    @Override
    public void opendir(Request req, long nodeId, int flags) {
        PerThread t = thread();
        Inode i = inode(nodeId);
        int fd = inodes.acquire(i, t.creds, t.s);
        int opened;
        try {
            t.creds.enter(req);
            opened = FsCalls.openat(procFd, t.s.fdName(fd), FsCalls.O_RDONLY | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0);
        } finally {
            inodes.release(i);
        }
        OpenFile f = files.add(i, opened, true);
        req.replyOpen(f.fh, options.cache().dirOpenFlags());
    }

    @Override
    public void readdir(Request req, long nodeId, long fh, long offset, int size, boolean plus) {
        OpenFile f = file(fh);
        try {
            if (!f.directory) {
                throw new SysException("readdir", Errno.ENOTDIR.code());
            }
            PerThread t = thread();
            if (plus) {
                t.creds.enter(req);
            }
            DirectoryWriter w = req.directory();
            synchronized (f) {
                fill(t, f, offset, size, plus, w, req);
            }
            req.replyDirectory();
        } finally {
            f.done();
        }
    }

    /**
     * Lists from {@code offset} into {@code w}. Records are read with getdents64 in batches; what a
     * reply had no room for is kept with the directory handle ({@link OpenFile#carry}), so that the
     * next READDIR, which continues from the last record sent, starts with it: no record is read
     * twice and the descriptor is never moved back. Any other offset (a seekdir, a rewind) drops the
     * carried records and seeks.
     */
    private void fill(PerThread t, OpenFile f, long offset, int size, boolean plus, DirectoryWriter w, Request req) {
        Scratch s = t.s;
        if (f.position != offset) {
            FdCalls.lseek(f.fd, offset, FdCalls.SEEK_SET);
            f.position = offset;
            f.carryEnd = 0;
        }
        if (f.carryEnd > 0 && !emit(t, f, f.carry, f.carryStart, f.carryEnd, w, plus, req)) {
            return;
        }
        f.carryEnd = 0;
        MemorySegment buf = s.dirents;
        while (true) {
            long n = FsCalls.getdents64(f.fd, buf);
            if (n == 0) {
                return;
            }
            if (!emit(t, f, buf, 0, n, w, plus, req)) {
                return;
            }
        }
    }

    /**
     * Adds the records of {@code buf[at, end)} to the reply; returns false when the reply is full,
     * after moving the records not sent to the handle's carry buffer.
     */
    private boolean emit(PerThread t, OpenFile f, MemorySegment buf, long at, long end, DirectoryWriter w, boolean plus,
                         Request req) {
        while (at < end) {
            int reclen = Dirent64.reclen(buf, at);
            long next = Dirent64.off(buf, at);
            int len = nameLength(buf, at + Dirent64.NAME, reclen - (int) Dirent64.NAME);
            MemorySegment.copy(buf, at + Dirent64.NAME, t.name, 0, len);
            t.name.set(JAVA_BYTE, len, (byte) 0);
            if (!add(t, f, w, len, Dirent64.ino(buf, at), Dirent64.type(buf, at), next, plus, req)) {
                keep(f, buf, at, end);
                return false;
            }
            f.position = next;
            at += reclen;
        }
        return true;
    }

    /** Keeps {@code buf[at, end)} for the next READDIR of this handle. */
    private static void keep(OpenFile f, MemorySegment buf, long at, long end) {
        long n = end - at;
        if (buf == f.carry) {
            f.carryStart = at;
            f.carryEnd = end;
            return;
        }
        if (f.carry == null) {
            // Freed with the handle by the GC: the kernel keeps no reference to it.
            f.carry = Arena.ofAuto().allocate(Scratch.DIRENTS, 8);
        }
        MemorySegment.copy(buf, at, f.carry, 0, n);
        f.carryStart = 0;
        f.carryEnd = n;
    }

    private static int nameLength(MemorySegment buf, long at, int max) {
        int len = 0;
        while (len < max && buf.get(JAVA_BYTE, at + len) != 0) {
            len++;
        }
        return len;
    }

    private boolean add(PerThread t, OpenFile f, DirectoryWriter w, int len, long ino, int type, long next, boolean plus,
                        Request req) {
        MemorySegment name = t.name;
        boolean dots = len == 1 && name.get(JAVA_BYTE, 0) == '.'
                || len == 2 && name.get(JAVA_BYTE, 0) == '.' && name.get(JAVA_BYTE, 1) == '.';
        if (!plus || dots) {
            // "." and ".." carry no entry in READDIRPLUS: the kernel ignores them and counts no lookup.
            return w.add(name, len, ino, type, next);
        }
        if (!w.fitsPlus(len)) {
            return false;
        }
        Inode i;
        try {
            i = listedChild(t, f, name, len, type);
        } catch (SysException e) {
            i = null; // gone or unreadable meanwhile: listed without attributes
        }
        if (i == null) {
            return w.add(name, len, ino, type, next);
        }
        return w.addPlus(name, len, childEntry(req, f.inode, i, t.s.statx), type, next);
    }

    @Override
    public void releasedir(Request req, long nodeId, long fh, int flags) {
        files.release(fh);
        req.replyOk();
    }

    @Override
    public void fsyncdir(Request req, long nodeId, long fh, boolean datasync) {
        fsync(req, nodeId, fh, datasync);
    }

    @Override
    public void syncfs(Request req, long nodeId) {
        FdCalls.syncfs(rootReadFd);
        req.replyOk();
    }

    // ---- extended attributes ----

    @Override
    public void getxattr(Request req, long nodeId, Name name, int size) {
        if (!options.xattr()) {
            req.replyError(Errno.ENOSYS.code());
            return;
        }
        PerThread t = thread();
        Scratch s = t.s;
        Inode i = inode(nodeId);
        int fd = inodes.acquire(i, t.creds, s);
        long r;
        MemorySegment value = size == 0 ? none : s.buffer.asSlice(0, Math.min(size, Scratch.BUFFER));
        try {
            t.creds.enter(req);
            r = FsCalls.tryGetxattr(s.fdPath(fd), name.cString(), value);
        } finally {
            inodes.release(i);
        }
        if (r < 0) {
            req.replyError((int) -r);
        } else if (size == 0) {
            req.replyXattrSize(r);
        } else {
            req.replyData(value.asSlice(0, r));
        }
    }

    @Override
    public void listxattr(Request req, long nodeId, int size) {
        if (!options.xattr()) {
            req.replyError(Errno.ENOSYS.code());
            return;
        }
        PerThread t = thread();
        Scratch s = t.s;
        Inode i = inode(nodeId);
        int fd = inodes.acquire(i, t.creds, s);
        long r;
        MemorySegment list = size == 0 ? none : s.buffer.asSlice(0, Math.min(size, Scratch.BUFFER));
        try {
            t.creds.enter(req);
            r = FsCalls.listxattr(s.fdPath(fd), list);
        } finally {
            inodes.release(i);
        }
        if (size == 0) {
            req.replyXattrSize(r);
        } else {
            req.replyData(list.asSlice(0, r));
        }
    }

    @Override
    public void setxattr(Request req, long nodeId, Name name, MemorySegment value, int flags, int setxattrFlags) {
        if (!options.xattr()) {
            req.replyError(Errno.ENOSYS.code());
            return;
        }
        checkWritable();
        PerThread t = thread();
        Inode i = inode(nodeId);
        int fd = inodes.acquire(i, t.creds, t.s);
        try {
            t.creds.enter(req);
            FsCalls.setxattr(t.s.fdPath(fd), name.cString(), value, flags);
        } finally {
            inodes.release(i);
        }
        req.replyOk();
    }

    @Override
    public void removexattr(Request req, long nodeId, Name name) {
        if (!options.xattr()) {
            req.replyError(Errno.ENOSYS.code());
            return;
        }
        checkWritable();
        PerThread t = thread();
        Inode i = inode(nodeId);
        int fd = inodes.acquire(i, t.creds, t.s);
        try {
            t.creds.enter(req);
            FsCalls.removexattr(t.s.fdPath(fd), name.cString());
        } finally {
            inodes.release(i);
        }
        req.replyOk();
    }

    // ---- locks ----

    @Override
    public void getlk(Request req, long nodeId, long fh, long owner, FileLock lock) {
        if (!options.posixLocks()) {
            req.replyError(Errno.ENOSYS.code());
            return;
        }
        PerThread t = thread();
        Inode i = inode(nodeId);
        requireOpenable(i);
        int fd = inodes.acquire(i, t.creds, t.s);
        try {
            locks.getlk(req, i, owner, lock, fd, t.s, t.creds);
        } finally {
            inodes.release(i);
        }
    }

    @Override
    public void setlk(Request req, long nodeId, long fh, long owner, FileLock lock, boolean sleep) {
        if (!options.posixLocks()) {
            req.replyError(Errno.ENOSYS.code());
            return;
        }
        PerThread t = thread();
        Inode i = inode(nodeId);
        requireOpenable(i);
        int fd = inodes.acquire(i, t.creds, t.s);
        try {
            locks.setlk(req, i, owner, lock, sleep, fd, t.s, t.creds);
        } finally {
            inodes.release(i);
        }
    }
}
