package dev.vireo.vhost.proto;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/** Reading and writing payload fields (native byte order, as the protocol says) with size checks. */
final class Payloads {

    private Payloads() {
    }

    static void requireSize(MemorySegment payload, long expected, String what) {
        if (payload.byteSize() != expected) {
            throw new MessageException(what + " payload must be " + expected + " bytes, got " + payload.byteSize());
        }
    }

    static int u32(MemorySegment p, long offset) {
        return p.get(JAVA_INT_UNALIGNED, offset);
    }

    static long u64(MemorySegment p, long offset) {
        return p.get(JAVA_LONG_UNALIGNED, offset);
    }

    static void u32(MemorySegment p, long offset, int v) {
        p.set(JAVA_INT_UNALIGNED, offset, v);
    }

    static void u64(MemorySegment p, long offset, long v) {
        p.set(JAVA_LONG_UNALIGNED, offset, v);
    }
}
