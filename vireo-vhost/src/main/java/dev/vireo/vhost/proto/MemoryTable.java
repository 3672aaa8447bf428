package dev.vireo.vhost.proto;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A memory regions description (SET_MEM_TABLE): a count, padding, then that many regions. The
 * payload must be exactly {@code 8 + count * 32} bytes, the count between 1 and {@link
 * VhostUser#MAX_MEM_TABLE_REGIONS}, and no two regions may overlap in guest or user space.
 */
public record MemoryTable(List<MemoryRegionDescription> regions) {

    public MemoryTable {
        regions = List.copyOf(regions);
        if (regions.isEmpty() || regions.size() > VhostUser.MAX_MEM_TABLE_REGIONS) {
            throw new MessageException("memory table with " + regions.size() + " regions (1 to "
                    + VhostUser.MAX_MEM_TABLE_REGIONS + " allowed)");
        }
        for (int i = 0; i < regions.size(); i++) {
            for (int j = i + 1; j < regions.size(); j++) {
                if (regions.get(i).guestOverlaps(regions.get(j)) || regions.get(i).userOverlaps(regions.get(j))) {
                    throw new MessageException("memory regions " + i + " and " + j + " overlap");
                }
            }
        }
    }

    public static MemoryTable parse(MemorySegment payload) {
        if (payload.byteSize() < 8) {
            throw new MessageException("memory table payload of " + payload.byteSize() + " bytes");
        }
        int count = Payloads.u32(payload, 0);
        if (count < 1 || count > VhostUser.MAX_MEM_TABLE_REGIONS) {
            throw new MessageException("memory table with " + Integer.toUnsignedString(count) + " regions (1 to "
                    + VhostUser.MAX_MEM_TABLE_REGIONS + " allowed)");
        }
        Payloads.requireSize(payload, 8 + (long) count * MemoryRegionDescription.SIZE, "memory table");
        List<MemoryRegionDescription> regions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            regions.add(MemoryRegionDescription.parse(payload, 8 + (long) i * MemoryRegionDescription.SIZE));
        }
        return new MemoryTable(regions);
    }

    /** The payload size of this table. */
    public int payloadSize() {
        return 8 + regions.size() * MemoryRegionDescription.SIZE;
    }

    public void write(MemorySegment payload) {
        Payloads.u32(payload, 0, regions.size());
        Payloads.u32(payload, 4, 0);
        for (int i = 0; i < regions.size(); i++) {
            regions.get(i).write(payload, 8 + (long) i * MemoryRegionDescription.SIZE);
        }
    }
}
