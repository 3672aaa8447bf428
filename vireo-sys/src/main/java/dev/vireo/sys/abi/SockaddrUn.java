package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct sockaddr_un}: a Unix domain socket address (a path of at most 107 bytes). */
@CStruct(value = "struct sockaddr_un", headers = "sys/un.h")
public final class SockaddrUn {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path"));

    /** The longest path that fits with its terminating NUL. */
    public static final int MAX_PATH = 107;
    private static final short AF_UNIX = 1;
    private static final long PATH = Layouts.offset(LAYOUT, "sun_path");

    private SockaddrUn() {
    }

    /** Fills {@code addr} with AF_UNIX and {@code path}; returns the address length to pass to bind/connect. */
    public static int set(MemorySegment addr, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PATH) {
            throw new IllegalArgumentException("Unix socket path longer than " + MAX_PATH + " bytes: " + path);
        }
        addr.fill((byte) 0);
        addr.set(JAVA_SHORT, 0, AF_UNIX);
        MemorySegment.copy(bytes, 0, addr, JAVA_BYTE, PATH, bytes.length);
        return (int) (PATH + bytes.length + 1);
    }
}
