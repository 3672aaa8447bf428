package dev.vireo.virtio.queue;

/**
 * The device-side position in a queue, which is all a device keeps between runs (vhost-user
 * GET_VRING_BASE/SET_VRING_BASE, snapshots): the next available entry to read and the next used
 * entry to write, with the packed ring's wrap counters (§2.8.1). For a split queue the indexes
 * are free-running 16-bit counters and the wrap counters are unused; for a packed queue they are
 * positions in the ring, below its size.
 */
public record QueueState(int nextAvail, boolean availWrap, int nextUsed, boolean usedWrap) {

    /** The state of a freshly reset queue (both wrap counters start at 1, §2.8.1). */
    public static final QueueState INITIAL = new QueueState(0, true, 0, true);
}
