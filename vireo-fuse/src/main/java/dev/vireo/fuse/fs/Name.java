package dev.vireo.fuse.fs;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A name from a request: a directory entry name (validated by the codec: not empty, no '/', at most
 * NAME_MAX bytes), or a symbolic link target. The bytes are a NUL-terminated C string in native
 * memory, ready for the {@code *at} system calls ({@link #cString()}).
 *
 * <p>A Name is a view into the worker's buffers, valid only during the call it is passed to; copy
 * it ({@link #toString()}, {@link #toBytes()}) to keep it.
 */
public final class Name {

    private MemorySegment buffer;
    private int length;

    /** Points this view at {@code length} bytes of {@code buffer}, which must hold a NUL after them. */
    public Name set(MemorySegment buffer, int length) {
        this.buffer = buffer;
        this.length = length;
        return this;
    }

    /** Length in bytes, without the NUL. */
    public int length() {
        return length;
    }

    /** Byte {@code i} of the name. */
    public byte byteAt(int i) {
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException(i);
        }
        return buffer.get(JAVA_BYTE, i);
    }

    /**
     * The name as a NUL-terminated C string: a native segment holding the name's bytes at offset 0
     * and a NUL at {@link #length()} (the segment may be longer). Pass it straight to system calls.
     */
    public MemorySegment cString() {
        return buffer;
    }

    /** Whether the name is ".". */
    public boolean isDot() {
        return length == 1 && buffer.get(JAVA_BYTE, 0) == '.';
    }

    /** Whether the name is "..". */
    public boolean isDotDot() {
        return length == 2 && buffer.get(JAVA_BYTE, 0) == '.' && buffer.get(JAVA_BYTE, 1) == '.';
    }

    /** Whether the name's bytes are {@code bytes} (false for null). */
    public boolean contentEquals(byte[] bytes) {
        if (bytes == null || bytes.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buffer.get(JAVA_BYTE, i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    /** A hash of the name's bytes (FNV-1a). */
    public int hash() {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++) {
            h = (h ^ buffer.get(JAVA_BYTE, i)) * 0x01000193;
        }
        return h;
    }

    /** Copies the name's bytes into {@code to}, which must be {@link #length()} long or longer. */
    public void copyTo(byte[] to) {
        MemorySegment.copy(buffer, JAVA_BYTE, 0, to, 0, length);
    }

    /** A copy of the bytes. */
    public byte[] toBytes() {
        return buffer.asSlice(0, length).toArray(JAVA_BYTE);
    }

    /** The name decoded as UTF-8 (a copy). */
    @Override
    public String toString() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }
}
