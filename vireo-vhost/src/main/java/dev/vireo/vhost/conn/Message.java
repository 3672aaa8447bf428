package dev.vireo.vhost.conn;

import dev.vireo.sys.Fd;
import dev.vireo.vhost.proto.Header;
import dev.vireo.vhost.proto.MessageException;

import java.lang.foreign.MemorySegment;

/**
 * One message received from the peer: its header, its payload (a view of the connection's buffer,
 * valid until the next receive) and the descriptors that came with it. The message owns those
 * descriptors until the handler takes them ({@link #takeFd}); {@link #close()} closes the ones
 * nobody took, so a request with extra or unexpected descriptors cannot leak them.
 */
public final class Message implements AutoCloseable {

    private final Header header;
    private final MemorySegment payload;
    private final Fd[] fds;

    Message(Header header, MemorySegment payload, Fd[] fds) {
        this.header = header;
        this.payload = payload;
        this.fds = fds;
    }

    public Header header() {
        return header;
    }

    public MemorySegment payload() {
        return payload;
    }

    /** How many descriptors came with the message. */
    public int fdCount() {
        return fds.length;
    }

    /** Requires exactly {@code n} descriptors. */
    public void requireFds(int n) {
        if (fds.length != n) {
            throw new MessageException(header.name() + " must carry " + n + " file descriptor(s), got " + fds.length);
        }
    }

    /** The number of descriptor {@code i}, which stays the message's (for checks before taking it). */
    public int peekFd(int i) {
        Fd fd = fds[i];
        if (fd == null) {
            throw new IllegalStateException("descriptor " + i + " already taken");
        }
        return fd.num();
    }

    /** Takes ownership of descriptor {@code i}: the caller closes it from now on. */
    public Fd takeFd(int i) {
        Fd fd = fds[i];
        if (fd == null) {
            throw new IllegalStateException("descriptor " + i + " already taken");
        }
        fds[i] = null;
        return fd;
    }

    /** Closes every descriptor nobody took. */
    @Override
    public void close() {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] != null) {
                fds[i].close();
                fds[i] = null;
            }
        }
    }
}
