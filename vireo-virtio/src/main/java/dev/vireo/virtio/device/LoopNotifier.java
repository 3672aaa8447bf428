package dev.vireo.virtio.device;

import dev.vireo.io.EventLoop;
import dev.vireo.io.Op;
import dev.vireo.io.Watch;
import dev.vireo.sys.Fd;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

/**
 * Kicks from eventfds (KVM ioeventfd, vhost-user SET_VRING_KICK) delivered by vireo-io's
 * {@link EventLoop}: one {@link EventLoop#watch watch} per queue, so the loop itself reads (and
 * resets) the eventfd — with io_uring inside its one system call per iteration — and then calls
 * the device with the queue's index on the loop thread. Several kicks before a delivery count as
 * one: the device processes everything available anyway.
 *
 * <p>The device's queue handlers run on the loop thread. Devices whose handlers do blocking I/O
 * (the block device's synchronous reads and writes) therefore need a loop of their own — the
 * vhost-user back-end opens one per connection — rather than one shared with latency-sensitive
 * work. The eventfds stay owned by the caller and must stay open until {@link #close()} returns.
 */
public final class LoopNotifier implements QueueNotifier {

    private final EventLoop loop;
    private final Fd[] kick;
    private final Watch[] watches;
    private boolean started;
    private boolean closed;

    /** {@code kick.get(q)} is queue q's kick eventfd (null when the queue has none). */
    public LoopNotifier(EventLoop loop, List<Fd> kick) {
        this.loop = loop;
        this.kick = kick.toArray(Fd[]::new);
        this.watches = new Watch[this.kick.length];
    }

    @Override
    public synchronized void start(IntConsumer kicked) {
        if (started || closed) {
            throw new IllegalStateException(closed ? "notifier closed" : "notifier already started");
        }
        started = true;
        for (int q = 0; q < kick.length; q++) {
            if (kick[q] != null) {
                int queue = q;
                watches[q] = loop.watch(kick[q].num(), count -> kicked.accept(queue));
            }
        }
    }

    /**
     * Stops every watch. When this returns no delivery is running or will start: on the loop
     * thread that holds at once; from another thread it waits for a no-op submitted after the
     * cancellations, which completes only once the handler running now (if any) has returned,
     * since handlers run one at a time.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Watch w : watches) {
                if (w != null) {
                    w.close();
                }
            }
        }
        if (!started || loop.inLoop()) {
            return;
        }
        CountDownLatch barrier = new CountDownLatch(1);
        try {
            // Every accepted op completes exactly once (-ECANCELED when the loop closes first).
            loop.submit(new Op((op, result) -> barrier.countDown()).nop());
        } catch (IllegalStateException loopClosing) {
            return; // the loop's own close() waits for the running handler
        }
        boolean interrupted = false;
        while (true) {
            try {
                barrier.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
