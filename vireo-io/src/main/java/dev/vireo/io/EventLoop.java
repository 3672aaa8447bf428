package dev.vireo.io;

import dev.vireo.io.epoll.EpollEngine;
import dev.vireo.io.uring.Probe;
import dev.vireo.io.uring.UringEngine;
import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Log;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * vireo's I/O loop: one platform thread that performs operations for components and runs their
 * completion handlers. Components never ask "is this descriptor readable?": they submit the
 * operation itself ({@link Op}: read this eventfd, read this file range into this guest buffer,
 * recvmsg on this socket) and get its result. On io_uring one system call per loop iteration
 * submits every new operation and collects every finished one; the portable engine (epoll,
 * non-blocking reads and writes, a thread pool for files) does the same work with ordinary
 * system calls. See docs/io.md.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.open()) {
 *     Watch kick = loop.watch(kickFd.num(), count -> queue.process());
 *     Op read = new Op((op, n) -> done(n));
 *     loop.submit(read.read(image.num(), buffer, 0));
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every op accepted by {@link #submit} completes exactly once (multishot ops: any number of
 *       completions with {@link Op#hasMore()}, then exactly one final one), with its result,
 *       {@code -ECANCELED} if it was cancelled, or another {@code -errno}.</li>
 *   <li>Handlers run on the loop thread, one at a time, never inside {@code submit} or
 *       {@code cancel}.</li>
 *   <li>{@link #close()} cancels what is in flight and waits until every accepted op has had its
 *       final completion; afterwards {@code submit} throws and no buffer is used any more.</li>
 *   <li>At most {@link LoopOptions#capacity()} operations are in flight; further submissions
 *       wait in the loop's queue, which needs no memory of its own (the ops are its links).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * {@link #submit}, {@link #cancel}, {@link #watch}, {@link #signal}, {@link #execute} and
 * {@link #close} may be called from any thread. From the loop thread they cost no system call:
 * the work joins the next batch. From another thread the op is queued without locks and the
 * loop is woken with an eventfd write, only if it is asleep.
 */
public final class EventLoop implements AutoCloseable {

    private static final Log LOG = Log.of("io");
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final int ECANCELED = Errno.ECANCELED.code();
    private static final VarHandle SLEEPING;

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(EventLoop.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LoopOptions options;
    private final Thread thread;
    private final OpTable table;
    private final Arena arena = Arena.ofShared();
    private final ArrayDeque<MemorySegment> freeCounters = new ArrayDeque<>();
    private final Sink sink = new Sink();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Throwable startFailure;
    /** The counters as the engine closed, for {@link #stats()} afterwards. */
    private LoopStats finalStats;
    /** Set on the loop thread before {@link #started} opens; read after it. */
    private volatile IoEngine engine;

    // Shared with other threads.
    private final Inbox inbox = new Inbox();
    @SuppressWarnings("unused") // through SLEEPING
    private volatile boolean sleeping;
    private volatile boolean closing;
    /** Threads between their check of {@link #closing} and the end of their submission. */
    private final AtomicInteger submitters = new AtomicInteger();

    // Loop thread only.
    /** Ops waiting for room in the table or the engine, in submission order. */
    private final OpList pending = new OpList();
    /** Ops the loop completes itself at its next delivery (tasks, refusals, early cancellations). */
    private final OpList deferred = new OpList();
    private int inFlight;
    private long issued;
    private long completed;
    private long handlerFailures;
    private long stale;
    /** Handler invocations, final or not: how a busy poll sees that something happened. */
    private long deliveries;
    /** Busy-poll periods begun, and those that found work before their end. */
    private long busyPolls;
    private long busyPollHits;
    /** {@link LoopOptions#busyPollNanos()}. */
    private final long busyPollNanos;
    private MemorySegment[] buffers = new MemorySegment[0];
    private int registeredFiles;

    /** Builds the engine on the loop thread; null: chosen from the options. */
    private final java.util.function.Function<LoopOptions, IoEngine> engineFactory;

    private EventLoop(LoopOptions options, java.util.function.Function<LoopOptions, IoEngine> engineFactory) {
        this.options = options;
        this.busyPollNanos = options.busyPollNanos();
        this.engineFactory = engineFactory;
        this.table = new OpTable(options.capacity());
        String name = options.name() + "-" + THREADS.incrementAndGet();
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::threadMain);
    }

    /** Opens a loop with {@link LoopOptions#defaults()}. */
    public static EventLoop open() {
        return open(LoopOptions.defaults());
    }

    /**
     * Opens a loop: starts its thread, which sets up the engine. With {@link EngineKind#AUTO} the
     * io_uring engine is used when {@link Probe} finds it usable, else the portable engine.
     *
     * @throws IllegalStateException when io_uring was asked for and is unavailable
     * @throws dev.vireo.sys.SysException when the engine cannot be set up
     */
    public static EventLoop open(LoopOptions options) {
        return open(options, null);
    }

    /** Opens a loop on an engine built by {@code engineFactory} (on the loop thread): tests of engine variants. */
    static EventLoop open(LoopOptions options, java.util.function.Function<LoopOptions, IoEngine> engineFactory) {
        Objects.requireNonNull(options, "options");
        EventLoop loop = new EventLoop(options, engineFactory);
        loop.thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                loop.started.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable failure = loop.startFailure;
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return loop;
    }

    // ---------------------------------------------------------------------------------------------
    // The API.

    /**
     * Submits a prepared op. From the loop thread it joins the next batch; from another thread it
     * is queued and the loop woken. The op's handler later runs exactly once with its final result.
     *
     * @throws IllegalStateException when the op is already queued or in flight, or the loop is
     *                               closing (the op then stays idle and will not complete)
     * @throws IllegalArgumentException when a segment of the op belongs to another thread's
     *                                  confined arena
     */
    public void submit(Op op) {
        checkAccessible(op.memory());
        checkAccessible(op.auxiliary());
        if (!op.claim()) {
            throw new IllegalStateException("cannot submit " + op + ": it is already queued or in flight");
        }
        if (inLoop()) {
            if (closing) {
                op.state(Op.IDLE);
                throw closed();
            }
            op.loop = this;
            if (op.task) {
                defer(op, 0);
            } else if (!pending.isEmpty() || !issue(op)) {
                pending.add(op);
            }
            return;
        }
        submitters.incrementAndGet();
        try {
            if (closing) {
                op.state(Op.IDLE);
                throw closed();
            }
            op.loop = this;
            inbox.push(op);
            wakeup();
        } finally {
            submitters.decrementAndGet();
        }
    }

    /**
     * Asks for {@code op} to be cancelled. It still completes exactly once: with
     * {@code -ECANCELED}, or with its result if it finished first. Returns false when {@code op}
     * is idle or belongs to another loop. From another thread the request reaches the loop at its
     * next iteration.
     */
    public boolean cancel(Op op) {
        if (op.loop != this || op.state() == Op.IDLE) {
            return false;
        }
        if (!inLoop()) {
            try {
                execute(() -> cancel(op));
                return true;
            } catch (IllegalStateException closing) {
                return false; // the loop cancels everything itself while it closes
            }
        }
        switch (op.state()) {
            case Op.QUEUED -> {
                drainInbox();
                if (pending.remove(op)) {
                    defer(op, -ECANCELED);
                    return true;
                }
                return false; // already carries a result, delivered this iteration
            }
            case Op.IN_FLIGHT -> {
                if (!op.cancelRequested) {
                    op.cancelRequested = true;
                    engine.cancel(op, op.token);
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Reads {@code eventfd} whenever it is signalled and calls {@code fired(count)} on the loop
     * thread with the counter's value (the read resets it). The eventfd stays the caller's; close
     * the returned watch before closing the eventfd.
     */
    public Watch watch(int eventfd, LongConsumer fired) {
        Objects.requireNonNull(fired, "fired");
        Watch w = new Watch(this, eventfd, fired, counter());
        submit(w.op);
        return w;
    }

    /**
     * Adds 1 to an eventfd's counter (an interrupt through irqfd, a call eventfd, another loop's
     * watch), from any thread, with one write(2).
     *
     * <p>Why not an IORING_OP_WRITE batched with the loop's next submission: the eventfd has no
     * {@code write_iter}, so io_uring hands a write to a blocking eventfd to an io-wq worker
     * thread; measured here, a notification through the ring took 113 µs against 2 µs with
     * write(2), and even on an O_NONBLOCK eventfd the ring was not faster.
     */
    public void signal(int eventfd) {
        EventCalls.eventfdWrite(eventfd, 1);
    }

    /**
     * Runs {@code task} on the loop thread, after the handlers of the current iteration. If the
     * loop closes before the task runs, it does not run. Allocates (cold paths only).
     *
     * @throws IllegalStateException when the loop is closing
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        Op op = new Op((o, result) -> {
            if (result == 0) {
                task.run();
            }
        }).nop();
        op.task = true;
        submit(op);
    }

    /** Whether the caller runs on this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Registers descriptors so that ops can name them by index ({@link Op#fixedFile()}), which
     * saves io_uring a file lookup per operation. Waits until the loop has done it.
     *
     * @throws IllegalStateException when files are already registered
     */
    public void registerFiles(int... fds) {
        int[] copy = fds.clone();
        if (copy.length == 0) {
            throw new IllegalArgumentException("no files to register");
        }
        callInLoop(() -> {
            if (registeredFiles > 0) {
                throw new IllegalStateException("files are already registered; unregister them first");
            }
            engine.registerFiles(copy);
            registeredFiles = copy.length;
        });
    }

    /** Drops the registered files (ops in flight keep what they use). */
    public void unregisterFiles() {
        callInLoop(() -> {
            if (registeredFiles > 0) {
                engine.unregisterFiles();
                registeredFiles = 0;
            }
        });
    }

    /**
     * Registers buffers for {@link Op#readFixed} and {@link Op#writeFixed}: io_uring pins their
     * pages once instead of for every operation. Each must be native memory of at most 1 GiB.
     * The buffers must stay mapped until {@link #unregisterBuffers()} or {@link #close()}.
     */
    public void registerBuffers(MemorySegment... buffers) {
        MemorySegment[] copy = buffers.clone();
        if (copy.length == 0 || copy.length > 16384) {
            throw new IllegalArgumentException("between 1 and 16384 buffers can be registered: " + copy.length);
        }
        for (MemorySegment b : copy) {
            if (!b.isNative() || b.byteSize() == 0 || b.byteSize() > 1L << 30) {
                throw new IllegalArgumentException("a registered buffer is native memory of 1 byte to 1 GiB: " + b);
            }
            checkAccessible(b);
        }
        callInLoop(() -> {
            if (this.buffers.length > 0) {
                throw new IllegalStateException("buffers are already registered; unregister them first");
            }
            engine.registerBuffers(copy);
            this.buffers = copy;
        });
    }

    /** Drops the registered buffers. */
    public void unregisterBuffers() {
        callInLoop(() -> {
            if (buffers.length > 0) {
                engine.unregisterBuffers();
                buffers = new MemorySegment[0];
            }
        });
    }

    /** The engine this loop runs on. */
    public EngineKind engineKind() {
        return engine.kind();
    }

    /** What the engine is: setup flags, features, sizes. */
    public String engineDescription() {
        return engine.describe();
    }

    /** The loop's options. */
    public LoopOptions options() {
        return options;
    }

    /** A snapshot of the loop's counters (taken on the loop thread). */
    public LoopStats stats() {
        if (terminated.getCount() == 0) {
            // The thread is gone; its writes happened-before the latch.
            return finalStats != null ? finalStats : new LoopStats(issued, completed, inFlight, handlerFailures, Map.of());
        }
        LoopStats[] out = new LoopStats[1];
        callInLoop(() -> out[0] = snapshot());
        return out[0];
    }

    /** Whether {@link #close()} has begun. */
    public boolean isClosed() {
        return closing;
    }

    /**
     * Closes the loop: new submissions are refused, queued ops complete with {@code -ECANCELED},
     * ops in flight are cancelled, and the loop waits for every final completion before it
     * releases the engine. From another thread this returns once the loop thread has finished;
     * from a handler it returns at once and the loop finishes after the handler. An operation the
     * kernel cannot interrupt (a read from a hung device) delays the end until it completes.
     */
    @Override
    public void close() {
        if (inLoop()) {
            closing = true;
            return;
        }
        submitters.incrementAndGet();
        try {
            closing = true;
            wakeup();
        } finally {
            submitters.decrementAndGet();
        }
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + thread.getName() + (engine != null ? ", " + engine.kind() : "") + (closing ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // The loop.

    private void threadMain() {
        try {
            engine = engineFactory != null ? engineFactory.apply(options) : createEngine();
            engine.start(sink);
        } catch (Throwable t) {
            startFailure = t;
            closing = true;
            arena.close();
            started.countDown();
            terminated.countDown();
            return;
        }
        started.countDown();
        try {
            run();
        } catch (Throwable t) {
            LOG.warn("event loop %s failed: %s", thread.getName(), t);
        } finally {
            try {
                shutdown();
            } catch (Throwable t) {
                LOG.warn("event loop %s could not shut down cleanly: %s", thread.getName(), t);
            } finally {
                terminated.countDown();
            }
        }
    }

    private IoEngine createEngine() {
        return switch (options.engine()) {
            case EPOLL -> new EpollEngine(options);
            case IO_URING -> {
                Probe probe = Probe.get();
                if (!probe.available()) {
                    throw new IllegalStateException("io_uring is unavailable: " + probe.unavailabilityCause()
                            + " (the portable engine needs no io_uring: -D" + EngineKind.PROPERTY + "=epoll)");
                }
                yield new UringEngine(options, probe);
            }
            case AUTO -> {
                Probe probe = Probe.get();
                if (!probe.available()) {
                    LOG.debug("io_uring unavailable (%s); using the portable engine", probe.unavailabilityCause());
                    yield new EpollEngine(options);
                }
                try {
                    yield new UringEngine(options, probe);
                } catch (RuntimeException e) {
                    LOG.warn("io_uring setup failed (%s); using the portable engine", e.getMessage());
                    yield new EpollEngine(options);
                }
            }
        };
    }

    private void run() {
        while (!closing) {
            turn();
        }
    }

    /**
     * One iteration of the loop. A method of its own for the JIT: {@link #run()} is entered once
     * per loop, so its body would only ever be compiled on-stack-replacement style, and an OSR
     * compilation may leave the JDK's per-downcall errno-capture slice unremoved (40 bytes per
     * system call, see docs/io.md). This method is called millions of times and compiled whole.
     */
    private void turn() {
        drainInbox();
        issuePending();
        deliverDeferred();
        // Block only when nothing is ready and blocking cannot starve a queued op: ops wait in
        // pending only while the table or the engine is full, and then completions will come.
        boolean block = deferred.isEmpty() && (pending.isEmpty() || inFlight > 0);
        if (block && busyPollNanos > 0 && busyPoll()) {
            return; // work arrived while polling: no sleep, no wake-up
        }
        if (block) {
            SLEEPING.setVolatile(this, true);
            // Dekker with submit()/close(): they publish, then read sleeping; we publish
            // sleeping, then read what they publish. Volatile accesses are totally ordered.
            if (!inbox.isEmpty() || closing) {
                block = false;
            }
        }
        engine.await(block);
        SLEEPING.setVolatile(this, false);
    }

    /**
     * Polls the engine without blocking for up to {@link LoopOptions#busyPollNanos()}; true as
     * soon as something needs the loop (a delivered completion, a submission from another thread,
     * close). Other threads see the loop awake meanwhile, so they push to the inbox without a
     * wake-up write; the poll checks the inbox itself.
     */
    private boolean busyPoll() {
        long before = deliveries;
        long deadline = System.nanoTime() + busyPollNanos;
        busyPolls++;
        do {
            engine.await(false);
            if (deliveries != before || !inbox.isEmpty() || closing || !deferred.isEmpty()) {
                busyPollHits++;
                return true;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    private void shutdown() {
        closing = true;
        while (submitters.get() != 0) {
            Thread.onSpinWait(); // a submitter between its check of closing and its push
        }
        drainInbox();
        for (Op op = pending.poll(); op != null; op = pending.poll()) {
            defer(op, -ECANCELED);
        }
        deliverDeferred();
        for (int slot = 0; slot < table.capacity(); slot++) {
            Op op = table.at(slot);
            if (op != null && op.state() == Op.IN_FLIGHT && !op.cancelRequested) {
                op.cancelRequested = true;
                engine.cancel(op, table.token(slot));
            }
        }
        long since = System.nanoTime();
        while (inFlight > 0 || !deferred.isEmpty()) {
            deliverDeferred();
            if (inFlight > 0) {
                engine.await(true);
            }
            if (inFlight > 0 && System.nanoTime() - since > TimeUnit.SECONDS.toNanos(10)) {
                LOG.warn("event loop %s: closing waits for %d operations that could not be cancelled", thread.getName(), inFlight);
                since = System.nanoTime();
            }
        }
        finalStats = snapshot();
        engine.close();
        arena.close();
    }

    /**
     * The loop thread must be able to pass the op's segments to system calls: a segment of
     * another thread's confined arena is refused here rather than failing in the engine.
     */
    private void checkAccessible(MemorySegment m) {
        if (m != null && !m.isAccessibleBy(thread)) {
            throw new IllegalArgumentException("the loop thread cannot access " + m
                    + ": use a shared, global or automatic arena for memory the loop works on");
        }
    }

    /** Hands {@code op} to the engine; false when there is no room (table or engine full). */
    private boolean issue(Op op) {
        int error = validate(op);
        if (error != 0) {
            defer(op, error);
            return true;
        }
        int slot = table.acquire(op);
        if (slot < 0) {
            return false;
        }
        long token = table.token(slot);
        op.token = token;
        op.cancelRequested = false;
        op.more(false);
        op.state(Op.IN_FLIGHT);
        if (!engine.submit(op, token)) {
            table.release(slot);
            op.state(Op.QUEUED);
            return false;
        }
        inFlight++;
        issued++;
        return true;
    }

    /** 0, or the -errno an op fails with before it reaches the engine (io_uring's own answers). */
    private int validate(Op op) {
        if (!engine.supports(op.opcode())) {
            return -Errno.EOPNOTSUPP.code();
        }
        if (op.opcode() == OpCode.READ_FIXED || op.opcode() == OpCode.WRITE_FIXED) {
            int i = op.bufferIndex();
            if (i >= buffers.length) {
                return -Errno.EFAULT.code();
            }
            MemorySegment b = buffers[i];
            if (op.memoryOffset() + op.length() > b.byteSize()) {
                return -Errno.EFAULT.code();
            }
            op.resolveFixedBuffer(b);
        }
        if (op.isFixedFile() && op.fd() >= registeredFiles) {
            return -Errno.EBADF.code();
        }
        MemorySegment m = op.memory();
        if (m != null && !m.scope().isAlive() || op.auxiliary() != null && !op.auxiliary().scope().isAlive()) {
            return -Errno.EFAULT.code(); // freed before the loop got to it: never hand it to the kernel
        }
        return 0;
    }

    private void drainInbox() {
        Op op = inbox.drain();
        while (op != null) {
            Op n = op.next;
            if (op.task) {
                // Tasks need no slot: they run even when the table is full, and never run once
                // the loop is closing.
                defer(op, closing ? -ECANCELED : 0);
            } else {
                pending.add(op);
            }
            op = n;
        }
    }

    private void issuePending() {
        for (Op op = pending.poll(); op != null; op = pending.poll()) {
            if (!issue(op)) {
                pending.addFirst(op);
                return;
            }
        }
    }

    /** Completes an op that never reached the engine, at the next delivery. */
    private void defer(Op op, int result) {
        op.deferredResult = result;
        deferred.add(op);
    }

    private void deliverDeferred() {
        // Take the list as it is: ops deferred by these handlers wait for the next iteration, so a
        // handler that keeps resubmitting an invalid op cannot pin the loop here.
        Op op = deferred.takeAll();
        while (op != null) {
            Op n = op.next;
            op.next = null;
            op.more(false);
            op.state(Op.IDLE);
            completed++;
            dispatch(op, op.deferredResult);
            op = n;
        }
    }

    private void dispatch(Op op, int result) {
        deliveries++;
        try {
            op.handler.complete(op, result);
        } catch (Throwable t) {
            handlerFailures++;
            StackTraceElement[] where = t.getStackTrace();
            LOG.warn("completion handler of %s threw %s%s", op, t, where.length > 0 ? " at " + where[0] : "");
        }
    }

    /** Wakes the loop if it sleeps, at most one eventfd write per sleep. */
    private void wakeup() {
        if ((boolean) SLEEPING.getVolatile(this) && SLEEPING.compareAndSet(this, true, false)) {
            engine.wakeup();
        }
    }

    private void callInLoop(Runnable r) {
        if (inLoop()) {
            r.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Op op = new Op((o, result) -> {
            if (result != 0) {
                done.completeExceptionally(closed());
                return;
            }
            try {
                r.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }).nop();
        op.task = true;
        submit(op);
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + this, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private LoopStats snapshot() {
        Map<String, Long> counters = new java.util.LinkedHashMap<>(engine.counters());
        counters.put("stale completions", stale);
        counters.put("busy polls", busyPolls);
        counters.put("busy polls that found work", busyPollHits);
        return new LoopStats(issued, completed, inFlight, handlerFailures, Map.copyOf(counters));
    }

    private IllegalStateException closed() {
        return new IllegalStateException(this + " is closed");
    }

    /** An 8-byte counter buffer for a watch's eventfd reads, reused after the watch ends. */
    MemorySegment counter() {
        synchronized (freeCounters) {
            MemorySegment c = freeCounters.poll();
            if (c != null) {
                return c;
            }
        }
        try {
            return arena.allocate(JAVA_LONG);
        } catch (IllegalStateException e) {
            throw closed();
        }
    }

    void releaseCounter(MemorySegment counter) {
        synchronized (freeCounters) {
            freeCounters.push(counter);
        }
    }

    /** The engine's view of the loop. */
    private final class Sink implements IoEngine.Sink {

        @Override
        public void complete(long token, int result, boolean more) {
            Op op = table.lookup(token);
            if (op == null) {
                stale++;
                LOG.debug("dropped a completion for stale token %x (result %d)", token, result);
                return;
            }
            if (more) {
                op.more(true);
            } else {
                table.release(OpTable.slot(token));
                inFlight--;
                completed++;
                op.more(false);
                op.state(Op.IDLE);
            }
            dispatch(op, result);
        }

        @Override
        public void wakeup() {
            EventLoop.this.wakeup();
        }
    }
}
