package dev.vireo.io;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Log;

import java.lang.foreign.MemorySegment;
import java.util.function.LongConsumer;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An eventfd the loop reads on a component's behalf ({@link EventLoop#watch}): each time the
 * eventfd is signalled the loop reads its counter (which resets it) and calls
 * {@code fired(count)} on the loop thread. This is how virtqueue kicks and vhost-user kicks
 * arrive; with io_uring the read is part of the loop's one system call per iteration.
 *
 * <p>{@link #close()} stops the watch (from any thread); the eventfd itself stays open and
 * belongs to the caller. A watch also ends when reading fails (the descriptor was closed or is
 * not an eventfd); the failure is logged.
 */
public final class Watch implements AutoCloseable {

    private static final Log LOG = Log.of("io");

    private final EventLoop loop;
    private final int fd;
    private final LongConsumer fired;
    private final MemorySegment counter;
    final Op op;
    private volatile boolean active = true;
    private volatile boolean closed;

    Watch(EventLoop loop, int fd, LongConsumer fired, MemorySegment counter) {
        this.loop = loop;
        this.fd = fd;
        this.fired = fired;
        this.counter = counter;
        this.op = new Op(this::completed).eventfdWatch(fd, counter);
    }

    private void completed(Op o, int result) {
        boolean last = !o.hasMore();
        try {
            if (result > 0) {
                long count = counter.get(JAVA_LONG, 0);
                if (count != 0 && !closed) {
                    fired.accept(count);
                }
            } else if (result < 0 && result != -Errno.ECANCELED.code()) {
                LOG.warn("watch of eventfd %d ended: %s", fd, Errno.nameOf(-result));
            }
        } finally {
            if (last) {
                active = false;
                loop.releaseCounter(counter);
            }
        }
    }

    /** The watched eventfd. */
    public int fd() {
        return fd;
    }

    /** Whether the watch still reads its eventfd. */
    public boolean isActive() {
        return active;
    }

    /**
     * Stops the watch. On the loop thread, {@code fired} is not called again after this returns;
     * from another thread, the loop stops it at its next iteration. A second call does nothing.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            loop.cancel(op);
        }
    }

    @Override
    public String toString() {
        return "Watch[eventfd " + fd + (active ? "" : ", ended") + "]";
    }
}
