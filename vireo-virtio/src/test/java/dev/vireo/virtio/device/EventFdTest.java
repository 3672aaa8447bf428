package dev.vireo.virtio.device;

import dev.vireo.io.EngineKind;
import dev.vireo.io.EventLoop;
import dev.vireo.io.LoopOptions;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kicks and interrupts through real eventfds, the shape KVM (ioeventfd/irqfd) and vhost-user
 * (kick/call) give them: {@link LoopNotifier} (on both engines of the I/O loop) and {@link EventFdInterrupt}.
 */
@ExtendWith(FdLeakCheck.class)
class EventFdTest {

    private static Fd eventfd() {
        return EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"IO_URING", "EPOLL"})
    void theNotifierDeliversEachQueuesKicksAndStops(EngineKind engine) throws Exception {
        Fd[] kick = {eventfd(), null, eventfd()};
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.open(LoopOptions.defaults().withName("kick-test").withEngine(engine));
             LoopNotifier n = new LoopNotifier(loop, Arrays.asList(kick))) {
            n.start(seen::add);
            EventCalls.eventfdWrite(kick[2].num(), 1);
            waitFor(() -> seen.contains(2));
            EventCalls.eventfdWrite(kick[0].num(), 3); // several kicks before delivery count once
            waitFor(() -> seen.contains(0));
            assertThat(EventCalls.eventfdRead(kick[0].num())).as("the loop read (reset) the counter").isZero();
            n.close();
            n.close();
            int before = seen.size();
            EventCalls.eventfdWrite(kick[2].num(), 1);
            Thread.sleep(50);
            assertThat(seen).hasSize(before);
            assertThat(EventCalls.eventfdRead(kick[2].num())).as("a closed notifier no longer reads the eventfd").isEqualTo(1);
        } finally {
            kick[0].close();
            kick[2].close();
        }
    }

    @Test
    void closeWaitsForTheHandlerRunningNow() throws Exception {
        Fd kick = eventfd();
        java.util.concurrent.CountDownLatch inHandler = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean handlerDone = new java.util.concurrent.atomic.AtomicBoolean();
        try (EventLoop loop = EventLoop.open(LoopOptions.defaults().withName("kick-close-test"))) {
            LoopNotifier n = new LoopNotifier(loop, List.of(kick));
            n.start(q -> {
                inHandler.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                handlerDone.set(true);
            });
            EventCalls.eventfdWrite(kick.num(), 1);
            inHandler.await();
            Thread closer = Thread.ofPlatform().start(n::close);
            closer.join(200);
            assertThat(closer.isAlive()).as("close() waits while the handler runs").isTrue();
            release.countDown();
            closer.join(10_000);
            assertThat(closer.isAlive()).isFalse();
            assertThat(handlerDone).isTrue();
        } finally {
            kick.close();
        }
    }

    @Test
    void aDeviceDrivenThroughEventfdsEndToEnd() throws Exception {
        List<Fd> kicks = new ArrayList<>(List.of(eventfd()));
        List<Fd> calls = new ArrayList<>(List.of(eventfd()));
        Fd config = eventfd();
        RngDevice rng = new RngDevice();
        try (MockDriver d = MockDriver.start(rng, MockDriver.Options.defaults().eventIdx(true));
             EventLoop loop = EventLoop.open(LoopOptions.defaults().withName("rng-kick"));
             LoopNotifier notifier = new LoopNotifier(loop, kicks)) {
            // Replace the test driver's direct kicks with an eventfd, and its interrupt with a call eventfd.
            EventFdInterrupt interrupt = new EventFdInterrupt(calls, config);
            rng.reset();
            rng.activate(new Activation(d.ram().memory(), d.control().driverFeatures(), d.control().queues(), interrupt));
            notifier.start(rng::queueNotify);
            long buf = d.buffers().alloc(32);
            d.queue(0).add(Buffer.out(buf, 32));
            assertThat(d.queue(0).kickNeeded()).isTrue();
            EventCalls.eventfdWrite(kicks.get(0).num(), 1); // what KVM does on the notify write
            waitFor(() -> EventCalls.eventfdRead(calls.get(0).num()) == 1);
            assertThat(d.queue(0).pollUsed().len()).isEqualTo(32);
            interrupt.signalConfig();
            assertThat(EventCalls.eventfdRead(config.num())).isEqualTo(1);
        } finally {
            kicks.get(0).close();
            calls.get(0).close();
            config.close();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(2);
        }
    }
}
