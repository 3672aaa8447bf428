package dev.vireo.io;

import dev.vireo.io.Fixtures.Engine;
import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The component of docs/io.md, run for real on every engine, so the example cannot rot. */
@ParameterizedClass(name = "{0}")
@MethodSource("dev.vireo.io.Fixtures#engines")
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocExampleTest {

    @Parameter
    Engine engine;

    @TempDir
    Path dir;

    /** docs/io.md, "A component that reads an eventfd and a file". */
    static final class ToyDevice implements AutoCloseable {
        private final EventLoop loop;
        private final Watch kick;
        private final Op read = new Op(this::readDone); // one op, reused for every request
        private final int image;
        private final int irq;
        private final MemorySegment guest;             // guest memory, mapped elsewhere
        private long position;

        ToyDevice(EventLoop loop, Fd kickFd, Fd irqFd, Fd imageFd, MemorySegment guest) {
            this.loop = loop;
            this.image = imageFd.num();
            this.irq = irqFd.num();
            this.guest = guest;
            this.kick = loop.watch(kickFd.num(), this::kicked); // the loop reads the eventfd itself
        }

        private void kicked(long count) {                  // on the loop thread
            if (read.isIdle()) {
                // Into guest memory at 0x1000, no slice, no copy through the heap, no allocation.
                loop.submit(read.read(image, guest, 0x1000, 4096, position));
            }
        }

        private void readDone(Op op, int result) {        // on the loop thread
            if (result < 0) {
                System.err.println("read failed: " + Errno.nameOf(-result));
                return;
            }
            position += result;
            loop.signal(irq);                              // the interrupt
        }

        @Override
        public void close() {
            kick.close();                                  // the eventfds stay the caller's
        }
    }

    @Test
    void eachKickReadsTheNextBlockIntoGuestMemoryAndRaisesTheInterrupt() {
        try (Arena arena = Arena.ofShared();
             Fd kickFd = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
             Fd irqFd = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
             Fd imageFd = Fixtures.file(dir.resolve("image"));
             EventLoop loop = engine.open()) {
            Fixtures.writePatternFile(imageFd, 3 * 4096);
            MemorySegment guest = arena.allocate(64 * 1024, 4096);
            try (ToyDevice dev = new ToyDevice(loop, kickFd, irqFd, imageFd, guest)) {
                for (int block = 0; block < 3; block++) {
                    EventCalls.eventfdWrite(kickFd.num(), 1);           // the driver kicks
                    assertThat(awaitInterrupt(irqFd)).isEqualTo(1);      // the interrupt arrives
                    assertThat(Fixtures.patternMismatch(guest.asSlice(0x1000), block * 4096L, 4096)).isEqualTo(-1);
                }
                assertThat(guest.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x0FFF)).isZero();
            }
        }
    }

    /** The interrupt as the "guest" sees it: the irq eventfd's counter, waited for up to 20 s. */
    private static long awaitInterrupt(Fd efd) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long n;
        while ((n = EventCalls.eventfdRead(efd.num())) == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return n;
    }
}
