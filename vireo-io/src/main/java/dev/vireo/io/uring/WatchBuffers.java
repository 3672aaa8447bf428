package dev.vireo.io.uring;

import dev.vireo.sys.IoUringCalls;
import dev.vireo.sys.abi.uring.IoUring;
import dev.vireo.sys.abi.uring.IoUringBuf;
import dev.vireo.sys.abi.uring.IoUringBufReg;
import dev.vireo.sys.abi.uring.IoUringBufRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The 8-byte buffers that eventfd watches read into with IORING_OP_READ_MULTISHOT (Linux 6.7): a
 * provided-buffer ring (IORING_REGISTER_PBUF_RING, Linux 5.19). A multishot read stays armed
 * across notifications, so a watch costs no re-arm per kick; each completion names the buffer
 * it filled, whose count the engine copies out before handing the buffer straight back (a
 * release store of the ring's tail, no system call). If the kernel ever finds the ring empty
 * it ends the multishot read with ENOBUFS; the eventfd keeps its count and the engine re-arms.
 *
 * <p>Loop thread only. The ring memory must stay until the ring is unregistered, which
 * {@link #close()} does before freeing it.
 */
final class WatchBuffers implements AutoCloseable {

    /** The buffer group id in the SQE's {@code buf_group}. */
    static final int GROUP = 1;
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();

    private final int ringFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ring;
    private final MemorySegment data;
    private final int mask;
    private int tail;

    private WatchBuffers(int ringFd, int entries) {
        this.ringFd = ringFd;
        this.mask = entries - 1;
        this.ring = arena.allocate(IoUringBuf.SIZE * entries, 4096); // the kernel wants it page-aligned
        this.data = arena.allocate(8L * entries, 8);
        for (int bid = 0; bid < entries; bid++) {
            IoUringBuf.set(ring, bid * IoUringBuf.SIZE, data.address() + 8L * bid, 8, bid);
        }
        tail = entries;
        SHORT.setRelease(ring, IoUringBufRing.TAIL, (short) tail);
    }

    /**
     * Registers a ring of {@code entries} (a power of two) buffers with the ring {@code ringFd}.
     *
     * @throws dev.vireo.sys.SysException when the kernel refuses (EINVAL before Linux 5.19)
     */
    static WatchBuffers register(int ringFd, int entries) {
        WatchBuffers b = new WatchBuffers(ringFd, entries);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(IoUringBufReg.LAYOUT);
            IoUringBufReg.set(reg, b.ring.address(), entries, GROUP);
            IoUringCalls.register(ringFd, IoUring.IORING_REGISTER_PBUF_RING, reg, 1);
        } catch (RuntimeException e) {
            b.arena.close();
            throw e;
        }
        return b;
    }

    /** The count the kernel read into buffer {@code bid}. */
    long count(int bid) {
        return data.get(JAVA_LONG, 8L * (bid & mask));
    }

    /** Hands buffer {@code bid} back to the kernel. */
    void recycle(int bid) {
        bid &= mask;
        IoUringBuf.set(ring, (tail & mask) * IoUringBuf.SIZE, data.address() + 8L * bid, 8, bid);
        tail++;
        SHORT.setRelease(ring, IoUringBufRing.TAIL, (short) tail);
    }

    /** Unregisters the ring, then frees its memory. Call once no request can use it. */
    @Override
    public void close() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(IoUringBufReg.LAYOUT);
            IoUringBufReg.set(reg, 0, 0, GROUP);
            IoUringCalls.register(ringFd, IoUring.IORING_UNREGISTER_PBUF_RING, reg, 1);
        } finally {
            arena.close();
        }
    }
}
