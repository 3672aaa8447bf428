package dev.vireo.vhost.proto;

import java.lang.foreign.MemorySegment;

/**
 * One region of the front-end's memory (32 bytes): where it is in guest-physical space, how big,
 * where it is in the front-end's address space, and where it starts in the file descriptor that
 * comes with the message. Syntax is checked here: a non-zero size and no range that wraps 64 bits.
 */
public record MemoryRegionDescription(long guestAddress, long size, long userAddress, long mmapOffset) {

    public static final int SIZE = 32;

    public MemoryRegionDescription {
        if (size == 0) {
            throw new MessageException("memory region of size 0 at guest 0x" + Long.toHexString(guestAddress));
        }
        checkNoWrap(guestAddress, size, "guest");
        checkNoWrap(userAddress, size, "user");
        if (mmapOffset < 0 || size < 0 || mmapOffset > Long.MAX_VALUE - size) {
            throw new MessageException("memory region mmap offset 0x" + Long.toHexString(mmapOffset) + " + size 0x"
                    + Long.toHexString(size) + " overflows");
        }
    }

    private static void checkNoWrap(long base, long size, String what) {
        if (Long.compareUnsigned(base + size - 1, base) < 0) {
            throw new MessageException(what + " range 0x" + Long.toHexString(base) + " + 0x" + Long.toHexString(size)
                    + " wraps around the address space");
        }
    }

    static MemoryRegionDescription parse(MemorySegment p, long at) {
        return new MemoryRegionDescription(Payloads.u64(p, at), Payloads.u64(p, at + 8), Payloads.u64(p, at + 16),
                Payloads.u64(p, at + 24));
    }

    void write(MemorySegment p, long at) {
        Payloads.u64(p, at, guestAddress);
        Payloads.u64(p, at + 8, size);
        Payloads.u64(p, at + 16, userAddress);
        Payloads.u64(p, at + 24, mmapOffset);
    }

    /** Whether the user-address range of this region overlaps {@code other}'s. */
    public boolean userOverlaps(MemoryRegionDescription other) {
        return Long.compareUnsigned(userAddress, other.userAddress + other.size - 1) <= 0
                && Long.compareUnsigned(other.userAddress, userAddress + size - 1) <= 0;
    }

    /** Whether the guest-address range of this region overlaps {@code other}'s. */
    public boolean guestOverlaps(MemoryRegionDescription other) {
        return Long.compareUnsigned(guestAddress, other.guestAddress + other.size - 1) <= 0
                && Long.compareUnsigned(other.guestAddress, guestAddress + size - 1) <= 0;
    }

    /** A single-region payload (ADD_MEM_REG, REM_MEM_REG): 8 bytes of padding, then the region. */
    public static MemoryRegionDescription parseSingle(MemorySegment payload) {
        Payloads.requireSize(payload, 8 + SIZE, "single memory region");
        return parse(payload, 8);
    }

    /** Writes a single-region payload (40 bytes). */
    public void writeSingle(MemorySegment payload) {
        Payloads.u64(payload, 0, 0);
        write(payload, 8);
    }
}
