package dev.vireo.virtio.queue;

import dev.vireo.virtio.devices.block.BlockDevice;
import dev.vireo.virtio.devices.block.BlockOptions;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The device side of the hot path allocates nothing once warm: popping chains (direct and
 * indirect), marking them used, deciding on notifications, and a block read from the image into
 * guest memory (apart from one JDK object per system call, see below). Measured with the JVM's
 * per-thread allocation counter around device work only (the test driver allocates).
 */
class SteadyStateAllocationTest {

    @TempDir
    Path dir;

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest(name = "packed={0}")
    @ValueSource(booleans = {false, true})
    void poppingAndUsingChainsAllocatesNothing(boolean packed) {
        try (QueueFixture f = new QueueFixture(packed, true, true, 256)) {
            List<Buffer> chain3 = List.of(Buffer.in(f.buffer(16), 16), Buffer.out(f.buffer(4096), 4096), Buffer.out(f.buffer(1), 1));
            DescriptorChain chain = new DescriptorChain();
            long deviceBytes = 0;
            for (int round = 0; round < 400; round++) {
                for (int i = 0; i < 128; i++) {
                    f.driver.add(chain3, (i & 1) == 0); // direct and indirect chains
                }
                long before = allocated();
                do {
                    f.device.disableNotifications();
                    while (f.device.pop(chain)) {
                        f.device.addUsed(chain, chain.writableBytes());
                    }
                } while (f.device.enableNotifications());
                f.device.needsNotification();
                long used = allocated() - before;
                if (round >= 200) { // after warm-up
                    deviceBytes += used;
                }
                while (f.driver.pollUsed() != null) {
                    // reap
                }
            }
            assertThat(deviceBytes).as("bytes allocated by the device side for 25600 chains").isLessThan(1024);
        }
    }

    @ParameterizedTest(name = "packed={0}")
    @ValueSource(booleans = {false, true})
    void blockReadsAllocateNothing(boolean packed) throws Exception {
        Path img = dir.resolve("img");
        Files.write(img, new byte[1 << 20]);
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img));
             MockDriver d = MockDriver.start(dev, MockDriver.Options.defaults().packed(packed).queueSize(256))) {
            long hdr = d.buffers().put(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(0).putLong(8).array());
            List<Buffer> read = List.of(Buffer.in(hdr, 16), Buffer.out(d.buffers().alloc(4096), 4096), Buffer.out(d.buffers().alloc(1), 1));
            DriverQueue q = d.queue(0);
            long deviceBytes = 0;
            for (int round = 0; round < 300; round++) {
                for (int i = 0; i < 32; i++) {
                    q.add(read, false);
                }
                long before = allocated();
                d.kick(0);
                long used = allocated() - before;
                if (round >= 150) {
                    deviceBytes += used;
                }
                int n = 0;
                while (q.pollUsed() != null) {
                    n++;
                }
                assertThat(n).isEqualTo(32);
            }
            // vireo's own code allocates nothing; the one object per read is the JDK's: every downcall
            // that captures errno (Linker.Option.captureCallState, how vireo-sys reads errno) makes a
            // 40-byte view of the capture segment (SharedUtils.checkCaptureSegment), which C2 does not
            // remove here. One preadv per 4 KiB read, so at most one such view per read. The 8 KiB of
            // slack is for one-off allocations on a loaded machine (a recompilation's deoptimisation
            // allocating boxed state): a per-read allocation of even 8 bytes more would exceed it.
            assertThat(deviceBytes).as("bytes allocated by the block device for 4800 reads").isLessThanOrEqualTo(4800L * 40 + 8192);
        }
    }
}
