package dev.vireo.mem;

import dev.vireo.sys.MemCalls;
import dev.vireo.sys.Mapping;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vireo.mem.GuestMemoryException.Kind.CROSSES_REGION;
import static dev.vireo.mem.GuestMemoryException.Kind.HOLE;
import static dev.vireo.mem.GuestMemoryException.Kind.INVALID_ADDRESS;
import static dev.vireo.mem.GuestMemoryException.Kind.OVERFLOW;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(FdLeakCheck.class)
class GuestMemoryTest {

    @Test
    void slicesInsideARegionAreViewsOfTheRam() {
        try (GuestRam ram = TestMemory.create()) {
            GuestMemory m = ram.memory();
            m.slice(TestMemory.HIGH + 8, 8).set(JAVA_LONG, 0, 0x1122334455667788L);
            assertThat(m.slice(TestMemory.HIGH, 16).get(JAVA_LONG, 8)).isEqualTo(0x1122334455667788L);
            assertThat(m.slice(TestMemory.HIGH + TestMemory.HIGH_SIZE - 1, 1).byteSize()).isEqualTo(1);
            assertThat(m.size()).isEqualTo(TestMemory.HOLE + TestMemory.HIGH_SIZE);
        }
    }

    @Test
    void everyEndOfARangeIsChecked() {
        try (GuestRam ram = TestMemory.create()) {
            GuestMemory m = ram.memory();
            // start inside, end past the region (the classic start-only bug)
            assertKind(() -> m.slice(TestMemory.HIGH + TestMemory.HIGH_SIZE - 4, 8), CROSSES_REGION);
            // start in the hole, and past the last region
            assertKind(() -> m.slice(TestMemory.HOLE, 1), INVALID_ADDRESS);
            assertKind(() -> m.slice(TestMemory.HIGH + TestMemory.HIGH_SIZE, 1), INVALID_ADDRESS);
            assertKind(() -> m.slice(-1L, 1), INVALID_ADDRESS);
            // lengths that wrap the 64-bit address space, or are negative
            assertKind(() -> m.slice(TestMemory.HIGH, -1L), OVERFLOW);
            assertKind(() -> m.slice(TestMemory.HIGH, Long.MIN_VALUE), OVERFLOW);
            assertKind(() -> m.slice(0x10, 0xFFFF_FFFF_FFFF_FFF8L), OVERFLOW);
            // adjacent regions: one slice may not cross, a scatter-gather list may
            assertKind(() -> m.slice(TestMemory.MID - 2, 4), CROSSES_REGION);
            assertThat(m.isValid(TestMemory.MID - 2, 4)).isTrue();
            assertThat(m.isValid(TestMemory.HOLE - 2, 4)).isFalse();
            assertThat(m.isValid(TestMemory.HIGH, TestMemory.HIGH_SIZE)).isTrue();
            assertThat(m.isValid(TestMemory.HIGH, TestMemory.HIGH_SIZE + 1)).isFalse();
        }
    }

    @Test
    void scatterGatherCrossesAdjacentRegionsButNotHoles() {
        try (GuestRam ram = TestMemory.create()) {
            GuestMemory m = ram.memory();
            SgList sg = new SgList(2);
            m.appendTo(sg, TestMemory.MID - 3, 10);
            assertThat(sg.count()).isEqualTo(2);
            assertThat(sg.length(0)).isEqualTo(3);
            assertThat(sg.length(1)).isEqualTo(7);
            assertThat(sg.totalLength()).isEqualTo(10);

            assertKind(() -> m.appendTo(sg, TestMemory.HOLE - 3, 10), HOLE);
            assertThat(sg.count()).as("nothing appended by a failed call").isEqualTo(2);
        }
    }

    @Test
    void overlappingOrWrappingRegionsAreRefused() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8192);
            assertThatThrownBy(() -> GuestMemory.of(new MemoryRegion(0, s.asSlice(0, 4096)), new MemoryRegion(4095, s.asSlice(4096, 4096))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
            assertThatThrownBy(() -> new MemoryRegion(-4096L + 1, s.asSlice(0, 4096)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wraps");
            // a region ending exactly at 2^64 is fine, and its last byte addressable
            GuestMemory top = GuestMemory.of(new MemoryRegion(-4096L, s.asSlice(0, 4096)));
            assertThat(top.slice(-1L, 1).byteSize()).isEqualTo(1);
            assertKind(() -> top.slice(-1L, 2), OVERFLOW);
        }
    }

    @Test
    void guestRamIsOneSharedMemfd() {
        try (GuestRam ram = GuestRam.create("shared", 1 << 20);
             Mapping second = MemCalls.mmap(1 << 20, MemCalls.PROT_READ, MemCalls.MAP_SHARED, ram.fd().num(), 0)) {
            ram.memory().slice(12345, 1).set(JAVA_BYTE, 0, (byte) 42);
            assertThat(second.segment().get(JAVA_BYTE, 12345)).isEqualTo((byte) 42);
            assertThat(ram.memory().regions().getFirst().fd()).isEqualTo(ram.fd().num());
        }
    }

    @Test
    void closedRamCannotBeReached() {
        GuestRam ram = GuestRam.create("closed", 1 << 16);
        MemorySegment view = ram.memory().slice(0, 16);
        ram.close();
        assertThatThrownBy(() -> view.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    private static void assertKind(Runnable r, GuestMemoryException.Kind kind) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(GuestMemoryException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    void regionChecksTheWholeRangeWithoutAView() {
        try (GuestRam ram = TestMemory.create()) {
            GuestMemory m = ram.memory();
            MemoryRegion r = m.region(TestMemory.HIGH + 16, 64);
            org.assertj.core.api.Assertions.assertThat(r.guestBase()).isEqualTo(TestMemory.HIGH);
            org.assertj.core.api.Assertions.assertThat(m.region(TestMemory.MID - 64, 64).guestBase()).isEqualTo(TestMemory.LOW);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.region(TestMemory.MID - 8, 16))
                    .isInstanceOfSatisfying(GuestMemoryException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.kind()).isEqualTo(GuestMemoryException.Kind.CROSSES_REGION));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.region(TestMemory.HOLE, 1))
                    .isInstanceOfSatisfying(GuestMemoryException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.kind()).isEqualTo(GuestMemoryException.Kind.INVALID_ADDRESS));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.region(-16, 32))
                    .isInstanceOfSatisfying(GuestMemoryException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.kind()).isEqualTo(GuestMemoryException.Kind.OVERFLOW));
        }
    }
}
