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
        FS("vhost-user-fs-device", "vhost-user-fs-pci", "virtiofs", false),
        /** virtio-blk (virtio 1.2 §5.2). */
        BLOCK("vhost-user-blk", "vhost-user-blk-pci", "virtio_blk", true),
        /** virtio-rng, the entropy device (virtio 1.2 §5.4). */
        RNG("vhost-user-rng", "vhost-user-rng-pci", "virtio_rng", false);

        private final String mmioDevice;
        private final String pciDevice;
        private final String guestModule;
        private final boolean readsBackendConfig;

        Kind(String mmioDevice, String pciDevice, String guestModule, boolean readsBackendConfig) {
            this.mmioDevice = mmioDevice;
            this.pciDevice = pciDevice;
            this.guestModule = guestModule;
            this.readsBackendConfig = readsBackendConfig;
        }

        /**
         * Whether QEMU's device reads the configuration space from the back-end
         * (VHOST_USER_PROTOCOL_F_CONFIG): vhost-user-blk does; the fs devices build it from their own
         * tag= and, like vhost-user-rng, warn about a back-end that offers it ("vhost-user backend
         * supports VHOST_USER_PROTOCOL_F_CONFIG but QEMU does not", QEMU 7.2).
         */
        public boolean readsBackendConfig() {
            return readsBackendConfig;
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
