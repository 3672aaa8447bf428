package dev.vireo.virtio.testing;

import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.virtio.driver.PackedDriverQueue;
import dev.vireo.virtio.driver.SplitDriverQueue;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.mem.GuestRam;
import dev.vireo.mem.TestMemory;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.virtio.transport.DeviceControl;
import dev.vireo.virtio.transport.QueueSetup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A guest driver in test code: brings a device up through {@link DeviceControl} exactly as the
 * spec's initialisation sequence says (virtio 1.2 §3.1.1: ACKNOWLEDGE, DRIVER, read features,
 * accept a subset, FEATURES_OK and read it back, set up queues, DRIVER_OK), over test guest memory
 * with two regions and a hole ({@link TestMemory}), then posts buffers, kicks and collects used
 * buffers through {@link DriverQueue}s.
 *
 * <p>Queue rings are allocated in the low region; buffers come from {@link #buffers()}, which spans
 * the high region.
 */
public final class MockDriver implements AutoCloseable {

    /** How the driver negotiates. */
    public record Options(boolean packed, boolean eventIdx, boolean indirect, int queueSize, long deviceFeatures,
                          int queuesToEnable) {

        /** Split ring, no EVENT_IDX, no indirect, queues of 16, no device features, every queue enabled. */
        public static Options defaults() {
            return new Options(false, false, false, 16, 0, -1);
        }

        public Options packed(boolean v) {
            return new Options(v, eventIdx, indirect, queueSize, deviceFeatures, queuesToEnable);
        }

        public Options eventIdx(boolean v) {
            return new Options(packed, v, indirect, queueSize, deviceFeatures, queuesToEnable);
        }

        public Options indirect(boolean v) {
            return new Options(packed, eventIdx, v, queueSize, deviceFeatures, queuesToEnable);
        }

        public Options queueSize(int v) {
            return new Options(packed, eventIdx, indirect, v, deviceFeatures, queuesToEnable);
        }

        /** Device-specific feature bits (a mask) to accept when offered. */
        public Options deviceFeatures(long mask) {
            return new Options(packed, eventIdx, indirect, queueSize, mask, queuesToEnable);
        }

        /** Enables only the first {@code n} queues (-1: all). */
        public Options queues(int n) {
            return new Options(packed, eventIdx, indirect, queueSize, deviceFeatures, n);
        }

        /** The ring features this option set accepts. */
        public long ringFeatures() {
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
            return f;
        }

        @Override
        public String toString() {
            return (packed ? "packed" : "split") + (eventIdx ? "+event_idx" : "") + (indirect ? "+indirect" : "");
        }
    }

    private final GuestRam ram;
    private final boolean ownsRam;
    private final RecordingInterrupt interrupt = new RecordingInterrupt();
    private final DeviceControl control;
    private final GuestAllocator rings;
    private final GuestAllocator buffers;
    private final Options options;
    private final List<DriverQueue> queues = new ArrayList<>();

    private MockDriver(VirtioDevice device, GuestRam ram, boolean ownsRam, Options options) {
        this.ram = ram;
        this.ownsRam = ownsRam;
        this.options = options;
        this.control = new DeviceControl(device, ram.memory(), interrupt);
        this.rings = new GuestAllocator(ram.memory(), TestMemory.LOW + 0x1000, TestMemory.HOLE);
        this.buffers = new GuestAllocator(ram.memory(), TestMemory.HIGH, TestMemory.HIGH + TestMemory.HIGH_SIZE);
    }

    /** A driver for {@code device} on fresh test memory; not yet initialised. */
    public static MockDriver create(VirtioDevice device, Options options) {
        return new MockDriver(device, TestMemory.create(), true, options);
    }

    /** A driver for {@code device}, initialised up to DRIVER_OK with every queue ready. */
    public static MockDriver start(VirtioDevice device, Options options) {
        return started(create(device, options));
    }

    /**
     * As {@link #start(VirtioDevice, Options)}, on guest memory the caller owns and reuses (fuzz
     * tests: mapping fresh memory per input would dominate the run). The memory must have the
     * {@link TestMemory} layout; the driver's allocations are zeroed as they are made.
     */
    public static MockDriver start(VirtioDevice device, Options options, GuestRam ram) {
        return started(new MockDriver(device, ram, false, options));
    }

    private static MockDriver started(MockDriver d) {
        try {
            d.negotiate();
            d.setUpQueues();
            d.driverOk();
            return d;
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
    }

    /**
     * §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, read the offered features, accept the subset
     * the options ask for, FEATURES_OK, and check that the device kept it. Returns whether it did.
     */
    public boolean negotiate() {
        control.writeStatus(0);
        control.writeStatus(DeviceControl.ACKNOWLEDGE);
        control.writeStatus(DeviceControl.ACKNOWLEDGE | DeviceControl.DRIVER);
        long offered = Integer.toUnsignedLong(control.offeredFeatures(0))
                | Integer.toUnsignedLong(control.offeredFeatures(1)) << 32;
        long accept = offered & (options.ringFeatures() | options.deviceFeatures());
        control.writeDriverFeatures(0, (int) accept);
        control.writeDriverFeatures(1, (int) (accept >>> 32));
        control.writeStatus(control.status() | DeviceControl.FEATURES_OK);
        return (control.status() & DeviceControl.FEATURES_OK) != 0;
    }

    /** §3.1.1 step 7: lays out each queue the options enable and marks it ready. */
    public void setUpQueues() {
        int n = options.queuesToEnable() < 0 ? control.queueCount() : options.queuesToEnable();
        for (int i = 0; i < control.queueCount(); i++) {
            QueueSetup s = control.queue(i);
            int size = Math.min(options.queueSize(), s.maxSize());
            DriverQueue q = options.packed()
                    ? new PackedDriverQueue(rings, size, options.eventIdx())
                    : new SplitDriverQueue(rings, size, options.eventIdx());
            queues.add(q);
            if (i < n) {
                s.size(size);
                s.descriptorArea(q.config().descriptorArea());
                s.driverArea(q.config().driverArea());
                s.deviceArea(q.config().deviceArea());
                s.ready(true);
            }
        }
    }

    /** §3.1.1 step 8. */
    public void driverOk() {
        control.writeStatus(control.status() | DeviceControl.DRIVER_OK);
    }

    public DeviceControl control() {
        return control;
    }

    public RecordingInterrupt interrupt() {
        return interrupt;
    }

    public Options options() {
        return options;
    }

    public GuestRam ram() {
        return ram;
    }

    /** Allocates data buffers (high region). */
    public GuestAllocator buffers() {
        return buffers;
    }

    /** Allocates ring memory and indirect tables (low regions). */
    public GuestAllocator rings() {
        return rings;
    }

    public DriverQueue queue(int i) {
        return queues.get(i);
    }

    public SplitDriverQueue split(int i) {
        return (SplitDriverQueue) queues.get(i);
    }

    public PackedDriverQueue packed(int i) {
        return (PackedDriverQueue) queues.get(i);
    }

    /** Notifies queue {@code i} (unconditionally, as a driver may, §2.7.10.2: spurious kicks are allowed). */
    public void kick(int i) {
        control.queueNotify(i);
    }

    /** Notifies queue {@code i} only if the device asked for it; returns whether it did. */
    public boolean kickIfNeeded(int i) {
        if (queues.get(i).kickNeeded()) {
            control.queueNotify(i);
            return true;
        }
        return false;
    }

    /** Waits for the next used buffer of queue {@code i} (for devices that complete on other threads). */
    public DriverQueue.Used awaitUsed(int i, Duration timeout) {
        DriverQueue q = queues.get(i);
        DriverQueue.Used[] got = new DriverQueue.Used[1];
        interrupt.await(() -> (got[0] = q.pollUsed()) != null, timeout);
        return got[0];
    }

    /** The device status byte. */
    public int status() {
        return control.status();
    }

    /** Whether the device has set DEVICE_NEEDS_RESET. */
    public boolean needsReset() {
        return (control.status() & DeviceControl.NEEDS_RESET) != 0;
    }

    /** Reads the whole configuration space. */
    public MemorySegment config() {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(1, control.device().configSize()));
        control.readConfig(0, s);
        return s;
    }

    @Override
    public void close() {
        try {
            control.reset();
        } finally {
            if (ownsRam) {
                ram.close();
            }
        }
    }
}
