package dev.vireo.vhost.fsclient;

/**
 * The daemon broke the FUSE protocol: a reply whose length, unique id, error value or body size
 * does not match the request (fuse.h; the kernel's fuse_dev_do_write and virtio_fs_requests_done
 * refuse the same). The client stops: nothing after it can be trusted.
 */
public final class FuseProtocolException extends RuntimeException {

    public FuseProtocolException(String message) {
        super(message);
    }
}
