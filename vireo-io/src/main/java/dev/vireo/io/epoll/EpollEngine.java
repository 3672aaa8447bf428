package dev.vireo.io.epoll;

import dev.vireo.io.EngineKind;
import dev.vireo.io.IoEngine;
import dev.vireo.io.LoopOptions;
import dev.vireo.io.Op;
import dev.vireo.io.OpCode;
import dev.vireo.io.epoll.Interests.Interest;
import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Log;
import dev.vireo.sys.abi.EpollEvent;
import dev.vireo.sys.abi.Iovec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.vireo.io.epoll.Transfers.AGAIN;
import static dev.vireo.io.epoll.Transfers.NO_NOWAIT;

/**
 * The portable engine: the same operations as io_uring, performed with epoll, non-blocking reads
 * and writes, and a pool of threads for blocking file calls. Used when io_uring is missing or
 * forbidden, or when asked for ({@code -Dvireo.io=epoll}).
 *
 * <ul>
 *   <li>Transfers at the current position (offset -1: pipes, sockets, eventfds, terminals) are
 *       tried at once without blocking ({@link Transfers#attempt}). If they would block they wait
 *       in the descriptor's FIFO ({@link Interests}) until epoll reports it ready. A file that
 *       refuses RWF_NOWAIT (a named pipe, a terminal) is read or written only after epoll reported
 *       it ready, one plain call per report; one epoll cannot watch (a regular file) goes to the
 *       pool.</li>
 *   <li>Positional transfers (offset &gt;= 0, files) and fsync, fallocate, openat, close, statx
 *       go to the {@link FilePool} ({@link LoopOptions#poolThreads()} platform threads, started on
 *       first use).</li>
 *   <li>An eventfd watch keeps its level-triggered registration: a notification costs
 *       epoll_wait plus one read.</li>
 *   <li>TIMEOUT operations and link timeouts live in a {@link TimerHeap}; epoll_wait's timeout is
 *       the nearest deadline (millisecond resolution, rounded up).</li>
 * </ul>
 */
public final class EpollEngine implements IoEngine, Interests.Owner {

    private static final Log LOG = Log.of("io");
    private static final int MAX_EVENTS = 256;
    private static final long WAKE = -1;
    private static final int ECANCELED = Errno.ECANCELED.code();
    /** Handlers run per descriptor and event before the loop moves on (fairness). */
    private static final int BUDGET = 64;
    private static final int ALWAYS = EventCalls.POLLERR | EventCalls.POLLHUP | EventCalls.POLLNVAL;
    /** What poll(2) reports for a file without a poll method (the kernel's DEFAULT_POLLMASK). */
    private static final int DEFAULT_POLLMASK = EventCalls.POLLIN | EventCalls.POLLOUT | 0x40 | 0x100;

    // Where a slot's operation is. WAITING + list: in a list of Interests.
    private static final byte NONE = 0;
    private static final byte READY = 1;
    private static final byte POOL = 2;
    private static final byte TIMER = 3;
    private static final byte WAITING = 4;

    private final LoopOptions options;
    private final Arena arena = Arena.ofShared();
    private final Fd epfd;
    private final Fd wakeFd;
    private final int epfdNum;
    private final int wakeNum;
    private final MemorySegment events;
    private final Interests interests;
    private final Op[] ops;
    private final long[] tokens;
    private final byte[] where;
    private final int[] fdOf;
    private final int[] result;
    private final int[] readyNext;
    private final MemorySegment[] iov;
    private final int[] snapshot;
    private final long[] snapshotTokens;
    private final long[] done;
    private final TimerHeap timers;
    private final FilePool pool;
    private int readyHead = -1;
    private int readyTail = -1;
    private int[] fixedFiles = new int[0];
    private Sink sink;

    private long epollWaits;
    private long attempts;
    private long wouldBlock;
    private long poolOps;

    /** Creates the epoll instance and its wake-up eventfd; call on the loop thread. */
    public EpollEngine(LoopOptions options) {
        this.options = options;
        int capacity = options.capacity();
        this.epfd = Fd.adopt(EventCalls.epollCreate1(EventCalls.EPOLL_CLOEXEC), "epoll");
        try {
            this.wakeFd = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
        } catch (RuntimeException e) {
            epfd.close();
            throw e;
        }
        this.epfdNum = epfd.num();
        this.wakeNum = wakeFd.num();
        this.events = arena.allocate(EpollEvent.SIZE * MAX_EVENTS, 8);
        MemorySegment ctlEvent = arena.allocate(EpollEvent.LAYOUT);
        this.interests = new Interests(epfdNum, ctlEvent, capacity);
        this.ops = new Op[capacity];
        this.tokens = new long[capacity];
        this.where = new byte[capacity];
        this.fdOf = new int[capacity];
        this.result = new int[capacity];
        this.readyNext = new int[capacity];
        this.snapshot = new int[capacity];
        this.snapshotTokens = new long[capacity];
        this.done = new long[capacity];
        MemorySegment iovs = arena.allocate(Iovec.SIZE * capacity, 8);
        this.iov = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            iov[i] = iovs.asSlice(i * Iovec.SIZE, Iovec.SIZE);
        }
        this.timers = new TimerHeap(capacity);
        this.pool = new FilePool(options.name(), options.poolThreads(), capacity,
                slot -> Transfers.blocking(ops[slot], fdOf[slot], iov[slot]), () -> sink.wakeup());
        EpollEvent.set(ctlEvent, EventCalls.EPOLLIN, WAKE);
        EventCalls.epollCtl(epfdNum, EventCalls.EPOLL_CTL_ADD, wakeNum, ctlEvent);
    }

    @Override
    public EngineKind kind() {
        return EngineKind.EPOLL;
    }

    @Override
    public void start(Sink sink) {
        this.sink = sink;
    }

    @Override
    public boolean supports(OpCode code) {
        return true;
    }

    @Override
    public boolean submit(Op op, long token) {
        int slot = (int) token;
        ops[slot] = op;
        tokens[slot] = token;
        where[slot] = NONE;
        int fd = op.fd();
        if (op.isFixedFile()) {
            fd = fd < fixedFiles.length ? fixedFiles[fd] : -1;
            if (fd < 0) {
                ready(slot, -Errno.EBADF.code());
                return true;
            }
        }
        fdOf[slot] = fd;
        switch (op.opcode()) {
            case NOP -> ready(slot, 0);
            case TIMEOUT -> {
                where[slot] = TIMER;
                timers.add(slot, System.nanoTime() + op.timeoutNanos());
            }
            case READ, WRITE, READV, WRITEV, READ_FIXED, WRITE_FIXED -> {
                if (op.offset() >= 0) {
                    toPool(slot);
                } else {
                    stream(slot, fd);
                }
            }
            case SENDMSG, RECVMSG -> stream(slot, fd);
            case POLL -> wait(slot, interests.of(fd), Interests.POLL);
            case EVENTFD_WATCH -> wait(slot, interests.of(fd), Interests.WATCH);
            case FSYNC, FALLOCATE, OPENAT, CLOSE, STATX -> toPool(slot);
        }
        if (op.linkTimeoutNanos() > 0 && where[slot] != READY) {
            timers.add(slot, System.nanoTime() + op.linkTimeoutNanos());
        }
        return true;
    }

    /** A transfer at the current position: try it now, else wait for readiness in FIFO order. */
    private void stream(int slot, int fd) {
        Interest in = interests.of(fd);
        int list = ops[slot].opcode().isWrite() ? Interests.WRITE : Interests.READ;
        if (!in.waiting(list) && !in.noNowait) {
            long r = attempt(slot, true);
            if (r == NO_NOWAIT) {
                in.noNowait = true; // remembered for the descriptor: no exception per operation
            } else if (r != AGAIN) {
                ready(slot, (int) r);
                return;
            }
        }
        wait(slot, in, list);
    }

    private void wait(int slot, Interest in, int list) {
        where[slot] = (byte) (WAITING + list);
        interests.add(in, list, slot);
    }

    private void unwait(int slot) {
        interests.remove(interests.of(fdOf[slot]), where[slot] - WAITING, slot);
        where[slot] = NONE;
    }

    private long attempt(int slot, boolean nowait) {
        attempts++;
        long r = Transfers.attempt(ops[slot], fdOf[slot], iov[slot], nowait);
        if (r == AGAIN) {
            wouldBlock++;
        }
        return r;
    }

    private void toPool(int slot) {
        where[slot] = POOL;
        poolOps++;
        pool.submit(slot);
    }

    @Override
    public void cancel(Op op, long token) {
        int slot = (int) token;
        if (tokens[slot] != token || ops[slot] == null) {
            return;
        }
        byte w = where[slot];
        if (w >= WAITING) {
            unwait(slot);
            ready(slot, -ECANCELED);
        } else if (w == TIMER) {
            ready(slot, -ECANCELED);
        } else if (w == POOL && pool.remove(slot)) {
            ready(slot, -ECANCELED);
        }
        // else READY (its result is on the way) or a worker runs it: it completes with its
        // result, as an io_uring read of a regular file in progress would.
    }

    @Override
    public void await(boolean block) {
        // Handlers run here may have submitted, cancelled or closed: having delivered anything
        // means the loop has new work, so this round must not sleep.
        boolean delivered = deliverReady() | drainPool();
        interests.sync(this);
        int timeout;
        if (delivered || readyHead >= 0 || !block || pool.hasDone()) {
            timeout = 0;
        } else if (timers.size() > 0) {
            long wait = timers.firstDeadline() - System.nanoTime();
            timeout = wait <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (wait + 999_999) / 1_000_000);
        } else {
            timeout = -1;
        }
        epollWaits++;
        int n = EventCalls.epollWait(epfdNum, events, MAX_EVENTS, timeout);
        for (int i = 0; i < n; i++) {
            long data = EpollEvent.data(events, i);
            if (data == WAKE) {
                EventCalls.eventfdRead(wakeNum);
            } else {
                onEvent((int) data, EpollEvent.events(events, i));
            }
        }
        drainPool();
        fireTimers();
        deliverReady();
    }

    private void onEvent(int fd, int ev) {
        Interest in = interests.find(fd);
        if (in == null || in.registered == 0) {
            return; // a registration we no longer track
        }
        boolean broken = (ev & (EventCalls.EPOLLERR | EventCalls.EPOLLHUP)) != 0;
        if ((ev & (EventCalls.EPOLLIN | EventCalls.EPOLLRDHUP | EventCalls.EPOLLPRI)) != 0 || broken) {
            runTransfers(in, Interests.READ);
            runWatches(in);
        }
        if ((ev & EventCalls.EPOLLOUT) != 0 || broken) {
            runTransfers(in, Interests.WRITE);
        }
        if (in.waiting(Interests.POLL)) {
            runPolls(in, ev);
        }
        interests.dirty(in);
    }

    private void runTransfers(Interest in, int list) {
        for (int budget = BUDGET; budget > 0 && in.waiting(list); budget--) {
            int slot = in.head[list];
            long r = attempt(slot, !in.noNowait);
            if (r == NO_NOWAIT) {
                in.noNowait = true;
                r = attempt(slot, false);
            }
            if (r == AGAIN) {
                return;
            }
            unwait(slot);
            finish(slot, (int) r);
            if (in.noNowait) {
                return; // one plain call per readiness report: a second could wait
            }
        }
    }

    private void runWatches(Interest in) {
        int n = takeSnapshot(in, Interests.WATCH);
        for (int i = 0; i < n; i++) {
            int slot = snapshot[i];
            long token = snapshotTokens[i];
            if (tokens[slot] != token || where[slot] != WAITING + Interests.WATCH) {
                continue; // cancelled by an earlier handler of this round
            }
            long r = attempt(slot, true);
            if (r == AGAIN) {
                continue;
            }
            if (r > 0) {
                sink.complete(token, (int) r, true);
            } else {
                unwait(slot);
                finish(slot, r == NO_NOWAIT ? -Errno.EOPNOTSUPP.code() : (int) r);
            }
        }
    }

    private void runPolls(Interest in, int ev) {
        int n = takeSnapshot(in, Interests.POLL);
        for (int i = 0; i < n; i++) {
            int slot = snapshot[i];
            long token = snapshotTokens[i];
            if (tokens[slot] != token || where[slot] != WAITING + Interests.POLL) {
                continue;
            }
            Op op = ops[slot];
            int fired = ev & (op.flags() | ALWAYS); // epoll and poll bits have the same values
            if (fired == 0) {
                continue;
            }
            if (op.isMultishot()) {
                sink.complete(token, fired, true);
            } else {
                unwait(slot);
                finish(slot, fired);
            }
        }
    }

    private int takeSnapshot(Interest in, int list) {
        int n = interests.snapshot(in, list, snapshot);
        for (int i = 0; i < n; i++) {
            snapshotTokens[i] = tokens[snapshot[i]];
        }
        return n;
    }

    private void fireTimers() {
        long now = System.nanoTime();
        while (timers.size() > 0 && timers.firstDeadline() - now <= 0) {
            int slot = timers.poll();
            if (ops[slot].opcode() == OpCode.TIMEOUT) {
                finish(slot, -Errno.ETIME.code());
            } else if (where[slot] >= WAITING) { // a link timeout expired: cancel, as IORING_OP_LINK_TIMEOUT does
                unwait(slot);
                finish(slot, -ECANCELED);
            } else if (where[slot] == POOL && pool.remove(slot)) {
                finish(slot, -ECANCELED);
            }
        }
    }

    private boolean drainPool() {
        int n = pool.drainDone(done);
        for (int i = 0; i < n; i++) {
            int slot = (int) (done[i] >>> 32);
            int res = (int) done[i];
            if (ops[slot] != null && where[slot] == POOL) {
                if (ops[slot].opcode() == OpCode.CLOSE && res == 0) {
                    interests.closed(fdOf[slot]);
                }
                finish(slot, res);
            }
        }
        return n > 0;
    }

    /** Delivers a final completion now (inside {@link #await}). */
    private void finish(int slot, int res) {
        long token = tokens[slot];
        clear(slot);
        sink.complete(token, res, false);
    }

    /** Queues a final completion for the next delivery (from submit or cancel). */
    private void ready(int slot, int res) {
        timers.remove(slot);
        where[slot] = READY;
        result[slot] = res;
        readyNext[slot] = -1;
        if (readyTail < 0) {
            readyHead = slot;
        } else {
            readyNext[readyTail] = slot;
        }
        readyTail = slot;
    }

    private boolean deliverReady() {
        int s = readyHead;
        boolean any = s >= 0;
        readyHead = -1;
        readyTail = -1;
        while (s >= 0) {
            int n = readyNext[s];
            long token = tokens[s];
            int res = result[s];
            clear(s);
            sink.complete(token, res, false);
            s = n;
        }
        return any;
    }

    private void clear(int slot) {
        timers.remove(slot);
        ops[slot] = null;
        tokens[slot] = 0;
        where[slot] = NONE;
    }

    // Interests.Owner: what a failed registration means for the waiters.

    @Override
    public int pollEvents(int slot) {
        return ops[slot].flags();
    }

    /** Transfers go to the pool; polls complete with what poll(2) reports for such files; watches fail. */
    @Override
    public void notPollable(Interest in) {
        for (int list = Interests.READ; list <= Interests.WATCH; list++) {
            while (in.waiting(list)) {
                int s = in.head[list];
                unwait(s);
                switch (list) {
                    case Interests.READ, Interests.WRITE -> toPool(s);
                    case Interests.POLL -> {
                        int fired = ops[s].flags() & DEFAULT_POLLMASK;
                        ready(s, fired != 0 ? fired : -Errno.EPERM.code());
                    }
                    default -> ready(s, -Errno.EPERM.code());
                }
            }
        }
    }

    @Override
    public void failed(Interest in, int error) {
        LOG.debug("epoll_ctl on fd %d failed: %s", in.fd, Errno.nameOf(-error));
        for (int list = Interests.READ; list <= Interests.WATCH; list++) {
            while (in.waiting(list)) {
                int s = in.head[list];
                unwait(s);
                ready(s, error);
            }
        }
    }

    @Override
    public void wakeup() {
        EventCalls.eventfdWrite(wakeNum, 1);
    }

    @Override
    public void registerFiles(int[] fds) {
        fixedFiles = fds.clone();
    }

    @Override
    public void unregisterFiles() {
        fixedFiles = new int[0];
    }

    @Override
    public void registerBuffers(MemorySegment[] buffers) {
        // Nothing to pin: the loop resolves and bounds-checks fixed buffers before they get here.
    }

    @Override
    public void unregisterBuffers() {
    }

    @Override
    public String describe() {
        return "epoll: non-blocking transfers (RWF_NOWAIT, MSG_DONTWAIT), " + options.poolThreads()
                + " file threads, level-triggered interest synced once per iteration";
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("epoll_wait calls", epollWaits);
        m.put("epoll_ctl calls", interests.ctlCalls());
        m.put("non-blocking attempts", attempts);
        m.put("would block", wouldBlock);
        m.put("pool operations", poolOps);
        return m;
    }

    /** Stops the file workers (after their current calls), then closes epoll and the wake-up eventfd. */
    @Override
    public void close() {
        try {
            pool.close();
        } finally {
            epfd.close();
            wakeFd.close();
            arena.close();
        }
    }
}
