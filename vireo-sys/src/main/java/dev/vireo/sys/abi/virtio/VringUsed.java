package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U16;

/** {@code struct vring_used}: the used-ring header (flags, idx), followed by {@code ring[size]} and {@code avail_event} (virtio 1.2 §2.7.8). */
@CStruct(value = "struct vring_used", headers = "linux/virtio_ring.h")
public final class VringUsed {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U16.withName("flags"),
            LE_U16.withName("idx"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long IDX = Layouts.offset(LAYOUT, "idx");

    private VringUsed() {
    }

    public static int flags(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, FLAGS));
    }

    public static void flags(MemorySegment s, int v) {
        s.set(LE_U16, FLAGS, (short) v);
    }

    public static int idx(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, IDX));
    }

    public static void idx(MemorySegment s, int v) {
        s.set(LE_U16, IDX, (short) v);
    }
}
