package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;
import dev.vireo.sys.abi.CName;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * syscall(2), for system calls glibc 2.36 does not wrap (openat2, io_uring_*) or wraps with
 * process-wide semantics vireo must avoid (setgroups, which glibc applies to every thread).
 * {@code long syscall(long number, ...)} is variadic from its second argument; every argument is
 * passed as a 64-bit register value, and unused trailing arguments are ignored by the kernel.
 */
@CConstants(headers = "sys/syscall.h")
public final class RawSyscall {

    /** {@code __NR_openat2} on x86-64. */
    @CName("__NR_openat2")
    public static final int SYS_OPENAT2 = 437;
    /** {@code __NR_setgroups} on x86-64. */
    @CName("__NR_setgroups")
    public static final int SYS_SETGROUPS = 116;
    /** {@code __NR_gettid} on x86-64. */
    @CName("__NR_gettid")
    public static final int SYS_GETTID = 186;

    private static final MethodHandle SYSCALL = Native.variadicErrnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);

    private RawSyscall() {
    }

    /** Calls system call {@code nr} and returns its result; restarted on EINTR, -1 becomes a {@link SysException}. */
    public static long call(int nr, String name, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) SYSCALL.invokeExact(st, (long) nr, a1, a2, a3, a4, a5, a6);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, name);
    }

    /**
     * As {@link #call}, but not restarted: returns -1 when a signal interrupted the call, so that
     * the caller can stop waiting (io_uring_enter with a wait).
     */
    public static long callInterruptible(int nr, String name, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment st = Native.callState();
        long r;
        try {
            r = (long) SYSCALL.invokeExact(st, (long) nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (Native.interrupted(r, st)) {
            return -1;
        }
        return Native.check(r, st, name);
    }

    /**
     * As {@link #call}, reporting failure as a negative errno instead of throwing: for calls whose
     * failure is an ordinary answer on a hot path (openat2 of a name that does not exist).
     */
    public static long tryCall(int nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) SYSCALL.invokeExact(st, (long) nr, a1, a2, a3, a4, a5, a6);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return r == -1 ? -Native.errno(st) : r;
    }
}
