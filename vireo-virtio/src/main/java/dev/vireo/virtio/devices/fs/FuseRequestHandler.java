package dev.vireo.virtio.devices.fs;

/**
 * The FUSE server behind a virtio-fs device: it decodes and answers one request at a time, as a
 * /dev/fuse server does, but reads the request from and writes the reply into guest memory
 * ({@link FuseRequest#in()}, {@link FuseRequest#out()}), so READ and WRITE payloads can move with
 * preadv/pwritev straight between host files and the guest.
 *
 * <p>The FUSE dispatcher (vireo-fuse) plugs in here through a small adapter: decode from an
 * {@code SgReader} over {@code in()}, encode into an {@code SgWriter} over {@code out()}, and
 * call {@link FuseRequest#complete} with the reply length.
 */
@FunctionalInterface
public interface FuseRequestHandler {

    /**
     * Handles {@code request}. The handler must call {@link FuseRequest#complete} (or {@link
     * FuseRequest#replyError}) exactly once, before returning or later from any thread; for
     * requests that take no reply (FORGET, BATCH_FORGET) it completes with 0. It must not block the
     * calling thread for long: the thread delivers the queue's kicks. An exception it throws is
     * answered with EIO.
     */
    void handle(FuseRequest request);
}
