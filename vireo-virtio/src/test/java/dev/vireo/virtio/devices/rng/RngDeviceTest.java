package dev.vireo.virtio.devices.rng;

import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import dev.vireo.virtio.testing.MockDriver.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The entropy device end to end (virtio 1.2 §5.4). */
class RngDeviceTest {

    static Stream<Options> layouts() {
        List<Options> out = new ArrayList<>();
        for (boolean packed : new boolean[] {false, true}) {
            for (boolean eventIdx : new boolean[] {false, true}) {
                for (boolean indirect : new boolean[] {false, true}) {
                    out.add(Options.defaults().packed(packed).eventIdx(eventIdx).indirect(indirect));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void fillsBuffersWithRandomBytes(Options o) {
        try (MockDriver d = MockDriver.start(new RngDevice(), o)) {
            long a = d.buffers().alloc(100);
            long b = d.buffers().alloc(4000);
            int id = d.queue(0).add(List.of(Buffer.out(a, 100), Buffer.out(b, 4000)), o.indirect());
            assertThat(d.kickIfNeeded(0)).isTrue();
            DriverQueue.Used used = d.queue(0).pollUsed();
            assertThat(used).isEqualTo(new DriverQueue.Used(id, 4100));
            assertThat(d.interrupt().usedCount(0)).isEqualTo(1);
            // 4100 random bytes are not all zero, and not all alike.
            Set<Byte> seen = new HashSet<>();
            for (byte x : d.buffers().read(b, 4000)) {
                seen.add(x);
            }
            assertThat(seen.size()).isGreaterThan(200);
        }
    }

    @Test
    void capsOneRequestAt64KiB() {
        try (MockDriver d = MockDriver.start(new RngDevice(), Options.defaults())) {
            long a = d.buffers().alloc(100_000);
            d.queue(0).add(Buffer.out(a, 100_000));
            d.kick(0);
            DriverQueue.Used used = d.queue(0).pollUsed();
            assertThat(used.len()).isEqualTo(RngDevice.MAX_BYTES_PER_REQUEST);
            assertThat(d.buffers().read(a + RngDevice.MAX_BYTES_PER_REQUEST, 100_000 - RngDevice.MAX_BYTES_PER_REQUEST))
                    .containsOnly(0);
        }
    }

    @Test
    void aReadableBufferStopsTheQueue() {
        try (MockDriver d = MockDriver.start(new RngDevice(), Options.defaults())) {
            d.queue(0).add(Buffer.in(d.buffers().alloc(8), 8), Buffer.out(d.buffers().alloc(8), 8));
            d.kick(0);
            assertThat(d.needsReset()).isTrue();
            assertThat(d.interrupt().configCount()).isEqualTo(1);
            assertThat(d.queue(0).pollUsed()).isNull();
        }
    }

    @Test
    void aBufferOutsideGuestMemoryStopsTheQueue() {
        try (MockDriver d = MockDriver.start(new RngDevice(), Options.defaults().packed(true))) {
            d.queue(0).add(Buffer.out(0x3000_0000L, 64));
            d.kick(0);
            assertThat(d.needsReset()).isTrue();
        }
    }

    @Test
    void notificationsBeforeActivationOrAfterResetAreIgnored() {
        RngDevice dev = new RngDevice();
        dev.queueNotify(0);
        try (MockDriver d = MockDriver.start(dev, Options.defaults())) {
            d.control().writeStatus(0);
            d.queue(0).add(Buffer.out(d.buffers().alloc(8), 8));
            d.kick(0);
            dev.queueNotify(0);
            assertThat(d.queue(0).pollUsed()).isNull();
        }
    }
}
