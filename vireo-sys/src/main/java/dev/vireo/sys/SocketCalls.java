package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;
import dev.vireo.sys.abi.CmsgHdr;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.MsgHdr;
import dev.vireo.sys.abi.NotInHeaders;
import dev.vireo.sys.abi.SockaddrUn;
import dev.vireo.sys.abi.Ucred;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Unix-domain sockets: socket, socketpair, bind/listen/accept/connect by path, and
 * sendmsg/recvmsg with file descriptors passed as SCM_RIGHTS ancillary data (the vhost-user
 * transport). Calls are restarted on EINTR; failures throw {@link SysException}.
 */
@CConstants(headers = {"sys/socket.h", "sys/un.h"})
public final class SocketCalls {

    public static final int AF_UNIX = 1;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int MSG_CTRUNC = 8;
    public static final int MSG_DONTWAIT = 64;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_PEEK = 2;
    public static final int MSG_TRUNC = 32;
    public static final int MSG_WAITALL = 0x100;
    public static final int SCM_CREDENTIALS = 2;
    public static final int SCM_RIGHTS = 1;
    public static final int SHUT_RD = 0;
    public static final int SHUT_RDWR = 2;
    public static final int SHUT_WR = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_STREAM = 1;
    public static final int SOL_SOCKET = 1;
    public static final int SO_PASSCRED = 16;
    public static final int SO_PEERCRED = 17;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUF = 7;

    /** Most descriptors one message may carry. */
    @NotInHeaders("SCM_MAX_FD of include/net/scm.h, private to the kernel")
    public static final int MAX_FDS = 253;

    // Each handle sits in its own holder class, linked when the call is first made (see Native).
    private static final class SocketpairCall {
        static final MethodHandle H = Native.errnoCall("socketpair",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class BindCall {
        static final MethodHandle H = Native.errnoCall("bind",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class ConnectCall {
        static final MethodHandle H = Native.errnoCall("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class SocketCall {
        static final MethodHandle H = Native.errnoCall("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class ListenCall {
        static final MethodHandle H = Native.errnoCall("listen",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Accept4Call {
        static final MethodHandle H = Native.errnoCall("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }
    private static final class SendmsgCall {
        static final MethodHandle H = Native.errnoCall("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class RecvmsgCall {
        static final MethodHandle H = Native.errnoCall("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class GetsockoptCall {
        static final MethodHandle H = Native.errnoCall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class ShutdownCall {
        static final MethodHandle H = Native.errnoCall("shutdown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private SocketCalls() {
    }

    /** socketpair(2): two connected sockets, both owned by the caller. */
    public static Fd[] socketpair(int domain, int type, int protocol) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            MemorySegment st = Native.callState();
            int r;
            try {
                r = (int) SocketpairCall.H.invokeExact(st, domain, type, protocol, fds);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            Native.check(r, st, "socketpair");
            return new Fd[] {
                Fd.adopt(fds.getAtIndex(JAVA_INT, 0), "socketpair[0]"),
                Fd.adopt(fds.getAtIndex(JAVA_INT, 1), "socketpair[1]")};
        }
    }

    /** The credentials of a connected Unix socket's peer, taken when it connected (SO_PEERCRED). */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    /** getsockopt(SO_PEERCRED): who is at the other end of connected Unix socket {@code fd}. */
    public static PeerCredentials peerCredentials(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cred = a.allocate(Ucred.LAYOUT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, (int) Ucred.SIZE);
            MemorySegment st = Native.callState();
            int r;
            try {
                r = (int) GetsockoptCall.H.invokeExact(st, fd, SOL_SOCKET, SO_PEERCRED, cred, len);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            Native.check(r, st, "getsockopt(SO_PEERCRED)");
            return new PeerCredentials(Ucred.pid(cred), Ucred.uid(cred), Ucred.gid(cred));
        }
    }

    /** bind(2) to a Unix socket path. */
    public static void bindUnix(int fd, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockaddrUn.LAYOUT);
            int len = SockaddrUn.set(addr, path);
            MemorySegment st = Native.callState();
            int r;
            try {
                r = (int) BindCall.H.invokeExact(st, fd, addr, len);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            Native.check(r, st, "bind", path);
        }
    }

    /** connect(2) to a Unix socket path; restarted on EINTR. */
    public static void connectUnix(int fd, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockaddrUn.LAYOUT);
            int len = SockaddrUn.set(addr, path);
            MemorySegment st = Native.callState();
            int r;
            try {
                do {
                    r = (int) ConnectCall.H.invokeExact(st, fd, addr, len);
                } while (Native.interrupted(r, st));
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            Native.check(r, st, "connect", path);
        }
    }

    /**
     * Sends all of {@code data} in one sendmsg(2), with {@code fds} attached as SCM_RIGHTS (none
     * when empty). Returns the bytes sent. Uses MSG_NOSIGNAL: a vanished peer is EPIPE, not SIGPIPE.
     */
    public static long sendWithFds(int sock, MemorySegment data, int... fds) {
        if (fds.length > MAX_FDS) {
            throw new IllegalArgumentException("too many descriptors for one message: " + fds.length);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(Iovec.LAYOUT);
            Iovec.set(iov, 0, data);
            MemorySegment msg = a.allocate(MsgHdr.LAYOUT);
            MsgHdr.iov(msg, iov, 1);
            if (fds.length > 0) {
                long dataLen = (long) fds.length * Integer.BYTES;
                MemorySegment control = a.allocate(CmsgHdr.space(dataLen), 8);
                CmsgHdr.set(control, CmsgHdr.len(dataLen), SOL_SOCKET, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, CmsgHdr.dataOffset() + (long) i * Integer.BYTES, fds[i]);
                }
                MsgHdr.control(msg, control);
            }
            return sendmsg(sock, msg, MSG_NOSIGNAL);
        }
    }

    /**
     * A message received with {@link #recvWithFds}: its length (0 = the peer closed) and the
     * descriptors that came with it, now owned by the caller.
     */
    public record Received(long length, Fd[] fds, boolean truncated) {
    }

    /**
     * Receives one message into {@code data} with up to {@code maxFds} SCM_RIGHTS descriptors
     * (close-on-exec). Descriptors beyond {@code maxFds} are closed (by the kernel or here) and the
     * message is reported as {@code truncated}, so a peer cannot make vireo leak descriptors.
     */
    public static Received recvWithFds(int sock, MemorySegment data, int maxFds) {
        if (maxFds < 0 || maxFds > MAX_FDS) {
            throw new IllegalArgumentException("maxFds out of range: " + maxFds);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(Iovec.LAYOUT);
            Iovec.set(iov, 0, data);
            MemorySegment msg = a.allocate(MsgHdr.LAYOUT);
            MsgHdr.iov(msg, iov, 1);
            MemorySegment control = a.allocate(CmsgHdr.space((long) Math.max(maxFds, 1) * Integer.BYTES), 8);
            MsgHdr.control(msg, control);
            long n = recvmsg(sock, msg, MSG_CMSG_CLOEXEC);
            Fd[] fds = collectFds(control, MsgHdr.controllen(msg));
            boolean truncated = (MsgHdr.flags(msg) & (MSG_CTRUNC | MSG_TRUNC)) != 0;
            if (fds.length > maxFds) {
                // CMSG_SPACE rounds up, so the kernel may fit more than asked: close the extras.
                for (int i = maxFds; i < fds.length; i++) {
                    fds[i].close();
                }
                fds = java.util.Arrays.copyOf(fds, maxFds);
                truncated = true;
            }
            return new Received(n, fds, truncated);
        }
    }

    private static Fd[] collectFds(MemorySegment control, long controlLen) {
        long end = Math.min(controlLen, control.byteSize());
        int count = 0;
        int[] numbers = new int[MAX_FDS];
        long at = 0;
        while (at + CmsgHdr.LAYOUT.byteSize() <= end) {
            MemorySegment c = control.asSlice(at);
            long len = CmsgHdr.cmsgLen(c);
            if (len < CmsgHdr.LAYOUT.byteSize() || at + len > end) {
                break;
            }
            if (CmsgHdr.level(c) == SOL_SOCKET && CmsgHdr.type(c) == SCM_RIGHTS) {
                long n = (len - CmsgHdr.dataOffset()) / Integer.BYTES;
                for (long i = 0; i < n && count < numbers.length; i++) {
                    numbers[count++] = c.get(JAVA_INT, CmsgHdr.dataOffset() + i * Integer.BYTES);
                }
            }
            at += CmsgHdr.align(len);
        }
        Fd[] fds = new Fd[count];
        for (int i = 0; i < count; i++) {
            fds[i] = Fd.adopt(numbers[i], "received fd");
        }
        return fds;
    }

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) SocketCall.H.invokeExact(st, domain, type, protocol);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "socket");
    }

    /** listen(2). */
    public static void listen(int fd, int backlog) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) ListenCall.H.invokeExact(st, fd, backlog);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "listen");
    }

    /** accept4(2) without the peer address; {@code flags} is SOCK_CLOEXEC and/or SOCK_NONBLOCK. */
    public static int accept4(int fd, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) Accept4Call.H.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "accept4");
    }

    /** sendmsg(2) with a {@link dev.vireo.sys.abi.MsgHdr}; returns the bytes sent. */
    public static long sendmsg(int fd, MemorySegment msg, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) SendmsgCall.H.invokeExact(st, fd, msg, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "sendmsg");
    }

    /** recvmsg(2) into a {@link dev.vireo.sys.abi.MsgHdr}; returns the bytes received (0: the peer closed). */
    public static long recvmsg(int fd, MemorySegment msg, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) RecvmsgCall.H.invokeExact(st, fd, msg, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "recvmsg");
    }

    /**
     * sendmsg(2) with MSG_DONTWAIT added to {@code flags}: returns the bytes sent, or -1 when the
     * socket's buffer is full (EAGAIN) without the cost of an exception.
     */
    public static long trySendmsg(int fd, MemorySegment msg, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) SendmsgCall.H.invokeExact(st, fd, msg, flags | MSG_DONTWAIT);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == -1 && Native.errno(st) == Errno.EAGAIN.code()) {
            return -1;
        }
        return Native.check(r, st, "sendmsg");
    }

    /**
     * recvmsg(2) with MSG_DONTWAIT added to {@code flags}: returns the bytes received (0: the peer
     * closed), or -1 when nothing is queued (EAGAIN) without the cost of an exception.
     */
    public static long tryRecvmsg(int fd, MemorySegment msg, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) RecvmsgCall.H.invokeExact(st, fd, msg, flags | MSG_DONTWAIT);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == -1 && Native.errno(st) == Errno.EAGAIN.code()) {
            return -1;
        }
        return Native.check(r, st, "recvmsg");
    }

    /** shutdown(2); {@code how} is SHUT_RD, SHUT_WR or SHUT_RDWR. */
    public static void shutdown(int fd, int how) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) ShutdownCall.H.invokeExact(st, fd, how);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "shutdown");
    }
}
