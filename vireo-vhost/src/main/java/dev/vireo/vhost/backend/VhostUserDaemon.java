package dev.vireo.vhost.backend;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.SysException;
import dev.vireo.vhost.conn.Connection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The process side of a vhost-user back-end (QEMU docs/interop/vhost-user.rst, "Backend program
 * conventions"): a listening Unix socket given by path or inherited descriptor, one front-end at a
 * time, and a clean end on disconnect or {@link #stop()} (SIGTERM).
 *
 * <p>A second front-end that connects while one is served waits: the listen backlog (1) holds its
 * connection until the current one ends; it is then served ({@code persistent}) or, when the daemon
 * exits instead, closed unserved (it reads EOF). Waiting lets a reconnecting VMM in as soon as the
 * old connection is gone.
 *
 * <p>{@link #stop()} may be called from any thread: it shuts the listening socket and the current
 * connection down, which wakes the serving thread out of accept(2) or recvmsg(2); the session then
 * stops the device and releases everything before {@link #serve} returns.
 */
public final class VhostUserDaemon implements AutoCloseable {

    private static final Log LOG = Log.of("vhost");

    private final Fd listener;
    private final Path socketPath;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Fd current;

    private VhostUserDaemon(Fd listener, Path socketPath) {
        this.listener = listener;
        this.socketPath = socketPath;
    }

    /**
     * Listens on {@code path}. A stale socket left by an earlier run is replaced; any other file
     * there is an error. The socket is bound under a temporary name and renamed into place once it
     * listens, so a front-end that sees the path can connect at once (no ECONNREFUSED window).
     */
    public static VhostUserDaemon listen(Path path) {
        try {
            if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (!isSocket(path)) {
                    throw new IllegalArgumentException(path + " exists and is not a socket");
                }
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot replace " + path + ": " + e.getMessage(), e);
        }
        Fd fd = Fd.adopt(SocketCalls.socket(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0),
                path.toString());
        Path temporary = path.resolveSibling("." + path.getFileName() + "." + ProcessHandle.current().pid());
        try {
            SocketCalls.bindUnix(fd.num(), temporary.toString());
            SocketCalls.listen(fd.num(), 1);
            Files.move(temporary, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (RuntimeException | IOException e) {
            fd.close();
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // best effort
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalArgumentException("cannot create the socket " + path + ": " + e.getMessage(), e);
        }
        return new VhostUserDaemon(fd, path);
    }

    /** Serves on an inherited, already listening socket (--fd). */
    public static VhostUserDaemon inherit(int fd) {
        return new VhostUserDaemon(Fd.adopt(fd, "inherited vhost-user socket"), null);
    }

    /**
     * Accepts front-ends and serves {@code backend} to each in turn, until {@link #stop()}, or
     * after the first front-end disconnects unless {@code persistent}.
     */
    public void serve(VhostUserBackend backend, boolean persistent) {
        try {
            do {
                int accepted;
                try {
                    accepted = SocketCalls.accept4(listener.num(), SocketCalls.SOCK_CLOEXEC);
                } catch (SysException e) {
                    if (stopping) {
                        return;
                    }
                    throw e;
                }
                Fd conn = Fd.adopt(accepted, "vhost-user connection");
                current = conn;
                if (stopping) {
                    conn.close();
                    return;
                }
                LOG.debug("front-end connected");
                backend.serve(new Connection(conn, Connection.Side.BACKEND));
                current = null;
                LOG.debug("front-end gone");
            } while (persistent && !stopping);
        } finally {
            if (stopping) {
                // Stopped by a signal: the JVM may halt as soon as the shutdown hook's wait ends,
                // before the owner's close() runs, so the socket file goes now.
                removeSocketFile();
            }
            finished.countDown();
        }
    }

    /** Ends {@link #serve}: no new front-end is accepted and the current one is disconnected. */
    public void stop() {
        stopping = true;
        shutdown(listener);
        Fd c = current;
        if (c != null) {
            shutdown(c);
        }
    }

    /** Stops and waits up to {@code seconds} for {@link #serve} to finish its clean-up. */
    public boolean stopAndWait(long seconds) throws InterruptedException {
        stop();
        return finished.await(seconds, TimeUnit.SECONDS);
    }

    private static void shutdown(Fd fd) {
        try {
            SocketCalls.shutdown(fd.num(), SocketCalls.SHUT_RDWR);
        } catch (SysException e) {
            if (!e.is(Errno.ENOTCONN) && !e.is(Errno.EBADF)) {
                LOG.warn("shutdown of %s: %s", fd.what(), e.getMessage());
            }
        } catch (IllegalStateException e) {
            // already closed
        }
    }

    private static boolean isSocket(Path p) throws IOException {
        int mode = (int) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return (mode & FsCalls.S_IFMT) == FsCalls.S_IFSOCK;
    }

    /** Closes the listening socket and removes its file. */
    @Override
    public void close() {
        listener.close();
        removeSocketFile();
    }

    private void removeSocketFile() {
        if (socketPath != null) {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException e) {
                LOG.warn("cannot remove %s: %s", socketPath, e.getMessage());
            }
        }
    }
}
