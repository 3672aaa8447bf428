package dev.vireo.virtio.queue;

import dev.vireo.mem.GuestMemory;
import dev.vireo.mem.GuestMemoryException;
import dev.vireo.sys.Log;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The device side of one virtqueue: take buffers the driver made available, give them back as
 * used, decide whether the driver wants a notification. {@link SplitQueue} (virtio 1.2 §2.7) and
 * {@link PackedQueue} (§2.8) implement the same operations, so devices do not care which layout
 * the driver negotiated.
 *
 * <h2>How a device uses a queue</h2>
 * <pre>{@code
 * do {
 *     queue.disableNotifications();
 *     while (queue.pop(chain)) {
 *         long written = handle(chain);
 *         queue.addUsed(chain, written);
 *     }
 * } while (queue.enableNotifications());      // re-check: the driver may have added more meanwhile
 * if (queue.needsNotification()) interrupt.signalUsed(queue.index());   // one decision per batch
 * }</pre>
 * {@link dev.vireo.virtio.device.QueueProcessor} is exactly this loop.
 *
 * <h2>Threads</h2>
 * One thread pops from a queue at a time. {@link #addUsed} and {@link #needsNotification} may
 * run on another thread (asynchronous completion) if the caller serialises them with each other;
 * they touch only the used side of the ring.
 *
 * <h2>Untrusted rings</h2>
 * Everything read from guest memory is read once into locals and checked there. A violation of
 * the ring rules stops the queue: {@link #pop} returns false from then on, and the queue's
 * {@link QueueFailureListener} is told once. No operation throws to the device.
 */
public abstract sealed class Virtqueue permits SplitQueue, PackedQueue {

    static final Log LOG = Log.of("virtio");

    /** Little-endian layouts for fields that may sit at any address (indirect tables have no alignment rule). */
    static final ValueLayout.OfLong LE_U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE_U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Descriptor flags (§2.7.5, §2.8.13). */
    static final int F_NEXT = 1;
    static final int F_WRITE = 2;
    static final int F_INDIRECT = 4;

    /** The largest queue size either layout allows (§2.7: 32768; §2.8: 2^15). */
    public static final int MAX_SIZE = 32768;

    final int index;
    final int size;
    final GuestMemory memory;
    final boolean eventIdx;
    final boolean indirect;
    private final QueueFailureListener listener;
    private volatile VirtqueueException failure;

    Virtqueue(int index, int size, GuestMemory memory, boolean eventIdx, boolean indirect, QueueFailureListener listener) {
        this.index = index;
        this.size = size;
        this.memory = memory;
        this.eventIdx = eventIdx;
        this.indirect = indirect;
        this.listener = listener;
    }

    /** The queue's number within its device. */
    public final int index() {
        return index;
    }

    /** The queue size the driver chose. */
    public final int size() {
        return size;
    }

    /** The guest memory the queue's rings and buffers live in. */
    public final GuestMemory memory() {
        return memory;
    }

    /** Whether VIRTIO_F_EVENT_IDX was negotiated for this queue. */
    public final boolean eventIdx() {
        return eventIdx;
    }

    /** Whether VIRTIO_F_INDIRECT_DESC was negotiated for this queue. */
    public final boolean indirectDescriptors() {
        return indirect;
    }

    /** Whether the queue has stopped because of a rule violation (or a device-reported failure). */
    public final boolean isBroken() {
        return failure != null;
    }

    /** Why the queue stopped, or null. */
    public final VirtqueueException failure() {
        return failure;
    }

    /**
     * Takes the next available buffer into {@code chain}. Returns false when there is none, or
     * when the queue is (or has just become) broken.
     */
    public abstract boolean pop(DescriptorChain chain);

    /**
     * Gives {@code chain} back to the driver with {@code written} bytes written into its writable
     * part (at most {@link DescriptorChain#writableBytes()}; larger values are clamped, §2.7.8.2
     * allows an underestimate but never an overestimate). Ignored once the queue is broken.
     */
    public abstract void addUsed(DescriptorChain chain, long written);

    /**
     * Whether the driver asked for a used buffer notification for the buffers used since the last
     * call (flags or used_event, §2.7.7.2; event suppression, §2.8.10). Call once per batch.
     */
    public abstract boolean needsNotification();

    /** Asks the driver not to notify while the device is processing (a hint, §2.7.10, §2.8.10). */
    public abstract void disableNotifications();

    /**
     * Asks the driver to notify about new buffers again, then checks for buffers that arrived
     * before the request became visible: returns true when there is something to pop, in which
     * case the caller processes again instead of waiting for a notification that will not come.
     */
    public abstract boolean enableNotifications();

    /** The device's position, for vhost-user GET_VRING_BASE and snapshots. */
    public abstract QueueState state();

    /**
     * Stops the queue because the device cannot go on with it (a chain it cannot answer).
     * Reports {@code cause} to the listener the first time; later calls do nothing.
     */
    public final void fail(VirtqueueException cause) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = cause;
        }
        LOG.warn("queue %d stopped: %s", index, cause.getMessage());
        listener.queueFailed(this, cause);
    }

    /** Checks and returns the guest-memory view of a ring area. */
    static MemorySegment area(GuestMemory memory, String what, long address, long length, int alignment) {
        if ((address & (alignment - 1)) != 0) {
            throw new VirtqueueException(VirtqueueException.Kind.MISALIGNED,
                    what + " at 0x" + Long.toHexString(address) + " is not " + alignment + "-byte aligned");
        }
        try {
            return memory.slice(address, length);
        } catch (GuestMemoryException e) {
            throw new VirtqueueException(VirtqueueException.Kind.OUTSIDE_MEMORY,
                    what + " [0x" + Long.toHexString(address) + ", +0x" + Long.toHexString(length)
                            + ") is not inside one region of guest memory", e);
        }
    }

    /**
     * The event-index test of §2.7.7.2 and §2.7.10 (vring_need_event): whether moving from {@code
     * old} to {@code now} (16-bit counters) passed the entry {@code event}.
     */
    static boolean needEvent(int event, int now, int old) {
        return ((now - event - 1) & 0xffff) < ((now - old) & 0xffff);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + index + ", size " + size + (eventIdx ? ", event idx" : "")
                + (indirect ? ", indirect" : "") + (isBroken() ? ", broken: " + failure.getMessage() : "") + "]";
    }
}
