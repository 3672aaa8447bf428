package dev.vireo.virtio.queue;

import dev.vireo.mem.SgReader;
import dev.vireo.mem.TestMemory;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour both queue layouts share, driven by the spec-written driver side: chains, indirect
 * tables, the used ring, notification suppression in both directions, and descriptors outside
 * guest memory. Every case runs split and packed, with and without EVENT_IDX.
 */
class VirtqueueTest {

    static Stream<Arguments> layouts() {
        List<Arguments> out = new ArrayList<>();
        for (boolean packed : new boolean[] {false, true}) {
            for (boolean eventIdx : new boolean[] {false, true}) {
                out.add(Arguments.of(packed, eventIdx));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void popsAChainAndReturnsItUsed(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 8)) {
            long hdr = f.data.put(new byte[] {1, 2, 3, 4});
            long body = f.data.put(new byte[] {5, 6});
            long reply = f.buffer(32);
            int id = f.driver.add(Buffer.in(hdr, 4), Buffer.in(body, 2), Buffer.out(reply, 32));

            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.pop(chain)).isTrue();
            assertThat(chain.id()).isEqualTo(id);
            assertThat(chain.descriptorCount()).isEqualTo(3);
            assertThat(chain.readable().totalLength()).isEqualTo(6);
            assertThat(chain.writable().totalLength()).isEqualTo(32);
            SgReader r = new SgReader().reset(chain.readable());
            byte[] got = new byte[6];
            for (int i = 0; i < 6; i++) {
                got[i] = (byte) r.u8();
            }
            assertThat(got).containsExactly(1, 2, 3, 4, 5, 6);
            chain.writable().segment(0).set(JAVA_BYTE, 0, (byte) 42);
            assertThat(f.device.pop(chain)).isFalse();

            f.device.addUsed(chain, 7);
            DriverQueue.Used used = f.driver.pollUsed();
            assertThat(used).isEqualTo(new DriverQueue.Used(id, 7));
            assertThat(f.data.read(reply, 1)[0]).isEqualTo((byte) 42);
            assertThat(f.driver.pollUsed()).isNull();
            assertThat(f.failures).isEmpty();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void wrapsAroundTheRingManyTimes(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 4)) {
            DescriptorChain chain = new DescriptorChain();
            long in = f.data.put(new byte[] {9});
            long out = f.buffer(8);
            // 70000 round trips cross the 16-bit index wrap of the split ring and many packed laps.
            for (int i = 0; i < 70_000; i++) {
                int id = f.driver.add(List.of(Buffer.in(in, 1), Buffer.out(out, 8)), false);
                assertThat(id).isNotNegative();
                assertThat(f.device.pop(chain)).isTrue();
                assertThat(chain.id()).isEqualTo(id);
                f.device.addUsed(chain, i % 9);
                DriverQueue.Used used = f.driver.pollUsed();
                assertThat(used.id()).isEqualTo(id);
                assertThat(used.len()).isEqualTo(Math.min(i % 9, 8));
            }
            assertThat(f.failures).isEmpty();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void theLargestQueueFillsAndDrains(boolean packed, boolean eventIdx) {
        // §2.7 and §2.8: 32768 entries is the maximum of both layouts.
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 32768)) {
            long out = f.buffer(8);
            List<Buffer> one = List.of(Buffer.out(out, 8));
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 32768; i++) {
                    assertThat(f.driver.add(one, false)).isNotNegative();
                }
                assertThat(f.driver.add(one, false)).as("the ring is full").isNegative();
                DescriptorChain chain = new DescriptorChain();
                int n = 0;
                while (f.device.pop(chain)) {
                    f.device.addUsed(chain, 8);
                    n++;
                }
                assertThat(n).isEqualTo(32768);
                while (f.driver.pollUsed() != null) {
                    n--;
                }
                assertThat(n).isZero();
            }
            assertThat(f.failures).isEmpty();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void completesOutOfOrder(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 8)) {
            long out = f.buffer(64);
            int a = f.driver.add(List.of(Buffer.out(out, 8), Buffer.out(out + 8, 8)), false);
            int b = f.driver.add(List.of(Buffer.out(out + 16, 8)), false);
            int c = f.driver.add(List.of(Buffer.out(out + 24, 8), Buffer.out(out + 32, 8), Buffer.out(out + 40, 8)), false);
            DescriptorChain ca = new DescriptorChain();
            DescriptorChain cb = new DescriptorChain();
            DescriptorChain cc = new DescriptorChain();
            assertThat(f.device.pop(ca)).isTrue();
            assertThat(f.device.pop(cb)).isTrue();
            assertThat(f.device.pop(cc)).isTrue();
            f.device.addUsed(cc, 24);
            f.device.addUsed(ca, 16);
            f.device.addUsed(cb, 8);
            assertThat(f.driver.pollUsed()).isEqualTo(new DriverQueue.Used(c, 24));
            assertThat(f.driver.pollUsed()).isEqualTo(new DriverQueue.Used(a, 16));
            assertThat(f.driver.pollUsed()).isEqualTo(new DriverQueue.Used(b, 8));
            // Everything is free again: the ring takes a full load.
            for (int i = 0; i < 8; i++) {
                assertThat(f.driver.add(List.of(Buffer.out(out, 1)), false)).isNotNegative();
            }
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void followsIndirectTables(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, true, 8)) {
            long in = f.data.put(new byte[] {7, 7, 7});
            long out = f.buffer(100);
            // Five elements in one ring slot.
            List<Buffer> elems = List.of(Buffer.in(in, 1), Buffer.in(in + 1, 1), Buffer.in(in + 2, 1),
                    Buffer.out(out, 50), Buffer.out(out + 50, 50));
            int id = f.driver.add(elems, true);
            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.pop(chain)).isTrue();
            assertThat(chain.id()).isEqualTo(id);
            assertThat(chain.descriptorCount()).isEqualTo(5);
            assertThat(chain.readable().totalLength()).isEqualTo(3);
            assertThat(chain.writable().totalLength()).isEqualTo(100);
            f.device.addUsed(chain, 100);
            assertThat(f.driver.pollUsed()).isEqualTo(new DriverQueue.Used(id, 100));
            assertThat(f.failures).isEmpty();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void aBufferAcrossAdjacentRegionsBecomesTwoEntries(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 4)) {
            long start = TestMemory.MID - 100;
            f.driver.add(Buffer.out(start, 300));
            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.pop(chain)).isTrue();
            assertThat(chain.writable().count()).isEqualTo(2);
            assertThat(chain.writable().length(0)).isEqualTo(100);
            assertThat(chain.writable().length(1)).isEqualTo(200);
            assertThat(chain.hasFault()).isFalse();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void descriptorsOutsideGuestMemoryAreFaultsNotHostAccesses(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 8)) {
            long ok = f.buffer(16);
            long status = f.buffer(1);
            // Into the hole, across the end of the last region, and wrapping past 2^64.
            long[][] bad = {
                {TestMemory.HOLE + 0x1000, 16},
                {TestMemory.HIGH + TestMemory.HIGH_SIZE - 8, 16},
                {TestMemory.HOLE - 8, 16},
                {-8L, 16},
                {0xffff_ffff_ffff_fff0L, 0xffff},
            };
            DescriptorChain chain = new DescriptorChain();
            for (long[] b : bad) {
                int id = f.driver.add(Buffer.in(ok, 16), Buffer.out(b[0], (int) b[1]), Buffer.out(status, 1));
                assertThat(f.device.pop(chain)).as("chain with 0x%x", b[0]).isTrue();
                assertThat(chain.hasFault()).isTrue();
                assertThat(chain.faultInWritable()).isTrue();
                assertThat(chain.lastWritableResolved()).isTrue();
                assertThat(chain.writableResolvedPrefix()).isZero();
                assertThat(chain.writable().totalLength()).isEqualTo(1); // only the status byte
                assertThat(chain.readable().totalLength()).isEqualTo(16);
                f.device.addUsed(chain, 1);
                assertThat(f.driver.pollUsed().id()).isEqualTo(id);
            }
            assertThat(f.failures).isEmpty();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void usedLengthIsClampedToTheWritablePart(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 4)) {
            f.driver.add(Buffer.in(f.buffer(8), 8), Buffer.out(f.buffer(4), 4));
            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.pop(chain)).isTrue();
            f.device.addUsed(chain, 1000);
            assertThat(f.driver.pollUsed().len()).isEqualTo(4);
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void honoursTheDriversInterruptSuppression(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 8)) {
            long out = f.buffer(8);
            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.needsNotification()).as("nothing used yet").isFalse();

            f.driver.add(Buffer.out(out, 8));
            f.device.pop(chain);
            f.device.addUsed(chain, 0);
            assertThat(f.device.needsNotification()).as("notifications enabled").isTrue();
            assertThat(f.device.needsNotification()).as("nothing new since").isFalse();
            assertThat(f.driver.pollUsed()).isNotNull();

            f.driver.interrupts(false);
            f.driver.add(Buffer.out(out, 8));
            f.device.pop(chain);
            f.device.addUsed(chain, 0);
            assertThat(f.device.needsNotification()).as("driver suppressed notifications").isFalse();
            assertThat(f.driver.pollUsed()).isNotNull();

            f.driver.interrupts(true);
            f.driver.add(Buffer.out(out, 8));
            f.device.pop(chain);
            f.device.addUsed(chain, 0);
            assertThat(f.device.needsNotification()).as("enabled again").isTrue();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void suppressesKicksWhileProcessingAndAsksAgainAfter(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 8)) {
            long out = f.buffer(8);
            DescriptorChain chain = new DescriptorChain();
            f.driver.add(Buffer.out(out, 8));
            assertThat(f.driver.kickNeeded()).as("first buffer on a fresh queue").isTrue();

            f.device.disableNotifications();
            f.driver.add(Buffer.out(out, 8));
            assertThat(f.driver.kickNeeded()).as("device is processing").isFalse();
            while (f.device.pop(chain)) {
                f.device.addUsed(chain, 0);
            }
            assertThat(f.device.enableNotifications()).as("nothing left").isFalse();
            f.driver.add(Buffer.out(out, 8));
            assertThat(f.driver.kickNeeded()).as("device waits for more").isTrue();
            // A buffer added after the device looked, but before it re-enabled, is caught by the re-check.
            f.device.disableNotifications();
            f.device.pop(chain);
            f.device.addUsed(chain, 0);
            f.driver.add(Buffer.out(out, 8));
            assertThat(f.device.enableNotifications()).as("re-check finds the late buffer").isTrue();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void eventIndexNotifiesOnlyWhenThePassedEntryIsUsed(boolean packed, boolean eventIdx) {
        if (!eventIdx) {
            return;
        }
        try (QueueFixture f = new QueueFixture(packed, true, false, 8)) {
            long out = f.buffer(8);
            DescriptorChain chain = new DescriptorChain();
            // The driver asks to be told when the third buffer (entry 2) is used.
            if (packed) {
                f.packedDriver().descEvent(2, true);
            } else {
                f.split().usedEvent(2);
            }
            for (int i = 0; i < 4; i++) {
                f.driver.add(Buffer.out(out, 8));
            }
            boolean[] notified = new boolean[4];
            for (int i = 0; i < 4; i++) {
                f.device.pop(chain);
                f.device.addUsed(chain, 0);
                notified[i] = f.device.needsNotification();
            }
            assertThat(notified).containsExactly(false, false, true, false);
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void oneDecisionCoversABatch(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 16)) {
            long out = f.buffer(8);
            DescriptorChain chain = new DescriptorChain();
            for (int i = 0; i < 10; i++) {
                f.driver.add(Buffer.out(out, 8));
            }
            int popped = 0;
            while (f.device.pop(chain)) {
                f.device.addUsed(chain, 0);
                popped++;
            }
            assertThat(popped).isEqualTo(10);
            assertThat(f.device.needsNotification()).isTrue();
            assertThat(f.device.needsNotification()).isFalse();
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void stateSurvivesRebuildingTheQueue(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 4)) {
            long out = f.buffer(8);
            DescriptorChain chain = new DescriptorChain();
            for (int i = 0; i < 6; i++) {
                f.driver.add(Buffer.out(out, 8));
                f.device.pop(chain);
                f.device.addUsed(chain, 1);
                f.driver.pollUsed();
            }
            int id = f.driver.add(Buffer.out(out, 8));
            QueueState state = f.device.state();
            f.device = Virtqueues.create(0, f.driver.config(), f.ram.memory(), f.features, state, (q, e) -> f.failures.add(e));
            assertThat(f.device.pop(chain)).isTrue();
            assertThat(chain.id()).isEqualTo(id);
            f.device.addUsed(chain, 3);
            assertThat(f.driver.pollUsed()).isEqualTo(new DriverQueue.Used(id, 3));
        }
    }

    @ParameterizedTest(name = "packed={0} eventIdx={1}")
    @MethodSource("layouts")
    void aBrokenQueueStaysStoppedAndQuiet(boolean packed, boolean eventIdx) {
        try (QueueFixture f = new QueueFixture(packed, eventIdx, false, 4)) {
            f.device.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR, "test"));
            f.device.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR, "again"));
            f.driver.add(Buffer.out(f.buffer(8), 8));
            assertThat(f.device.pop(new DescriptorChain())).isFalse();
            assertThat(f.device.enableNotifications()).isFalse();
            assertThat(f.brokenWith()).isEqualTo(VirtqueueException.Kind.DEVICE_ERROR);
        }
    }

    /** Reads a whole SgList (test helper). */
    static byte[] bytes(dev.vireo.mem.SgList list) {
        byte[] out = new byte[(int) list.totalLength()];
        int at = 0;
        for (int i = 0; i < list.count(); i++) {
            MemorySegment s = list.segment(i);
            byte[] part = s.toArray(JAVA_BYTE);
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
