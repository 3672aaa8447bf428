package dev.vireo.mem;

import java.lang.foreign.MemorySegment;

/**
 * A contiguous range of guest-physical memory, {@code [guestBase, guestBase + size)}, backed by
 * {@code host}, a native segment of exactly {@code size} bytes. {@code fd} and {@code fdOffset}
 * name the file the host memory maps (a memfd), so that it can be shared with another process
 * (vhost-user); {@code fd} is -1 for memory that cannot be shared.
 */
public record MemoryRegion(long guestBase, MemorySegment host, int fd, long fdOffset) {

    public MemoryRegion {
        if (!host.isNative()) {
            throw new IllegalArgumentException("guest memory must be native memory");
        }
        if (host.byteSize() == 0) {
            throw new IllegalArgumentException("empty guest memory region at 0x" + Long.toHexString(guestBase));
        }
        // The last byte must be addressable: guestBase + size - 1 may not wrap past 2^64 - 1.
        if (Long.compareUnsigned(guestBase + host.byteSize() - 1, guestBase) < 0) {
            throw new IllegalArgumentException("guest memory region wraps around the address space: 0x"
                    + Long.toHexString(guestBase) + " + 0x" + Long.toHexString(host.byteSize()));
        }
    }

    /** A region that is not backed by a shareable file. */
    public MemoryRegion(long guestBase, MemorySegment host) {
        this(guestBase, host, -1, 0);
    }

    public long size() {
        return host.byteSize();
    }

    /** The last guest address of the region (inclusive, so that a region ending at 2^64 is expressible). */
    public long lastAddress() {
        return guestBase + host.byteSize() - 1;
    }

    /** Whether {@code address} lies in this region (unsigned comparison). */
    public boolean contains(long address) {
        return Long.compareUnsigned(address, guestBase) >= 0 && Long.compareUnsigned(address, lastAddress()) <= 0;
    }
}
