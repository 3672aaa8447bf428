package dev.vireo.virtio.devices.block;

import dev.vireo.sys.Log;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.sys.abi.virtio.VirtioBlkConfig;
import dev.vireo.virtio.device.Activation;
import dev.vireo.virtio.device.ConfigSpace;
import dev.vireo.virtio.device.DeviceState;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.virtio.queue.Virtqueue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;

import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_F_BLK_SIZE;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_F_DISCARD;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_F_FLUSH;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_F_MQ;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_F_RO;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_F_SEG_MAX;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_F_SIZE_MAX;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_F_WRITE_ZEROES;

/**
 * The block device (virtio 1.2 §5.2) over a raw image file: IN, OUT, FLUSH, GET_ID, DISCARD and
 * WRITE_ZEROES; optionally read-only (VIRTIO_BLK_F_RO) and multi-queue (VIRTIO_BLK_F_MQ). Data
 * moves with preadv/pwritev between the file and guest memory, never through the Java heap.
 *
 * <p>Each request queue is processed synchronously by the thread that delivers its kicks;
 * different queues may run on different threads (the file is shared through positional calls
 * only). FLUSH is offered, so completed writes are volatile until a FLUSH (§5.2.6.2 case 3), which
 * is an fdatasync of the image.
 *
 * <p>Refusals: a request without a status byte in guest memory stops its queue (DEVICE_NEEDS_RESET);
 * every other bad request (short header, buffer outside guest memory, sector range outside the
 * device, length not a multiple of 512, writes to a read-only device) gets VIRTIO_BLK_S_IOERR, and
 * unknown types or flags get VIRTIO_BLK_S_UNSUPP.
 */
public final class BlockDevice implements VirtioDevice, AutoCloseable {

    private static final Log LOG = Log.of("virtio");

    /** Segments accepted in one DISCARD or WRITE_ZEROES request (max_discard_seg, max_write_zeroes_seg). */
    static final int MAX_SEGMENTS = 64;
    /** Sectors per discard segment (max_discard_sectors): 4 GiB - 512. */
    static final long MAX_DISCARD_SECTORS = 0x7f_ffff;
    /** Sectors per write-zeroes segment (max_write_zeroes_sectors). */
    static final long MAX_WRITE_ZEROES_SECTORS = 0x7f_ffff;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(VIRTIO_BLK_F_SIZE_MAX, "BLK_F_SIZE_MAX"), Map.entry(VIRTIO_BLK_F_SEG_MAX, "BLK_F_SEG_MAX"),
            Map.entry(VIRTIO_BLK_F_RO, "BLK_F_RO"), Map.entry(VIRTIO_BLK_F_BLK_SIZE, "BLK_F_BLK_SIZE"),
            Map.entry(VIRTIO_BLK_F_FLUSH, "BLK_F_FLUSH"), Map.entry(VIRTIO_BLK_F_MQ, "BLK_F_MQ"),
            Map.entry(VIRTIO_BLK_F_DISCARD, "BLK_F_DISCARD"), Map.entry(VIRTIO_BLK_F_WRITE_ZEROES, "BLK_F_WRITE_ZEROES"));

    private final BlockOptions options;
    private final BlockFile file;
    private final long capacity;
    private final long offered;
    private final ConfigSpace config = new ConfigSpace(VirtioBlkConfig.LAYOUT);
    private volatile DeviceState<BlockQueueHandler[]> state = new DeviceState.Inactive<>();
    private volatile long negotiated;

    /** Opens the image; close the device to close it. */
    public BlockDevice(BlockOptions options) {
        this.options = options;
        this.file = BlockFile.open(options.image(), options.readOnly());
        this.capacity = file.size() / BlockRequest.SECTOR;
        long f = Features.RING | Features.bit(VIRTIO_BLK_F_SEG_MAX) | Features.bit(VIRTIO_BLK_F_SIZE_MAX)
                | Features.bit(VIRTIO_BLK_F_BLK_SIZE) | Features.bit(VIRTIO_BLK_F_FLUSH); // §5.2.5.2: SHOULD offer FLUSH
        if (options.queues() > 1) {
            f |= Features.bit(VIRTIO_BLK_F_MQ);
        }
        f |= options.readOnly() ? Features.bit(VIRTIO_BLK_F_RO)
                : Features.bit(VIRTIO_BLK_F_DISCARD) | Features.bit(VIRTIO_BLK_F_WRITE_ZEROES);
        this.offered = f;
        config.update(c -> {
            VirtioBlkConfig.capacity(c, capacity);
            VirtioBlkConfig.sizeMax(c, options.sizeMax());
            VirtioBlkConfig.segMax(c, options.queueSize() - 2); // header and status take two descriptors
            VirtioBlkConfig.blkSize(c, options.blockSize());
            VirtioBlkConfig.numQueues(c, options.queues());
            if (!options.readOnly()) {
                VirtioBlkConfig.maxDiscardSectors(c, (int) MAX_DISCARD_SECTORS);
                VirtioBlkConfig.maxDiscardSeg(c, MAX_SEGMENTS);
                VirtioBlkConfig.discardSectorAlignment(c, options.blockSize() / BlockRequest.SECTOR);
                VirtioBlkConfig.maxWriteZeroesSectors(c, (int) MAX_WRITE_ZEROES_SECTORS);
                VirtioBlkConfig.maxWriteZeroesSeg(c, MAX_SEGMENTS);
                VirtioBlkConfig.writeZeroesMayUnmap(c, 1);
            }
        });
    }

    BlockOptions options() {
        return options;
    }

    BlockFile file() {
        return file;
    }

    Path image() {
        return options.image();
    }

    boolean readOnly() {
        return options.readOnly();
    }

    boolean discardEnabled() {
        return !options.readOnly() && Features.has(negotiated, VIRTIO_BLK_F_DISCARD);
    }

    boolean writeZeroesEnabled() {
        return !options.readOnly() && Features.has(negotiated, VIRTIO_BLK_F_WRITE_ZEROES);
    }

    /** Capacity in 512-byte sectors. */
    public long capacitySectors() {
        return capacity;
    }

    @Override
    public int deviceType() {
        return Virtio.VIRTIO_ID_BLOCK;
    }

    @Override
    public long offeredFeatures() {
        return offered;
    }

    @Override
    public Map<Integer, String> featureNames() {
        return NAMES;
    }

    @Override
    public int queueCount() {
        return options.queues();
    }

    @Override
    public int maxQueueSize(int queue) {
        return options.queueSize();
    }

    @Override
    public int configSize() {
        return config.size();
    }

    @Override
    public void readConfig(long offset, MemorySegment dst) {
        config.read(offset, dst);
    }

    @Override
    public void writeConfig(long offset, MemorySegment src) {
        // CONFIG_WCE is not offered: every field is read-only.
    }

    @Override
    public void activate(Activation activation) {
        if (state instanceof DeviceState.Active<BlockQueueHandler[]>) {
            throw new IllegalStateException("block device already active");
        }
        // §5.2.2: one queue without MQ, num_queues with it; the driver may use fewer.
        int n = activation.has(VIRTIO_BLK_F_MQ) ? options.queues() : 1;
        BlockQueueHandler[] handlers = new BlockQueueHandler[n];
        for (int i = 0; i < n; i++) {
            Virtqueue q = activation.queue(i);
            if (q != null) {
                handlers[i] = new BlockQueueHandler(this, q, activation.interrupt());
            }
        }
        if (handlers[0] == null) {
            throw new IllegalArgumentException("block device needs request queue 0");
        }
        negotiated = activation.features();
        state = new DeviceState.Active<>(activation, handlers);
    }

    @Override
    public void queueNotify(int queue) {
        if (state instanceof DeviceState.Active<BlockQueueHandler[]>(var activation, var handlers)
                && queue >= 0 && queue < handlers.length && handlers[queue] != null) {
            handlers[queue].process();
        } else {
            LOG.debug("block: spurious notification for queue %d", queue);
        }
    }

    @Override
    public void reset() {
        state = new DeviceState.Inactive<>();
        negotiated = 0;
    }

    @Override
    public void close() {
        reset();
        file.close();
    }
}
