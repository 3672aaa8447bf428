package dev.vireo.virtio.queue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.mem.GuestRam;
import dev.vireo.mem.TestMemory;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.testing.FuzzMemory;
import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.virtio.driver.SplitDriverQueue;

/**
 * Structure-aware fuzzing of split-ring chain parsing (as vm-virtio's fuzz targets): the input
 * chooses the queue size and features, every descriptor (addresses from the interesting places of
 * guest memory, lengths, flags, next), up to two indirect tables, the available ring and its index,
 * and then device operations. Oracles: nothing escapes pop/addUsed/notification calls, no popped
 * range lies outside guest memory, no chain exceeds the queue size or 2^32 bytes, and the device
 * never takes more buffers than the driver made available.
 *
 * <p>{@code mvn test} replays {@code SplitQueueFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes for the
 * annotated duration (scripts/fuzz).
 */
class SplitQueueFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void chains(FuzzedDataProvider data) {
        GuestRam ram = FuzzMemory.ram();
        GuestAllocator rings = new GuestAllocator(ram.memory(), 0x1000, TestMemory.HOLE);
        int size = 1 << data.consumeInt(0, 5);
        boolean eventIdx = data.consumeBoolean();
        boolean indirect = data.consumeBoolean();
        long features = Features.bit(Virtio.VIRTIO_F_VERSION_1)
                | (eventIdx ? Features.bit(Virtio.VIRTIO_RING_F_EVENT_IDX) : 0)
                | (indirect ? Features.bit(Virtio.VIRTIO_RING_F_INDIRECT_DESC) : 0);
        SplitDriverQueue driver = new SplitDriverQueue(rings, size, eventIdx);
        Virtqueue q = Virtqueues.create(0, driver.config(), ram.memory(), features, QueueFailureListener.NONE);

        long[] tables = new long[2];
        int[] tableEntries = new int[2];
        for (int t = 0; t < 2; t++) {
            tableEntries[t] = data.consumeInt(1, 8);
            tables[t] = rings.alloc(16L * tableEntries[t], 16);
        }
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < tableEntries[t]; i++) {
                driver.writeDescriptorAt(tables[t], i, FuzzMemory.address(data, tables), FuzzMemory.length(data),
                        data.consumeInt(0, 7), data.consumeInt(0, tableEntries[t] + 1));
            }
        }
        for (int i = 0; i < size; i++) {
            int flags = data.consumeInt(0, 7);
            long addr = FuzzMemory.address(data, tables);
            int len = (flags & 4) != 0 && data.consumeBoolean() ? 16 * tableEntries[data.consumeInt(0, 1)] : FuzzMemory.length(data);
            driver.writeDescriptor(i, addr, len, flags, data.consumeInt(0, size + 1));
        }
        int published = data.consumeInt(0, size);
        for (int i = 0; i < published; i++) {
            driver.publish(data.consumeInt(0, size));
        }
        if (data.consumeInt(0, 15) == 0) {
            driver.forceAvailIdx(data.consumeInt(0, 0xffff));
            published = Integer.MAX_VALUE; // anything may follow; the queue must break or stay bounded
        }

        DescriptorChain chain = new DescriptorChain();
        int popped = 0;
        int rounds = data.consumeInt(1, 3);
        for (int r = 0; r < rounds; r++) {
            q.disableNotifications();
            while (q.pop(chain)) {
                popped++;
                VirtqueueFuzzOracle.check(chain, size, ram);
                q.addUsed(chain, data.consumeLong(-1, 1L << 33));
                if (popped > size) {
                    throw new AssertionError("popped " + popped + " buffers from a queue of " + size);
                }
            }
            q.needsNotification();
            q.enableNotifications();
        }
        if (popped > published) {
            throw new AssertionError("popped " + popped + " but only " + published + " were published");
        }
    }
}
