package dev.vireo.fuse.transport;

import dev.vireo.fuse.fs.LowLevelFileSystem;
import dev.vireo.fuse.session.Session;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.sys.Log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file system served on /dev/fuse, start to end: mount ({@link FuseMount}), session
 * ({@link Session}), threads ({@link DevFuseTransport}). What {@code vireo mount} and the tests use.
 *
 * <p>Shutdown order ({@link #close()}): detach the mount; wait for the threads to see the
 * connection end (ENODEV); if open files keep the detached mount alive past a grace period, abort
 * the connection; then free the threads' buffers, end the session (the file system's destroy),
 * close the /dev/fuse descriptor. An unmount from outside ({@code umount MNT}) ends the threads the
 * same way; {@link #awaitTermination()} returns then.
 */
public final class FuseServer implements AutoCloseable {

    private static final Log LOG = Log.of("fuse");
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final FuseMount mount;
    private final Session session;
    private final DevFuseTransport transport;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FuseServer(FuseMount mount, Session session, DevFuseTransport transport) {
        this.mount = mount;
        this.session = session;
        this.transport = transport;
    }

    /** Mounts and starts serving {@code fs} with {@code threads} threads. */
    public static FuseServer start(LowLevelFileSystem fs, MountOptions options, SessionConfig config, int threads) {
        FuseMount mount = FuseMount.mount(options);
        Session session = new Session(fs, config);
        try {
            DevFuseTransport transport = DevFuseTransport.start(session, mount.device(), threads);
            return new FuseServer(mount, session, transport);
        } catch (RuntimeException e) {
            mount.abort();
            mount.close();
            session.close();
            throw e;
        }
    }

    /** Waits until the kernel's INIT has been answered (the mount is usable); false on timeout or refusal. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return session.awaitInit(timeout);
    }

    /** Waits until the connection has ended (unmounted from outside, or {@link #close()}). */
    public void awaitTermination() throws InterruptedException {
        transport.awaitTermination();
    }

    /** As {@link #awaitTermination()}, with a timeout; false if still serving. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return transport.awaitTermination(timeout);
    }

    public Path mountPoint() {
        return mount.mountPoint();
    }

    public Session session() {
        return session;
    }

    public FuseMount mount() {
        return mount;
    }

    public int threads() {
        return transport.threads();
    }

    /** Unmounts and stops; see the class documentation for the order. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            mount.unmount();
            if (!transport.awaitTermination(GRACE)) {
                LOG.warn("%s: files still open on the detached mount after %d s; aborting the connection",
                        mount.mountPoint(), GRACE.toSeconds());
                mount.abort();
                transport.awaitTermination(GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            mount.abort();
        } finally {
            transport.close();
            session.close();
            mount.close();
        }
    }
}
