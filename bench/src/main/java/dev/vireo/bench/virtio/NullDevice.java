package dev.vireo.bench.virtio;

import dev.vireo.mem.GuestMemory;
import dev.vireo.mem.RingAccess;
import dev.vireo.virtio.queue.QueueConfig;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The baseline of the queue benchmark: the least a device can do to move buffers from the
 * available to the used side (read the index, read the head or the flags, write the used entry),
 * with no validation, no scatter-gather list and no notification logic. vireo's queues are
 * measured against it, so the ratio is the cost of doing it safely.
 */
final class NullDevice {

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final boolean packed;
    private final int size;
    private final MemorySegment desc;
    private final MemorySegment avail;
    private final MemorySegment used;
    private int nextAvail;
    private int nextUsed;
    private boolean availWrap = true;
    private boolean usedWrap = true;

    NullDevice(GuestMemory memory, QueueConfig c, boolean packed) {
        this.packed = packed;
        this.size = c.size();
        this.desc = memory.slice(c.descriptorArea(), 16L * size);
        this.avail = packed ? null : memory.slice(c.driverArea(), 6 + 2L * size);
        this.used = packed ? null : memory.slice(c.deviceArea(), 6 + 8L * size);
    }

    /** Moves every available buffer to the used side; returns how many. */
    int drain() {
        return packed ? drainPacked() : drainSplit();
    }

    private int drainSplit() {
        int idx = RingAccess.loadAcquireU16(avail, 2);
        int n = 0;
        while (nextAvail != idx) {
            int head = Short.toUnsignedInt(avail.get(U16, 4 + 2L * (nextAvail % size)));
            long off = 4 + 8L * (nextUsed % size);
            used.set(U32, off, head);
            used.set(U32, off + 4, 0);
            nextAvail = (nextAvail + 1) & 0xffff;
            nextUsed = (nextUsed + 1) & 0xffff;
            n++;
        }
        RingAccess.storeReleaseU16(used, 2, nextUsed);
        return n;
    }

    private int drainPacked() {
        int n = 0;
        while (true) {
            int flags = RingAccess.loadAcquireU16(desc, 16L * nextAvail + 14);
            boolean a = (flags & 0x80) != 0;
            boolean u = (flags & 0x8000) != 0;
            if (a != availWrap || u == availWrap) {
                return n;
            }
            int slots = 0;
            int id;
            while (true) {
                int f = Short.toUnsignedInt(desc.get(U16, 16L * nextAvail + 14));
                id = Short.toUnsignedInt(desc.get(U16, 16L * nextAvail + 12));
                slots++;
                if (++nextAvail == size) {
                    nextAvail = 0;
                    availWrap = !availWrap;
                }
                if ((f & 1) == 0) {
                    break;
                }
            }
            desc.set(U16, 16L * nextUsed + 12, (short) id);
            desc.set(U32, 16L * nextUsed + 8, 0);
            RingAccess.storeReleaseU16(desc, 16L * nextUsed + 14, usedWrap ? 0x8080 : 0);
            nextUsed += slots;
            if (nextUsed >= size) {
                nextUsed -= size;
                usedWrap = !usedWrap;
            }
            n++;
        }
    }
}
