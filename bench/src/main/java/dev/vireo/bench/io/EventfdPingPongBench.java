package dev.vireo.bench.io;

import dev.vireo.io.EngineKind;
import dev.vireo.io.EventLoop;
import dev.vireo.io.LoopOptions;
import dev.vireo.io.Watch;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
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
 * makes io_uring_enter (which re-arms the eventfd read and waits) + write.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EventfdPingPongBench {

    static final int ROUND_TRIPS = 20_000;

    @Param({"io_uring", "epoll"})
    public String engine;

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

    @Setup(Level.Trial)
    public void open() {
        LoopOptions o = LoopOptions.defaults().withEngine(engine(engine)).withCapacity(64);
        a = EventLoop.open(o.withName("ping"));
        b = EventLoop.open(o.withName("pong"));
        e1 = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
        e2 = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
        int n1 = e1.num();
        int n2 = e2.num();
        wb = b.watch(n1, count -> b.signal(n2));
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
    public void roundTrips() throws InterruptedException {
        left = ROUND_TRIPS;
        EventCalls.eventfdWrite(e1.num(), 1);
        if (!done.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ping-pong stalled with " + left + " round trips left");
        }
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
