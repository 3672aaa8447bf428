package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U32;

/** {@code struct vring_used_elem}: one used-ring entry: chain head id and bytes written (virtio 1.2 §2.7.8). */
@CStruct(value = "struct vring_used_elem", headers = "linux/virtio_ring.h")
public final class VringUsedElem {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U32.withName("id"),
            LE_U32.withName("len"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long ID = Layouts.offset(LAYOUT, "id");
    private static final long LEN = Layouts.offset(LAYOUT, "len");

    private VringUsedElem() {
    }

    public static int id(MemorySegment s) {
        return s.get(LE_U32, ID);
    }

    public static void id(MemorySegment s, int v) {
        s.set(LE_U32, ID, v);
    }

    public static int len(MemorySegment s) {
        return s.get(LE_U32, LEN);
    }

    public static void len(MemorySegment s, int v) {
        s.set(LE_U32, LEN, v);
    }
}
