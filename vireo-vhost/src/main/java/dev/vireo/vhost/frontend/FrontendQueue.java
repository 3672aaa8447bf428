package dev.vireo.vhost.frontend;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.abi.Pollfd;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.virtio.driver.SplitDriverQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One virtqueue of a {@link VhostUserFrontend}: the driver-side rings in the front-end's guest
 * memory, the kick eventfd the back-end waits on and the call eventfd it signals (vhost-user
 * SET_VRING_KICK / SET_VRING_CALL). What a guest driver's interrupt handler would do is {@link
 * #awaitCall}: block on the call eventfd. Not thread-safe: one thread drives a queue.
 */
public final class FrontendQueue implements AutoCloseable {

    private final int index;
    private final SplitDriverQueue ring;
    private final Fd kick;
    private final Fd call;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment pollfd = arena.allocate(Pollfd.LAYOUT, 2);
    private final int socket;
    private long kicks;
    private long calls;

    FrontendQueue(int index, SplitDriverQueue ring, Fd kick, Fd call, int socket) {
        this.socket = socket;
        this.index = index;
        this.ring = ring;
        this.kick = kick;
        this.call = call;
    }

    /** The vhost-user vring index. */
    public int index() {
        return index;
    }

    /** The driver side of the rings. */
    public SplitDriverQueue ring() {
        return ring;
    }

    /** Notifies the back-end if the ring's suppression state asks for it (§2.7.10); returns whether it did. */
    public boolean kickIfNeeded() {
        if (ring.kickNeeded()) {
            kick();
            return true;
        }
        return false;
    }

    /** Notifies the back-end unconditionally. */
    public void kick() {
        EventCalls.eventfdWrite(kick.num(), 1);
        kicks++;
    }

    /**
     * Waits up to {@code timeoutMillis} for the back-end's used-buffer notification and consumes
     * it; returns false on timeout. The eventfd counter keeps a notification that arrived before
     * the wait, so checking the used ring and then waiting loses none. The vhost-user socket is
     * watched too: a back-end that hangs up (or dies) ends the wait with {@link MessageException}
     * instead of a timeout.
     */
    public boolean awaitCall(int timeoutMillis) {
        Pollfd.set(pollfd, 0, call.num(), EventCalls.POLLIN);
        Pollfd.set(pollfd, 1, socket, EventCalls.POLLRDHUP);
        if (EventCalls.poll(pollfd, socket >= 0 ? 2 : 1, timeoutMillis) <= 0) {
            return false;
        }
        if ((Pollfd.revents(pollfd, 0) & EventCalls.POLLIN) == 0) {
            throw new MessageException("the back-end closed the vhost-user connection (queue " + index + ")");
        }
        EventCalls.eventfdRead(call.num());
        calls++;
        return true;
    }

    /** Kicks sent so far. */
    public long kicks() {
        return kicks;
    }

    /** Calls received so far. */
    public long calls() {
        return calls;
    }

    @Override
    public void close() {
        kick.close();
        call.close();
        arena.close();
    }
}
