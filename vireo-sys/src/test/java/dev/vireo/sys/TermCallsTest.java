package dev.vireo.sys;

import dev.vireo.sys.abi.Winsize;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Terminal calls on a real pseudo-terminal pair from /dev/ptmx. */
@ExtendWith(FdLeakCheck.class)
class TermCallsTest {

    // asm-generic/ioctls.h (x86): TIOCGPTN = _IOR('T', 0x30, unsigned int), TIOCSPTLCK = _IOW('T', 0x31, int)
    private static final long TIOCGPTN = Ioctl.ior('T', 0x30, 4);
    private static final long TIOCSPTLCK = Ioctl.iow('T', 0x31, 4);
    private static final long TIOCSWINSZ = 0x5414;

    private record Pty(Fd master, Fd slave) implements AutoCloseable {
        @Override
        public void close() {
            slave.close();
            master.close();
        }
    }

    private static Pty openPty() {
        Requires.device("/dev/ptmx");
        Fd master = Fd.adopt(FsCalls.open("/dev/ptmx", FsCalls.O_RDWR | FsCalls.O_NOCTTY | FsCalls.O_CLOEXEC, 0), "/dev/ptmx");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            Ioctl.ioctl(master.num(), TIOCSPTLCK, n, "TIOCSPTLCK");
            Ioctl.ioctl(master.num(), TIOCGPTN, n, "TIOCGPTN");
            String path = "/dev/pts/" + n.get(JAVA_INT, 0);
            return new Pty(master, Fd.adopt(FsCalls.open(path, FsCalls.O_RDWR | FsCalls.O_NOCTTY | FsCalls.O_CLOEXEC, 0), path));
        }
    }

    @Test
    void rawModeIsSetAndRestored() {
        try (Pty pty = openPty()) {
            int fd = pty.slave().num();
            assertThat(TermCalls.isatty(fd)).isTrue();
            byte[] saved = TermCalls.tcgetattr(fd);
            assertThat(TermCalls.lflag(saved) & (TermCalls.ICANON | TermCalls.ECHO | TermCalls.ISIG))
                    .as("a new pty is cooked").isEqualTo(TermCalls.ICANON | TermCalls.ECHO | TermCalls.ISIG);

            TermCalls.tcsetattr(fd, TermCalls.TCSANOW, TermCalls.raw(saved));
            assertThat(TermCalls.lflag(TermCalls.tcgetattr(fd)) & (TermCalls.ICANON | TermCalls.ECHO | TermCalls.ISIG)).isZero();

            TermCalls.tcsetattr(fd, TermCalls.TCSADRAIN, saved);
            assertThat(TermCalls.tcgetattr(fd)).isEqualTo(saved);
        }
    }

    @Test
    void windowSizeIsRead() {
        try (Pty pty = openPty(); Arena a = Arena.ofConfined()) {
            MemorySegment w = a.allocate(Winsize.LAYOUT);
            w.set(JAVA_SHORT, 0, (short) 37);
            w.set(JAVA_SHORT, 2, (short) 123);
            Ioctl.ioctl(pty.master().num(), TIOCSWINSZ, w, "TIOCSWINSZ");
            assertThat(TermCalls.windowSize(pty.slave().num())).containsExactly(37, 123);
        }
    }

    @Test
    void aDeviceThatIsNoTerminalIsRefused() {
        int fd = FsCalls.open("/dev/null", FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0);
        try (Fd f = Fd.adopt(fd, "/dev/null")) {
            assertThat(TermCalls.isatty(f.num())).isFalse();
            assertThatThrownBy(() -> TermCalls.tcgetattr(f.num())).isInstanceOf(SysException.class)
                    .hasMessageContaining("ENOTTY");
        }
        assertThatThrownBy(() -> TermCalls.tcsetattr(0, TermCalls.TCSANOW, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
