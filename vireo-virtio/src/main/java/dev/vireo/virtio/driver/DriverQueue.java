package dev.vireo.virtio.driver;

import dev.vireo.virtio.queue.QueueConfig;

import java.util.List;

/**
 * The driver side of a virtqueue, written from the virtio 1.2 spec (§2.7.13-2.7.14 split,
 * §2.8.21-2.8.22 packed) as a guest driver uses it: lay out the rings in guest memory, post
 * buffers (chained or through an indirect table), decide whether to kick (honouring the device's
 * suppression), and collect used buffers. {@code vireo fsload} drives real vhost-user daemons
 * with it; device tests drive vireo's devices with it and also write deliberately broken rings
 * through the subclasses' raw methods.
 *
 * <p>What the device writes back is untrusted, as a guest driver must treat it (§2.7.8.2, §2.8.21
 * "the driver MUST NOT make assumptions about data in device-writable buffers beyond the first
 * {@code len} bytes"): a used entry naming a buffer that is not in flight, a length larger than
 * the buffer's device-writable part, or a used index that runs ahead of what was posted throws
 * {@link DeviceFaultException} and leaves the queue unusable, never a corrupt free list.
 *
 * <p>The steady-state path ({@link #add(Chain)}, {@link #pollUsedId()}) does not allocate; the
 * {@code List}/{@link Used} conveniences and indirect tables (bump-allocated, never freed) are
 * for tests. Not thread-safe.
 */
public abstract sealed class DriverQueue permits SplitDriverQueue, PackedDriverQueue {

    /** One buffer element: a guest range the device may read, or write when {@code writable}. */
    public record Buffer(long addr, int len, boolean writable) {

        /** A device-readable element (driver to device). */
        public static Buffer in(long addr, int len) {
            return new Buffer(addr, len, false);
        }

        /** A device-writable element (device to driver). */
        public static Buffer out(long addr, int len) {
            return new Buffer(addr, len, true);
        }
    }

    /** A used buffer: the id given at {@link #add} and the bytes the device wrote. */
    public record Used(int id, int len) {
    }

    /**
     * A reusable scatter-gather list to post without allocating: {@link #clear()}, then {@link
     * #readable} elements followed by {@link #writable} ones (§2.7.4.2: readable before writable).
     */
    public static final class Chain {

        final long[] addr;
        final int[] len;
        final boolean[] writable;
        int count;

        /** A chain of at most {@code capacity} elements. */
        public Chain(int capacity) {
            addr = new long[capacity];
            len = new int[capacity];
            writable = new boolean[capacity];
        }

        /** Empties the chain for reuse. */
        public Chain clear() {
            count = 0;
            return this;
        }

        /** Appends a device-readable element. */
        public Chain readable(long address, int length) {
            return append(address, length, false);
        }

        /** Appends a device-writable element. */
        public Chain writable(long address, int length) {
            return append(address, length, true);
        }

        private Chain append(long address, int length, boolean w) {
            if (count == addr.length) {
                throw new IllegalStateException("chain holds at most " + addr.length + " elements");
            }
            if (count > 0 && writable[count - 1] && !w) {
                throw new IllegalArgumentException("a readable element after a writable one (virtio 1.2 §2.7.4.2)");
            }
            addr[count] = address;
            len[count] = length;
            writable[count] = w;
            count++;
            return this;
        }

        /** Elements in the chain. */
        public int size() {
            return count;
        }

        long writableBytes() {
            long n = 0;
            for (int i = 0; i < count; i++) {
                if (writable[i]) {
                    n += Integer.toUnsignedLong(len[i]);
                }
            }
            return n;
        }

        static Chain of(List<Buffer> elements) {
            Chain c = new Chain(Math.max(1, elements.size()));
            for (Buffer b : elements) {
                // Tests post malformed orders too: bypass the order check, the device must catch it.
                c.addr[c.count] = b.addr();
                c.len[c.count] = b.len();
                c.writable[c.count] = b.writable();
                c.count++;
            }
            return c;
        }
    }

    /** Length recorded for buffers posted by hand (raw test methods): not checked. */
    static final long UNCHECKED = Long.MAX_VALUE;

    final GuestAllocator alloc;
    final int size;
    final boolean eventIdx;
    /** Per buffer id: device-writable bytes posted, or -1 when the id is not in flight. */
    private final long[] outstanding;
    private int usedLen;
    private boolean faulted;

    DriverQueue(GuestAllocator alloc, int size, boolean eventIdx) {
        this.alloc = alloc;
        this.size = size;
        this.eventIdx = eventIdx;
        this.outstanding = new long[Math.max(size, 1)];
        java.util.Arrays.fill(outstanding, -1);
    }

    /** The queue size (number of descriptors). */
    public int size() {
        return size;
    }

    /** Where the rings are, for the transport's queue registers or vhost-user SET_VRING_ADDR. */
    public abstract QueueConfig config();

    /**
     * Posts one buffer made of {@code chain}'s elements; with {@code indirect}, through an indirect
     * table (bump-allocated: tests only). Returns its id (split: head index; packed: buffer id), or
     * -1 when the ring has no room.
     */
    public abstract int add(Chain chain, boolean indirect);

    /** Posts {@code chain} without indirection. */
    public int add(Chain chain) {
        return add(chain, false);
    }

    /** Posts a buffer made of {@code elements} (readable ones first). */
    public int add(List<Buffer> elements, boolean indirect) {
        return add(Chain.of(elements), indirect);
    }

    /** Posts a buffer without indirection. */
    public int add(Buffer... elements) {
        return add(List.of(elements), false);
    }

    /**
     * Whether the device wants a notification for what was added since the last call (§2.7.10 /
     * §2.8.10 from the driver's side). Resets the "added since" counter.
     */
    public abstract boolean kickNeeded();

    /**
     * The id of the next used buffer, or -1 when there is none; its length is then {@link
     * #usedLen()}. Frees its descriptors.
     *
     * @throws DeviceFaultException when the device's used entry breaks the rules
     */
    public abstract int pollUsedId();

    /** The bytes the device wrote into the buffer last returned by {@link #pollUsedId()}. */
    public int usedLen() {
        return usedLen;
    }

    /** The next used buffer, or null. Frees its descriptors. */
    public Used pollUsed() {
        int id = pollUsedId();
        return id < 0 ? null : new Used(id, usedLen);
    }

    /** Asks the device for used buffer notifications (true) or not (false). */
    public abstract void interrupts(boolean enabled);

    /** Buffers posted and not yet used. */
    public abstract int inFlight();

    /** Whether VIRTIO_F_EVENT_IDX suppression is in use. */
    public boolean eventIdx() {
        return eventIdx;
    }

    /** Whether a device fault was detected; the queue refuses further use. */
    public boolean faulted() {
        return faulted;
    }

    void checkUsable() {
        if (faulted) {
            throw new DeviceFaultException("the queue was stopped after an earlier device fault");
        }
    }

    /** Records that buffer {@code id} is in flight with {@code writableBytes} for the device. */
    void posted(int id, long writableBytes) {
        outstanding[id] = writableBytes;
    }

    boolean isPosted(int id) {
        return outstanding[id] >= 0;
    }

    /**
     * Validates a used entry and retires buffer {@code id}: it must be in flight and {@code len}
     * (unsigned) within its device-writable bytes.
     */
    void retire(int id, int len) {
        if (id < 0 || id >= outstanding.length || outstanding[id] < 0) {
            throw fault("used entry names buffer " + Integer.toUnsignedString(id) + ", which is not in flight");
        }
        long room = outstanding[id];
        if (room != UNCHECKED && Integer.toUnsignedLong(len) > room) {
            throw fault("used length " + Integer.toUnsignedString(len) + " of buffer " + id + " exceeds its "
                    + room + " device-writable bytes");
        }
        outstanding[id] = -1;
        usedLen = len;
    }

    /** Marks the queue broken and returns the exception to throw. */
    DeviceFaultException fault(String message) {
        faulted = true;
        return new DeviceFaultException(message);
    }
}
