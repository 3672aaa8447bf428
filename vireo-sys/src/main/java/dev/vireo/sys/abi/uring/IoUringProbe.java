package dev.vireo.sys.abi.uring;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_probe} (IORING_REGISTER_PROBE): a header followed by {@code ops_len}
 * {@link IoUringProbeOp} entries.
 */
@CStruct(value = "struct io_uring_probe", headers = "linux/io_uring.h")
public final class IoUringProbe {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"),
            JAVA_BYTE.withName("ops_len"),
            JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"));

    /** Entries to allocate: one per possible opcode (a u8). */
    public static final int MAX_OPS = 256;
    private static final long LAST_OP = Layouts.offset(LAYOUT, "last_op");
    private static final long OPS_LEN = Layouts.offset(LAYOUT, "ops_len");

    private IoUringProbe() {
    }

    /** Bytes for a probe with room for every opcode. */
    public static long allocationSize() {
        return Layouts.flexibleSize(LAYOUT, IoUringProbeOp.LAYOUT, MAX_OPS, MAX_OPS);
    }

    public static int lastOp(MemorySegment p) {
        return Byte.toUnsignedInt(p.get(JAVA_BYTE, LAST_OP));
    }

    public static int opsLen(MemorySegment p) {
        return Byte.toUnsignedInt(p.get(JAVA_BYTE, OPS_LEN));
    }

    /** Whether entry {@code op} says IO_URING_OP_SUPPORTED. */
    public static boolean supported(MemorySegment p, int op) {
        if (op < 0 || op >= opsLen(p)) {
            return false;
        }
        MemorySegment entry = p.asSlice(LAYOUT.byteSize() + op * IoUringProbeOp.LAYOUT.byteSize(), IoUringProbeOp.LAYOUT);
        return (IoUringProbeOp.flags(entry) & IoUring.IO_URING_OP_SUPPORTED) != 0;
    }
}
