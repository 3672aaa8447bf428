package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct fuse_init_out}: the server's INIT reply (64 bytes; FUSE_COMPAT_22_INIT_OUT_SIZE is 24). */
@CStruct(value = "struct fuse_init_out", headers = "linux/fuse.h")
public final class FuseInitOut {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("major"),
            JAVA_INT.withName("minor"),
            JAVA_INT.withName("max_readahead"),
            JAVA_INT.withName("flags"),
            JAVA_SHORT.withName("max_background"),
            JAVA_SHORT.withName("congestion_threshold"),
            JAVA_INT.withName("max_write"),
            JAVA_INT.withName("time_gran"),
            JAVA_SHORT.withName("max_pages"),
            JAVA_SHORT.withName("map_alignment"),
            JAVA_INT.withName("flags2"),
            MemoryLayout.sequenceLayout(7, JAVA_INT).withName("unused"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long MAJOR = Layouts.offset(LAYOUT, "major");
    private static final long MINOR = Layouts.offset(LAYOUT, "minor");
    private static final long MAX_READAHEAD = Layouts.offset(LAYOUT, "max_readahead");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long MAX_BACKGROUND = Layouts.offset(LAYOUT, "max_background");
    private static final long CONGESTION_THRESHOLD = Layouts.offset(LAYOUT, "congestion_threshold");
    private static final long MAX_WRITE = Layouts.offset(LAYOUT, "max_write");
    private static final long TIME_GRAN = Layouts.offset(LAYOUT, "time_gran");
    private static final long MAX_PAGES = Layouts.offset(LAYOUT, "max_pages");
    private static final long MAP_ALIGNMENT = Layouts.offset(LAYOUT, "map_alignment");
    private static final long FLAGS2 = Layouts.offset(LAYOUT, "flags2");

    private FuseInitOut() {
    }

    public static int major(MemorySegment s) {
        return s.get(JAVA_INT, MAJOR);
    }

    public static void major(MemorySegment s, int v) {
        s.set(JAVA_INT, MAJOR, v);
    }

    public static int minor(MemorySegment s) {
        return s.get(JAVA_INT, MINOR);
    }

    public static void minor(MemorySegment s, int v) {
        s.set(JAVA_INT, MINOR, v);
    }

    public static int maxReadahead(MemorySegment s) {
        return s.get(JAVA_INT, MAX_READAHEAD);
    }

    public static void maxReadahead(MemorySegment s, int v) {
        s.set(JAVA_INT, MAX_READAHEAD, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }

    public static int maxBackground(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, MAX_BACKGROUND));
    }

    public static void maxBackground(MemorySegment s, int v) {
        s.set(JAVA_SHORT, MAX_BACKGROUND, (short) v);
    }

    public static int congestionThreshold(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, CONGESTION_THRESHOLD));
    }

    public static void congestionThreshold(MemorySegment s, int v) {
        s.set(JAVA_SHORT, CONGESTION_THRESHOLD, (short) v);
    }

    public static int maxWrite(MemorySegment s) {
        return s.get(JAVA_INT, MAX_WRITE);
    }

    public static void maxWrite(MemorySegment s, int v) {
        s.set(JAVA_INT, MAX_WRITE, v);
    }

    public static int timeGran(MemorySegment s) {
        return s.get(JAVA_INT, TIME_GRAN);
    }

    public static void timeGran(MemorySegment s, int v) {
        s.set(JAVA_INT, TIME_GRAN, v);
    }

    public static int maxPages(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, MAX_PAGES));
    }

    public static void maxPages(MemorySegment s, int v) {
        s.set(JAVA_SHORT, MAX_PAGES, (short) v);
    }

    public static int mapAlignment(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, MAP_ALIGNMENT));
    }

    public static void mapAlignment(MemorySegment s, int v) {
        s.set(JAVA_SHORT, MAP_ALIGNMENT, (short) v);
    }

    public static int flags2(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS2);
    }

    public static void flags2(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS2, v);
    }
}
