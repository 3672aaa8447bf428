package dev.vireo.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Ops submitted from other threads: a lock-free stack (Treiber) linked through {@link Op#next},
 * pushed by any thread with one CAS and taken whole by the loop, which reverses it into
 * submission order. Nothing is allocated per op, and a submitter never waits for the loop.
 */
final class Inbox {

    private static final VarHandle TOP;

    static {
        try {
            TOP = MethodHandles.lookup().findVarHandle(Inbox.class, "top", Op.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through TOP
    private volatile Op top;

    /** Pushes {@code op}; any thread. The CAS publishes the op's fields to the loop. */
    void push(Op op) {
        Op t;
        do {
            t = (Op) TOP.getVolatile(this);
            op.next = t;
        } while (!TOP.compareAndSet(this, t, op));
    }

    /** Whether an op waits (a volatile read: the loop's sleep handshake relies on it). */
    boolean isEmpty() {
        return TOP.getVolatile(this) == null;
    }

    /** Takes every op, oldest first, linked through {@link Op#next}; null when empty. Loop thread. */
    Op drain() {
        Op list = (Op) TOP.getAndSet(this, (Op) null);
        Op fifo = null;
        while (list != null) {
            Op n = list.next;
            list.next = fifo;
            fifo = list;
            list = n;
        }
        return fifo;
    }
}
