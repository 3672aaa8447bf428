package dev.vireo.virtio.device;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * A virtio device as a transport sees it (virtio 1.2 §2, §3): identity, offered features,
 * configuration space, queues, activation and reset. It knows nothing of PCI, MMIO, vhost-user or
 * KVM: a transport ({@link dev.vireo.virtio.transport.DeviceControl}, the vhost-user backend, the
 * VMM) negotiates features and builds the queues, then calls {@link #activate}; kicks reach
 * {@link #queueNotify} from a {@link QueueNotifier}.
 *
 * <h2>Threads</h2>
 * {@link #activate} and {@link #reset} are never called concurrently with each other or with
 * {@link #queueNotify}. {@link #queueNotify} may be called for different queues from different
 * threads, but for one queue from one thread at a time. Config accesses may come at any time.
 */
public interface VirtioDevice {

    /** The device type (virtio 1.2 §5, {@code VIRTIO_ID_*}). */
    int deviceType();

    /** Every feature the device offers (§2.2), including {@link Features#RING}. */
    long offeredFeatures();

    /** Names of the device-specific feature bits (bit number to name), for diagnostics. */
    default Map<Integer, String> featureNames() {
        return Map.of();
    }

    /** How many queues the device has (the driver may enable fewer). */
    int queueCount();

    /** The largest size the driver may give queue {@code queue}. */
    int maxQueueSize(int queue);

    /** Bytes of configuration space. */
    int configSize();

    /**
     * Copies configuration space from {@code offset} into {@code dst}; bytes outside the space read
     * as zero. Little-endian fields (§2.5).
     */
    void readConfig(long offset, MemorySegment dst);

    /** A driver write to configuration space; writes to read-only fields are ignored. */
    void writeConfig(long offset, MemorySegment src);

    /**
     * Starts the device with the negotiated features and the enabled queues (§3.1.1 step 8: after
     * DRIVER_OK). Throws {@link IllegalStateException} when already active, {@link
     * IllegalArgumentException} when a queue it needs is missing.
     */
    void activate(Activation activation);

    /** Queue {@code queue} was kicked: process what the driver made available. Never throws. */
    void queueNotify(int queue);

    /**
     * Returns the device to its initial state (§2.1: status written 0, or a transport reset): stops
     * all work, forgets the queues; the device may be activated again.
     */
    void reset();
}
