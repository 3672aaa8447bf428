package dev.vireo.virtio.queue;

import dev.vireo.mem.TestMemory;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.driver.PackedDriverQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.vireo.virtio.queue.VirtqueueException.Kind;
import static dev.vireo.virtio.driver.PackedDriverQueue.F_INDIRECT;
import static dev.vireo.virtio.driver.PackedDriverQueue.F_NEXT;
import static dev.vireo.virtio.driver.PackedDriverQueue.F_WRITE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Packed rings a driver must never build (virtio 1.2 §2.8): each stops the queue. */
class PackedQueueMalformedTest {

    private static Kind popBreaks(QueueFixture f) {
        DescriptorChain chain = new DescriptorChain();
        assertThat(f.device.pop(chain)).isFalse();
        assertThat(f.device.pop(chain)).isFalse();
        return f.brokenWith();
    }

    /** Writes a table of packed descriptors {addr, len, flags} in guest memory; returns its address. */
    private static long table(QueueFixture f, long[][] entries) {
        long t = f.rings.alloc(16L * entries.length, 16);
        MemorySegment s = f.ram.memory().slice(t, 16L * entries.length);
        for (int i = 0; i < entries.length; i++) {
            s.set(JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 16L * i, entries[i][0]);
            s.set(JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 16L * i + 8, (int) entries[i][1]);
            s.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 16L * i + 14, (short) entries[i][2]);
        }
        return t;
    }

    @Test
    void listLongerThanTheRing() {
        try (QueueFixture f = new QueueFixture(true, false, false, 4)) {
            PackedDriverQueue d = f.packedDriver();
            long b = f.buffer(8);
            // Every slot has NEXT: the list never ends within the ring (the packed form of a loop).
            int first = d.writeRaw(b, 8, 0, F_NEXT | d.availBits());
            int firstFlags = F_NEXT | d.availBits();
            for (int i = 1; i < 4; i++) {
                d.writeRaw(b, 8, 0, F_NEXT | d.availBits());
            }
            d.publishRaw(first, firstFlags);
            assertThat(popBreaks(f)).isEqualTo(Kind.CHAIN_TOO_LONG);
        }
    }

    @Test
    void listContinuingIntoADescriptorThatIsNotAvailable() {
        try (QueueFixture f = new QueueFixture(true, false, false, 8)) {
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(f.buffer(8), 8, 0, -1);
            // Slot 1 still holds the zero-initialised flags of an unavailable descriptor.
            d.publishRaw(first, F_NEXT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.NOT_AVAILABLE);
        }
    }

    @Test
    void indirectInsideIndirect() {
        try (QueueFixture f = new QueueFixture(true, false, true, 8)) {
            long inner = table(f, new long[][] {{f.buffer(8), 8, 0}});
            long outer = table(f, new long[][] {{inner, 16, F_INDIRECT}});
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(outer, 16, 0, -1);
            d.publishRaw(first, F_INDIRECT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.NESTED_INDIRECT);
        }
    }

    @ParameterizedTest(name = "table length {0}")
    @ValueSource(ints = {0, 15, 40, 16 * 32769})
    void indirectTableOfBadLength(int len) {
        try (QueueFixture f = new QueueFixture(true, false, true, 8)) {
            long t = f.rings.alloc(16 * 9, 16);
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(t, len, 0, -1);
            d.publishRaw(first, F_INDIRECT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.BAD_INDIRECT_TABLE);
        }
    }

    @Test
    void anIndirectTableLongerThanTheQueueIsServed() {
        // See SplitQueueMalformedTest: Linux sizes block requests by seg_max alone with indirect descriptors.
        try (QueueFixture f = new QueueFixture(true, false, true, 4)) {
            long b = f.buffer(8);
            long t = table(f, new long[][] {{b, 8, 0}, {b, 8, 0}, {b, 8, 0}, {b, 8, 0}, {b, 8, 0}, {b, 8, F_WRITE}});
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(t, 96, 0, -1);
            d.publishRaw(first, F_INDIRECT | d.availBits());
            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.pop(chain)).isTrue();
            assertThat(f.device.isBroken()).isFalse();
            assertThat(chain.descriptorCount()).isEqualTo(6);
            assertThat(chain.writableBytes()).isEqualTo(8);
        }
    }

    @Test
    void indirectTableOutsideGuestMemory() {
        try (QueueFixture f = new QueueFixture(true, false, true, 8)) {
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(TestMemory.HIGH + TestMemory.HIGH_SIZE - 16, 32, 0, -1);
            d.publishRaw(first, F_INDIRECT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.BAD_INDIRECT_TABLE);
        }
    }

    @Test
    void indirectDescriptorInsideANextList() {
        try (QueueFixture f = new QueueFixture(true, false, true, 8)) {
            long t = table(f, new long[][] {{f.buffer(8), 8, 0}});
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(f.buffer(8), 8, 0, -1);
            d.writeRaw(t, 16, 0, F_INDIRECT | d.availBits());
            d.publishRaw(first, F_NEXT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.INDIRECT_WITH_NEXT);
        }
    }

    @Test
    void indirectWithNext() {
        try (QueueFixture f = new QueueFixture(true, false, true, 8)) {
            long t = table(f, new long[][] {{f.buffer(8), 8, 0}});
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(t, 16, 0, -1);
            d.writeRaw(f.buffer(8), 8, 0, d.availBits());
            d.publishRaw(first, F_INDIRECT | F_NEXT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.INDIRECT_WITH_NEXT);
        }
    }

    @Test
    void indirectWithoutTheFeature() {
        try (QueueFixture f = new QueueFixture(true, false, false, 8)) {
            long t = table(f, new long[][] {{f.buffer(8), 8, 0}});
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(t, 16, 0, -1);
            d.publishRaw(first, F_INDIRECT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.INDIRECT_NOT_NEGOTIATED);
        }
    }

    @Test
    void writableBeforeReadable() {
        try (QueueFixture f = new QueueFixture(true, false, false, 8)) {
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(f.buffer(8), 8, 0, -1);
            d.writeRaw(f.buffer(8), 8, 0, d.availBits());
            d.publishRaw(first, F_WRITE | F_NEXT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.READABLE_AFTER_WRITABLE);
        }
    }

    @Test
    void writableBeforeReadableInsideATable() {
        try (QueueFixture f = new QueueFixture(true, false, true, 8)) {
            long t = table(f, new long[][] {{f.buffer(8), 8, F_WRITE}, {f.buffer(8), 8, 0}});
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(t, 32, 0, -1);
            d.publishRaw(first, F_INDIRECT | d.availBits());
            assertThat(popBreaks(f)).isEqualTo(Kind.READABLE_AFTER_WRITABLE);
        }
    }

    @Test
    void descriptorsOutsideMemoryInATableAreFaults() {
        try (QueueFixture f = new QueueFixture(true, false, true, 8)) {
            long t = table(f, new long[][] {{f.buffer(8), 8, 0}, {TestMemory.HOLE, 64, F_WRITE}, {f.buffer(1), 1, F_WRITE}});
            PackedDriverQueue d = f.packedDriver();
            int first = d.writeRaw(t, 48, 5, -1);
            d.publishRaw(first, F_INDIRECT | d.availBits());
            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.pop(chain)).isTrue();
            assertThat(chain.id()).isEqualTo(5);
            assertThat(chain.hasFault()).isTrue();
            assertThat(chain.lastWritableResolved()).isTrue();
            assertThat(f.failures).isEmpty();
        }
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {0, 32769, -1})
    void sizeOutOfRange(int size) {
        try (QueueFixture f = new QueueFixture(true, false, false, 8)) {
            QueueConfig ok = f.driver.config();
            QueueConfig c = new QueueConfig(size, ok.descriptorArea(), ok.driverArea(), ok.deviceArea());
            long features = Features.bit(Virtio.VIRTIO_F_VERSION_1) | Features.bit(Virtio.VIRTIO_F_RING_PACKED);
            assertThatThrownBy(() -> Virtqueues.create(0, c, f.ram.memory(), features, QueueFailureListener.NONE))
                    .isInstanceOfSatisfying(VirtqueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_SIZE));
        }
    }

    @Test
    void sizesThatAreNotPowersOfTwoAreFine() {
        try (QueueFixture f = new QueueFixture(true, true, false, 6)) {
            long b = f.buffer(8);
            DescriptorChain chain = new DescriptorChain();
            for (int i = 0; i < 50; i++) {
                int id = f.driver.add(dev.vireo.virtio.driver.DriverQueue.Buffer.out(b, 8),
                        dev.vireo.virtio.driver.DriverQueue.Buffer.out(b, 8));
                assertThat(f.device.pop(chain)).isTrue();
                f.device.addUsed(chain, 8);
                assertThat(f.driver.pollUsed().id()).isEqualTo(id);
            }
            assertThat(f.failures).isEmpty();
        }
    }

    @Test
    void misalignedEventStructures() {
        try (QueueFixture f = new QueueFixture(true, false, false, 8)) {
            QueueConfig ok = f.driver.config();
            long features = Features.bit(Virtio.VIRTIO_F_VERSION_1) | Features.bit(Virtio.VIRTIO_F_RING_PACKED);
            QueueConfig c = new QueueConfig(8, ok.descriptorArea(), ok.driverArea() + 2, ok.deviceArea());
            assertThatThrownBy(() -> Virtqueues.create(0, c, f.ram.memory(), features, QueueFailureListener.NONE))
                    .isInstanceOfSatisfying(VirtqueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MISALIGNED));
        }
    }
}
