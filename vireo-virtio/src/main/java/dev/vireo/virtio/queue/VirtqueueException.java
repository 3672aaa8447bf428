package dev.vireo.virtio.queue;

/**
 * A virtqueue the driver has set up or used against the rules of the virtio specification. The
 * queue that detects it stops ("broken") and reports it to its {@link QueueFailureListener}, which
 * sets DEVICE_NEEDS_RESET (virtio 1.2 §2.1.2) or signals the vhost-user error eventfd. Queue
 * operations never throw it to device code: {@link Virtqueue#pop} returns {@code false} instead.
 */
public final class VirtqueueException extends RuntimeException {

    /** What was wrong. */
    public enum Kind {
        /** Queue size zero, above the maximum, or (split) not a power of two (§2.7, §2.8). */
        INVALID_SIZE,
        /** A ring area's guest address is not aligned as §2.7 / §2.8.10.1 require. */
        MISALIGNED,
        /** A ring area does not lie inside one region of guest memory. */
        OUTSIDE_MEMORY,
        /** The available index moved more than the queue size past the device's position (§2.7). */
        AVAIL_INDEX_JUMP,
        /** An available ring entry names a descriptor at or past the queue size (§2.7.5). */
        HEAD_OUT_OF_RANGE,
        /** A descriptor's {@code next} is at or past the table size (§2.7.5). */
        NEXT_OUT_OF_RANGE,
        /** A chain longer than the queue size, which includes every loop (§2.7.5.2, §2.7.5.3.1, §2.8.17). */
        CHAIN_TOO_LONG,
        /** A chain of more than 2^32 bytes (§2.7.5.2). */
        CHAIN_TOO_LARGE,
        /** A device-readable descriptor after a device-writable one (§2.7.4.2, §2.8.17). */
        READABLE_AFTER_WRITABLE,
        /** INDIRECT inside an indirect table (§2.7.5.3.1, §2.8.19). */
        NESTED_INDIRECT,
        /** INDIRECT together with NEXT (§2.7.5.3.1), or (packed) an indirect descriptor in a NEXT list (§2.8.19). */
        INDIRECT_WITH_NEXT,
        /** INDIRECT used although VIRTIO_F_INDIRECT_DESC was not negotiated (§2.7.5.3.1). */
        INDIRECT_NOT_NEGOTIATED,
        /** An indirect table whose length is zero, not a multiple of 16, too large, or outside guest memory (§2.7.5.3). */
        BAD_INDIRECT_TABLE,
        /** (packed) A descriptor that continues a list was not made available with it (§2.8.6, §2.8.17). */
        NOT_AVAILABLE,
        /** A saved queue state that does not fit the queue. */
        INVALID_STATE,
        /** The device could not process a chain and had no way to report it in the chain (no status field). */
        DEVICE_ERROR
    }

    private final Kind kind;

    public VirtqueueException(Kind kind, String message) {
        super(kind.name().toLowerCase().replace('_', ' ') + ": " + message);
        this.kind = kind;
    }

    public VirtqueueException(Kind kind, String message, Throwable cause) {
        super(kind.name().toLowerCase().replace('_', ' ') + ": " + message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
