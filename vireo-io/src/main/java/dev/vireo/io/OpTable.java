package dev.vireo.io;

/**
 * The loop's table of operations in flight: a fixed slab of slots, each with a generation.
 * An operation's token is {@code generation << 32 | slot}; the generation changes every time a
 * slot is freed, so a late or duplicated completion for an earlier occupant of the slot (a
 * cancelled operation's stray event, say) finds a different token and is dropped instead of
 * reaching the slot's new operation. Generations are 31 bits, so a token is never negative (the
 * io_uring engine keeps negative user_data for its own requests) and a stale token could only
 * match again after 2^31 reuses of the same slot.
 *
 * <p>Loop thread only. Allocation-free after construction.
 */
final class OpTable {

    private final Op[] ops;
    private final int[] generation;
    private final int[] free;
    private int freeCount;

    OpTable(int capacity) {
        ops = new Op[capacity];
        generation = new int[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            generation[i] = 1;
            free[i] = capacity - 1 - i; // hand out low slots first
        }
        freeCount = capacity;
    }

    /** Takes a free slot for {@code op}; -1 when the table is full. */
    int acquire(Op op) {
        if (freeCount == 0) {
            return -1;
        }
        int slot = free[--freeCount];
        ops[slot] = op;
        return slot;
    }

    /** The token of the operation in {@code slot}. */
    long token(int slot) {
        return (long) generation[slot] << 32 | slot;
    }

    /** The slot number of a token. */
    static int slot(long token) {
        return (int) token;
    }

    /** The operation that holds {@code token}, or null when the token is stale or malformed. */
    Op lookup(long token) {
        if (token < 0) {
            return null;
        }
        int slot = (int) token;
        if (slot < 0 || slot >= ops.length || generation[slot] != (int) (token >>> 32)) {
            return null;
        }
        return ops[slot];
    }

    /** Frees {@code slot}; its tokens become stale. */
    void release(int slot) {
        ops[slot] = null;
        int g = (generation[slot] + 1) & 0x7FFF_FFFF;
        generation[slot] = g == 0 ? 1 : g;
        free[freeCount++] = slot;
    }

    /** The operation in {@code slot}, or null. */
    Op at(int slot) {
        return ops[slot];
    }

    int capacity() {
        return ops.length;
    }

    int inUse() {
        return ops.length - freeCount;
    }
}
