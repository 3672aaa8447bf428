package dev.vireo.io;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsTest {

    @Test
    void engineKindParsesThePropertyValues() {
        assertThat(EngineKind.parse(null)).isEqualTo(EngineKind.AUTO);
        assertThat(EngineKind.parse(" ")).isEqualTo(EngineKind.AUTO);
        assertThat(EngineKind.parse("auto")).isEqualTo(EngineKind.AUTO);
        assertThat(EngineKind.parse("io_uring")).isEqualTo(EngineKind.IO_URING);
        assertThat(EngineKind.parse("IO_URING")).isEqualTo(EngineKind.IO_URING);
        assertThat(EngineKind.parse("uring")).isEqualTo(EngineKind.IO_URING);
        assertThat(EngineKind.parse("epoll")).isEqualTo(EngineKind.EPOLL);
        assertThat(EngineKind.parse("portable")).isEqualTo(EngineKind.EPOLL);
        assertThatThrownBy(() -> EngineKind.parse("kqueue")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dvireo.io=kqueue");
    }

    @Test
    void theSystemPropertyChoosesTheEngineOfTheDefaults() {
        String before = System.getProperty(EngineKind.PROPERTY);
        try {
            System.setProperty(EngineKind.PROPERTY, "epoll");
            assertThat(LoopOptions.defaults().engine()).isEqualTo(EngineKind.EPOLL);
            try (EventLoop loop = EventLoop.open()) {
                assertThat(loop.engineKind()).isEqualTo(EngineKind.EPOLL);
            }
            System.clearProperty(EngineKind.PROPERTY);
            assertThat(LoopOptions.defaults().engine()).isEqualTo(EngineKind.AUTO);
        } finally {
            if (before == null) {
                System.clearProperty(EngineKind.PROPERTY);
            } else {
                System.setProperty(EngineKind.PROPERTY, before);
            }
        }
    }

    @Test
    void optionsRejectNonsense() {
        LoopOptions d = LoopOptions.defaults();
        assertThatThrownBy(() -> d.withCapacity(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withCapacity(LoopOptions.MAX_CAPACITY + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withRing(64, 32)).as("CQ smaller than SQ").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withPoolThreads(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(d.withRing(8, 8).ringEntries()).isEqualTo(8);
        assertThat(d.busyPollNanos()).as("busy polling is opt-in").isZero();
        assertThatThrownBy(() -> d.withBusyPoll(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withBusyPoll(LoopOptions.MAX_BUSY_POLL_NANOS + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(d.withBusyPoll(32_768).busyPollNanos()).isEqualTo(32_768);
    }

    @Test
    void opPreparationChecksItsArguments() {
        Op op = new Op((o, r) -> { });
        byte[] heap = new byte[16];
        assertThatThrownBy(() -> op.read(0, java.lang.foreign.MemorySegment.ofArray(heap), 0))
                .as("heap memory moves; the kernel needs native memory").isInstanceOf(IllegalArgumentException.class);
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment buf = a.allocate(64);
            assertThatThrownBy(() -> op.read(0, buf, 60, 8, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> op.read(-1, buf, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> op.read(0, buf, -2)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> op.readv(0, buf, 5, 0)).as("5 iovecs need 80 bytes").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> op.openat(-100, a.allocate(4).fill((byte) 'a'), 0, 0))
                    .as("no NUL").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> op.timeout(1).linkTimeout(5)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> op.pollMultishot(0, 1).linkTimeout(5)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> op.close(3).fixedFile()).isInstanceOf(IllegalStateException.class);
            op.read(0, buf, 8, 16, -1).linkTimeout(10).fixedFile();
            assertThat(op.address()).isEqualTo(buf.address() + 8);
            assertThat(op.linkTimeoutNanos()).isEqualTo(10);
            assertThat(op.isFixedFile()).isTrue();
            op.nop();
            assertThat(op.linkTimeoutNanos()).as("preparation resets modifiers").isZero();
            assertThat(op.isFixedFile()).isFalse();
        }
    }
}
