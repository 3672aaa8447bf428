package dev.vireo.io.uring;

/**
 * What vireo puts in an SQE's {@code user_data}, and so finds again in its CQE.
 *
 * <p>An operation of the loop carries its token: {@code generation << 32 | slot}, never negative
 * (see the loop's op table). The generation makes a stale CQE (for an earlier occupant of the
 * slot) miss, and an ASYNC_CANCEL aimed at a finished operation find nothing instead of
 * cancelling the slot's next operation. The engine's own requests carry negative values with a
 * kind in the low bits, so they can never be mistaken for an operation.
 */
public final class UserData {

    private static final long INTERNAL = 1L << 63;

    /** The engine's read of its wake-up eventfd. */
    public static final long WAKE = INTERNAL | 1;
    /** An IORING_OP_ASYNC_CANCEL request (its own result is not needed). */
    public static final long CANCEL = INTERNAL | 2;
    /** The IORING_OP_LINK_TIMEOUT that follows a linked operation. */
    public static final long LINK_TIMEOUT = INTERNAL | 3;

    private UserData() {
    }

    /** Whether {@code userData} belongs to the engine itself rather than to an operation. */
    public static boolean isInternal(long userData) {
        return userData < 0;
    }

    /** The slot of an operation's token. */
    public static int slot(long token) {
        return (int) token;
    }

    /** The generation of an operation's token. */
    public static int generation(long token) {
        return (int) (token >>> 32);
    }

    /** Builds an operation token. */
    public static long token(int generation, int slot) {
        if (generation <= 0 || slot < 0) {
            throw new IllegalArgumentException("generation " + generation + ", slot " + slot);
        }
        return (long) generation << 32 | slot;
    }
}
