package dev.vireo.vhost.fsclient;

/**
 * A FUSE request answered with an error (a negative errno in {@code fuse_out_header.error}).
 * Protocol violations by the daemon are {@link FuseProtocolException} instead.
 */
public final class FuseReplyException extends RuntimeException {

    private final int errno;

    public FuseReplyException(String request, int errno) {
        super(request + " failed with errno " + errno);
        this.errno = errno;
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }
}
