package dev.vireo.virtio.device;

/**
 * How a device notifies its driver (virtio 1.2 §2.3): a used buffer notification for a queue, or
 * a configuration change notification. KVM implements it with irqfd (and the MMIO interrupt
 * status register), vhost-user with the per-queue call eventfds and a backend message, tests with
 * {@code RecordingInterrupt}. Devices call it at most once per processed batch, after {@link
 * dev.vireo.virtio.queue.Virtqueue#needsNotification()} said the driver wants it.
 *
 * <p>Implementations must be thread-safe and must not block.
 */
public interface Interrupt {

    /** A used buffer notification for queue {@code queue}. */
    void signalUsed(int queue);

    /** A configuration change notification (new config values, or DEVICE_NEEDS_RESET, §2.1.2). */
    void signalConfig();
}
