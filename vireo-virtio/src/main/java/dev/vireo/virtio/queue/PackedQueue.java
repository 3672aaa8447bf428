package dev.vireo.virtio.queue;

import dev.vireo.mem.GuestMemory;
import dev.vireo.mem.GuestMemoryException;
import dev.vireo.mem.MemoryRegion;
import dev.vireo.mem.RingAccess;

import java.lang.foreign.MemorySegment;

import static dev.vireo.virtio.queue.VirtqueueException.Kind;

/**
 * A packed virtqueue, device side (virtio 1.2 §2.8, VIRTIO_F_RING_PACKED): one descriptor ring that
 * both sides write, plus the driver and device event suppression structures.
 *
 * <p>A descriptor is available when its AVAIL flag equals the device's avail wrap counter and its
 * USED flag does not (§2.8.1). The driver exposes a list by writing its first descriptor's flags
 * last (§2.8.21.1), so the device loads those flags with acquire semantics and then reads the
 * whole list. The device writes one used descriptor per buffer, flags last (release), at its own
 * used position, and advances that position by the number of descriptors the buffer occupied
 * (§2.8.6), flipping its used wrap counter at the end of the ring.
 */
public final class PackedQueue extends Virtqueue {

    /** Flag bits of a packed descriptor (§2.8.1). */
    static final int F_AVAIL = 1 << 7;
    static final int F_USED = 1 << 15;

    /** Event suppression flags (§2.8.10). */
    static final int EVENT_ENABLE = 0;
    static final int EVENT_DISABLE = 1;
    static final int EVENT_DESC = 2;

    private final MemorySegment ring;
    private final MemorySegment driverEvent;
    private final MemorySegment deviceEvent;

    private int nextAvail;
    private boolean availWrap;
    private int nextUsed;
    private boolean usedWrap;
    private int usedSinceSignal;

    PackedQueue(int index, QueueConfig config, GuestMemory memory, boolean eventIdx, boolean indirect,
                QueueState state, QueueFailureListener listener) {
        super(index, config.size(), memory, eventIdx, indirect, listener);
        int n = config.size();
        // §2.8: up to 2^15 entries; the size need not be a power of two.
        if (n <= 0 || n > MAX_SIZE) {
            throw new VirtqueueException(Kind.INVALID_SIZE, "packed queue size " + n + " outside [1, 32768]");
        }
        if (state.nextAvail() < 0 || state.nextAvail() >= n || state.nextUsed() < 0 || state.nextUsed() >= n) {
            throw new VirtqueueException(Kind.INVALID_STATE, "packed queue positions " + state + " outside a ring of " + n);
        }
        // §2.8.10.1 and §2.8.11: descriptor ring 16-aligned, 16*n; each event structure 4-aligned, 4 bytes.
        this.ring = area(memory, "descriptor ring", config.descriptorArea(), 16L * n, 16);
        this.driverEvent = area(memory, "driver event suppression", config.driverArea(), 4, 4);
        this.deviceEvent = area(memory, "device event suppression", config.deviceArea(), 4, 4);
        this.nextAvail = state.nextAvail();
        this.availWrap = state.availWrap();
        this.nextUsed = state.nextUsed();
        this.usedWrap = state.usedWrap();
    }

    private static boolean isAvailable(int flags, boolean wrap) {
        boolean avail = (flags & F_AVAIL) != 0;
        boolean used = (flags & F_USED) != 0;
        return avail == wrap && used != wrap;
    }

    @Override
    public boolean pop(DescriptorChain chain) {
        if (isBroken()) {
            return false;
        }
        try {
            int first = RingAccess.loadAcquireU16(ring, 16L * nextAvail + 14);
            if (!isAvailable(first, availWrap)) {
                return false;
            }
            walk(chain);
            return true;
        } catch (VirtqueueException e) {
            fail(e);
            return false;
        }
    }

    private void walk(DescriptorChain chain) {
        chain.begin();
        int pos = nextAvail;
        boolean wrap = availWrap;
        int slots = 0;
        while (true) {
            // §2.8.17: a list is at most Queue Size descriptors long.
            if (slots == size) {
                throw new VirtqueueException(Kind.CHAIN_TOO_LONG, "descriptor list from " + nextAvail
                        + " is longer than the queue size " + size);
            }
            long off = 16L * pos;
            int flags = Short.toUnsignedInt(ring.get(LE_U16, off + 14));
            // §2.8.6: every descriptor of a list carries the AVAIL/USED bits of its lap.
            if (slots > 0 && !isAvailable(flags, wrap)) {
                throw new VirtqueueException(Kind.NOT_AVAILABLE, "descriptor " + pos + " continues a list but is not available");
            }
            long addr = ring.get(LE_U64, off);
            int len = ring.get(LE_U32, off + 8);
            int id = Short.toUnsignedInt(ring.get(LE_U16, off + 12));
            slots++;
            if (++pos == size) {
                pos = 0;
                wrap = !wrap;
            }
            if ((flags & F_INDIRECT) != 0) {
                if (!indirect) {
                    throw new VirtqueueException(Kind.INDIRECT_NOT_NEGOTIATED, "indirect descriptor without VIRTIO_F_INDIRECT_DESC");
                }
                // §2.8.19: an indirect descriptor is never part of a NEXT list.
                if ((flags & F_NEXT) != 0 || slots > 1) {
                    throw new VirtqueueException(Kind.INDIRECT_WITH_NEXT, "indirect descriptor " + (pos == 0 ? size - 1 : pos - 1)
                            + " in a NEXT list");
                }
                walkIndirect(addr, len, chain);
                chain.id = id; // §2.8.7: the WRITE flag of the pointing descriptor is ignored
                break;
            }
            chain.append(memory, addr, len, (flags & F_WRITE) != 0);
            if ((flags & F_NEXT) == 0) {
                chain.id = id; // §2.8.6: the buffer id is in the last descriptor of the list
                break;
            }
        }
        chain.slots = slots;
        nextAvail = pos;
        availWrap = wrap;
    }

    private void walkIndirect(long addr, int len, DescriptorChain chain) {
        long bytes = Integer.toUnsignedLong(len);
        // §2.8.7: the table holds len/16 descriptors, used in order (no loop is possible). §2.8.5 asks
        // drivers for at most Queue Size of them, but Linux sizes block requests by seg_max alone (see
        // SplitQueue.walk): the bound is Virtqueue.MAX_SIZE, as QEMU bounds by its own maximum.
        if (bytes == 0 || bytes % 16 != 0 || bytes / 16 > Virtqueue.MAX_SIZE) {
            throw new VirtqueueException(Kind.BAD_INDIRECT_TABLE, "indirect table length " + bytes
                    + " is not a positive multiple of 16 of at most " + Virtqueue.MAX_SIZE + " entries");
        }
        MemoryRegion region;
        try {
            region = memory.region(addr, bytes); // checked like a slice, but no view is created per chain
        } catch (GuestMemoryException e) {
            throw new VirtqueueException(Kind.BAD_INDIRECT_TABLE, "indirect table is not guest memory: " + e.getMessage(), e);
        }
        MemorySegment table = region.host();
        long base = addr - region.guestBase();
        int entries = (int) (bytes / 16);
        for (int k = 0; k < entries; k++) {
            long off = base + 16L * k;
            long a = table.get(LE_U64, off);
            int l = table.get(LE_U32, off + 8);
            int f = Short.toUnsignedInt(table.get(LE_U16, off + 14));
            // §2.8.19: the driver sets no flag but WRITE in a table; a nested table is refused.
            if ((f & F_INDIRECT) != 0) {
                throw new VirtqueueException(Kind.NESTED_INDIRECT, "indirect descriptor inside an indirect table");
            }
            chain.append(memory, a, l, (f & F_WRITE) != 0);
        }
    }

    @Override
    public void addUsed(DescriptorChain chain, long written) {
        if (isBroken()) {
            return;
        }
        long len = Math.max(0, Math.min(written, chain.writableBytes()));
        long off = 16L * nextUsed;
        ring.set(LE_U32, off + 8, (int) len);
        ring.set(LE_U16, off + 12, (short) chain.id);
        // §2.8.1: a used descriptor has AVAIL and USED both equal to the used wrap counter;
        // §2.8.3: WRITE says that data was written (len is meaningful).
        int flags = usedWrap ? F_AVAIL | F_USED : 0;
        if (len > 0) {
            flags |= F_WRITE;
        }
        RingAccess.storeReleaseU16(ring, off + 14, flags);
        nextUsed += chain.slots;
        if (nextUsed >= size) {
            nextUsed -= size;
            usedWrap = !usedWrap;
        }
        usedSinceSignal += chain.slots;
    }

    @Override
    public boolean needsNotification() {
        int count = usedSinceSignal;
        if (count == 0) {
            return false;
        }
        usedSinceSignal = 0;
        RingAccess.fullFence();
        int flags = RingAccess.loadU16(driverEvent, 2) & 3;
        switch (flags) {
            case EVENT_DISABLE:
                return false;
            case EVENT_DESC:
                if (!eventIdx || count >= size) {
                    return true; // DESC is only valid with EVENT_IDX (§2.8.10); notify rather than lose one
                }
                int offWrap = RingAccess.loadU16(driverEvent, 0);
                int event = offWrap & 0x7fff;
                boolean wrap = (offWrap & 0x8000) != 0;
                // An event in the other lap lies behind the current used position (as the drivers read it).
                if (wrap != usedWrap) {
                    event -= size;
                }
                // Notify when one of the count descriptors just used is the one the driver named.
                return event >= nextUsed - count && event < nextUsed;
            default:
                return true; // ENABLE, or the reserved value 3
        }
    }

    @Override
    public void disableNotifications() {
        if (!isBroken()) {
            RingAccess.storeU16(deviceEvent, 2, EVENT_DISABLE);
        }
    }

    @Override
    public boolean enableNotifications() {
        if (isBroken()) {
            return false;
        }
        if (eventIdx) {
            // §2.8.10: "notify me when the descriptor at nextAvail of this lap becomes available".
            RingAccess.storeU16(deviceEvent, 0, nextAvail | (availWrap ? 0x8000 : 0));
            RingAccess.storeU16(deviceEvent, 2, EVENT_DESC);
        } else {
            RingAccess.storeU16(deviceEvent, 2, EVENT_ENABLE);
        }
        RingAccess.fullFence();
        return isAvailable(RingAccess.loadAcquireU16(ring, 16L * nextAvail + 14), availWrap);
    }

    @Override
    public QueueState state() {
        return new QueueState(nextAvail, availWrap, nextUsed, usedWrap);
    }
}
