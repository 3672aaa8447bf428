package dev.vireo.io.uring;

import dev.vireo.sys.Fd;
import dev.vireo.sys.IoUringCalls;
import dev.vireo.sys.Mapping;
import dev.vireo.sys.MemCalls;
import dev.vireo.sys.abi.uring.IoCqringOffsets;
import dev.vireo.sys.abi.uring.IoSqringOffsets;
import dev.vireo.sys.abi.uring.IoUring;
import dev.vireo.sys.abi.uring.IoUringCqe;
import dev.vireo.sys.abi.uring.IoUringParams;
import dev.vireo.sys.abi.uring.IoUringSqe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One io_uring instance: io_uring_setup(2), the mapped submission and completion rings (one
 * mapping for both with IORING_FEAT_SINGLE_MMAP, Linux 5.4), the mapped SQE array. Owns the ring
 * descriptor and the mappings; {@link #close()} unmaps first and closes the descriptor last
 * (Firecracker's io_uring keeps its fd field last for this order): the kernel tears the ring
 * down when the last reference goes, and the mappings hold references of their own.
 */
public final class Ring implements AutoCloseable {

    private final Fd fd;
    private final Mapping rings;
    private final Mapping cqRing;
    private final Mapping sqes;
    private final int setupFlags;
    private final int features;
    private final int sqEntries;
    private final int cqEntries;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;

    /**
     * Creates a ring of {@code entries} submission entries (rounded up to a power of two by the
     * kernel) and, when {@code cqEntries} is positive, that many completion entries
     * (IORING_SETUP_CQSIZE). {@code flags} are IORING_SETUP_* bits; {@code sqThreadIdleMillis}
     * applies with IORING_SETUP_SQPOLL.
     *
     * @throws dev.vireo.sys.SysException when the kernel refuses (EINVAL: a flag it does not
     *                                    know; ENOMEM; EPERM or ENOSYS: io_uring forbidden)
     */
    public static Ring create(int entries, int cqEntries, int flags, int sqThreadIdleMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(IoUringParams.LAYOUT);
            if (cqEntries > 0) {
                flags |= IoUring.IORING_SETUP_CQSIZE;
                IoUringParams.cqEntries(p, cqEntries);
            }
            IoUringParams.flags(p, flags);
            if ((flags & IoUring.IORING_SETUP_SQPOLL) != 0) {
                IoUringParams.sqThreadIdle(p, sqThreadIdleMillis);
            }
            Fd fd = IoUringCalls.setup(entries, p);
            try {
                return new Ring(fd, p, flags);
            } catch (RuntimeException | Error e) {
                fd.close();
                throw e;
            }
        }
    }

    private Ring(Fd fd, MemorySegment params, int flags) {
        this.fd = fd;
        this.setupFlags = flags;
        this.features = IoUringParams.features(params);
        this.sqEntries = IoUringParams.sqEntries(params);
        this.cqEntries = IoUringParams.cqEntries(params);
        MemorySegment so = IoUringParams.sqOff(params);
        MemorySegment co = IoUringParams.cqOff(params);
        long sqSize = IoSqringOffsets.array(so) + 4L * sqEntries;
        long cqSize = IoCqringOffsets.cqes(co) + IoUringCqe.SIZE * cqEntries;
        int prot = MemCalls.PROT_READ | MemCalls.PROT_WRITE;
        int map = MemCalls.MAP_SHARED | MemCalls.MAP_POPULATE;
        Mapping r = null;
        Mapping c = null;
        Mapping s = null;
        try {
            if ((features & IoUring.IORING_FEAT_SINGLE_MMAP) != 0) {
                r = MemCalls.mmap(Math.max(sqSize, cqSize), prot, map, fd.num(), IoUring.IORING_OFF_SQ_RING);
                c = r;
            } else {
                r = MemCalls.mmap(sqSize, prot, map, fd.num(), IoUring.IORING_OFF_SQ_RING);
                c = MemCalls.mmap(cqSize, prot, map, fd.num(), IoUring.IORING_OFF_CQ_RING);
            }
            s = MemCalls.mmap(IoUringSqe.SIZE * sqEntries, prot, map, fd.num(), IoUring.IORING_OFF_SQES);
        } catch (RuntimeException | Error e) {
            for (Mapping m : new Mapping[] {s, c, r}) {
                if (m != null) {
                    m.close();
                }
            }
            throw e;
        }
        this.rings = r;
        this.cqRing = c;
        this.sqes = s;
        this.sq = new SubmissionQueue(r.segment(), IoSqringOffsets.head(so), IoSqringOffsets.tail(so),
                IoSqringOffsets.ringMask(so), IoSqringOffsets.ringEntries(so), IoSqringOffsets.flags(so),
                IoSqringOffsets.dropped(so), IoSqringOffsets.array(so), s.segment());
        this.cq = new CompletionQueue(c.segment(), IoCqringOffsets.head(co), IoCqringOffsets.tail(co),
                IoCqringOffsets.ringMask(co), IoCqringOffsets.ringEntries(co), IoCqringOffsets.overflow(co),
                IoCqringOffsets.cqes(co));
    }

    /** The ring descriptor's number. */
    public int fd() {
        return fd.num();
    }

    /** The IORING_SETUP_* flags the ring was created with. */
    public int setupFlags() {
        return setupFlags;
    }

    /** The IORING_FEAT_* bits the kernel reported. */
    public int features() {
        return features;
    }

    public int sqEntries() {
        return sqEntries;
    }

    public int cqEntries() {
        return cqEntries;
    }

    public SubmissionQueue sq() {
        return sq;
    }

    public CompletionQueue cq() {
        return cq;
    }

    /** Unmaps the rings, then closes the descriptor. A second call does nothing. */
    @Override
    public void close() {
        sqes.close();
        if (cqRing != rings) {
            cqRing.close();
        }
        rings.close();
        fd.close();
    }
}
