package dev.vireo.virtio.devices.block;

import java.nio.file.Path;

/**
 * How a block device is set up.
 *
 * @param image     the raw image file (its size, rounded down to 512 bytes, is the capacity)
 * @param readOnly  open the image read-only and offer VIRTIO_BLK_F_RO (writes, discards fail)
 * @param queues    request queues (more than one offers VIRTIO_BLK_F_MQ, §5.2.3)
 * @param queueSize the largest queue size offered; seg_max is this minus 2 (header and status)
 * @param serial    the device ID string for VIRTIO_BLK_T_GET_ID (at most 20 bytes of ASCII)
 * @param blockSize the logical block size advertised in blk_size (a power of two, at least 512)
 * @param sizeMax   the largest single segment advertised in size_max (bytes)
 */
public record BlockOptions(Path image, boolean readOnly, int queues, int queueSize, String serial, int blockSize, int sizeMax) {

    public BlockOptions {
        if (queues < 1 || queues > 0xffff) {
            throw new IllegalArgumentException("block queues must be in [1, 65535]: " + queues);
        }
        if (queueSize < 4 || queueSize > 32768 || Integer.bitCount(queueSize) != 1) {
            throw new IllegalArgumentException("block queue size must be a power of two in [4, 32768]: " + queueSize);
        }
        if (blockSize < 512 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two of at least 512: " + blockSize);
        }
        if (serial.length() > 20 || !serial.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("block serial must be at most 20 printable ASCII characters: " + serial);
        }
        if (sizeMax < 4096) {
            throw new IllegalArgumentException("size_max must be at least 4096: " + sizeMax);
        }
    }

    /** A writable, single-queue device of 256-entry queues for {@code image}. */
    public static BlockOptions of(Path image) {
        return new BlockOptions(image, false, 1, 256, "vireo", 512, 1 << 20);
    }

    public BlockOptions readOnly(boolean v) {
        return new BlockOptions(image, v, queues, queueSize, serial, blockSize, sizeMax);
    }

    public BlockOptions queues(int n) {
        return new BlockOptions(image, readOnly, n, queueSize, serial, blockSize, sizeMax);
    }

    public BlockOptions queueSize(int n) {
        return new BlockOptions(image, readOnly, queues, n, serial, blockSize, sizeMax);
    }

    public BlockOptions serial(String s) {
        return new BlockOptions(image, readOnly, queues, queueSize, s, blockSize, sizeMax);
    }

    public BlockOptions blockSize(int n) {
        return new BlockOptions(image, readOnly, queues, queueSize, serial, n, sizeMax);
    }
}
