package dev.vireo.vhost.proto;

/**
 * The requests a vhost-user front-end (QEMU) sends to a back-end (QEMU docs/interop/vhost-user.rst,
 * "Front-end message types"). Codes not listed are unknown to vireo and answered as errors.
 */
public enum FrontendRequest {
    GET_FEATURES(1),
    SET_FEATURES(2),
    SET_OWNER(3),
    RESET_OWNER(4),
    SET_MEM_TABLE(5),
    SET_LOG_BASE(6),
    SET_LOG_FD(7),
    SET_VRING_NUM(8),
    SET_VRING_ADDR(9),
    SET_VRING_BASE(10),
    GET_VRING_BASE(11),
    SET_VRING_KICK(12),
    SET_VRING_CALL(13),
    SET_VRING_ERR(14),
    GET_PROTOCOL_FEATURES(15),
    SET_PROTOCOL_FEATURES(16),
    GET_QUEUE_NUM(17),
    SET_VRING_ENABLE(18),
    SEND_RARP(19),
    NET_SET_MTU(20),
    SET_BACKEND_REQ_FD(21),
    IOTLB_MSG(22),
    SET_VRING_ENDIAN(23),
    GET_CONFIG(24),
    SET_CONFIG(25),
    CREATE_CRYPTO_SESSION(26),
    CLOSE_CRYPTO_SESSION(27),
    POSTCOPY_ADVISE(28),
    POSTCOPY_LISTEN(29),
    POSTCOPY_END(30),
    GET_INFLIGHT_FD(31),
    SET_INFLIGHT_FD(32),
    GPU_SET_SOCKET(33),
    RESET_DEVICE(34),
    VRING_KICK(35),
    GET_MAX_MEM_SLOTS(36),
    ADD_MEM_REG(37),
    REM_MEM_REG(38),
    SET_STATUS(39),
    GET_STATUS(40);

    private static final FrontendRequest[] BY_CODE = new FrontendRequest[41];

    static {
        for (FrontendRequest r : values()) {
            BY_CODE[r.code] = r;
        }
    }

    private final int code;

    FrontendRequest(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The most descriptors this request may carry: a region's per SET_MEM_TABLE region (up to
     * {@link VhostUser#MAX_MEM_TABLE_REGIONS}), one for those that pass an eventfd, a channel, a
     * log or an inflight area (REM_MEM_REG too: the spec allows a front-end to attach the region's
     * descriptor), none for the rest.
     */
    public int maxFds() {
        return switch (this) {
            case SET_MEM_TABLE -> VhostUser.MAX_MEM_TABLE_REGIONS;
            case SET_LOG_BASE, SET_LOG_FD, SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR, SET_BACKEND_REQ_FD,
                 SET_INFLIGHT_FD, ADD_MEM_REG, REM_MEM_REG, GPU_SET_SOCKET -> 1;
            default -> 0;
        };
    }

    /** The request with {@code code}, or null for a code vireo does not know. */
    public static FrontendRequest of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
