package dev.vireo.virtio.device;

import java.util.function.IntConsumer;

/**
 * Where "queue N was kicked" comes from (available buffer notifications, virtio 1.2 §2.3): KVM's
 * ioeventfd on the notify address, the vhost-user kick eventfds, an MMIO QueueNotify write, or a
 * test calling the device directly. The transport starts one at activation and hands each kick
 * to {@link VirtioDevice#queueNotify}; the device's queue handler runs on the notifier's thread.
 *
 * <p>{@link LoopNotifier} is the eventfd implementation, on vireo-io's {@code loop.watch(eventfd,
 * fired)}: the I/O loop reads the kick eventfds and runs the device's queue handler.
 */
public interface QueueNotifier extends AutoCloseable {

    /** Starts delivering kicks: {@code kicked} receives the queue index. Called once. */
    void start(IntConsumer kicked);

    /** Stops delivering; when it returns, no delivery is running or will start. Idempotent. */
    @Override
    void close();
}
