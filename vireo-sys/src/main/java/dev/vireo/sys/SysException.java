package dev.vireo.sys;

/**
 * A system call failed: carries the call's name, the errno value, its symbolic name and, when
 * useful, what the call was about (a path, an ioctl name).
 *
 * <p>Example message: {@code openat("/no/such/file"): ENOENT (No such file or directory)}.
 */
public final class SysException extends RuntimeException {

    private final String call;
    private final int errno;

    public SysException(String call, int errno) {
        this(call, errno, null);
    }

    public SysException(String call, int errno, String detail) {
        super(message(call, errno, detail));
        this.call = call;
        this.errno = errno;
    }

    private static String message(String call, int errno, String detail) {
        Errno e = Errno.of(errno);
        String what = detail == null ? call : call + "(" + detail + ")";
        return what + ": " + Errno.nameOf(errno) + (e != null ? " (" + e.description() + ")" : "");
    }

    /** The failing call, e.g. "openat" or "ioctl KVM_CREATE_VM". */
    public String call() {
        return call;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /** The errno constant, or {@code null} for a number Linux does not define. */
    public Errno error() {
        return Errno.of(errno);
    }

    /** Whether the failure was {@code e}. */
    public boolean is(Errno e) {
        return errno == e.code();
    }
}
