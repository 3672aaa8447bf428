package dev.vireo.io;

/**
 * A FIFO of ops linked through {@link Op#next}: the loop's queue of ops waiting for room and its
 * list of completions it delivers itself. An op is in at most one list (or the {@link Inbox}) at
 * a time, so the links cost no allocation. Loop thread only.
 */
final class OpList {

    private Op head;
    private Op tail;

    boolean isEmpty() {
        return head == null;
    }

    void add(Op op) {
        op.next = null;
        if (tail == null) {
            head = op;
        } else {
            tail.next = op;
        }
        tail = op;
    }

    /** Puts {@code op} back at the front (an op taken with {@link #poll} that could not be issued). */
    void addFirst(Op op) {
        op.next = head;
        head = op;
        if (tail == null) {
            tail = op;
        }
    }

    /** Removes and returns the first op, or null. */
    Op poll() {
        Op op = head;
        if (op != null) {
            head = op.next;
            op.next = null;
            if (head == null) {
                tail = null;
            }
        }
        return op;
    }

    /** Removes {@code op}; false when it is not in this list. */
    boolean remove(Op op) {
        Op prev = null;
        for (Op o = head; o != null; prev = o, o = o.next) {
            if (o == op) {
                if (prev == null) {
                    head = o.next;
                } else {
                    prev.next = o.next;
                }
                if (tail == o) {
                    tail = prev;
                }
                o.next = null;
                return true;
            }
        }
        return false;
    }

    /**
     * Empties the list and returns its former first op; the rest follow through {@link Op#next}.
     * Ops added meanwhile go to the (new, empty) list.
     */
    Op takeAll() {
        Op h = head;
        head = null;
        tail = null;
        return h;
    }
}
