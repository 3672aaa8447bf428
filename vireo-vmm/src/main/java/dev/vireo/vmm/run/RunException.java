package dev.vireo.vmm.run;

/**
 * Why {@code vireo run} could not give the command's own exit status, with the distinct exit code
 * vireo ends with instead (docs/run.md, "Exit status"). A command's own status (0 to 255) passes
 * through unchanged, so these codes can also be a command's; they were picked from the range
 * commands rarely use, next to coreutils' {@code timeout} (124) and a shell's 126/127.
 */
public final class RunException extends Exception {

    /** The closed set of failures, each with its exit code. */
    public enum Kind {
        /** QEMU (or a backend program it needs) is not installed. */
        QEMU_MISSING(120),
        /** The guest kernel, its modules, busybox or the initramfs could not be had or are unusable. */
        BAD_KERNEL(121),
        /** A --share or --disk path is missing or unusable. */
        BAD_SHARE_OR_DISK(122),
        /** The guest kernel panicked. */
        GUEST_PANIC(123),
        /** The run took longer than --timeout. */
        TIMEOUT(124),
        /** Anything else: QEMU failed, a backend died, the guest could not set up the run. */
        FAILED(125);

        private final int exitCode;

        Kind(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** The exit status of a run ended by SIGINT (128 + 2), as shells report it. */
    public static final int INTERRUPTED = 130;

    private final Kind kind;

    public RunException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public RunException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public int exitCode() {
        return kind.exitCode();
    }
}
