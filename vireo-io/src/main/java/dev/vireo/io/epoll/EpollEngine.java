package dev.vireo.io.epoll;

import dev.vireo.io.EngineKind;
import dev.vireo.io.IoEngine;
import dev.vireo.io.LoopOptions;
import dev.vireo.io.Op;
import dev.vireo.io.OpCode;
import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.EpollEvent;
import dev.vireo.sys.abi.Iovec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The portable engine: the same operations as io_uring, performed with epoll, non-blocking reads
 * and writes, and a pool of threads for blocking file calls. Used when io_uring is missing or
 * forbidden, or when asked for ({@code -Dvireo.io=epoll}).
 *
 * <ul>
 *   <li>Transfers at the current position (offset -1: pipes, sockets, eventfds, terminals) are
 *       tried at once without blocking (preadv2/pwritev2 with RWF_NOWAIT, MSG_DONTWAIT), which
 *       changes nothing in the descriptor's shared flags. If they would block they wait in the
 *       descriptor's FIFO until epoll reports it ready. A file that refuses RWF_NOWAIT (a named
 *       pipe, a terminal) is read or written only after epoll reported it ready, one plain call
 *       per report; one that epoll cannot watch (a regular file) goes to the pool.</li>
 *   <li>Positional transfers (offset &gt;= 0, files) and fsync, fallocate, openat, close, statx
 *       go to the pool ({@link LoopOptions#poolThreads()} platform threads, started on first use).</li>
 *   <li>A descriptor is registered with epoll, level-triggered, only while something waits on it;
 *       interest changes are collected and applied once per iteration, so a handler that
 *       re-submits a read on the same descriptor costs no epoll_ctl. An eventfd watch keeps its
 *       registration: a notification costs epoll_wait plus one read.</li>
 *   <li>TIMEOUT operations and link timeouts live in a heap; epoll_wait's timeout is the nearest
 *       deadline (millisecond resolution, rounded up).</li>
 * </ul>
 */
public final class EpollEngine implements IoEngine {

    private static final Log LOG = Log.of("io");
    private static final int MAX_EVENTS = 256;
    private static final long WAKE = -1;
    private static final int ECANCELED = Errno.ECANCELED.code();
    /** {@link #attempt} results that are not a byte count or -errno. */
    private static final long AGAIN = Long.MIN_VALUE;
    private static final long NO_NOWAIT = Long.MIN_VALUE + 1;
    /** Handlers run per descriptor and event before the loop moves on (fairness). */
    private static final int BUDGET = 64;
    /** Bytes a pipe reported writable accepts without waiting (pipe(7)). */
    private static final long PIPE_BUF = 4096;
    /** poll(2) bits a POLL operation may wait for; ERR, HUP and NVAL are always reported. */
    private static final int POLL_WANT_MASK = 0x3FFF & ~(EventCalls.POLLERR | EventCalls.POLLHUP | EventCalls.POLLNVAL);
    private static final int ALWAYS = EventCalls.POLLERR | EventCalls.POLLHUP | EventCalls.POLLNVAL;
    /** What poll(2) reports for a file without a poll method (the kernel's DEFAULT_POLLMASK). */
    private static final int DEFAULT_POLLMASK = EventCalls.POLLIN | EventCalls.POLLOUT | 0x40 | 0x100;

    // Where a slot's operation is.
    private static final byte NONE = 0;
    private static final byte READY = 1;
    private static final byte READING = 2;
    private static final byte WRITING = 3;
    private static final byte POLLING = 4;
    private static final byte WATCHING = 5;
    private static final byte POOL = 6;
    private static final byte TIMER = 7;

    /** What waits on one descriptor; the lists link slots through {@link #next}. */
    private static final class Interest {
        final int fd;
        int registered;
        int readHead = -1;
        int readTail = -1;
        int writeHead = -1;
        int writeTail = -1;
        int pollHead = -1;
        int watchHead = -1;
        /** The file refused RWF_NOWAIT (a named pipe, a terminal): wait for readiness, then read or write. */
        boolean noNowait;
        boolean dirty;
        Interest nextDirty;

        Interest(int fd) {
            this.fd = fd;
        }
    }

    private final LoopOptions options;
    private final Arena arena = Arena.ofShared();
    private final Fd epfd;
    private final Fd wakeFd;
    private final int epfdNum;
    private final int wakeNum;
    private final MemorySegment events;
    private final MemorySegment ctlEvent;
    private final Op[] ops;
    private final long[] tokens;
    private final int[] next;
    private final byte[] where;
    private final int[] fdOf;
    private final int[] result;
    private final MemorySegment[] iov;
    private final int[] snapSlots;
    private final long[] snapTokens;
    private final long[] done;
    private final TimerHeap timers;
    private final FilePool pool;
    private Interest[] byFd = new Interest[64];
    private Interest dirtyHead;
    private int readyHead = -1;
    private int readyTail = -1;
    private int[] fixedFiles = new int[0];
    private Sink sink;

    private long epollWaits;
    private long epollCtls;
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
        this.ctlEvent = arena.allocate(EpollEvent.LAYOUT);
        this.ops = new Op[capacity];
        this.tokens = new long[capacity];
        this.next = new int[capacity];
        this.where = new byte[capacity];
        this.fdOf = new int[capacity];
        this.result = new int[capacity];
        this.snapSlots = new int[capacity];
        this.snapTokens = new long[capacity];
        this.done = new long[capacity];
        MemorySegment iovs = arena.allocate(Iovec.SIZE * capacity, 8);
        this.iov = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            iov[i] = iovs.asSlice(i * Iovec.SIZE, Iovec.SIZE);
        }
        this.timers = new TimerHeap(capacity);
        this.pool = new FilePool(options.name(), options.poolThreads(), capacity, this::blocking, this::poolDone);
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
            case POLL -> {
                Interest in = interest(fd);
                where[slot] = POLLING;
                next[slot] = in.pollHead;
                in.pollHead = slot;
                dirty(in);
            }
            case EVENTFD_WATCH -> {
                Interest in = interest(fd);
                where[slot] = WATCHING;
                next[slot] = in.watchHead;
                in.watchHead = slot;
                dirty(in);
            }
            case FSYNC, FALLOCATE, OPENAT, CLOSE, STATX -> toPool(slot);
        }
        if (op.linkTimeoutNanos() > 0 && where[slot] != READY) {
            timers.add(slot, System.nanoTime() + op.linkTimeoutNanos());
        }
        return true;
    }

    /** A transfer at the current position: try it now, else wait for readiness in FIFO order. */
    private void stream(int slot, int fd) {
        Interest in = interest(fd);
        boolean write = ops[slot].opcode().isWrite();
        if ((write ? in.writeHead : in.readHead) < 0 && !in.noNowait) {
            long r = attempt(slot, true);
            if (r == NO_NOWAIT) {
                in.noNowait = true; // remembered for the descriptor: no exception per operation
            } else if (r != AGAIN) {
                ready(slot, (int) r);
                return;
            }
        }
        next[slot] = -1;
        if (write) {
            where[slot] = WRITING;
            if (in.writeTail < 0) {
                in.writeHead = slot;
            } else {
                next[in.writeTail] = slot;
            }
            in.writeTail = slot;
        } else {
            where[slot] = READING;
            if (in.readTail < 0) {
                in.readHead = slot;
            } else {
                next[in.readTail] = slot;
            }
            in.readTail = slot;
        }
        dirty(in);
    }

    /**
     * One try of a transfer: bytes, {@code -errno}, {@link #AGAIN} when it would block, or
     * {@link #NO_NOWAIT} when the file does not support RWF_NOWAIT.
     *
     * <p>With {@code nowait} false (a file without RWF_NOWAIT support, after epoll reported it
     * ready) the plain call is made: a read returns what the pipe or terminal holds, and a write
     * is cut to PIPE_BUF bytes, which a pipe reported writable always takes without waiting
     * (pipe(7)); a short write is a valid result for a stream. Only another process racing for the
     * same data could make such a read wait.
     */
    private long attempt(int slot, boolean nowait) {
        Op op = ops[slot];
        int fd = fdOf[slot];
        MemorySegment v = iov[slot];
        attempts++;
        try {
            long r = switch (op.opcode()) {
                case READ, READ_FIXED, EVENTFD_WATCH -> {
                    Iovec.set(v, 0, op.address(), op.length());
                    yield nowait ? FdCalls.tryPreadv2(fd, v, 1, -1, FdCalls.RWF_NOWAIT) : FdCalls.readv(fd, v, 1);
                }
                case WRITE, WRITE_FIXED -> {
                    Iovec.set(v, 0, op.address(), nowait ? op.length() : Math.min(op.length(), PIPE_BUF));
                    yield nowait ? FdCalls.tryPwritev2(fd, v, 1, -1, FdCalls.RWF_NOWAIT) : FdCalls.writev(fd, v, 1);
                }
                case READV -> nowait ? FdCalls.tryPreadv2(fd, op.memory(), op.count(), -1, FdCalls.RWF_NOWAIT)
                        : FdCalls.readv(fd, op.memory(), op.count());
                case WRITEV -> {
                    if (nowait) {
                        yield FdCalls.tryPwritev2(fd, op.memory(), op.count(), -1, FdCalls.RWF_NOWAIT);
                    }
                    Iovec.set(v, 0, Iovec.base(op.memory(), 0), Math.min(Iovec.len(op.memory(), 0), PIPE_BUF));
                    yield FdCalls.writev(fd, v, 1);
                }
                case RECVMSG -> SocketCalls.tryRecvmsg(fd, op.memory(), op.flags());
                case SENDMSG -> SocketCalls.trySendmsg(fd, op.memory(), op.flags());
                default -> throw new IllegalStateException("not a transfer: " + op);
            };
            if (r == -1) {
                wouldBlock++;
                return AGAIN;
            }
            return r;
        } catch (SysException e) {
            if (e.is(Errno.EAGAIN)) {
                wouldBlock++;
                return AGAIN; // an O_NONBLOCK descriptor on the plain path
            }
            return e.is(Errno.EOPNOTSUPP) && nowait ? NO_NOWAIT : -e.errno();
        }
    }

    /** Runs on a file worker: the blocking form of the slot's operation. */
    private int blocking(int slot) {
        Op op = ops[slot];
        int fd = fdOf[slot];
        MemorySegment v = iov[slot];
        long off = op.offset();
        try {
            long r = switch (op.opcode()) {
                case READ, READ_FIXED -> {
                    Iovec.set(v, 0, op.address(), op.length());
                    yield off >= 0 ? FdCalls.preadv(fd, v, 1, off) : FdCalls.readv(fd, v, 1);
                }
                case WRITE, WRITE_FIXED -> {
                    Iovec.set(v, 0, op.address(), op.length());
                    yield off >= 0 ? FdCalls.pwritev(fd, v, 1, off) : FdCalls.writev(fd, v, 1);
                }
                case READV -> off >= 0 ? FdCalls.preadv(fd, op.memory(), op.count(), off) : FdCalls.readv(fd, op.memory(), op.count());
                case WRITEV -> off >= 0 ? FdCalls.pwritev(fd, op.memory(), op.count(), off) : FdCalls.writev(fd, op.memory(), op.count());
                case FSYNC -> {
                    if (op.flags() != 0) {
                        FdCalls.fdatasync(fd);
                    } else {
                        FdCalls.fsync(fd);
                    }
                    yield 0;
                }
                case FALLOCATE -> {
                    FdCalls.fallocate(fd, op.mode(), op.offset(), op.fallocateLength());
                    yield 0;
                }
                case OPENAT -> FsCalls.openat(fd, op.memory(), op.flags(), op.mode());
                case CLOSE -> {
                    FdCalls.close(fd);
                    yield 0;
                }
                case STATX -> {
                    FsCalls.statx(fd, op.memory(), op.flags(), op.mode(), op.auxiliary());
                    yield 0;
                }
                default -> -Errno.EINVAL.code();
            };
            return (int) r;
        } catch (SysException e) {
            return -e.errno();
        }
    }

    private void toPool(int slot) {
        where[slot] = POOL;
        poolOps++;
        pool.submit(slot);
    }

    private void poolDone() {
        sink.wakeup();
    }

    @Override
    public void cancel(Op op, long token) {
        int slot = (int) token;
        if (tokens[slot] != token || ops[slot] == null) {
            return;
        }
        switch (where[slot]) {
            case READING, WRITING, POLLING, WATCHING -> {
                unlink(interest(fdOf[slot]), slot);
                ready(slot, -ECANCELED);
            }
            case TIMER -> ready(slot, -ECANCELED);
            case POOL -> {
                if (pool.remove(slot)) {
                    ready(slot, -ECANCELED);
                }
                // else a worker runs it: it completes with its result, as io_uring's would
            }
            default -> {
                // READY: its result is on the way
            }
        }
    }

    @Override
    public void await(boolean block) {
        // Handlers run here may have submitted, cancelled or closed: having delivered anything
        // means the loop has new work, so this round must not sleep.
        boolean delivered = deliverReady() | drainPool();
        syncInterest();
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
            int ev = EpollEvent.events(events, i);
            if (data == WAKE) {
                EventCalls.eventfdRead(wakeNum);
            } else {
                onEvent((int) data, ev);
            }
        }
        drainPool();
        fireTimers();
        deliverReady();
    }

    private void onEvent(int fd, int ev) {
        Interest in = fd < byFd.length ? byFd[fd] : null;
        if (in == null || in.registered == 0) {
            return; // a registration we no longer track; syncInterest removes what we do track
        }
        boolean broken = (ev & (EventCalls.EPOLLERR | EventCalls.EPOLLHUP)) != 0;
        if ((ev & (EventCalls.EPOLLIN | EventCalls.EPOLLRDHUP | EventCalls.EPOLLPRI)) != 0 || broken) {
            runTransfers(in, false);
            runWatches(in);
        }
        if ((ev & EventCalls.EPOLLOUT) != 0 || broken) {
            runTransfers(in, true);
        }
        if (in.pollHead >= 0) {
            runPolls(in, ev);
        }
        dirty(in);
    }

    private void runTransfers(Interest in, boolean write) {
        for (int budget = BUDGET; budget > 0; budget--) {
            int slot = write ? in.writeHead : in.readHead;
            if (slot < 0) {
                return;
            }
            long r = attempt(slot, !in.noNowait);
            if (r == NO_NOWAIT) {
                in.noNowait = true;
                r = attempt(slot, false);
            }
            if (r == AGAIN) {
                return;
            }
            unlink(in, slot);
            finish(slot, (int) r);
            if (in.noNowait) {
                return; // one plain call per readiness report: a second could wait
            }
        }
    }

    private void runWatches(Interest in) {
        int n = snapshot(in.watchHead);
        for (int i = 0; i < n; i++) {
            int slot = snapSlots[i];
            long token = snapTokens[i];
            if (tokens[slot] != token || where[slot] != WATCHING) {
                continue; // cancelled by an earlier handler of this round
            }
            long r = attempt(slot, true);
            if (r == AGAIN) {
                continue;
            }
            if (r > 0) {
                sink.complete(token, (int) r, true);
            } else {
                unlink(in, slot);
                finish(slot, r == NO_NOWAIT ? -Errno.EOPNOTSUPP.code() : (int) r);
            }
        }
    }

    private void runPolls(Interest in, int ev) {
        int n = snapshot(in.pollHead);
        for (int i = 0; i < n; i++) {
            int slot = snapSlots[i];
            long token = snapTokens[i];
            if (tokens[slot] != token || where[slot] != POLLING) {
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
                unlink(in, slot);
                finish(slot, fired);
            }
        }
    }

    private int snapshot(int head) {
        int n = 0;
        for (int s = head; s >= 0; s = next[s]) {
            snapSlots[n] = s;
            snapTokens[n++] = tokens[s];
        }
        return n;
    }

    private void fireTimers() {
        long now = System.nanoTime();
        while (timers.size() > 0 && timers.firstDeadline() - now <= 0) {
            int slot = timers.poll();
            Op op = ops[slot];
            if (op.opcode() == OpCode.TIMEOUT) {
                finish(slot, -Errno.ETIME.code());
                continue;
            }
            // A link timeout expired: cancel the operation, as IORING_OP_LINK_TIMEOUT does.
            switch (where[slot]) {
                case READING, WRITING, POLLING -> {
                    unlink(interest(fdOf[slot]), slot);
                    finish(slot, -ECANCELED);
                }
                case POOL -> {
                    if (pool.remove(slot)) {
                        finish(slot, -ECANCELED);
                    }
                }
                default -> {
                }
            }
        }
    }

    private boolean drainPool() {
        int n = pool.drainDone(done);
        for (int i = 0; i < n; i++) {
            int slot = (int) (done[i] >>> 32);
            int res = (int) done[i];
            if (ops[slot] != null && where[slot] == POOL) {
                if (ops[slot].opcode() == OpCode.CLOSE && res == 0 && fdOf[slot] < byFd.length && byFd[fdOf[slot]] != null) {
                    Interest in = byFd[fdOf[slot]];
                    in.registered = 0; // closing the last reference removed it from the epoll set
                    in.noNowait = false; // the number will name another file
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
        next[slot] = -1;
        if (readyTail < 0) {
            readyHead = slot;
        } else {
            next[readyTail] = slot;
        }
        readyTail = slot;
    }

    private boolean deliverReady() {
        int s = readyHead;
        boolean any = s >= 0;
        readyHead = -1;
        readyTail = -1;
        while (s >= 0) {
            int n = next[s];
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

    // ---------------------------------------------------------------------------------------------
    // Interest bookkeeping.

    private Interest interest(int fd) {
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        Interest in = byFd[fd];
        if (in == null) {
            in = new Interest(fd);
            byFd[fd] = in;
        }
        return in;
    }

    private void dirty(Interest in) {
        if (!in.dirty) {
            in.dirty = true;
            in.nextDirty = dirtyHead;
            dirtyHead = in;
        }
    }

    private void unlink(Interest in, int slot) {
        switch (where[slot]) {
            case READING -> {
                int prev = unlinkFrom(in.readHead, slot);
                if (prev == -2) {
                    in.readHead = next[slot];
                }
                if (in.readTail == slot) {
                    in.readTail = prev < 0 ? -1 : prev;
                }
            }
            case WRITING -> {
                int prev = unlinkFrom(in.writeHead, slot);
                if (prev == -2) {
                    in.writeHead = next[slot];
                }
                if (in.writeTail == slot) {
                    in.writeTail = prev < 0 ? -1 : prev;
                }
            }
            case POLLING -> {
                if (unlinkFrom(in.pollHead, slot) == -2) {
                    in.pollHead = next[slot];
                }
            }
            case WATCHING -> {
                if (unlinkFrom(in.watchHead, slot) == -2) {
                    in.watchHead = next[slot];
                }
            }
            default -> throw new IllegalStateException("slot " + slot + " waits on no descriptor");
        }
        where[slot] = NONE;
        dirty(in);
    }

    /**
     * Unlinks {@code slot} from the list starting at {@code head}: returns -2 when it was the head
     * (the caller moves the head), else its predecessor, whose link is updated here.
     */
    private int unlinkFrom(int head, int slot) {
        if (head == slot) {
            return -2;
        }
        for (int p = head; p >= 0; p = next[p]) {
            if (next[p] == slot) {
                next[p] = next[slot];
                return p;
            }
        }
        throw new IllegalStateException("slot " + slot + " is not in its list");
    }

    /** Brings each changed descriptor's epoll registration in line with what waits on it. */
    private void syncInterest() {
        Interest in = dirtyHead;
        dirtyHead = null;
        while (in != null) {
            Interest n = in.nextDirty;
            in.nextDirty = null;
            in.dirty = false;
            sync(in);
            in = n;
        }
    }

    private void sync(Interest in) {
        int want = 0;
        if (in.readHead >= 0 || in.watchHead >= 0) {
            want |= EventCalls.EPOLLIN;
        }
        if (in.writeHead >= 0) {
            want |= EventCalls.EPOLLOUT;
        }
        for (int p = in.pollHead; p >= 0; p = next[p]) {
            want |= ops[p].flags() & POLL_WANT_MASK;
        }
        if (want == in.registered) {
            return;
        }
        try {
            if (want == 0) {
                ctl(EventCalls.EPOLL_CTL_DEL, in.fd, 0);
            } else if (in.registered == 0) {
                try {
                    ctl(EventCalls.EPOLL_CTL_ADD, in.fd, want);
                } catch (SysException e) {
                    if (!e.is(Errno.EEXIST)) {
                        throw e;
                    }
                    ctl(EventCalls.EPOLL_CTL_MOD, in.fd, want);
                }
            } else {
                try {
                    ctl(EventCalls.EPOLL_CTL_MOD, in.fd, want);
                } catch (SysException e) {
                    if (!e.is(Errno.ENOENT)) {
                        throw e;
                    }
                    ctl(EventCalls.EPOLL_CTL_ADD, in.fd, want); // the descriptor was closed and its number reused
                }
            }
            in.registered = want;
        } catch (SysException e) {
            in.registered = 0;
            if (want == 0) {
                return; // already gone (closed): nothing to remove
            }
            if (e.is(Errno.EPERM)) {
                notPollable(in);
            } else {
                failAll(in, -e.errno());
            }
        }
    }

    private void ctl(int op, int fd, int events) {
        epollCtls++;
        EpollEvent.set(ctlEvent, events, fd);
        EventCalls.epollCtl(epfdNum, op, fd, op == EventCalls.EPOLL_CTL_DEL ? MemorySegment.NULL : ctlEvent);
    }

    /**
     * epoll refuses regular files and directories (EPERM): they are always ready. Transfers go to
     * the pool; polls complete with what poll(2) reports for such files; watches fail.
     */
    private void notPollable(Interest in) {
        while (in.readHead >= 0) {
            int s = in.readHead;
            unlink(in, s);
            toPool(s);
        }
        while (in.writeHead >= 0) {
            int s = in.writeHead;
            unlink(in, s);
            toPool(s);
        }
        while (in.pollHead >= 0) {
            int s = in.pollHead;
            unlink(in, s);
            int fired = ops[s].flags() & DEFAULT_POLLMASK;
            ready(s, fired != 0 ? fired : -Errno.EPERM.code());
        }
        while (in.watchHead >= 0) {
            int s = in.watchHead;
            unlink(in, s);
            ready(s, -Errno.EPERM.code());
        }
    }

    private void failAll(Interest in, int error) {
        LOG.debug("epoll_ctl on fd %d failed: %s", in.fd, Errno.nameOf(-error));
        while (in.readHead >= 0) {
            int s = in.readHead;
            unlink(in, s);
            ready(s, error);
        }
        while (in.writeHead >= 0) {
            int s = in.writeHead;
            unlink(in, s);
            ready(s, error);
        }
        while (in.pollHead >= 0) {
            int s = in.pollHead;
            unlink(in, s);
            ready(s, error);
        }
        while (in.watchHead >= 0) {
            int s = in.watchHead;
            unlink(in, s);
            ready(s, error);
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
        m.put("epoll_ctl calls", epollCtls);
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
