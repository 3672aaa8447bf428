package dev.vireo.vhost;

import dev.vireo.mem.GuestRam;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.MemCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.vhost.backend.FrontendMemory;
import dev.vireo.vhost.backend.MemoryHolder;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Mapping a front-end's memory table from real memfds, as QEMU sends it. */
@ExtendWith(FdLeakCheck.class)
class FrontendMemoryTest {

    private static final long USER_BASE = 0x7f00_0000_0000L;

    @Test
    void regionsAreMappedAtTheirOffsetsAndTranslated() {
        try (GuestRam ram = GuestRam.create("frontend", List.of(new GuestRam.Layout(0, 1 << 20), new GuestRam.Layout(1L << 32, 1 << 20)))) {
            // the front-end's view: two regions of one memfd, the second at mmap offset 1 MiB
            List<MemoryRegionDescription> table = List.of(
                    new MemoryRegionDescription(0, 1 << 20, USER_BASE, 0),
                    new MemoryRegionDescription(1L << 32, 1 << 20, USER_BASE + (1 << 20), 1 << 20));
            FrontendMemory mem = FrontendMemory.map(table, List.of(dup(ram.fd()), dup(ram.fd())));
            try {
                ram.memory().slice((1L << 32) + 64, 8).set(JAVA_LONG, 0, 0xABCDL);
                assertThat(mem.guest().slice((1L << 32) + 64, 8).get(JAVA_LONG, 0)).isEqualTo(0xABCDL);
                mem.guest().slice(8, 8).set(JAVA_LONG, 0, 99);
                assertThat(ram.memory().slice(8, 8).get(JAVA_LONG, 0)).isEqualTo(99);
                assertThat(mem.userToGuest(USER_BASE + (1 << 20) + 16, 16)).isEqualTo((1L << 32) + 16);
                assertThatThrownBy(() -> mem.userToGuest(USER_BASE + (1 << 20) - 8, 16)).isInstanceOf(MessageException.class);
                assertThatThrownBy(() -> mem.userToGuest(0x1000, 1)).isInstanceOf(MessageException.class);
            } finally {
                mem.release();
            }
        }
    }

    @Test
    void aRegionPastTheEndOfItsFileIsRefusedRatherThanRiskingSigbus() {
        try (Fd memfd = MemCalls.memfdCreate("short", MemCalls.MFD_CLOEXEC)) {
            FdCalls.ftruncate(memfd.num(), 4096);
            List<MemoryRegionDescription> table = List.of(new MemoryRegionDescription(0, 1 << 20, USER_BASE, 0));
            assertThatThrownBy(() -> FrontendMemory.map(table, List.of(dup(memfd))))
                    .isInstanceOf(MessageException.class).hasMessageContaining("beyond its file");
        }
    }

    @Test
    void descriptorsAreClosedWhenATableFailsHalfway() {
        try (GuestRam ram = GuestRam.create("half", 1 << 20); Fd small = MemCalls.memfdCreate("small", MemCalls.MFD_CLOEXEC)) {
            List<MemoryRegionDescription> table = List.of(
                    new MemoryRegionDescription(0, 1 << 20, USER_BASE, 0),
                    new MemoryRegionDescription(1 << 20, 1 << 20, USER_BASE + (1 << 20), 0),
                    new MemoryRegionDescription(2 << 20, 4096, USER_BASE + (2 << 20), 0));
            assertThatThrownBy(() -> FrontendMemory.map(table, List.of(dup(ram.fd()), dup(small), dup(ram.fd()))))
                    .isInstanceOf(MessageException.class);
            assertThatThrownBy(() -> FrontendMemory.map(table, List.of(dup(ram.fd()))))
                    .hasMessageContaining("3 memory regions but 1 file descriptors");
        }
    }

    @Test
    void replacedMemoryStaysMappedUntilItsLastUserIsDone() {
        try (GuestRam ram = GuestRam.create("swap", 1 << 20)) {
            MemoryHolder holder = new MemoryHolder();
            assertThat(holder.peek().guest()).isNull();
            FrontendMemory first = FrontendMemory.map(List.of(new MemoryRegionDescription(0, 1 << 20, USER_BASE, 0)), List.of(dup(ram.fd())));
            holder.replace(first);
            FrontendMemory inUse = holder.acquire();
            MemorySegment view = inUse.guest().slice(0, 8);

            // ADD_MEM_REG: a new map that shares the first region
            FrontendMemory second = first.withRegion(new MemoryRegionDescription(1L << 30, 4096, USER_BASE + (1L << 30), 0), dup(ram.fd()));
            holder.replace(second);
            assertThat(first.isLive()).as("still used by a worker").isTrue();
            view.set(JAVA_LONG, 0, 7);
            inUse.release();
            assertThat(first.isLive()).isFalse();
            assertThat(second.guest().slice(0, 8).get(JAVA_LONG, 0)).as("shared region still mapped").isEqualTo(7);

            FrontendMemory third = holder.acquire().withoutRegion(new MemoryRegionDescription(0, 1 << 20, USER_BASE, 0));
            second.release(); // the acquire above
            holder.replace(third);
            assertThat(third.regionCount()).isEqualTo(1);
            assertThatThrownBy(() -> view.get(JAVA_LONG, 0)).as("unmapped once nobody uses it").isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> third.withoutRegion(new MemoryRegionDescription(0, 1 << 20, USER_BASE, 0)))
                    .isInstanceOf(MessageException.class);
            holder.replace(FrontendMemory.empty());
        }
    }

    private static Fd dup(Fd fd) {
        return Fd.adopt(FdCalls.fcntl(fd.num(), FdCalls.F_DUPFD_CLOEXEC, 0), "dup of " + fd.what());
    }
}
