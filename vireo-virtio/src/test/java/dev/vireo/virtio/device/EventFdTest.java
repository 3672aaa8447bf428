package dev.vireo.virtio.device;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kicks and interrupts through real eventfds, the shape KVM (ioeventfd/irqfd) and vhost-user
 * (kick/call) give them: {@link EventFdNotifier} and {@link EventFdInterrupt}.
 */
@ExtendWith(FdLeakCheck.class)
class EventFdTest {

    private static Fd eventfd() {
        return EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
    }

    @Test
    void theNotifierDeliversEachQueuesKicksAndStops() throws Exception {
        Fd[] kick = {eventfd(), null, eventfd()};
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (EventFdNotifier n = new EventFdNotifier("test", Arrays.asList(kick))) {
            n.start(seen::add);
            EventCalls.eventfdWrite(kick[2].num(), 1);
            waitFor(() -> seen.contains(2));
            EventCalls.eventfdWrite(kick[0].num(), 3); // several kicks before delivery count once
            waitFor(() -> seen.contains(0));
            assertThat(EventCalls.eventfdRead(kick[0].num())).as("the notifier reset the counter").isZero();
            n.close();
            n.close();
            int before = seen.size();
            EventCalls.eventfdWrite(kick[2].num(), 1);
            Thread.sleep(50);
            assertThat(seen).hasSize(before);
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).doesNotContain("virtio-kick-test");
        } finally {
            kick[0].close();
            kick[2].close();
        }
    }

    @Test
    void aDeviceDrivenThroughEventfdsEndToEnd() throws Exception {
        List<Fd> kicks = new ArrayList<>(List.of(eventfd()));
        List<Fd> calls = new ArrayList<>(List.of(eventfd()));
        Fd config = eventfd();
        RngDevice rng = new RngDevice();
        try (MockDriver d = MockDriver.start(rng, MockDriver.Options.defaults().eventIdx(true));
             EventFdNotifier notifier = new EventFdNotifier("rng", kicks)) {
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
