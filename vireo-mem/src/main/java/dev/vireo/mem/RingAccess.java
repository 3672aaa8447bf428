package dev.vireo.mem;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Ordered accesses to shared ring memory (virtqueue indexes, flags and event fields), where the
 * order of loads and stores against the other side's is part of the protocol (virtio 1.2 §2.7.13:
 * the driver writes descriptors, then the index; the device must read the index, then the
 * descriptors). Little-endian, aligned: ring fields are naturally aligned by spec (§2.7.2).
 */
public final class RingAccess {

    private static final VarHandle U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private RingAccess() {
    }

    /** A 16-bit load that later loads cannot be reordered before (reading avail.idx before the ring). */
    public static int loadAcquireU16(MemorySegment s, long offset) {
        return Short.toUnsignedInt((short) U16.getAcquire(s, offset));
    }

    /** A 16-bit store that earlier stores cannot be reordered after (publishing used.idx after the entries). */
    public static void storeReleaseU16(MemorySegment s, long offset, int value) {
        U16.setRelease(s, offset, (short) value);
    }

    /** A plain little-endian 16-bit load. */
    public static int loadU16(MemorySegment s, long offset) {
        return Short.toUnsignedInt((short) U16.get(s, offset));
    }

    /** A plain little-endian 16-bit store. */
    public static void storeU16(MemorySegment s, long offset, int value) {
        U16.set(s, offset, (short) value);
    }

    /** A 32-bit load with acquire semantics. */
    public static int loadAcquireU32(MemorySegment s, long offset) {
        return (int) U32.getAcquire(s, offset);
    }

    /** A 32-bit store with release semantics. */
    public static void storeReleaseU32(MemorySegment s, long offset, int value) {
        U32.setRelease(s, offset, value);
    }

    /**
     * A full fence (store-load ordering): needed where the device publishes used.idx and then reads
     * the driver's flags or used_event to decide whether to interrupt (§2.7.10), and the mirror case
     * before re-checking avail.idx after enabling notifications.
     */
    public static void fullFence() {
        VarHandle.fullFence();
    }
}
