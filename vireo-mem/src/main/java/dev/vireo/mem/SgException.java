package dev.vireo.mem;

/**
 * A read or write ran past the end of a scatter-gather list: a request shorter than its header
 * says, or a reply that does not fit the buffers the driver gave. Protocol decoders turn it into an
 * error status (EINVAL, EIO, VIRTIO_BLK_S_IOERR).
 */
public final class SgException extends RuntimeException {

    public SgException(String message) {
        super(message);
    }
}
