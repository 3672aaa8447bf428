package dev.vireo.virtio.devices.fs;

/**
 * The FUSE server behind a virtio-fs device: it decodes and answers one request at a time, as a
 * /dev/fuse server does, but reads the request from and writes the reply into guest memory
 * ({@link FuseRequest#in()}, {@link FuseRequest#out()}), so READ and WRITE payloads can move with
 * preadv/pwritev straight between host files and the guest.
 *
 * <p>vireo-fuse's dispatcher plugs in here through {@link VirtioFsServer}: it decodes from
 * {@code in()}, encodes into {@code out()}, and calls {@link FuseRequest#complete} with the reply
 * length.
 */
@FunctionalInterface
public interface FuseRequestHandler {

    /**
     * Handles {@code request}. The handler must call {@link FuseRequest#complete} (or {@link
     * FuseRequest#replyError}) exactly once, before returning or later from any thread; for
     * requests that take no reply (FORGET, BATCH_FORGET) it completes with 0. It must not block the
     * calling thread for long: the thread delivers the queue's kicks; a handler of this package
     * may, once it has let the queue's pop role go ({@code FsQueue.leaveRing}) and with another
     * thread ready to take it. An exception it throws is answered with EIO.
     */
    void handle(FuseRequest request);

    /**
     * The driver has set the device up (DRIVER_OK): {@code smallestRequestQueue} is the size of
     * the smallest request queue it enabled. A request laid out in direct descriptors cannot be
     * longer than its queue (§2.7.5.3.1), and a driver may fall back to direct descriptors when it
     * cannot allocate an indirect table, so the queue size bounds the largest READ or
     * WRITE a FUSE session may safely negotiate. Called before the first request of the activation.
     */
    default void activated(int smallestRequestQueue) {
    }

    /**
     * The device was reset (the driver reset it, or the vhost-user front-end went away); every
     * request of the activation has been completed or abandoned. The guest's next FUSE session
     * starts with a new INIT.
     */
    default void reset() {
    }
}
