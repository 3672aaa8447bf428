package dev.vireo.sys.abi.uring;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct io_cqring_offsets}: byte offsets of the completion ring's fields inside its mapping. */
@CStruct(value = "struct io_cqring_offsets", headers = "linux/io_uring.h")
public final class IoCqringOffsets {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("overflow"),
            JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("resv2"));

    private static final long HEAD = Layouts.offset(LAYOUT, "head");
    private static final long TAIL = Layouts.offset(LAYOUT, "tail");
    private static final long RING_MASK = Layouts.offset(LAYOUT, "ring_mask");
    private static final long RING_ENTRIES = Layouts.offset(LAYOUT, "ring_entries");
    private static final long OVERFLOW = Layouts.offset(LAYOUT, "overflow");
    private static final long CQES = Layouts.offset(LAYOUT, "cqes");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private IoCqringOffsets() {
    }

    public static int head(MemorySegment o) {
        return o.get(JAVA_INT, HEAD);
    }

    public static int tail(MemorySegment o) {
        return o.get(JAVA_INT, TAIL);
    }

    public static int ringMask(MemorySegment o) {
        return o.get(JAVA_INT, RING_MASK);
    }

    public static int ringEntries(MemorySegment o) {
        return o.get(JAVA_INT, RING_ENTRIES);
    }

    public static int overflow(MemorySegment o) {
        return o.get(JAVA_INT, OVERFLOW);
    }

    public static int cqes(MemorySegment o) {
        return o.get(JAVA_INT, CQES);
    }

    public static int flags(MemorySegment o) {
        return o.get(JAVA_INT, FLAGS);
    }
}
