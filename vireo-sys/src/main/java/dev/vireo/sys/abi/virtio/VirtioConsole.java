package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CConstants;

/**
 * Console device constants of {@code linux/virtio_console.h} (virtio 1.2 §5.3): feature bit numbers
 * and control message events. (The spec calls PORT_ADD and PORT_REMOVE "DEVICE_ADD" and
 * "DEVICE_REMOVE"; the header's names are used here.)
 */
@CConstants(headers = "linux/virtio_console.h")
public final class VirtioConsole {

    public static final int VIRTIO_CONSOLE_F_SIZE = 0;
    public static final int VIRTIO_CONSOLE_F_MULTIPORT = 1;
    public static final int VIRTIO_CONSOLE_F_EMERG_WRITE = 2;

    public static final int VIRTIO_CONSOLE_DEVICE_READY = 0;
    public static final int VIRTIO_CONSOLE_PORT_ADD = 1;
    public static final int VIRTIO_CONSOLE_PORT_REMOVE = 2;
    public static final int VIRTIO_CONSOLE_PORT_READY = 3;
    public static final int VIRTIO_CONSOLE_CONSOLE_PORT = 4;
    public static final int VIRTIO_CONSOLE_RESIZE = 5;
    public static final int VIRTIO_CONSOLE_PORT_OPEN = 6;
    public static final int VIRTIO_CONSOLE_PORT_NAME = 7;

    private VirtioConsole() {
    }
}
