package dev.vireo.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * ioctl(2) and the request-number encoders of {@code asm-generic/ioctl.h} (x86 uses the generic
 * encoding: 2 direction bits, 14 size bits, 8 type bits, 8 number bits).
 *
 * <p>ioctl is variadic in C ({@code int ioctl(int fd, unsigned long request, ...)}), so it is linked
 * with {@code firstVariadicArg(2)}; the third argument is either an integer or a pointer, and each
 * has its own handle.
 */
public final class Ioctl {

    private static final int NRBITS = 8;
    private static final int TYPEBITS = 8;
    private static final int SIZEBITS = 14;
    private static final int NRSHIFT = 0;
    private static final int TYPESHIFT = NRSHIFT + NRBITS;
    private static final int SIZESHIFT = TYPESHIFT + TYPEBITS;
    private static final int DIRSHIFT = SIZESHIFT + SIZEBITS;
    private static final long NONE = 0;
    private static final long WRITE = 1;
    private static final long READ = 2;

    private static final MethodHandle IOCTL_LONG = Native.variadicErrnoCall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    private static final MethodHandle IOCTL_PTR = Native.variadicErrnoCall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);

    private Ioctl() {
    }

    /** {@code _IOC(dir, type, nr, size)}. */
    public static long ioc(long dir, int type, int nr, long size) {
        if (size < 0 || size >= (1L << SIZEBITS)) {
            throw new IllegalArgumentException("ioctl argument size out of range: " + size);
        }
        return (dir << DIRSHIFT) | ((long) type << TYPESHIFT) | ((long) nr << NRSHIFT) | (size << SIZESHIFT);
    }

    /** {@code _IO(type, nr)}: no argument data. */
    public static long io(int type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, size)}: the kernel writes {@code size} bytes to user space. */
    public static long ior(int type, int nr, long size) {
        return ioc(READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, size)}: the kernel reads {@code size} bytes from user space. */
    public static long iow(int type, int nr, long size) {
        return ioc(WRITE, type, nr, size);
    }

    /** {@code _IOWR(type, nr, size)}: both directions. */
    public static long iowr(int type, int nr, long size) {
        return ioc(READ | WRITE, type, nr, size);
    }

    /**
     * ioctl with an integer argument (or none: pass 0). Restarted on EINTR; {@code name} names the
     * request in errors, e.g. "KVM_CREATE_VM".
     */
    public static int ioctl(int fd, long request, long arg, String name) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) IOCTL_LONG.invokeExact(st, fd, request, arg);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "ioctl", name);
    }

    /** ioctl with a pointer argument. Restarted on EINTR. */
    public static int ioctl(int fd, long request, MemorySegment arg, String name) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) IOCTL_PTR.invokeExact(st, fd, request, arg);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "ioctl", name);
    }

    /**
     * ioctl with an integer argument that is <em>not</em> restarted on EINTR (KVM_RUN): returns
     * {@code -1} when a signal interrupted it, the result otherwise; other errors throw.
     */
    public static int ioctlInterruptible(int fd, long request, long arg, String name) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) IOCTL_LONG.invokeExact(st, fd, request, arg);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (Native.interrupted(r, st)) {
            return -1;
        }
        return Native.check(r, st, "ioctl", name);
    }
}
