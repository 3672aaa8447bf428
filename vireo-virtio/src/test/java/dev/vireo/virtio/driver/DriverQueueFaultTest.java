package dev.vireo.virtio.driver;

import dev.vireo.mem.GuestRam;
import dev.vireo.mem.RingAccess;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.queue.QueueConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The driver side does not believe the device: used entries are written here by hand, as a buggy
 * or hostile device (a vhost-user daemon) could write them, and each bad one stops the queue.
 */
@ExtendWith(FdLeakCheck.class)
class DriverQueueFaultTest {

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Writes used entry {@code slot} of a split queue and publishes used.idx. */
    private static void used(GuestRam ram, QueueConfig c, int slot, int id, int len, int idx) {
        MemorySegment used = ram.memory().slice(c.deviceArea(), 6 + 8L * c.size());
        used.set(U32, 4 + 8L * slot, id);
        used.set(U32, 8 + 8L * slot, len);
        RingAccess.storeReleaseU16(used, 2, idx);
    }

    private static SplitDriverQueue queue(GuestRam ram) {
        return new SplitDriverQueue(new GuestAllocator(ram.memory(), 0, 1 << 20), 8, false);
    }

    @Test
    void aWellFormedUsedEntryIsReturnedWithItsLength() {
        try (GuestRam ram = GuestRam.create("fault", 1 << 20)) {
            SplitDriverQueue q = queue(ram);
            DriverQueue.Chain chain = new DriverQueue.Chain(2);
            int id = q.add(chain.clear().readable(0x10000, 16).writable(0x20000, 100));
            used(ram, q.config(), 0, id, 100, 1);
            assertThat(q.pollUsedId()).isEqualTo(id);
            assertThat(q.usedLen()).isEqualTo(100);
            assertThat(q.inFlight()).isZero();
            assertThat(q.pollUsedId()).isEqualTo(-1);
        }
    }

    @Test
    void aLengthBeyondTheWritableBytesIsAFault() {
        try (GuestRam ram = GuestRam.create("fault", 1 << 20)) {
            SplitDriverQueue q = queue(ram);
            int id = q.add(DriverQueue.Buffer.in(0x10000, 4000), DriverQueue.Buffer.out(0x20000, 100));
            used(ram, q.config(), 0, id, 101, 1);
            assertThatThrownBy(q::pollUsedId).isInstanceOf(DeviceFaultException.class).hasMessageContaining("exceeds");
            assertThat(q.faulted()).isTrue();
            assertThatThrownBy(() -> q.add(DriverQueue.Buffer.out(0x20000, 1))).isInstanceOf(DeviceFaultException.class);
        }
    }

    @Test
    void anIdNotInFlightIsAFault() {
        try (GuestRam ram = GuestRam.create("fault", 1 << 20)) {
            SplitDriverQueue q = queue(ram);
            int id = q.add(DriverQueue.Buffer.out(0x20000, 100));
            used(ram, q.config(), 0, id + 1, 0, 1);
            assertThatThrownBy(q::pollUsedId).isInstanceOf(DeviceFaultException.class).hasMessageContaining("not in flight");
        }
        try (GuestRam ram = GuestRam.create("fault", 1 << 20)) {
            SplitDriverQueue q = queue(ram);
            q.add(DriverQueue.Buffer.out(0x20000, 100));
            used(ram, q.config(), 0, 1 << 20, 0, 1);
            assertThatThrownBy(q::pollUsedId).isInstanceOf(DeviceFaultException.class);
        }
    }

    @Test
    void theSameBufferUsedTwiceIsAFault() {
        try (GuestRam ram = GuestRam.create("fault", 1 << 20)) {
            SplitDriverQueue q = queue(ram);
            int a = q.add(DriverQueue.Buffer.out(0x20000, 100));
            q.add(DriverQueue.Buffer.out(0x30000, 100));
            used(ram, q.config(), 0, a, 1, 1);
            used(ram, q.config(), 1, a, 1, 2);
            assertThat(q.pollUsedId()).isEqualTo(a);
            assertThatThrownBy(q::pollUsedId).isInstanceOf(DeviceFaultException.class);
        }
    }

    @Test
    void aUsedIndexRunningAheadOfWhatWasPostedIsAFault() {
        try (GuestRam ram = GuestRam.create("fault", 1 << 20)) {
            SplitDriverQueue q = queue(ram);
            int id = q.add(DriverQueue.Buffer.out(0x20000, 100));
            used(ram, q.config(), 0, id, 0, 5);
            assertThatThrownBy(q::pollUsedId).isInstanceOf(DeviceFaultException.class).hasMessageContaining("ahead");
        }
    }

    @Test
    void aPackedIdOutsideTheQueueIsAFault() {
        try (GuestRam ram = GuestRam.create("fault", 1 << 20)) {
            PackedDriverQueue q = new PackedDriverQueue(new GuestAllocator(ram.memory(), 0, 1 << 20), 8, false);
            q.add(DriverQueue.Buffer.out(0x20000, 100));
            MemorySegment ring = ram.memory().slice(q.config().descriptorArea(), 16 * 8);
            ring.set(ValueLayout.JAVA_SHORT_UNALIGNED, 12, (short) 200); // id
            RingAccess.storeReleaseU16(ring, 14, PackedDriverQueue.F_AVAIL | PackedDriverQueue.F_USED);
            assertThatThrownBy(q::pollUsedId).isInstanceOf(DeviceFaultException.class);
        }
    }
}
