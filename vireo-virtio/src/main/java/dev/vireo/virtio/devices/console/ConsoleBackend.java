package dev.vireo.virtio.devices.console;

import java.nio.file.Path;

/**
 * Where a console port's bytes go to and come from on the host. A backend is opened when the
 * device is created (so a pty or socket exists before the guest boots and a user can attach
 * early) and closed with the device.
 */
public sealed interface ConsoleBackend {

    /** Opens the host side. */
    PortChannel open();

    /** vireo's own standard input and output (duplicated, so closing the port leaves them open). */
    record Stdio() implements ConsoleBackend {
        @Override
        public PortChannel open() {
            return FdChannel.dupOf(0, 1, "stdio");
        }
    }

    /**
     * Two descriptors the caller already has, e.g. pipe ends: input is read from {@code in} (-1:
     * none), output written to {@code out} (-1: discarded). Both are duplicated.
     */
    record Fds(int in, int out) implements ConsoleBackend {
        @Override
        public PortChannel open() {
            return FdChannel.dupOf(in, out, "fd " + in + "/" + out);
        }
    }

    /** Output appended to {@code output} (created if missing); input read once from {@code input} when not null. */
    record File(Path output, Path input) implements ConsoleBackend {
        public File(Path output) {
            this(output, null);
        }

        @Override
        public PortChannel open() {
            return FdChannel.files(output, input);
        }
    }

    /**
     * A new pseudo-terminal in raw mode: vireo keeps the master, a user attaches to the slave
     * ({@link PortChannel#describe()} names it, e.g. {@code /dev/pts/3}). Output is discarded while
     * no one has the slave open.
     */
    record Pty() implements ConsoleBackend {
        @Override
        public PortChannel open() {
            return PtyChannel.open();
        }
    }

    /**
     * A Unix stream socket that vireo listens on at {@code path}: one client at a time is the
     * port's host side; output is discarded while none is connected. The path is removed on close.
     */
    record UnixSocket(Path path) implements ConsoleBackend {
        @Override
        public PortChannel open() {
            return SocketChannel.listen(path);
        }
    }
}
