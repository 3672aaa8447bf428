package dev.vireo.vhost.proto;

import java.lang.foreign.MemorySegment;

/** A vring state description: queue index and a number (size, base, enable), 8 bytes. */
public record VringState(int index, int num) {

    public static final int SIZE = 8;

    public static VringState parse(MemorySegment payload) {
        Payloads.requireSize(payload, SIZE, "vring state");
        return new VringState(Payloads.u32(payload, 0), Payloads.u32(payload, 4));
    }

    public void write(MemorySegment payload) {
        Payloads.u32(payload, 0, index);
        Payloads.u32(payload, 4, num);
    }
}
