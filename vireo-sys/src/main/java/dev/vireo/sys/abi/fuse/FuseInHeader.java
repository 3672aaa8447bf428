package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct fuse_in_header}: the header of every FUSE request, 40 bytes. */
@CStruct(value = "struct fuse_in_header", headers = "linux/fuse.h")
public final class FuseInHeader {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("len"),
            JAVA_INT.withName("opcode"),
            JAVA_LONG.withName("unique"),
            JAVA_LONG.withName("nodeid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"),
            JAVA_INT.withName("pid"),
            JAVA_SHORT.withName("total_extlen"),
            JAVA_SHORT.withName("padding"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long LEN = Layouts.offset(LAYOUT, "len");
    private static final long OPCODE = Layouts.offset(LAYOUT, "opcode");
    private static final long UNIQUE = Layouts.offset(LAYOUT, "unique");
    private static final long NODEID = Layouts.offset(LAYOUT, "nodeid");
    private static final long UID = Layouts.offset(LAYOUT, "uid");
    private static final long GID = Layouts.offset(LAYOUT, "gid");
    private static final long PID = Layouts.offset(LAYOUT, "pid");
    private static final long TOTAL_EXTLEN = Layouts.offset(LAYOUT, "total_extlen");
    private static final long PADDING = Layouts.offset(LAYOUT, "padding");

    private FuseInHeader() {
    }

    public static int len(MemorySegment s) {
        return s.get(JAVA_INT, LEN);
    }

    public static void len(MemorySegment s, int v) {
        s.set(JAVA_INT, LEN, v);
    }

    public static int opcode(MemorySegment s) {
        return s.get(JAVA_INT, OPCODE);
    }

    public static void opcode(MemorySegment s, int v) {
        s.set(JAVA_INT, OPCODE, v);
    }

    public static long unique(MemorySegment s) {
        return s.get(JAVA_LONG, UNIQUE);
    }

    public static void unique(MemorySegment s, long v) {
        s.set(JAVA_LONG, UNIQUE, v);
    }

    public static long nodeid(MemorySegment s) {
        return s.get(JAVA_LONG, NODEID);
    }

    public static void nodeid(MemorySegment s, long v) {
        s.set(JAVA_LONG, NODEID, v);
    }

    public static int uid(MemorySegment s) {
        return s.get(JAVA_INT, UID);
    }

    public static void uid(MemorySegment s, int v) {
        s.set(JAVA_INT, UID, v);
    }

    public static int gid(MemorySegment s) {
        return s.get(JAVA_INT, GID);
    }

    public static void gid(MemorySegment s, int v) {
        s.set(JAVA_INT, GID, v);
    }

    public static int pid(MemorySegment s) {
        return s.get(JAVA_INT, PID);
    }

    public static void pid(MemorySegment s, int v) {
        s.set(JAVA_INT, PID, v);
    }

    public static int totalExtlen(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, TOTAL_EXTLEN));
    }

    public static void totalExtlen(MemorySegment s, int v) {
        s.set(JAVA_SHORT, TOTAL_EXTLEN, (short) v);
    }

    public static int padding(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, PADDING));
    }

    public static void padding(MemorySegment s, int v) {
        s.set(JAVA_SHORT, PADDING, (short) v);
    }
}
