package dev.vireo.vhost.proto;

import java.lang.foreign.MemorySegment;

/**
 * A virtio device config space access (GET_CONFIG, SET_CONFIG): offset, size, flags, then
 * {@code size} bytes. The range must lie inside {@link VhostUser#MAX_CONFIG_SIZE} and the payload
 * must be exactly {@code 12 + size} bytes. {@code data} is a view of the message payload.
 */
public record ConfigAccess(int offset, int size, int flags, MemorySegment data) {

    public static final int HEADER = 12;
    /** flags value 1: the access is part of a live migration (read-only fields may be written). */
    public static final int FLAG_MIGRATION = 1;

    public static ConfigAccess parse(MemorySegment payload) {
        if (payload.byteSize() < HEADER) {
            throw new MessageException("config payload of " + payload.byteSize() + " bytes");
        }
        int offset = Payloads.u32(payload, 0);
        int size = Payloads.u32(payload, 4);
        int flags = Payloads.u32(payload, 8);
        if (offset < 0 || size < 0 || offset > VhostUser.MAX_CONFIG_SIZE || size > VhostUser.MAX_CONFIG_SIZE - offset) {
            throw new MessageException("config access at " + Integer.toUnsignedString(offset) + " of "
                    + Integer.toUnsignedString(size) + " bytes outside the " + VhostUser.MAX_CONFIG_SIZE + "-byte space");
        }
        Payloads.requireSize(payload, HEADER + (long) size, "config");
        return new ConfigAccess(offset, size, flags, payload.asSlice(HEADER, size));
    }

    /** Writes the access header; the data follows at offset 12. */
    public static void writeHeader(MemorySegment payload, int offset, int size, int flags) {
        Payloads.u32(payload, 0, offset);
        Payloads.u32(payload, 4, size);
        Payloads.u32(payload, 8, flags);
    }
}
