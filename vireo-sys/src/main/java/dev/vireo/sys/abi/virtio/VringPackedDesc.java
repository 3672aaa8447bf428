package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U16;
import static dev.vireo.sys.abi.Layouts.LE_U32;
import static dev.vireo.sys.abi.Layouts.LE_U64;

/** {@code struct vring_packed_desc}: a packed-ring descriptor, 16 bytes (virtio 1.2 §2.8.13). */
@CStruct(value = "struct vring_packed_desc", headers = "linux/virtio_ring.h")
public final class VringPackedDesc {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U64.withName("addr"),
            LE_U32.withName("len"),
            LE_U16.withName("id"),
            LE_U16.withName("flags"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long ADDR = Layouts.offset(LAYOUT, "addr");
    private static final long LEN = Layouts.offset(LAYOUT, "len");
    private static final long ID = Layouts.offset(LAYOUT, "id");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private VringPackedDesc() {
    }

    public static long addr(MemorySegment s) {
        return s.get(LE_U64, ADDR);
    }

    public static void addr(MemorySegment s, long v) {
        s.set(LE_U64, ADDR, v);
    }

    public static int len(MemorySegment s) {
        return s.get(LE_U32, LEN);
    }

    public static void len(MemorySegment s, int v) {
        s.set(LE_U32, LEN, v);
    }

    public static int id(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, ID));
    }

    public static void id(MemorySegment s, int v) {
        s.set(LE_U16, ID, (short) v);
    }

    public static int flags(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, FLAGS));
    }

    public static void flags(MemorySegment s, int v) {
        s.set(LE_U16, FLAGS, (short) v);
    }
}
