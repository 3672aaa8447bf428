package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;
import dev.vireo.sys.abi.Termios;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Pseudo-terminals and terminal attributes: posix_openpt/grantpt/unlockpt/ptsname_r to create a
 * pty whose master vireo keeps (a console port a user attaches to with {@code screen
 * /dev/pts/N}), and tcgetattr/cfmakeraw/tcsetattr to put its line discipline into raw mode, so
 * that the kernel neither echoes nor edits what passes through.
 */
@CConstants(headers = "termios.h")
public final class TtyCalls {

    public static final int TCSANOW = 0;
    public static final int TCSADRAIN = 1;
    public static final int TCSAFLUSH = 2;

    private static final MethodHandle POSIX_OPENPT = Native.errnoCall("posix_openpt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GRANTPT = Native.errnoCall("grantpt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLOCKPT = Native.errnoCall("unlockpt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // ptsname_r returns the error number (and may also set errno).
    private static final MethodHandle PTSNAME_R = Native.plainCall("ptsname_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle TCGETATTR = Native.errnoCall("tcgetattr",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle TCSETATTR = Native.errnoCall("tcsetattr",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CFMAKERAW = Native.plainCall("cfmakeraw",
            FunctionDescriptor.ofVoid(ADDRESS));

    private TtyCalls() {
    }

    /** posix_openpt(3): a new pseudo-terminal master, owned by the caller; {@code flags} as for open (O_RDWR, O_NOCTTY ...). */
    public static Fd openpt(int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) POSIX_OPENPT.invokeExact(st, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Fd.adopt(Native.check(r, st, "posix_openpt"), "pty master");
    }

    /** grantpt(3). */
    public static void grantpt(int master) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) GRANTPT.invokeExact(st, master);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "grantpt");
    }

    /** unlockpt(3). */
    public static void unlockpt(int master) {
        MemorySegment st = Native.callState();
        int r;
        try {
            r = (int) UNLOCKPT.invokeExact(st, master);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "unlockpt");
    }

    /** ptsname_r(3): the path of the slave side of the pty {@code master}. */
    public static String ptsname(int master) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(128);
            int r;
            try {
                r = (int) PTSNAME_R.invokeExact(master, buf, buf.byteSize());
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r != 0) {
                throw new SysException("ptsname_r", r);
            }
            return buf.getString(0);
        }
    }

    /** tcgetattr(3) into a {@link Termios}. */
    public static void tcgetattr(int fd, MemorySegment termios) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) TCGETATTR.invokeExact(st, fd, termios);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "tcgetattr");
    }

    /** tcsetattr(3) from a {@link Termios}; {@code when} is TCSANOW, TCSADRAIN or TCSAFLUSH. */
    public static void tcsetattr(int fd, int when, MemorySegment termios) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) TCSETATTR.invokeExact(st, fd, when, termios);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "tcsetattr");
    }

    /** cfmakeraw(3): edits a {@link Termios} in memory for raw mode (no echo, no line editing, 8 bits). */
    public static void cfmakeraw(MemorySegment termios) {
        try {
            CFMAKERAW.invokeExact(termios);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** Puts the terminal {@code fd} into raw mode now (tcgetattr, cfmakeraw, tcsetattr). */
    public static void makeRaw(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(Termios.LAYOUT);
            tcgetattr(fd, t);
            cfmakeraw(t);
            tcsetattr(fd, TCSANOW, t);
        }
    }
}
