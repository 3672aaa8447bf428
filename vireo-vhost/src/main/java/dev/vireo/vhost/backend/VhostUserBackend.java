package dev.vireo.vhost.backend;

import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.vhost.conn.Connection;
import dev.vireo.vhost.proto.VhostUser;

/**
 * Serves one {@link VirtioDevice} over vhost-user: QEMU (or any front-end) owns the virtqueues
 * and guest memory, vireo's device processes them. One connection at a time; each gets fresh
 * protocol state, and the device is reset when the connection ends.
 *
 * <p>Protocol features offered are exactly those implemented: MQ, REPLY_ACK, CONFIG,
 * CONFIGURE_MEM_SLOTS, BACKEND_REQ (the channel is accepted and kept for DAX) and RESET_DEVICE;
 * CONFIG only for a device with a configuration space, and not where the front-end keeps its own
 * copy of it ({@link #VhostUserBackend(VirtioDevice, boolean)}).
 */
public final class VhostUserBackend {

    /** The protocol features vireo implements. */
    public static final long PROTOCOL_FEATURES = (1L << VhostUser.PROTOCOL_F_MQ)
            | (1L << VhostUser.PROTOCOL_F_REPLY_ACK)
            | (1L << VhostUser.PROTOCOL_F_CONFIG)
            | (1L << VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS)
            | (1L << VhostUser.PROTOCOL_F_BACKEND_REQ)
            | (1L << VhostUser.PROTOCOL_F_RESET_DEVICE);

    private final VirtioDevice device;
    private final long protocolFeatures;

    /** Serves {@code device}, offering CONFIG (GET_CONFIG, SET_CONFIG) if it has a configuration space. */
    public VhostUserBackend(VirtioDevice device) {
        this(device, true);
    }

    /**
     * Serves {@code device}, offering CONFIG only if {@code offerConfig} and the device has a
     * configuration space. A front-end that builds the configuration itself does not take the
     * offer, and may say so: QEMU's vhost-user-fs devices (their own {@code tag=}) and
     * vhost-user-rng print "vhost-user backend supports VHOST_USER_PROTOCOL_F_CONFIG but QEMU does
     * not" at every start. The Rust virtiofsd offers it only for a {@code --tag} given on its command
     * line, as {@code vireo virtiofsd} does.
     */
    public VhostUserBackend(VirtioDevice device, boolean offerConfig) {
        this.device = device;
        this.protocolFeatures = offerConfig && device.configSize() > 0
                ? PROTOCOL_FEATURES
                : PROTOCOL_FEATURES & ~(1L << VhostUser.PROTOCOL_F_CONFIG);
    }

    public VirtioDevice device() {
        return device;
    }

    /** The protocol features this back-end offers. */
    public long protocolFeatures() {
        return protocolFeatures;
    }

    /**
     * Handles {@code connection} until the front-end disconnects or sends something vireo refuses;
     * then stops the device, releases the connection's memory and descriptors, and closes it.
     * Blocks: run it on a platform thread.
     */
    public void serve(Connection connection) {
        try (connection; BackendSession session = new BackendSession(device, connection, protocolFeatures)) {
            session.run();
        }
    }
}
