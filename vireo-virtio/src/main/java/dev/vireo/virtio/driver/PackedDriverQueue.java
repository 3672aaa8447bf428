package dev.vireo.virtio.driver;

import dev.vireo.mem.RingAccess;
import dev.vireo.virtio.queue.QueueConfig;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

import static dev.vireo.virtio.driver.SplitDriverQueue.U16;
import static dev.vireo.virtio.driver.SplitDriverQueue.U32;
import static dev.vireo.virtio.driver.SplitDriverQueue.U64;

/**
 * The driver side of a packed virtqueue (virtio 1.2 §2.8.21, §2.8.22): one descriptor ring and
 * the two event suppression structures. {@link #writeRaw} and {@link #publishRaw} build malformed
 * lists for device tests.
 */
public final class PackedDriverQueue extends DriverQueue {

    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    public static final int F_INDIRECT = 4;
    public static final int F_AVAIL = 1 << 7;
    public static final int F_USED = 1 << 15;

    private final long ringAddr;
    private final long driverAddr;
    private final long deviceAddr;
    private final MemorySegment ring;
    private final MemorySegment driverEvent;
    private final MemorySegment deviceEvent;
    private final ArrayDeque<Integer> freeIds = new ArrayDeque<>();
    private final int[] slotsOf;
    private int nextAvail;
    private boolean availWrap = true;
    private int nextUsed;
    private boolean usedWrap = true;
    private int freeSlots;
    private int addedSinceKick;
    private int inFlight;
    private boolean interruptsOn = true;

    public PackedDriverQueue(GuestAllocator alloc, int size, boolean eventIdx) {
        super(alloc, size, eventIdx);
        int n = Math.max(size, 1);
        this.ringAddr = alloc.alloc(16L * n, 16);
        this.driverAddr = alloc.alloc(4, 4);
        this.deviceAddr = alloc.alloc(4, 4);
        this.ring = alloc.memory().slice(ringAddr, 16L * n);
        this.driverEvent = alloc.memory().slice(driverAddr, 4);
        this.deviceEvent = alloc.memory().slice(deviceAddr, 4);
        this.slotsOf = new int[n];
        this.freeSlots = n;
        for (int i = 0; i < n; i++) {
            freeIds.add(i);
        }
    }

    @Override
    public QueueConfig config() {
        return new QueueConfig(size, ringAddr, driverAddr, deviceAddr);
    }

    /** The AVAIL/USED bits that make a descriptor available in the current lap. */
    public int availBits() {
        return availWrap ? F_AVAIL : F_USED;
    }

    @Override
    public int add(Chain chain, boolean indirect) {
        checkUsable();
        int n = chain.count;
        int slots = indirect ? 1 : n;
        if (freeIds.isEmpty() || slots > freeSlots || n == 0) {
            return -1;
        }
        int id = freeIds.poll();
        int first = nextAvail;
        int firstFlags;
        if (indirect) {
            long table = alloc.alloc(16L * n, 16);
            MemorySegment t = alloc.memory().slice(table, 16L * n);
            for (int i = 0; i < n; i++) {
                t.set(U64, 16L * i, chain.addr[i]);
                t.set(U32, 16L * i + 8, chain.len[i]);
                t.set(U16, 16L * i + 12, (short) 0);
                t.set(U16, 16L * i + 14, (short) (chain.writable[i] ? F_WRITE : 0));
            }
            firstFlags = F_INDIRECT | availBits();
            writeSlot(nextAvail, table, 16 * n, id, -1);
            advance();
        } else {
            firstFlags = 0;
            for (int i = 0; i < n; i++) {
                int f = (chain.writable[i] ? F_WRITE : 0) | (i < n - 1 ? F_NEXT : 0) | availBits();
                if (i == 0) {
                    firstFlags = f;
                    writeSlot(nextAvail, chain.addr[i], chain.len[i], id, -1);
                } else {
                    writeSlot(nextAvail, chain.addr[i], chain.len[i], id, f);
                }
                advance();
            }
        }
        slotsOf[id] = slots;
        freeSlots -= slots;
        addedSinceKick += slots;
        inFlight++;
        posted(id, chain.writableBytes());
        // §2.8.21.1: the first descriptor's flags last, after a barrier, expose the whole list.
        RingAccess.storeReleaseU16(ring, 16L * first + 14, firstFlags);
        return id;
    }

    private void advance() {
        if (++nextAvail == size) {
            nextAvail = 0;
            availWrap = !availWrap;
        }
    }

    private void writeSlot(int pos, long addr, int len, int id, int flags) {
        long off = 16L * pos;
        ring.set(U64, off, addr);
        ring.set(U32, off + 8, len);
        ring.set(U16, off + 12, (short) id);
        if (flags >= 0) {
            ring.set(U16, off + 14, (short) flags);
        }
    }

    /**
     * Writes the next ring slot as given and advances (malformed-input tests); {@code flags}
     * should include {@link #availBits()} to be seen. The first slot written is published last by
     * {@link #publishRaw}.
     */
    public int writeRaw(long addr, int len, int id, int flags) {
        int pos = nextAvail;
        writeSlot(pos, addr, len, id, flags);
        advance();
        freeSlots--;
        return pos;
    }

    /** Rewrites slot {@code pos}'s flags with release semantics (makes a hand-built list visible). */
    public void publishRaw(int pos, int flags) {
        inFlight++;
        int id = Short.toUnsignedInt(ring.get(U16, 16L * pos + 12));
        if (id < slotsOf.length && !isPosted(id)) {
            freeIds.remove(id);
            posted(id, UNCHECKED); // a list built by hand (malformed-input tests)
        }
        RingAccess.storeReleaseU16(ring, 16L * pos + 14, flags);
    }

    @Override
    public boolean kickNeeded() {
        RingAccess.fullFence();
        int added = addedSinceKick;
        addedSinceKick = 0;
        int flags = RingAccess.loadU16(deviceEvent, 2) & 3;
        if (flags != 2) {
            return flags != 1; // ENABLE (or reserved) kicks, DISABLE does not
        }
        // As Linux's virtqueue_kick_prepare_packed: an event in the other lap is one ring behind.
        int offWrap = RingAccess.loadU16(deviceEvent, 0);
        int event = offWrap & 0x7fff;
        boolean wrap = (offWrap & 0x8000) != 0;
        if (wrap != availWrap) {
            event -= size;
        }
        int now = nextAvail;
        int old = now - added;
        return ((now - event - 1) & 0xffff) < ((now - old) & 0xffff);
    }

    @Override
    public int pollUsedId() {
        checkUsable();
        int flags = RingAccess.loadAcquireU16(ring, 16L * nextUsed + 14);
        boolean a = (flags & F_AVAIL) != 0;
        boolean u = (flags & F_USED) != 0;
        if (a != usedWrap || u != usedWrap) {
            return -1;
        }
        long off = 16L * nextUsed;
        int len = ring.get(U32, off + 8);
        int id = Short.toUnsignedInt(ring.get(U16, off + 12));
        if (id >= slotsOf.length) {
            throw fault("used descriptor names buffer id " + id + " of a " + size + "-entry queue");
        }
        // §2.8.22: the length is meaningful only with F_WRITE; otherwise nothing was written.
        retire(id, (flags & F_WRITE) != 0 ? len : 0);
        // A buffer posted by hand (writeRaw) has no slot count: it took one slot per raw write,
        // which the test accounts for; advance by one as the device does for a single descriptor.
        int slots = slotsOf[id] > 0 ? slotsOf[id] : 1;
        slotsOf[id] = 0;
        freeIds.add(id);
        freeSlots += slots;
        nextUsed += slots;
        if (nextUsed >= size) {
            nextUsed -= size;
            usedWrap = !usedWrap;
        }
        if (eventIdx && interruptsOn) {
            descEvent(nextUsed, usedWrap);
        }
        inFlight--;
        return id;
    }

    @Override
    public void interrupts(boolean enabled) {
        interruptsOn = enabled;
        if (enabled && eventIdx) {
            descEvent(nextUsed, usedWrap);
        } else {
            RingAccess.storeU16(driverEvent, 2, enabled ? 0 : 1);
        }
    }

    /** Asks for a notification when the descriptor at {@code pos} of lap {@code wrap} is used (EVENT_IDX). */
    public void descEvent(int pos, boolean wrap) {
        RingAccess.storeU16(driverEvent, 0, pos | (wrap ? 0x8000 : 0));
        RingAccess.storeU16(driverEvent, 2, 2);
    }

    /** The device event suppression flags, for tests. */
    public int deviceEventFlags() {
        return RingAccess.loadU16(deviceEvent, 2);
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    public int nextAvail() {
        return nextAvail;
    }
}
