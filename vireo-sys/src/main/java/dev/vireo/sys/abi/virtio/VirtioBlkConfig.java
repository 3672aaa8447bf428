package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U16;
import static dev.vireo.sys.abi.Layouts.LE_U32;
import static dev.vireo.sys.abi.Layouts.LE_U64;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code struct virtio_blk_config}: the block device's configuration space, little-endian (virtio
 * 1.2 §5.2.4), up to the secure-erase fields that the installed headers know (the zoned
 * characteristics that follow in virtio 1.2 are not offered by vireo).
 */
@CStruct(value = "struct virtio_blk_config", headers = "linux/virtio_blk.h")
public final class VirtioBlkConfig {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U64.withName("capacity"),
            LE_U32.withName("size_max"),
            LE_U32.withName("seg_max"),
            MemoryLayout.structLayout(
                    LE_U16.withName("cylinders"),
                    JAVA_BYTE.withName("heads"),
                    JAVA_BYTE.withName("sectors")).withName("geometry"),
            LE_U32.withName("blk_size"),
            JAVA_BYTE.withName("physical_block_exp"),
            JAVA_BYTE.withName("alignment_offset"),
            LE_U16.withName("min_io_size"),
            LE_U32.withName("opt_io_size"),
            JAVA_BYTE.withName("wce"),
            JAVA_BYTE.withName("unused"),
            LE_U16.withName("num_queues"),
            LE_U32.withName("max_discard_sectors"),
            LE_U32.withName("max_discard_seg"),
            LE_U32.withName("discard_sector_alignment"),
            LE_U32.withName("max_write_zeroes_sectors"),
            LE_U32.withName("max_write_zeroes_seg"),
            JAVA_BYTE.withName("write_zeroes_may_unmap"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("unused1"),
            LE_U32.withName("max_secure_erase_sectors"),
            LE_U32.withName("max_secure_erase_seg"),
            LE_U32.withName("secure_erase_sector_alignment"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long CAPACITY = Layouts.offset(LAYOUT, "capacity");
    private static final long SIZE_MAX = Layouts.offset(LAYOUT, "size_max");
    private static final long SEG_MAX = Layouts.offset(LAYOUT, "seg_max");
    private static final long BLK_SIZE = Layouts.offset(LAYOUT, "blk_size");
    private static final long NUM_QUEUES = Layouts.offset(LAYOUT, "num_queues");
    private static final long MAX_DISCARD_SECTORS = Layouts.offset(LAYOUT, "max_discard_sectors");
    private static final long MAX_DISCARD_SEG = Layouts.offset(LAYOUT, "max_discard_seg");
    private static final long DISCARD_SECTOR_ALIGNMENT = Layouts.offset(LAYOUT, "discard_sector_alignment");
    private static final long MAX_WRITE_ZEROES_SECTORS = Layouts.offset(LAYOUT, "max_write_zeroes_sectors");
    private static final long MAX_WRITE_ZEROES_SEG = Layouts.offset(LAYOUT, "max_write_zeroes_seg");
    private static final long WRITE_ZEROES_MAY_UNMAP = Layouts.offset(LAYOUT, "write_zeroes_may_unmap");

    private VirtioBlkConfig() {
    }

    public static long capacity(MemorySegment s) {
        return s.get(LE_U64, CAPACITY);
    }

    public static void capacity(MemorySegment s, long v) {
        s.set(LE_U64, CAPACITY, v);
    }

    public static int sizeMax(MemorySegment s) {
        return s.get(LE_U32, SIZE_MAX);
    }

    public static void sizeMax(MemorySegment s, int v) {
        s.set(LE_U32, SIZE_MAX, v);
    }

    public static int segMax(MemorySegment s) {
        return s.get(LE_U32, SEG_MAX);
    }

    public static void segMax(MemorySegment s, int v) {
        s.set(LE_U32, SEG_MAX, v);
    }

    public static int blkSize(MemorySegment s) {
        return s.get(LE_U32, BLK_SIZE);
    }

    public static void blkSize(MemorySegment s, int v) {
        s.set(LE_U32, BLK_SIZE, v);
    }

    public static int numQueues(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, NUM_QUEUES));
    }

    public static void numQueues(MemorySegment s, int v) {
        s.set(LE_U16, NUM_QUEUES, (short) v);
    }

    public static int maxDiscardSectors(MemorySegment s) {
        return s.get(LE_U32, MAX_DISCARD_SECTORS);
    }

    public static void maxDiscardSectors(MemorySegment s, int v) {
        s.set(LE_U32, MAX_DISCARD_SECTORS, v);
    }

    public static int maxDiscardSeg(MemorySegment s) {
        return s.get(LE_U32, MAX_DISCARD_SEG);
    }

    public static void maxDiscardSeg(MemorySegment s, int v) {
        s.set(LE_U32, MAX_DISCARD_SEG, v);
    }

    public static int discardSectorAlignment(MemorySegment s) {
        return s.get(LE_U32, DISCARD_SECTOR_ALIGNMENT);
    }

    public static void discardSectorAlignment(MemorySegment s, int v) {
        s.set(LE_U32, DISCARD_SECTOR_ALIGNMENT, v);
    }

    public static int maxWriteZeroesSectors(MemorySegment s) {
        return s.get(LE_U32, MAX_WRITE_ZEROES_SECTORS);
    }

    public static void maxWriteZeroesSectors(MemorySegment s, int v) {
        s.set(LE_U32, MAX_WRITE_ZEROES_SECTORS, v);
    }

    public static int maxWriteZeroesSeg(MemorySegment s) {
        return s.get(LE_U32, MAX_WRITE_ZEROES_SEG);
    }

    public static void maxWriteZeroesSeg(MemorySegment s, int v) {
        s.set(LE_U32, MAX_WRITE_ZEROES_SEG, v);
    }

    public static int writeZeroesMayUnmap(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, WRITE_ZEROES_MAY_UNMAP));
    }

    public static void writeZeroesMayUnmap(MemorySegment s, int v) {
        s.set(JAVA_BYTE, WRITE_ZEROES_MAY_UNMAP, (byte) v);
    }
}
