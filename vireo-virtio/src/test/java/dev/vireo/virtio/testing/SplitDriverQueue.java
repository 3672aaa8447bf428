package dev.vireo.virtio.testing;

import dev.vireo.mem.RingAccess;
import dev.vireo.virtio.queue.QueueConfig;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.List;

/** The driver side of a split virtqueue (virtio 1.2 §2.7.13, §2.7.14). */
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
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final int[] chainLength;
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
        for (int i = 0; i < n; i++) {
            free.add(i);
        }
    }

    @Override
    public QueueConfig config() {
        return new QueueConfig(size, descAddr, availAddr, usedAddr);
    }

    @Override
    public int add(List<Buffer> elements, boolean indirect) {
        if (indirect) {
            if (free.isEmpty()) {
                return -1;
            }
            long table = alloc.alloc(16L * elements.size(), 16);
            MemorySegment t = alloc.memory().slice(table, 16L * elements.size());
            for (int i = 0; i < elements.size(); i++) {
                Buffer b = elements.get(i);
                boolean last = i == elements.size() - 1;
                writeDesc(t, i, b.addr(), b.len(), (b.writable() ? F_WRITE : 0) | (last ? 0 : F_NEXT), last ? 0 : i + 1);
            }
            int head = free.poll();
            writeDescriptor(head, table, 16 * elements.size(), F_INDIRECT, 0);
            chainLength[head] = 1;
            publish(head);
            return head;
        }
        if (free.size() < elements.size() || elements.isEmpty()) {
            return -1;
        }
        int[] ids = new int[elements.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = free.poll();
        }
        for (int i = 0; i < ids.length; i++) {
            Buffer b = elements.get(i);
            boolean last = i == ids.length - 1;
            writeDescriptor(ids[i], b.addr(), b.len(), (b.writable() ? F_WRITE : 0) | (last ? 0 : F_NEXT), last ? 0 : ids[i + 1]);
        }
        chainLength[ids[0]] = ids.length;
        publish(ids[0]);
        return ids[0];
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
    public Used pollUsed() {
        int idx = RingAccess.loadAcquireU16(used, 2);
        if (idx == lastUsed) {
            return null;
        }
        long off = 4 + 8L * (lastUsed % size);
        int id = used.get(U32, off);
        int len = used.get(U32, off + 4);
        lastUsed = (lastUsed + 1) & 0xffff;
        if (eventIdx && interruptsOn) {
            RingAccess.storeU16(avail, 4 + 2L * size, lastUsed); // used_event: notify for the next one
        }
        if (id >= 0 && id < chainLength.length) {
            freeChain(id);
        }
        inFlight--;
        return new Used(id, len);
    }

    private void freeChain(int head) {
        int i = head;
        for (int k = 0; k < chainLength[head]; k++) {
            free.add(i);
            long off = 16L * i;
            i = Short.toUnsignedInt(desc.get(U16, off + 14));
        }
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

    @Override
    public int inFlight() {
        return inFlight;
    }

    public long descAddr() {
        return descAddr;
    }
}
