package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;
import dev.vireo.sys.abi.Termios;
import dev.vireo.sys.abi.Winsize;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Terminals: isatty(3), tcgetattr(3)/tcsetattr(3)/cfmakeraw(3) for raw mode, the window size
 * (TIOCGWINSZ), and pseudo-terminals (posix_openpt, grantpt, unlockpt, ptsname_r). Cold-path calls:
 * each allocates its scratch in a confined arena.
 */
@CConstants(headers = {"termios.h", "sys/ioctl.h"})
public final class TermCalls {

    public static final int TCSANOW = 0;
    public static final int TCSADRAIN = 1;
    public static final int TCSAFLUSH = 2;
    public static final int ICANON = 2;
    public static final int ECHO = 8;
    public static final int ISIG = 1;
    /** {@code TIOCGWINSZ}: {@code 0x5413} on x86 (asm-generic/ioctls.h, not _IOR-encoded). */
    public static final long TIOCGWINSZ = 0x5413;

    // Each handle sits in its own holder class, linked when the call is first made (see Native).
    private static final class IsattyCall {
        static final MethodHandle H = Native.errnoCall("isatty",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class TcgetattrCall {
        static final MethodHandle H = Native.errnoCall("tcgetattr",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class TcsetattrCall {
        static final MethodHandle H = Native.errnoCall("tcsetattr",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    // cfmakeraw(3) returns void and cannot fail.
    private static final class CfmakerawCall {
        static final MethodHandle H = Native.plainCall("cfmakeraw",
                FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static final class PosixOpenptCall {
        static final MethodHandle H = Native.errnoCall("posix_openpt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class GrantptCall {
        static final MethodHandle H = Native.errnoCall("grantpt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class UnlockptCall {
        static final MethodHandle H = Native.errnoCall("unlockpt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    // ptsname_r returns the error number (and may also set errno).
    private static final class PtsnameRCall {
        static final MethodHandle H = Native.plainCall("ptsname_r",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private TermCalls() {
    }

    /** isatty(3): whether {@code fd} is a terminal (false for any error, as isatty itself says). */
    public static boolean isatty(int fd) {
        try {
            return (int) IsattyCall.H.invokeExact(Native.callState(), fd) == 1;
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** tcgetattr(3): the terminal's settings, as a {@link Termios} byte image to restore later. */
    public static byte[] tcgetattr(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(Termios.LAYOUT);
            MemorySegment st = Native.callState();
            int r;
            try {
                r = (int) TcgetattrCall.H.invokeExact(st, fd, t);
            } catch (Throwable e) {
                throw Native.unexpected(e);
            }
            Native.check(r, st, "tcgetattr");
            return t.toArray(JAVA_BYTE);
        }
    }

    /**
     * tcsetattr(3) with settings from {@link #tcgetattr} (or {@link #raw}). Restarted on EINTR
     * (TCSADRAIN waits for output to drain, which a signal may interrupt).
     */
    public static void tcsetattr(int fd, int when, byte[] termios) {
        if (termios.length != Termios.SIZE) {
            throw new IllegalArgumentException("termios image of " + termios.length + " bytes, expected " + Termios.SIZE);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(Termios.LAYOUT);
            MemorySegment.copy(termios, 0, t, JAVA_BYTE, 0, termios.length);
            MemorySegment st = Native.callState();
            int r;
            try {
                do {
                    r = (int) TcsetattrCall.H.invokeExact(st, fd, when, t);
                } while (Native.interrupted(r, st));
            } catch (Throwable e) {
                throw Native.unexpected(e);
            }
            Native.check(r, st, "tcsetattr");
        }
    }

    /** cfmakeraw(3) applied to a copy of {@code termios}: no echo, no line editing, no signals, 8 bits. */
    public static byte[] raw(byte[] termios) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(Termios.LAYOUT);
            MemorySegment.copy(termios, 0, t, JAVA_BYTE, 0, termios.length);
            try {
                CfmakerawCall.H.invokeExact(t);
            } catch (Throwable e) {
                throw Native.unexpected(e);
            }
            return t.toArray(JAVA_BYTE);
        }
    }

    /** The local-mode flags ({@code c_lflag}) of a termios image. */
    public static int lflag(byte[] termios) {
        return MemorySegment.ofArray(termios).get(JAVA_INT_UNALIGNED, Termios.C_LFLAG);
    }

    /** The terminal's size as {rows, columns}, from TIOCGWINSZ. */
    public static int[] windowSize(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment w = a.allocate(Winsize.LAYOUT);
            Ioctl.ioctl(fd, TIOCGWINSZ, w, "TIOCGWINSZ");
            return new int[] {Winsize.rows(w), Winsize.cols(w)};
        }
    }

    /** posix_openpt(3): a new pseudo-terminal master, owned by the caller; {@code flags} as for open (O_RDWR, O_NOCTTY ...). */
    public static Fd openpt(int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) PosixOpenptCall.H.invokeExact(st, flags);
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
            r = (int) GrantptCall.H.invokeExact(st, master);
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
            r = (int) UnlockptCall.H.invokeExact(st, master);
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
                r = (int) PtsnameRCall.H.invokeExact(master, buf, buf.byteSize());
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r != 0) {
                throw new SysException("ptsname_r", r);
            }
            return buf.getString(0);
        }
    }

    /** Puts the terminal {@code fd} into raw mode now (tcgetattr, cfmakeraw, tcsetattr). */
    public static void makeRaw(int fd) {
        tcsetattr(fd, TCSANOW, raw(tcgetattr(fd)));
    }
}
