package dev.vireo.virtio.devices.fs;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.virtio.VirtioFsConfig;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import dev.vireo.virtio.testing.MockDriver.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The virtio-fs device's framing, queues and completion, with a tiny FUSE server behind it. */
@ExtendWith(FdLeakCheck.class)
class FsDeviceTest {

    @TempDir
    Path dir;

    static Stream<Options> layouts() {
        List<Options> out = new ArrayList<>();
        for (boolean packed : new boolean[] {false, true}) {
            for (boolean eventIdx : new boolean[] {false, true}) {
                for (boolean indirect : new boolean[] {false, true}) {
                    out.add(Options.defaults().packed(packed).eventIdx(eventIdx).indirect(indirect).queueSize(64));
                }
            }
        }
        return out.stream();
    }

    private Fd file(byte[] content) throws Exception {
        Path p = dir.resolve("shared.bin");
        Files.write(p, content);
        return Fd.adopt(FsCalls.open(p.toString(), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), p.toString());
    }

    private static byte[] readIn(long offset, int size) {
        return FsClient.le(40).putLong(7).putLong(offset).putInt(size).putInt(0).putLong(0).putInt(0).putInt(0).array();
    }

    private static byte[] writeIn(long offset, byte[] data) {
        return FsClient.le(40 + data.length).putLong(7).putLong(offset).putInt(data.length).putInt(0).putLong(0)
                .putInt(0).putInt(0).put(data).array();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void initReadAndWriteGoThroughGuestMemory(Options o) throws Exception {
        byte[] content = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(300).getBytes(StandardCharsets.US_ASCII);
        try (Fd f = file(content);
             MockDriver d = MockDriver.start(new FsDevice(FsDevice.Options.of("share"), new TinyFuseServer(f.num(), null)), o)) {
            FsClient c = new FsClient(d);
            FsClient.Reply init = c.call(1, Fuse.FUSE_INIT, 0, FsClient.le(64).putInt(7).putInt(45).array(), 256);
            assertThat(init.error()).isZero();
            assertThat(init.len()).isEqualTo(80);
            assertThat(init.usedLen()).isEqualTo(80);
            assertThat(ByteBuffer.wrap(init.body()).order(ByteOrder.LITTLE_ENDIAN).getInt(4)).isEqualTo(31);

            FsClient.Reply read = c.call(1, Fuse.FUSE_READ, 2, readIn(1000, 5000), 16 + 8192);
            assertThat(read.error()).isZero();
            assertThat(read.len()).isEqualTo(16 + 5000);
            assertThat(read.body()).isEqualTo(Arrays.copyOfRange(content, 1000, 6000));

            byte[] data = "written by the guest".getBytes(StandardCharsets.US_ASCII);
            FsClient.Reply write = c.call(1, Fuse.FUSE_WRITE, 2, writeIn(10, data), 64);
            assertThat(write.error()).isZero();
            assertThat(ByteBuffer.wrap(write.body()).order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(data.length);
            assertThat(Arrays.copyOfRange(Files.readAllBytes(dir.resolve("shared.bin")), 10, 10 + data.length)).isEqualTo(data);

            FsClient.Reply nosys = c.call(1, 9999, 1, new byte[0], 64);
            assertThat(nosys.error()).isEqualTo(-Errno.ENOSYS.code());
            assertThat(nosys.unique()).isEqualTo(103);
            assertThat(d.needsReset()).isFalse();
        }
    }

    @Test
    void configCarriesTheTagAndTheRequestQueueCount() {
        String tag36 = "abcdefghijklmnopqrstuvwxyz0123456789";
        FsDevice dev = new FsDevice(new FsDevice.Options(tag36, 3, 128), r -> r.complete(0));
        assertThat(dev.queueCount()).isEqualTo(4);
        try (MockDriver d = MockDriver.start(dev, Options.defaults())) {
            var cfg = d.config();
            assertThat(dev.configSize()).isEqualTo(40);
            byte[] tag = cfg.asSlice(0, 36).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertThat(new String(tag, StandardCharsets.UTF_8)).isEqualTo(tag36); // no NUL when it fills the field
            assertThat(VirtioFsConfig.numRequestQueues(cfg)).isEqualTo(3);
        }
        FsDevice shortTag = new FsDevice(FsDevice.Options.of("home"), r -> r.complete(0));
        var cfg = java.lang.foreign.Arena.ofAuto().allocate(40);
        shortTag.readConfig(0, cfg);
        assertThat(cfg.asSlice(4, 32).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsOnly(0);
        assertThatThrownBy(() -> FsDevice.Options.of("x".repeat(37))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FsDevice.Options("t", 0, 64)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * After emptying the ring, a polling request queue has signalled its answers and keeps
     * watching the ring with notifications off: a driver that answers the interrupt with its next
     * request needs no kick. Without polling the device asks for a kick as it goes to sleep.
     */
    @ParameterizedTest
    @MethodSource("ringLayouts")
    void aPollingQueueTakesTheNextRequestWithoutAKick(Options o) throws Exception {
        assertThat(kicksFor200RoundTrips(FsDevice.Options.MAX_POLL_NANOS, o)).isLessThan(100);
        assertThat(kicksFor200RoundTrips(0, o)).isGreaterThan(100);
        assertThatThrownBy(() -> new FsDevice.Options("t", 1, 64, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FsDevice.Options("t", 1, 64, FsDevice.Options.MAX_POLL_NANOS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Options> ringLayouts() {
        return Stream.of(Options.defaults(), Options.defaults().eventIdx(false), Options.defaults().packed(true));
    }

    /** Kicks a driver needed for 200 requests sent one at a time, each after the previous answer's interrupt. */
    private static int kicksFor200RoundTrips(long pollNanos, Options o) throws Exception {
        TinyFuseCounter counter = new TinyFuseCounter();
        // Kicks run on a thread of their own, as a vhost-user back-end's kick thread: a polling
        // queue's process() returns only when the poll ends.
        try (MockDriver d = MockDriver.start(new FsDevice(new FsDevice.Options("t", 1, 64, pollNanos), counter), o);
             ExecutorService kickThread = Executors.newSingleThreadExecutor()) {
            FsClient c = new FsClient(d);
            int kicks = 0;
            for (int i = 0; i < 200; i++) {
                if (c.roundTrip(1, FsClient.request(Fuse.FUSE_GETATTR, 1000 + i, 1, new byte[16], -1), 64, kickThread)) {
                    kicks++;
                }
            }
            assertThat(counter.calls).isEqualTo(200);
            return kicks;
        }
    }

    @Test
    void forgetsOnTheHiprioQueueTakeNoReply() throws Exception {
        try (Fd f = file(new byte[16]);
             MockDriver d = MockDriver.start(new FsDevice(new FsDevice.Options("t", 2, 64),
                     new TinyFuseServer(f.num(), null)), Options.defaults().packed(true))) {
            FsClient c = new FsClient(d);
            FsClient.Reply r = c.call(0, Fuse.FUSE_FORGET, 5, FsClient.le(8).putLong(1).array(), 0);
            assertThat(r.usedLen()).isZero();
            // The second request queue works too.
            assertThat(c.call(2, Fuse.FUSE_GETATTR, 9, new byte[16], 256).error()).isZero();
        }
    }

    @Test
    void requestsWhoseLengthsDisagreeWithTheirBuffersAreRefused() {
        TinyFuseCounter counter = new TinyFuseCounter();
        try (MockDriver d = MockDriver.start(new FsDevice(FsDevice.Options.of("t"), counter), Options.defaults())) {
            FsClient c = new FsClient(d);
            // len larger than the buffers, smaller than them, and below the header's size.
            for (long len : new long[] {1000, 50, 10, 0, 0xffff_ffffL}) {
                FsClient.Reply r = c.call(1, FsClient.request(Fuse.FUSE_GETATTR, 77, 1, new byte[16], len), 64);
                assertThat(r.error()).as("len %d", len).isEqualTo(-Errno.EINVAL.code());
                assertThat(r.len()).isEqualTo(16);
                assertThat(r.unique()).isEqualTo(77);
            }
            // A header cut short: the reply still fits.
            long[] at = new long[1];
            long hdr = d.buffers().put(FsClient.request(Fuse.FUSE_GETATTR, 5, 1, new byte[0], -1));
            long out = d.buffers().alloc(64);
            d.queue(1).add(Buffer.in(hdr, 30), Buffer.out(out, 64));
            d.kick(1);
            DriverQueue.Used used = d.queue(1).pollUsed();
            assertThat(used.len()).isEqualTo(16);
            assertThat(ByteBuffer.wrap(d.buffers().read(out, 16)).order(ByteOrder.LITTLE_ENDIAN).getInt(4))
                    .isEqualTo(-Errno.EINVAL.code());
            // No room for even an error: given back without a reply.
            assertThat(c.call(1, FsClient.request(Fuse.FUSE_GETATTR, 6, 1, new byte[0], 999), 8).usedLen()).isZero();
            assertThat(counter.calls).isZero();
            assertThat(d.needsReset()).isFalse();
        }
    }

    @Test
    void requestsPartlyOutsideGuestMemoryAreRefused() {
        TinyFuseCounter counter = new TinyFuseCounter();
        try (MockDriver d = MockDriver.start(new FsDevice(FsDevice.Options.of("t"), counter), Options.defaults().packed(true))) {
            byte[] req = FsClient.request(Fuse.FUSE_WRITE, 8, 1, new byte[100], -1);
            long hdr = d.buffers().put(req);
            long out = d.buffers().alloc(64);
            // The write payload points into the hole: EINVAL in a reply that fits.
            d.queue(1).add(Buffer.in(hdr, 40), Buffer.in(0x3000_0000L, 100), Buffer.out(out, 64));
            d.kick(1);
            assertThat(d.queue(1).pollUsed().len()).isEqualTo(16);
            assertThat(ByteBuffer.wrap(d.buffers().read(out, 16)).order(ByteOrder.LITTLE_ENDIAN).getInt(4))
                    .isEqualTo(-Errno.EINVAL.code());
            // A reply buffer in the hole after a good header buffer: EIO.
            long hdr2 = d.buffers().put(FsClient.request(Fuse.FUSE_GETATTR, 9, 1, new byte[0], -1));
            long out2 = d.buffers().alloc(16);
            d.queue(1).add(Buffer.in(hdr2, 40), Buffer.out(out2, 16), Buffer.out(0x3000_0000L, 4096));
            d.kick(1);
            assertThat(d.queue(1).pollUsed().len()).isEqualTo(16);
            assertThat(ByteBuffer.wrap(d.buffers().read(out2, 16)).order(ByteOrder.LITTLE_ENDIAN).getInt(4))
                    .isEqualTo(-Errno.EIO.code());
            // Reply header itself outside memory: no reply can be written.
            d.queue(1).add(Buffer.in(hdr2, 40), Buffer.out(0x3000_0000L, 4096));
            d.kick(1);
            assertThat(d.queue(1).pollUsed().len()).isZero();
            assertThat(counter.calls).isZero();
        }
    }

    @Test
    void aFailingHandlerIsAnsweredWithEioAndCannotCompleteTwice() {
        List<Throwable> secondCompletion = new ArrayList<>();
        FuseRequestHandler h = r -> {
            if (r.opcode() == 1) {
                throw new IllegalStateException("bug in the file system");
            }
            r.complete(0);
            try {
                r.complete(0);
            } catch (IllegalStateException e) {
                secondCompletion.add(e);
            }
        };
        try (MockDriver d = MockDriver.start(new FsDevice(FsDevice.Options.of("t"), h), Options.defaults())) {
            FsClient c = new FsClient(d);
            assertThat(c.call(1, 1, 1, new byte[0], 64).error()).isEqualTo(-Errno.EIO.code());
            assertThat(c.call(1, 2, 1, new byte[0], 0).usedLen()).isZero();
            assertThat(secondCompletion).hasSize(1);
            assertThat(d.needsReset()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void asynchronousCompletionsFromOtherThreads(Options o) throws Exception {
        byte[] content = new byte[64 * 1024];
        new java.util.Random(1).nextBytes(content);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (Fd f = file(content);
             MockDriver d = MockDriver.start(new FsDevice(new FsDevice.Options("t", 1, 64), new TinyFuseServer(f.num(), pool)), o)) {
            FsClient c = new FsClient(d);
            int n = 15; // 4 descriptors each: 60 of the 64 ring entries without indirect tables
            long[][] at = new long[n][1];
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = c.post(1, FsClient.request(Fuse.FUSE_READ, 1000 + i, 2, readIn(i * 1000L, 1000), -1), 16 + 1000, at[i]);
                assertThat(ids[i]).isNotNegative();
            }
            d.kick(1);
            Set<Integer> done = new HashSet<>();
            while (done.size() < n) {
                DriverQueue.Used u = d.awaitUsed(1, Duration.ofSeconds(20));
                assertThat(u).as("completion %d of %d", done.size(), n).isNotNull();
                int i = indexOf(ids, u.id());
                assertThat(done.add(i)).isTrue();
                assertThat(u.len()).isEqualTo(16 + 1000);
                assertThat(d.buffers().read(at[i][0] + 16, 1000)).isEqualTo(Arrays.copyOfRange(content, i * 1000, i * 1000 + 1000));
            }
            assertThat(d.interrupt().usedCount(1)).isBetween(1, n);
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void resetWaitsForRequestsInTheHandlerAndDropsLateCompletions() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<FuseRequest> held = new ArrayList<>();
        FuseRequestHandler h = held::add;
        FsDevice dev = new FsDevice(FsDevice.Options.of("t"), h);
        try (MockDriver d = MockDriver.start(dev, Options.defaults())) {
            FsClient c = new FsClient(d);
            c.post(1, FsClient.request(Fuse.FUSE_GETATTR, 1, 1, new byte[0], -1), 64, new long[1]);
            d.kick(1);
            assertThat(held).hasSize(1);
            Thread late = Thread.ofPlatform().start(() -> {
                try {
                    release.await();
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                held.get(0).complete(0);
            });
            release.countDown();
            d.control().writeStatus(0); // waits for the request above
            late.join();
            assertThat(d.queue(1).pollUsed()).as("completed before the reset finished").isNotNull();
        }
    }

    /**
     * A handler serves request 1 off the ring ({@link FsQueue#leaveRing}) on the kick thread;
     * meanwhile another thread rescues the device and is held in request 2. Back from request 1,
     * the kick thread finds the pop role taken and returns without popping request 3, which came
     * meanwhile: the rescuer serves it after request 2. Each is answered once.
     */
    @Test
    void aRescuerTakesTheRingFromAThreadServingOffIt() throws Exception {
        CountDownLatch firstIn = new CountDownLatch(1);
        CountDownLatch firstGo = new CountDownLatch(1);
        CountDownLatch secondIn = new CountDownLatch(1);
        CountDownLatch secondGo = new CountDownLatch(1);
        java.util.Map<Long, String> servedBy = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicReference<FsQueue> queue = new java.util.concurrent.atomic.AtomicReference<>();
        FuseRequestHandler h = r -> {
            servedBy.put(r.unique(), Thread.currentThread().getName());
            FsQueue q = r.owner();
            if (r.unique() == 1) {
                queue.set(q);
                if (!q.leaveRing()) {
                    throw new AssertionError("the kick thread does not hold the pop role");
                }
                firstIn.countDown();
                awaitQuietly(firstGo);
                r.complete(0);
                q.rejoinRing();
                return;
            }
            if (r.unique() == 2) {
                secondIn.countDown();
                awaitQuietly(secondGo);
            }
            r.complete(0);
        };
        try (MockDriver d = MockDriver.start(new FsDevice(FsDevice.Options.of("t"), h), Options.defaults())) {
            FsClient c = new FsClient(d);
            c.post(1, FsClient.request(Fuse.FUSE_GETATTR, 1, 1, new byte[0], -1), 64, new long[1]);
            Thread kick = Thread.ofPlatform().name("kick").start(() -> d.kick(1));
            assertThat(firstIn.await(20, TimeUnit.SECONDS)).isTrue();
            c.post(1, FsClient.request(Fuse.FUSE_GETATTR, 2, 1, new byte[0], -1), 64, new long[1]);
            Thread rescuer = Thread.ofPlatform().name("rescuer").start(() -> queue.get().rescueDevice());
            assertThat(secondIn.await(20, TimeUnit.SECONDS)).isTrue();
            c.post(1, FsClient.request(Fuse.FUSE_GETATTR, 3, 1, new byte[0], -1), 64, new long[1]);
            firstGo.countDown();
            kick.join(20_000);
            assertThat(kick.isAlive()).as("the kick thread returned while the rescuer holds the ring").isFalse();
            assertThat(servedBy).doesNotContainKey(3L);
            secondGo.countDown();
            rescuer.join(20_000);
            assertThat(rescuer.isAlive()).isFalse();
            Set<Integer> used = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                DriverQueue.Used u = d.awaitUsed(1, Duration.ofSeconds(20));
                assertThat(u).isNotNull();
                assertThat(used.add(u.id())).isTrue();
            }
            assertThat(d.queue(1).pollUsed()).isNull();
            assertThat(servedBy).containsEntry(1L, "kick").containsEntry(2L, "rescuer").containsEntry(3L, "rescuer");
            assertThat(d.needsReset()).isFalse();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new AssertionError("unknown id " + id);
    }

    /** Counts calls; answers everything with an empty success. */
    static final class TinyFuseCounter implements FuseRequestHandler {
        volatile int calls;

        @Override
        public void handle(FuseRequest r) {
            calls++;
            r.complete(0);
        }
    }
}
