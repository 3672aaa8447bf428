package dev.vireo.io.uring;

import dev.vireo.io.EngineKind;
import dev.vireo.io.IoEngine;
import dev.vireo.io.LoopOptions;
import dev.vireo.io.Op;
import dev.vireo.io.OpCode;
import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.IoUringCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.KernelTimespec;
import dev.vireo.sys.abi.uring.IoUring;
import dev.vireo.sys.abi.uring.IoUringSqe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The io_uring engine. Operations become SQEs written straight into the mapped submission queue
 * (no allocation), tagged with their token as {@code user_data}; one io_uring_enter(2) per loop
 * iteration submits them all and waits for completions, which are routed back by token.
 *
 * <p>Setup: the ring is created on the loop thread with IORING_SETUP_SINGLE_ISSUER and
 * DEFER_TASKRUN when the kernel accepts them (completions are then produced only while the loop
 * asks for them, with no interrupting task work), else COOP_TASKRUN, else plain; SUBMIT_ALL
 * when available; SQPOLL when asked. IORING_FEAT_NODROP is required: when the completion queue is
 * full the kernel keeps completions on an overflow list and raises IORING_SQ_CQ_OVERFLOW; the
 * engine then flushes it with io_uring_enter(GETEVENTS) after draining, so no completion is lost.
 * A full submission queue is flushed (submitted without waiting) and the preparation retried;
 * if it is still full, the loop keeps the operation until the next iteration.
 *
 * <p>Eventfd watches are READs re-armed after each completion (the count is delivered first, so
 * the buffer is never overwritten under the handler); multishot polls use IORING_POLL_ADD_MULTI
 * when the kernel keeps them armed, and are re-armed by the engine when it does not. Cancellation
 * is IORING_OP_ASYNC_CANCEL by token; link timeouts are IOSQE_IO_LINK + IORING_OP_LINK_TIMEOUT.
 * The loop is woken from other threads through an eventfd whose read the engine keeps in flight.
 */
public final class UringEngine implements IoEngine {

    private static final Log LOG = Log.of("io");
    private static final int ECANCELED = Errno.ECANCELED.code();
    private static final int ENOBUFS = Errno.ENOBUFS.code();
    /** Cancellation requested for the slot's operation. */
    private static final byte CANCELLED = 1;
    /** A re-arm is waiting for room in the submission queue. */
    private static final byte REARM_WAITING = 2;
    /** An ASYNC_CANCEL is waiting for room in the submission queue. */
    private static final byte CANCEL_WAITING = 4;
    /** The slot is in {@link #retry}. */
    private static final byte LISTED = 8;
    private final Probe probe;
    private final Ring ring;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;
    private final MemorySegment sqes;
    private final boolean sqPoll;
    private final boolean multishotPoll;
    /** Buffers for multishot eventfd reads; null: watches are re-armed READs. */
    private final WatchBuffers watchBuffers;
    private final String description;
    private final Arena arena = Arena.ofShared();
    /** Two __kernel_timespec per slot: the TIMEOUT's and the LINK_TIMEOUT's. */
    private final MemorySegment[] timespecs;
    private final Op[] ops;
    private final long[] tokens;
    private final byte[] state;
    private final int[] retry;
    private int retryCount;
    private final Fd wakeFd;
    private final int wakeFdNum;
    private final MemorySegment wakeBuf;
    private boolean wakeArmed;
    private boolean wakeRearmWaiting;
    private boolean closing;
    private boolean filesRegistered;
    private boolean buffersRegistered;
    private Sink sink;
    /** Created once: a method reference per drain would be garbage per loop iteration. */
    private final CompletionQueue.Handler handler = this::completion;

    private long enters;
    private long sqFull;
    private long overflowFlushes;
    private long busy;
    private long cqes;
    private long staleCqes;
    private long rearms;

    /** Creates the ring; call on the loop thread. */
    public UringEngine(LoopOptions options, Probe probe) {
        this(options, probe, 256);
    }

    /**
     * As {@link #UringEngine(LoopOptions, Probe)}, with {@code watchBufferCount} (a power of two)
     * provided buffers for multishot eventfd reads: few buffers make the kernel end multishot
     * reads with ENOBUFS, which is how the re-arm path is tested.
     */
    public UringEngine(LoopOptions options, Probe probe, int watchBufferCount) {
        this.probe = probe;
        this.ring = createRing(options, probe);
        try {
            this.sq = ring.sq();
            this.cq = ring.cq();
            this.sqes = sq.sqes();
            this.sqPoll = (ring.setupFlags() & IoUring.IORING_SETUP_SQPOLL) != 0;
            this.multishotPoll = probe.multishotPoll();
            this.watchBuffers = probe.supports(IoUring.IORING_OP_READ_MULTISHOT) ? watchBuffers(ring, watchBufferCount) : null;
            int capacity = options.capacity();
            this.ops = new Op[capacity];
            this.tokens = new long[capacity];
            this.state = new byte[capacity];
            this.retry = new int[capacity];
            MemorySegment ts = arena.allocate(KernelTimespec.LAYOUT.byteSize() * 2 * capacity, 8);
            this.timespecs = new MemorySegment[2 * capacity];
            for (int i = 0; i < timespecs.length; i++) {
                timespecs[i] = ts.asSlice(i * KernelTimespec.LAYOUT.byteSize(), KernelTimespec.LAYOUT);
            }
            this.wakeBuf = arena.allocate(JAVA_LONG);
            this.wakeFd = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
            this.wakeFdNum = wakeFd.num();
            this.description = "io_uring: " + ring.sqEntries() + " SQ / " + ring.cqEntries() + " CQ entries, setup flags "
                    + Probe.setupFlagNames(ring.setupFlags()) + ", features " + Probe.featureNames(ring.features())
                    + ", multishot poll " + (multishotPoll ? "native" : "re-armed")
                    + ", eventfd watches " + (watchBuffers != null ? "READ_MULTISHOT" : "re-armed READ");
        } catch (RuntimeException | Error e) {
            ring.close();
            arena.close();
            throw e;
        }
    }

    private static WatchBuffers watchBuffers(Ring ring, int count) {
        if (count <= 0 || Integer.bitCount(count) != 1 || count > 32768) {
            throw new IllegalArgumentException("watch buffers: a power of two up to 32768, not " + count);
        }
        try {
            return WatchBuffers.register(ring.fd(), count);
        } catch (SysException e) {
            LOG.debug("no provided-buffer ring (%s): eventfd watches re-arm a READ", e.getMessage());
            return null;
        }
    }

    private static Ring createRing(LoopOptions options, Probe probe) {
        int all = probe.submitAll() ? IoUring.IORING_SETUP_SUBMIT_ALL : 0;
        int[] attempts;
        if (options.sqPoll()) {
            attempts = new int[] {IoUring.IORING_SETUP_SQPOLL | all};
        } else if (options.optionalFlags()) {
            attempts = new int[] {
                    all | IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN | IoUring.IORING_SETUP_TASKRUN_FLAG,
                    all | IoUring.IORING_SETUP_COOP_TASKRUN | IoUring.IORING_SETUP_TASKRUN_FLAG,
                    all,
                    0};
        } else {
            attempts = new int[] {0};
        }
        SysException last = null;
        for (int flags : attempts) {
            try {
                return Ring.create(options.ringEntries(), options.completionEntries(), flags, options.sqPollIdleMillis());
            } catch (SysException e) {
                if (!e.is(Errno.EINVAL)) {
                    throw e;
                }
                last = e; // an older kernel: try fewer flags
            }
        }
        throw last;
    }

    @Override
    public EngineKind kind() {
        return EngineKind.IO_URING;
    }

    @Override
    public void start(Sink sink) {
        this.sink = sink;
        armWake();
    }

    @Override
    public boolean supports(OpCode code) {
        return probe.supports(opcode(code));
    }

    private static int opcode(OpCode code) {
        return switch (code) {
            case NOP -> IoUring.IORING_OP_NOP;
            case READ, EVENTFD_WATCH -> IoUring.IORING_OP_READ;
            case WRITE -> IoUring.IORING_OP_WRITE;
            case READV -> IoUring.IORING_OP_READV;
            case WRITEV -> IoUring.IORING_OP_WRITEV;
            case READ_FIXED -> IoUring.IORING_OP_READ_FIXED;
            case WRITE_FIXED -> IoUring.IORING_OP_WRITE_FIXED;
            case POLL -> IoUring.IORING_OP_POLL_ADD;
            case TIMEOUT -> IoUring.IORING_OP_TIMEOUT;
            case FSYNC -> IoUring.IORING_OP_FSYNC;
            case FALLOCATE -> IoUring.IORING_OP_FALLOCATE;
            case OPENAT -> IoUring.IORING_OP_OPENAT;
            case CLOSE -> IoUring.IORING_OP_CLOSE;
            case STATX -> IoUring.IORING_OP_STATX;
            case SENDMSG -> IoUring.IORING_OP_SENDMSG;
            case RECVMSG -> IoUring.IORING_OP_RECVMSG;
        };
    }

    @Override
    public boolean submit(Op op, long token) {
        int need = op.linkTimeoutNanos() > 0 ? 2 : 1; // a link must not be split by a flush
        if (!room(need)) {
            return false;
        }
        int slot = UserData.slot(token);
        ops[slot] = op;
        tokens[slot] = token;
        state[slot] &= LISTED; // a stale retry entry may still name this slot; keep it listed once
        prepare(op, slot, token, true);
        return true;
    }

    /** Writes the SQE(s) of {@code op}; room was checked. */
    private void prepare(Op op, int slot, long token, boolean withLink) {
        long at = sq.next();
        int fd = op.fd();
        switch (op.opcode()) {
            case NOP -> IoUringSqe.prep(sqes, at, IoUring.IORING_OP_NOP, -1, 0, 0, 0);
            case READ -> IoUringSqe.prep(sqes, at, IoUring.IORING_OP_READ, fd, op.address(), (int) op.length(), op.offset());
            case WRITE -> IoUringSqe.prep(sqes, at, IoUring.IORING_OP_WRITE, fd, op.address(), (int) op.length(), op.offset());
            case READV -> IoUringSqe.prep(sqes, at, IoUring.IORING_OP_READV, fd, op.address(), op.count(), op.offset());
            case WRITEV -> IoUringSqe.prep(sqes, at, IoUring.IORING_OP_WRITEV, fd, op.address(), op.count(), op.offset());
            case READ_FIXED, WRITE_FIXED -> {
                int code = op.opcode() == OpCode.READ_FIXED ? IoUring.IORING_OP_READ_FIXED : IoUring.IORING_OP_WRITE_FIXED;
                IoUringSqe.prep(sqes, at, code, fd, op.address(), (int) op.length(), op.offset());
                IoUringSqe.bufIndex(sqes, at, op.bufferIndex());
            }
            case POLL -> {
                int len = op.isMultishot() && multishotPoll ? IoUring.IORING_POLL_ADD_MULTI : 0;
                IoUringSqe.prep(sqes, at, IoUring.IORING_OP_POLL_ADD, fd, 0, len, 0);
                IoUringSqe.opFlags(sqes, at, op.flags()); // poll32_events, little-endian like the CPU
            }
            case TIMEOUT -> {
                MemorySegment ts = timespecs[2 * slot];
                KernelTimespec.setNanos(ts, op.timeoutNanos());
                IoUringSqe.prep(sqes, at, IoUring.IORING_OP_TIMEOUT, -1, ts.address(), 1, 0);
            }
            case FSYNC -> {
                IoUringSqe.prep(sqes, at, IoUring.IORING_OP_FSYNC, fd, 0, 0, 0);
                IoUringSqe.opFlags(sqes, at, op.flags() != 0 ? IoUring.IORING_FSYNC_DATASYNC : 0);
            }
            // liburing's io_uring_prep_fallocate: len carries the mode, addr the length.
            case FALLOCATE -> IoUringSqe.prep(sqes, at, IoUring.IORING_OP_FALLOCATE, fd, op.fallocateLength(), op.mode(), op.offset());
            case OPENAT -> {
                IoUringSqe.prep(sqes, at, IoUring.IORING_OP_OPENAT, fd, op.address(), op.mode(), 0);
                IoUringSqe.opFlags(sqes, at, op.flags());
            }
            case CLOSE -> IoUringSqe.prep(sqes, at, IoUring.IORING_OP_CLOSE, fd, 0, 0, 0);
            case STATX -> {
                // liburing's io_uring_prep_statx: len carries the mask, off the statx buffer.
                IoUringSqe.prep(sqes, at, IoUring.IORING_OP_STATX, fd, op.address(), op.mode(), op.auxiliary().address());
                IoUringSqe.opFlags(sqes, at, op.flags());
            }
            case SENDMSG, RECVMSG -> {
                int code = op.opcode() == OpCode.SENDMSG ? IoUring.IORING_OP_SENDMSG : IoUring.IORING_OP_RECVMSG;
                IoUringSqe.prep(sqes, at, code, fd, op.address(), 1, 0);
                IoUringSqe.opFlags(sqes, at, op.flags());
            }
            case EVENTFD_WATCH -> {
                if (watchBuffers == null) {
                    IoUringSqe.prep(sqes, at, IoUring.IORING_OP_READ, fd, op.address(), 8, -1);
                } else {
                    // addr and len 0: the kernel picks an 8-byte buffer of the group each time.
                    IoUringSqe.prep(sqes, at, IoUring.IORING_OP_READ_MULTISHOT, fd, 0, 0, -1);
                    IoUringSqe.bufIndex(sqes, at, WatchBuffers.GROUP); // buf_group shares the field
                }
            }
        }
        IoUringSqe.userData(sqes, at, token);
        int flags = op.isFixedFile() ? IoUring.IOSQE_FIXED_FILE : 0;
        if (op.opcode() == OpCode.EVENTFD_WATCH && watchBuffers != null) {
            flags |= IoUring.IOSQE_BUFFER_SELECT;
        }
        if (withLink && op.linkTimeoutNanos() > 0) {
            IoUringSqe.flags(sqes, at, flags | IoUring.IOSQE_IO_LINK);
            MemorySegment ts = timespecs[2 * slot + 1];
            KernelTimespec.setNanos(ts, op.linkTimeoutNanos());
            long lt = sq.next();
            IoUringSqe.prep(sqes, lt, IoUring.IORING_OP_LINK_TIMEOUT, -1, ts.address(), 1, 0);
            IoUringSqe.userData(sqes, lt, UserData.LINK_TIMEOUT);
        } else if (flags != 0) {
            IoUringSqe.flags(sqes, at, flags);
        }
    }

    @Override
    public void cancel(Op op, long token) {
        int slot = UserData.slot(token);
        if (tokens[slot] != token || ops[slot] == null) {
            return;
        }
        state[slot] |= CANCELLED;
        if ((state[slot] & REARM_WAITING) != 0) {
            return; // not in the kernel: the retry pass finishes it
        }
        if (!prepareCancel(token)) {
            state[slot] |= CANCEL_WAITING;
            listRetry(slot);
        }
    }

    private boolean prepareCancel(long target) {
        if (!room(1)) {
            return false;
        }
        long at = sq.next();
        IoUringSqe.prep(sqes, at, IoUring.IORING_OP_ASYNC_CANCEL, -1, target, 0, 0);
        IoUringSqe.userData(sqes, at, UserData.CANCEL);
        return true;
    }

    @Override
    public void await(boolean block) {
        // A completion delivered by the retry pass means the loop has new work: do not sleep.
        boolean wait = !retryWaiting() && block && !cq.ready();
        enter(wait ? 1 : 0, false);
        drain();
        // IORING_FEAT_NODROP: completions that did not fit wait on the kernel's overflow list;
        // GETEVENTS moves them into the queue as it empties. Bounded so that one flood cannot
        // keep the loop from its other work; the flag is checked again next iteration.
        for (int round = 0; round < 16 && (sq.flags(false) & IoUring.IORING_SQ_CQ_OVERFLOW) != 0; round++) {
            overflowFlushes++;
            enter(0, true);
            drain();
        }
    }

    /**
     * Submits what is prepared and, with {@code minComplete} 1, waits for a completion.
     * {@code force} enters even when there is nothing to submit or wait for.
     */
    private void enter(int minComplete, boolean force) {
        int toSubmit = sq.publish();
        int flags = IoUring.IORING_ENTER_GETEVENTS;
        if (sqPoll) {
            // The kernel thread submits; enter only to wake it or to wait (io_uring_enter(2), SQPOLL).
            if ((sq.flags(true) & IoUring.IORING_SQ_NEED_WAKEUP) != 0) {
                flags |= IoUring.IORING_ENTER_SQ_WAKEUP;
            } else if (minComplete == 0 && !force) {
                return;
            }
            toSubmit = 0;
        } else if (toSubmit == 0 && minComplete == 0 && !force
                && (sq.flags(false) & IoUring.IORING_SQ_TASKRUN) == 0) {
            return; // nothing to submit, no waiting, no deferred task work to run
        }
        enters++;
        try {
            IoUringCalls.enterInterruptible(ring.fd(), toSubmit, minComplete, flags);
        } catch (SysException e) {
            // EBUSY/EAGAIN: the kernel is short of memory or its overflow list must drain first;
            // the caller drains, and the next iteration retries.
            if (e.is(Errno.EBUSY) || e.is(Errno.EAGAIN)) {
                busy++;
                return;
            }
            throw e;
        }
    }

    private void drain() {
        cq.drain(handler, cq.entries());
    }

    /** A full submission queue: submit what it holds now, without waiting. */
    private boolean room(int n) {
        if (sq.hasRoom(n)) {
            return true;
        }
        sqFull++;
        if (sqPoll) {
            enter(0, true);
            if (!sq.hasRoom(n)) {
                try {
                    enters++;
                    IoUringCalls.enterInterruptible(ring.fd(), 0, 0, IoUring.IORING_ENTER_SQ_WAIT);
                } catch (SysException e) {
                    busy++;
                }
            }
        } else {
            int toSubmit = sq.publish();
            enters++;
            try {
                IoUringCalls.enterInterruptible(ring.fd(), toSubmit, 0, 0);
            } catch (SysException e) {
                if (!e.is(Errno.EBUSY) && !e.is(Errno.EAGAIN)) {
                    throw e;
                }
                busy++;
            }
        }
        return sq.hasRoom(n);
    }

    private void completion(long userData, int res, int flags) {
        cqes++;
        if (UserData.isInternal(userData)) {
            internal(userData, res);
            return;
        }
        int slot = UserData.slot(userData);
        if (slot < 0 || slot >= ops.length || tokens[slot] != userData || ops[slot] == null) {
            staleCqes++;
            return;
        }
        Op op = ops[slot];
        switch (op.opcode()) {
            case EVENTFD_WATCH -> watchCompletion(slot, op, userData, res, flags);
            case POLL -> {
                if (!op.isMultishot()) {
                    finish(slot, userData, res);
                } else if ((flags & IoUring.IORING_CQE_F_MORE) != 0) {
                    sink.complete(userData, res, true);
                } else if (res >= 0 && (state[slot] & CANCELLED) == 0) {
                    again(slot, op, userData, res, true); // the kernel ended the multishot (or has none): keep it armed
                } else {
                    finish(slot, userData, res);
                }
            }
            default -> finish(slot, userData, res);
        }
    }

    /**
     * A watch's read completed. With READ_MULTISHOT the count is in a provided buffer: copied
     * into the watch's counter and the buffer recycled at once. Completions with
     * IORING_CQE_F_MORE leave the read armed; a last one with data, or ENOBUFS, means the kernel
     * ended it, and the engine re-arms. With re-armed READs every completion ends the read.
     */
    private void watchCompletion(int slot, Op op, long token, int res, int flags) {
        if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
            int bid = flags >>> IoUring.IORING_CQE_BUFFER_SHIFT;
            op.memory().set(JAVA_LONG, op.memoryOffset(), watchBuffers.count(bid));
            watchBuffers.recycle(bid);
        }
        boolean cancelled = (state[slot] & CANCELLED) != 0;
        if ((flags & IoUring.IORING_CQE_F_MORE) != 0) {
            if (res > 0) {
                sink.complete(token, res, true);
            }
        } else if (!cancelled && (res > 0 || res == -ENOBUFS)) {
            again(slot, op, token, res, res > 0);
        } else {
            finish(slot, token, res);
        }
    }

    /** Delivers a completion of a multishot op (if {@code deliver}), then re-arms it unless it was cancelled meanwhile. */
    private void again(int slot, Op op, long token, int res, boolean deliver) {
        if (deliver) {
            sink.complete(token, res, true);
        }
        if (tokens[slot] != token) {
            return;
        }
        rearms++;
        if ((state[slot] & CANCELLED) != 0) {
            finish(slot, token, -ECANCELED);
        } else if (room(1)) {
            prepare(op, slot, token, false);
        } else {
            state[slot] |= REARM_WAITING;
            listRetry(slot);
        }
    }

    private void finish(int slot, long token, int res) {
        ops[slot] = null;
        tokens[slot] = 0;
        state[slot] &= LISTED;
        sink.complete(token, res, false);
    }

    private void internal(long userData, int res) {
        if (userData == UserData.WAKE) {
            wakeArmed = false;
            if (res < 0 && res != -ECANCELED) {
                LOG.warn("io_uring wake-up read failed: %s", Errno.nameOf(-res));
            }
            if (!closing) {
                armWake();
            }
        }
        // CANCEL and LINK_TIMEOUT results are not needed: the target's own CQE tells the outcome.
    }

    private void armWake() {
        if (!room(1)) {
            wakeRearmWaiting = true;
            return;
        }
        long at = sq.next();
        IoUringSqe.prep(sqes, at, IoUring.IORING_OP_READ, wakeFdNum, wakeBuf.address(), 8, -1);
        IoUringSqe.userData(sqes, at, UserData.WAKE);
        wakeArmed = true;
    }

    private void listRetry(int slot) {
        if ((state[slot] & LISTED) == 0) {
            state[slot] |= LISTED;
            retry[retryCount++] = slot;
        }
    }

    /** Re-arms and cancels that waited for room in the submission queue; true when it delivered a completion. */
    private boolean retryWaiting() {
        boolean delivered = false;
        if (wakeRearmWaiting && !closing) {
            wakeRearmWaiting = false;
            armWake();
        }
        int n = retryCount;
        retryCount = 0;
        for (int i = 0; i < n; i++) {
            int slot = retry[i];
            state[slot] &= ~LISTED;
            Op op = ops[slot];
            if (op == null) {
                continue;
            }
            long token = tokens[slot];
            if ((state[slot] & REARM_WAITING) != 0) {
                if ((state[slot] & CANCELLED) != 0) {
                    finish(slot, token, -ECANCELED);
                    delivered = true;
                    continue;
                }
                if (room(1)) {
                    state[slot] &= ~REARM_WAITING;
                    prepare(op, slot, token, false);
                } else {
                    listRetry(slot);
                }
            } else if ((state[slot] & CANCEL_WAITING) != 0) {
                if (prepareCancel(token)) {
                    state[slot] &= ~CANCEL_WAITING;
                } else {
                    listRetry(slot);
                }
            }
        }
        return delivered;
    }

    @Override
    public void wakeup() {
        EventCalls.eventfdWrite(wakeFdNum, 1);
    }

    @Override
    public void registerFiles(int[] fds) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment array = a.allocate(JAVA_INT, fds.length);
            for (int i = 0; i < fds.length; i++) {
                array.setAtIndex(JAVA_INT, i, fds[i]);
            }
            IoUringCalls.register(ring.fd(), IoUring.IORING_REGISTER_FILES, array, fds.length);
            filesRegistered = true;
        }
    }

    @Override
    public void unregisterFiles() {
        IoUringCalls.register(ring.fd(), IoUring.IORING_UNREGISTER_FILES, MemorySegment.NULL, 0);
        filesRegistered = false;
    }

    @Override
    public void registerBuffers(MemorySegment[] buffers) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(Iovec.SIZE * buffers.length, 8);
            for (int i = 0; i < buffers.length; i++) {
                Iovec.set(iov, i, buffers[i]);
            }
            IoUringCalls.register(ring.fd(), IoUring.IORING_REGISTER_BUFFERS, iov, buffers.length);
            buffersRegistered = true;
        }
    }

    @Override
    public void unregisterBuffers() {
        IoUringCalls.register(ring.fd(), IoUring.IORING_UNREGISTER_BUFFERS, MemorySegment.NULL, 0);
        buffersRegistered = false;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("io_uring_enter calls", enters);
        m.put("cqes", cqes);
        m.put("sq full flushes", sqFull);
        m.put("cq overflow flushes", overflowFlushes);
        m.put("enter busy", busy);
        m.put("stale cqes", staleCqes);
        m.put("multishot re-arms", rearms);
        m.put("kernel dropped sqes", (long) sq.dropped());
        m.put("kernel dropped cqes", (long) cq.overflow());
        return m;
    }

    /**
     * Cancels the wake-up read and reaps its completion, so that the kernel writes no more into
     * the engine's memory; unregisters buffers and files; unmaps the rings and closes the ring.
     */
    @Override
    public void close() {
        closing = true;
        boolean reaped = true;
        if (wakeArmed) {
            prepareCancel(UserData.WAKE);
            for (int i = 0; wakeArmed && i < 1000; i++) {
                enter(1, true);
                drain();
            }
            reaped = !wakeArmed;
        }
        try {
            if (watchBuffers != null) {
                watchBuffers.close();
            }
            if (buffersRegistered) {
                unregisterBuffers();
            }
            if (filesRegistered) {
                unregisterFiles();
            }
        } finally {
            ring.close();
            wakeFd.close();
            if (reaped) {
                arena.close();
            } else {
                // Never free memory the kernel may still write: leave the arena to the GC-less void.
                LOG.warn("io_uring wake-up read did not complete at close; keeping its buffer");
            }
        }
    }
}
