package dev.vireo.vhost.proto;

/**
 * Constants of the vhost-user protocol (QEMU docs/interop/vhost-user.rst): header flags, the
 * feature bit that gates protocol features, protocol feature bits, and the limits vireo enforces
 * on messages from the front-end.
 */
public final class VhostUser {

    /** Header flags: the version lives in the low 2 bits and must be 1. */
    public static final int VERSION = 0x1;
    public static final int VERSION_MASK = 0x3;
    /** Set on every reply from the back-end. */
    public static final int FLAG_REPLY = 1 << 2;
    /** The front-end wants an acknowledgement (REPLY_ACK). */
    public static final int FLAG_NEED_REPLY = 1 << 3;
    /** Flags a valid header may carry. */
    public static final int FLAGS_KNOWN = VERSION_MASK | FLAG_REPLY | FLAG_NEED_REPLY;

    /** Virtio feature bit 30 ("UNUSED" in virtio 1.1 §6.3) reused to announce protocol features. */
    public static final int F_PROTOCOL_FEATURES = 30;

    public static final int PROTOCOL_F_MQ = 0;
    public static final int PROTOCOL_F_LOG_SHMFD = 1;
    public static final int PROTOCOL_F_RARP = 2;
    public static final int PROTOCOL_F_REPLY_ACK = 3;
    public static final int PROTOCOL_F_MTU = 4;
    public static final int PROTOCOL_F_BACKEND_REQ = 5;
    public static final int PROTOCOL_F_CROSS_ENDIAN = 6;
    public static final int PROTOCOL_F_CRYPTO_SESSION = 7;
    public static final int PROTOCOL_F_PAGEFAULT = 8;
    public static final int PROTOCOL_F_CONFIG = 9;
    public static final int PROTOCOL_F_BACKEND_SEND_FD = 10;
    public static final int PROTOCOL_F_HOST_NOTIFIER = 11;
    public static final int PROTOCOL_F_INFLIGHT_SHMFD = 12;
    public static final int PROTOCOL_F_RESET_DEVICE = 13;
    public static final int PROTOCOL_F_INBAND_NOTIFICATIONS = 14;
    public static final int PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15;
    public static final int PROTOCOL_F_STATUS = 16;

    /** Header bytes: request, flags, size (u32 each, native order). */
    public static final int HEADER_SIZE = 12;
    /**
     * Largest payload vireo accepts. The biggest message vireo understands is a memory table of
     * 8 regions (264 bytes) or a config access of 256 bytes plus 12; anything over a page is refused.
     */
    public static final int MAX_PAYLOAD = 4096;
    /** Most descriptors one message carries: a SET_MEM_TABLE's regions (VHOST_MEMORY_BASELINE_NREGIONS). */
    public static final int MAX_FDS = 8;
    /** Regions in a SET_MEM_TABLE. */
    public static final int MAX_MEM_TABLE_REGIONS = 8;
    /** Memory slots vireo offers with CONFIGURE_MEM_SLOTS (QEMU caps by its own limit). */
    public static final int MAX_MEM_SLOTS = 32;
    /** Largest virtio config space GET_CONFIG/SET_CONFIG may address (VHOST_USER_MAX_CONFIG_SIZE). */
    public static final int MAX_CONFIG_SIZE = 256;
    /** Payload bit 8 of SET_VRING_KICK/CALL/ERR: no descriptor is attached (poll instead). */
    public static final long VRING_NOFD_MASK = 1L << 8;
    /** Payload bits 0-7 of SET_VRING_KICK/CALL/ERR: the vring index. */
    public static final long VRING_INDEX_MASK = 0xFF;

    private VhostUser() {
    }
}
