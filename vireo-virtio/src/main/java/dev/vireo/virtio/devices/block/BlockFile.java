package dev.vireo.virtio.devices.block;

import dev.vireo.mem.SgList;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.Iovec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The image file behind a block device: vectored reads and writes straight between the file and
 * guest memory (preadv/pwritev over the scatter-gather list, split at IOV_MAX and resumed after
 * partial transfers), flush, and the fallocate operations behind DISCARD and WRITE_ZEROES.
 * Thread-safe: positional calls share no file offset.
 */
final class BlockFile implements AutoCloseable {

    private static final MemorySegment ZEROS = Arena.global().allocate(64 * 1024);

    private final Fd fd;
    private final long size;

    private BlockFile(Fd fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    static BlockFile open(Path image, boolean readOnly) {
        int flags = (readOnly ? FsCalls.O_RDONLY : FsCalls.O_RDWR) | FsCalls.O_CLOEXEC;
        Fd fd = Fd.adopt(FsCalls.open(image.toString(), flags, 0), image.toString());
        try {
            return new BlockFile(fd, FdCalls.lseek(fd.num(), 0, FdCalls.SEEK_END));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The file's size when opened, in bytes. */
    long size() {
        return size;
    }

    /**
     * Transfers all of {@code data} from (read) or to (write) the file at {@code offset}, using
     * {@code iov} (an array of IOV_MAX iovecs) for the calls. Returns the bytes moved; fewer than
     * asked only when a read reaches the end of the file.
     */
    long transfer(boolean write, SgList data, long offset, MemorySegment iov) {
        long total = data.totalLength();
        long done = 0;
        int entry = 0;
        long skip = 0;
        while (done < total) {
            int n = data.toIovecs(iov, entry, skip, FdCalls.IOV_MAX);
            long r = write ? FdCalls.pwritev(fd.num(), iov, n, offset + done)
                    : FdCalls.preadv(fd.num(), iov, n, offset + done);
            if (r == 0) {
                break; // end of file (reads), or a file system that wrote nothing (writes)
            }
            done += r;
            // Move (entry, skip) forward past r bytes.
            long left = r + skip;
            while (entry < data.count() && left >= data.length(entry)) {
                left -= data.length(entry);
                entry++;
            }
            skip = left;
        }
        return done;
    }

    /** fdatasync(2): makes completed writes stable (§5.2.6.2: FLUSH). */
    void flush() {
        FdCalls.fdatasync(fd.num());
    }

    /** Deallocates {@code [offset, offset + len)}; later reads return zeros (DISCARD, WRITE_ZEROES with unmap). */
    void punchHole(long offset, long len) {
        FdCalls.fallocate(fd.num(), FdCalls.FALLOC_FL_PUNCH_HOLE | FdCalls.FALLOC_FL_KEEP_SIZE, offset, len);
    }

    /**
     * Makes {@code [offset, offset + len)} read as zeros, keeping it allocated: FALLOC_FL_ZERO_RANGE
     * where the file system has it; otherwise punch a hole and allocate it again; otherwise write
     * zeros.
     */
    void writeZeroes(long offset, long len) {
        try {
            FdCalls.fallocate(fd.num(), FdCalls.FALLOC_FL_ZERO_RANGE | FdCalls.FALLOC_FL_KEEP_SIZE, offset, len);
            return;
        } catch (SysException e) {
            if (!e.is(Errno.EOPNOTSUPP)) {
                throw e;
            }
        }
        try {
            punchHole(offset, len);
            FdCalls.fallocate(fd.num(), FdCalls.FALLOC_FL_KEEP_SIZE, offset, len);
            return;
        } catch (SysException e) {
            if (!e.is(Errno.EOPNOTSUPP)) {
                throw e;
            }
        }
        long done = 0;
        while (done < len) {
            long n = Math.min(ZEROS.byteSize(), len - done);
            done += FdCalls.pwrite(fd.num(), ZEROS.asSlice(0, n), offset + done);
        }
    }

    /** A native array of IOV_MAX iovecs for one worker's transfers. */
    static MemorySegment iovecArray() {
        return Arena.ofAuto().allocate(Iovec.LAYOUT, FdCalls.IOV_MAX);
    }

    @Override
    public void close() {
        fd.close();
    }
}
