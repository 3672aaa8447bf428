/**
 * The device side of virtqueues (virtio 1.2 §2.7 split, §2.8 packed): {@link
 * dev.vireo.virtio.queue.Virtqueue} pops {@link dev.vireo.virtio.queue.DescriptorChain}s whose
 * readable and writable parts are bounds-checked scatter-gather lists over guest memory, gives
 * them back as used, and decides on notifications with or without EVENT_IDX. Every descriptor is
 * read once and its copy validated; a ring that breaks the rules stops its queue with a {@link
 * dev.vireo.virtio.queue.VirtqueueException} reported to a {@link
 * dev.vireo.virtio.queue.QueueFailureListener}.
 */
package dev.vireo.virtio.queue;
