package dev.vireo.vhost.frontend;

import dev.vireo.sys.Fd;
import dev.vireo.sys.SocketCalls;
import dev.vireo.vhost.conn.Connection;
import dev.vireo.vhost.conn.Message;
import dev.vireo.vhost.proto.ConfigAccess;
import dev.vireo.vhost.proto.FrontendRequest;
import dev.vireo.vhost.proto.MemoryTable;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.U64;
import dev.vireo.vhost.proto.VhostUser;
import dev.vireo.vhost.proto.VringAddress;
import dev.vireo.vhost.proto.VringState;

import java.lang.foreign.MemorySegment;

/**
 * The front-end side of vhost-user: what QEMU does, in Java. Used by the tests of vireo's back-end
 * and by {@code vireo fsload} to drive any vhost-user daemon without a VM. Requests that expect an
 * answer wait for it; with REPLY_ACK negotiated every request asks for an acknowledgement and a
 * non-zero one fails the call.
 */
public final class FrontendClient implements AutoCloseable {

    private final Connection connection;
    private boolean replyAck;

    public FrontendClient(Connection connection) {
        this.connection = connection;
    }

    /** Connects to a back-end listening on {@code socketPath}. */
    public static FrontendClient connect(String socketPath) {
        Fd sock = Fd.adopt(SocketCalls.socket(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0),
                socketPath);
        try {
            SocketCalls.connectUnix(sock.num(), socketPath);
        } catch (RuntimeException e) {
            sock.close();
            throw e;
        }
        return new FrontendClient(new Connection(sock, Connection.Side.FRONTEND));
    }

    public long getFeatures() {
        return askU64(FrontendRequest.GET_FEATURES);
    }

    public void setFeatures(long features) {
        sendU64(FrontendRequest.SET_FEATURES, features);
    }

    public long getProtocolFeatures() {
        return askU64(FrontendRequest.GET_PROTOCOL_FEATURES);
    }

    /** Sets protocol features; REPLY_ACK among them makes later requests acknowledged. */
    public void setProtocolFeatures(long features) {
        sendU64(FrontendRequest.SET_PROTOCOL_FEATURES, features);
        replyAck = (features & (1L << VhostUser.PROTOCOL_F_REPLY_ACK)) != 0;
    }

    public void setOwner() {
        send(FrontendRequest.SET_OWNER, 0, null);
    }

    public long getQueueNum() {
        return askU64(FrontendRequest.GET_QUEUE_NUM);
    }

    public long getMaxMemSlots() {
        return askU64(FrontendRequest.GET_MAX_MEM_SLOTS);
    }

    /** SET_MEM_TABLE with one descriptor per region, in order. */
    public void setMemTable(MemoryTable table, int... fds) {
        send(FrontendRequest.SET_MEM_TABLE, table.payloadSize(), table::write, fds);
    }

    public void setVringNum(int index, int size) {
        sendState(FrontendRequest.SET_VRING_NUM, index, size);
    }

    public void setVringAddr(VringAddress address) {
        send(FrontendRequest.SET_VRING_ADDR, VringAddress.SIZE, address::write);
    }

    public void setVringBase(int index, int base) {
        sendState(FrontendRequest.SET_VRING_BASE, index, base);
    }

    /** GET_VRING_BASE: stops the ring and returns where the back-end left it. */
    public int getVringBase(int index) {
        connection.send(FrontendRequest.GET_VRING_BASE.code(), VhostUser.VERSION, VringState.SIZE,
                p -> new VringState(index, 0).write(p));
        try (Message m = expectReply(FrontendRequest.GET_VRING_BASE)) {
            return VringState.parse(m.payload()).num();
        }
    }

    public void setVringKick(int index, int eventFd) {
        sendU64(FrontendRequest.SET_VRING_KICK, index, eventFd);
    }

    public void setVringCall(int index, int eventFd) {
        sendU64(FrontendRequest.SET_VRING_CALL, index, eventFd);
    }

    public void setVringErr(int index, int eventFd) {
        sendU64(FrontendRequest.SET_VRING_ERR, index, eventFd);
    }

    public void setVringEnable(int index, boolean enable) {
        sendState(FrontendRequest.SET_VRING_ENABLE, index, enable ? 1 : 0);
    }

    /** GET_CONFIG of {@code size} bytes at {@code offset}; returns the back-end's answer (empty on error). */
    public byte[] getConfig(int offset, int size) {
        connection.send(FrontendRequest.GET_CONFIG.code(), VhostUser.VERSION, ConfigAccess.HEADER + size, p -> {
            ConfigAccess.writeHeader(p, offset, size, 0);
            p.asSlice(ConfigAccess.HEADER).fill((byte) 0);
        });
        try (Message m = expectReply(FrontendRequest.GET_CONFIG)) {
            if (m.payload().byteSize() == 0) {
                return new byte[0];
            }
            ConfigAccess c = ConfigAccess.parse(m.payload());
            return c.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** Sends any request (for tests of bad input); waits for an acknowledgement when REPLY_ACK is on. */
    public void send(FrontendRequest request, int size, Connection.PayloadWriter fill, int... fds) {
        int flags = VhostUser.VERSION | (replyAck ? VhostUser.FLAG_NEED_REPLY : 0);
        connection.send(request.code(), flags, size, fill, fds);
        if (replyAck) {
            try (Message m = expectReply(request)) {
                long status = U64.parse(m.payload());
                if (status != 0) {
                    throw new MessageException(request + " failed in the back-end (status " + status + ")");
                }
            }
        }
    }

    private void sendState(FrontendRequest request, int index, int num) {
        send(request, VringState.SIZE, p -> new VringState(index, num).write(p));
    }

    private void sendU64(FrontendRequest request, long value) {
        send(request, U64.SIZE, p -> U64.write(p, value));
    }

    /** SET_VRING_KICK/CALL/ERR: the index in bits 0-7, the no-fd flag when {@code fd} is negative. */
    private void sendU64(FrontendRequest request, int index, int fd) {
        long value = index & VhostUser.VRING_INDEX_MASK;
        if (fd < 0) {
            send(request, U64.SIZE, p -> U64.write(p, value | VhostUser.VRING_NOFD_MASK));
        } else {
            send(request, U64.SIZE, p -> U64.write(p, value), fd);
        }
    }

    private long askU64(FrontendRequest request) {
        connection.send(request.code(), VhostUser.VERSION, 0, null);
        try (Message m = expectReply(request)) {
            return U64.parse(m.payload());
        }
    }

    private Message expectReply(FrontendRequest request) {
        Message m = connection.receive();
        if (m == null) {
            throw new MessageException("back-end closed the connection instead of answering " + request);
        }
        if (m.header().code() != request.code()) {
            m.close();
            throw new MessageException("expected a reply to " + request + ", got " + m.header().name());
        }
        return m;
    }

    /** The underlying connection (tests send malformed messages through it). */
    public Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
    }
}
