package dev.vireo.virtio.transport;

import dev.vireo.mem.GuestMemory;
import dev.vireo.sys.Log;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Activation;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.device.Interrupt;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.VirtqueueException;
import dev.vireo.virtio.queue.Virtqueues;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The transport-independent half of a virtio transport: the device status state machine (virtio
 * 1.2 §2.1), feature negotiation (§2.2), per-queue setup and activation at DRIVER_OK (§3.1.1). PCI
 * and MMIO register maps (the VMM) translate register accesses into calls on this object; the
 * test driver drives it the same way a guest driver would.
 *
 * <ul>
 *   <li>Status bits are only ever added; writing 0 resets the device (§2.1.1, §2.1.2).</li>
 *   <li>FEATURES_OK is refused (the bit stays clear, so the driver sees the failure when it reads
 *       the status back, §3.1.1 step 6) when the driver accepted a bit that was not offered
 *       (§2.2.1) or did not accept VIRTIO_F_VERSION_1 (vireo has no legacy interface).</li>
 *   <li>At DRIVER_OK the enabled queues are built and checked; an invalid queue (for example a
 *       split queue whose size is not a power of two) or a queue that breaks later sets
 *       DEVICE_NEEDS_RESET and sends a configuration change notification (§2.1.2).</li>
 * </ul>
 * Status and setup changes are synchronised; {@link #queueNotify} is lock-free.
 */
public final class DeviceControl {

    private static final Log LOG = Log.of("virtio");

    /** Device status bits (§2.1). */
    public static final int ACKNOWLEDGE = Virtio.VIRTIO_CONFIG_S_ACKNOWLEDGE;
    public static final int DRIVER = Virtio.VIRTIO_CONFIG_S_DRIVER;
    public static final int DRIVER_OK = Virtio.VIRTIO_CONFIG_S_DRIVER_OK;
    public static final int FEATURES_OK = Virtio.VIRTIO_CONFIG_S_FEATURES_OK;
    public static final int NEEDS_RESET = Virtio.VIRTIO_CONFIG_S_NEEDS_RESET;
    public static final int FAILED = Virtio.VIRTIO_CONFIG_S_FAILED;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final Interrupt interrupt;
    private final QueueSetup[] setups;
    private final Interrupt deviceInterrupt;
    private volatile int status;
    private long driverFeatures;
    private volatile int configGeneration;
    private volatile String problem;
    private List<Virtqueue> queues = List.of();

    /** Controls {@code device}, whose queues live in {@code memory}; notifications go to {@code interrupt}. */
    public DeviceControl(VirtioDevice device, GuestMemory memory, Interrupt interrupt) {
        this.device = device;
        this.memory = memory;
        this.interrupt = interrupt;
        this.setups = new QueueSetup[device.queueCount()];
        for (int i = 0; i < setups.length; i++) {
            setups[i] = new QueueSetup(device.maxQueueSize(i));
        }
        // A configuration change bumps config_generation before the driver hears of it (§2.5.1, §4.1.4.3).
        this.deviceInterrupt = new Interrupt() {
            @Override
            public void signalUsed(int queue) {
                interrupt.signalUsed(queue);
            }

            @Override
            public void signalConfig() {
                configGeneration++;
                interrupt.signalConfig();
            }
        };
    }

    public VirtioDevice device() {
        return device;
    }

    /** The device status byte. */
    public int status() {
        return status;
    }

    /** Why the last FEATURES_OK was refused or why the device needs a reset, or null. */
    public String problem() {
        return problem;
    }

    /** Incremented on every configuration change the device announces. */
    public int configGeneration() {
        return configGeneration;
    }

    /** All offered features (64 bits). */
    public long offeredFeatures() {
        return device.offeredFeatures();
    }

    /** Offered features, 32 bits at a time ({@code select} 0 = bits 0-31, 1 = bits 32-63; others read 0). */
    public int offeredFeatures(int select) {
        return window(device.offeredFeatures(), select);
    }

    /** What the driver has accepted so far (the negotiated set once FEATURES_OK is set). */
    public synchronized long driverFeatures() {
        return driverFeatures;
    }

    /**
     * The driver writes its accepted features, 32 bits at a time. Ignored unless DRIVER is set and
     * FEATURES_OK is not (§3.1.1 steps 4-5: features are frozen by FEATURES_OK).
     */
    public synchronized void writeDriverFeatures(int select, int value) {
        if (select < 0 || select > 1) {
            return;
        }
        long v = Integer.toUnsignedLong(value) << (32 * select);
        long mask = 0xffff_ffffL << (32 * select);
        writeDriverFeatures((driverFeatures & ~mask) | v);
    }

    /** The driver writes all 64 accepted feature bits at once (vhost-user style). */
    public synchronized void writeDriverFeatures(long features) {
        if ((status & DRIVER) == 0 || (status & FEATURES_OK) != 0) {
            LOG.warn("driver features written in status 0x%x: ignored", status);
            return;
        }
        driverFeatures = features;
    }

    /** The setup of queue {@code i} for the transport's queue registers. */
    public QueueSetup queue(int i) {
        return setups[i];
    }

    public int queueCount() {
        return setups.length;
    }

    /** The driver writes the status byte. */
    public synchronized void writeStatus(int value) {
        int v = value & 0xff;
        if (v == 0) {
            reset();
            return;
        }
        int old = status;
        if (((old & ~NEEDS_RESET) & ~v) != 0) {
            // §2.1.1: the driver MUST NOT clear a status bit; only writing 0 (reset) does.
            LOG.warn("driver tried to clear status bits (0x%x -> 0x%x): ignored", old, v);
            return;
        }
        int added = v & ~old & ~NEEDS_RESET; // NEEDS_RESET is the device's bit
        int next = old;
        if ((added & (ACKNOWLEDGE | DRIVER | FAILED)) != 0) {
            next |= added & (ACKNOWLEDGE | DRIVER | FAILED);
        }
        if ((added & FEATURES_OK) != 0) {
            String refusal = checkFeatures(next);
            if (refusal == null) {
                next |= FEATURES_OK;
                LOG.debug("features negotiated: %s", Features.describe(driverFeatures, device.featureNames()));
            } else {
                problem = refusal;
                LOG.warn("FEATURES_OK refused: %s", refusal);
            }
        }
        status = next;
        if ((added & DRIVER_OK) != 0) {
            if ((next & FEATURES_OK) == 0) {
                LOG.warn("DRIVER_OK without FEATURES_OK: ignored");
                return;
            }
            status = next | DRIVER_OK;
            activate();
        }
    }

    private String checkFeatures(int currentStatus) {
        if ((currentStatus & (ACKNOWLEDGE | DRIVER)) != (ACKNOWLEDGE | DRIVER)) {
            return "FEATURES_OK before ACKNOWLEDGE and DRIVER (§3.1.1)";
        }
        long offered = device.offeredFeatures();
        long extra = driverFeatures & ~offered;
        if (extra != 0) {
            // §2.2.1: the driver MUST NOT accept a feature the device did not offer.
            return "driver accepted features that were not offered: " + Features.describe(extra, device.featureNames());
        }
        if (!Features.has(driverFeatures, Virtio.VIRTIO_F_VERSION_1)) {
            return "driver did not accept VIRTIO_F_VERSION_1 (legacy drivers are not supported)";
        }
        return null;
    }

    private void activate() {
        List<Virtqueue> built = new ArrayList<>();
        try {
            for (int i = 0; i < setups.length; i++) {
                QueueSetup s = setups[i];
                if (!s.ready()) {
                    built.add(null);
                    continue;
                }
                if (s.size() > s.maxSize()) {
                    throw new VirtqueueException(VirtqueueException.Kind.INVALID_SIZE,
                            "queue " + i + " size " + s.size() + " above the device's maximum " + s.maxSize());
                }
                built.add(Virtqueues.create(i, s.config(), memory, driverFeatures, this::queueFailed));
            }
            queues = built;
            device.activate(new Activation(memory, driverFeatures, built, deviceInterrupt));
        } catch (VirtqueueException | IllegalArgumentException e) {
            needsReset("activation failed: " + e.getMessage());
        }
    }

    private void queueFailed(Virtqueue queue, VirtqueueException cause) {
        needsReset("queue " + queue.index() + ": " + cause.getMessage());
    }

    /** The device entered an error state a reset must clear (§2.1.2): sets DEVICE_NEEDS_RESET and tells the driver. */
    public void needsReset(String reason) {
        boolean notify;
        synchronized (this) {
            if ((status & NEEDS_RESET) != 0) {
                return;
            }
            problem = reason;
            status |= NEEDS_RESET;
            notify = (status & DRIVER_OK) != 0;
        }
        LOG.warn("device type %d needs reset: %s", device.deviceType(), reason);
        if (notify) {
            // §2.1.2: after setting DEVICE_NEEDS_RESET with DRIVER_OK set, a configuration change notification.
            deviceInterrupt.signalConfig();
        }
    }

    /** Resets the device and this state (§2.1: status 0, features and queue setup cleared). */
    public synchronized void reset() {
        device.reset();
        status = 0;
        driverFeatures = 0;
        problem = null;
        queues = List.of();
        for (QueueSetup s : setups) {
            s.reset();
        }
    }

    /**
     * Queue {@code q} was kicked. Before DRIVER_OK, after a reset request or once the device needs
     * a reset, kicks are ignored (§2.1.2: no buffers are consumed before DRIVER_OK).
     */
    public void queueNotify(int q) {
        int s = status;
        if ((s & DRIVER_OK) == 0 || (s & NEEDS_RESET) != 0 || q < 0 || q >= setups.length) {
            return;
        }
        device.queueNotify(q);
    }

    /** The queues built at DRIVER_OK (null entries for disabled ones). */
    public synchronized List<Virtqueue> queues() {
        return queues;
    }

    /** A configuration space read (§2.5). */
    public void readConfig(long offset, MemorySegment dst) {
        device.readConfig(offset, dst);
    }

    /** A configuration space write (§2.5). */
    public void writeConfig(long offset, MemorySegment src) {
        device.writeConfig(offset, src);
    }

    /** A one-line summary for diagnostics: status bits and negotiated features by name. */
    public synchronized String describe() {
        return "device type " + device.deviceType() + ", status 0x" + Integer.toHexString(status) + " " + statusNames(status)
                + ", features " + Features.describe(driverFeatures, device.featureNames())
                + (problem != null ? ", problem: " + problem : "");
    }

    /** The names of the set status bits. */
    public static String statusNames(int status) {
        StringBuilder b = new StringBuilder("[");
        String[] names = {"ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK", "SUSPEND", "bit5", "DEVICE_NEEDS_RESET", "FAILED"};
        for (int i = 0; i < 8; i++) {
            if ((status & (1 << i)) != 0) {
                if (b.length() > 1) {
                    b.append(' ');
                }
                b.append(names[i]);
            }
        }
        return b.append(']').toString();
    }

    private static int window(long features, int select) {
        return switch (select) {
            case 0 -> (int) features;
            case 1 -> (int) (features >>> 32);
            default -> 0;
        };
    }
}
