package dev.vireo.virtio.devices.fs;

import dev.vireo.mem.SgList;
import dev.vireo.mem.SgReader;
import dev.vireo.mem.SgWriter;
import dev.vireo.sys.Errno;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseInHeader;
import dev.vireo.sys.abi.fuse.FuseOutHeader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A very small FUSE server for the virtio-fs device tests, standing in for vireo-fuse's dispatcher:
 * INIT, GETATTR, READ and WRITE of one host file (through preadv/pwritev straight between the file
 * and guest memory), FORGET; anything else ENOSYS. Optionally completes on an executor, as an
 * asynchronous dispatcher would.
 */
final class TinyFuseServer implements FuseRequestHandler {

    private final int fd;
    private final ExecutorService async;
    final AtomicInteger forgets = new AtomicInteger();
    final AtomicInteger handled = new AtomicInteger();

    TinyFuseServer(int fd, ExecutorService async) {
        this.fd = fd;
        this.async = async;
    }

    @Override
    public void handle(FuseRequest r) {
        handled.incrementAndGet();
        if (async != null) {
            async.execute(() -> serve(r));
        } else {
            serve(r);
        }
    }

    private void serve(FuseRequest r) {
        // Scratch objects per call: this is test code, not the hot path.
        SgReader in = new SgReader().reset(r.in());
        in.skip(FuseInHeader.SIZE);
        SgWriter out = new SgWriter().reset(r.out());
        switch (r.opcode()) {
            case Fuse.FUSE_INIT -> {
                int major = in.u32();
                int minor = in.u32();
                if (out.remaining() < 16 + 64) {
                    r.replyError(Errno.EINVAL.code());
                    return;
                }
                header(out, 16 + 64, 0, r.unique());
                out.u32(major);
                out.u32(Math.min(minor, 31));
                out.u32(128 * 1024); // max_readahead
                out.u32(0); // flags
                out.u16(16); // max_background
                out.u16(12); // congestion_threshold
                out.u32(128 * 1024); // max_write
                out.zeros(64 - 20);
                r.complete(16 + 64);
            }
            case Fuse.FUSE_GETATTR -> {
                header(out, 16 + 104, 0, r.unique());
                out.u64(1); // attr_valid
                out.u32(0);
                out.u32(0);
                out.u64(r.nodeId()); // fuse_attr.ino
                out.u64(FdCalls.lseek(fd, 0, FdCalls.SEEK_END)); // size
                out.zeros(88 - 16 - 24);
                out.u32(0100644); // mode at offset 60 of fuse_attr
                out.zeros(88 - 64);
                r.complete(16 + 104);
            }
            case Fuse.FUSE_READ -> {
                in.u64(); // fh
                long offset = in.u64();
                int size = in.u32();
                long room = out.remaining() - FuseOutHeader.SIZE;
                long n = Math.min(Integer.toUnsignedLong(size), Math.max(0, room));
                out.skip(FuseOutHeader.SIZE);
                SgList data = new SgList(4);
                out.sliceTo(n, data);
                long got = transfer(false, data, offset);
                SgWriter h = new SgWriter().reset(r.out());
                header(h, 16 + got, 0, r.unique());
                r.complete(16 + got);
            }
            case Fuse.FUSE_WRITE -> {
                in.u64(); // fh
                long offset = in.u64();
                int size = in.u32();
                in.skip(40 - 20); // write_flags, lock_owner, flags, padding
                if (Integer.toUnsignedLong(size) != in.remaining()) {
                    r.replyError(Errno.EINVAL.code());
                    return;
                }
                SgList data = new SgList(4);
                in.sliceTo(size, data);
                long put = transfer(true, data, offset);
                header(out, 16 + 8, 0, r.unique());
                out.u32((int) put);
                out.u32(0);
                r.complete(16 + 8);
            }
            case Fuse.FUSE_FORGET -> {
                forgets.incrementAndGet();
                r.complete(0);
            }
            default -> r.replyError(Errno.ENOSYS.code());
        }
    }

    private static void header(SgWriter out, long len, int error, long unique) {
        out.u32((int) len);
        out.u32(error);
        out.u64(unique);
    }

    private long transfer(boolean write, SgList data, long offset) {
        if (data.count() == 0) {
            return 0;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(Iovec.LAYOUT, data.count());
            int n = data.toIovecs(iov, 0);
            return write ? FdCalls.pwritev(fd, iov, n, offset) : FdCalls.preadv(fd, iov, n, offset);
        }
    }
}
