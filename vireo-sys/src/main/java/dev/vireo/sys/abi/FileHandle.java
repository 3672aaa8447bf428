package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct file_handle} for name_to_handle_at(2)/open_by_handle_at(2): a header followed by
 * {@code handle_bytes} opaque bytes (at most {@link #MAX_HANDLE_SZ}).
 */
@CStruct(value = "struct file_handle", headers = "fcntl.h")
public final class FileHandle {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("handle_bytes"),
            JAVA_INT.withName("handle_type"));

    /** MAX_HANDLE_SZ of the kernel (include/linux/exportfs.h): the largest handle a file system returns. */
    public static final int MAX_HANDLE_SZ = 128;
    /** Bytes to allocate for any handle. */
    public static final long MAX_SIZE = LAYOUT.byteSize() + MAX_HANDLE_SZ;
    private static final long BYTES = Layouts.offset(LAYOUT, "handle_bytes");
    private static final long TYPE = Layouts.offset(LAYOUT, "handle_type");

    private FileHandle() {
    }

    public static int handleBytes(MemorySegment h) {
        return h.get(JAVA_INT, BYTES);
    }

    public static void handleBytes(MemorySegment h, int n) {
        h.set(JAVA_INT, BYTES, n);
    }

    public static int handleType(MemorySegment h) {
        return h.get(JAVA_INT, TYPE);
    }

    /** The opaque handle bytes. */
    public static MemorySegment handle(MemorySegment h) {
        return h.asSlice(LAYOUT.byteSize(), handleBytes(h));
    }
}
