package dev.vireo.virtio.queue;

import dev.vireo.mem.GuestRam;
import dev.vireo.mem.TestMemory;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.virtio.driver.PackedDriverQueue;
import dev.vireo.virtio.driver.SplitDriverQueue;

import java.util.ArrayList;
import java.util.List;

/** A device-side queue and its driver side on test memory, for the queue tests. */
final class QueueFixture implements AutoCloseable {

    final GuestRam ram = TestMemory.create();
    final GuestAllocator rings = new GuestAllocator(ram.memory(), 0x1000, TestMemory.HOLE);
    final GuestAllocator data = new GuestAllocator(ram.memory(), TestMemory.HIGH, TestMemory.HIGH + TestMemory.HIGH_SIZE);
    final boolean packed;
    final long features;
    final DriverQueue driver;
    final List<VirtqueueException> failures = new ArrayList<>();
    Virtqueue device;

    QueueFixture(boolean packed, boolean eventIdx, boolean indirect, int size) {
        this.packed = packed;
        long f = Features.bit(Virtio.VIRTIO_F_VERSION_1);
        if (packed) {
            f |= Features.bit(Virtio.VIRTIO_F_RING_PACKED);
        }
        if (eventIdx) {
            f |= Features.bit(Virtio.VIRTIO_RING_F_EVENT_IDX);
        }
        if (indirect) {
            f |= Features.bit(Virtio.VIRTIO_RING_F_INDIRECT_DESC);
        }
        this.features = f;
        this.driver = packed ? new PackedDriverQueue(rings, size, eventIdx) : new SplitDriverQueue(rings, size, eventIdx);
        this.device = Virtqueues.create(0, driver.config(), ram.memory(), features, (q, e) -> failures.add(e));
    }

    SplitDriverQueue split() {
        return (SplitDriverQueue) driver;
    }

    PackedDriverQueue packedDriver() {
        return (PackedDriverQueue) driver;
    }

    /** A data buffer of {@code len} bytes. */
    long buffer(int len) {
        return data.alloc(len, 8);
    }

    /** The failure kind, failing the test if the queue did not break exactly once. */
    VirtqueueException.Kind brokenWith() {
        if (!device.isBroken() || failures.size() != 1) {
            throw new AssertionError("expected the queue to break once, failures: " + failures);
        }
        return failures.get(0).kind();
    }

    @Override
    public void close() {
        ram.close();
    }
}
