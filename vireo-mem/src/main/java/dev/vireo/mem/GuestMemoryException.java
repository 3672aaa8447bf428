package dev.vireo.mem;

/**
 * A guest address or length that does not describe guest memory. Thrown for untrusted input
 * (descriptor addresses, ring addresses, vhost-user regions); devices turn it into an error status
 * or a broken queue, never into an access of host memory.
 */
public final class GuestMemoryException extends RuntimeException {

    /** What was wrong with the range. */
    public enum Kind {
        /** No region contains the start address. */
        INVALID_ADDRESS,
        /** address + length overflows 64 bits, or the length is negative. */
        OVERFLOW,
        /** The range starts in a region but does not end in it (and the caller needs one region). */
        CROSSES_REGION,
        /** The range runs into a hole between regions. */
        HOLE,
        /** More scatter-gather entries than the caller allows. */
        TOO_MANY_SEGMENTS
    }

    private final Kind kind;
    private final long address;
    private final long length;

    public GuestMemoryException(Kind kind, long address, long length) {
        super(kind.name().toLowerCase().replace('_', ' ') + ": guest range 0x" + Long.toHexString(address)
                + " + 0x" + Long.toHexString(length));
        this.kind = kind;
        this.address = address;
        this.length = length;
    }

    public Kind kind() {
        return kind;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }
}
