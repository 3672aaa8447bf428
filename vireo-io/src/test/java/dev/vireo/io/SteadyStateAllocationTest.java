package dev.vireo.io;

import dev.vireo.io.Fixtures.Engine;
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
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hot paths allocate nothing once warm: the bytes the loop thread allocates (the JVM's
 * per-thread allocation counter) over 100,000 operations stay below half a byte per operation.
 * A single small object per operation would be 16 bytes or more.
 *
 * <p>"Once warm" matters: until C2 has compiled and inlined a downcall, the JDK's own errno
 * capture check allocates a segment per call (seen with JFR in
 * {@code SharedUtils.checkCaptureSegment}); escape analysis removes it afterwards. So each case
 * runs rounds of 100,000 operations until one round is clean, at most {@value #ROUNDS}.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("dev.vireo.io.Fixtures#engines")
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SteadyStateAllocationTest {

    private static final int MEASURED = 100_000;
    private static final int ROUNDS = 15;

    @Parameter
    Engine engine;

    @TempDir
    Path dir;

    /** Runs {@code chain} (which must call {@code done} after {@code n} operations) and returns the loop thread's bytes allocated meanwhile. */
    private static long allocatedDuring(EventLoop loop, int n, Consumer<Runnable> chain) throws InterruptedException {
        // n is how many operations chain performs before it calls done; kept for the reader.
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] id = new long[1];
        long[] before = new long[1];
        long[] after = new long[1];
        CountDownLatch finished = new CountDownLatch(1);
        loop.execute(() -> {
            id[0] = Thread.currentThread().threadId();
            before[0] = mx.getCurrentThreadAllocatedBytes();
            chain.accept(() -> {
                after[0] = mx.getCurrentThreadAllocatedBytes();
                finished.countDown();
            });
        });
        assertThat(finished.await(100, TimeUnit.SECONDS)).isTrue();
        return after[0] - before[0];
    }

    /** An op that resubmits itself from its own handler until {@code n} completions. */
    private static final class Chain implements Completion {
        private final EventLoop loop;
        private final Consumer<Op> prepare;
        private int left;
        private Runnable done;

        Chain(EventLoop loop, Consumer<Op> prepare) {
            this.loop = loop;
            this.prepare = prepare;
        }

        void start(int n, Runnable whenDone, Op op) {
            left = n;
            done = whenDone;
            prepare.accept(op);
            loop.submit(op);
        }

        @Override
        public void complete(Op op, int result) {
            if (result < 0) {
                throw new IllegalStateException("result " + result);
            }
            if (--left == 0) {
                done.run();
                return;
            }
            prepare.accept(op);
            loop.submit(op);
        }
    }

    private void assertAllocationFree(EventLoop loop, Consumer<Op> prepare) throws InterruptedException {
        Chain chain = new Chain(loop, prepare);
        Op op = new Op(chain);
        assertWarmRoundIsClean(() -> allocatedDuring(loop, MEASURED, d -> chain.start(MEASURED, d, op)));
    }

    interface Round {
        long bytes() throws InterruptedException;
    }

    private static void assertWarmRoundIsClean(Round round) throws InterruptedException {
        long bytes = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS && (double) bytes / MEASURED >= 0.5; i++) {
            bytes = round.bytes();
        }
        assertThat((double) bytes / MEASURED).as("bytes allocated per operation on the loop thread in the last of up to %d rounds (%d in all)", ROUNDS, bytes)
                .isLessThan(0.5);
    }

    @Test
    void resubmittingAnOpAllocatesNothing() throws Exception {
        try (EventLoop loop = engine.open()) {
            assertAllocationFree(loop, Op::nop);
        }
    }

    @Test
    void readingAFileIntoAPartOfALargerBufferAllocatesNothing() throws Exception {
        // The portable engine hands file reads to worker threads; the loop thread's side of that
        // hand-over is what is measured here.
        try (Arena arena = Arena.ofShared(); Fd f = Fixtures.file(dir.resolve("f")); EventLoop loop = engine.open()) {
            Fixtures.writePatternFile(f, 1 << 20);
            MemorySegment guest = arena.allocate(1 << 20, 4096);
            long[] offset = {0};
            assertAllocationFree(loop, op -> {
                offset[0] = (offset[0] + 4096) & ((1 << 20) - 1);
                op.read(f.num(), guest, offset[0], 4096, offset[0]);
            });
        }
    }

    @Test
    void eventfdNotificationsAllocateNothing() throws Exception {
        // A device thread kicks, the loop reads the eventfd and calls fired(), which lets the
        // device kick again: the loop thread's whole receive path, wake-up included. (The kick
        // itself is a write(2) through vireo-sys on the other thread; see docs/io.md for why a
        // write made from deep inside a handler can cost the JDK's 40-byte call-state slice.)
        try (Fd efd = EventCalls.eventfd(EventCalls.EFD_CLOEXEC); EventLoop loop = engine.open()) {
            Semaphore fired = new Semaphore(0);
            int[] left = new int[1];
            Runnable[] done = new Runnable[1];
            Watch w = loop.watch(efd.num(), n -> {
                if (--left[0] == 0) {
                    done[0].run();
                }
                fired.release();
            });
            Thread device = Thread.ofPlatform().daemon(true).start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        fired.acquire();
                    } catch (InterruptedException e) {
                        return;
                    }
                    EventCalls.eventfdWrite(efd.num(), 1);
                }
            });
            try {
                assertWarmRoundIsClean(() -> allocatedDuring(loop, MEASURED, d -> {
                    left[0] = MEASURED;
                    done[0] = d;
                    fired.release();
                }));
            } finally {
                device.interrupt();
                device.join();
                w.close();
            }
        }
    }
}
