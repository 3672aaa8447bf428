package dev.vireo.io;

import java.util.Objects;

/**
 * How to build an {@link EventLoop}. Start from {@link #defaults()} and change what you need:
 * {@code LoopOptions.defaults().withName("virtio-blk").withEngine(EngineKind.EPOLL)}.
 *
 * @param name            the loop thread's name
 * @param engine          which engine; {@link EngineKind#AUTO} picks io_uring when available
 * @param capacity        operations in flight at most; further submissions wait in the loop's
 *                        queue (back-pressure, no allocation) until completions free room
 * @param ringEntries     io_uring submission queue entries (a power of two is used)
 * @param completionEntries io_uring completion queue entries, at least {@code ringEntries}; more
 *                        completions than this are kept by the kernel (IORING_FEAT_NODROP) and
 *                        flushed, never lost
 * @param sqPoll          io_uring: a kernel thread polls the submission queue (IORING_SETUP_SQPOLL),
 *                        saving the submit system call at the cost of a busy kernel thread
 * @param sqPollIdleMillis io_uring with sqPoll: how long the kernel thread spins before sleeping
 * @param optionalFlags   io_uring: use SINGLE_ISSUER + DEFER_TASKRUN (or COOP_TASKRUN) and
 *                        SUBMIT_ALL when the kernel accepts them
 * @param poolThreads     portable engine: threads that perform blocking file I/O (positional
 *                        reads and writes, fsync, fallocate, openat, close, statx); they start on
 *                        first use
 * @param busyPollNanos   0 (the default): the loop sleeps as soon as it has nothing to do. More:
 *                        before sleeping it polls for completions for up to this long, which
 *                        saves the wake-up (a context switch, and on a VM an inter-processor
 *                        interrupt) when the next event comes soon, at the price of up to this
 *                        much CPU per idle period. io_uring polls the mapped rings (no system
 *                        call unless the kernel flags work); the portable engine calls
 *                        epoll_wait with a zero timeout. QEMU's IOThreads do the same
 *                        ({@code poll-max-ns}, 32 µs by default there)
 */
public record LoopOptions(String name, EngineKind engine, int capacity, int ringEntries, int completionEntries,
                          boolean sqPoll, int sqPollIdleMillis, boolean optionalFlags, int poolThreads,
                          long busyPollNanos) {

    /** The longest busy-poll period a loop accepts: 10 ms. */
    public static final long MAX_BUSY_POLL_NANOS = 10_000_000;

    /** The most operations a loop may have in flight (its slot numbers fit 31 bits comfortably). */
    public static final int MAX_CAPACITY = 1 << 20;

    public LoopOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(engine, "engine");
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "]: " + capacity);
        }
        if (ringEntries < 1 || ringEntries > 32768) {
            throw new IllegalArgumentException("ringEntries must be in [1, 32768]: " + ringEntries);
        }
        if (completionEntries < ringEntries || completionEntries > 65536) {
            throw new IllegalArgumentException("completionEntries must be in [ringEntries, 65536]: " + completionEntries);
        }
        if (sqPollIdleMillis < 0) {
            throw new IllegalArgumentException("sqPollIdleMillis must not be negative: " + sqPollIdleMillis);
        }
        if (poolThreads < 1 || poolThreads > 1024) {
            throw new IllegalArgumentException("poolThreads must be in [1, 1024]: " + poolThreads);
        }
        if (busyPollNanos < 0 || busyPollNanos > MAX_BUSY_POLL_NANOS) {
            throw new IllegalArgumentException("busyPollNanos must be in [0, " + MAX_BUSY_POLL_NANOS + "]: " + busyPollNanos);
        }
    }

    /**
     * Defaults: engine from {@code -Dvireo.io} (auto), 4096 operations in flight, a 256-entry
     * submission queue with a 4096-entry completion queue, no SQPOLL, optional flags on, 8 file
     * threads for the portable engine, no busy polling.
     */
    public static LoopOptions defaults() {
        return new LoopOptions("vireo-io", EngineKind.configured(), 4096, 256, 4096, false, 50, true, 8, 0);
    }

    public LoopOptions withName(String name) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads, busyPollNanos);
    }

    public LoopOptions withEngine(EngineKind engine) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads, busyPollNanos);
    }

    public LoopOptions withCapacity(int capacity) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads, busyPollNanos);
    }

    /** Sets both io_uring queue sizes. */
    public LoopOptions withRing(int ringEntries, int completionEntries) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads, busyPollNanos);
    }

    public LoopOptions withSqPoll(boolean sqPoll) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads, busyPollNanos);
    }

    public LoopOptions withOptionalFlags(boolean optionalFlags) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads, busyPollNanos);
    }

    public LoopOptions withPoolThreads(int poolThreads) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads, busyPollNanos);
    }

    /** Polls for up to {@code nanos} before the loop sleeps; 0 turns polling off (see the record's Javadoc). */
    public LoopOptions withBusyPoll(long nanos) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads, nanos);
    }
}
