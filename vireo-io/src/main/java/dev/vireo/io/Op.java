package dev.vireo.io;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One asynchronous operation, owned and reused by a component: prepare it with one of the
 * preparation methods ({@link #read}, {@link #writev}, {@link #poll} ...), hand it to
 * {@link EventLoop#submit}, and its {@link Completion} runs on the loop thread when it is done.
 * After its final completion the op is idle and can be prepared and submitted again, so a
 * component that keeps one op per outstanding request submits without allocating.
 *
 * <pre>{@code
 * Op read = new Op((op, n) -> consume(n));
 * loop.submit(read.read(file.num(), guestMemory, gpaOffset, 4096, fileOffset));
 * }</pre>
 *
 * <h2>Buffers</h2>
 * Buffers are native memory segments (guest memory, a mapping, an off-heap buffer). The kernel
 * reads or writes them <em>after</em> {@code submit} returns, until the completion: the owner
 * must keep them mapped and untouched until then (closing the {@link EventLoop} waits for every
 * operation, so freeing buffers after {@code close} is always safe). The same holds for iovec
 * arrays, msghdrs, path strings and statx buffers. A part of a larger segment is named with
 * {@code (segment, offset, length)} so that no slice needs to be allocated per request; bounds
 * are checked when the op is prepared.
 *
 * <h2>Threads</h2>
 * An op is prepared by one thread at a time, while it is idle; {@link EventLoop#submit} publishes
 * it to the loop. Preparing or submitting an op that is in flight throws
 * {@link IllegalStateException}.
 *
 * <h2>Why a mutable object</h2>
 * A sealed family of records would describe operations more declaratively, but a record per
 * submission is garbage per request on the data path; one reusable op per outstanding request
 * is not. The op also carries the intrusive links the loop needs for cross-thread submission,
 * so that no queue node is allocated either.
 */
public final class Op {

    static final int IDLE = 0;
    /** Accepted by {@link EventLoop#submit}, not yet handed to the engine. */
    static final int QUEUED = 1;
    /** Handed to the engine; owns a slot in the loop's table. */
    static final int IN_FLIGHT = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Op.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Completion handler;
    private volatile int state;
    private Object attachment;

    // What to do: written by the preparing thread while idle, read by the loop and its engine.
    private OpCode code = OpCode.NOP;
    private int fd = -1;
    private boolean fixedFile;
    private MemorySegment mem;
    private long memOffset;
    private long memLength;
    private MemorySegment aux;
    private long offset;
    private long length2;
    private int flags;
    private int mode;
    private int count;
    private int bufIndex;
    private long nanos;
    private long linkNanos;
    private boolean multishot;

    // Loop bookkeeping, confined to the loop thread except where noted.
    /** The loop this op was last submitted to (written before publication). */
    EventLoop loop;
    /** The op's table token while in flight. */
    long token;
    /** Link in the loop's inbox (published by CAS), pending list or deferred list. */
    Op next;
    /** Result stored for a completion the loop delivers itself (validation failure, cancel before issue). */
    int deferredResult;
    boolean cancelRequested;
    /** A task of {@link EventLoop#execute}: run by the loop itself, never handed to the engine. */
    boolean task;
    private boolean more;

    /** An idle op whose completions go to {@code handler}. */
    public Op(Completion handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    // ---------------------------------------------------------------------------------------------
    // Preparation. Each method resets every parameter, so an op can switch operations freely.

    /** Prepares a no-op, which completes with 0. */
    public Op nop() {
        reset(OpCode.NOP);
        return this;
    }

    /**
     * Prepares a read of {@code buf.byteSize()} bytes from {@code fd} into {@code buf}, at file
     * offset {@code offset}, or at the current position (pipes, sockets, eventfds, character
     * devices) when {@code offset} is -1.
     */
    public Op read(int fd, MemorySegment buf, long offset) {
        return transfer(OpCode.READ, fd, buf, 0, buf.byteSize(), offset);
    }

    /**
     * Prepares a read of {@code length} bytes into {@code mem} at {@code memOffset} (a part of guest
     * memory, for example) without allocating a slice. {@code offset} as in {@link #read(int, MemorySegment, long)}.
     */
    public Op read(int fd, MemorySegment mem, long memOffset, int length, long offset) {
        return transfer(OpCode.READ, fd, mem, memOffset, length, offset);
    }

    /** Prepares a write of all of {@code buf} to {@code fd}; {@code offset} as for {@link #read(int, MemorySegment, long)}. */
    public Op write(int fd, MemorySegment buf, long offset) {
        return transfer(OpCode.WRITE, fd, buf, 0, buf.byteSize(), offset);
    }

    /** Prepares a write of {@code length} bytes of {@code mem} at {@code memOffset}. */
    public Op write(int fd, MemorySegment mem, long memOffset, int length, long offset) {
        return transfer(OpCode.WRITE, fd, mem, memOffset, length, offset);
    }

    /**
     * Prepares a scatter read into {@code count} {@link dev.vireo.sys.abi.Iovec}s held in
     * {@code iovecs}; {@code offset} as for {@link #read(int, MemorySegment, long)}.
     */
    public Op readv(int fd, MemorySegment iovecs, int count, long offset) {
        return vector(OpCode.READV, fd, iovecs, count, offset);
    }

    /** Prepares a gather write from {@code count} iovecs held in {@code iovecs}. */
    public Op writev(int fd, MemorySegment iovecs, int count, long offset) {
        return vector(OpCode.WRITEV, fd, iovecs, count, offset);
    }

    /**
     * Prepares a read of {@code length} bytes into registered buffer {@code bufIndex} (see
     * {@link EventLoop#registerBuffers}) at {@code bufOffset}. The range is checked against the
     * registered buffer when the loop issues the op; outside it the op completes with -EFAULT.
     */
    public Op readFixed(int fd, int bufIndex, long bufOffset, int length, long offset) {
        return fixed(OpCode.READ_FIXED, fd, bufIndex, bufOffset, length, offset);
    }

    /** Prepares a write of {@code length} bytes of registered buffer {@code bufIndex} at {@code bufOffset}. */
    public Op writeFixed(int fd, int bufIndex, long bufOffset, int length, long offset) {
        return fixed(OpCode.WRITE_FIXED, fd, bufIndex, bufOffset, length, offset);
    }

    /**
     * Prepares a one-shot wait for poll(2) {@code events} (POLLIN, POLLOUT ... of
     * {@link dev.vireo.sys.EventCalls}) on {@code fd}; completes with the events that fired.
     */
    public Op poll(int fd, int events) {
        reset(OpCode.POLL);
        this.fd = checkFd(fd);
        this.flags = events;
        return this;
    }

    /**
     * Prepares a multishot poll: a completion with {@link #hasMore()} each time {@code events}
     * fire, until cancelled or failed. The handler should consume the condition (read until
     * EAGAIN); see docs/io.md for how the engines differ while it persists.
     */
    public Op pollMultishot(int fd, int events) {
        poll(fd, events);
        this.multishot = true;
        return this;
    }

    /** Prepares a timer that completes with {@code -ETIME} after {@code nanos} nanoseconds. */
    public Op timeout(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative timeout: " + nanos);
        }
        reset(OpCode.TIMEOUT);
        this.nanos = nanos;
        return this;
    }

    /** Prepares fsync(2), or fdatasync(2) when {@code dataOnly}. */
    public Op fsync(int fd, boolean dataOnly) {
        reset(OpCode.FSYNC);
        this.fd = checkFd(fd);
        this.flags = dataOnly ? 1 : 0;
        return this;
    }

    /** Prepares fallocate(2) with {@code mode} (0 or FALLOC_FL_* of {@link dev.vireo.sys.FdCalls}). */
    public Op fallocate(int fd, int mode, long offset, long length) {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("fallocate range " + offset + "+" + length);
        }
        reset(OpCode.FALLOCATE);
        this.fd = checkFd(fd);
        this.mode = mode;
        this.offset = offset;
        this.length2 = length;
        return this;
    }

    /**
     * Prepares openat(2) of the NUL-terminated {@code path} relative to {@code dirfd}
     * (AT_FDCWD allowed); completes with the new descriptor, which the handler then owns.
     */
    public Op openat(int dirfd, MemorySegment path, int flags, int mode) {
        reset(OpCode.OPENAT);
        this.fd = dirfd;
        this.mem = cString(path);
        this.memLength = path.byteSize();
        this.flags = flags;
        this.mode = mode;
        return this;
    }

    /** Prepares close(2) of {@code fd}. */
    public Op close(int fd) {
        reset(OpCode.CLOSE);
        this.fd = checkFd(fd);
        return this;
    }

    /**
     * Prepares statx(2) of {@code path} relative to {@code dirfd} (an empty path with
     * AT_EMPTY_PATH for the descriptor itself) into {@code statx}, a
     * {@link dev.vireo.sys.abi.Statx} buffer.
     */
    public Op statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment statx) {
        reset(OpCode.STATX);
        this.fd = dirfd;
        this.mem = cString(path);
        this.memLength = path.byteSize();
        this.flags = flags;
        this.mode = mask;
        this.aux = nativeSegment(statx, "statx buffer");
        if (statx.byteSize() < dev.vireo.sys.abi.Statx.LAYOUT.byteSize()) {
            throw new IllegalArgumentException("statx buffer too small: " + statx.byteSize());
        }
        return this;
    }

    /** Prepares sendmsg(2) of a {@link dev.vireo.sys.abi.MsgHdr} with MSG_* {@code flags}. */
    public Op sendmsg(int fd, MemorySegment msghdr, int flags) {
        return message(OpCode.SENDMSG, fd, msghdr, flags);
    }

    /** Prepares recvmsg(2) into a {@link dev.vireo.sys.abi.MsgHdr} with MSG_* {@code flags}. */
    public Op recvmsg(int fd, MemorySegment msghdr, int flags) {
        return message(OpCode.RECVMSG, fd, msghdr, flags);
    }

    /** The eventfd read of a {@link Watch}: reads the counter into {@code counter} (8 bytes) each time. */
    Op eventfdWatch(int fd, MemorySegment counter) {
        reset(OpCode.EVENTFD_WATCH);
        this.fd = checkFd(fd);
        this.mem = counter;
        this.memLength = 8;
        this.offset = -1;
        this.multishot = true;
        return this;
    }

    // Modifiers: call after a preparation method.

    /**
     * Treats the prepared descriptor as an index into the loop's registered files
     * ({@link EventLoop#registerFiles}) instead of a descriptor number.
     */
    public Op fixedFile() {
        checkIdle();
        switch (code) {
            case READ, WRITE, READV, WRITEV, READ_FIXED, WRITE_FIXED, POLL, FSYNC, FALLOCATE, SENDMSG, RECVMSG -> this.fixedFile = true;
            default -> throw new IllegalStateException(code + " cannot use a registered file");
        }
        return this;
    }

    /**
     * Bounds the prepared operation by a deadline: if it has not completed {@code nanos}
     * nanoseconds after it was issued, it is cancelled and completes with {@code -ECANCELED}
     * [IOSQE_IO_LINK + IORING_OP_LINK_TIMEOUT]. An operation that cannot be interrupted once
     * running (a regular-file read in progress) completes normally.
     */
    public Op linkTimeout(long nanos) {
        checkIdle();
        if (nanos <= 0) {
            throw new IllegalArgumentException("link timeout must be positive: " + nanos);
        }
        if (code == OpCode.TIMEOUT || code == OpCode.EVENTFD_WATCH || multishot) {
            throw new IllegalStateException(code + (multishot ? " (multishot)" : "") + " cannot take a link timeout");
        }
        this.linkNanos = nanos;
        return this;
    }

    /** Attaches an object for the handler's use (the request this op serves, say). */
    public Op attach(Object attachment) {
        this.attachment = attachment;
        return this;
    }

    /** The attached object, or null. */
    public Object attachment() {
        return attachment;
    }

    // ---------------------------------------------------------------------------------------------
    // State.

    /** Whether the op is idle: never submitted, or its final completion has run (or is running). */
    public boolean isIdle() {
        return state == IDLE;
    }

    /**
     * In a handler: whether further completions of this multishot operation follow. False for
     * the final completion (the op is idle again).
     */
    public boolean hasMore() {
        return more;
    }

    // ---------------------------------------------------------------------------------------------
    // What engines read (on the loop thread, while the op is in flight).

    /** The operation. */
    public OpCode opcode() {
        return code;
    }

    /** The descriptor (or directory descriptor, or registered-file index with {@link #isFixedFile()}). */
    public int fd() {
        return fd;
    }

    /** Whether {@link #fd()} is a registered-file index. */
    public boolean isFixedFile() {
        return fixedFile;
    }

    /** The data buffer, iovec array, msghdr or path segment. */
    public MemorySegment memory() {
        return mem;
    }

    /** Offset of the data in {@link #memory()}. */
    public long memoryOffset() {
        return memOffset;
    }

    /** Address of the data buffer, iovec array, msghdr or path, for the kernel. */
    public long address() {
        return mem.address() + memOffset;
    }

    /** Bytes to transfer (READ, WRITE and fixed variants) or the size of the path segment. */
    public long length() {
        return memLength;
    }

    /** The statx buffer of STATX. */
    public MemorySegment auxiliary() {
        return aux;
    }

    /** File offset (-1: the current position); fallocate's offset. */
    public long offset() {
        return offset;
    }

    /** fallocate's length. */
    public long fallocateLength() {
        return length2;
    }

    /** Operation flags: poll events, open flags, statx flags, MSG_* flags, 1 for fdatasync. */
    public int flags() {
        return flags;
    }

    /** fallocate mode, openat mode, statx mask. */
    public int mode() {
        return mode;
    }

    /** Number of iovecs of READV/WRITEV. */
    public int count() {
        return count;
    }

    /** Registered buffer index of READ_FIXED/WRITE_FIXED. */
    public int bufferIndex() {
        return bufIndex;
    }

    /** The delay of a TIMEOUT. */
    public long timeoutNanos() {
        return nanos;
    }

    /** The link timeout, or 0 for none. */
    public long linkTimeoutNanos() {
        return linkNanos;
    }

    /** Whether the op completes more than once (multishot POLL, EVENTFD_WATCH). */
    public boolean isMultishot() {
        return multishot;
    }

    @Override
    public String toString() {
        return "Op[" + code + (fd >= 0 ? " fd " + fd : "") + ", " + switch (state) {
            case IDLE -> "idle";
            case QUEUED -> "queued";
            default -> "in flight";
        } + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // Loop side.

    /** Claims an idle op for submission; false when it is already queued or in flight. */
    boolean claim() {
        return STATE.compareAndSet(this, IDLE, QUEUED);
    }

    int state() {
        return state;
    }

    void state(int s) {
        state = s;
    }

    /** Sets the multishot flag the handler sees through {@link #hasMore()}. */
    void more(boolean more) {
        this.more = more;
    }

    /** The loop resolves a registered buffer to its segment when it issues a fixed op. */
    void resolveFixedBuffer(MemorySegment registered) {
        this.mem = registered;
    }

    // ---------------------------------------------------------------------------------------------

    private void checkIdle() {
        if (state != IDLE) {
            throw new IllegalStateException("cannot prepare " + this + ": it is in flight");
        }
    }

    private void reset(OpCode c) {
        checkIdle();
        code = c;
        fd = -1;
        fixedFile = false;
        mem = null;
        memOffset = 0;
        memLength = 0;
        aux = null;
        offset = 0;
        length2 = 0;
        flags = 0;
        mode = 0;
        count = 0;
        bufIndex = 0;
        nanos = 0;
        linkNanos = 0;
        multishot = false;
        more = false;
        task = false;
    }

    private Op transfer(OpCode c, int fd, MemorySegment m, long memOffset, long length, long offset) {
        nativeSegment(m, "buffer");
        Objects.checkFromIndexSize(memOffset, length, m.byteSize());
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a single transfer is limited to 2^31-1 bytes: " + length);
        }
        checkOffset(offset);
        reset(c);
        this.fd = checkFd(fd);
        this.mem = m;
        this.memOffset = memOffset;
        this.memLength = length;
        this.offset = offset;
        return this;
    }

    private Op vector(OpCode c, int fd, MemorySegment iovecs, int count, long offset) {
        nativeSegment(iovecs, "iovec array");
        if (count <= 0 || count > 1024) { // UIO_MAXIOV
            throw new IllegalArgumentException("iovec count must be in [1, 1024]: " + count);
        }
        if (iovecs.byteSize() < count * dev.vireo.sys.abi.Iovec.SIZE) {
            throw new IllegalArgumentException(count + " iovecs do not fit in " + iovecs.byteSize() + " bytes");
        }
        checkOffset(offset);
        reset(c);
        this.fd = checkFd(fd);
        this.mem = iovecs;
        this.count = count;
        this.offset = offset;
        return this;
    }

    private Op fixed(OpCode c, int fd, int bufIndex, long bufOffset, int length, long offset) {
        if (bufIndex < 0 || bufOffset < 0 || length < 0) {
            throw new IllegalArgumentException("registered buffer " + bufIndex + " range " + bufOffset + "+" + length);
        }
        checkOffset(offset);
        reset(c);
        this.fd = checkFd(fd);
        this.bufIndex = bufIndex;
        this.memOffset = bufOffset;
        this.memLength = length;
        this.offset = offset;
        return this;
    }

    private Op message(OpCode c, int fd, MemorySegment msghdr, int flags) {
        nativeSegment(msghdr, "msghdr");
        if (msghdr.byteSize() < dev.vireo.sys.abi.MsgHdr.LAYOUT.byteSize()) {
            throw new IllegalArgumentException("msghdr too small: " + msghdr.byteSize());
        }
        reset(c);
        this.fd = checkFd(fd);
        this.mem = msghdr;
        this.flags = flags;
        return this;
    }

    private static MemorySegment cString(MemorySegment path) {
        nativeSegment(path, "path");
        for (long i = 0; i < path.byteSize(); i++) {
            if (path.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) == 0) {
                return path;
            }
        }
        throw new IllegalArgumentException("path is not NUL-terminated within its " + path.byteSize() + " bytes");
    }

    private static MemorySegment nativeSegment(MemorySegment s, String what) {
        Objects.requireNonNull(s, what);
        if (!s.isNative()) {
            throw new IllegalArgumentException(what + " must be native memory (the kernel accesses it asynchronously): " + s);
        }
        return s;
    }

    private static int checkFd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        return fd;
    }

    private static void checkOffset(long offset) {
        if (offset < -1) {
            throw new IllegalArgumentException("file offset must be >= 0, or -1 for the current position: " + offset);
        }
    }
}
