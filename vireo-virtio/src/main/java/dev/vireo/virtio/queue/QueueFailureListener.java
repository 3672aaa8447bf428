package dev.vireo.virtio.queue;

/**
 * Told once when a queue stops because the driver broke the rules ({@link VirtqueueException}).
 * The transport implements it: DEVICE_NEEDS_RESET and a configuration change notification
 * (virtio 1.2 §2.1.2), or the vhost-user vring error eventfd. Called on the thread that found the
 * problem; must not block.
 */
@FunctionalInterface
public interface QueueFailureListener {

    /** Listener that does nothing beyond the queue's own log line. */
    QueueFailureListener NONE = (queue, cause) -> { };

    void queueFailed(Virtqueue queue, VirtqueueException cause);
}
