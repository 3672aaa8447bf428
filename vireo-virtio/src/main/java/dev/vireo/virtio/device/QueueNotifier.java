package dev.vireo.virtio.device;

import java.util.function.IntConsumer;

/**
 * Where "queue N was kicked" comes from (available buffer notifications, virtio 1.2 §2.3): KVM's
 * ioeventfd on the notify address, the vhost-user kick eventfds, an MMIO QueueNotify write, or a
 * test calling the device directly. The transport starts one at activation and hands each kick
 * to {@link VirtioDevice#queueNotify}; the device's queue handler runs on the notifier's thread.
 *
 * <p>{@link EventFdNotifier} is the eventfd implementation with its own platform thread; once the
 * I/O loop (vireo-io) is available, an implementation on {@code loop.watch(eventfd, fired)}
 * replaces it without any change to devices.
 */
public interface QueueNotifier extends AutoCloseable {

    /** Starts delivering kicks: {@code kicked} receives the queue index. Called once. */
    void start(IntConsumer kicked);

    /** Stops delivering; when it returns, no delivery is running or will start. Idempotent. */
    @Override
    void close();
}
