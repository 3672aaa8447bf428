package dev.vireo.fuse.transport;

import dev.vireo.mem.SgList;

import java.lang.foreign.MemorySegment;

/**
 * The transport SPI: one FUSE request in flight, as a transport presents it to a
 * {@link dev.vireo.fuse.session.Dispatcher}. The protocol code sees nothing else of the transport:
 * not /dev/fuse framing, not descriptor chains.
 *
 * <ul>
 *   <li>{@link #request()}: the request's bytes, {@code fuse_in_header} first, in one or more
 *       entries (the Linux virtiofs driver puts the header and the arguments in separate
 *       descriptors). The dispatcher copies what it keeps; WRITE payloads are passed on as views
 *       into these entries.</li>
 *   <li>{@link #reply()}: where the reply is written ({@code fuse_out_header}, then the body), in
 *       one or more entries: a /dev/fuse reply buffer, or the device-writable descriptors of a
 *       virtio chain. READ data is read by the file system straight into these entries.</li>
 *   <li>{@link #complete(long)}: the completion callback, called exactly once per exchange, with the
 *       number of reply bytes written at the start of {@link #reply()} (0 for requests that get no
 *       reply: FORGET, BATCH_FORGET, INTERRUPT, or a request too short to answer). It may be called
 *       on the dispatching thread before {@code dispatch} returns, or later on another thread for a
 *       {@link #detach() detached} exchange. /dev/fuse writes the reply with writev; virtio puts the
 *       chain on the used ring with this length.</li>
 * </ul>
 */
public interface Exchange {

    /** The request bytes; valid until {@link #complete} or until the dispatch call returns, whichever is first. */
    SgList request();

    /** The reply buffer. */
    SgList reply();

    /** Finishes the exchange: {@code replyLength} bytes of {@link #reply()} are the reply. Exactly once. */
    void complete(long replyLength);

    /**
     * Returns an exchange for the same request that outlives the current dispatch call, so that it
     * can be completed later from another thread; this exchange is then finished without a
     * completion of its own. The returned exchange's {@link #request()} must not be read. Its
     * {@link #reply()} holds at least {@code maxReply} bytes (a transport whose reply buffer is
     * reused per worker gives a new one of that size; virtio keeps the chain's own buffers).
     */
    Exchange detach(int maxReply);

    /**
     * Optional: whether this exchange can take file data straight from a descriptor
     * ({@link #completeWithFile}). The /dev/fuse transport can (splice(2)); virtio-fs reads into the
     * guest's buffers instead ({@link #reply()}), and answers false.
     */
    default boolean canTakeFileData(long size) {
        return false;
    }

    /**
     * Optional (when {@link #canTakeFileData} is true): completes the exchange with a reply made of
     * {@code header} (a {@code fuse_out_header} whose {@code len} the transport sets) followed by up
     * to {@code size} bytes of {@code fd} from {@code offset} (fewer at end of file). Returns the
     * data bytes sent. If the file cannot be read, throws {@link dev.vireo.sys.SysException}
     * without completing; the caller then completes with an error reply.
     */
    default long completeWithFile(MemorySegment header, int fd, long offset, long size) {
        throw new UnsupportedOperationException("this transport takes no file data");
    }
}
