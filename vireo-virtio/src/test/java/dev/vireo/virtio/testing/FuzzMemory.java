package dev.vireo.virtio.testing;

import dev.vireo.mem.GuestMemory;
import dev.vireo.mem.GuestRam;
import dev.vireo.mem.MemoryRegion;
import dev.vireo.mem.SgList;
import dev.vireo.mem.TestMemory;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * Shared pieces of the fuzz tests: one {@link TestMemory} mapping reused by every input, addresses
 * drawn from the interesting places of that layout, and the "never outside guest memory" oracle.
 */
public final class FuzzMemory {

    private static GuestRam ram;

    private FuzzMemory() {
    }

    /** The shared guest memory (created on first use, lives as long as the JVM). */
    public static synchronized GuestRam ram() {
        if (ram == null) {
            ram = TestMemory.create();
        }
        return ram;
    }

    /**
     * A guest address for a descriptor: mostly ordinary data buffers, often the edges (across the
     * adjacent regions, into the hole, past the end, the top of the address space), or anything.
     */
    public static long address(FuzzedDataProvider data, long... extra) {
        int pick = data.consumeInt(0, 9 + extra.length);
        return switch (pick) {
            case 0, 1, 2, 3 -> TestMemory.HIGH + data.consumeLong(0, TestMemory.HIGH_SIZE - 1);
            case 4 -> TestMemory.MID - data.consumeLong(0, 4096);
            case 5 -> TestMemory.HOLE - data.consumeLong(0, 64) + data.consumeLong(0, 0x1000);
            case 6 -> TestMemory.HIGH + TestMemory.HIGH_SIZE - data.consumeLong(0, 4096);
            case 7 -> -data.consumeLong(1, 4096);
            case 8 -> data.consumeLong();
            case 9 -> data.consumeLong(0, TestMemory.MID - 1);
            default -> extra[pick - 10];
        };
    }

    /** A descriptor length: mostly small, sometimes huge. */
    public static int length(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 5)) {
            case 0 -> 0;
            case 1 -> data.consumeInt(1, 16);
            case 2, 3 -> data.consumeInt(1, 4096);
            case 4 -> data.consumeInt(4096, 1 << 20);
            default -> data.consumeInt();
        };
    }

    /** Fails unless every entry of {@code list} lies inside one region's host memory. */
    public static void assertInsideGuestMemory(SgList list, GuestMemory memory) {
        for (int i = 0; i < list.count(); i++) {
            long start = list.base(i).address() + list.offset(i);
            long end = start + list.length(i);
            boolean inside = false;
            for (MemoryRegion r : memory.regions()) {
                long hs = r.host().address();
                if (start >= hs && end <= hs + r.size() && end >= start) {
                    inside = true;
                    break;
                }
            }
            if (!inside) {
                throw new AssertionError("scatter-gather entry " + i + " [0x" + Long.toHexString(start) + ", 0x"
                        + Long.toHexString(end) + ") is outside guest memory");
            }
        }
    }
}
