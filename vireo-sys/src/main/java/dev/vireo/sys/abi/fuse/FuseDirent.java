package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_dirent}: the header of one READDIR record; the name follows, and the record is padded to 8 bytes (FUSE_DIRENT_ALIGN). */
@CStruct(value = "struct fuse_dirent", headers = "linux/fuse.h")
public final class FuseDirent {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ino"),
            JAVA_LONG.withName("off"),
            JAVA_INT.withName("namelen"),
            JAVA_INT.withName("type"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long INO = Layouts.offset(LAYOUT, "ino");
    private static final long OFF = Layouts.offset(LAYOUT, "off");
    private static final long NAMELEN = Layouts.offset(LAYOUT, "namelen");
    private static final long TYPE = Layouts.offset(LAYOUT, "type");

    private FuseDirent() {
    }

    public static long ino(MemorySegment s) {
        return s.get(JAVA_LONG, INO);
    }

    public static void ino(MemorySegment s, long v) {
        s.set(JAVA_LONG, INO, v);
    }

    public static long off(MemorySegment s) {
        return s.get(JAVA_LONG, OFF);
    }

    public static void off(MemorySegment s, long v) {
        s.set(JAVA_LONG, OFF, v);
    }

    public static int namelen(MemorySegment s) {
        return s.get(JAVA_INT, NAMELEN);
    }

    public static void namelen(MemorySegment s, int v) {
        s.set(JAVA_INT, NAMELEN, v);
    }

    public static int type(MemorySegment s) {
        return s.get(JAVA_INT, TYPE);
    }

    public static void type(MemorySegment s, int v) {
        s.set(JAVA_INT, TYPE, v);
    }
}
