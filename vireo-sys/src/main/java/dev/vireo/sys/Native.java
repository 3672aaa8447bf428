package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The one place where vireo links C functions, and the rules every wrapper follows.
 *
 * <h2>Linking</h2>
 * Handles are created once, in {@code static final} fields of the wrapper classes
 * ({@link FdCalls}, {@link FsCalls}, ...), each in a small holder class of its own
 * ({@code private static final class StatxCall { static final MethodHandle H = ...; }}), so that a
 * handle is linked when its function is first called rather than when its wrapper class is first
 * touched. Linking costs a few milliseconds of a fresh JVM per distinct signature (the JDK spins a
 * stub class and its method-handle forms, which the AOT cache cannot keep, and then JIT-compiles
 * the class-file code that spun them); a program uses a handful of the hundred-odd functions, and
 * {@code vireo run} would otherwise link them all before its guest starts. The handle is still a
 * constant to the JIT. {@code NativeLinkingTest} links every one of them.
 * A function that reports failure through {@code errno} is
 * linked with {@link #errnoCall}, which adds {@code Linker.Option.captureCallState("errno")}: the
 * handle then takes a call-state segment as its first argument, and errno is read from that segment
 * right after the call, never through {@code __errno_location} (which the JVM's own calls may have
 * overwritten). Variadic C functions ({@code open}, {@code openat}, {@code fcntl}, {@code ioctl},
 * {@code prctl}, {@code syscall}) are linked with {@code firstVariadicArg}, as the x86-64 ABI
 * requires.
 *
 * <h2>Errors</h2>
 * A wrapper returns a value or throws {@link SysException}; no wrapper hands a raw {@code -1} to
 * its caller.
 *
 * <h2>EINTR policy</h2>
 * A call that fails with {@code EINTR} because a signal arrived is <em>restarted</em> by its
 * wrapper ({@link #interrupted} is the test every such loop uses), with two exceptions:
 * <ul>
 *   <li>{@code close(2)} is never restarted: on Linux the descriptor is released even when close
 *       reports EINTR, and a retry could close a descriptor another thread has just been given.</li>
 *   <li>Calls that block on purpose and are woken on purpose by a signal ({@code KVM_RUN},
 *       {@code epoll_wait}, {@code poll}, {@code io_uring_enter} with a wait) expose EINTR to their
 *       caller as a distinct result, because being interrupted is how their owner stops them. Their
 *       Javadoc says so.</li>
 * </ul>
 */
public final class Native {

    /** The platform linker. */
    public static final Linker LINKER = Linker.nativeLinker();

    private static final Log LOG = Log.of("sys");
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CALL_STATE_LAYOUT.byteOffset(groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /*
     * One call-state segment per thread, so that hot calls (read, pread, ioctl) allocate nothing.
     * The segment lives as long as its thread (an automatic arena frees it after the thread is gone).
     */
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE_LAYOUT));

    private Native() {
    }

    /**
     * Links a C function that reports errors through errno. The returned handle takes a call-state
     * segment ({@link #callState()}) before the C arguments.
     */
    public static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        return link(name, descriptor, CAPTURE_ERRNO);
    }

    /**
     * Links a variadic C function that reports errors through errno; {@code firstVariadicArg} is
     * the index of the first argument that the C prototype covers with "...".
     */
    public static MethodHandle variadicErrnoCall(String name, FunctionDescriptor descriptor, int firstVariadicArg) {
        return link(name, descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadicArg));
    }

    /** Links a C function that cannot fail (gettid, pthread_self). */
    public static MethodHandle plainCall(String name, FunctionDescriptor descriptor) {
        return link(name, descriptor);
    }

    /** Links one function; with {@code -Dvireo.debug=sys}, says which, on which thread and how long it took. */
    private static MethodHandle link(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        long start = LOG.on() ? System.nanoTime() : 0;
        MethodHandle handle = LINKER.downcallHandle(symbol(name), descriptor, options);
        if (LOG.on()) {
            LOG.debug("linked %s in %.1f ms", name, (System.nanoTime() - start) / 1e6);
        }
        return handle;
    }

    /**
     * Links functions of {@code wrapper} now rather than on their first call: a program that knows
     * it will soon need them links them on a thread that would otherwise wait, instead of on the
     * thread that then serves a request (linking one costs 10-30 ms of a fresh JVM). Each of
     * {@code holders} names a holder class of {@code wrapper} ("ReadCall"); with none, the wrapper
     * class itself is initialised (for wrappers whose few handles are its own fields).
     *
     * @throws IllegalArgumentException if {@code wrapper} has no such holder
     */
    public static void linkAhead(Class<?> wrapper, String... holders) {
        try {
            if (holders.length == 0) {
                Class.forName(wrapper.getName(), true, wrapper.getClassLoader());
            }
            for (String holder : holders) {
                Class.forName(wrapper.getName() + '$' + holder, true, wrapper.getClassLoader());
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(wrapper.getSimpleName() + " has no holder class " + e.getMessage(), e);
        }
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("C library has no symbol " + name));
    }

    /** This thread's call-state segment, passed as the first argument of an errno-capturing handle. */
    public static MemorySegment callState() {
        return CALL_STATE.get();
    }

    /** The errno that the last call made with {@code state} left behind. */
    public static int errno(MemorySegment state) {
        return state.get(JAVA_INT, ERRNO_OFFSET);
    }

    /** The EINTR test of the restart policy: the call failed only because a signal interrupted it. */
    public static boolean interrupted(long result, MemorySegment state) {
        return result == -1 && errno(state) == Errno.EINTR.code();
    }

    /** Returns {@code result}, or throws {@link SysException} for {@code call} when it is -1. */
    public static int check(int result, MemorySegment state, String call) {
        if (result == -1) {
            throw new SysException(call, errno(state));
        }
        return result;
    }

    /** Returns {@code result}, or throws {@link SysException} for {@code call} when it is -1. */
    public static long check(long result, MemorySegment state, String call) {
        if (result == -1) {
            throw new SysException(call, errno(state));
        }
        return result;
    }

    /** As {@link #check(int, MemorySegment, String)}, naming the object of the call (a path). */
    public static int check(int result, MemorySegment state, String call, String detail) {
        if (result == -1) {
            throw new SysException(call, errno(state), detail);
        }
        return result;
    }

    /** As {@link #check(long, MemorySegment, String)}, naming the object of the call (a path). */
    public static long check(long result, MemorySegment state, String call, String detail) {
        if (result == -1) {
            throw new SysException(call, errno(state), detail);
        }
        return result;
    }

    /** As {@link #check(int, MemorySegment, String)}; decodes the C string {@code path} only on failure. */
    public static int check(int result, MemorySegment state, String call, MemorySegment path) {
        if (result == -1) {
            throw new SysException(call, errno(state), describe(path));
        }
        return result;
    }

    /** As {@link #check(long, MemorySegment, String)}; decodes the C string {@code path} only on failure. */
    public static long check(long result, MemorySegment state, String call, MemorySegment path) {
        if (result == -1) {
            throw new SysException(call, errno(state), describe(path));
        }
        return result;
    }

    /** A printable form of a NUL-terminated C string in a bounded segment (for messages). */
    public static String describe(MemorySegment cString) {
        if (cString.equals(MemorySegment.NULL)) {
            return "NULL";
        }
        long len = 0;
        long max = Math.min(cString.byteSize(), 4096);
        while (len < max && cString.get(JAVA_BYTE, len) != 0) {
            len++;
        }
        byte[] bytes = cString.asSlice(0, len).toArray(JAVA_BYTE);
        return '"' + new String(bytes, StandardCharsets.UTF_8) + '"';
    }

    /**
     * Converts what {@code invokeExact} declared but a downcall cannot throw into an error: a
     * downcall handle throws only on a programming mistake (wrong types), never for a C error.
     */
    public static Error unexpected(Throwable t) {
        if (t instanceof Error e) {
            return e;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        return new AssertionError("downcall threw " + t, t);
    }
}
