package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct ucred}: a Unix socket peer's credentials (SO_PEERCRED, SCM_CREDENTIALS). */
@CStruct(value = "struct ucred", headers = "sys/socket.h")
public final class Ucred {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long PID = Layouts.offset(LAYOUT, "pid");
    private static final long UID = Layouts.offset(LAYOUT, "uid");
    private static final long GID = Layouts.offset(LAYOUT, "gid");

    private Ucred() {
    }

    public static int pid(MemorySegment s) {
        return s.get(JAVA_INT, PID);
    }

    public static int uid(MemorySegment s) {
        return s.get(JAVA_INT, UID);
    }

    public static int gid(MemorySegment s) {
        return s.get(JAVA_INT, GID);
    }
}
