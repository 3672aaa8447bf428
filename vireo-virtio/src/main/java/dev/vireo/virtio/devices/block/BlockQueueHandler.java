package dev.vireo.virtio.devices.block;

import dev.vireo.mem.SgReader;
import dev.vireo.mem.SgWriter;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.virtio.device.Interrupt;
import dev.vireo.virtio.device.QueueProcessor;
import dev.vireo.virtio.queue.DescriptorChain;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.VirtqueueException;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_ID_BYTES;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_S_IOERR;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_S_OK;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_S_UNSUPP;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_T_DISCARD;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_T_FLUSH;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_T_GET_ID;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_T_IN;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_T_OUT;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_T_WRITE_ZEROES;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;

/**
 * Executes the requests of one block queue synchronously on the thread that delivers its kicks:
 * decode ({@link BlockRequest}), check the sector range, move data with preadv/pwritev straight
 * between the image and guest memory, write the status byte. All buffers are preallocated per
 * queue: steady state allocates nothing.
 */
final class BlockQueueHandler {

    private static final Log LOG = Log.of("virtio");

    private final BlockDevice device;
    private final Virtqueue queue;
    private final QueueProcessor processor;
    private final BlockRequest request = new BlockRequest();
    private final SgWriter idWriter = new SgWriter();
    private final MemorySegment iov = BlockFile.iovecArray();
    private final long[] segOffset = new long[BlockDevice.MAX_SEGMENTS];
    private final long[] segLength = new long[BlockDevice.MAX_SEGMENTS];
    private final boolean[] segUnmap = new boolean[BlockDevice.MAX_SEGMENTS];

    BlockQueueHandler(BlockDevice device, Virtqueue queue, Interrupt interrupt) {
        this.device = device;
        this.queue = queue;
        this.processor = new QueueProcessor(queue, interrupt, this::handle);
    }

    void process() {
        processor.process();
    }

    /** Handles one chain; returns the used length. */
    long handle(DescriptorChain chain) {
        int parsed = request.parse(chain);
        if (parsed == BlockRequest.NO_STATUS) {
            // No status byte to report in: the chain is refused and the queue stops (DEVICE_NEEDS_RESET).
            queue.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR,
                    "block request " + chain.id() + " has no writable status byte in guest memory"));
            return 0;
        }
        int status = parsed == BlockRequest.PARSED ? execute(chain) : parsed;
        request.complete(chain, status);
        // The whole writable part is written on success (data, padding, status); otherwise only the
        // status, which is the whole writable part only when there is nothing before it (§2.7.8.2:
        // an underestimate is allowed, an overestimate is not).
        return status == VIRTIO_BLK_S_OK || chain.writableBytes() == 1 ? chain.writableBytes() : 0;
    }

    private int execute(DescriptorChain chain) {
        try {
            return switch (request.type()) {
                case VIRTIO_BLK_T_IN -> readWrite(false);
                case VIRTIO_BLK_T_OUT -> device.readOnly() ? VIRTIO_BLK_S_IOERR : readWrite(true); // §5.2.6.2
                case VIRTIO_BLK_T_FLUSH -> flush();
                case VIRTIO_BLK_T_GET_ID -> getId();
                case VIRTIO_BLK_T_DISCARD -> device.discardEnabled() ? segments(false) : VIRTIO_BLK_S_UNSUPP;
                case VIRTIO_BLK_T_WRITE_ZEROES -> device.writeZeroesEnabled() ? segments(true) : VIRTIO_BLK_S_UNSUPP;
                default -> VIRTIO_BLK_S_UNSUPP;
            };
        } catch (SysException e) {
            LOG.warn("block %s: %s", device.image(), e.getMessage());
            return VIRTIO_BLK_S_IOERR;
        }
    }

    /** Whether {@code [sector, sector + bytes/512)} lies inside the device, without overflow. */
    private boolean inRange(long sector, long bytes) {
        long capacity = device.capacitySectors();
        return bytes % BlockRequest.SECTOR == 0 && Long.compareUnsigned(sector, capacity) <= 0
                && bytes / BlockRequest.SECTOR <= capacity - sector;
    }

    private int readWrite(boolean write) {
        long bytes = request.data().totalLength();
        // §5.2.6: data in multiples of 512 bytes, inside the capacity.
        if (!inRange(request.sector(), bytes)) {
            return VIRTIO_BLK_S_IOERR;
        }
        long moved = device.file().transfer(write, request.data(), request.sector() * BlockRequest.SECTOR, iov);
        return moved == bytes ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
    }

    private int flush() {
        if (!device.readOnly()) {
            device.file().flush();
        }
        return VIRTIO_BLK_S_OK;
    }

    private int getId() {
        // §5.2.6: up to 20 bytes, NUL-padded; the rest of the buffer is zeroed so it is all "written".
        byte[] id = device.options().serial().getBytes(StandardCharsets.US_ASCII);
        SgWriter w = idWriter.reset(request.data());
        long room = request.data().totalLength();
        for (int i = 0; i < VIRTIO_BLK_ID_BYTES && i < room; i++) {
            w.u8(i < id.length ? id[i] : 0);
        }
        w.zeros(w.remaining());
        return VIRTIO_BLK_S_OK;
    }

    /** DISCARD or WRITE_ZEROES: a list of 16-byte segments (§5.2.6). */
    private int segments(boolean zeroes) {
        long bytes = request.data().totalLength();
        long count = bytes / 16;
        if (bytes == 0 || bytes % 16 != 0 || count > BlockDevice.MAX_SEGMENTS) {
            return VIRTIO_BLK_S_IOERR;
        }
        long maxSectors = zeroes ? BlockDevice.MAX_WRITE_ZEROES_SECTORS : BlockDevice.MAX_DISCARD_SECTORS;
        // Copy and validate every segment before touching the file: each field is read once.
        SgReader r = request.dataReader();
        int n = (int) count;
        for (int i = 0; i < n; i++) {
            long sector = r.u64();
            long sectors = Integer.toUnsignedLong(r.u32());
            int flags = r.u32();
            // §5.2.6.2: unknown flags, or unmap on a discard, are UNSUPP.
            if ((flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) != 0 || (!zeroes && flags != 0)) {
                return VIRTIO_BLK_S_UNSUPP;
            }
            if (sectors > maxSectors || !inRange(sector, sectors * BlockRequest.SECTOR)) {
                return VIRTIO_BLK_S_IOERR;
            }
            segOffset[i] = sector * BlockRequest.SECTOR; // cannot overflow: sector < capacity < 2^55
            segLength[i] = sectors * BlockRequest.SECTOR;
            segUnmap[i] = (flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) != 0;
        }
        for (int i = 0; i < n; i++) {
            if (segLength[i] == 0) {
                continue;
            }
            if (!zeroes || segUnmap[i]) {
                device.file().punchHole(segOffset[i], segLength[i]); // reads of a punched range return zeros
            } else {
                device.file().writeZeroes(segOffset[i], segLength[i]);
            }
        }
        return VIRTIO_BLK_S_OK;
    }
}
