package dev.vireo.vhost.conn;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.SocketCalls;
import dev.vireo.vhost.proto.Header;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.VhostUser;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * One vhost-user connection over a connected Unix stream socket: reads messages (header, payload,
 * SCM_RIGHTS descriptors) and writes replies. Either side of the protocol uses it: the back-end
 * receives requests and sends replies, the front-end ({@code frontend.FrontendClient}) the reverse.
 *
 * <p>Framing is checked before anything is acted on: a header is read in full, the payload size
 * is bounded by {@link VhostUser#MAX_PAYLOAD}, at most {@link VhostUser#MAX_FDS} descriptors are
 * accepted (more close the connection), and descriptors may only arrive with the header's bytes.
 * Not thread-safe: one reader thread per connection.
 */
public final class Connection implements AutoCloseable {

    /** Which side of the protocol this end is: what it receives is requests or replies. */
    public enum Side {
        /** Receives requests, sends replies (vireo's devices). */
        BACKEND,
        /** Sends requests, receives replies (tests, fsload). */
        FRONTEND
    }

    private final Fd socket;
    private final Side side;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment header = arena.allocate(VhostUser.HEADER_SIZE, 8);
    private final MemorySegment payload = arena.allocate(VhostUser.MAX_PAYLOAD, 8);
    private final MemorySegment out = arena.allocate(VhostUser.HEADER_SIZE + VhostUser.MAX_PAYLOAD, 8);

    public Connection(Fd socket, Side side) {
        this.socket = socket;
        this.side = side;
    }

    /** The socket (owned by this connection). */
    public Fd socket() {
        return socket;
    }

    /**
     * Blocks for the next message. Returns null when the peer closed the connection cleanly
     * (between messages); throws {@link MessageException} for a malformed or truncated message.
     */
    public Message receive() {
        SocketCalls.Received first = SocketCalls.recvWithFds(socket.num(), header, VhostUser.MAX_FDS);
        Fd[] fds = first.fds();
        try {
            if (first.length() == 0) {
                return null;
            }
            if (first.truncated()) {
                throw new MessageException("message carried more than " + VhostUser.MAX_FDS + " file descriptors");
            }
            readFully(header, first.length(), "header");
            Header h = Header.parse(header.get(JAVA_INT_UNALIGNED, 0), header.get(JAVA_INT_UNALIGNED, 4),
                    header.get(JAVA_INT_UNALIGNED, 8), side == Side.FRONTEND);
            MemorySegment body = payload.asSlice(0, h.size());
            readFully(body, 0, h.name() + " payload");
            Message m = new Message(h, body, fds);
            fds = null;
            return m;
        } finally {
            if (fds != null) {
                for (Fd fd : fds) {
                    fd.close();
                }
            }
        }
    }

    private void readFully(MemorySegment buf, long have, String what) {
        long done = have;
        while (done < buf.byteSize()) {
            long n = FdCalls.read(socket.num(), buf.asSlice(done));
            if (n == 0) {
                throw new MessageException("connection closed in the middle of a message (" + what + ", "
                        + done + " of " + buf.byteSize() + " bytes)");
            }
            done += n;
        }
    }

    /**
     * Sends a message: header with {@code code} and {@code flags}, the first {@code size} bytes of
     * the payload written by {@code fill}, and {@code fds} as SCM_RIGHTS.
     */
    public void send(int code, int flags, int size, PayloadWriter fill, int... fds) {
        if (size < 0 || size > VhostUser.MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload size " + size);
        }
        out.set(JAVA_INT_UNALIGNED, 0, code);
        out.set(JAVA_INT_UNALIGNED, 4, flags);
        out.set(JAVA_INT_UNALIGNED, 8, size);
        MemorySegment body = out.asSlice(VhostUser.HEADER_SIZE, size);
        if (fill != null) {
            fill.write(body);
        }
        MemorySegment message = out.asSlice(0, VhostUser.HEADER_SIZE + size);
        long sent = SocketCalls.sendWithFds(socket.num(), message, fds);
        if (sent < message.byteSize()) {
            FdCalls.writeFully(socket.num(), message.asSlice(sent));
        }
    }

    /** Sends the reply to {@code request}: same code, version 1 with the reply flag. */
    public void reply(Header request, int size, PayloadWriter fill) {
        send(request.code(), VhostUser.VERSION | VhostUser.FLAG_REPLY, size, fill);
    }

    /** Fills a payload. */
    @FunctionalInterface
    public interface PayloadWriter {
        void write(MemorySegment payload);
    }

    @Override
    public void close() {
        socket.close();
        arena.close();
    }
}
