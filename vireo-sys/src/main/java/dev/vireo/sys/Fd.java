package dev.vireo.sys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An owned file descriptor. The owner closes it once; {@link #close()} is idempotent, and any use
 * after close fails with a clear {@link IllegalStateException} instead of touching whatever
 * descriptor the number has since been given to.
 *
 * <p>Ownership rules: whoever holds the {@code Fd} closes it. {@link #release()} hands the raw
 * number to new owner (for example the kernel, through SCM_RIGHTS, or another {@code Fd}). A
 * mapping made from a descriptor ({@link Mapping}) does not depend on it: the mapping stays valid
 * after the descriptor is closed, as mmap(2) specifies.
 */
public final class Fd implements AutoCloseable {

    private static final VarHandle NUMBER;

    static {
        try {
            NUMBER = MethodHandles.lookup().findVarHandle(Fd.class, "number", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through NUMBER
    private volatile int number;
    private final String what;

    private Fd(int number, String what) {
        if (number < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + number);
        }
        this.number = number;
        this.what = what;
    }

    /** Takes ownership of {@code number}; {@code what} names it in messages (a path, "eventfd"). */
    public static Fd adopt(int number, String what) {
        return new Fd(number, what);
    }

    /** The descriptor's number. Throws {@link IllegalStateException} once closed or released. */
    public int num() {
        int n = number;
        if (n < 0) {
            throw new IllegalStateException(this + ": file descriptor already closed");
        }
        return n;
    }

    /** Whether the descriptor is still owned by this object. */
    public boolean isOpen() {
        return number >= 0;
    }

    /** What the descriptor refers to, as given when it was adopted. */
    public String what() {
        return what;
    }

    /** Gives up ownership without closing: the caller now owns the returned number. */
    public int release() {
        int n = (int) NUMBER.getAndSet(this, -1);
        if (n < 0) {
            throw new IllegalStateException(this + ": file descriptor already closed");
        }
        return n;
    }

    /** Closes the descriptor. A second call does nothing. */
    @Override
    public void close() {
        int n = (int) NUMBER.getAndSet(this, -1);
        if (n >= 0) {
            FdCalls.close(n);
        }
    }

    @Override
    public String toString() {
        int n = number;
        return "Fd[" + (n >= 0 ? Integer.toString(n) : "closed") + " " + what + "]";
    }
}
