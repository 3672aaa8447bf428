package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U16;
import static dev.vireo.sys.abi.Layouts.LE_U32;

/**
 * {@code struct virtio_console_control}: a message on the console's control queues (virtio 1.2
 * §5.3.6.2: port id, event, value). Read and written through scatter-gather readers and writers;
 * only the layout and offsets are declared.
 */
@CStruct(value = "struct virtio_console_control", headers = "linux/virtio_console.h")
public final class VirtioConsoleControl {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U32.withName("id"),
            LE_U16.withName("event"),
            LE_U16.withName("value"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long ID = Layouts.offset(LAYOUT, "id");
    public static final long EVENT = Layouts.offset(LAYOUT, "event");
    public static final long VALUE = Layouts.offset(LAYOUT, "value");

    private VirtioConsoleControl() {
    }
}
