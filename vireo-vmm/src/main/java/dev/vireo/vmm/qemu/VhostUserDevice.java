package dev.vireo.vmm.qemu;

import java.nio.file.Path;
import java.util.Map;

/**
 * A virtio device whose backend is a vhost-user server listening on {@code socket}: QEMU gets a
 * {@code -chardev socket} connected to it and a {@code -device} of the kind's type.
 *
 * @param id         QEMU's id for the chardev and device (letters, digits, '-')
 * @param kind       which virtio device
 * @param socket     the backend's Unix socket
 * @param properties extra {@code -device} properties (e.g. {@code tag} of a file system)
 */
public record VhostUserDevice(String id, Kind kind, Path socket, Map<String, String> properties) {

    /** The virtio devices vireo attaches over vhost-user, with QEMU's device type per transport. */
    public enum Kind {
        /** virtio-fs (virtio 1.2 §5.11). */
        FS("vhost-user-fs-device", "vhost-user-fs-pci", "virtiofs"),
        /** virtio-blk (virtio 1.2 §5.2). */
        BLOCK("vhost-user-blk", "vhost-user-blk-pci", "virtio_blk"),
        /** virtio-rng, the entropy device (virtio 1.2 §5.4). */
        RNG("vhost-user-rng", "vhost-user-rng-pci", "virtio_rng");

        private final String mmioDevice;
        private final String pciDevice;
        private final String guestModule;

        Kind(String mmioDevice, String pciDevice, String guestModule) {
            this.mmioDevice = mmioDevice;
            this.pciDevice = pciDevice;
            this.guestModule = guestModule;
        }

        /** QEMU's device type on {@code machine}. */
        public String qemuDevice(Machine machine) {
            return machine == Machine.MICROVM ? mmioDevice : pciDevice;
        }

        /** The guest driver module. */
        public String guestModule() {
            return guestModule;
        }
    }

    public VhostUserDevice {
        if (!id.matches("[A-Za-z][A-Za-z0-9-]*")) {
            throw new IllegalArgumentException("bad QEMU id: " + id);
        }
        properties = Map.copyOf(properties);
    }
}
