package dev.vireo.fuse.session;

import dev.vireo.fuse.fs.LowLevelFileSystem;
import dev.vireo.sys.Log;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One FUSE connection's protocol state, shared by all the threads that serve it: the INIT state
 * machine (before INIT only INIT is answered; after it the negotiated parameters hold), the
 * interrupt table, and the file system. Transports create one {@link Dispatcher} per thread and
 * feed it {@link dev.vireo.fuse.transport.Exchange}s; the session knows nothing of the transport.
 *
 * <p>States: AWAITING_INIT → RUNNING (INIT answered) → DESTROYED (DESTROY received, or
 * {@link #close()}). A refused INIT (a protocol below {@link dev.vireo.fuse.proto.ProtocolVersion#FLOOR})
 * leaves the session AWAITING_INIT with {@link #failure()} set.
 */
public final class Session implements AutoCloseable {

    private static final Log LOG = Log.of("fuse");

    private final LowLevelFileSystem fs;
    private final SessionConfig config;
    private final Interrupts interrupts = new Interrupts();
    private final Arena arena = Arena.ofShared();
    private final CountDownLatch initialized = new CountDownLatch(1);
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private volatile Negotiated negotiated;
    private volatile String failure;

    public Session(LowLevelFileSystem fs, SessionConfig config) {
        this.fs = fs;
        this.config = config;
    }

    /** A dispatcher for one thread; its scratch memory lives until the session is closed. */
    public Dispatcher newDispatcher() {
        return new Dispatcher(this, arena);
    }

    public LowLevelFileSystem fileSystem() {
        return fs;
    }

    public SessionConfig config() {
        return config;
    }

    /** What INIT settled, or null before INIT. */
    public Negotiated negotiated() {
        return negotiated;
    }

    /** Waits until INIT has been answered; false on timeout. */
    public boolean awaitInit(Duration timeout) throws InterruptedException {
        return initialized.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Why INIT was refused, or null. */
    public String failure() {
        return failure;
    }

    Interrupts interrupts() {
        return interrupts;
    }

    void initialized(Negotiated n) {
        negotiated = n;
        LOG.debug("INIT: protocol %s, flags 0x%x, max_write %d, max_background %d", n.version(), n.flags(),
                n.maxWrite(), n.maxBackground());
        initialized.countDown();
    }

    void refused(String why) {
        failure = why;
        LOG.warn("INIT refused: %s", why);
    }

    /** Ends the file system once (DESTROY, or the end of the session). */
    void destroy() {
        if (destroyed.compareAndSet(false, true)) {
            try {
                fs.destroy();
            } catch (RuntimeException e) {
                LOG.warn("file system destroy failed: %s", e);
            }
        }
    }

    /** Whether DESTROY came (or the session was closed). */
    public boolean destroyed() {
        return destroyed.get();
    }

    /**
     * Ends the session: destroys the file system (if DESTROY has not) and frees the dispatchers'
     * memory. Call after every thread using a dispatcher has stopped.
     */
    @Override
    public void close() {
        destroy();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
