package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct linux_dirent64}, the records getdents64(2) writes: a fixed header followed by the
 * NUL-terminated name, {@code d_reclen} bytes in all. Checked against glibc's {@code struct
 * dirent64}, which has the same header and a fixed-size name array (so only offsets are compared).
 * Read records from a buffer aligned to 8 bytes.
 */
@CStruct(value = "struct dirent64", headers = "dirent.h", checkSize = false)
public final class Dirent64 {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("d_ino"),
            JAVA_LONG.withName("d_off"),
            JAVA_SHORT.withName("d_reclen"),
            JAVA_BYTE.withName("d_type"));

    /** Offset of the name. */
    public static final long NAME = LAYOUT.byteSize();
    private static final long INO = Layouts.offset(LAYOUT, "d_ino");
    private static final long OFF = Layouts.offset(LAYOUT, "d_off");
    private static final long RECLEN = Layouts.offset(LAYOUT, "d_reclen");
    private static final long TYPE = Layouts.offset(LAYOUT, "d_type");

    private Dirent64() {
    }

    // The kernel starts every record on an 8-byte boundary of an 8-byte aligned buffer.

    public static long ino(MemorySegment buf, long at) {
        return buf.get(JAVA_LONG, at + INO);
    }

    public static long off(MemorySegment buf, long at) {
        return buf.get(JAVA_LONG, at + OFF);
    }

    public static int reclen(MemorySegment buf, long at) {
        return Short.toUnsignedInt(buf.get(JAVA_SHORT, at + RECLEN));
    }

    public static int type(MemorySegment buf, long at) {
        return Byte.toUnsignedInt(buf.get(JAVA_BYTE, at + TYPE));
    }
}
