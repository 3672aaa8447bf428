/**
 * The device framework: the {@link dev.vireo.virtio.device.VirtioDevice} contract, {@link
 * dev.vireo.virtio.device.Activation} (memory, features, queues, interrupt), the {@link
 * dev.vireo.virtio.device.Interrupt} and {@link dev.vireo.virtio.device.QueueNotifier}
 * abstractions that KVM (irqfd/ioeventfd), vhost-user (call/kick eventfds) and tests implement,
 * and {@link dev.vireo.virtio.device.QueueProcessor}, the pop-handle-use loop with one
 * notification decision per batch.
 */
package dev.vireo.virtio.device;
