package dev.vireo.virtio.devices.rng;

import dev.vireo.mem.SgList;
import dev.vireo.sys.Log;
import dev.vireo.sys.RandomCalls;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Activation;
import dev.vireo.virtio.device.DeviceState;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.device.QueueProcessor;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.virtio.queue.DescriptorChain;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.VirtqueueException;

import java.lang.foreign.MemorySegment;

/**
 * The entropy device (virtio 1.2 §5.4): one request queue whose buffers the device fills with
 * bytes from the host kernel's getrandom(2), written straight into guest memory.
 *
 * <p>At most {@link #MAX_BYTES_PER_REQUEST} bytes are produced per buffer (Firecracker's cap): the
 * spec lets the device use less than the whole buffer (§5.4.6.2), and the cap bounds the work a
 * single guest request can cause. A buffer with a device-readable part, or a writable range
 * outside guest memory, breaks the rules of §5.4.6.1 and has no status field to report it in:
 * the queue stops (DEVICE_NEEDS_RESET).
 */
public final class RngDevice implements VirtioDevice {

    private static final Log LOG = Log.of("virtio");

    /** The most random bytes given for one buffer. */
    public static final int MAX_BYTES_PER_REQUEST = 64 * 1024;

    /** The queue size offered. */
    public static final int QUEUE_SIZE = 256;

    private volatile DeviceState<QueueProcessor> state = new DeviceState.Inactive<>();

    @Override
    public int deviceType() {
        return Virtio.VIRTIO_ID_RNG;
    }

    @Override
    public long offeredFeatures() {
        return Features.RING; // §5.4.3: no device-specific features
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int maxQueueSize(int queue) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return 0; // §5.4.4: no configuration
    }

    @Override
    public void readConfig(long offset, MemorySegment dst) {
        dst.fill((byte) 0);
    }

    @Override
    public void writeConfig(long offset, MemorySegment src) {
    }

    @Override
    public void activate(Activation activation) {
        if (state instanceof DeviceState.Active<QueueProcessor>) {
            throw new IllegalStateException("entropy device already active");
        }
        Virtqueue q = activation.queue(0);
        if (q == null) {
            throw new IllegalArgumentException("entropy device needs its request queue");
        }
        state = new DeviceState.Active<>(activation, new QueueProcessor(q, activation.interrupt(), chain -> fill(q, chain)));
    }

    @Override
    public void queueNotify(int queue) {
        if (state instanceof DeviceState.Active<QueueProcessor>(var activation, var processor) && queue == 0) {
            processor.process();
        } else {
            LOG.debug("entropy: spurious notification for queue %d", queue);
        }
    }

    @Override
    public void reset() {
        state = new DeviceState.Inactive<>();
    }

    /** Fills the writable part of {@code chain} with up to 64 KiB of random bytes; returns the count. */
    static long fill(Virtqueue queue, DescriptorChain chain) {
        if (chain.readableBytes() != 0 || chain.hasFault()) {
            // §5.4.6.1: the driver MUST NOT place device-readable buffers; no field can carry an error.
            queue.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR, chain.hasFault()
                    ? "entropy buffer outside guest memory: " + chain.fault().getMessage()
                    : "entropy request with a device-readable part"));
            return 0;
        }
        SgList out = chain.writable();
        long done = 0;
        for (int i = 0; i < out.count() && done < MAX_BYTES_PER_REQUEST; i++) {
            long len = Math.min(out.length(i), MAX_BYTES_PER_REQUEST - done);
            MemorySegment target = out.base(i).asSlice(out.offset(i), len);
            long got = 0;
            while (got < len) {
                got += RandomCalls.getrandom(target.asSlice(got), 0);
            }
            done += len;
        }
        return done;
    }
}
