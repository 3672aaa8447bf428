package dev.vireo.virtio.device;

import dev.vireo.sys.Log;
import dev.vireo.virtio.queue.DescriptorChain;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.VirtqueueException;

/**
 * The processing loop of one queue whose requests complete synchronously (entropy, block, console
 * output, control queues): pop every available chain, hand it to the {@link Handler}, mark it
 * used, re-enable notifications and re-check, then make one interrupt decision for the whole
 * batch (EVENT_IDX honoured through {@link Virtqueue#needsNotification()}).
 *
 * <p>It owns one reusable {@link DescriptorChain}: steady-state processing allocates nothing. It
 * is the last line of defence for the device thread: an exception out of a handler (a bug, or
 * guest memory that went away) stops the queue with DEVICE_ERROR instead of escaping.
 */
public final class QueueProcessor {

    private static final Log LOG = Log.of("virtio");

    /** Handles one chain; returns the bytes it wrote into the chain's writable part (the used length). */
    @FunctionalInterface
    public interface Handler {
        long handle(DescriptorChain chain);
    }

    private final Virtqueue queue;
    private final Interrupt interrupt;
    private final Handler handler;
    private final DescriptorChain chain = new DescriptorChain();

    public QueueProcessor(Virtqueue queue, Interrupt interrupt, Handler handler) {
        this.queue = queue;
        this.interrupt = interrupt;
        this.handler = handler;
    }

    public Virtqueue queue() {
        return queue;
    }

    /** Processes everything available now; returns the number of chains handled. */
    public int process() {
        int handled = 0;
        try {
            do {
                queue.disableNotifications();
                while (queue.pop(chain)) {
                    long written = handler.handle(chain);
                    queue.addUsed(chain, written);
                    handled++;
                }
            } while (queue.enableNotifications());
            if (queue.needsNotification()) {
                interrupt.signalUsed(queue.index());
            }
        } catch (RuntimeException e) {
            LOG.warn("queue %d: unexpected %s while processing: %s", queue.index(), e.getClass().getSimpleName(), e.getMessage());
            queue.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR, "device failed: " + e, e));
        }
        return handled;
    }
}
