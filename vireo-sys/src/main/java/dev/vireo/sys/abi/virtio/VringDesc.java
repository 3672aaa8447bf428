package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U16;
import static dev.vireo.sys.abi.Layouts.LE_U32;
import static dev.vireo.sys.abi.Layouts.LE_U64;

/** {@code struct vring_desc}: a split-ring descriptor, 16 bytes, little-endian (virtio 1.2 §2.7.5). Read it once from guest memory, then validate the copy. */
@CStruct(value = "struct vring_desc", headers = "linux/virtio_ring.h")
public final class VringDesc {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U64.withName("addr"),
            LE_U32.withName("len"),
            LE_U16.withName("flags"),
            LE_U16.withName("next"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long ADDR = Layouts.offset(LAYOUT, "addr");
    private static final long LEN = Layouts.offset(LAYOUT, "len");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long NEXT = Layouts.offset(LAYOUT, "next");

    private VringDesc() {
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

    public static int flags(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, FLAGS));
    }

    public static void flags(MemorySegment s, int v) {
        s.set(LE_U16, FLAGS, (short) v);
    }

    public static int next(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, NEXT));
    }

    public static void next(MemorySegment s, int v) {
        s.set(LE_U16, NEXT, (short) v);
    }
}
