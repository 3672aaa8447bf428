package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An owned memory mapping. {@link #segment()} is bounded to the mapping and tied to a shared
 * arena that this object owns: {@link #close()} unmaps, and any later access through the segment
 * (or a slice of it) throws {@link IllegalStateException} instead of touching unmapped memory.
 *
 * <p>The segment honours the mapping's protection: a mapping made without PROT_WRITE gives a
 * read-only segment. Do not take protections away with mprotect(2) under a live segment.
 *
 * <p>A segment passed to a downcall keeps the mapping alive for the duration of that call, so a
 * close racing with a synchronous read into guest memory waits for it rather than crashing.
 * Addresses handed to the kernel for later use (io_uring, KVM memory slots) are not tracked: their
 * owner must stop the kernel's use (unregister the slot, drain the ring) before closing.
 */
public final class Mapping implements AutoCloseable {

    private final Arena arena;
    private final MemorySegment segment;
    private final long length;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Mapping(long address, long length, boolean writable) {
        this.arena = Arena.ofShared();
        this.length = length;
        MemorySegment mapped = MemorySegment.ofAddress(address).reinterpret(length, arena,
                s -> MemCalls.munmap(MemorySegment.ofAddress(s.address()), length));
        // A write to a mapping without PROT_WRITE would be a SIGSEGV inside the JVM: make the
        // segment read-only so that it is an UnsupportedOperationException instead.
        this.segment = writable ? mapped : mapped.asReadOnly();
    }

    /**
     * Takes ownership of {@code length} bytes mapped at {@code address} with protection
     * {@code prot} (PROT_* bits): without PROT_WRITE the segment is read-only.
     */
    public static Mapping adopt(long address, long length, int prot) {
        return new Mapping(address, length, (prot & MemCalls.PROT_WRITE) != 0);
    }

    /** The mapped bytes; fails with IllegalStateException once closed. */
    public MemorySegment segment() {
        return segment;
    }

    /** The mapping's length in bytes. */
    public long length() {
        return length;
    }

    /** Whether the mapping is still in place. */
    public boolean isMapped() {
        return arena.scope().isAlive();
    }

    /** Unmaps. A second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "Mapping[" + length + " bytes" + (isMapped() ? " at 0x" + Long.toHexString(segment.address()) : ", unmapped") + "]";
    }
}
