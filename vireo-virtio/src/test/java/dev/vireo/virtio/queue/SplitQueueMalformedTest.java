package dev.vireo.virtio.queue;

import dev.vireo.mem.TestMemory;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.driver.SplitDriverQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.vireo.virtio.queue.VirtqueueException.Kind;
import static dev.vireo.virtio.driver.SplitDriverQueue.F_INDIRECT;
import static dev.vireo.virtio.driver.SplitDriverQueue.F_NEXT;
import static dev.vireo.virtio.driver.SplitDriverQueue.F_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Split rings a driver must never build (virtio 1.2 §2.7): each stops the queue with the matching
 * {@link VirtqueueException.Kind}, without a hang, an exception out of pop, or a host access.
 */
class SplitQueueMalformedTest {

    private static VirtqueueException.Kind popBreaks(QueueFixture f) {
        DescriptorChain chain = new DescriptorChain();
        assertThat(f.device.pop(chain)).isFalse();
        assertThat(f.device.pop(chain)).as("stays stopped").isFalse();
        return f.brokenWith();
    }

    @Test
    void descriptorLoop() {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            long b = f.buffer(8);
            f.split().writeDescriptor(0, b, 8, F_NEXT, 1);
            f.split().writeDescriptor(1, b, 8, F_NEXT, 2);
            f.split().writeDescriptor(2, b, 8, F_NEXT, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.CHAIN_TOO_LONG);
        }
    }

    @Test
    void selfLoop() {
        try (QueueFixture f = new QueueFixture(false, false, false, 4)) {
            f.split().writeDescriptor(3, f.buffer(8), 8, F_NEXT, 3);
            f.split().publish(3);
            assertThat(popBreaks(f)).isEqualTo(Kind.CHAIN_TOO_LONG);
        }
    }

    @Test
    void loopInsideAnIndirectTable() {
        try (QueueFixture f = new QueueFixture(false, false, true, 4)) {
            long table = f.rings.alloc(16 * 4, 16);
            long b = f.buffer(8);
            for (int i = 0; i < 4; i++) {
                f.split().writeDescriptorAt(table, i, b, 8, F_NEXT, (i + 1) % 4);
            }
            f.split().writeDescriptor(0, table, 64, F_INDIRECT, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.CHAIN_TOO_LONG);
        }
    }

    @Test
    void anIndirectTableLongerThanTheQueueIsServed() {
        // What Linux's virtio_blk sends when the device's seg_max exceeds the ring the front-end chose:
        // a table of 6 (header, 4 segments, status) in a queue of 4. QEMU serves it; so does vireo.
        try (QueueFixture f = new QueueFixture(false, false, true, 4)) {
            long table = f.rings.alloc(16 * 6, 16);
            long b = f.buffer(8);
            for (int i = 0; i < 6; i++) {
                f.split().writeDescriptorAt(table, i, b, 8, (i < 5 ? F_NEXT : 0) | (i == 5 ? F_WRITE : 0), i + 1);
            }
            f.split().writeDescriptor(0, table, 96, F_INDIRECT, 0);
            f.split().publish(0);
            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.pop(chain)).isTrue();
            assertThat(f.device.isBroken()).isFalse();
            assertThat(chain.descriptorCount()).isEqualTo(6);
            assertThat(chain.readableBytes()).isEqualTo(40);
            assertThat(chain.writableBytes()).isEqualTo(8);
        }
    }

    @Test
    void nextIndexOutOfRange() {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            f.split().writeDescriptor(0, f.buffer(8), 8, F_NEXT, 8);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.NEXT_OUT_OF_RANGE);
        }
    }

    @Test
    void nextIndexOutOfRangeOfAnIndirectTable() {
        try (QueueFixture f = new QueueFixture(false, false, true, 8)) {
            long table = f.rings.alloc(32, 16);
            f.split().writeDescriptorAt(table, 0, f.buffer(8), 8, F_NEXT, 2); // the table has 2 entries
            f.split().writeDescriptor(0, table, 32, F_INDIRECT, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.NEXT_OUT_OF_RANGE);
        }
    }

    @Test
    void headOutOfRange() {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            f.split().publish(8);
            assertThat(popBreaks(f)).isEqualTo(Kind.HEAD_OUT_OF_RANGE);
        }
    }

    @Test
    void indirectInsideIndirect() {
        try (QueueFixture f = new QueueFixture(false, false, true, 8)) {
            long inner = f.rings.alloc(16, 16);
            f.split().writeDescriptorAt(inner, 0, f.buffer(8), 8, 0, 0);
            long outer = f.rings.alloc(16, 16);
            f.split().writeDescriptorAt(outer, 0, inner, 16, F_INDIRECT, 0);
            f.split().writeDescriptor(0, outer, 16, F_INDIRECT, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.NESTED_INDIRECT);
        }
    }

    @ParameterizedTest(name = "table length {0}")
    @ValueSource(ints = {0, 8, 17, 24})
    void indirectTableOfBadLength(int len) {
        try (QueueFixture f = new QueueFixture(false, false, true, 8)) {
            long table = f.rings.alloc(64, 16);
            f.split().writeDescriptor(0, table, len, F_INDIRECT, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.BAD_INDIRECT_TABLE);
        }
    }

    @Test
    void indirectTableOutsideGuestMemory() {
        try (QueueFixture f = new QueueFixture(false, false, true, 8)) {
            f.split().writeDescriptor(0, TestMemory.HOLE + 0x100, 32, F_INDIRECT, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.BAD_INDIRECT_TABLE);
        }
    }

    @Test
    void indirectTableTooLarge() {
        try (QueueFixture f = new QueueFixture(false, false, true, 8)) {
            f.split().writeDescriptor(0, 0, 16 * 65537, F_INDIRECT, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.BAD_INDIRECT_TABLE);
        }
    }

    @Test
    void indirectWithNext() {
        try (QueueFixture f = new QueueFixture(false, false, true, 8)) {
            long table = f.rings.alloc(16, 16);
            f.split().writeDescriptorAt(table, 0, f.buffer(8), 8, 0, 0);
            f.split().writeDescriptor(0, table, 16, F_INDIRECT | F_NEXT, 1);
            f.split().writeDescriptor(1, f.buffer(8), 8, 0, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.INDIRECT_WITH_NEXT);
        }
    }

    @Test
    void indirectWithoutTheFeature() {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            long table = f.rings.alloc(16, 16);
            f.split().writeDescriptorAt(table, 0, f.buffer(8), 8, 0, 0);
            f.split().writeDescriptor(0, table, 16, F_INDIRECT, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.INDIRECT_NOT_NEGOTIATED);
        }
    }

    @Test
    void directDescriptorsFollowedByAnIndirectOneAreAccepted() {
        // §2.7.5.3.2: zero or more chained descriptors, then one indirect descriptor.
        try (QueueFixture f = new QueueFixture(false, false, true, 8)) {
            long table = f.rings.alloc(32, 16);
            f.split().writeDescriptorAt(table, 0, f.buffer(8), 8, F_NEXT, 1);
            f.split().writeDescriptorAt(table, 1, f.buffer(4), 4, F_WRITE, 0);
            f.split().writeDescriptor(0, f.buffer(16), 16, F_NEXT, 1);
            f.split().writeDescriptor(1, table, 32, F_INDIRECT | F_WRITE, 0); // WRITE here is ignored
            f.split().publish(0);
            DescriptorChain chain = new DescriptorChain();
            assertThat(f.device.pop(chain)).isTrue();
            assertThat(chain.readable().totalLength()).isEqualTo(24);
            assertThat(chain.writable().totalLength()).isEqualTo(4);
            assertThat(f.failures).isEmpty();
        }
    }

    @Test
    void writableBeforeReadable() {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            f.split().writeDescriptor(0, f.buffer(8), 8, F_WRITE | F_NEXT, 1);
            f.split().writeDescriptor(1, f.buffer(8), 8, 0, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.READABLE_AFTER_WRITABLE);
        }
    }

    @Test
    void chainOfMoreThanFourGigabytes() {
        try (QueueFixture f = new QueueFixture(false, false, false, 4)) {
            // Lengths are checked before addresses: 2 x 0xffffffff bytes exceed 2^32 (§2.7.5.2).
            f.split().writeDescriptor(0, 0, -1, F_NEXT, 1);
            f.split().writeDescriptor(1, 0, -1, 0, 0);
            f.split().publish(0);
            assertThat(popBreaks(f)).isEqualTo(Kind.CHAIN_TOO_LARGE);
        }
    }

    @ParameterizedTest(name = "avail.idx jumps by {0}")
    @ValueSource(ints = {9, 100, 0x8000, 0xffff})
    void availableIndexJumpingAhead(int jump) {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            f.split().forceAvailIdx(jump);
            assertThat(popBreaks(f)).isEqualTo(Kind.AVAIL_INDEX_JUMP);
        }
    }

    @Test
    void availableIndexJumpSeenWhenReEnablingNotifications() {
        try (QueueFixture f = new QueueFixture(false, true, false, 8)) {
            f.split().forceAvailIdx(1000);
            assertThat(f.device.enableNotifications()).isFalse();
            assertThat(f.brokenWith()).isEqualTo(Kind.AVAIL_INDEX_JUMP);
        }
    }

    @Test
    void aFullQueueIsNotAJump() {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            long b = f.buffer(8);
            for (int i = 0; i < 8; i++) {
                f.driver.add(DriverQueueBuffers.out(b));
            }
            DescriptorChain chain = new DescriptorChain();
            int n = 0;
            while (f.device.pop(chain)) {
                n++;
            }
            assertThat(n).isEqualTo(8);
            assertThat(f.failures).isEmpty();
        }
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {0, 3, 6, 100, 65535, 65536, -4})
    void sizeThatIsNotAPowerOfTwoInRange(int size) {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            QueueConfig c = new QueueConfig(size, f.driver.config().descriptorArea(), f.driver.config().driverArea(),
                    f.driver.config().deviceArea());
            assertThatThrownBy(() -> Virtqueues.create(0, c, f.ram.memory(), Features.bit(Virtio.VIRTIO_F_VERSION_1),
                    QueueFailureListener.NONE))
                    .isInstanceOfSatisfying(VirtqueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_SIZE));
        }
    }

    @Test
    void misalignedAndMisplacedAreas() {
        try (QueueFixture f = new QueueFixture(false, false, false, 8)) {
            QueueConfig ok = f.driver.config();
            long v1 = Features.bit(Virtio.VIRTIO_F_VERSION_1);
            QueueConfig[] bad = {
                new QueueConfig(8, ok.descriptorArea() + 8, ok.driverArea(), ok.deviceArea()),
                new QueueConfig(8, ok.descriptorArea(), ok.driverArea() + 1, ok.deviceArea()),
                new QueueConfig(8, ok.descriptorArea(), ok.driverArea(), ok.deviceArea() + 2),
            };
            for (QueueConfig c : bad) {
                assertThatThrownBy(() -> Virtqueues.create(0, c, f.ram.memory(), v1, QueueFailureListener.NONE))
                        .isInstanceOfSatisfying(VirtqueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MISALIGNED));
            }
            QueueConfig[] outside = {
                new QueueConfig(8, TestMemory.HOLE, ok.driverArea(), ok.deviceArea()),
                new QueueConfig(8, ok.descriptorArea(), TestMemory.HIGH + TestMemory.HIGH_SIZE - 4, ok.deviceArea()),
                new QueueConfig(8, ok.descriptorArea(), ok.driverArea(), -16L),
                new QueueConfig(8, TestMemory.MID - 64, ok.driverArea(), ok.deviceArea()), // crosses two regions
            };
            for (QueueConfig c : outside) {
                assertThatThrownBy(() -> Virtqueues.create(0, c, f.ram.memory(), v1, QueueFailureListener.NONE))
                        .isInstanceOfSatisfying(VirtqueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.OUTSIDE_MEMORY));
            }
        }
    }

    /** Buffers for the hand-built cases. */
    private static final class DriverQueueBuffers {
        static dev.vireo.virtio.driver.DriverQueue.Buffer out(long addr) {
            return dev.vireo.virtio.driver.DriverQueue.Buffer.out(addr, 8);
        }
    }

    @Test
    void theDriverSideDescriptorFlagsMatchTheSpec() {
        assertThat(SplitDriverQueue.F_NEXT).isEqualTo(Virtio.VRING_DESC_F_NEXT);
        assertThat(SplitDriverQueue.F_WRITE).isEqualTo(Virtio.VRING_DESC_F_WRITE);
        assertThat(SplitDriverQueue.F_INDIRECT).isEqualTo(Virtio.VRING_DESC_F_INDIRECT);
    }
}
