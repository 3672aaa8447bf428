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
 * CONFIGURE_MEM_SLOTS, BACKEND_REQ (the channel is accepted and kept for DAX) and RESET_DEVICE.
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

    public VhostUserBackend(VirtioDevice device) {
        this.device = device;
    }

    public VirtioDevice device() {
        return device;
    }

    /**
     * Handles {@code connection} until the front-end disconnects or sends something vireo refuses;
     * then stops the device, releases the connection's memory and descriptors, and closes it.
     * Blocks: run it on a platform thread.
     */
    public void serve(Connection connection) {
        try (connection; BackendSession session = new BackendSession(device, connection, PROTOCOL_FEATURES)) {
            session.run();
        }
    }
}
