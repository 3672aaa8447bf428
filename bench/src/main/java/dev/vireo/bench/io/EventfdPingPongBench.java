package dev.vireo.bench.io;

import dev.vireo.io.EngineKind;
import dev.vireo.io.EventLoop;
import dev.vireo.io.LoopOptions;
import dev.vireo.io.Watch;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Two loops ping-pong through two eventfds, the way a device and its driver (or two vhost-user
 * peers) notify each other: loop A signals E1, loop B's watch of E1 fires and signals E2, loop
 * A's watch of E2 fires and signals E1 again. One operation is one round trip (two
 * notifications); the benchmark thread only starts a batch and waits for its end, so the
 * hand-over to it is paid once per {@value #ROUND_TRIPS} round trips.
 *
 * <p>Per notification the portable engine makes epoll_wait + read + write; the io_uring engine
 * makes io_uring_enter (its multishot read of the eventfd stays armed) + write. Both run twice:
 * sleeping as soon as idle (the default), where each notification costs a wake-up of the other
 * loop's thread, and busy-polling for up to 32 µs before sleeping ({@code busyPoll}), where the
 * io_uring engine polls its mapped rings and the portable engine calls epoll_wait(0).
 *
 * <p>Besides the rate, the benchmark reports the CPU time both loop threads spent
 * ({@code loopCpuNanos}, a rate: divided by the round trips per second it gives CPU per round
 * trip), which depends much less on what else the machine runs than a wake-up-bound rate does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EventfdPingPongBench {

    static final int ROUND_TRIPS = 20_000;

    @Param({"io_uring", "epoll"})
    public String engine;

    /**
     * {@link LoopOptions#busyPollNanos()} of both loops: 0 (the default, sleep at once) or
     * QEMU's default IOThread poll-max-ns (32768), the same budget for both engines.
     */
    @Param({"0", "32768"})
    public long busyPoll;

    private EventLoop a;
    private EventLoop b;
    private Fd e1;
    private Fd e2;
    private Watch wa;
    private Watch wb;
    private final Semaphore done = new Semaphore(0);
    /** Round trips left in this batch; only loop A's thread counts it down after the start. */
    private volatile int left;
    private volatile long lost;

    /** CPU nanoseconds of both loop threads, reported per second next to the primary result. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Cpu {
        public long loopCpuNanos;

        @Setup(Level.Iteration)
        public void clear() {
            loopCpuNanos = 0;
        }
    }

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final long[] loopThreads = new long[2];

    @Setup(Level.Trial)
    public void open() throws InterruptedException {
        LoopOptions o = LoopOptions.defaults().withEngine(engine(engine)).withCapacity(64).withBusyPoll(busyPoll);
        a = EventLoop.open(o.withName("ping"));
        b = EventLoop.open(o.withName("pong"));
        e1 = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
        e2 = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
        int n1 = e1.num();
        int n2 = e2.num();
        wb = b.watch(n1, count -> b.signal(n2));
        CountDownLatch ids = new CountDownLatch(2);
        a.execute(() -> {
            loopThreads[0] = Thread.currentThread().threadId();
            ids.countDown();
        });
        b.execute(() -> {
            loopThreads[1] = Thread.currentThread().threadId();
            ids.countDown();
        });
        ids.await();
        wa = a.watch(n2, count -> {
            if (count != 1) {
                lost += count - 1; // two signals in flight would mean the ping-pong broke down
            }
            if (--left > 0) {
                a.signal(n1);
            } else {
                done.release();
            }
        });
    }

    static EngineKind engine(String name) {
        return EngineKind.parse(name);
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void roundTrips(Cpu cpu) throws InterruptedException {
        long before = loopCpu();
        left = ROUND_TRIPS;
        EventCalls.eventfdWrite(e1.num(), 1);
        if (!done.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ping-pong stalled with " + left + " round trips left");
        }
        cpu.loopCpuNanos += loopCpu() - before;
    }

    private long loopCpu() {
        return MX.getThreadCpuTime(loopThreads[0]) + MX.getThreadCpuTime(loopThreads[1]);
    }

    @TearDown(Level.Trial)
    public void close() {
        wa.close();
        wb.close();
        a.close();
        b.close();
        e1.close();
        e2.close();
        if (lost != 0) {
            throw new IllegalStateException(lost + " notifications coalesced: the benchmark measured something else");
        }
    }
}
