package dev.vireo.io;

import dev.vireo.io.Fixtures.Done;
import dev.vireo.io.Fixtures.Recorder;
import dev.vireo.io.uring.Probe;
import dev.vireo.io.uring.UringEngine;
import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** io_uring setups the shared suite does not cover: fewer setup flags, no multishot poll. */
@ExtendWith(FdLeakCheck.class)
class UringVariantsTest {

    @TempDir
    Path dir;

    @BeforeEach
    void needsIoUring() {
        Requires.that(Probe.get().available(), "needs io_uring: " + Probe.get().unavailabilityCause());
    }

    @Test
    void theBestSetupFlagsAreChosenAndCanBeTurnedOff() {
        LoopOptions o = LoopOptions.defaults().withEngine(EngineKind.IO_URING);
        try (EventLoop loop = EventLoop.open(o)) {
            assertThat(loop.engineDescription()).contains("SINGLE_ISSUER", "DEFER_TASKRUN", "SUBMIT_ALL");
        }
        try (EventLoop loop = EventLoop.open(o.withOptionalFlags(false))) {
            assertThat(loop.engineDescription()).doesNotContain("DEFER_TASKRUN", "COOP_TASKRUN", "SINGLE_ISSUER");
            Recorder r = new Recorder();
            loop.submit(new Op(r).nop());
            assertThat(r.take().result()).isZero();
        }
    }

    @Test
    void multishotEventfdReadsThatRunOutOfBuffersAreReArmedWithoutLosingCounts() throws Exception {
        Requires.that(Probe.get().supports(dev.vireo.sys.abi.uring.IoUring.IORING_OP_READ_MULTISHOT),
                "needs IORING_OP_READ_MULTISHOT (Linux 6.7)");
        LoopOptions o = LoopOptions.defaults().withEngine(EngineKind.IO_URING);
        int n = 40;
        Fd[] efds = new Fd[n];
        try (EventLoop loop = EventLoop.open(o, opts -> new UringEngine(opts, Probe.get(), 4))) {
            assertThat(loop.engineDescription()).contains("READ_MULTISHOT");
            long[] sums = new long[n];
            for (int i = 0; i < n; i++) {
                efds[i] = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
                int id = i;
                loop.watch(efds[i].num(), c -> sums[id] += c);
            }
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            loop.execute(() -> {
                holding.countDown();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < n; i++) {
                EventCalls.eventfdWrite(efds[i].num(), i + 1);
            }
            hold.countDown();
            long[] expected = new long[n];
            for (int i = 0; i < n; i++) {
                expected[i] = i + 1;
            }
            long[] seen = new long[n];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && !Arrays.equals(seen, expected)) {
                CountDownLatch read = new CountDownLatch(1);
                loop.execute(() -> {
                    System.arraycopy(sums, 0, seen, 0, n);
                    read.countDown();
                });
                assertThat(read.await(20, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(seen).containsExactly(expected);
            // 40 reads for 4 buffers: the kernel ended multishot reads with ENOBUFS.
            assertThat(loop.stats().engine().get("multishot re-arms")).isPositive();
        } finally {
            for (Fd f : efds) {
                if (f != null) {
                    f.close();
                }
            }
        }
    }

    @Test
    void multishotPollIsReArmedWhereTheKernelHasNone() {
        LoopOptions o = LoopOptions.defaults().withEngine(EngineKind.IO_URING);
        try (Arena arena = Arena.ofConfined(); Fd efd = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
             EventLoop loop = EventLoop.open(o, opts -> new UringEngine(opts, Probe.get().withoutMultishotPoll()))) {
            assertThat(loop.engineDescription()).contains("multishot poll re-armed");
            Recorder r = new Recorder() {
                @Override
                public void complete(Op op, int result) {
                    if (op.hasMore()) {
                        EventCalls.eventfdRead(efd.num()); // consume the condition
                    }
                    super.complete(op, result);
                }
            };
            Op poll = new Op(r).pollMultishot(efd.num(), EventCalls.POLLIN);
            loop.submit(poll);
            for (int i = 0; i < 5; i++) {
                EventCalls.eventfdWrite(efd.num(), 1);
                Done d = r.take();
                assertThat(d.more()).isTrue();
                assertThat(d.result() & EventCalls.POLLIN).isNotZero();
            }
            loop.cancel(poll);
            Done end = r.take();
            assertThat(end.more()).isFalse();
            assertThat(end.result()).isEqualTo(-Errno.ECANCELED.code());
            MemorySegment unused = arena.allocate(8);
            assertThat(FdCalls.tryRead(efd.num(), unused)).isEqualTo(-1);
        }
    }
}
