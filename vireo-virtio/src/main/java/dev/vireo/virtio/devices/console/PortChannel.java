package dev.vireo.virtio.devices.console;

/**
 * The host side of a console port while the device exists: which descriptor to read input from
 * and which to write output to right now, and the connection events. Used only by the port's
 * thread ({@link PortPump}), except {@link #close()} and {@link #describe()}.
 */
public abstract sealed class PortChannel implements AutoCloseable permits FdChannel, PtyChannel, SocketChannel {

    /** The descriptor to poll and read input from now, or -1. */
    abstract int inputFd();

    /** The descriptor to write output to now, or -1 to discard output (nobody listening). */
    abstract int outputFd();

    /** A descriptor to poll for a connection event (a listening socket), or -1. */
    int acceptFd() {
        return -1;
    }

    /** The accept descriptor is readable. */
    void accept() {
    }

    /** Input reached its end or the peer hung up (read returned 0, EIO, or POLLHUP). */
    abstract void hangup();

    /**
     * Whether a hang-up seen while the guest has no receive buffer ends the connection at once
     * (a pty whose slave closed: output would otherwise fill the master and stall the guest), or
     * only once the input still buffered has been read (pipes, sockets: nothing is lost).
     */
    boolean hangupAtOnce() {
        return false;
    }

    /** Whether the descriptors are non-blocking (read and write until EAGAIN) rather than blocking. */
    abstract boolean nonBlocking();

    /** Whether somebody is attached on the host side (the VIRTIO_CONSOLE_PORT_OPEN value). */
    abstract boolean connected();

    /** How long the port thread may sleep without an event before re-checking the connection (ms), or -1. */
    int recheckMillis() {
        return -1;
    }

    /** Re-checks the connection after {@link #recheckMillis()}; returns whether it changed. */
    boolean recheck() {
        return false;
    }

    /** What the port is attached to, for messages: a path, "/dev/pts/N", "stdio". */
    public abstract String describe();

    @Override
    public abstract void close();
}
