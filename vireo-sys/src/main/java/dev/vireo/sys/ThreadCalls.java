package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Threads, credentials and process attributes: gettid, pthread_self/pthread_kill (to interrupt a
 * thread blocked in a system call), per-thread file-system credentials (setfsuid/setfsgid and a
 * per-thread setgroups, so that a FUSE worker can act as the requesting user), prctl, and the
 * process's ids.
 */
@CConstants(headers = {"sys/prctl.h", "signal.h", "sched.h"})
public final class ThreadCalls {

    /** unshare(2): give the calling thread its own cwd, root and umask. */
    public static final int CLONE_FS = 0x200;
    public static final int PR_CAPBSET_READ = 23;
    public static final int PR_GET_NAME = 16;
    public static final int PR_GET_NO_NEW_PRIVS = 39;
    public static final int PR_SET_CHILD_SUBREAPER = 36;
    public static final int PR_SET_KEEPCAPS = 8;
    public static final int PR_SET_NAME = 15;
    public static final int PR_SET_NO_NEW_PRIVS = 38;
    public static final int PR_SET_PDEATHSIG = 1;
    public static final int SIGALRM = 14;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGPIPE = 13;
    public static final int SIGQUIT = 3;
    public static final int SIGSTOP = 19;
    public static final int SIGSYS = 31;
    public static final int SIGTERM = 15;
    public static final int SIGURG = 23;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;

    // Each handle sits in its own holder class, linked when the call is first made (see Native).
    private static final class GettidCall {
        static final MethodHandle H = Native.plainCall("gettid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class GetpidCall {
        static final MethodHandle H = Native.plainCall("getpid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class GetuidCall {
        static final MethodHandle H = Native.plainCall("getuid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class GeteuidCall {
        static final MethodHandle H = Native.plainCall("geteuid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class GetgidCall {
        static final MethodHandle H = Native.plainCall("getgid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class PthreadSelfCall {
        static final MethodHandle H = Native.plainCall("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    }
    // pthread_kill returns the error number instead of setting errno.
    private static final class PthreadKillCall {
        static final MethodHandle H = Native.plainCall("pthread_kill",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    }
    // setfsuid/setfsgid return the previous id and never set errno.
    private static final class SetfsuidCall {
        static final MethodHandle H = Native.plainCall("setfsuid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class SetfsgidCall {
        static final MethodHandle H = Native.plainCall("setfsgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class UnshareCall {
        static final MethodHandle H = Native.errnoCall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class SigrtmaxCall {
        static final MethodHandle H = Native.plainCall("__libc_current_sigrtmax", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class PrctlCall {
        static final MethodHandle H = Native.variadicErrnoCall("prctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    }

    private ThreadCalls() {
    }

    /** gettid(2): the calling thread's kernel id. */
    public static int gettid() {
        try {
            return (int) GettidCall.H.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** getpid(2). */
    public static int getpid() {
        try {
            return (int) GetpidCall.H.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** getuid(2). */
    public static int getuid() {
        try {
            return (int) GetuidCall.H.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** geteuid(2). */
    public static int geteuid() {
        try {
            return (int) GeteuidCall.H.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** getgid(2). */
    public static int getgid() {
        try {
            return (int) GetgidCall.H.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** pthread_self(3): the calling thread's handle, for {@link #pthreadKill}. */
    public static long pthreadSelf() {
        try {
            return (long) PthreadSelfCall.H.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** pthread_kill(3): sends {@code signal} to one thread of this process. */
    public static void pthreadKill(long thread, int signal) {
        int err;
        try {
            err = (int) PthreadKillCall.H.invokeExact(thread, signal);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (err != 0) {
            throw new SysException("pthread_kill", err);
        }
    }

    /**
     * setfsuid(2) for the calling thread only; returns the previous fsuid. Fails with EPERM when
     * the id did not change (the call itself cannot report errors; the result is verified).
     */
    public static int setfsuid(int uid) {
        try {
            int previous = (int) SetfsuidCall.H.invokeExact(uid);
            int now = (int) SetfsuidCall.H.invokeExact(-1);
            if (now != uid) {
                throw new SysException("setfsuid", Errno.EPERM.code(), Integer.toString(uid));
            }
            return previous;
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** setfsgid(2) for the calling thread only; returns the previous fsgid. Verified like {@link #setfsuid}. */
    public static int setfsgid(int gid) {
        try {
            int previous = (int) SetfsgidCall.H.invokeExact(gid);
            int now = (int) SetfsgidCall.H.invokeExact(-1);
            if (now != gid) {
                throw new SysException("setfsgid", Errno.EPERM.code(), Integer.toString(gid));
            }
            return previous;
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /**
     * setgroups(2) for the calling thread only, through the raw system call: glibc's setgroups
     * changes every thread of the process, which would race between FUSE workers.
     */
    public static void setgroupsThisThread(int[] groups) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment list = groups.length == 0 ? MemorySegment.NULL : a.allocateFrom(JAVA_INT, groups);
            RawSyscall.call(RawSyscall.SYS_SETGROUPS, "setgroups", groups.length, list.address(), 0, 0, 0, 0);
        }
    }

    /** prctl(2) with integer arguments; returns its result. */
    public static int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) PrctlCall.H.invokeExact(st, option, arg2, arg3, arg4, arg5);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "prctl");
    }

    /** Names the calling thread (PR_SET_NAME, at most 15 bytes), as shown by top and /proc. */
    public static void setName(String name) {
        try (Arena a = Arena.ofConfined()) {
            String shortName = name.length() > 15 ? name.substring(0, 15) : name;
            MemorySegment s = a.allocateFrom(shortName);
            MemorySegment st = Native.callState();
            int r;
            try {
                r = (int) PrctlCall.H.invokeExact(st, PR_SET_NAME, s.address(), 0L, 0L, 0L);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            Native.check(r, st, "prctl", "PR_SET_NAME");
        }
    }

    /**
     * unshare(2) for the calling thread. With {@link #CLONE_FS} the thread gets its own umask and
     * working directory, so that a FUSE worker can create files with the requester's umask without
     * touching the rest of the process.
     */
    public static void unshare(int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) UnshareCall.H.invokeExact(st, flags);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "unshare");
    }

    /** SIGRTMAX of this C library (glibc reserves the lowest real-time signals for itself). */
    public static int sigrtmax() {
        try {
            return (int) SigrtmaxCall.H.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }
}
