package dev.vireo.vhost;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.driver.SplitDriverQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Used-buffer notifications through the call eventfd, counted: the eventfd's counter is the number
 * of writes the back-end made, so a batch of buffers made available before one kick must raise it
 * by exactly one, and by none when the driver suppressed interrupts (VIRTQ_AVAIL_F_NO_INTERRUPT,
 * virtio 1.2 §2.7.10) or when EVENT_IDX's used_event was not crossed (§2.7.10, vring_need_event).
 */
@ExtendWith(FdLeakCheck.class)
class CallBatchingTest {

    private static final long VERSION_1 = 1L << Virtio.VIRTIO_F_VERSION_1;
    private static final long EVENT_IDX = 1L << Virtio.VIRTIO_RING_F_EVENT_IDX;

    @Test
    void aBatchOfBuffersRaisesOneCall() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.negotiate(VERSION_1);
            SplitDriverQueue q = f.addQueue(0, 64, false);
            f.client.setVringEnable(0, true);
            addBuffers(f, q, 16);
            f.kick(0);
            awaitUsedIdx(q, 16);
            assertThat(settledCalls(f, true)).as("one call eventfd write for 16 used buffers").isEqualTo(1);
        }
    }

    @Test
    void noInterruptSuppressesTheCall() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.negotiate(VERSION_1);
            SplitDriverQueue q = f.addQueue(0, 64, false);
            f.client.setVringEnable(0, true);
            q.interrupts(false);
            addBuffers(f, q, 4);
            f.kick(0);
            awaitUsedIdx(q, 4);
            assertThat(settledCalls(f, false)).isZero();
            q.interrupts(true);
            addBuffers(f, q, 4);
            f.kick(0);
            awaitUsedIdx(q, 8);
            assertThat(settledCalls(f, true)).isEqualTo(1);
        }
    }

    @Test
    void eventIdxSignalsOnlyWhenUsedEventIsCrossed() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.negotiate(VERSION_1 | EVENT_IDX);
            SplitDriverQueue q = f.addQueue(0, 64, true);
            f.client.setVringEnable(0, true);
            q.usedEvent(5); // "interrupt me once the used entry at index 5 is written"
            addBuffers(f, q, 3);
            f.kick(0);
            awaitUsedIdx(q, 3);
            assertThat(settledCalls(f, false)).as("used.idx 3 has not passed used_event 5").isZero();
            addBuffers(f, q, 3);
            f.kick(0);
            awaitUsedIdx(q, 6);
            assertThat(settledCalls(f, true)).as("used.idx 6 passed used_event 5: one call").isEqualTo(1);
            q.usedEvent(100);
            addBuffers(f, q, 3);
            f.kick(0);
            awaitUsedIdx(q, 9);
            assertThat(settledCalls(f, false)).isZero();
        }
    }

    private static void addBuffers(TestFrontend f, SplitDriverQueue q, int n) {
        for (int i = 0; i < n; i++) {
            q.add(Buffer.out(f.alloc.alloc(64), 64));
        }
    }

    private static void awaitUsedIdx(SplitDriverQueue q, int idx) throws InterruptedException {
        for (int i = 0; i < 500 && q.usedIdx() != idx; i++) {
            Thread.sleep(10);
        }
        assertThat(q.usedIdx()).isEqualTo(idx);
    }

    /**
     * The call eventfd's counter once the batch is over: the device writes the call after it has
     * published the used index, so the counter is read after a pause that lets a late write land.
     */
    private static long settledCalls(TestFrontend f, boolean expectOne) throws InterruptedException {
        long n = expectOne ? f.awaitCall(0, 5000) : 0;
        Thread.sleep(100);
        return n + EventCalls.eventfdRead(f.calls.get(0).num());
    }
}
