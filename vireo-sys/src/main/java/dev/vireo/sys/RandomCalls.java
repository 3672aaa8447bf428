package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** getrandom(2): the kernel's random bytes, written straight into a native buffer (the entropy device fills guest memory with it). */
@CConstants(headers = "sys/random.h")
public final class RandomCalls {

    public static final int GRND_NONBLOCK = 1;
    public static final int GRND_RANDOM = 2;
    public static final int GRND_INSECURE = 4;

    private static final MethodHandle GETRANDOM = Native.errnoCall("getrandom",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT));

    private RandomCalls() {
    }

    /**
     * getrandom(2) into {@code buf}; returns the bytes written, which may be fewer than asked for
     * requests over 256 bytes. Restarted on EINTR.
     */
    public static long getrandom(MemorySegment buf, int flags) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) GETRANDOM.invokeExact(st, buf, buf.byteSize(), flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "getrandom");
    }

    /**
     * {@code bytes} random bytes from the kernel as lower-case hex, for nonces and unguessable
     * names. Not SecureRandom: setting up its provider costs a young JVM 10-25 ms
     * ({@code -Xlog:class+init}), on the path of every {@code vireo run} before QEMU starts.
     */
    public static String hex(int bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(bytes);
            for (long got = 0; got < bytes; ) {
                got += getrandom(b.asSlice(got), 0);
            }
            return HexFormat.of().formatHex(b.toArray(JAVA_BYTE));
        }
    }
}
