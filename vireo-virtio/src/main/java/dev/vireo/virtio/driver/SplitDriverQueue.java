package dev.vireo.virtio.driver;

import dev.vireo.mem.RingAccess;
import dev.vireo.virtio.queue.QueueConfig;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The driver side of a split virtqueue (virtio 1.2 §2.7.13, §2.7.14): descriptor table, available
 * ring and used ring laid out by a {@link GuestAllocator}. The public raw methods ({@link
 * #writeDescriptor}, {@link #publish}, {@link #forceAvailIdx}, {@link #takeFree}) build malformed
 * rings for device tests; a driver uses {@link #add(Chain)} and {@link #pollUsedId()}.
 */
public final class SplitDriverQueue extends DriverQueue {

    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    public static final int F_INDIRECT = 4;

    private final long descAddr;
    private final long availAddr;
    private final long usedAddr;
    private final MemorySegment desc;
    private final MemorySegment avail;
    private final MemorySegment used;
    private final IntFifo free;
    private final int[] chainLength;
    private final int[] linkScratch;
    private int availIdx;
    private int lastKickIdx;
    private int lastUsed;
    private int inFlight;
    private boolean interruptsOn = true;

    /** Lays out a queue of {@code size} (a power of two, unchecked: tests use invalid ones too). */
    public SplitDriverQueue(GuestAllocator alloc, int size, boolean eventIdx) {
        super(alloc, size, eventIdx);
        int n = Math.max(size, 1);
        this.descAddr = alloc.alloc(16L * n, 16);
        this.availAddr = alloc.alloc(6 + 2L * n, 2);
        this.usedAddr = alloc.alloc(6 + 8L * n, 4);
        this.desc = alloc.memory().slice(descAddr, 16L * n);
        this.avail = alloc.memory().slice(availAddr, 6 + 2L * n);
        this.used = alloc.memory().slice(usedAddr, 6 + 8L * n);
        this.chainLength = new int[n];
        this.linkScratch = new int[n];
        this.free = new IntFifo(n);
        for (int i = 0; i < n; i++) {
            free.add(i);
        }
    }

    @Override
    public QueueConfig config() {
        return new QueueConfig(size, descAddr, availAddr, usedAddr);
    }

    @Override
    public int add(Chain chain, boolean indirect) {
        checkUsable();
        int n = chain.count;
        if (indirect) {
            if (free.isEmpty() || n == 0) {
                return -1;
            }
            long table = alloc.alloc(16L * n, 16);
            MemorySegment t = alloc.memory().slice(table, 16L * n);
            for (int i = 0; i < n; i++) {
                boolean last = i == n - 1;
                writeDesc(t, i, chain.addr[i], chain.len[i], (chain.writable[i] ? F_WRITE : 0) | (last ? 0 : F_NEXT), last ? 0 : i + 1);
            }
            int head = free.poll();
            writeDescriptor(head, table, 16 * n, F_INDIRECT, 0);
            chainLength[head] = 1;
            posted(head, chain.writableBytes());
            publish(head);
            return head;
        }
        if (free.size() < n || n == 0) {
            return -1;
        }
        // Take the chain's descriptors off the free list, link them, and write them back to front
        // so each one's next is known without a temporary array.
        int head = free.poll();
        int prev = head;
        for (int i = 1; i < n; i++) {
            int d = free.poll();
            linkScratch[prev] = d;
            prev = d;
        }
        int d = head;
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            int next = last ? 0 : linkScratch[d];
            writeDescriptor(d, chain.addr[i], chain.len[i], (chain.writable[i] ? F_WRITE : 0) | (last ? 0 : F_NEXT), next);
            d = next;
        }
        chainLength[head] = n;
        posted(head, chain.writableBytes());
        publish(head);
        return head;
    }

    /** Writes descriptor {@code index} of the table as is (malformed-input tests). */
    public void writeDescriptor(int index, long addr, int len, int flags, int next) {
        writeDesc(desc, index, addr, len, flags, next);
    }

    /** Writes descriptor {@code index} of an arbitrary table at guest address {@code table}. */
    public void writeDescriptorAt(long table, int index, long addr, int len, int flags, int next) {
        writeDesc(alloc.memory().slice(table + 16L * index, 16), 0, addr, len, flags, next);
    }

    private static void writeDesc(MemorySegment table, int index, long addr, int len, int flags, int next) {
        long off = 16L * index;
        table.set(U64, off, addr);
        table.set(U32, off + 8, len);
        table.set(U16, off + 12, (short) flags);
        table.set(U16, off + 14, (short) next);
    }

    /**
     * Puts {@code head} in the next available ring entry and publishes it (§2.7.13.2-3: entry,
     * barrier, then idx).
     */
    public void publish(int head) {
        if (head >= 0 && head < chainLength.length && !isPosted(head)) {
            posted(head, UNCHECKED); // a chain built by hand (malformed-input tests)
        }
        avail.set(U16, 4 + 2L * (availIdx % size), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        inFlight++;
        RingAccess.storeReleaseU16(avail, 2, availIdx);
    }

    /** Sets avail.idx to any value (malformed-input tests). */
    public void forceAvailIdx(int idx) {
        availIdx = idx & 0xffff;
        RingAccess.storeReleaseU16(avail, 2, availIdx);
    }

    @Override
    public boolean kickNeeded() {
        // §2.7.13.4.1: a barrier between the idx store and the read of the device's suppression fields.
        RingAccess.fullFence();
        int old = lastKickIdx;
        int now = availIdx;
        lastKickIdx = now;
        if (eventIdx) {
            int event = RingAccess.loadU16(used, 4 + 8L * size);
            return ((now - event - 1) & 0xffff) < ((now - old) & 0xffff);
        }
        return (RingAccess.loadU16(used, 0) & 1) == 0;
    }

    @Override
    public int pollUsedId() {
        checkUsable();
        int idx = RingAccess.loadAcquireU16(used, 2);
        if (idx == lastUsed) {
            return -1;
        }
        // §2.7.8: the device adds at most one used entry per buffer made available.
        if (((idx - lastUsed) & 0xffff) > inFlight) {
            throw fault("used.idx " + idx + " is " + ((idx - lastUsed) & 0xffff) + " entries ahead with only " + inFlight
                    + " buffers in flight");
        }
        long off = 4 + 8L * (lastUsed % size);
        int id = used.get(U32, off);
        int len = used.get(U32, off + 4);
        retire(id, len);
        lastUsed = (lastUsed + 1) & 0xffff;
        if (eventIdx && interruptsOn) {
            RingAccess.storeU16(avail, 4 + 2L * size, lastUsed); // used_event: notify for the next one
        }
        freeChain(id);
        inFlight--;
        return id;
    }

    private void freeChain(int head) {
        // The descriptor table is driver memory (the device only reads it), so following our own
        // next fields is safe; the length bounds the walk in case a test rewrote them.
        int i = head;
        for (int k = 0; k < chainLength[head]; k++) {
            free.add(i);
            long off = 16L * i;
            i = Short.toUnsignedInt(desc.get(U16, off + 14)) % chainLength.length;
        }
        chainLength[head] = 0;
    }

    @Override
    public void interrupts(boolean enabled) {
        interruptsOn = enabled;
        if (eventIdx) {
            // §2.7.7.1: with EVENT_IDX the flags stay 0; used_event far behind means "not yet".
            RingAccess.storeU16(avail, 4 + 2L * size, enabled ? lastUsed : (lastUsed - 1) & 0xffff);
        } else {
            RingAccess.storeU16(avail, 0, enabled ? 0 : 1);
        }
    }

    /** Sets used_event directly (EVENT_IDX tests). */
    public void usedEvent(int value) {
        RingAccess.storeU16(avail, 4 + 2L * size, value);
    }

    /** The device's avail_event (EVENT_IDX) and used.flags, for tests. */
    public int availEvent() {
        return RingAccess.loadU16(used, 4 + 8L * size);
    }

    public int usedFlags() {
        return RingAccess.loadU16(used, 0);
    }

    /** The device's used.idx. */
    public int usedIdx() {
        return RingAccess.loadAcquireU16(used, 2);
    }

    public int availIdx() {
        return availIdx;
    }

    /** Takes descriptors off the free list for hand-built chains. */
    public int takeFree() {
        return free.poll();
    }

    /** A fixed-capacity FIFO of descriptor indexes (the free list), without boxing. */
    private static final class IntFifo {
        private final int[] items;
        private int head;
        private int count;

        IntFifo(int capacity) {
            items = new int[capacity];
        }

        void add(int v) {
            if (count == items.length) {
                throw new IllegalStateException("descriptor freed twice");
            }
            items[(head + count++) % items.length] = v;
        }

        int poll() {
            if (count == 0) {
                throw new IllegalStateException("no free descriptor");
            }
            int v = items[head];
            head = (head + 1) % items.length;
            count--;
            return v;
        }

        boolean isEmpty() {
            return count == 0;
        }

        int size() {
            return count;
        }
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    public long descAddr() {
        return descAddr;
    }
}
