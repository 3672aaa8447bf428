package dev.vireo.virtio.queue;

import dev.vireo.mem.GuestMemory;
import dev.vireo.sys.abi.virtio.Virtio;

/** Builds the device side of a queue from what the driver configured, checking all of it. */
public final class Virtqueues {

    private Virtqueues() {
    }

    /**
     * A queue over {@code memory} laid out as {@code config} says, split or packed as {@code
     * features} (the negotiated set) says, starting at {@code state}.
     *
     * @throws VirtqueueException when the size or an area is invalid (§2.7, §2.8.10.1)
     */
    public static Virtqueue create(int index, QueueConfig config, GuestMemory memory, long features,
                                   QueueState state, QueueFailureListener listener) {
        boolean eventIdx = (features & (1L << Virtio.VIRTIO_RING_F_EVENT_IDX)) != 0;
        boolean indirect = (features & (1L << Virtio.VIRTIO_RING_F_INDIRECT_DESC)) != 0;
        if ((features & (1L << Virtio.VIRTIO_F_RING_PACKED)) != 0) {
            return new PackedQueue(index, config, memory, eventIdx, indirect, state, listener);
        }
        return new SplitQueue(index, config, memory, eventIdx, indirect, state, listener);
    }

    /** A queue that starts from the reset state. */
    public static Virtqueue create(int index, QueueConfig config, GuestMemory memory, long features,
                                   QueueFailureListener listener) {
        return create(index, config, memory, features, QueueState.INITIAL, listener);
    }
}
