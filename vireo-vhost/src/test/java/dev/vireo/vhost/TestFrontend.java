package dev.vireo.vhost;

import dev.vireo.mem.GuestRam;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.abi.Pollfd;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.virtio.queue.QueueConfig;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.virtio.driver.SplitDriverQueue;
import dev.vireo.vhost.backend.VhostUserBackend;
import dev.vireo.vhost.conn.Connection;
import dev.vireo.vhost.frontend.FrontendClient;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MemoryTable;
import dev.vireo.vhost.proto.VhostUser;
import dev.vireo.vhost.proto.VringAddress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A QEMU-like front-end for back-end tests: guest RAM in a memfd shared over the socket, driver
 * queues laid out in it, kick and call eventfds, and vireo's back-end serving a device on the
 * other end of a socketpair in its own thread. User addresses are the guest addresses shifted by
 * {@link #USER_BASE}, as QEMU's would be by its own mapping.
 */
final class TestFrontend implements AutoCloseable {

    static final long USER_BASE = 0x7f00_0000_0000L;
    static final long RAM = 16 << 20;

    final GuestRam ram = GuestRam.create("vhost-test-ram", RAM);
    final GuestAllocator alloc = new GuestAllocator(ram.memory(), 0x1000, RAM);
    final FrontendClient client;
    final Thread server;
    final List<DriverQueue> queues = new ArrayList<>();
    final List<Fd> kicks = new ArrayList<>();
    final List<Fd> calls = new ArrayList<>();
    volatile Throwable serverFailure;

    TestFrontend(VirtioDevice device) {
        Fd[] pair = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
        client = new FrontendClient(new Connection(pair[0], Connection.Side.FRONTEND));
        Connection backendSide = new Connection(pair[1], Connection.Side.BACKEND);
        VhostUserBackend backend = new VhostUserBackend(device);
        server = Thread.ofPlatform().name("vhost-test-backend").start(() -> {
            try {
                backend.serve(backendSide);
            } catch (Throwable t) {
                serverFailure = t;
            }
        });
    }

    /** Negotiation and memory as QEMU does it at start. */
    TestFrontend negotiate(long features) {
        long offered = client.getFeatures();
        client.setFeatures((offered & features) | (1L << VhostUser.F_PROTOCOL_FEATURES));
        client.setProtocolFeatures(client.getProtocolFeatures());
        client.setOwner();
        client.setMemTable(new MemoryTable(List.of(new MemoryRegionDescription(0, RAM, USER_BASE, 0))), ram.fd().num());
        return this;
    }

    /** Sets up queue {@code index} of {@code size} (split), without enabling it. */
    SplitDriverQueue addQueue(int index, int size, boolean eventIdx) {
        SplitDriverQueue q = new SplitDriverQueue(alloc, size, eventIdx);
        QueueConfig c = q.config();
        client.setVringNum(index, size);
        client.setVringAddr(new VringAddress(index, 0, USER_BASE + c.descriptorArea(), USER_BASE + c.deviceArea(),
                USER_BASE + c.driverArea(), 0));
        client.setVringBase(index, 0);
        Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
        Fd call = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
        client.setVringKick(index, kick.num());
        client.setVringCall(index, call.num());
        while (queues.size() <= index) {
            queues.add(null);
            kicks.add(null);
            calls.add(null);
        }
        queues.set(index, q);
        kicks.set(index, kick);
        calls.set(index, call);
        return q;
    }

    void kick(int index) {
        EventCalls.eventfdWrite(kicks.get(index).num(), 1);
    }

    /** Waits for queue {@code index}'s call eventfd; returns its counter (0 on timeout). */
    long awaitCall(int index, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(Pollfd.LAYOUT);
            Pollfd.set(pfd, 0, calls.get(index).num(), EventCalls.POLLIN);
            if (EventCalls.poll(pfd, 1, timeoutMillis) <= 0) {
                return 0;
            }
            return EventCalls.eventfdRead(calls.get(index).num());
        }
    }

    /** Polls the used ring until an entry appears (up to {@code timeoutMillis}). */
    DriverQueue.Used awaitUsed(int index, int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            DriverQueue.Used u = queues.get(index).pollUsed();
            if (u != null) {
                return u;
            }
            awaitCall(index, 50);
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
        server.join(10_000);
        kicks.forEach(f -> {
            if (f != null) {
                f.close();
            }
        });
        calls.forEach(f -> {
            if (f != null) {
                f.close();
            }
        });
        ram.close();
    }
}
