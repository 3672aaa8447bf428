package dev.vireo.io.uring;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The submission side of a ring: the SQ ring (head, tail, flags, index array) and the SQE array,
 * both mapped from the kernel.
 *
 * <p>The tail is ours: SQEs are written in place ({@link dev.vireo.sys.abi.uring.IoUringSqe}
 * accessors on {@link #sqes()}), then the tail is published with a release store so that the
 * kernel, which reads the tail with an acquire load, sees complete entries (io_uring_setup(2),
 * "Submission Queue"; liburing's {@code io_uring_smp_store_release}). The head is the kernel's:
 * read with an acquire load, only when the cached copy says the queue looks full. The index
 * array is filled once with the identity, as liburing does: SQE {@code i} sits in array slot
 * {@code i}, so submission never touches it again.
 *
 * <p>Loop thread only; nothing here allocates.
 */
public final class SubmissionQueue {

    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final MemorySegment sqes;
    private final long khead;
    private final long ktail;
    private final long kflags;
    private final long kdropped;
    private final int mask;
    private final int entries;
    private int tail;
    private int head;

    SubmissionQueue(MemorySegment ring, long headOff, long tailOff, long maskOff, long entriesOff, long flagsOff,
                    long droppedOff, long arrayOff, MemorySegment sqes) {
        this.ring = ring;
        this.sqes = sqes;
        this.khead = headOff;
        this.ktail = tailOff;
        this.kflags = flagsOff;
        this.kdropped = droppedOff;
        this.mask = ring.get(JAVA_INT, maskOff);
        this.entries = ring.get(JAVA_INT, entriesOff);
        for (int i = 0; i < entries; i++) {
            ring.set(JAVA_INT, arrayOff + 4L * i, i);
        }
        this.tail = (int) INT.getAcquire(ring, ktail);
        this.head = (int) INT.getAcquire(ring, khead);
    }

    /** The mapped SQE array; {@link #next()} returns byte offsets into it. */
    public MemorySegment sqes() {
        return sqes;
    }

    /** Number of entries. */
    public int entries() {
        return entries;
    }

    /** Whether {@code n} more SQEs can be claimed now. */
    public boolean hasRoom(int n) {
        if (entries - (tail - head) >= n) {
            return true;
        }
        head = (int) INT.getAcquire(ring, khead);
        return entries - (tail - head) >= n;
    }

    /**
     * Claims the next SQE and returns its byte offset in {@link #sqes()}; call {@link #hasRoom}
     * first. The caller must fill every field ({@code IoUringSqe.prep} does).
     */
    public long next() {
        if (!hasRoom(1)) {
            throw new IllegalStateException("submission queue full");
        }
        long at = (long) (tail & mask) * dev.vireo.sys.abi.uring.IoUringSqe.SIZE;
        tail++;
        return at;
    }

    /**
     * Makes the claimed SQEs visible to the kernel (release store of the tail) and returns how
     * many of them the kernel has not consumed yet: the {@code to_submit} of io_uring_enter(2).
     */
    public int publish() {
        INT.setRelease(ring, ktail, tail);
        return tail - (int) INT.getAcquire(ring, khead);
    }

    /**
     * The ring's flags (IORING_SQ_NEED_WAKEUP, IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN), which
     * the kernel changes at any time. {@code fenced} puts a full barrier before the read, as the
     * SQPOLL wake-up test after publishing a tail requires (liburing's {@code sq_ring_needs_enter}).
     */
    public int flags(boolean fenced) {
        if (fenced) {
            VarHandle.fullFence();
        }
        return (int) INT.getVolatile(ring, kflags);
    }

    /** SQEs the kernel dropped as invalid (a bug in vireo if ever non-zero). */
    public int dropped() {
        return (int) INT.getVolatile(ring, kdropped);
    }
}
