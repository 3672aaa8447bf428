package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CConstants;

/**
 * Ring flags and feature bits of {@code linux/virtio_ring.h} and {@code linux/virtio_config.h}
 * (virtio 1.2 §2.1 status, §2.2 features, §2.7-2.8 rings, §6 reserved feature bits), and the
 * device IDs of {@code linux/virtio_ids.h} (§5). Feature constants are bit numbers, not masks.
 */
@CConstants(headers = {"linux/virtio_ring.h", "linux/virtio_config.h", "linux/virtio_ids.h"})
public final class Virtio {

    public static final int VRING_DESC_F_NEXT = 1;
    public static final int VRING_DESC_F_WRITE = 2;
    public static final int VRING_DESC_F_INDIRECT = 4;
    public static final int VRING_PACKED_DESC_F_AVAIL = 7;
    public static final int VRING_PACKED_DESC_F_USED = 15;
    public static final int VRING_USED_F_NO_NOTIFY = 1;
    public static final int VRING_AVAIL_F_NO_INTERRUPT = 1;
    public static final int VRING_PACKED_EVENT_FLAG_ENABLE = 0;
    public static final int VRING_PACKED_EVENT_FLAG_DISABLE = 1;
    public static final int VRING_PACKED_EVENT_FLAG_DESC = 2;
    public static final int VRING_PACKED_EVENT_F_WRAP_CTR = 15;
    public static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    public static final int VIRTIO_RING_F_EVENT_IDX = 29;
    public static final int VIRTIO_CONFIG_S_ACKNOWLEDGE = 1;
    public static final int VIRTIO_CONFIG_S_DRIVER = 2;
    public static final int VIRTIO_CONFIG_S_DRIVER_OK = 4;
    public static final int VIRTIO_CONFIG_S_FEATURES_OK = 8;
    public static final int VIRTIO_CONFIG_S_NEEDS_RESET = 64;
    public static final int VIRTIO_CONFIG_S_FAILED = 128;
    public static final int VIRTIO_TRANSPORT_F_START = 28;
    public static final int VIRTIO_TRANSPORT_F_END = 41;
    public static final int VIRTIO_F_NOTIFY_ON_EMPTY = 24;
    public static final int VIRTIO_F_ANY_LAYOUT = 27;
    public static final int VIRTIO_F_VERSION_1 = 32;
    public static final int VIRTIO_F_ACCESS_PLATFORM = 33;
    public static final int VIRTIO_F_RING_PACKED = 34;
    public static final int VIRTIO_F_IN_ORDER = 35;
    public static final int VIRTIO_F_ORDER_PLATFORM = 36;
    public static final int VIRTIO_F_SR_IOV = 37;
    public static final int VIRTIO_F_RING_RESET = 40;

    public static final int VIRTIO_ID_NET = 1;
    public static final int VIRTIO_ID_BLOCK = 2;
    public static final int VIRTIO_ID_CONSOLE = 3;
    public static final int VIRTIO_ID_RNG = 4;
    public static final int VIRTIO_ID_BALLOON = 5;
    public static final int VIRTIO_ID_IOMEM = 6;
    public static final int VIRTIO_ID_RPMSG = 7;
    public static final int VIRTIO_ID_SCSI = 8;
    public static final int VIRTIO_ID_9P = 9;
    public static final int VIRTIO_ID_MAC80211_WLAN = 10;
    public static final int VIRTIO_ID_RPROC_SERIAL = 11;
    public static final int VIRTIO_ID_CAIF = 12;
    public static final int VIRTIO_ID_MEMORY_BALLOON = 13;
    public static final int VIRTIO_ID_GPU = 16;
    public static final int VIRTIO_ID_CLOCK = 17;
    public static final int VIRTIO_ID_INPUT = 18;
    public static final int VIRTIO_ID_VSOCK = 19;
    public static final int VIRTIO_ID_CRYPTO = 20;
    public static final int VIRTIO_ID_SIGNAL_DIST = 21;
    public static final int VIRTIO_ID_PSTORE = 22;
    public static final int VIRTIO_ID_IOMMU = 23;
    public static final int VIRTIO_ID_MEM = 24;
    public static final int VIRTIO_ID_SOUND = 25;
    public static final int VIRTIO_ID_FS = 26;
    public static final int VIRTIO_ID_PMEM = 27;
    public static final int VIRTIO_ID_RPMB = 28;
    public static final int VIRTIO_ID_MAC80211_HWSIM = 29;
    public static final int VIRTIO_ID_VIDEO_ENCODER = 30;
    public static final int VIRTIO_ID_VIDEO_DECODER = 31;
    public static final int VIRTIO_ID_SCMI = 32;
    public static final int VIRTIO_ID_NITRO_SEC_MOD = 33;
    public static final int VIRTIO_ID_I2C_ADAPTER = 34;
    public static final int VIRTIO_ID_WATCHDOG = 35;
    public static final int VIRTIO_ID_CAN = 36;
    public static final int VIRTIO_ID_DMABUF = 37;
    public static final int VIRTIO_ID_PARAM_SERV = 38;
    public static final int VIRTIO_ID_AUDIO_POLICY = 39;
    public static final int VIRTIO_ID_BT = 40;
    public static final int VIRTIO_ID_GPIO = 41;

    private Virtio() {
    }
}
