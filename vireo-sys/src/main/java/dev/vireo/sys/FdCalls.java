package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * System calls on an open file descriptor: read/write in all their forms, seeking, syncing,
 * sizing, duplicating, fcntl. Buffers are native segments (guest memory, mapped rings, off-heap
 * buffers): a heap segment is refused by the linker. Every call is restarted on EINTR except
 * {@link #close} (see {@link Native}); every failure throws {@link SysException}.
 */
@CConstants(headers = {"unistd.h", "fcntl.h", "linux/falloc.h", "limits.h", "sys/uio.h"})
public final class FdCalls {

    public static final int FALLOC_FL_COLLAPSE_RANGE = 8;
    public static final int FALLOC_FL_INSERT_RANGE = 32;
    public static final int FALLOC_FL_KEEP_SIZE = 1;
    public static final int FALLOC_FL_PUNCH_HOLE = 2;
    public static final int FALLOC_FL_UNSHARE_RANGE = 64;
    public static final int FALLOC_FL_ZERO_RANGE = 16;
    public static final int FD_CLOEXEC = 1;
    /** The most iovecs one readv/writev/preadv/pwritev call takes. */
    public static final int IOV_MAX = 1024;
    /** fcntl: set a pipe's capacity (rounded up to a power-of-two number of pages). */
    public static final int F_SETPIPE_SZ = 1031;
    public static final int F_GETPIPE_SZ = 1032;
    /** splice(2)/vmsplice(2) flags. */
    public static final int SPLICE_F_MOVE = 1;
    public static final int SPLICE_F_NONBLOCK = 2;
    public static final int SPLICE_F_MORE = 4;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_GETFD = 1;
    public static final int F_GETFL = 3;
    public static final int F_GETLK = 5;
    public static final int F_GET_SEALS = 1034;
    public static final int F_OFD_GETLK = 36;
    public static final int F_OFD_SETLK = 37;
    public static final int F_OFD_SETLKW = 38;
    public static final int F_RDLCK = 0;
    public static final int F_SEAL_GROW = 4;
    public static final int F_SEAL_SEAL = 1;
    public static final int F_SEAL_SHRINK = 2;
    public static final int F_SEAL_WRITE = 8;
    public static final int F_SETFD = 2;
    public static final int F_SETFL = 4;
    /** fcntl: take or give back a lease (fcntl(2), "Leases"); the holder is signalled when another open breaks it. */
    public static final int F_SETLEASE = 1024;
    public static final int F_SETLK = 6;
    public static final int F_SETLKW = 7;
    /** fcntl: the signal sent for I/O readiness and lease breaks instead of SIGIO. */
    public static final int F_SETSIG = 10;
    public static final int F_UNLCK = 2;
    public static final int F_WRLCK = 1;
    public static final int RWF_APPEND = 16;
    public static final int RWF_DSYNC = 2;
    public static final int RWF_HIPRI = 1;
    public static final int RWF_NOWAIT = 8;
    public static final int RWF_SYNC = 4;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_END = 2;
    public static final int SEEK_HOLE = 4;
    public static final int SEEK_SET = 0;

    // Each handle sits in its own holder class, linked when the call is first made (see Native).
    private static final class CloseCall {
        static final MethodHandle H = Native.errnoCall("close",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class ReadCall {
        static final MethodHandle H = Native.errnoCall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class WriteCall {
        static final MethodHandle H = Native.errnoCall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class PreadCall {
        static final MethodHandle H = Native.errnoCall("pread",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }
    private static final class PwriteCall {
        static final MethodHandle H = Native.errnoCall("pwrite",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }
    private static final class ReadvCall {
        static final MethodHandle H = Native.errnoCall("readv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class WritevCall {
        static final MethodHandle H = Native.errnoCall("writev",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class PreadvCall {
        static final MethodHandle H = Native.errnoCall("preadv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    }
    private static final class PwritevCall {
        static final MethodHandle H = Native.errnoCall("pwritev",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    }
    private static final class Preadv2Call {
        static final MethodHandle H = Native.errnoCall("preadv2",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
    }
    private static final class Pwritev2Call {
        static final MethodHandle H = Native.errnoCall("pwritev2",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
    }
    private static final class LseekCall {
        static final MethodHandle H = Native.errnoCall("lseek",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    }
    private static final class FsyncCall {
        static final MethodHandle H = Native.errnoCall("fsync",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class FdatasyncCall {
        static final MethodHandle H = Native.errnoCall("fdatasync",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class SyncfsCall {
        static final MethodHandle H = Native.errnoCall("syncfs",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class FtruncateCall {
        static final MethodHandle H = Native.errnoCall("ftruncate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    }
    private static final class FallocateCall {
        static final MethodHandle H = Native.errnoCall("fallocate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    }
    private static final class DupCall {
        static final MethodHandle H = Native.errnoCall("dup",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class FcntlIntCall {
        static final MethodHandle H = Native.variadicErrnoCall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    }
    private static final class FcntlPtrCall {
        static final MethodHandle H = Native.variadicErrnoCall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 2);
    }
    private static final class Pipe2Call {
        static final MethodHandle H = Native.errnoCall("pipe2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class SpliceCall {
        static final MethodHandle H = Native.errnoCall("splice",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class VmspliceCall {
        static final MethodHandle H = Native.errnoCall("vmsplice",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class CopyFileRangeCall {
        static final MethodHandle H = Native.errnoCall("copy_file_range",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private FdCalls() {
    }

    /**
     * close(2), never restarted: Linux releases the descriptor even when close reports EINTR.
     * Prefer {@link Fd#close()}, which also guards against closing twice.
     */
    public static void close(int fd) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) CloseCall.H.invokeExact(st, fd);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == -1 && Native.errno(st) != Errno.EINTR.code()) {
            throw new SysException("close", Native.errno(st), Integer.toString(fd));
        }
    }

    /**
     * read(2) on a non-blocking descriptor: returns the bytes read, or -1 when nothing is ready
     * (EAGAIN), without the cost of an exception.
     */
    public static long tryRead(int fd, MemorySegment buf) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) ReadCall.H.invokeExact(st, fd, buf, buf.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == -1 && Native.errno(st) == Errno.EAGAIN.code()) {
            return -1;
        }
        return Native.check(r, st, "read");
    }

    /**
     * readv(2) on a non-blocking descriptor: returns the bytes read (0 at end of file), or -1 when
     * nothing is ready (EAGAIN), without the cost of an exception.
     */
    public static long tryReadv(int fd, MemorySegment iov, int iovcnt) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) ReadvCall.H.invokeExact(st, fd, iov, iovcnt);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == -1 && Native.errno(st) == Errno.EAGAIN.code()) {
            return -1;
        }
        return Native.check(r, st, "readv");
    }

    /**
     * writev(2) on a non-blocking descriptor: returns the bytes written, or -1 when the descriptor
     * cannot take any now (EAGAIN), without the cost of an exception.
     */
    public static long tryWritev(int fd, MemorySegment iov, int iovcnt) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) WritevCall.H.invokeExact(st, fd, iov, iovcnt);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == -1 && Native.errno(st) == Errno.EAGAIN.code()) {
            return -1;
        }
        return Native.check(r, st, "writev");
    }

    /** Writes all of {@code buf}, looping over partial writes. */
    public static void writeFully(int fd, MemorySegment buf) {
        long done = 0;
        while (done < buf.byteSize()) {
            done += write(fd, buf.asSlice(done));
        }
    }

    /**
     * fcntl(2) lock request that returns {@code false} instead of waiting on when a signal
     * interrupts it (EINTR), so that a FUSE INTERRUPT can end a blocked SETLKW.
     */
    public static boolean fcntlLockInterruptible(int fd, int cmd, MemorySegment flock) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) FcntlPtrCall.H.invokeExact(st, fd, cmd, flock);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (Native.interrupted(r, st)) {
            return false;
        }
        Native.check(r, st, "fcntl");
        return true;
    }

    /** read(2) into {@code buf}; returns the bytes read (0 at end of file). */
    public static long read(int fd, MemorySegment buf) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) ReadCall.H.invokeExact(st, fd, buf, buf.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "read");
    }

    /** write(2) from {@code buf}; returns the bytes written (may be fewer than {@code buf.byteSize()}). */
    public static long write(int fd, MemorySegment buf) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) WriteCall.H.invokeExact(st, fd, buf, buf.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "write");
    }

    /** pread(2) into {@code buf} from file offset {@code offset}. */
    public static long pread(int fd, MemorySegment buf, long offset) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) PreadCall.H.invokeExact(st, fd, buf, buf.byteSize(), offset);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "pread");
    }

    /** pwrite(2) from {@code buf} at file offset {@code offset}. */
    public static long pwrite(int fd, MemorySegment buf, long offset) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) PwriteCall.H.invokeExact(st, fd, buf, buf.byteSize(), offset);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "pwrite");
    }

    /** readv(2): {@code iov} holds {@code iovcnt} {@link dev.vireo.sys.abi.Iovec}s. */
    public static long readv(int fd, MemorySegment iov, int iovcnt) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) ReadvCall.H.invokeExact(st, fd, iov, iovcnt);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "readv");
    }

    /** writev(2): {@code iov} holds {@code iovcnt} {@link dev.vireo.sys.abi.Iovec}s. */
    public static long writev(int fd, MemorySegment iov, int iovcnt) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) WritevCall.H.invokeExact(st, fd, iov, iovcnt);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "writev");
    }

    /** preadv(2): scatter read at {@code offset}. */
    public static long preadv(int fd, MemorySegment iov, int iovcnt, long offset) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) PreadvCall.H.invokeExact(st, fd, iov, iovcnt, offset);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "preadv");
    }

    /** pwritev(2): gather write at {@code offset}. */
    public static long pwritev(int fd, MemorySegment iov, int iovcnt, long offset) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) PwritevCall.H.invokeExact(st, fd, iov, iovcnt, offset);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "pwritev");
    }

    /**
     * preadv2(2) with {@code flags} (RWF_NOWAIT, RWF_HIPRI ...); {@code offset} -1 reads at the
     * current file position, as readv(2) does. Returns the bytes read, or -1 when the call would
     * block (EAGAIN: no data on a pipe, socket or eventfd, or RWF_NOWAIT and the data is not in
     * the page cache) without the cost of an exception; other failures throw {@link SysException}
     * (EOPNOTSUPP: the file does not support RWF_NOWAIT).
     */
    public static long tryPreadv2(int fd, MemorySegment iov, int iovcnt, long offset, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) Preadv2Call.H.invokeExact(st, fd, iov, iovcnt, offset, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == -1 && Native.errno(st) == Errno.EAGAIN.code()) {
            return -1;
        }
        return Native.check(r, st, "preadv2");
    }

    /** pwritev2(2), the writing twin of {@link #tryPreadv2}: -1 when the write would block. */
    public static long tryPwritev2(int fd, MemorySegment iov, int iovcnt, long offset, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) Pwritev2Call.H.invokeExact(st, fd, iov, iovcnt, offset, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == -1 && Native.errno(st) == Errno.EAGAIN.code()) {
            return -1;
        }
        return Native.check(r, st, "pwritev2");
    }

    /** lseek(2); {@code whence} is SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA or SEEK_HOLE. */
    public static long lseek(int fd, long offset, int whence) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) LseekCall.H.invokeExact(st, fd, offset, whence);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "lseek");
    }

    /** fsync(2). */
    public static void fsync(int fd) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FsyncCall.H.invokeExact(st, fd);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fsync");
    }

    /** fdatasync(2). */
    public static void fdatasync(int fd) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FdatasyncCall.H.invokeExact(st, fd);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fdatasync");
    }

    /** syncfs(2): flushes the file system that holds {@code fd}. */
    public static void syncfs(int fd) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) SyncfsCall.H.invokeExact(st, fd);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "syncfs");
    }

    /** ftruncate(2). */
    public static void ftruncate(int fd, long length) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FtruncateCall.H.invokeExact(st, fd, length);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "ftruncate");
    }

    /** fallocate(2); {@code mode} is 0 or FALLOC_FL_* bits. */
    public static void fallocate(int fd, int mode, long offset, long len) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FallocateCall.H.invokeExact(st, fd, mode, offset, len);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fallocate");
    }

    /** dup(2): a new descriptor for the same open file (not close-on-exec). */
    public static int dup(int fd) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) DupCall.H.invokeExact(st, fd);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "dup");
    }

    /** fcntl(2) with an integer argument (F_GETFL, F_SETFL, F_GETFD, F_SETFD, F_DUPFD_CLOEXEC, F_ADD_SEALS...). */
    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FcntlIntCall.H.invokeExact(st, fd, cmd, arg);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "fcntl");
    }

    /** fcntl(2) with a {@link dev.vireo.sys.abi.Flock} argument (F_GETLK, F_SETLK, F_OFD_*). F_SETLKW and F_OFD_SETLKW block and are restarted on EINTR; use {@link #fcntlLockInterruptible} to stop waiting on a signal. */
    public static void fcntlLock(int fd, int cmd, MemorySegment flock) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FcntlPtrCall.H.invokeExact(st, fd, cmd, flock);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fcntl");
    }

    /** copy_file_range(2) between file offsets; returns the bytes copied. */
    public static long copyFileRange(int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) CopyFileRangeCall.H.invokeExact(st, fdIn, offIn, fdOut, offOut, len, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "copy_file_range");
    }

    /** pipe2(2): fills {@code fds} (two ints) with the read and the write end. */
    public static void pipe2(MemorySegment fds, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) Pipe2Call.H.invokeExact(st, fds, flags);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "pipe2");
    }

    /**
     * splice(2): moves up to {@code len} bytes between a pipe and a file without copying them
     * through user memory; {@code offIn}/{@code offOut} point at a 64-bit offset (advanced by the
     * call) or are NULL. Returns the bytes moved, 0 at end of input.
     */
    public static long splice(int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) SpliceCall.H.invokeExact(st, fdIn, offIn, fdOut, offOut, len, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "splice");
    }

    /**
     * vmsplice(2): puts user memory into a pipe. Without SPLICE_F_GIFT the pipe refers to the
     * memory itself until it is read: the memory must stay unchanged (or be changed on purpose)
     * until then. Returns the bytes put in.
     */
    public static long vmsplice(int fd, MemorySegment iov, long nrSegs, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) VmspliceCall.H.invokeExact(st, fd, iov, nrSegs, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "vmsplice");
    }
}
