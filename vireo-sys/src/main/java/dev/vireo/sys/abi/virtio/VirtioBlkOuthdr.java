package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U32;
import static dev.vireo.sys.abi.Layouts.LE_U64;

/**
 * {@code struct virtio_blk_outhdr}: the 16-byte header that starts every block request (virtio 1.2
 * §5.2.6: type, reserved (ioprio), sector). It is read from a descriptor chain through a
 * scatter-gather reader, so only the layout and offsets are declared here.
 */
@CStruct(value = "struct virtio_blk_outhdr", headers = "linux/virtio_blk.h")
public final class VirtioBlkOuthdr {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U32.withName("type"),
            LE_U32.withName("ioprio"),
            LE_U64.withName("sector"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long TYPE = Layouts.offset(LAYOUT, "type");
    public static final long IOPRIO = Layouts.offset(LAYOUT, "ioprio");
    public static final long SECTOR = Layouts.offset(LAYOUT, "sector");

    private VirtioBlkOuthdr() {
    }
}
