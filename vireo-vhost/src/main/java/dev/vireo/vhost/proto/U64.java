package dev.vireo.vhost.proto;

import java.lang.foreign.MemorySegment;

/** The single 64-bit integer payload (features, kick/call/err index, status, acks). */
public final class U64 {

    public static final int SIZE = 8;

    private U64() {
    }

    public static long parse(MemorySegment payload) {
        Payloads.requireSize(payload, SIZE, "u64");
        return Payloads.u64(payload, 0);
    }

    public static void write(MemorySegment payload, long value) {
        Payloads.u64(payload, 0, value);
    }
}
