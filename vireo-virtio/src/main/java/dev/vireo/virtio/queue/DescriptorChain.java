package dev.vireo.virtio.queue;

import dev.vireo.mem.GuestMemory;
import dev.vireo.mem.GuestMemoryException;
import dev.vireo.mem.SgList;

/**
 * One buffer taken from a virtqueue: its device-readable part and its device-writable part as
 * scatter-gather lists over guest memory (bounds-checked views, no copies), and what the used
 * ring needs to give it back (the head index, or the packed ring's buffer id and slot count).
 *
 * <p>A chain object is reused: {@link Virtqueue#pop} refills it, so steady-state processing
 * allocates nothing. Its lists are only valid until the next pop into the same object.
 *
 * <h2>Descriptors outside guest memory</h2>
 * A descriptor whose address range is not guest memory does not break the queue: the chain's
 * structure is intact, so the device can still answer it. The chain then reports a {@link
 * #fault()}; the faulty range is left out of its lists, and {@link #lastWritableResolved()} and
 * {@link #writableResolvedPrefix()} tell a device whether its status byte (block) or reply header
 * (file system) can still be written. A device that cannot answer fails the queue instead.
 */
public final class DescriptorChain {

    /** Bytes a chain may describe in total (§2.7.5.2: "longer than 2^32 bytes in total" is forbidden). */
    static final long MAX_CHAIN_BYTES = 1L << 32;

    private final SgList readable = new SgList(4);
    private final SgList writable = new SgList(4);
    int id;
    int slots;
    private int descriptors;
    private long readableBytes;
    private long writableBytes;
    private boolean seenWritable;
    private GuestMemoryException fault;
    private boolean faultInWritable;
    private boolean lastWritableOk;
    private boolean writableFaulted;
    private long writablePrefix;

    /** An empty chain to pop into. */
    public DescriptorChain() {
    }

    /** The device-readable part, in chain order. */
    public SgList readable() {
        return readable;
    }

    /** The device-writable part, in chain order. */
    public SgList writable() {
        return writable;
    }

    /** The id the used ring returns: the head descriptor index (split) or the buffer id (packed). */
    public int id() {
        return id;
    }

    /** Descriptors in the packed ring this chain occupied (the device skips them when it marks it used); 1 for split. */
    public int slots() {
        return slots;
    }

    /** Buffer descriptors in the chain, counting those of an indirect table but not the descriptor pointing at it. */
    public int descriptorCount() {
        return descriptors;
    }

    /** Bytes the driver declared readable, including ranges left out because of a {@link #fault()}. */
    public long readableBytes() {
        return readableBytes;
    }

    /** Bytes the driver declared writable, including ranges left out because of a {@link #fault()}: the upper bound of the used length. */
    public long writableBytes() {
        return writableBytes;
    }

    /** Whether a descriptor pointed outside guest memory. */
    public boolean hasFault() {
        return fault != null;
    }

    /** The first descriptor range that is not guest memory, or null. */
    public GuestMemoryException fault() {
        return fault;
    }

    /** Whether the first faulty descriptor was device-writable. */
    public boolean faultInWritable() {
        return faultInWritable;
    }

    /** Whether the last device-writable descriptor is in {@link #writable()} (so its last byte is the chain's last writable byte). */
    public boolean lastWritableResolved() {
        return lastWritableOk;
    }

    /** Writable bytes before the first faulty writable descriptor: the part of {@link #writable()} that starts where the driver's does. */
    public long writableResolvedPrefix() {
        return writablePrefix;
    }

    /** Starts a new chain. */
    void begin() {
        readable.clear();
        writable.clear();
        id = 0;
        slots = 1;
        descriptors = 0;
        readableBytes = 0;
        writableBytes = 0;
        seenWritable = false;
        fault = null;
        faultInWritable = false;
        lastWritableOk = false;
        writableFaulted = false;
        writablePrefix = 0;
    }

    /**
     * Adds one buffer descriptor (its fields already copied out of guest memory). Enforces the
     * ordering and size rules; a range outside guest memory is recorded as a fault.
     */
    void append(GuestMemory memory, long addr, int len, boolean write) {
        long n = Integer.toUnsignedLong(len);
        if (write) {
            seenWritable = true;
        } else if (seenWritable) {
            // §2.7.4.2, §2.8.17: device-writable descriptors come after all device-readable ones.
            throw new VirtqueueException(VirtqueueException.Kind.READABLE_AFTER_WRITABLE,
                    "readable descriptor " + descriptors + " follows a writable one");
        }
        // Cannot overflow: each term is below 2^32 and the sum stays at most 2^32 + 2^32.
        if (readableBytes + writableBytes + n > MAX_CHAIN_BYTES) {
            throw new VirtqueueException(VirtqueueException.Kind.CHAIN_TOO_LARGE,
                    "chain describes more than 2^32 bytes");
        }
        descriptors++;
        if (write) {
            writableBytes += n;
        } else {
            readableBytes += n;
        }
        boolean ok = true;
        if (n != 0) {
            try {
                memory.appendTo(write ? writable : readable, addr, n);
            } catch (GuestMemoryException e) {
                ok = false;
                if (fault == null) {
                    fault = e;
                    faultInWritable = write;
                }
            }
        }
        if (write) {
            lastWritableOk = ok;
            if (!ok) {
                writableFaulted = true;
            } else if (!writableFaulted) {
                writablePrefix += n;
            }
        }
    }

    @Override
    public String toString() {
        return "DescriptorChain[id=" + id + ", " + descriptors + " descriptors, readable " + readableBytes
                + ", writable " + writableBytes + (fault != null ? ", fault: " + fault.getMessage() : "") + "]";
    }
}
