package dev.vireo.io;

import dev.vireo.io.Fixtures.Engine;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Busy polling ({@link LoopOptions#busyPollNanos()}) on both engines, against real eventfds:
 * a peer thread answers every notification at once, so the loop's polls find the answer before
 * their period ends instead of sleeping. (The shared suite runs every other behaviour with busy
 * polling too.)
 */
@ParameterizedClass(name = "{0}")
@MethodSource("engines")
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BusyPollTest {

    /** 10 ms: far longer than the peer needs to answer, however loaded the machine. */
    private static final long POLL = 10_000_000;
    private static final int ROUNDS = 2_000;

    @Parameter
    Engine engine;

    static Stream<Engine> engines() {
        return Fixtures.engines().filter(e -> !e.options().sqPoll() && e.options().busyPollNanos() == 0);
    }

    @Test
    void pollsFindNotificationsThatArriveSoonAndEveryOneIsDelivered() throws Exception {
        try (Fd ping = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
             Fd pong = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
             EventLoop loop = engine.open(engine.options().withBusyPoll(POLL))) {
            // The peer: a blocking read of ping, then a write to pong, ROUNDS times.
            Thread peer = Thread.ofPlatform().name("peer").start(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    EventCalls.eventfdRead(ping.num());
                    EventCalls.eventfdWrite(pong.num(), 1);
                }
            });
            AtomicLong received = new AtomicLong();
            AtomicLong coalesced = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            Watch w = loop.watch(pong.num(), count -> {
                if (count != 1) {
                    coalesced.addAndGet(count);
                }
                if (received.incrementAndGet() == ROUNDS) {
                    done.countDown();
                } else {
                    loop.signal(ping.num());
                }
            });
            loop.signal(ping.num());
            assertThat(done.await(50, TimeUnit.SECONDS)).as("every answer arrives").isTrue();
            peer.join(10_000);
            w.close();
            assertThat(received.get()).isEqualTo(ROUNDS);
            assertThat(coalesced.get()).as("one signal in flight at a time: each count is 1").isZero();
            LoopStats s = loop.stats();
            assertThat(s.engine().get("busy polls")).isPositive();
            // The peer answers within microseconds; with a 10 ms period, polls find the answer.
            assertThat(s.engine().get("busy polls that found work")).isPositive();
        }
    }

    @Test
    void anIdleLoopStillSleepsAndWakesForWorkFromOtherThreads() throws Exception {
        try (EventLoop loop = engine.open(engine.options().withBusyPoll(POLL))) {
            for (int i = 0; i < 5; i++) {
                Thread.sleep(30); // longer than a poll period: the loop is asleep now
                Fixtures.Recorder r = new Fixtures.Recorder();
                loop.submit(new Op(r).nop());
                assertThat(r.take().result()).isZero();
            }
            LoopStats s = loop.stats();
            assertThat(s.engine().get("busy polls") - s.engine().get("busy polls that found work"))
                    .as("polls that ran out and let the loop sleep").isPositive();
        }
    }
}
