package dev.vireo.virtio.device;

import dev.vireo.mem.GuestMemory;
import dev.vireo.virtio.queue.Virtqueue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a device receives when the driver sets DRIVER_OK (virtio 1.2 §3.1.1 step 8): the guest's
 * memory, the negotiated features, the queues the driver enabled (in queue-index order; an entry
 * is null for a queue the driver left disabled), and how to interrupt the driver.
 */
public record Activation(GuestMemory memory, long features, List<Virtqueue> queues, Interrupt interrupt) {

    public Activation {
        queues = Collections.unmodifiableList(new ArrayList<>(queues)); // null entries allowed: List.copyOf refuses them
    }

    /** Whether feature bit {@code n} was negotiated. */
    public boolean has(int n) {
        return Features.has(features, n);
    }

    /** Queue {@code i}, or null when it was not enabled or does not exist. */
    public Virtqueue queue(int i) {
        return i >= 0 && i < queues.size() ? queues.get(i) : null;
    }
}
