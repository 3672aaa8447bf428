package dev.vireo.io.uring;

import dev.vireo.sys.abi.uring.IoUringCqe;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The completion side of a ring: head (ours), tail (the kernel's), the CQE array.
 *
 * <p>The tail is read with an acquire load, so the CQEs before it are complete; each CQE is
 * copied out and the head advanced with a release store <em>before</em> its handler runs
 * (Netty's completion queue publishes the head with an ordered store for the same reason): the
 * slot is free again for the kernel even if the handler submits and enters the kernel, which
 * may post new completions.
 *
 * <p>Loop thread only; nothing here allocates.
 */
public final class CompletionQueue {

    /** Receives one CQE. */
    public interface Handler {
        void completion(long userData, int res, int flags);
    }

    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final long khead;
    private final long ktail;
    private final long koverflow;
    private final long cqes;
    private final int mask;
    private final int entries;
    private int head;

    CompletionQueue(MemorySegment ring, long headOff, long tailOff, long maskOff, long entriesOff, long overflowOff,
                    long cqesOff) {
        this.ring = ring;
        this.khead = headOff;
        this.ktail = tailOff;
        this.koverflow = overflowOff;
        this.cqes = cqesOff;
        this.mask = ring.get(JAVA_INT, maskOff);
        this.entries = ring.get(JAVA_INT, entriesOff);
        this.head = (int) INT.getAcquire(ring, khead);
    }

    /** Number of entries. */
    public int entries() {
        return entries;
    }

    /** Whether a completion is waiting. */
    public boolean ready() {
        return head != (int) INT.getAcquire(ring, ktail);
    }

    /** Hands at most {@code max} waiting completions to {@code handler}; returns how many. */
    public int drain(Handler handler, int max) {
        int tail = (int) INT.getAcquire(ring, ktail);
        int n = 0;
        while (n < max) {
            if (head == tail) {
                tail = (int) INT.getAcquire(ring, ktail);
                if (head == tail) {
                    break;
                }
            }
            long at = cqes + (long) (head & mask) * IoUringCqe.SIZE;
            long userData = IoUringCqe.userData(ring, at);
            int res = IoUringCqe.res(ring, at);
            int flags = IoUringCqe.flags(ring, at);
            head++;
            INT.setRelease(ring, khead, head);
            n++;
            handler.completion(userData, res, flags);
        }
        return n;
    }

    /** Completions the kernel dropped because the queue was full (only without IORING_FEAT_NODROP). */
    public int overflow() {
        return (int) INT.getVolatile(ring, koverflow);
    }
}
