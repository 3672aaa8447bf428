package dev.vireo.virtio.queue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.mem.GuestRam;
import dev.vireo.mem.TestMemory;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.testing.FuzzMemory;
import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.virtio.driver.PackedDriverQueue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Structure-aware fuzzing of packed-ring parsing: the input chooses the size (any, not just powers
 * of two), the features, every ring slot (with AVAIL/USED bits that are right, wrong or random),
 * indirect tables, the driver's event suppression, and how many rounds the device runs. Oracles as
 * for the split ring; in addition the device can never take more ring slots than exist.
 */
class PackedQueueFuzzTest {

    private static final java.lang.foreign.ValueLayout.OfLong U64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfInt U32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfShort U16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @FuzzTest(maxDuration = "10s")
    void chains(FuzzedDataProvider data) {
        GuestRam ram = FuzzMemory.ram();
        GuestAllocator rings = new GuestAllocator(ram.memory(), 0x1000, TestMemory.HOLE);
        int size = data.consumeInt(1, 24);
        boolean eventIdx = data.consumeBoolean();
        boolean indirect = data.consumeBoolean();
        long features = Features.bit(Virtio.VIRTIO_F_VERSION_1) | Features.bit(Virtio.VIRTIO_F_RING_PACKED)
                | (eventIdx ? Features.bit(Virtio.VIRTIO_RING_F_EVENT_IDX) : 0)
                | (indirect ? Features.bit(Virtio.VIRTIO_RING_F_INDIRECT_DESC) : 0);
        PackedDriverQueue driver = new PackedDriverQueue(rings, size, eventIdx);
        Virtqueue q = Virtqueues.create(0, driver.config(), ram.memory(), features, QueueFailureListener.NONE);

        long[] tables = new long[2];
        int[] entries = new int[2];
        for (int t = 0; t < 2; t++) {
            entries[t] = data.consumeInt(1, 8);
            tables[t] = rings.alloc(16L * entries[t], 16);
            MemorySegment s = ram.memory().slice(tables[t], 16L * entries[t]);
            for (int i = 0; i < entries[t]; i++) {
                s.set(U64, 16L * i, FuzzMemory.address(data, tables));
                s.set(U32, 16L * i + 8, FuzzMemory.length(data));
                s.set(U16, 16L * i + 14, (short) data.consumeInt(0, 7));
            }
        }
        MemorySegment ring = ram.memory().slice(driver.config().descriptorArea(), 16L * size);
        int avail = 0;
        for (int i = 0; i < size; i++) {
            int flags = data.consumeInt(0, 7);
            int bits = switch (data.consumeInt(0, 4)) {
                case 0, 1, 2 -> PackedDriverQueue.F_AVAIL; // available in the first lap
                case 3 -> PackedDriverQueue.F_AVAIL | PackedDriverQueue.F_USED;
                default -> data.consumeInt(0, 0xffff) & (PackedDriverQueue.F_AVAIL | PackedDriverQueue.F_USED);
            };
            if (bits == PackedDriverQueue.F_AVAIL || bits == PackedDriverQueue.F_USED) {
                avail++; // available in the first lap, or in the second
            }
            long addr = FuzzMemory.address(data, tables);
            int len = (flags & 4) != 0 && data.consumeBoolean() ? 16 * entries[data.consumeInt(0, 1)] : FuzzMemory.length(data);
            ring.set(U64, 16L * i, addr);
            ring.set(U32, 16L * i + 8, len);
            ring.set(U16, 16L * i + 12, (short) data.consumeInt(0, 0xffff));
            ring.set(U16, 16L * i + 14, (short) (flags | bits));
        }
        MemorySegment driverEvent = ram.memory().slice(driver.config().driverArea(), 4);
        driverEvent.set(U32, 0, data.consumeInt());

        DescriptorChain chain = new DescriptorChain();
        int slots = 0;
        int rounds = data.consumeInt(1, 3);
        for (int r = 0; r < rounds; r++) {
            q.disableNotifications();
            while (q.pop(chain)) {
                slots += chain.slots();
                VirtqueueFuzzOracle.check(chain, size, ram);
                q.addUsed(chain, data.consumeLong(-1, 1L << 33));
                // Each slot can be taken once per lap it is available in; the used descriptors the device
                // writes are never available again.
                if (slots > avail) {
                    throw new AssertionError("took " + slots + " slots of which only " + avail + " were available");
                }
            }
            q.needsNotification();
            q.enableNotifications();
        }
    }
}
