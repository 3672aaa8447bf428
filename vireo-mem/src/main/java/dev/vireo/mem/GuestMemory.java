package dev.vireo.mem;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A guest's physical address space: an immutable set of non-overlapping {@link MemoryRegion}s.
 * Every translation checks the start <em>and</em> the end of the range with unsigned arithmetic
 * (kvmtool's start-only check is the classic bug); a range that is not wholly inside guest memory
 * throws {@link GuestMemoryException} and never yields host memory outside a region.
 *
 * <p>Addresses and lengths come from the guest and are treated as unsigned 64-bit values.
 * Replacing the memory map (vhost-user SET_MEM_TABLE) means building a new {@code GuestMemory};
 * holders publish it atomically.
 */
public final class GuestMemory {

    private final MemoryRegion[] regions;
    private final long[] bases;

    private GuestMemory(MemoryRegion[] regions) {
        this.regions = regions;
        this.bases = new long[regions.length];
        for (int i = 0; i < regions.length; i++) {
            bases[i] = regions[i].guestBase();
        }
    }

    /** Guest memory made of {@code regions}; they may not overlap. */
    public static GuestMemory of(List<MemoryRegion> regions) {
        MemoryRegion[] sorted = regions.toArray(MemoryRegion[]::new);
        Arrays.sort(sorted, Comparator.comparing(MemoryRegion::guestBase, Long::compareUnsigned));
        for (int i = 1; i < sorted.length; i++) {
            if (Long.compareUnsigned(sorted[i].guestBase(), sorted[i - 1].lastAddress()) <= 0) {
                throw new IllegalArgumentException("guest memory regions overlap: " + describe(sorted[i - 1])
                        + " and " + describe(sorted[i]));
            }
        }
        return new GuestMemory(sorted);
    }

    /** Guest memory made of {@code regions}. */
    public static GuestMemory of(MemoryRegion... regions) {
        return of(List.of(regions));
    }

    /** The regions, sorted by guest address. */
    public List<MemoryRegion> regions() {
        return List.of(regions);
    }

    /** Total bytes of guest memory. */
    public long size() {
        long total = 0;
        for (MemoryRegion r : regions) {
            total += r.size();
        }
        return total;
    }

    /**
     * A host view of {@code [address, address + length)}, which must lie inside one region.
     * {@code length} 0 is allowed at any address inside a region.
     */
    public MemorySegment slice(long address, long length) {
        int i = find(address, length);
        MemoryRegion r = regions[i];
        long offset = address - r.guestBase();
        checkEnd(r, offset, address, length, GuestMemoryException.Kind.CROSSES_REGION);
        return r.host().asSlice(offset, length);
    }

    /**
     * The region that holds all of {@code [address, address + length)}, checked as {@link #slice}
     * checks it but without creating a view: hot paths read through {@code region.host()} at
     * {@code address - region.guestBase()} (an indirect descriptor table per chain, say) and
     * allocate nothing.
     */
    public MemoryRegion region(long address, long length) {
        int i = find(address, length);
        MemoryRegion r = regions[i];
        checkEnd(r, address - r.guestBase(), address, length, GuestMemoryException.Kind.CROSSES_REGION);
        return r;
    }

    /**
     * Appends host views of {@code [address, address + length)} to {@code out}, splitting the
     * range where it crosses from one region into the next adjacent one. A range that runs into a
     * hole or past the last region throws; nothing is appended then.
     */
    public void appendTo(SgList out, long address, long length) {
        int i = find(address, length);
        int mark = out.count();
        long remaining = length;
        long at = address;
        while (true) {
            MemoryRegion r = regions[i];
            long offset = at - r.guestBase();
            long available = r.size() - offset;
            long take = Math.min(available, remaining);
            out.add(r.host(), offset, take);
            remaining -= take;
            if (remaining == 0) {
                return;
            }
            at += take; // cannot wrap: find() checked that address + length does not overflow
            if (i + 1 >= regions.length || regions[i + 1].guestBase() != at) {
                out.truncate(mark);
                throw new GuestMemoryException(GuestMemoryException.Kind.HOLE, address, length);
            }
            i++;
        }
    }

    /** Whether {@code [address, address + length)} is wholly guest memory (possibly across adjacent regions). */
    public boolean isValid(long address, long length) {
        int i;
        try {
            i = find(address, length);
        } catch (GuestMemoryException e) {
            return false;
        }
        long remaining = length;
        long at = address;
        while (true) {
            MemoryRegion r = regions[i];
            long available = r.size() - (at - r.guestBase());
            if (Long.compareUnsigned(remaining, available) <= 0) {
                return true;
            }
            remaining -= available;
            at += available;
            if (i + 1 >= regions.length || regions[i + 1].guestBase() != at) {
                return false;
            }
            i++;
        }
    }

    /** The region containing {@code address}, after checking that {@code address + length} does not overflow. */
    private int find(long address, long length) {
        if (length < 0 || (length > 0 && Long.compareUnsigned(address + length - 1, address) < 0)) {
            throw new GuestMemoryException(GuestMemoryException.Kind.OVERFLOW, address, length);
        }
        int lo = 0;
        int hi = bases.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(bases[mid], address) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (hi < 0 || !regions[hi].contains(address)) {
            throw new GuestMemoryException(GuestMemoryException.Kind.INVALID_ADDRESS, address, length);
        }
        return hi;
    }

    private static void checkEnd(MemoryRegion r, long offset, long address, long length, GuestMemoryException.Kind kind) {
        // offset < size (contains), so size - offset cannot underflow.
        if (Long.compareUnsigned(length, r.size() - offset) > 0) {
            throw new GuestMemoryException(kind, address, length);
        }
    }

    private static String describe(MemoryRegion r) {
        return "[0x" + Long.toHexString(r.guestBase()) + ", 0x" + Long.toHexString(r.lastAddress()) + "]";
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (MemoryRegion r : regions) {
            parts.add(describe(r));
        }
        return "GuestMemory" + parts;
    }
}
