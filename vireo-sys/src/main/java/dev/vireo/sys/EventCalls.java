package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Event notification: eventfd (the kick and call signals of virtqueues), epoll and poll (the
 * portable I/O engine). {@link #epollWait} and {@link #poll} are interruptible by design (see
 * {@link Native}): they return -1 when a signal arrives instead of waiting on.
 */
@CConstants(headers = {"sys/eventfd.h", "sys/epoll.h", "poll.h"})
public final class EventCalls {

    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_SEMAPHORE = 1;
    public static final int EPOLLERR = 8;
    public static final int EPOLLET = 0x80000000;
    public static final int EPOLLEXCLUSIVE = 0x10000000;
    public static final int EPOLLHUP = 16;
    public static final int EPOLLIN = 1;
    public static final int EPOLLONESHOT = 0x40000000;
    public static final int EPOLLOUT = 4;
    public static final int EPOLLPRI = 2;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int POLLERR = 8;
    public static final int POLLHUP = 16;
    public static final int POLLIN = 1;
    public static final int POLLNVAL = 32;
    public static final int POLLOUT = 4;
    public static final int POLLPRI = 2;
    public static final int POLLRDHUP = 0x2000;

    // Each handle sits in its own holder class, linked when the call is first made (see Native).
    private static final class EpollWaitCall {
        static final MethodHandle H = Native.errnoCall("epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    private static final class PollCall {
        static final MethodHandle H = Native.errnoCall("poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class EventfdCall {
        static final MethodHandle H = Native.errnoCall("eventfd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class EpollCreate1Call {
        static final MethodHandle H = Native.errnoCall("epoll_create1",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class EpollCtlCall {
        static final MethodHandle H = Native.errnoCall("epoll_ctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    /* An 8-byte buffer per thread for eventfd counters, so that kicks allocate nothing. */
    private static final ThreadLocal<MemorySegment> COUNTER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_LONG));

    private EventCalls() {
    }

    /** A new eventfd, owned by the caller. */
    public static Fd eventfd(int flags) {
        return Fd.adopt(eventfd(0, flags), "eventfd");
    }

    /**
     * Reads and resets an eventfd's counter (or takes 1 in EFD_SEMAPHORE mode). Blocks while the
     * counter is 0, unless the eventfd is non-blocking: then returns 0.
     */
    public static long eventfdRead(int fd) {
        MemorySegment counter = COUNTER.get();
        long n = FdCalls.tryRead(fd, counter);
        if (n < 0) {
            return 0;
        }
        return counter.get(JAVA_LONG, 0);
    }

    /*
     * The value 1, which nearly every eventfd write adds (a kick, an interrupt, a wake-up). A
     * global segment, because the JIT scalar-replaces the downcall's call-state slice only when
     * the buffer's session is trivial: with the thread-local (automatic arena) buffer, a write
     * from a deep handler chain kept allocating 40 bytes per call in the I/O loop's tests.
     */
    private static final MemorySegment ONE = Arena.global().allocate(JAVA_LONG);

    static {
        ONE.set(JAVA_LONG, 0, 1L);
    }

    /** Adds {@code value} to an eventfd's counter, waking its readers. */
    public static void eventfdWrite(int fd, long value) {
        if (value == 1) {
            FdCalls.write(fd, ONE);
            return;
        }
        MemorySegment counter = COUNTER.get();
        counter.set(JAVA_LONG, 0, value);
        FdCalls.write(fd, counter);
    }

    /**
     * epoll_wait(2) into {@code events} ({@link dev.vireo.sys.abi.EpollEvent} array of
     * {@code maxEvents}); returns the number ready, or -1 when a signal interrupted the wait.
     */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) EpollWaitCall.H.invokeExact(st, epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (Native.interrupted(r, st)) {
            return -1;
        }
        return Native.check(r, st, "epoll_wait");
    }

    /**
     * poll(2) over {@code nfds} {@link dev.vireo.sys.abi.Pollfd}s; returns the number with events,
     * 0 on timeout, or -1 when a signal interrupted the wait.
     */
    public static int poll(MemorySegment fds, int nfds, int timeoutMillis) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) PollCall.H.invokeExact(st, fds, (long) nfds, timeoutMillis);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (Native.interrupted(r, st)) {
            return -1;
        }
        return Native.check(r, st, "poll");
    }

    /** eventfd(2). */
    public static int eventfd(int initval, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) EventfdCall.H.invokeExact(st, initval, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "eventfd");
    }

    /** epoll_create1(2). */
    public static int epollCreate1(int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) EpollCreate1Call.H.invokeExact(st, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "epoll_create1");
    }

    /** epoll_ctl(2); {@code event} is an {@link dev.vireo.sys.abi.EpollEvent} (NULL for EPOLL_CTL_DEL). */
    public static void epollCtl(int epfd, int op, int fd, MemorySegment event) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) EpollCtlCall.H.invokeExact(st, epfd, op, fd, event);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "epoll_ctl");
    }
}
