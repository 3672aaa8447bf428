package dev.vireo.io;

/**
 * The operations an {@link Op} can carry. Each maps to one io_uring opcode (named in brackets);
 * the portable engine performs the same operation with ordinary system calls. Results follow the
 * io_uring convention: a non-negative value on success, {@code -errno} on failure.
 */
public enum OpCode {
    /** Does nothing; completes with 0 [IORING_OP_NOP]. Used to run tasks on the loop thread. */
    NOP,
    /** read(2)/pread(2) into one buffer; result = bytes read, 0 at end of file [IORING_OP_READ]. */
    READ,
    /** write(2)/pwrite(2) from one buffer; result = bytes written [IORING_OP_WRITE]. */
    WRITE,
    /** readv(2)/preadv(2) into an iovec array [IORING_OP_READV]. */
    READV,
    /** writev(2)/pwritev(2) from an iovec array [IORING_OP_WRITEV]. */
    WRITEV,
    /** READ into a registered buffer [IORING_OP_READ_FIXED]. */
    READ_FIXED,
    /** WRITE from a registered buffer [IORING_OP_WRITE_FIXED]. */
    WRITE_FIXED,
    /** Waits for poll(2) events; result = the events that fired [IORING_OP_POLL_ADD], multishot optional. */
    POLL,
    /** Completes with {@code -ETIME} after a delay [IORING_OP_TIMEOUT]. */
    TIMEOUT,
    /** fsync(2) or fdatasync(2); result 0 [IORING_OP_FSYNC]. */
    FSYNC,
    /** fallocate(2); result 0 [IORING_OP_FALLOCATE]. */
    FALLOCATE,
    /** openat(2); result = the new descriptor, owned by the caller [IORING_OP_OPENAT]. */
    OPENAT,
    /** close(2); result 0 [IORING_OP_CLOSE]. */
    CLOSE,
    /** statx(2) into a struct statx; result 0 [IORING_OP_STATX]. */
    STATX,
    /** sendmsg(2) with a struct msghdr; result = bytes sent [IORING_OP_SENDMSG]. */
    SENDMSG,
    /** recvmsg(2) into a struct msghdr; result = bytes received [IORING_OP_RECVMSG]. */
    RECVMSG,
    /**
     * The eventfd read behind {@link EventLoop#watch}: reads the 8-byte counter each time the
     * eventfd is signalled, completing with 8 and {@link Op#hasMore()} until cancelled
     * [IORING_OP_READ, re-armed by the engine].
     */
    EVENTFD_WATCH;

    /** Whether the operation moves data from memory to a descriptor. */
    public boolean isWrite() {
        return this == WRITE || this == WRITEV || this == WRITE_FIXED || this == SENDMSG;
    }

    /** Whether the operation is a data transfer on a descriptor (read, write and their variants, send, receive). */
    public boolean isTransfer() {
        return switch (this) {
            case READ, WRITE, READV, WRITEV, READ_FIXED, WRITE_FIXED, SENDMSG, RECVMSG -> true;
            default -> false;
        };
    }
}
