package dev.vireo.virtio.device;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Log;
import dev.vireo.sys.abi.Pollfd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Kicks from eventfds (KVM ioeventfd, vhost-user SET_VRING_KICK), delivered by one platform thread
 * that polls them: when queue q's eventfd fires, the thread reads (resets) it and calls the
 * device with q. One thread per device means one thread per device's queues, as the device
 * framework expects. The eventfds stay owned by the caller; the notifier owns only its stop
 * eventfd and its thread.
 *
 * <p>This is the stand-alone form; with vireo-io the same job is {@code loop.watch(eventfd,
 * fired)} for each queue, and this class can go.
 */
public final class EventFdNotifier implements QueueNotifier {

    private static final Log LOG = Log.of("virtio");

    private final Fd[] kick;
    private final String name;
    private final Fd stop = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
    private Thread thread;
    private volatile boolean closed;

    /** {@code kick.get(q)} is queue q's kick eventfd (non-blocking; null when the queue has none). */
    public EventFdNotifier(String name, List<Fd> kick) {
        this.kick = kick.toArray(Fd[]::new);
        this.name = name;
    }

    @Override
    public synchronized void start(IntConsumer kicked) {
        if (thread != null) {
            throw new IllegalStateException("notifier already started");
        }
        thread = Thread.ofPlatform().name("virtio-kick-" + name).daemon().start(() -> run(kicked));
    }

    private void run(IntConsumer kicked) {
        try (Arena arena = Arena.ofConfined()) {
            int n = kick.length + 1;
            MemorySegment fds = arena.allocate(Pollfd.LAYOUT, n);
            int[] queueOf = new int[n];
            int used = 0;
            for (int q = 0; q < kick.length; q++) {
                if (kick[q] != null) {
                    Pollfd.set(fds, used, kick[q].num(), (short) EventCalls.POLLIN);
                    queueOf[used++] = q;
                }
            }
            Pollfd.set(fds, used, stop.num(), (short) EventCalls.POLLIN);
            int stopAt = used++;
            while (!closed) {
                int ready = EventCalls.poll(fds, used, -1);
                if (ready <= 0) {
                    continue; // EINTR
                }
                if (Pollfd.revents(fds, stopAt) != 0) {
                    return;
                }
                for (int i = 0; i < stopAt; i++) {
                    if (Pollfd.revents(fds, i) != 0) {
                        EventCalls.eventfdRead(kick[queueOf[i]].num());
                        kicked.accept(queueOf[i]);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("kick thread %s stopped: %s", name, e.toString());
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        EventCalls.eventfdWrite(stop.num(), 1);
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stop.close();
    }
}
