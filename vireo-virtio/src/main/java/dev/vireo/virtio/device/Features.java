package dev.vireo.virtio.device;

import dev.vireo.sys.abi.virtio.Virtio;

import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Feature bits (virtio 1.2 §2.2): 64-bit masks built from the bit numbers in {@link Virtio} and
 * the device constants, and their names for diagnostics.
 */
public final class Features {

    /** The ring and transport features every vireo device offers: VERSION_1, INDIRECT_DESC, EVENT_IDX, RING_PACKED. */
    public static final long RING = bit(Virtio.VIRTIO_F_VERSION_1) | bit(Virtio.VIRTIO_RING_F_INDIRECT_DESC)
            | bit(Virtio.VIRTIO_RING_F_EVENT_IDX) | bit(Virtio.VIRTIO_F_RING_PACKED);

    private static final Map<Integer, String> COMMON = Map.of(
            Virtio.VIRTIO_F_NOTIFY_ON_EMPTY, "NOTIFY_ON_EMPTY",
            Virtio.VIRTIO_F_ANY_LAYOUT, "ANY_LAYOUT",
            Virtio.VIRTIO_RING_F_INDIRECT_DESC, "RING_INDIRECT_DESC",
            Virtio.VIRTIO_RING_F_EVENT_IDX, "RING_EVENT_IDX",
            Virtio.VIRTIO_F_VERSION_1, "VERSION_1",
            Virtio.VIRTIO_F_ACCESS_PLATFORM, "ACCESS_PLATFORM",
            Virtio.VIRTIO_F_RING_PACKED, "RING_PACKED",
            Virtio.VIRTIO_F_IN_ORDER, "IN_ORDER",
            Virtio.VIRTIO_F_ORDER_PLATFORM, "ORDER_PLATFORM",
            Virtio.VIRTIO_F_RING_RESET, "RING_RESET");

    private Features() {
    }

    /** The mask of feature bit {@code n}. */
    public static long bit(int n) {
        if (n < 0 || n > 63) {
            throw new IllegalArgumentException("feature bit " + n + " outside [0, 63]");
        }
        return 1L << n;
    }

    /** Whether {@code features} has bit {@code n}. */
    public static boolean has(long features, int n) {
        return (features & bit(n)) != 0;
    }

    /**
     * Names of the bits set in {@code features}: the common ones, then the device's from {@code
     * deviceNames} (bit number to name), then any unknown bit as "bit N". For logs and
     * {@code vireo sys-info}-style summaries.
     */
    public static String describe(long features, Map<Integer, String> deviceNames) {
        StringJoiner out = new StringJoiner(" ");
        Map<Integer, String> names = new TreeMap<>(deviceNames);
        names.putAll(COMMON);
        for (int n = 0; n < 64; n++) {
            if ((features & (1L << n)) != 0) {
                out.add(names.getOrDefault(n, "bit " + n));
            }
        }
        return out.length() == 0 ? "(none)" : out.toString();
    }
}
