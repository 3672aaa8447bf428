package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.fs.FileLock;
import dev.vireo.fuse.fs.Request;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.sys.ThreadCalls;
import dev.vireo.sys.abi.Flock;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * POSIX record locks (GETLK, SETLK, SETLKW) held on the host, so that host processes and the
 * mount's users see each other's locks.
 *
 * <p>POSIX locks belong to a process (the FUSE lock owner); the host's open file description
 * (OFD) locks belong to an open file. So each (inode, lock owner) gets its own descriptor of the
 * file, and the owner's locks are OFD locks on it: the owner's locks merge and split among
 * themselves and conflict with everyone else's, as POSIX requires. FLUSH (a close(2) by the owner)
 * closes that descriptor, which drops all its locks, as closing any descriptor of a file drops the
 * process's locks on it.
 *
 * <p>A SETLKW that must wait is detached from its worker and waits on a lock thread (a worker
 * blocked in a lock would stall unrelated requests, and with all workers blocked the unlock could
 * never be read). INTERRUPT ends the wait: the lock thread is sent the JDK's own thread-wakeup
 * signal (SIGRTMAX-2, whose no-op handler the JDK installs without SA_RESTART so that blocking calls
 * return EINTR), repeated until it has noticed, and the request is answered EINTR. Where that
 * handler is missing, the wait polls instead.
 */
final class PosixLocks {

    private static final Log LOG = Log.of("fuse");
    private static final long RESIGNAL_MILLIS = 20;
    private static final long POLL_MILLIS = 10;

    private final int procFd;
    private final int signal;
    private final boolean signalWorks;
    private final ExecutorService waiters = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("vireo-fuse-lock-", 0).daemon(true).factory());
    private final ScheduledExecutorService kicker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("vireo-fuse-lock-kick").daemon(true).factory());
    /** Waits in progress: woken at shutdown. */
    private final Set<Wait> waits = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    /** One waiting SETLKW: its thread (for the signal) and whether it has finished. */
    private static final class Wait {
        final long thread;
        final AtomicBoolean done = new AtomicBoolean();

        Wait(long thread) {
            this.thread = thread;
        }
    }

    PosixLocks(int procFd) {
        this.procFd = procFd;
        this.signal = ThreadCalls.sigrtmax() - 2;
        this.signalWorks = caught(signal);
        if (!signalWorks) {
            LOG.warn("signal %d has no handler in this JVM: waiting locks poll every %d ms", signal, POLL_MILLIS);
        }
    }

    /** Whether this process catches {@code sig} (SigCgt of /proc/self/status). */
    static boolean caught(int sig) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigCgt:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (mask & (1L << (sig - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read SigCgt: %s", e);
        }
        return false;
    }

    /** The owner's lock descriptor for the inode, opened (by vireo, as fsuid 0) on first use. */
    private int lockFd(Inode inode, long owner, int inodeFd, Scratch s, Credentials creds) {
        synchronized (inode) {
            Map<Long, Fd> map = inode.locks();
            Fd fd = map.get(owner);
            if (fd == null) {
                creds.asRoot();
                int n;
                try {
                    n = FsCalls.openat(procFd, s.fdName(inodeFd), FsCalls.O_RDWR | FsCalls.O_CLOEXEC | FsCalls.O_NOCTTY, 0);
                } catch (SysException e) {
                    if (!e.is(Errno.EISDIR) && !e.is(Errno.EROFS) && !e.is(Errno.EACCES) && !e.is(Errno.ETXTBSY)) {
                        throw e;
                    }
                    // A read lock needs only read access; a write lock on such a file fails with EBADF.
                    n = FsCalls.openat(procFd, s.fdName(inodeFd), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC | FsCalls.O_NOCTTY, 0);
                }
                fd = Fd.adopt(n, "lock owner " + Long.toHexString(owner));
                map.put(owner, fd);
            }
            return fd.num();
        }
    }

    private static void flock(MemorySegment f, FileLock lock) {
        long len = lock.end() == FileLock.OFFSET_MAX ? 0 : lock.end() - lock.start() + 1;
        Flock.set(f, lock.type(), FdCalls.SEEK_SET, lock.start(), len, 0);
    }

    /** GETLK: the first lock conflicting with {@code lock} held by another owner, or F_UNLCK. */
    void getlk(Request req, Inode inode, long owner, FileLock lock, int inodeFd, Scratch s, Credentials creds) {
        int fd = lockFd(inode, owner, inodeFd, s, creds);
        flock(s.flock, lock);
        FdCalls.fcntlLock(fd, FdCalls.F_OFD_GETLK, s.flock);
        int type = Flock.type(s.flock);
        if (type == FdCalls.F_UNLCK) {
            req.replyLock(new FileLock(lock.start(), lock.end(), FdCalls.F_UNLCK, 0));
            return;
        }
        long start = Flock.start(s.flock);
        long len = Flock.len(s.flock);
        long end = len == 0 ? FileLock.OFFSET_MAX : start + len - 1;
        // OFD locks report pid -1; the kernel maps an unknown pid to 0.
        req.replyLock(new FileLock(start, end, type, Math.max(0, Flock.pid(s.flock))));
    }

    /** SETLK and SETLKW. */
    void setlk(Request req, Inode inode, long owner, FileLock lock, boolean sleep, int inodeFd, Scratch s,
               Credentials creds) {
        if (lock.type() == FdCalls.F_UNLCK) {
            synchronized (inode) {
                if (inode.locks == null || !inode.locks.containsKey(owner)) {
                    req.replyOk(); // nothing locked by this owner
                    return;
                }
            }
        }
        int fd = lockFd(inode, owner, inodeFd, s, creds);
        flock(s.flock, lock);
        LOG.debug("SETLK%s owner %x type %d [%d, %d] on %s", sleep ? "W" : "", owner, lock.type(), lock.start(), lock.end(), inode);
        try {
            FdCalls.fcntlLock(fd, FdCalls.F_OFD_SETLK, s.flock);
            req.replyOk();
            return;
        } catch (SysException e) {
            if (!sleep || !(e.is(Errno.EAGAIN) || e.is(Errno.EACCES))) {
                throw e;
            }
        }
        // Must wait: on a lock thread, with a descriptor of its own (FLUSH may close the owner's
        // meanwhile; the duplicate shares the open file description, so the lock is the owner's).
        int dup = FdCalls.fcntl(fd, FdCalls.F_DUPFD_CLOEXEC, 0);
        Request detached;
        try {
            detached = req.detach();
        } catch (RuntimeException e) {
            FdCalls.close(dup);
            throw e;
        }
        waiters.execute(() -> await(detached, dup, lock));
    }

    private void await(Request req, int fd, FileLock lock) {
        Wait wait = new Wait(ThreadCalls.pthreadSelf());
        waits.add(wait);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(Flock.LAYOUT);
            req.onInterrupt(() -> kick(wait));
            while (true) {
                if (req.interrupted() || closing) {
                    req.replyError(Errno.EINTR.code());
                    return;
                }
                flock(f, lock);
                if (signalWorks) {
                    if (FdCalls.fcntlLockInterruptible(fd, FdCalls.F_OFD_SETLKW, f)) {
                        req.replyOk();
                        return;
                    }
                } else {
                    try {
                        FdCalls.fcntlLock(fd, FdCalls.F_OFD_SETLK, f);
                        req.replyOk();
                        return;
                    } catch (SysException e) {
                        if (!e.is(Errno.EAGAIN) && !e.is(Errno.EACCES)) {
                            throw e;
                        }
                        Thread.sleep(POLL_MILLIS);
                    }
                }
            }
        } catch (SysException e) {
            if (!req.replied()) {
                req.replyError(e.errno());
            }
        } catch (InterruptedException e) {
            if (!req.replied()) {
                req.replyError(Errno.EINTR.code());
            }
        } catch (RuntimeException e) {
            LOG.warn("lock wait failed: %s", e);
            if (!req.replied()) {
                req.replyError(Errno.EIO.code());
            }
        } finally {
            synchronized (wait) {
                wait.done.set(true);
            }
            waits.remove(wait);
            FdCalls.close(fd);
        }
    }

    /** Wakes a lock thread until it has noticed the interrupt. */
    private void kick(Wait wait) {
        if (!signalWorks) {
            return;
        }
        synchronized (wait) {
            // Under the wait's monitor: a finished thread may be gone, and must not be signalled.
            if (wait.done.get()) {
                return;
            }
            ThreadCalls.pthreadKill(wait.thread, signal);
        }
        // The signal may have arrived just before the thread entered fcntl; send it again until done.
        if (!kicker.isShutdown()) {
            kicker.schedule(() -> kick(wait), RESIGNAL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** FLUSH by {@code owner}: drops its locks on the inode. */
    void release(Inode inode, long owner) {
        Fd fd;
        synchronized (inode) {
            if (inode.locks == null) {
                return;
            }
            fd = inode.locks.remove(owner);
        }
        if (fd != null) {
            fd.close();
        }
    }

    /** Closes all lock descriptors of an inode that is going; the caller holds its monitor. */
    static void closeAll(Inode inode) {
        if (inode.locks != null) {
            inode.locks.values().forEach(Fd::close);
            inode.locks.clear();
        }
    }

    /** Ends every wait (answered EINTR) and stops the lock threads. */
    void close() {
        closing = true;
        for (Wait w : waits) {
            kick(w);
        }
        waiters.shutdown();
        try {
            if (!waiters.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("lock waits still running at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kicker.shutdownNow();
    }
}
