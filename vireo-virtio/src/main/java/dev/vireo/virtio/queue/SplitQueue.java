package dev.vireo.virtio.queue;

import dev.vireo.mem.GuestMemory;
import dev.vireo.mem.GuestMemoryException;
import dev.vireo.mem.MemoryRegion;
import dev.vireo.mem.RingAccess;

import java.lang.foreign.MemorySegment;

import static dev.vireo.virtio.queue.VirtqueueException.Kind;

/**
 * A split virtqueue, device side (virtio 1.2 §2.7): a descriptor table, an available ring the
 * driver fills and a used ring the device fills, each a bounds-checked view of guest memory.
 *
 * <p>Ordering (§2.7.13): the driver writes descriptors and ring entries, then avail.idx; the
 * device loads avail.idx with acquire semantics before it reads what the index covers. The device
 * writes used entries, then stores used.idx with release semantics (§2.7.8.2: len before idx).
 * Before deciding on a notification, and after re-enabling the driver's notifications, a full
 * fence orders the device's store against its following load of the other side's field.
 */
public final class SplitQueue extends Virtqueue {

    /** avail.flags: the driver does not want used buffer notifications (§2.7.7). */
    static final int AVAIL_F_NO_INTERRUPT = 1;
    /** used.flags: the device does not want available buffer notifications (§2.7.10). */
    static final int USED_F_NO_NOTIFY = 1;

    private static final long AVAIL_IDX = 2;
    private static final long AVAIL_RING = 4;
    private static final long USED_IDX = 2;
    private static final long USED_RING = 4;

    private final MemorySegment desc;
    private final MemorySegment avail;
    private final MemorySegment used;
    private final int mask;
    private final long usedEventOffset;
    private final long availEventOffset;

    private int nextAvail;
    private int shadowAvailIdx;
    private int nextUsed;
    private int signalledUsed;

    SplitQueue(int index, QueueConfig config, GuestMemory memory, boolean eventIdx, boolean indirect,
               QueueState state, QueueFailureListener listener) {
        super(index, config.size(), memory, eventIdx, indirect, listener);
        int n = config.size();
        // §2.7: "Queue Size value is always a power of 2. The maximum Queue Size value is 32768."
        if (n <= 0 || n > MAX_SIZE || Integer.bitCount(n) != 1) {
            throw new VirtqueueException(Kind.INVALID_SIZE, "split queue size " + n + " is not a power of two in [1, 32768]");
        }
        // §2.7 table and §2.7.1: alignments 16, 2, 4; sizes 16*n, 6+2*n, 6+8*n.
        this.desc = area(memory, "descriptor table", config.descriptorArea(), 16L * n, 16);
        this.avail = area(memory, "available ring", config.driverArea(), 6 + 2L * n, 2);
        this.used = area(memory, "used ring", config.deviceArea(), 6 + 8L * n, 4);
        this.mask = n - 1;
        this.usedEventOffset = AVAIL_RING + 2L * n;
        this.availEventOffset = USED_RING + 8L * n;
        this.nextAvail = state.nextAvail() & 0xffff;
        this.shadowAvailIdx = nextAvail;
        this.nextUsed = state.nextUsed() & 0xffff;
        this.signalledUsed = nextUsed;
    }

    @Override
    public boolean pop(DescriptorChain chain) {
        if (isBroken()) {
            return false;
        }
        try {
            if (nextAvail == shadowAvailIdx && !refreshAvailIdx()) {
                return false;
            }
            int head = RingAccess.loadU16(avail, AVAIL_RING + 2L * (nextAvail & mask));
            walk(head, chain);
            nextAvail = (nextAvail + 1) & 0xffff;
            return true;
        } catch (VirtqueueException e) {
            fail(e);
            return false;
        }
    }

    /** Reads avail.idx (acquire); returns whether entries are pending. */
    private boolean refreshAvailIdx() {
        int idx = RingAccess.loadAcquireU16(avail, AVAIL_IDX);
        int pending = (idx - nextAvail) & 0xffff;
        // §2.7: the queue holds at most Queue Size buffers, so the driver can never be further ahead.
        if (pending > size) {
            throw new VirtqueueException(Kind.AVAIL_INDEX_JUMP, "avail.idx " + idx + " is " + pending
                    + " entries past the device's " + nextAvail + " in a queue of " + size);
        }
        shadowAvailIdx = idx;
        return pending != 0;
    }

    /** Follows the chain starting at {@code head}, copying each descriptor once and checking the copy. */
    private void walk(int head, DescriptorChain chain) {
        // §2.7.5: the table has Queue Size entries; a head outside it names no descriptor.
        if (head >= size) {
            throw new VirtqueueException(Kind.HEAD_OUT_OF_RANGE, "available entry names descriptor " + head
                    + " of a table of " + size);
        }
        chain.begin();
        chain.id = head;
        MemorySegment table = desc;
        long tableBase = 0; // the table's offset in {@code table}: the region's host memory for an indirect table
        int tableSize = size;
        boolean inIndirect = false;
        int i = head;
        int count = 0;
        while (true) {
            if (i >= tableSize) {
                throw new VirtqueueException(Kind.NEXT_OUT_OF_RANGE, "next descriptor " + i + " outside a table of "
                        + tableSize + (inIndirect ? " (indirect)" : ""));
            }
            // §2.7.5.2: no loops. A walk visiting more descriptors than its table holds has one. The
            // bound is the table's: §2.7.5.3.1 asks drivers to keep chains within the queue size, but
            // Linux sizes a request by the device's seg_max alone once indirect descriptors are
            // negotiated (virtio_blk), and a vhost-user device fixes seg_max before the front-end
            // picks the ring size; QEMU's own devices accept such tables too.
            if (++count > tableSize) {
                throw new VirtqueueException(Kind.CHAIN_TOO_LONG, "chain from head " + head + " is longer than its "
                        + (inIndirect ? "indirect table of " + tableSize : "queue of " + size) + " descriptors (a loop?)");
            }
            long off = tableBase + 16L * i;
            long addr = table.get(LE_U64, off);
            int len = table.get(LE_U32, off + 8);
            int flags = Short.toUnsignedInt(table.get(LE_U16, off + 12));
            int next = Short.toUnsignedInt(table.get(LE_U16, off + 14));
            if ((flags & F_INDIRECT) != 0) {
                if (inIndirect) {
                    // §2.7.5.3.1: only one table per descriptor.
                    throw new VirtqueueException(Kind.NESTED_INDIRECT, "indirect descriptor inside an indirect table");
                }
                if (!indirect) {
                    throw new VirtqueueException(Kind.INDIRECT_NOT_NEGOTIATED, "indirect descriptor without VIRTIO_F_INDIRECT_DESC");
                }
                if ((flags & F_NEXT) != 0) {
                    // §2.7.5.3.1: INDIRECT and NEXT are exclusive; the indirect descriptor ends the direct chain (§2.7.5.3.2).
                    throw new VirtqueueException(Kind.INDIRECT_WITH_NEXT, "descriptor " + i + " has both INDIRECT and NEXT");
                }
                MemoryRegion region = indirectTable(addr, len);
                table = region.host();
                tableBase = addr - region.guestBase();
                tableSize = (int) (Integer.toUnsignedLong(len) / 16);
                inIndirect = true;
                i = 0;
                count = 0; // the table's own walk starts; the direct descriptors before it were bounded by the queue
                continue; // §2.7.5.3.2: the WRITE flag of the pointing descriptor is ignored
            }
            chain.append(memory, addr, len, (flags & F_WRITE) != 0);
            if ((flags & F_NEXT) == 0) {
                return;
            }
            i = next;
        }
    }

    /** The region holding an indirect table, checked; read through its host memory (no view is created per chain). */
    private MemoryRegion indirectTable(long addr, int len) {
        long bytes = Integer.toUnsignedLong(len);
        // §2.7.5.3: the table holds len/16 descriptors; next is 16 bits, so more than 2^16 are unreachable.
        if (bytes == 0 || bytes % 16 != 0 || bytes / 16 > 65536) {
            throw new VirtqueueException(Kind.BAD_INDIRECT_TABLE, "indirect table length " + bytes
                    + " is not a positive multiple of 16 of at most 65536 entries");
        }
        try {
            return memory.region(addr, bytes);
        } catch (GuestMemoryException e) {
            throw new VirtqueueException(Kind.BAD_INDIRECT_TABLE, "indirect table is not guest memory: " + e.getMessage(), e);
        }
    }

    @Override
    public void addUsed(DescriptorChain chain, long written) {
        if (isBroken()) {
            return;
        }
        long len = Math.max(0, Math.min(written, chain.writableBytes()));
        long off = USED_RING + 8L * (nextUsed & mask);
        used.set(LE_U32, off, chain.id);
        used.set(LE_U32, off + 4, (int) len);
        nextUsed = (nextUsed + 1) & 0xffff;
        // §2.7.8.2: the entry (id and len) is visible before the index that covers it.
        RingAccess.storeReleaseU16(used, USED_IDX, nextUsed);
    }

    @Override
    public boolean needsNotification() {
        int old = signalledUsed;
        int now = nextUsed;
        signalledUsed = now;
        if (old == now) {
            return false; // nothing used since the last decision
        }
        // Order the used.idx store before the load of the driver's flags/used_event (the device's
        // side of the barrier the driver needs in §2.7.13.4.1).
        RingAccess.fullFence();
        if (eventIdx) {
            // §2.7.7.2: notify when used.idx passed used_event; the flags are ignored.
            int usedEvent = RingAccess.loadU16(avail, usedEventOffset);
            return needEvent(usedEvent, now, old);
        }
        // §2.7.7.2: flags 0 means notify; 1 means the driver would rather not be.
        return (RingAccess.loadU16(avail, 0) & AVAIL_F_NO_INTERRUPT) == 0;
    }

    @Override
    public void disableNotifications() {
        if (isBroken()) {
            return;
        }
        if (eventIdx) {
            // §2.7.10.2: with EVENT_IDX the flags stay 0 and avail_event decides. The value the last
            // enable wrote still asks for a kick for the next entry, which a queue that polls its
            // ring does not want: an avail_event behind everything popped asks for none (the
            // driver kicks only when the entry at avail_event is the one it makes available).
            RingAccess.storeU16(used, availEventOffset, (nextAvail - 1) & 0xffff);
        } else {
            RingAccess.storeU16(used, 0, USED_F_NO_NOTIFY);
        }
    }

    @Override
    public boolean enableNotifications() {
        if (isBroken()) {
            return false;
        }
        if (eventIdx) {
            // §2.7.10.2: "notify me when you make entry nextAvail available".
            RingAccess.storeU16(used, availEventOffset, nextAvail);
        } else {
            RingAccess.storeU16(used, 0, 0);
        }
        RingAccess.fullFence();
        try {
            return refreshAvailIdx();
        } catch (VirtqueueException e) {
            fail(e);
            return false;
        }
    }

    @Override
    public QueueState state() {
        return new QueueState(nextAvail, true, nextUsed, true);
    }
}
