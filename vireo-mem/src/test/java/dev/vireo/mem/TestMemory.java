package dev.vireo.mem;

import java.util.List;

/**
 * Guest RAM for tests: two regions with a hole between them, so that every consumer is tested
 * against ranges that cross regions and run into holes (STYLE: "two regions with a gap").
 *
 * <pre>
 *   [0x0000_0000, 0x0010_0000)   1 MiB, low RAM
 *   [0x0010_0000, 0x0020_0000)   1 MiB, adjacent to the first (a range may cross into it)
 *   hole
 *   [0x4000_0000, 0x4040_0000)   4 MiB, high RAM
 * </pre>
 */
public final class TestMemory {

    public static final long LOW = 0;
    public static final long MID = 0x10_0000;
    public static final long HOLE = 0x20_0000;
    public static final long HIGH = 0x4000_0000L;
    public static final long HIGH_SIZE = 0x40_0000;

    private TestMemory() {
    }

    /** New RAM with the layout above; close it after the test. */
    public static GuestRam create() {
        return GuestRam.create("vireo-test-ram", List.of(
                new GuestRam.Layout(LOW, MID - LOW),
                new GuestRam.Layout(MID, HOLE - MID),
                new GuestRam.Layout(HIGH, HIGH_SIZE)));
    }
}
