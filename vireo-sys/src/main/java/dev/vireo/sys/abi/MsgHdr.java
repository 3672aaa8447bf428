package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct msghdr} for sendmsg(2)/recvmsg(2). */
@CStruct(value = "struct msghdr", headers = "sys/socket.h")
public final class MsgHdr {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));

    private static final long IOV = Layouts.offset(LAYOUT, "msg_iov");
    private static final long IOVLEN = Layouts.offset(LAYOUT, "msg_iovlen");
    private static final long CONTROL = Layouts.offset(LAYOUT, "msg_control");
    private static final long CONTROLLEN = Layouts.offset(LAYOUT, "msg_controllen");
    private static final long FLAGS = Layouts.offset(LAYOUT, "msg_flags");

    private MsgHdr() {
    }

    /** Sets the data buffers: {@code count} iovecs at {@code iov}. */
    public static void iov(MemorySegment msg, MemorySegment iov, long count) {
        msg.set(ADDRESS, IOV, iov);
        msg.set(JAVA_LONG, IOVLEN, count);
    }

    /** Sets the ancillary-data buffer. */
    public static void control(MemorySegment msg, MemorySegment control) {
        msg.set(ADDRESS, CONTROL, control);
        msg.set(JAVA_LONG, CONTROLLEN, control.byteSize());
    }

    /** The ancillary-data length the kernel left (recvmsg). */
    public static long controllen(MemorySegment msg) {
        return msg.get(JAVA_LONG, CONTROLLEN);
    }

    /** The flags the kernel returned (MSG_CTRUNC, MSG_TRUNC). */
    public static int flags(MemorySegment msg) {
        return msg.get(JAVA_INT, FLAGS);
    }
}
