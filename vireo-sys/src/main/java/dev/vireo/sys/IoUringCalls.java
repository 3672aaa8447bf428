package dev.vireo.sys;

import dev.vireo.sys.abi.uring.IoUring;

import java.lang.foreign.MemorySegment;

/**
 * The three io_uring system calls, through syscall(2) (glibc has no wrappers; vireo uses no
 * liburing). The ring itself (mmap of the queues, SQE preparation, CQE reaping) lives in
 * {@code dev.vireo.io.uring}.
 */
public final class IoUringCalls {

    private IoUringCalls() {
    }

    /**
     * io_uring_setup(2): creates a ring of at least {@code entries} submission entries.
     * {@code params} is an {@link dev.vireo.sys.abi.uring.IoUringParams}, flags in, features and
     * ring offsets out.
     */
    public static Fd setup(int entries, MemorySegment params) {
        long fd = RawSyscall.call(IoUring.SYS_IO_URING_SETUP, "io_uring_setup", entries, params.address(), 0, 0, 0, 0);
        return Fd.adopt((int) fd, "io_uring");
    }

    /**
     * io_uring_enter(2) without a signal mask: submits {@code toSubmit} entries and, with
     * IORING_ENTER_GETEVENTS, waits for {@code minComplete} completions. Returns the number
     * submitted. Restarted on EINTR; use {@link #enterInterruptible} for a wait that a signal must end.
     */
    public static int enter(int ringFd, int toSubmit, int minComplete, int flags) {
        return (int) RawSyscall.call(IoUring.SYS_IO_URING_ENTER, "io_uring_enter", ringFd, toSubmit, minComplete,
                flags, 0, 0);
    }

    /** As {@link #enter}, but returns -1 when a signal interrupted the wait. */
    public static int enterInterruptible(int ringFd, int toSubmit, int minComplete, int flags) {
        return (int) RawSyscall.callInterruptible(IoUring.SYS_IO_URING_ENTER, "io_uring_enter", ringFd, toSubmit,
                minComplete, flags, 0, 0);
    }

    /** io_uring_register(2): {@code opcode} is an IORING_REGISTER_* value; returns the call's result. */
    public static int register(int ringFd, int opcode, MemorySegment arg, int nrArgs) {
        return (int) RawSyscall.call(IoUring.SYS_IO_URING_REGISTER, "io_uring_register", ringFd, opcode,
                arg.address(), nrArgs, 0, 0);
    }
}
