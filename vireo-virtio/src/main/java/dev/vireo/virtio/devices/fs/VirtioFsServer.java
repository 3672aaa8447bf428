package dev.vireo.virtio.devices.fs;

import dev.vireo.fuse.fs.LowLevelFileSystem;
import dev.vireo.fuse.proto.Opcode;
import dev.vireo.fuse.session.Dispatcher;
import dev.vireo.fuse.session.Session;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.fuse.transport.Exchange;
import dev.vireo.mem.SgList;
import dev.vireo.sys.Log;
import dev.vireo.sys.ThreadCalls;
import dev.vireo.sys.abi.fuse.Fuse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * vireo-fuse's protocol served over virtio-fs: the {@link FuseRequestHandler} that turns each
 * {@link FuseRequest} into a FUSE {@link Exchange} (request = the chain's device-readable buffers,
 * reply = its device-writable buffers, completion = the used ring) and runs a {@link Dispatcher} on
 * it. The same dispatcher, session and file system serve /dev/fuse; only this class knows virtio.
 *
 * <h2>Threads</h2>
 * The kick thread answers what the file system can answer without blocking
 * ({@link Dispatcher#tryDispatchNonBlocking}: for the passthrough, LOOKUP, GETATTR and READ that
 * the host's dentry, inode and page caches answer, and RELEASE whose close cannot wait), serves
 * metadata requests itself too (creates, unlinks, renames, opens, closes, uncached lookups:
 * microseconds each as a rule) with the queue's pop role let go meanwhile, watched by a thread
 * that takes the queues should one of them last ({@link #servedOffRing}), and hands the rest
 * (data transfers, syncs) off: a pool of
 * {@code threads} platform threads (blocking file system calls) takes them from one queue, each
 * with its own dispatcher. A burst of cached requests, or a create storm, is thus answered in one
 * pass of the kick thread, with an interrupt every few answers ({@link FsQueue}), and no thread
 * sleeps or wakes for it. A worker that has answered a request of a queue with nothing else in flight watches
 * that queue's ring for the next request and serves it itself ({@link FsQueue#pollAsWorker}, only
 * when the queue polls at all): a driver that sends one blocking request at a time (a 1 MiB read
 * after a 1 MiB read) is then served by one running thread, with no kick, no wake-up and no
 * hand-off per request. FORGET,
 * BATCH_FORGET and INTERRUPT on the hiprio queue are answered on the kick thread itself (they never
 * block), so that they are not held up behind slow requests (virtio 1.2 §5.11.6.2). With
 * {@code threads == 0} every request is answered on the kick thread (the Rust virtiofsd's
 * {@code --thread-pool-size=0}). Exchanges are pooled and the hand-off is a lock over array
 * deques, idle workers parked (LockSupport) and woken most recently idle first: steady state
 * allocates nothing per request. At most one sleeping worker is being woken at a time; a worker
 * that finds more work wakes the next, so a burst wakes only as many workers as it needs (the
 * kernel's context switches, not the Java code, were most of the daemon's CPU time when every
 * request woke a worker).
 *
 * <h2>Sessions</h2>
 * A FUSE session lives from the guest's INIT to its DESTROY (unmount) or the device's reset (reboot,
 * front-end gone). A new session gets a new file system from {@code fileSystems}, so a guest can
 * unmount and mount again, or reboot, and find a fresh server as with a new /dev/fuse connection.
 * A session retired while requests are still running is closed when the last one ends.
 *
 * <h2>INIT over virtio</h2>
 * <ul>
 *   <li>No splice: the exchange takes no file descriptors ({@link Exchange#canTakeFileData} is
 *       false); READ data is read straight into the guest's buffers.</li>
 *   <li>max_write and max_pages: a request's data pages, plus its four header descriptors (in
 *       header, in arguments, out header, out arguments: Linux's {@code FUSE_HEADER_OVERHEAD}), are
 *       capped to fit in one chain of direct descriptors of the smallest request queue
 *       (§2.7.5.3.1). With indirect descriptors longer requests would fit, but Linux falls back to
 *       direct descriptors when it cannot allocate an indirect table (GFP_ATOMIC), and a chain
 *       longer than the queue can then never be added: the request would hang. Newer guest kernels
 *       cap max_pages by the queue size themselves for this reason; older ones (Debian 12's 6.1)
 *       do not.</li>
 *   <li>The Linux driver sends the header and the arguments in separate descriptors; the
 *       dispatcher reads across descriptors.</li>
 * </ul>
 */
public final class VirtioFsServer implements FuseRequestHandler, AutoCloseable {

    private static final Log LOG = Log.of("virtio");

    /** Descriptors of a request besides its data pages (Linux virtio_fs.c's FUSE_HEADER_OVERHEAD). */
    static final int HEADER_DESCRIPTORS = 4;
    private static final int PAGE = 4096;
    private static final long JOIN_MS = 5_000;
    /**
     * How long a request served off the ring may hold its queue before the watcher takes the
     * queues ({@link #servedOffRing}); also the watcher's period while requests are served so. A
     * wake-up costs the watcher some 30 µs of CPU on this project's machines (a VM): measured with
     * {@code vireo fsload} creates at depth 16, a 1 ms period cost 4-5 µs of the daemon's CPU per
     * create (of about 40), 2 ms about 1, and no watcher none. 2 ms is also about a create storm's
     * p99 latency at depth 16 with or without it.
     */
    static final long RESCUE_NANOS = 2_000_000;
    /**
     * After a rescue that comes within {@link #RESCUES_APART} requests served off the ring of the
     * last one, requests are handed off for this long: a file system slow throughout is served as
     * if by the pool alone, instead of making a request wait a rescue period now and then. A
     * rare slow request (measured: one create in a thousand on ext4 at depth 16, waiting on the
     * journal or preempted) changes nothing.
     */
    static final long OFF_RING_PAUSE_NANOS = 20_000_000;
    /** See {@link #OFF_RING_PAUSE_NANOS}. */
    static final long RESCUES_APART = 100;

    private final Supplier<? extends LowLevelFileSystem> fileSystems;
    private final SessionConfig config;
    private final Object lock = new Object();
    /** Guards the inline dispatcher of the current generation (hiprio, or everything without a pool). */
    private final Object inlineLock = new Object();
    private final ArrayDeque<Work> queued = new ArrayDeque<>();
    private final ArrayDeque<Work> free = new ArrayDeque<>();
    private final Worker[] workers;
    /**
     * Sleeping workers, the most recently idle on top: a wake-up goes to the worker that slept
     * least (its caches warm, likely on the CPU it last ran on), not round the pool as a monitor's
     * FIFO notify does. Each worker parks on itself; {@code woken} says it was meant.
     */
    private final ArrayDeque<Worker> sleeping = new ArrayDeque<>();
    /** Workers notified and not yet awake: while one is on its way, new requests wake nobody else. */
    private int waking;
    private boolean closed;
    private Generation current;
    /** Serving a request off the ring ({@link #servedOffRing}): one thread at a time. */
    private final ReentrantLock offRing = new ReentrantLock();
    /** Drains the queues when a request served off the ring lasts ({@link #watch}); null without workers. */
    private final Thread watcher;
    /** How long a request may hold the thread popping its queue before the watcher takes the queues. */
    private final long rescueNanos;
    /** System.nanoTime when the request now served off the ring started; 0 for none. */
    private volatile long offRingSince;
    /** Its queue. */
    private volatile FsQueue offRingQueue;
    /** Requests served off the ring so far; written under {@link #offRing}. */
    private volatile long offRingCalls;
    /** No request is served off the ring before this System.nanoTime (after a rescue). */
    private volatile long offRingPausedUntil = System.nanoTime();
    /** The watcher sleeps without a timeout: the next request served off the ring wakes it. */
    private volatile boolean watcherParked;
    private volatile boolean closing;
    private int chainLimit = Integer.MAX_VALUE;

    /**
     * Starts the worker threads.
     *
     * @param fileSystems makes the file system of each FUSE session (called on INIT)
     * @param config      the session parameters; max_write is lowered to what the queues carry
     * @param threads     worker threads; 0 answers every request on the kick thread
     * @param name        names the threads ("vireo-fs-NAME-N")
     */
    public VirtioFsServer(Supplier<? extends LowLevelFileSystem> fileSystems, SessionConfig config, int threads, String name) {
        this(fileSystems, config, threads, name, RESCUE_NANOS);
    }

    /** As above, with the time a request served off the ring may hold its queue (tests). */
    VirtioFsServer(Supplier<? extends LowLevelFileSystem> fileSystems, SessionConfig config, int threads, String name,
            long rescueNanos) {
        if (threads < 0 || threads > 1024) {
            throw new IllegalArgumentException("thread pool size must be in [0, 1024]: " + threads);
        }
        this.fileSystems = fileSystems;
        this.config = config;
        this.workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            Worker w = new Worker(i);
            w.thread = Thread.ofPlatform().name("vireo-fs-" + name + "-" + i).daemon(true).unstarted(() -> work(w));
            workers[i] = w;
        }
        this.rescueNanos = rescueNanos;
        this.watcher = threads == 0 ? null
                : Thread.ofPlatform().name("vireo-fs-" + name + "-watch").daemon(true).unstarted(this::watch);
        for (Worker w : workers) {
            w.thread.start();
        }
        if (watcher != null) {
            watcher.start();
        }
    }

    /** Worker threads (0: requests are answered on the kick thread). */
    public int threads() {
        return workers.length;
    }

    /** The current FUSE session (null before the guest's INIT and after a reset). */
    public Session session() {
        synchronized (lock) {
            return current == null ? null : current.session;
        }
    }

    /** The session parameters a session started now would get: max_write capped by the queues. */
    public SessionConfig sessionConfig() {
        synchronized (lock) {
            return capped(config, chainLimit);
        }
    }

    static SessionConfig capped(SessionConfig c, int chainLimit) {
        if (chainLimit == Integer.MAX_VALUE) {
            return c;
        }
        long pages = Math.max(1, chainLimit - HEADER_DESCRIPTORS);
        int maxWrite = (int) Math.min(c.maxWrite(), pages * PAGE);
        return maxWrite == c.maxWrite() ? c : new SessionConfig(maxWrite, c.maxBackground(), c.congestionThreshold());
    }

    @Override
    public void activated(int smallestRequestQueue) {
        synchronized (lock) {
            chainLimit = smallestRequestQueue;
        }
    }

    @Override
    public void reset() {
        Generation closeNow;
        synchronized (lock) {
            closeNow = retire();
            chainLimit = Integer.MAX_VALUE;
        }
        closeGeneration(closeNow);
    }

    @Override
    public void handle(FuseRequest request) {
        Work w = prepare(request);
        if (w == null) {
            return;
        }
        if (workers.length > 0 && !(request.queue() == 0 && neverBlocks(request.opcode()))) {
            // What the caches answer, and metadata, is answered here; only the rest pays for a
            // hand-off. A RELEASE is served off the ring first: its non-blocking attempt asks the
            // host whether the file still has a name, a system call that serving it does not need.
            boolean answered = request.opcode() == Fuse.FUSE_RELEASE
                    ? servedOffRing(w) || answeredNonBlocking(w)
                    : answeredNonBlocking(w) || servedOffRing(w);
            if (answered) {
                return;
            }
            Thread toWake = null;
            synchronized (lock) {
                Worker owner = ownerOf(serialKey(w.request));
                if (owner != null) {
                    owner.followers.add(w);
                } else {
                    queued.add(w);
                    toWake = wakeOne();
                }
            }
            if (toWake != null) {
                LockSupport.unpark(toWake);
            }
            return;
        }
        try {
            synchronized (inlineLock) {
                w.generation.dispatchers[workers.length].dispatch(w);
            }
        } finally {
            w.dispatched();
        }
    }

    /** Whether the file system answered {@code w} without blocking (from the host's caches). */
    private boolean answeredNonBlocking(Work w) {
        boolean answered;
        synchronized (inlineLock) {
            answered = w.generation.dispatchers[workers.length].tryDispatchNonBlocking(w);
        }
        if (answered) {
            w.dispatched();
        }
        return answered;
    }

    /**
     * Serves {@code w} on this thread, the one popping its queue, if its opcode is quick as a rule
     * ({@link #quickAsARule}) and nobody else does so now: the hand-off to a worker costs more
     * than such a request (two threads woken per request instead of none: measured with {@code
     * vireo fsload}, creates at depth 16 took 61 µs of the daemon's CPU each with the hand-off, 39
     * without). The queue's pop role is let go meanwhile ({@link FsQueue#leaveRing}): should the
     * request take longer than {@link #rescueNanos} after all (the host reads its disk, a file
     * system of the library's user is slow), the watcher drains the device's queues, handing what
     * blocks to the workers ({@link #watch}), so that no request waits behind it longer than that.
     * False if the request is to be handed off.
     */
    private boolean servedOffRing(Work w) {
        FsQueue q = w.request.owner();
        if (watcher == null || Thread.currentThread() == watcher || !quickAsARule(w.request.opcode())
                || System.nanoTime() - offRingPausedUntil < 0 || !offRing.tryLock()) {
            return false;
        }
        try {
            offRingQueue = q;
            offRingCalls++;
            long now = System.nanoTime();
            offRingSince = now == 0 ? 1 : now;
            if (watcherParked) {
                LockSupport.unpark(watcher);
            }
            boolean left = q.leaveRing();
            try {
                w.generation.dispatchers[workers.length + 1].dispatch(w);
            } finally {
                offRingSince = 0;
                offRingQueue = null; // not kept past a device reset
                if (left) {
                    q.rejoinRing();
                }
                w.dispatched();
            }
        } finally {
            offRing.unlock();
        }
        return true;
    }

    /**
     * Operations that take microseconds on a local file system unless the host must read its disk:
     * names, attributes, opening and closing (FLUSH closes a duplicate descriptor; the last close
     * may start writeback, or free an unlinked file's blocks: rarely long, and then rescued),
     * directory listings, extended attributes. Data transfers, syncs and locks go to a worker.
     */
    private static boolean quickAsARule(int opcode) {
        return switch (opcode) {
            case Fuse.FUSE_LOOKUP, Fuse.FUSE_GETATTR, Fuse.FUSE_SETATTR, Fuse.FUSE_READLINK, Fuse.FUSE_SYMLINK,
                 Fuse.FUSE_MKNOD, Fuse.FUSE_MKDIR, Fuse.FUSE_UNLINK, Fuse.FUSE_RMDIR, Fuse.FUSE_RENAME,
                 Fuse.FUSE_RENAME2, Fuse.FUSE_LINK, Fuse.FUSE_CREATE, Fuse.FUSE_OPEN, Fuse.FUSE_OPENDIR,
                 Fuse.FUSE_FLUSH, Fuse.FUSE_RELEASE, Fuse.FUSE_RELEASEDIR, Fuse.FUSE_STATFS, Fuse.FUSE_READDIR,
                 Fuse.FUSE_READDIRPLUS, Fuse.FUSE_GETXATTR, Fuse.FUSE_LISTXATTR, Fuse.FUSE_SETXATTR,
                 Fuse.FUSE_REMOVEXATTR, Fuse.FUSE_ACCESS -> true;
            default -> false;
        };
    }

    /**
     * The watcher: while requests are served off the ring ({@link #servedOffRing}) it wakes every
     * {@link #rescueNanos}; when one has run that long, it drains the device's queues itself
     * ({@link FsQueue#rescueDevice}: what blocks goes to the workers, this thread never serves a
     * request off the ring), again every period while the request lasts, and, when such rescues
     * come often, stops requests being served off the ring for a while ({@link
     * #OFF_RING_PAUSE_NANOS}). When no request has been served off the ring for a period, it
     * sleeps until the next one wakes it: an idle daemon has no timer.
     */
    private void watch() {
        ThreadCalls.setName(Thread.currentThread().getName());
        long seenCalls = -1;
        long callsAtRescue = -RESCUES_APART;
        long rescued = 0; // offRingSince of the request rescued last
        while (!closing) {
            long since = offRingSince;
            if (since == 0) {
                long calls = offRingCalls;
                if (calls != seenCalls) {
                    seenCalls = calls;
                    LockSupport.parkNanos(this, rescueNanos);
                    continue;
                }
                watcherParked = true;
                if (offRingSince == 0 && !closing) {
                    LockSupport.park(this);
                }
                watcherParked = false;
                continue;
            }
            long left = since + rescueNanos - System.nanoTime();
            if (left > 0) {
                LockSupport.parkNanos(this, left);
                continue;
            }
            FsQueue q = offRingQueue;
            if (q != null && offRingSince == since) {
                if (since != rescued) { // not a rescue again of the same request
                    long calls = offRingCalls;
                    if (calls - callsAtRescue < RESCUES_APART) {
                        offRingPausedUntil = System.nanoTime() + OFF_RING_PAUSE_NANOS;
                    }
                    callsAtRescue = calls;
                    rescued = since;
                }
                LOG.debug("virtio-fs: a request has held queue %d's thread for %d µs: workers take its requests",
                        q.index(), (System.nanoTime() - since) / 1000);
                q.rescueDevice();
                LockSupport.parkNanos(this, rescueNanos);
            }
        }
    }

    /**
     * A pooled exchange for {@code request} in the current session, starting one on INIT; null
     * when there is no session to answer with (before INIT, after a failed start, or closed), in
     * which case the request has been answered here.
     */
    private Work prepare(FuseRequest request) {
        int opcode = request.opcode();
        synchronized (lock) {
            Generation g = closed ? null : generationFor(opcode);
            if (g != null) {
                Work w = free.poll();
                if (w == null) {
                    w = new Work();
                }
                w.begin(request, g);
                return w;
            }
        }
        Opcode op = Opcode.of(opcode);
        if (op != null && !op.replies()) {
            request.complete(0);
        } else {
            request.replyError(FsDevice.EIO);
        }
        return null;
    }

    /**
     * The inode whose lock the host holds exclusively for all of this request's work, or 0: for
     * a WRITE, its file (buffered writes to one file take its i_rwsem and never run side by side).
     * While a worker serves a request with a key, the others of that key follow it on the same
     * worker ({@link Worker#followers}) instead of a second worker taking them and waiting on the
     * host's lock: measured with {@code vireo fsload} at depth 16, workers writing one file spent
     * 27 % of the daemon's CPU spinning on its i_rwsem (rwsem_spin_on_owner), while the copy
     * itself went no faster. Creates and unlinks, which hold their directory's lock for part of
     * their work only, measured slower keyed by directory, so they are not.
     */
    private static long serialKey(FuseRequest r) {
        return switch (r.opcode()) {
            case Fuse.FUSE_WRITE -> r.nodeId();
            default -> 0;
        };
    }

    /** The worker serving a request with {@code key}, or null (also for key 0). Under the lock. */
    private Worker ownerOf(long key) {
        if (key != 0) {
            for (Worker wk : workers) {
                if (wk.serialKey == key) {
                    return wk;
                }
            }
        }
        return null;
    }

    private static boolean neverBlocks(int opcode) {
        return opcode == Fuse.FUSE_FORGET || opcode == Fuse.FUSE_BATCH_FORGET || opcode == Fuse.FUSE_INTERRUPT;
    }

    /** The session for a request with {@code opcode}, starting one on INIT; null if there is none. Under the lock. */
    private Generation generationFor(int opcode) {
        Generation g = current;
        if (opcode != Fuse.FUSE_INIT || g != null && !g.session.destroyed()) {
            return g;
        }
        // INIT: the guest's first mount, or a mount after DESTROY (it unmounted): a fresh session.
        Generation old = retire();
        if (old != null) {
            // Nothing of the old session runs (refs 0): close it, it holds descriptors.
            closeGenerationLater(old);
        }
        LowLevelFileSystem fs;
        try {
            fs = fileSystems.get();
        } catch (RuntimeException e) {
            LOG.warn("virtio-fs: cannot start a FUSE session: %s", e.getMessage());
            return null;
        }
        current = new Generation(new Session(fs, capped(config, chainLimit)), workers.length + 2);
        return current;
    }

    /** Makes the current generation retired; returns it if nothing of it runs any more (the caller closes it). Under the lock. */
    private Generation retire() {
        Generation g = current;
        current = null;
        if (g == null) {
            return null;
        }
        g.retired = true;
        return g.refs == 0 ? g : null;
    }

    private void closeGenerationLater(Generation g) {
        // Called under the lock: closing destroys the file system (closes descriptors), which is
        // quick and touches nothing this lock guards.
        closeGeneration(g);
    }

    private static void closeGeneration(Generation g) {
        if (g != null) {
            try {
                g.session.close();
            } catch (RuntimeException e) {
                LOG.warn("virtio-fs: closing a FUSE session: %s", e.toString());
            }
        }
    }

    /**
     * Marks the most recently idle worker woken if nobody is on the way yet and returns its thread,
     * to be unparked after the lock is left; null if nobody needs waking. Under the lock.
     */
    private Thread wakeOne() {
        if (waking > 0 || sleeping.isEmpty()) {
            return null;
        }
        Worker next = sleeping.pop();
        next.woken = true;
        waking++;
        return next.thread;
    }

    private void work(Worker self) {
        ThreadCalls.setName(Thread.currentThread().getName());
        while (true) {
            Work w;
            Thread toWake = null;
            synchronized (lock) {
                w = queued.poll();
                while (w != null) {
                    long key = serialKey(w.request);
                    Worker owner = ownerOf(key);
                    if (owner == null) {
                        self.serialKey = key;
                        break;
                    }
                    owner.followers.add(w);
                    w = queued.poll();
                }
                if (w == null) {
                    if (closed) {
                        return;
                    }
                    self.woken = false;
                    sleeping.push(self);
                } else if (!queued.isEmpty()) {
                    // Wake-ups chain: a worker that sees more work wakes the next idle one. A
                    // burst of requests thus wakes workers one at a time, only as many as the
                    // work needs: busy workers take the next request without sleeping, and on a
                    // small host every needless wake-up is a context switch stolen from the ones
                    // doing the work.
                    toWake = wakeOne();
                }
            }
            if (w == null) {
                sleep(self);
                continue;
            }
            if (toWake != null) {
                LockSupport.unpark(toWake);
            }
            FsQueue source = w.request.owner();
            if (self.serialKey == 0) {
                serve(w, self);
            } else {
                serveWithFollowers(w, self, source);
            }
            // The queue may be one the driver uses a request at a time: the worker watches it for
            // the next request and serves that too, with no kick and no hand-off in between.
            for (FuseRequest next = source.pollAsWorker(); next != null; next = source.pollAsWorker()) {
                Work nw = prepare(next);
                if (nw != null) {
                    serve(nw, self);
                }
            }
        }
    }

    /**
     * Serves {@code w}, which has a {@link #serialKey}, then the requests of the same key that
     * follow it meanwhile. The driver is signalled for their answers every few answers and at the
     * end ({@link FsQueue#deferNotifications}), not after each one: the one worker writing a file
     * would otherwise wake the driver between every two writes, on the path of the next write
     * (with 1 MiB writes at depth 16, 10-15 µs of each 140).
     */
    private void serveWithFollowers(Work w, Worker self, FsQueue source) {
        source.deferNotifications();
        try {
            serve(w, self);
            while (true) {
                synchronized (lock) {
                    w = self.followers.poll();
                    if (w == null) {
                        self.serialKey = 0;
                        break;
                    }
                }
                serve(w, self);
            }
        } finally {
            source.resumeNotifications();
        }
    }

    private static void serve(Work w, Worker self) {
        FuseRequest request = w.request;
        request.servedBy(self.thread);
        try {
            w.generation.dispatchers[self.index].dispatch(w);
        } catch (RuntimeException | Error e) {
            LOG.warn("virtio-fs worker %d: %s", self.index, e.toString());
        } finally {
            request.servedNoLongerBy(self.thread);
            w.dispatched();
        }
    }

    /** Parks until woken (or closed); park may return early, so the flag decides. */
    private void sleep(Worker self) {
        while (true) {
            LockSupport.park(this);
            synchronized (lock) {
                if (self.woken) {
                    waking--;
                    return;
                }
                if (closed) {
                    sleeping.remove(self);
                    return;
                }
            }
        }
    }

    /**
     * Stops the workers once the queued requests are answered and ends the session. The device must
     * have been reset (or never activated) first, so that no new requests arrive.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closing = true;
        List<Thread> threads = new ArrayList<>();
        for (Worker w : workers) {
            threads.add(w.thread);
        }
        if (watcher != null) {
            threads.add(watcher);
        }
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        for (Thread t : threads) {
            try {
                t.join(JOIN_MS);
                if (t.isAlive()) {
                    LOG.warn("virtio-fs: %s still busy after %d ms", t.getName(), JOIN_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Generation closeNow;
        synchronized (lock) {
            closeNow = retire();
        }
        closeGeneration(closeNow);
    }

    /** A worker thread and its place in the pool. Its fields other than the thread are guarded by the lock. */
    private static final class Worker {
        final int index;
        Thread thread;
        boolean woken;
        /** {@link #serialKey} of the request being served, 0 for none. */
        long serialKey;
        /** Requests of the same key, queued while this worker serves one: it serves them next, in order. */
        final ArrayDeque<Work> followers = new ArrayDeque<>();

        Worker(int index) {
            this.index = index;
        }
    }

    /**
     * One FUSE session with a dispatcher per worker, plus one for requests answered without
     * blocking on the thread popping a queue, and one for the request served off the ring (the last two).
     */
    private static final class Generation {
        final Session session;
        final Dispatcher[] dispatchers;
        int refs;
        boolean retired;

        Generation(Session session, int dispatchers) {
            this.session = session;
            this.dispatchers = new Dispatcher[dispatchers];
            for (int i = 0; i < dispatchers; i++) {
                this.dispatchers[i] = session.newDispatcher();
            }
        }
    }

    /**
     * The exchange of one request, pooled. It is held twice, by the dispatch call and by the
     * completion; it goes back to the pool (and lets go of its session) when both are over, since a
     * detached request completes after its dispatch call has returned. Its own state (holds,
     * completed, detached) is guarded by its monitor, so that a request takes the server's lock
     * only to be queued, taken and pooled again: with one lock for everything, workers and the
     * kick thread contended on it five times per request. {@link #begin} runs under the server's
     * lock before the hand-off, which orders it before every later use.
     */
    private final class Work implements Exchange {
        private FuseRequest request;
        private Generation generation;
        private int holds;
        private boolean completed;
        private boolean detached;

        /** Under the lock. */
        void begin(FuseRequest r, Generation g) {
            request = r;
            generation = g;
            holds = 2;
            completed = false;
            detached = false;
            g.refs++;
        }

        @Override
        public SgList request() {
            return request.in();
        }

        @Override
        public SgList reply() {
            return request.out();
        }

        @Override
        public void complete(long replyLength) {
            FuseRequest r;
            synchronized (this) {
                r = request;
                if (r == null || completed) {
                    throw new IllegalStateException("virtio-fs exchange completed twice");
                }
                completed = true;
            }
            try {
                r.complete(replyLength);
            } finally {
                release();
            }
        }

        @Override
        public Exchange detach(int maxReply) {
            // The reply goes into the chain's own buffers, which stay the guest's until completion.
            synchronized (this) {
                detached = true;
            }
            return this;
        }

        /** The dispatch call is over; a request it left unanswered (a bug) is answered EIO. */
        void dispatched() {
            FuseRequest unanswered = null;
            synchronized (this) {
                if (!completed && !detached) {
                    unanswered = request;
                    completed = true;
                }
            }
            if (unanswered != null) {
                LOG.warn("virtio-fs: %s left unanswered by the dispatcher; answering EIO", unanswered);
                try {
                    unanswered.replyError(FsDevice.EIO);
                } finally {
                    release();
                }
            }
            release();
        }

        private void release() {
            synchronized (this) {
                if (--holds > 0) {
                    return;
                }
            }
            Generation closeNow = null;
            synchronized (lock) {
                Generation g = generation;
                request = null;
                generation = null;
                free.push(this);
                if (--g.refs == 0 && g.retired) {
                    closeNow = g;
                }
            }
            closeGeneration(closeNow);
        }
    }
}
