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
 */
public record LoopOptions(String name, EngineKind engine, int capacity, int ringEntries, int completionEntries,
                          boolean sqPoll, int sqPollIdleMillis, boolean optionalFlags, int poolThreads) {

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
    }

    /**
     * Defaults: engine from {@code -Dvireo.io} (auto), 4096 operations in flight, a 256-entry
     * submission queue with a 4096-entry completion queue, no SQPOLL, optional flags on, 8 file
     * threads for the portable engine.
     */
    public static LoopOptions defaults() {
        return new LoopOptions("vireo-io", EngineKind.configured(), 4096, 256, 4096, false, 50, true, 8);
    }

    public LoopOptions withName(String name) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads);
    }

    public LoopOptions withEngine(EngineKind engine) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads);
    }

    public LoopOptions withCapacity(int capacity) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads);
    }

    /** Sets both io_uring queue sizes. */
    public LoopOptions withRing(int ringEntries, int completionEntries) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads);
    }

    public LoopOptions withSqPoll(boolean sqPoll) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads);
    }

    public LoopOptions withOptionalFlags(boolean optionalFlags) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads);
    }

    public LoopOptions withPoolThreads(int poolThreads) {
        return new LoopOptions(name, engine, capacity, ringEntries, completionEntries, sqPoll, sqPollIdleMillis, optionalFlags, poolThreads);
    }
}
