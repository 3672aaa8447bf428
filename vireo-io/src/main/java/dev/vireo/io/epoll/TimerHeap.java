package dev.vireo.io.epoll;

import java.util.Arrays;

/**
 * Deadlines of the portable engine's timers (TIMEOUT operations and link timeouts), at most one
 * per slot: a binary min-heap of slots ordered by deadline ({@link System#nanoTime()} values,
 * compared by difference so that the clock may wrap), then by insertion, so that timers with
 * equal deadlines fire in the order they were set. Removal by slot is O(log n) through a
 * position index. Loop thread only; allocation-free after construction.
 */
final class TimerHeap {

    private final long[] deadline;
    private final long[] order;
    private final int[] heap;
    private final int[] pos;
    private int size;
    private long nextOrder;

    TimerHeap(int capacity) {
        deadline = new long[capacity];
        order = new long[capacity];
        heap = new int[capacity];
        pos = new int[capacity];
        Arrays.fill(pos, -1);
    }

    /** Sets the timer of {@code slot} (which must have none) to {@code deadlineNanos}. */
    void add(int slot, long deadlineNanos) {
        if (pos[slot] >= 0) {
            throw new IllegalStateException("slot " + slot + " already has a timer");
        }
        deadline[slot] = deadlineNanos;
        order[slot] = nextOrder++;
        heap[size] = slot;
        pos[slot] = size;
        up(size++);
    }

    /** Removes the timer of {@code slot}; false when it has none. */
    boolean remove(int slot) {
        int i = pos[slot];
        if (i < 0) {
            return false;
        }
        pos[slot] = -1;
        int last = heap[--size];
        if (i < size) {
            heap[i] = last;
            pos[last] = i;
            down(i);
            up(pos[last]);
        }
        return true;
    }

    boolean contains(int slot) {
        return pos[slot] >= 0;
    }

    int size() {
        return size;
    }

    /** The slot whose timer expires first; call only when {@link #size()} is positive. */
    int first() {
        return heap[0];
    }

    /** The earliest deadline; call only when {@link #size()} is positive. */
    long firstDeadline() {
        return deadline[heap[0]];
    }

    /** Removes and returns the slot whose timer expires first. */
    int poll() {
        int slot = heap[0];
        remove(slot);
        return slot;
    }

    private boolean before(int a, int b) {
        long d = deadline[a] - deadline[b];
        return d < 0 || d == 0 && order[a] < order[b];
    }

    private void up(int i) {
        int slot = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int p = heap[parent];
            if (!before(slot, p)) {
                break;
            }
            heap[i] = p;
            pos[p] = i;
            i = parent;
        }
        heap[i] = slot;
        pos[slot] = i;
    }

    private void down(int i) {
        int slot = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child])) {
                child++;
            }
            int c = heap[child];
            if (!before(c, slot)) {
                break;
            }
            heap[i] = c;
            pos[c] = i;
            i = child;
        }
        heap[i] = slot;
        pos[slot] = i;
    }
}
