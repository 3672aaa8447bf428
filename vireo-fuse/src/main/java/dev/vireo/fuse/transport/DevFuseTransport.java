package dev.vireo.fuse.transport;

import dev.vireo.fuse.session.Dispatcher;
import dev.vireo.fuse.session.Session;
import dev.vireo.mem.SgList;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.sys.ThreadCalls;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseOutHeader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The /dev/fuse transport: N platform threads, each blocking in read(2) on its own descriptor of
 * the connection (the session's, or a clone made with FUSE_DEV_IOC_CLONE, so that each thread has
 * its own processing queue in the kernel), each handing what it reads to its own
 * {@link Dispatcher} and writing the reply with one writev(2) from its reply buffer.
 *
 * <p>Framing: one read(2) returns exactly one request; its length is the header's {@code len}.
 * Buffers: a request buffer of max_write plus 4 KiB (the kernel refuses reads into less than
 * {@code sizeof(fuse_in_header) + sizeof(fuse_write_in) + max_write}) and a reply buffer of the
 * same size per thread, allocated once.
 *
 * <p>End of service: read(2) failing with ENODEV (unmounted) or ECONNABORTED (aborted) ends a
 * thread; when all have ended, {@link #awaitTermination} returns. ENOENT (a request the kernel
 * withdrew, interrupted before it was read) is retried; a reply that fails with ENOENT (the request
 * was aborted or interrupted meanwhile) is dropped, as the kernel no longer waits for it.
 *
 * <p>This class is the only place that knows /dev/fuse framing and threading; the protocol code
 * sees {@link Exchange}s. An io_uring engine can replace the blocking reads without touching it.
 */
public final class DevFuseTransport implements AutoCloseable {

    private static final Log LOG = Log.of("fuse");

    private final Session session;
    private final Arena arena = Arena.ofShared();
    private final List<Worker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch finished;

    private DevFuseTransport(Session session, int threadCount) {
        this.session = session;
        this.finished = new CountDownLatch(threadCount);
    }

    /**
     * Starts {@code threadCount} threads serving {@code session} on the connection of
     * {@code device} (the descriptor a {@link FuseMount} opened; it stays owned by the caller).
     */
    public static DevFuseTransport start(Session session, Fd device, int threadCount) {
        if (threadCount < 1 || threadCount > 1024) {
            throw new IllegalArgumentException("threads " + threadCount + " outside [1, 1024]");
        }
        DevFuseTransport t = new DevFuseTransport(session, threadCount);
        int bufferSize = session.config().maxWrite() + 4096;
        try {
            for (int i = 0; i < threadCount; i++) {
                Fd fd = i == 0 ? null : cloneOf(device);
                t.workers.add(new Worker(t, i == 0 ? device : fd, fd != null, bufferSize));
            }
        } catch (RuntimeException e) {
            t.closeDescriptors();
            t.arena.close();
            throw e;
        }
        for (Worker w : t.workers) {
            Thread th = Thread.ofPlatform().name("vireo-fuse-" + t.threads.size()).daemon(true).unstarted(w);
            t.threads.add(th);
        }
        t.threads.forEach(Thread::start);
        return t;
    }

    /** A new descriptor of the same connection: open /dev/fuse, then FUSE_DEV_IOC_CLONE. */
    private static Fd cloneOf(Fd device) {
        Fd fd = Fd.adopt(FsCalls.open("/dev/fuse", FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), "/dev/fuse clone");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(JAVA_INT);
            src.set(JAVA_INT, 0, device.num());
            Ioctl.ioctl(fd.num(), Fuse.FUSE_DEV_IOC_CLONE, src, "FUSE_DEV_IOC_CLONE");
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Number of serving threads. */
    public int threads() {
        return workers.size();
    }

    /** Waits until every thread has ended (the connection is gone); false on timeout. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Waits until every thread has ended. */
    public void awaitTermination() throws InterruptedException {
        finished.await();
    }

    /**
     * Waits for the threads to end (call after the mount is gone), then frees the buffers and the
     * cloned descriptors. Does not close the session's own descriptor (the {@link FuseMount}'s).
     */
    @Override
    public void close() {
        try {
            if (!finished.await(30, TimeUnit.SECONDS)) {
                LOG.warn("FUSE threads still running 30 s after the connection should have ended");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        closeDescriptors();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private void closeDescriptors() {
        for (Worker w : workers) {
            w.closePipe();
            if (w.owned) {
                w.fd.close();
            }
        }
    }

    /** One thread: its descriptor, buffers, dispatcher; it is also the exchange of its current request. */
    private static final class Worker implements Runnable, Exchange {

        private final DevFuseTransport transport;
        private final Fd fd;
        private final boolean owned;
        private final Dispatcher dispatcher;
        private final MemorySegment requestBuffer;
        private final MemorySegment replyBuffer;
        private final MemorySegment iov;
        private final SgList request = new SgList(1);
        private final SgList reply;
        // READ replies spliced from the file: header (vmspliced) and data go through this pipe.
        private final MemorySegment pipeFds;
        private final MemorySegment spliceOffset;
        private final int wantedPipeSize;
        private int pipeRead = -1;
        private int pipeWrite = -1;
        private long pipeCapacity;

        Worker(DevFuseTransport transport, Fd fd, boolean owned, int bufferSize) {
            this.transport = transport;
            this.fd = fd;
            this.owned = owned;
            this.dispatcher = transport.session.newDispatcher();
            this.requestBuffer = transport.arena.allocate(bufferSize, 4096);
            this.replyBuffer = transport.arena.allocate(bufferSize, 4096);
            this.iov = transport.arena.allocate(Iovec.LAYOUT);
            this.reply = SgList.of(replyBuffer);
            this.pipeFds = transport.arena.allocate(JAVA_INT, 2);
            this.spliceOffset = transport.arena.allocate(JAVA_LONG);
            this.wantedPipeSize = bufferSize;
            openPipe();
        }

        /**
         * A pipe as large as a reply, if the system allows (pipe-max-size, 1 MiB by default; larger
         * needs CAP_SYS_RESOURCE). Without a pipe, READ replies are read and written instead.
         */
        private void openPipe() {
            try {
                FdCalls.pipe2(pipeFds, FsCalls.O_CLOEXEC);
                pipeRead = pipeFds.get(JAVA_INT, 0);
                pipeWrite = pipeFds.get(JAVA_INT, 4);
                try {
                    pipeCapacity = FdCalls.fcntl(pipeWrite, FdCalls.F_SETPIPE_SZ, wantedPipeSize);
                } catch (SysException e) {
                    pipeCapacity = FdCalls.fcntl(pipeWrite, FdCalls.F_SETPIPE_SZ, 1 << 20);
                }
            } catch (SysException e) {
                LOG.debug("no pipe for splicing READ replies: %s", e.getMessage());
                closePipe();
            }
        }

        void closePipe() {
            if (pipeRead >= 0) {
                FdCalls.close(pipeRead);
                FdCalls.close(pipeWrite);
            }
            pipeRead = -1;
            pipeWrite = -1;
            pipeCapacity = 0;
        }

        @Override
        public boolean canTakeFileData(long size) {
            // A pipe holds whole pages: one for the header, the rest for the data.
            return pipeWrite >= 0 && size + 4096 <= pipeCapacity;
        }

        /**
         * libfuse's way: the header is vmspliced (the pipe refers to its memory), the data spliced
         * from the file, then the header's length is set (through that memory) and the whole reply
         * spliced into /dev/fuse, which takes it in one piece. The data never enters user memory.
         */
        @Override
        public long completeWithFile(MemorySegment header, int file, long offset, long size) {
            Iovec.set(iov, 0, header.address(), FuseOutHeader.SIZE);
            long total = 0;
            try {
                FdCalls.vmsplice(pipeWrite, iov, 1, 0);
                spliceOffset.set(JAVA_LONG, 0, offset);
                while (total < size) {
                    long n = FdCalls.splice(file, spliceOffset, pipeWrite, MemorySegment.NULL, size - total, 0);
                    if (n == 0) {
                        break;
                    }
                    total += n;
                }
            } catch (SysException e) {
                // Nothing was sent: start over with an empty pipe; the caller answers the error.
                closePipe();
                openPipe();
                throw e;
            }
            FuseOutHeader.len(header, (int) (FuseOutHeader.SIZE + total));
            try {
                long sent = FdCalls.splice(pipeRead, MemorySegment.NULL, fd.num(), MemorySegment.NULL,
                        FuseOutHeader.SIZE + total, 0);
                if (sent != FuseOutHeader.SIZE + total) {
                    LOG.warn("spliced %d of a %d byte reply", sent, FuseOutHeader.SIZE + total);
                    closePipe();
                    openPipe();
                }
            } catch (SysException e) {
                // The request was interrupted or the connection ended: the kernel waits for nothing.
                LOG.debug("spliced reply dropped: %s", e.getMessage());
                closePipe();
                openPipe();
            } catch (IllegalStateException e) {
                closePipe();
            }
            return total;
        }

        @Override
        public void run() {
            ThreadCalls.setName(Thread.currentThread().getName());
            try {
                serve();
            } catch (RuntimeException | Error e) {
                LOG.warn("FUSE thread %s stopped: %s", Thread.currentThread().getName(), e);
            } finally {
                transport.finished.countDown();
            }
        }

        private void serve() {
            while (serveOne()) {
                // each request in a call of its own: see serveOne
            }
        }

        /**
         * Reads and answers one request; false once the connection has ended. A method of its own
         * so that C2 compiles it whole rather than only on-stack inside serve()'s endless loop
         * (an OSR compilation can keep the JDK's 40-byte errno-capture slice per read; see
         * EventLoop.turn in vireo-io).
         */
        private boolean serveOne() {
            long n;
            try {
                n = FdCalls.read(fd.num(), requestBuffer);
            } catch (SysException e) {
                if (e.is(Errno.ENOENT) || e.is(Errno.EAGAIN)) {
                    return true;
                }
                if (e.is(Errno.ENODEV) || e.is(Errno.ECONNABORTED)) {
                    LOG.debug("connection ended (%s)", e.error());
                    return false;
                }
                throw e;
            }
            if (n == 0) {
                return false;
            }
            request.clear();
            request.add(requestBuffer, 0, n);
            dispatcher.dispatch(this);
            return true;
        }

        @Override
        public SgList request() {
            return request;
        }

        @Override
        public SgList reply() {
            return reply;
        }

        @Override
        public void complete(long replyLength) {
            if (replyLength > 0) {
                write(fd, iov, replyBuffer, replyLength);
            }
        }

        @Override
        public Exchange detach(int maxReply) {
            return new Detached(fd, maxReply);
        }
    }

    /** Writes one reply; a request the kernel no longer waits for (ENOENT) or a closed connection is not an error. */
    static void write(Fd fd, MemorySegment iov, MemorySegment buffer, long length) {
        Iovec.set(iov, 0, buffer.address(), length);
        try {
            FdCalls.writev(fd.num(), iov, 1);
        } catch (SysException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENODEV) || e.is(Errno.ECONNABORTED)) {
                LOG.debug("reply dropped: %s", e.getMessage());
                return;
            }
            LOG.warn("writing a reply of %d bytes failed: %s", length, e.getMessage());
        } catch (IllegalStateException e) {
            LOG.debug("reply after the descriptor was closed: %s", e.getMessage());
        }
    }

    /**
     * A detached request's exchange: its own small reply buffer (the worker's is reused at once),
     * written to the descriptor the request came from (each clone has its own processing queue).
     */
    private static final class Detached implements Exchange {

        private final Fd fd;
        private final MemorySegment buffer;
        private final MemorySegment iov;
        private final SgList reply;

        Detached(Fd fd, int size) {
            this.fd = fd;
            // Freed by the GC once the reply is written: the kernel keeps no reference after writev.
            Arena auto = Arena.ofAuto();
            this.buffer = auto.allocate(size, 8);
            this.iov = auto.allocate(Iovec.LAYOUT);
            this.reply = SgList.of(buffer);
        }

        @Override
        public SgList request() {
            throw new IllegalStateException("the request of a detached exchange is gone");
        }

        @Override
        public SgList reply() {
            return reply;
        }

        @Override
        public void complete(long replyLength) {
            if (replyLength > 0) {
                write(fd, iov, buffer, replyLength);
            }
        }

        @Override
        public Exchange detach(int maxReply) {
            throw new IllegalStateException("already detached");
        }
    }
}
