package dev.vireo.sys.abi.uring;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct io_uring_cqe}, 16 bytes: one completion (user_data, result or -errno, flags). */
@CStruct(value = "struct io_uring_cqe", headers = "linux/io_uring.h")
public final class IoUringCqe {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"),
            JAVA_INT.withName("res"),
            JAVA_INT.withName("flags"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long USER_DATA = Layouts.offset(LAYOUT, "user_data");
    private static final long RES = Layouts.offset(LAYOUT, "res");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private IoUringCqe() {
    }

    public static long userData(MemorySegment cqes, long at) {
        return cqes.get(JAVA_LONG, at + USER_DATA);
    }

    public static int res(MemorySegment cqes, long at) {
        return cqes.get(JAVA_INT, at + RES);
    }

    public static int flags(MemorySegment cqes, long at) {
        return cqes.get(JAVA_INT, at + FLAGS);
    }
}
