package dev.vireo.io.epoll;

import dev.vireo.io.Op;
import dev.vireo.sys.Errno;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.Iovec;

import java.lang.foreign.MemorySegment;

/**
 * The system calls behind the portable engine's operations, with io_uring's result convention
 * (a count or {@code -errno}): a non-blocking try for transfers on pipes, sockets and eventfds,
 * and the blocking form the file workers run. {@code iov} is the slot's own iovec, which
 * describes a part of a larger segment without allocating a slice.
 */
final class Transfers {

    /** {@link #attempt} would have blocked. */
    static final long AGAIN = Long.MIN_VALUE;
    /** {@link #attempt}: the file refuses RWF_NOWAIT (a named pipe, a terminal). */
    static final long NO_NOWAIT = Long.MIN_VALUE + 1;
    /** Bytes a pipe reported writable accepts without waiting (pipe(7)). */
    static final long PIPE_BUF = 4096;

    private Transfers() {
    }

    /**
     * One try of a transfer at the current position. With {@code nowait}, preadv2/pwritev2 with
     * RWF_NOWAIT (sockets: MSG_DONTWAIT), which leaves the descriptor's shared O_NONBLOCK flag
     * alone. Without (a file that refuses RWF_NOWAIT, after epoll reported it ready) the plain
     * call: a read returns what the pipe or terminal holds, and a write is cut to PIPE_BUF bytes,
     * which a pipe reported writable takes without waiting; a short write is a valid result for a
     * stream. Only another process racing for the same data could make such a read wait.
     */
    static long attempt(Op op, int fd, MemorySegment iov, boolean nowait) {
        try {
            long r = switch (op.opcode()) {
                case READ, READ_FIXED, EVENTFD_WATCH -> {
                    Iovec.set(iov, 0, op.address(), op.length());
                    yield nowait ? FdCalls.tryPreadv2(fd, iov, 1, -1, FdCalls.RWF_NOWAIT) : FdCalls.readv(fd, iov, 1);
                }
                case WRITE, WRITE_FIXED -> {
                    Iovec.set(iov, 0, op.address(), nowait ? op.length() : Math.min(op.length(), PIPE_BUF));
                    yield nowait ? FdCalls.tryPwritev2(fd, iov, 1, -1, FdCalls.RWF_NOWAIT) : FdCalls.writev(fd, iov, 1);
                }
                case READV -> nowait ? FdCalls.tryPreadv2(fd, op.memory(), op.count(), -1, FdCalls.RWF_NOWAIT)
                        : FdCalls.readv(fd, op.memory(), op.count());
                case WRITEV -> {
                    if (nowait) {
                        yield FdCalls.tryPwritev2(fd, op.memory(), op.count(), -1, FdCalls.RWF_NOWAIT);
                    }
                    Iovec.set(iov, 0, Iovec.base(op.memory(), 0), Math.min(Iovec.len(op.memory(), 0), PIPE_BUF));
                    yield FdCalls.writev(fd, iov, 1);
                }
                case RECVMSG -> SocketCalls.tryRecvmsg(fd, op.memory(), op.flags());
                case SENDMSG -> SocketCalls.trySendmsg(fd, op.memory(), op.flags());
                default -> throw new IllegalStateException("not a transfer: " + op);
            };
            return r == -1 ? AGAIN : r;
        } catch (SysException e) {
            if (e.is(Errno.EAGAIN)) {
                return AGAIN; // an O_NONBLOCK descriptor on the plain path
            }
            return e.is(Errno.EOPNOTSUPP) && nowait ? NO_NOWAIT : -e.errno();
        }
    }

    /** The blocking form of an operation, run by a file worker: its result or {@code -errno}. */
    static int blocking(Op op, int fd, MemorySegment iov) {
        long off = op.offset();
        try {
            long r = switch (op.opcode()) {
                case READ, READ_FIXED -> {
                    Iovec.set(iov, 0, op.address(), op.length());
                    yield off >= 0 ? FdCalls.preadv(fd, iov, 1, off) : FdCalls.readv(fd, iov, 1);
                }
                case WRITE, WRITE_FIXED -> {
                    Iovec.set(iov, 0, op.address(), op.length());
                    yield off >= 0 ? FdCalls.pwritev(fd, iov, 1, off) : FdCalls.writev(fd, iov, 1);
                }
                case READV -> off >= 0 ? FdCalls.preadv(fd, op.memory(), op.count(), off) : FdCalls.readv(fd, op.memory(), op.count());
                case WRITEV -> off >= 0 ? FdCalls.pwritev(fd, op.memory(), op.count(), off) : FdCalls.writev(fd, op.memory(), op.count());
                case FSYNC -> {
                    if (op.flags() != 0) {
                        FdCalls.fdatasync(fd);
                    } else {
                        FdCalls.fsync(fd);
                    }
                    yield 0;
                }
                case FALLOCATE -> {
                    FdCalls.fallocate(fd, op.mode(), op.offset(), op.fallocateLength());
                    yield 0;
                }
                case OPENAT -> FsCalls.openat(fd, op.memory(), op.flags(), op.mode());
                case CLOSE -> {
                    FdCalls.close(fd);
                    yield 0;
                }
                case STATX -> {
                    FsCalls.statx(fd, op.memory(), op.flags(), op.mode(), op.auxiliary());
                    yield 0;
                }
                default -> -Errno.EINVAL.code();
            };
            return (int) r;
        } catch (SysException e) {
            return -e.errno();
        }
    }
}
