package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CConstants;

/**
 * Block device constants of {@code linux/virtio_blk.h} (virtio 1.2 §5.2): feature bit numbers,
 * request types, status values. Feature constants are bit numbers, not masks.
 */
@CConstants(headers = "linux/virtio_blk.h")
public final class VirtioBlk {

    public static final int VIRTIO_BLK_F_SIZE_MAX = 1;
    public static final int VIRTIO_BLK_F_SEG_MAX = 2;
    public static final int VIRTIO_BLK_F_GEOMETRY = 4;
    public static final int VIRTIO_BLK_F_RO = 5;
    public static final int VIRTIO_BLK_F_BLK_SIZE = 6;
    public static final int VIRTIO_BLK_F_FLUSH = 9;
    public static final int VIRTIO_BLK_F_TOPOLOGY = 10;
    public static final int VIRTIO_BLK_F_CONFIG_WCE = 11;
    public static final int VIRTIO_BLK_F_MQ = 12;
    public static final int VIRTIO_BLK_F_DISCARD = 13;
    public static final int VIRTIO_BLK_F_WRITE_ZEROES = 14;
    public static final int VIRTIO_BLK_F_SECURE_ERASE = 16;

    public static final int VIRTIO_BLK_T_IN = 0;
    public static final int VIRTIO_BLK_T_OUT = 1;
    public static final int VIRTIO_BLK_T_FLUSH = 4;
    public static final int VIRTIO_BLK_T_GET_ID = 8;
    public static final int VIRTIO_BLK_T_DISCARD = 11;
    public static final int VIRTIO_BLK_T_WRITE_ZEROES = 13;
    public static final int VIRTIO_BLK_T_SECURE_ERASE = 14;

    public static final int VIRTIO_BLK_S_OK = 0;
    public static final int VIRTIO_BLK_S_IOERR = 1;
    public static final int VIRTIO_BLK_S_UNSUPP = 2;

    /** Length of the device ID string returned by VIRTIO_BLK_T_GET_ID. */
    public static final int VIRTIO_BLK_ID_BYTES = 20;
    /** The unmap flag of a write-zeroes segment. */
    public static final int VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP = 1;

    private VirtioBlk() {
    }
}
