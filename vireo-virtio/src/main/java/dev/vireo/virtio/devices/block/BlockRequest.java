package dev.vireo.virtio.devices.block;

import dev.vireo.mem.SgList;
import dev.vireo.mem.SgReader;
import dev.vireo.mem.SgWriter;
import dev.vireo.virtio.queue.DescriptorChain;

import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_S_IOERR;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_T_GET_ID;
import static dev.vireo.sys.abi.virtio.VirtioBlk.VIRTIO_BLK_T_IN;

/**
 * One block request decoded from a descriptor chain (virtio 1.2 §5.2.6): the 16-byte header
 * ({@code struct virtio_blk_outhdr}) at the start of the readable part, the data (the rest of the
 * readable part for writes and discards, the writable part minus the status byte for reads), and
 * the status byte, which is the last byte of the writable part. Pure parsing: no I/O. Reused
 * per queue; {@link #data()} is a view of guest memory, valid until the next parse.
 */
final class BlockRequest {

    /** Bytes in a sector: the unit of {@code sector} and lengths regardless of blk_size (§5.2.5). */
    static final int SECTOR = 512;
    /** Result of {@link #parse} when the request can be executed. */
    static final int PARSED = -1;
    /** Result of {@link #parse} when the chain has no status byte at all: it cannot be answered. */
    static final int NO_STATUS = -2;

    private final SgReader reader = new SgReader();
    private final SgWriter writer = new SgWriter();
    private final SgList data = new SgList(8);
    private int type;
    private long sector;
    private long statusAt;

    /** The request type ({@code VIRTIO_BLK_T_*}). */
    int type() {
        return type;
    }

    /** The first sector (512-byte units). */
    long sector() {
        return sector;
    }

    /** The data buffers: guest memory to read from (OUT, DISCARD, WRITE_ZEROES) or write into (IN, GET_ID). */
    SgList data() {
        return data;
    }

    /** A reader positioned at the data of a readable request (the discard/write-zeroes segments). */
    SgReader dataReader() {
        return reader.reset(data);
    }

    /**
     * Decodes {@code chain}. Returns {@link #PARSED}, a status to answer with straight away
     * (VIRTIO_BLK_S_IOERR for a short header or a buffer outside guest memory), or {@link
     * #NO_STATUS} when there is no writable last byte to put a status in.
     */
    int parse(DescriptorChain chain) {
        data.clear();
        type = -1;
        sector = 0;
        // §5.2.6: the status is the final byte; it must exist and be guest memory to answer at all.
        if (chain.writableBytes() < 1 || !chain.lastWritableResolved()) {
            return NO_STATUS;
        }
        statusAt = chain.writable().totalLength() - 1;
        if (chain.hasFault()) {
            return VIRTIO_BLK_S_IOERR; // some buffer is not guest memory: §5.2.6 "IOERR for device or driver error"
        }
        SgList in = chain.readable();
        if (in.totalLength() < 16) {
            return VIRTIO_BLK_S_IOERR;
        }
        reader.reset(in);
        type = reader.u32();
        reader.u32(); // reserved (ioprio)
        sector = reader.u64();
        if (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID) {
            writer.reset(chain.writable());
            writer.sliceTo(statusAt, data);
        } else {
            reader.sliceTo(reader.remaining(), data);
        }
        return PARSED;
    }

    /** Writes the status byte (the last writable byte). */
    void complete(DescriptorChain chain, int status) {
        writer.reset(chain.writable());
        writer.skip(statusAt);
        writer.u8(status);
    }
}
