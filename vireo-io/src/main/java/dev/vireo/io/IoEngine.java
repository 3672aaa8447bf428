package dev.vireo.io;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * What an {@link EventLoop} needs from the machinery underneath it: the io_uring engine
 * ({@code dev.vireo.io.uring}) and the portable epoll engine ({@code dev.vireo.io.epoll}) implement
 * it. Components never use it; they use {@link EventLoop}.
 *
 * <p>Every method except {@link #wakeup()} is called on the loop thread, which also created the
 * engine (io_uring's SINGLE_ISSUER and DEFER_TASKRUN modes require that). An operation is
 * identified by a {@code token} the loop assigns; its low 32 bits are a slot number below the
 * loop's capacity, unique among operations in flight, so engines can keep per-slot state in
 * arrays. The engine reports each completion through {@link Sink#complete}: zero or more with
 * {@code more = true} (multishot), then exactly one with {@code more = false}, only from inside
 * {@link #await}.
 */
public interface IoEngine extends AutoCloseable {

    /** Where an engine delivers completions. */
    interface Sink {

        /** Delivers a completion of the operation with {@code token}. Loop thread, inside {@link #await}. */
        void complete(long token, int result, boolean more);

        /** Wakes the loop if it is blocked in {@link #await}; any thread (the portable engine's file workers). */
        void wakeup();
    }

    /** Which engine this is. */
    EngineKind kind();

    /** Connects the engine to its loop; called once, on the loop thread, before anything else. */
    void start(Sink sink);

    /** Whether the engine can perform {@code code} at all (io_uring: the kernel's probe). */
    boolean supports(OpCode code);

    /**
     * Starts {@code op} under {@code token}. Returns false, without side effects, when the engine
     * has no room right now (a full submission queue that a flush did not drain); the loop keeps the
     * op and offers it again after the next {@link #await}.
     */
    boolean submit(Op op, long token);

    /** Asks for the in-flight operation to be cancelled; it still completes exactly once. */
    void cancel(Op op, long token);

    /**
     * Pushes out what was submitted, waits for events if {@code block} (until at least one
     * completion, a timer or a {@link #wakeup()}), and delivers the completions that are ready.
     */
    void await(boolean block);

    /** Makes a blocked {@link #await} return. Any thread; may be called spuriously. */
    void wakeup();

    /** Registers files for {@link Op#fixedFile()}; replaces nothing (unregister first). */
    void registerFiles(int[] fds);

    /** Drops the registered files. */
    void unregisterFiles();

    /** Registers buffers for READ_FIXED and WRITE_FIXED. */
    void registerBuffers(MemorySegment[] buffers);

    /** Drops the registered buffers. */
    void unregisterBuffers();

    /** A one-line description: setup flags, features, sizes. */
    String describe();

    /** Counters for diagnostics and tests (system calls, queue-full flushes, overflow flushes ...). */
    Map<String, Long> counters();

    /** Releases everything; called on the loop thread once no operation is in flight. */
    @Override
    void close();
}
