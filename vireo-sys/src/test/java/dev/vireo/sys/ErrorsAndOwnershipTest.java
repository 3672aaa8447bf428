package dev.vireo.sys;

import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Failures become SysException with the call and errno name; owners fail loudly after close. */
@ExtendWith(FdLeakCheck.class)
class ErrorsAndOwnershipTest {

    @Test
    void openingAMissingFileIsEnoentWithTheCallAndPath() {
        assertThatThrownBy(() -> FsCalls.open("/no/such/file", FsCalls.O_RDONLY, 0))
                .isInstanceOfSatisfying(SysException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT.code());
                    assertThat(e.is(Errno.ENOENT)).isTrue();
                    assertThat(e.call()).isEqualTo("open");
                    assertThat(e.getMessage()).isEqualTo("open(\"/no/such/file\"): ENOENT (No such file or directory)");
                });
    }

    @Test
    void errnoNamesCoverLinuxAndUnknownNumbers() {
        assertThat(Errno.of(13)).isEqualTo(Errno.EACCES);
        assertThat(Errno.nameOf(95)).isEqualTo("EOPNOTSUPP");
        assertThat(Errno.of(4000)).isNull();
        assertThat(Errno.nameOf(4000)).isEqualTo("E4000");
        assertThat(new SysException("x", 4000).getMessage()).isEqualTo("x: E4000");
    }

    @Test
    void aClosedFdCannotBeUsedAndClosingTwiceIsHarmless() {
        Fd fd = EventCalls.eventfd(0);
        int number = fd.num();
        fd.close();
        fd.close();
        assertThat(fd.isOpen()).isFalse();
        assertThatThrownBy(fd::num).isInstanceOf(IllegalStateException.class).hasMessageContaining("already closed");
        // the raw number is gone too: the kernel says EBADF, the wrapper says which call
        assertThatThrownBy(() -> FdCalls.close(number)).isInstanceOfSatisfying(SysException.class,
                e -> assertThat(e.is(Errno.EBADF)).isTrue());
        try (Arena a = Arena.ofConfined()) {
            assertThatThrownBy(() -> FdCalls.read(number, a.allocate(8))).isInstanceOfSatisfying(SysException.class,
                    e -> assertThat(e.getMessage()).startsWith("read: EBADF"));
        }
    }

    @Test
    void releaseHandsOwnershipOver() {
        Fd fd = EventCalls.eventfd(0);
        int n = fd.release();
        assertThatThrownBy(fd::num).isInstanceOf(IllegalStateException.class);
        fd.close(); // no effect: no longer owned
        Fd again = Fd.adopt(n, "eventfd");
        again.close();
    }

    @Test
    void anUnmappedMappingThrowsInsteadOfCrashing() {
        Mapping m = MemCalls.mmap(4096, MemCalls.PROT_READ | MemCalls.PROT_WRITE,
                MemCalls.MAP_PRIVATE | MemCalls.MAP_ANONYMOUS, -1, 0);
        MemorySegment s = m.segment();
        MemorySegment slice = s.asSlice(100, 10);
        s.set(JAVA_BYTE, 100, (byte) 9);
        assertThat(slice.get(JAVA_BYTE, 0)).isEqualTo((byte) 9);
        m.close();
        m.close();
        assertThat(m.isMapped()).isFalse();
        assertThatThrownBy(() -> s.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> slice.set(JAVA_BYTE, 0, (byte) 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badArgumentsAreErrorsNotCrashes() {
        assertThatThrownBy(() -> MemCalls.mmap(0, MemCalls.PROT_READ, MemCalls.MAP_PRIVATE | MemCalls.MAP_ANONYMOUS, -1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemCalls.mmap(4096, MemCalls.PROT_READ, MemCalls.MAP_SHARED, 12345, 0))
                .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.EBADF)).isTrue());
        assertThatThrownBy(() -> Ioctl.ioctl(-1, 0, 0, "TEST")).isInstanceOfSatisfying(SysException.class,
                e -> assertThat(e.getMessage()).isEqualTo("ioctl(TEST): EBADF (Bad file descriptor)"));
        try (Arena a = Arena.ofConfined()) {
            // a heap segment can never reach a system call
            assertThatThrownBy(() -> FdCalls.read(0, MemorySegment.ofArray(new byte[8])))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
