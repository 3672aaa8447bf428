package dev.vireo.sys.abi.uring;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct io_uring_probe_op}: one opcode's entry in a probe. */
@CStruct(value = "struct io_uring_probe_op", headers = "linux/io_uring.h")
public final class IoUringProbeOp {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"),
            JAVA_BYTE.withName("resv"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2"));

    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private IoUringProbeOp() {
    }

    public static int flags(MemorySegment op) {
        return Short.toUnsignedInt(op.get(JAVA_SHORT, FLAGS));
    }
}
