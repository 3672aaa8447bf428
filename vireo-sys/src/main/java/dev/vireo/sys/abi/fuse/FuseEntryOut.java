package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_entry_out}: the reply to LOOKUP, MKNOD, MKDIR, SYMLINK, LINK and the first part of CREATE/TMPFILE (128 bytes); {@code nodeid:generation} must be unique for the file system's lifetime. */
@CStruct(value = "struct fuse_entry_out", headers = "linux/fuse.h")
public final class FuseEntryOut {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("nodeid"),
            JAVA_LONG.withName("generation"),
            JAVA_LONG.withName("entry_valid"),
            JAVA_LONG.withName("attr_valid"),
            JAVA_INT.withName("entry_valid_nsec"),
            JAVA_INT.withName("attr_valid_nsec"),
            FuseAttr.LAYOUT.withName("attr"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long NODEID = Layouts.offset(LAYOUT, "nodeid");
    private static final long GENERATION = Layouts.offset(LAYOUT, "generation");
    private static final long ENTRY_VALID = Layouts.offset(LAYOUT, "entry_valid");
    private static final long ATTR_VALID = Layouts.offset(LAYOUT, "attr_valid");
    private static final long ENTRY_VALID_NSEC = Layouts.offset(LAYOUT, "entry_valid_nsec");
    private static final long ATTR_VALID_NSEC = Layouts.offset(LAYOUT, "attr_valid_nsec");
    /** Offset of the nested {@code attr} ({@link FuseAttr}). */
    public static final long ATTR = Layouts.offset(LAYOUT, "attr");

    private FuseEntryOut() {
    }

    public static long nodeid(MemorySegment s) {
        return s.get(JAVA_LONG, NODEID);
    }

    public static void nodeid(MemorySegment s, long v) {
        s.set(JAVA_LONG, NODEID, v);
    }

    public static long generation(MemorySegment s) {
        return s.get(JAVA_LONG, GENERATION);
    }

    public static void generation(MemorySegment s, long v) {
        s.set(JAVA_LONG, GENERATION, v);
    }

    public static long entryValid(MemorySegment s) {
        return s.get(JAVA_LONG, ENTRY_VALID);
    }

    public static void entryValid(MemorySegment s, long v) {
        s.set(JAVA_LONG, ENTRY_VALID, v);
    }

    public static long attrValid(MemorySegment s) {
        return s.get(JAVA_LONG, ATTR_VALID);
    }

    public static void attrValid(MemorySegment s, long v) {
        s.set(JAVA_LONG, ATTR_VALID, v);
    }

    public static int entryValidNsec(MemorySegment s) {
        return s.get(JAVA_INT, ENTRY_VALID_NSEC);
    }

    public static void entryValidNsec(MemorySegment s, int v) {
        s.set(JAVA_INT, ENTRY_VALID_NSEC, v);
    }

    public static int attrValidNsec(MemorySegment s) {
        return s.get(JAVA_INT, ATTR_VALID_NSEC);
    }

    public static void attrValidNsec(MemorySegment s, int v) {
        s.set(JAVA_INT, ATTR_VALID_NSEC, v);
    }
}
