package dev.vireo.sys.abi.uring;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_sqe}, 64 bytes: one submission. The unions of the C struct are unnamed
 * unions here; each member keeps its C name, so {@code addr} and {@code splice_off_in} share an
 * offset as in the header. Accessors write into a slot of the mapped submission array.
 */
@CStruct(value = "struct io_uring_sqe", headers = "linux/io_uring.h")
public final class IoUringSqe {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            MemoryLayout.unionLayout(
                    JAVA_LONG.withName("off"),
                    JAVA_LONG.withName("addr2"),
                    MemoryLayout.structLayout(
                            JAVA_INT.withName("cmd_op"),
                            JAVA_INT.withName("__pad1"))),
            MemoryLayout.unionLayout(
                    JAVA_LONG.withName("addr"),
                    JAVA_LONG.withName("splice_off_in")),
            JAVA_INT.withName("len"),
            MemoryLayout.unionLayout(
                    JAVA_INT.withName("rw_flags"),
                    JAVA_INT.withName("fsync_flags"),
                    JAVA_SHORT.withName("poll_events"),
                    JAVA_INT.withName("poll32_events"),
                    JAVA_INT.withName("sync_range_flags"),
                    JAVA_INT.withName("msg_flags"),
                    JAVA_INT.withName("timeout_flags"),
                    JAVA_INT.withName("accept_flags"),
                    JAVA_INT.withName("cancel_flags"),
                    JAVA_INT.withName("open_flags"),
                    JAVA_INT.withName("statx_flags"),
                    JAVA_INT.withName("fadvise_advice"),
                    JAVA_INT.withName("splice_flags"),
                    JAVA_INT.withName("rename_flags"),
                    JAVA_INT.withName("unlink_flags"),
                    JAVA_INT.withName("hardlink_flags"),
                    JAVA_INT.withName("xattr_flags"),
                    JAVA_INT.withName("msg_ring_flags"),
                    JAVA_INT.withName("uring_cmd_flags")),
            JAVA_LONG.withName("user_data"),
            MemoryLayout.unionLayout(
                    JAVA_SHORT.withName("buf_index"),
                    JAVA_SHORT.withName("buf_group")),
            JAVA_SHORT.withName("personality"),
            MemoryLayout.unionLayout(
                    JAVA_INT.withName("splice_fd_in"),
                    JAVA_INT.withName("file_index")),
            JAVA_LONG.withName("addr3"),
            MemoryLayout.paddingLayout(8));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long OPCODE = Layouts.offset(LAYOUT, "opcode");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long IOPRIO = Layouts.offset(LAYOUT, "ioprio");
    private static final long FD = Layouts.offset(LAYOUT, "fd");
    private static final long OFF = Layouts.offset(LAYOUT, "off");
    private static final long ADDR = Layouts.offset(LAYOUT, "addr");
    private static final long LEN = Layouts.offset(LAYOUT, "len");
    private static final long OP_FLAGS = Layouts.offset(LAYOUT, "rw_flags");
    private static final long USER_DATA = Layouts.offset(LAYOUT, "user_data");
    private static final long BUF_INDEX = Layouts.offset(LAYOUT, "buf_index");
    private static final long PERSONALITY = Layouts.offset(LAYOUT, "personality");
    private static final long FILE_INDEX = Layouts.offset(LAYOUT, "file_index");
    private static final long ADDR3 = Layouts.offset(LAYOUT, "addr3");

    private IoUringSqe() {
    }

    /**
     * Fills the common fields of the SQE at {@code at} in {@code sqes} and zeroes the rest, the
     * equivalent of liburing's {@code io_uring_prep_rw}.
     */
    public static void prep(MemorySegment sqes, long at, int opcode, int fd, long addr, int len, long off) {
        sqes.set(JAVA_BYTE, at + OPCODE, (byte) opcode);
        sqes.set(JAVA_BYTE, at + FLAGS, (byte) 0);
        sqes.set(JAVA_SHORT, at + IOPRIO, (short) 0);
        sqes.set(JAVA_INT, at + FD, fd);
        sqes.set(JAVA_LONG, at + OFF, off);
        sqes.set(JAVA_LONG, at + ADDR, addr);
        sqes.set(JAVA_INT, at + LEN, len);
        sqes.set(JAVA_INT, at + OP_FLAGS, 0);
        sqes.set(JAVA_LONG, at + USER_DATA, 0);
        sqes.set(JAVA_SHORT, at + BUF_INDEX, (short) 0);
        sqes.set(JAVA_SHORT, at + PERSONALITY, (short) 0);
        sqes.set(JAVA_INT, at + FILE_INDEX, 0);
        sqes.set(JAVA_LONG, at + ADDR3, 0);
        sqes.set(JAVA_LONG, at + ADDR3 + 8, 0);
    }

    public static void flags(MemorySegment sqes, long at, int iosqeFlags) {
        sqes.set(JAVA_BYTE, at + FLAGS, (byte) iosqeFlags);
    }

    /** The 32-bit operation flags (rw_flags, fsync_flags, timeout_flags, poll32_events ... share it). */
    public static void opFlags(MemorySegment sqes, long at, int flags) {
        sqes.set(JAVA_INT, at + OP_FLAGS, flags);
    }

    public static void userData(MemorySegment sqes, long at, long userData) {
        sqes.set(JAVA_LONG, at + USER_DATA, userData);
    }

    public static void bufIndex(MemorySegment sqes, long at, int index) {
        sqes.set(JAVA_SHORT, at + BUF_INDEX, (short) index);
    }

    public static void fileIndex(MemorySegment sqes, long at, int index) {
        sqes.set(JAVA_INT, at + FILE_INDEX, index);
    }

    public static int opcode(MemorySegment sqes, long at) {
        return Byte.toUnsignedInt(sqes.get(JAVA_BYTE, at + OPCODE));
    }

    public static long userData(MemorySegment sqes, long at) {
        return sqes.get(JAVA_LONG, at + USER_DATA);
    }
}
