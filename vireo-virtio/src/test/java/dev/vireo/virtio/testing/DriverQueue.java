package dev.vireo.virtio.testing;

import dev.vireo.virtio.queue.QueueConfig;

import java.util.List;

/**
 * The driver side of a virtqueue, written from the virtio 1.2 spec (§2.7.13-2.7.14 split,
 * §2.8.21-2.8.22 packed) as a guest driver would use it: lay out the rings in guest memory, post
 * buffers (chained or through an indirect table), decide whether to kick (honouring the device's
 * suppression), and collect used buffers. It also writes deliberately broken rings for the
 * malformed-input tests.
 */
public abstract sealed class DriverQueue permits SplitDriverQueue, PackedDriverQueue {

    /** One buffer element: a guest range the device may read, or write when {@code writable}. */
    public record Buffer(long addr, int len, boolean writable) {

        public static Buffer in(long addr, int len) {
            return new Buffer(addr, len, false);
        }

        public static Buffer out(long addr, int len) {
            return new Buffer(addr, len, true);
        }
    }

    /** A used buffer: the id given at {@link #add} and the bytes the device wrote. */
    public record Used(int id, int len) {
    }

    final GuestAllocator alloc;
    final int size;
    final boolean eventIdx;

    DriverQueue(GuestAllocator alloc, int size, boolean eventIdx) {
        this.alloc = alloc;
        this.size = size;
        this.eventIdx = eventIdx;
    }

    public int size() {
        return size;
    }

    /** Where the rings are, for the transport's queue registers. */
    public abstract QueueConfig config();

    /**
     * Posts one buffer made of {@code elements} (readable ones first); with {@code indirect}, through
     * an indirect table. Returns its id (split: head index; packed: buffer id), or -1 when the
     * ring has no room.
     */
    public abstract int add(List<Buffer> elements, boolean indirect);

    /** Posts a buffer without indirection. */
    public int add(Buffer... elements) {
        return add(List.of(elements), false);
    }

    /**
     * Whether the device wants a notification for what was added since the last call (§2.7.10 /
     * §2.8.10 from the driver's side). Resets the "added since" counter.
     */
    public abstract boolean kickNeeded();

    /** The next used buffer, or null. Frees its descriptors. */
    public abstract Used pollUsed();

    /** Asks the device for used buffer notifications (true) or not (false). */
    public abstract void interrupts(boolean enabled);

    /** Buffers posted and not yet used. */
    public abstract int inFlight();

    public boolean eventIdx() {
        return eventIdx;
    }
}
