package dev.vireo.virtio.driver;

import dev.vireo.mem.GuestMemory;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A bump allocator over one range of guest memory, as a guest driver's kmalloc: hands out aligned
 * guest addresses (zeroed) and reads/writes the bytes behind them. It never frees: a driver lays
 * out its rings and buffers once and reuses them ({@code vireo fsload}), and tests are short.
 * Blocks never straddle two memory regions.
 */
public final class GuestAllocator {

    private final GuestMemory memory;
    private final long start;
    private final long end;
    private long next;

    /** Allocates from {@code [start, end)} of {@code memory}. */
    public GuestAllocator(GuestMemory memory, long start, long end) {
        this.memory = memory;
        this.start = start;
        this.end = end;
        this.next = start;
    }

    public GuestMemory memory() {
        return memory;
    }

    /** {@code size} bytes aligned to {@code align} (a power of two), zeroed. */
    public long alloc(long size, long align) {
        long at = (next + align - 1) & -align;
        // Never straddle two regions: start the block in the next region instead.
        for (dev.vireo.mem.MemoryRegion r : memory.regions()) {
            if (r.contains(at) && at + size - 1 > r.lastAddress() && r.lastAddress() + 1 < end) {
                at = (r.lastAddress() + 1 + align - 1) & -align;
                break;
            }
        }
        if (at + size > end || at + size < at) {
            throw new IllegalStateException("test guest memory exhausted: need " + size + " at 0x" + Long.toHexString(at));
        }
        next = at + size;
        memory.slice(at, size).fill((byte) 0);
        return at;
    }

    /** {@code size} bytes, 8-aligned. */
    public long alloc(long size) {
        return alloc(size, 8);
    }

    /** A copy of {@code data} in guest memory; returns its address. */
    public long put(byte[] data) {
        long at = alloc(Math.max(1, data.length));
        write(at, data);
        return at;
    }

    /** A copy of {@code text} (UTF-8) in guest memory. */
    public long put(String text) {
        return put(text.getBytes(StandardCharsets.UTF_8));
    }

    public void write(long address, byte[] data) {
        MemorySegment.copy(data, 0, memory.slice(address, data.length), JAVA_BYTE, 0, data.length);
    }

    public byte[] read(long address, int length) {
        return memory.slice(address, length).toArray(JAVA_BYTE);
    }

    /** Bytes still free. */
    public long remaining() {
        return end - next;
    }

    /** Forgets all allocations (the memory is reused). */
    public void reset() {
        next = start;
    }

    public long start() {
        return start;
    }
}
