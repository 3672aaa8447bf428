package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U16;

/** {@code struct vring_packed_desc_event}: a packed-ring event suppression structure (virtio 1.2 §2.8.14). */
@CStruct(value = "struct vring_packed_desc_event", headers = "linux/virtio_ring.h")
public final class VringPackedDescEvent {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U16.withName("off_wrap"),
            LE_U16.withName("flags"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long OFF_WRAP = Layouts.offset(LAYOUT, "off_wrap");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private VringPackedDescEvent() {
    }

    public static int offWrap(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, OFF_WRAP));
    }

    public static void offWrap(MemorySegment s, int v) {
        s.set(LE_U16, OFF_WRAP, (short) v);
    }

    public static int flags(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, FLAGS));
    }

    public static void flags(MemorySegment s, int v) {
        s.set(LE_U16, FLAGS, (short) v);
    }
}
