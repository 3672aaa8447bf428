package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct fuse_link_in}: the argument of LINK, followed by the new name. */
@CStruct(value = "struct fuse_link_in", headers = "linux/fuse.h")
public final class FuseLinkIn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("oldnodeid"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long OLDNODEID = Layouts.offset(LAYOUT, "oldnodeid");

    private FuseLinkIn() {
    }

    public static long oldnodeid(MemorySegment s) {
        return s.get(JAVA_LONG, OLDNODEID);
    }

    public static void oldnodeid(MemorySegment s, long v) {
        s.set(JAVA_LONG, OLDNODEID, v);
    }
}
