package dev.vireo.virtio.device;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * A device's configuration space (virtio 1.2 §2.5): a little-endian struct the device fills and
 * the driver reads at any offset and width. Reads outside the space return zeros, writes outside
 * it are dropped; the contents change only through {@link #update}, atomically with respect to
 * reads.
 */
public final class ConfigSpace {

    private final MemorySegment bytes;

    /** A zeroed space shaped like {@code layout} (owned for the life of the device). */
    public ConfigSpace(MemoryLayout layout) {
        this.bytes = Arena.ofAuto().allocate(layout);
    }

    /** Bytes of the space. */
    public int size() {
        return (int) bytes.byteSize();
    }

    /** Changes fields: {@code edit} receives the struct. */
    public synchronized void update(Consumer<MemorySegment> edit) {
        edit.accept(bytes);
    }

    /** Copies {@code [offset, offset + dst.byteSize())} into {@code dst}, zeros outside the space. */
    public synchronized void read(long offset, MemorySegment dst) {
        dst.fill((byte) 0);
        long size = bytes.byteSize();
        if (offset < 0 || offset >= size) {
            return;
        }
        long n = Math.min(dst.byteSize(), size - offset);
        MemorySegment.copy(bytes, offset, dst, 0, n);
    }

    /** Reads one byte (for diagnostics and tests). */
    public synchronized int byteAt(long offset) {
        return offset >= 0 && offset < bytes.byteSize() ? Byte.toUnsignedInt(bytes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset)) : 0;
    }
}
