package dev.vireo.vhost.proto;

import java.lang.foreign.MemorySegment;

/**
 * A vring address description (SET_VRING_ADDR), 40 bytes. The three ring addresses are the
 * front-end's <em>user</em> (virtual) addresses, translated through the memory table's
 * user_addr fields; {@code log} is a guest address used only for dirty logging.
 */
public record VringAddress(int index, int flags, long descUser, long usedUser, long availUser, long log) {

    public static final int SIZE = 40;
    /** flags bit 0: log writes to the used ring (VHOST_VRING_F_LOG). */
    public static final int F_LOG = 1;

    public static VringAddress parse(MemorySegment payload) {
        Payloads.requireSize(payload, SIZE, "vring address");
        return new VringAddress(Payloads.u32(payload, 0), Payloads.u32(payload, 4), Payloads.u64(payload, 8),
                Payloads.u64(payload, 16), Payloads.u64(payload, 24), Payloads.u64(payload, 32));
    }

    public void write(MemorySegment payload) {
        Payloads.u32(payload, 0, index);
        Payloads.u32(payload, 4, flags);
        Payloads.u64(payload, 8, descUser);
        Payloads.u64(payload, 16, usedUser);
        Payloads.u64(payload, 24, availUser);
        Payloads.u64(payload, 32, log);
    }
}
