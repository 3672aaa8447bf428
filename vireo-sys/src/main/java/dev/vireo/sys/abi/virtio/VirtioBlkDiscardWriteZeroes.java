package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U32;
import static dev.vireo.sys.abi.Layouts.LE_U64;

/**
 * {@code struct virtio_blk_discard_write_zeroes}: one 16-byte segment of a DISCARD or WRITE_ZEROES
 * request (virtio 1.2 §5.2.6: sector, num_sectors, flags with the unmap bit). Read through a
 * scatter-gather reader; only the layout and offsets are declared.
 */
@CStruct(value = "struct virtio_blk_discard_write_zeroes", headers = "linux/virtio_blk.h")
public final class VirtioBlkDiscardWriteZeroes {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U64.withName("sector"),
            LE_U32.withName("num_sectors"),
            LE_U32.withName("flags"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long SECTOR = Layouts.offset(LAYOUT, "sector");
    public static final long NUM_SECTORS = Layouts.offset(LAYOUT, "num_sectors");
    public static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private VirtioBlkDiscardWriteZeroes() {
    }
}
