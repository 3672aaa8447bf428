package dev.vireo.vhost;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.virtio.driver.SplitDriverQueue;
import dev.vireo.mem.GuestRam;
import dev.vireo.vhost.backend.VhostUserBackend;
import dev.vireo.vhost.backend.VhostUserDaemon;
import dev.vireo.vhost.frontend.FrontendClient;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MemoryTable;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.VhostUser;
import dev.vireo.vhost.proto.VringAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The daemon's lifecycle over a real Unix socket: one front-end at a time (a second one waits in
 * the listen backlog until the first leaves), a disconnect stops the queues and ends the daemon
 * unless it persists, and {@link VhostUserDaemon#stop()} (what SIGTERM calls) ends it cleanly even
 * with a running device. vireo-cli's VhostUserCommandsTest does the same with real processes.
 */
@ExtendWith(FdLeakCheck.class)
class DaemonLifecycleTest {

    private static CompletableFuture<Void> serve(VhostUserDaemon daemon, boolean persistent) {
        return CompletableFuture.runAsync(() -> daemon.serve(new VhostUserBackend(new RngDevice()), persistent),
                r -> Thread.ofPlatform().name("daemon-test").start(r));
    }

    @Test
    void aSecondFrontEndWaitsUntilTheFirstLeaves(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("rng.sock");
        try (VhostUserDaemon daemon = VhostUserDaemon.listen(socket)) {
            CompletableFuture<Void> served = serve(daemon, true);
            FrontendClient first = FrontendClient.connect(socket.toString());
            assertThat(first.getFeatures() & (1L << VhostUser.F_PROTOCOL_FEATURES)).isNotZero();
            try (FrontendClient second = FrontendClient.connect(socket.toString())) {
                CompletableFuture<Long> answer = CompletableFuture.supplyAsync(second::getFeatures);
                Thread.sleep(300);
                assertThat(answer).as("not served while the first front-end is connected").isNotDone();
                first.close();
                assertThat(answer.get(10, TimeUnit.SECONDS) & (1L << VhostUser.F_PROTOCOL_FEATURES)).isNotZero();
            }
            assertThat(served).as("--persist: still serving").isNotDone();
            assertThat(daemon.stopAndWait(10)).isTrue();
            served.get(10, TimeUnit.SECONDS);
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void withoutPersistTheDaemonEndsWhenTheFrontEndLeavesAndAWaitingOneIsDropped(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("rng.sock");
        try (VhostUserDaemon daemon = VhostUserDaemon.listen(socket)) {
            CompletableFuture<Void> served = serve(daemon, false);
            FrontendClient first = FrontendClient.connect(socket.toString());
            first.getFeatures();
            try (FrontendClient second = FrontendClient.connect(socket.toString())) {
                first.close();
                served.get(10, TimeUnit.SECONDS);
                daemon.close();
                assertThatThrownBy(second::getFeatures).as("the waiting front-end sees the connection closed")
                        .isInstanceOfAny(MessageException.class, dev.vireo.sys.SysException.class);
            }
        }
    }

    @Test
    void aDisconnectStopsTheRunningQueuesAndStopEndsAServingDaemon(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("rng.sock");
        try (GuestRam ram = GuestRam.create("vhost-lifecycle-ram", 1 << 20);
             Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
             VhostUserDaemon daemon = VhostUserDaemon.listen(socket)) {
            CompletableFuture<Void> served = serve(daemon, true);
            for (int round = 0; round < 2; round++) {
                try (FrontendClient c = FrontendClient.connect(socket.toString())) {
                    start(c, ram, kick);
                    assertThat(threads("vhost-kick-")).as("the device runs on its loop").isEqualTo(1);
                }
                for (int i = 0; i < 500 && threads("vhost-kick-") > 0; i++) {
                    Thread.sleep(10);
                }
                assertThat(threads("vhost-kick-")).as("disconnect stopped the queues").isZero();
                assertThat(BadInputTest.memfdMappings("vhost-lifecycle-ram")).as("and unmapped the memory").isEqualTo(1);
            }
            // stop() while a front-end is connected with a running device: what SIGTERM does
            FrontendClient c = FrontendClient.connect(socket.toString());
            start(c, ram, kick);
            assertThat(daemon.stopAndWait(10)).isTrue();
            served.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(c::getFeatures).isInstanceOfAny(MessageException.class, dev.vireo.sys.SysException.class);
            c.close();
            assertThat(threads("vhost-kick-")).isZero();
            assertThat(BadInputTest.memfdMappings("vhost-lifecycle-ram")).isEqualTo(1);
        }
    }

    private static void start(FrontendClient c, GuestRam ram, Fd kick) {
        c.setFeatures((1L << Virtio.VIRTIO_F_VERSION_1) | (1L << VhostUser.F_PROTOCOL_FEATURES));
        c.setProtocolFeatures(c.getProtocolFeatures());
        c.setOwner();
        long user = 0x7f00_0000_0000L;
        c.setMemTable(new MemoryTable(List.of(new MemoryRegionDescription(0, 1 << 20, user, 0))), ram.fd().num());
        SplitDriverQueue q = new SplitDriverQueue(new GuestAllocator(ram.memory(), 0x1000, 1 << 20), 16, false);
        c.setVringNum(0, 16);
        c.setVringAddr(new VringAddress(0, 0, user + q.config().descriptorArea(), user + q.config().deviceArea(),
                user + q.config().driverArea(), 0));
        c.setVringBase(0, 0);
        c.setVringKick(0, kick.num());
        c.setVringEnable(0, true);
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
    }
}
