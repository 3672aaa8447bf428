package dev.vireo.virtio.devices.fs;

import dev.vireo.mem.SgList;
import dev.vireo.mem.SgReader;
import dev.vireo.mem.SgWriter;
import dev.vireo.sys.abi.fuse.FuseInHeader;
import dev.vireo.sys.abi.fuse.FuseOutHeader;
import dev.vireo.virtio.queue.DescriptorChain;

/**
 * One FUSE request carried by a virtio-fs descriptor chain (virtio 1.2 §5.11.6.1): the
 * device-readable part is {@code struct fuse_in_header} and the request's arguments (including a
 * WRITE's data), the device-writable part takes {@code struct fuse_out_header} and the reply
 * (including a READ's data). Both are scatter-gather views of guest memory.
 *
 * <p>The device has read the header once and checked that its {@code len} equals the readable
 * part's length; {@link #opcode()}, {@link #unique()}, {@link #nodeId()} and {@link #length()} are
 * those checked values (the guest may rewrite the bytes meanwhile; trust the copies).
 *
 * <p>Request objects are pooled per queue and reused once completed: a handler must not touch one
 * after calling {@link #complete}.
 */
public final class FuseRequest {

    private final FsQueue owner;
    final DescriptorChain chain = new DescriptorChain();
    private final SgReader reader = new SgReader();
    private final SgWriter writer = new SgWriter();
    private int opcode;
    private long unique;
    private long nodeId;
    private long length;
    private boolean completed;
    /** See {@link #servedBy}; volatile because a reused request may be marked by another worker meanwhile. */
    private volatile Thread pollingWorker;

    FuseRequest(FsQueue owner) {
        this.owner = owner;
    }

    /**
     * Marks the request as served by {@code worker}, which watches the queue for the next request
     * right after ({@link FsQueue#pollAsWorker}) if it completes this one itself. Set before the
     * worker serves the request, cleared when its serving call returns: a request completed
     * later, or by another thread, is not the worker's to follow.
     */
    void servedBy(Thread worker) {
        pollingWorker = worker;
    }

    /** Clears the mark {@link #servedBy} set, if it is still {@code worker}'s (the request may have been reused). */
    void servedNoLongerBy(Thread worker) {
        if (pollingWorker == worker) {
            pollingWorker = null;
        }
    }

    /** Whether the calling thread is the worker serving this request, and polls after completing it. */
    boolean completedByPollingWorker() {
        return pollingWorker == Thread.currentThread();
    }

    /** The queue the request came on. */
    FsQueue owner() {
        return owner;
    }

    /** The virtio queue the request came on (0: hiprio, 1..N: request queues). */
    public int queue() {
        return owner.index();
    }

    /** The request, starting with its fuse_in_header. */
    public SgList in() {
        return chain.readable();
    }

    /** Room for the reply, starting with its fuse_out_header. */
    public SgList out() {
        return chain.writable();
    }

    public int opcode() {
        return opcode;
    }

    public long unique() {
        return unique;
    }

    public long nodeId() {
        return nodeId;
    }

    /** fuse_in_header.len: the whole request's length, equal to {@code in().totalLength()}. */
    public long length() {
        return length;
    }

    /**
     * Gives the chain back to the driver with {@code replyBytes} written into {@link #out()} (0
     * for a request without reply). Exactly once; a second call throws {@link IllegalStateException}.
     */
    public void complete(long replyBytes) {
        owner.complete(this, replyBytes);
    }

    /** Answers with a bare fuse_out_header carrying {@code -errno}, or without a reply if it does not fit. */
    public void replyError(int errno) {
        if (chain.writableResolvedPrefix() < FuseOutHeader.SIZE) {
            complete(0);
            return;
        }
        writer.reset(chain.writable());
        writer.u32((int) FuseOutHeader.SIZE);
        writer.u32(-errno);
        writer.u64(unique);
        complete(FuseOutHeader.SIZE);
    }

    /** Whether the request has been completed. Called under the queue's lock. */
    boolean isCompleted() {
        return completed;
    }

    /** Marks the request completed; false if it already was. Called under the queue's lock. */
    boolean markCompleted() {
        if (completed) {
            return false;
        }
        completed = true;
        return true;
    }

    /**
     * Reads and checks the header (§5.11.6.1: fuse_in_header first; its len covers exactly the
     * readable part). Returns 0 when the request can go to the handler, otherwise the errno to
     * refuse it with.
     */
    int begin() {
        completed = false;
        opcode = 0;
        unique = 0;
        nodeId = 0;
        length = 0;
        if (chain.hasFault() && !chain.faultInWritable()) {
            return FsDevice.EINVAL; // part of the request is not guest memory: its lengths cannot be trusted
        }
        if (chain.readable().totalLength() < FuseInHeader.SIZE) {
            return FsDevice.EINVAL;
        }
        reader.reset(chain.readable());
        length = Integer.toUnsignedLong(reader.u32());
        opcode = reader.u32();
        unique = reader.u64();
        nodeId = reader.u64();
        if (length != chain.readable().totalLength()) {
            return FsDevice.EINVAL; // the header's len disagrees with the buffers
        }
        if (chain.hasFault()) {
            return FsDevice.EIO; // the reply buffers are not all guest memory
        }
        return 0;
    }

    @Override
    public String toString() {
        return "FuseRequest[queue " + queue() + ", opcode " + opcode + ", unique " + unique + ", " + length + " bytes in, "
                + chain.writableBytes() + " out]";
    }
}
