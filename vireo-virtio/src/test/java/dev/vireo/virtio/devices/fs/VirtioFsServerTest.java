package dev.vireo.virtio.devices.fs;

import dev.vireo.fuse.passthrough.PassthroughFs;
import dev.vireo.fuse.passthrough.PassthroughOptions;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.sys.Errno;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import dev.vireo.virtio.testing.MockDriver.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * vireo-fuse's dispatcher and passthrough file system behind the virtio-fs device, driven by the
 * mock guest driver: INIT as virtio negotiates it, a file's life through the worker pool, the
 * hiprio queue, sessions across DESTROY and reset, and malformed requests.
 */
@ExtendWith(FdLeakCheck.class)
class VirtioFsServerTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAndCheckThreads() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("vireo-fs-test"))).as("worker threads left").isEmpty();
    }

    private final AtomicInteger sessions = new AtomicInteger();

    private VirtioFsServer server(int threads) {
        VirtioFsServer s = new VirtioFsServer(() -> {
            sessions.incrementAndGet();
            return new PassthroughFs(dir, PassthroughOptions.defaults().withGroups(PassthroughOptions.Groups.EXTENSION));
        }, SessionConfig.defaults(), threads, "test");
        return s;
    }

    private MockDriver start(VirtioFsServer s, Options o) {
        MockDriver d = MockDriver.start(new FsDevice(new FsDevice.Options("t", 1, 256), s), o);
        // Close order (reverse): the driver (device reset) before the server.
        toClose.add(s);
        toClose.add(d);
        return d;
    }

    private static byte[] initIn(long flags) {
        return FsClient.le(64).putInt(7).putInt(45).putInt(128 * 1024).putInt((int) flags).putInt((int) (flags >>> 32))
                .array();
    }

    private static final long KERNEL_FLAGS = Fuse.FUSE_ASYNC_READ | Fuse.FUSE_BIG_WRITES | Fuse.FUSE_MAX_PAGES
            | Fuse.FUSE_SPLICE_READ | Fuse.FUSE_SPLICE_WRITE | Fuse.FUSE_SPLICE_MOVE | Fuse.FUSE_INIT_EXT
            | Fuse.FUSE_DO_READDIRPLUS | Fuse.FUSE_PARALLEL_DIROPS;

    private static ByteBuffer body(FsClient.Reply r) {
        return ByteBuffer.wrap(r.body()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] name(String n) {
        return (n + "\0").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] createIn(String n, int flags, int mode) {
        byte[] nm = name(n);
        return FsClient.le(16 + nm.length).putInt(flags).putInt(mode).putInt(0).putInt(0).put(nm).array();
    }

    private static byte[] writeIn(long fh, long offset, byte[] data, int declared) {
        return FsClient.le(40 + data.length).putLong(fh).putLong(offset).putInt(declared).putInt(0).putLong(0)
                .putInt(0).putInt(0).put(data).array();
    }

    private static byte[] readIn(long fh, long offset, int size) {
        return FsClient.le(40).putLong(fh).putLong(offset).putInt(size).putInt(0).putLong(0).putInt(0).putInt(0).array();
    }

    @Test
    void initCapsMaxWriteByTheQueueAndGrantsNoSplice() {
        VirtioFsServer s = server(2);
        MockDriver d = start(s, Options.defaults().queueSize(64));
        FsClient c = new FsClient(d);
        FsClient.Reply init = c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256);
        assertThat(init.error()).isZero();
        ByteBuffer b = body(init);
        long flags = Integer.toUnsignedLong(b.getInt(12)) | Integer.toUnsignedLong(b.getInt(40)) << 32;
        assertThat(flags & (Fuse.FUSE_SPLICE_READ | Fuse.FUSE_SPLICE_WRITE | Fuse.FUSE_SPLICE_MOVE)).isZero();
        assertThat(flags & Fuse.FUSE_MAX_PAGES).isNotZero();
        // 64 descriptors a chain: 4 for headers, 60 pages of data.
        assertThat(b.getInt(20)).as("max_write").isEqualTo(60 * 4096);
        assertThat(Short.toUnsignedInt(b.getShort(28))).as("max_pages").isEqualTo(60);
        assertThat(s.session().negotiated().maxWrite()).isEqualTo(60 * 4096);
        // A READ of max_write pages plus the headers fits a chain of the queue's size.
        assertThat(VirtioFsServer.capped(SessionConfig.defaults(), 1024).maxWrite()).isEqualTo(SessionConfig.MAX_WRITE);
        assertThat(VirtioFsServer.capped(SessionConfig.defaults(), 2).maxWrite()).isEqualTo(4096);
    }

    @ParameterizedTest(name = "threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aFileIsCreatedWrittenReadAndRemovedThroughTheDispatcher(int threads) throws Exception {
        Files.writeString(dir.resolve("from-host"), "host data");
        MockDriver d = start(server(threads), Options.defaults().indirect(true).queueSize(256));
        FsClient c = new FsClient(d);
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();

        FsClient.Reply lookup = c.call(1, Fuse.FUSE_LOOKUP, 1, name("from-host"), 256);
        assertThat(lookup.error()).isZero();
        long hostNode = body(lookup).getLong(0);
        assertThat(body(lookup).getLong(40 + 8)).as("attr.size").isEqualTo(9);

        FsClient.Reply create = c.call(1, Fuse.FUSE_CREATE, 1, createIn("guest-file", 0102 /* O_RDWR, O_CREAT */, 0100644), 256);
        assertThat(create.error()).isZero();
        long node = body(create).getLong(0);
        long fh = body(create).getLong(128);
        byte[] data = new byte[70_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        FsClient.Reply write = c.call(1, Fuse.FUSE_WRITE, node, writeIn(fh, 0, data, data.length), 64);
        assertThat(write.error()).isZero();
        assertThat(body(write).getInt(0)).isEqualTo(data.length);
        assertThat(Files.readAllBytes(dir.resolve("guest-file"))).isEqualTo(data);

        FsClient.Reply read = c.call(1, Fuse.FUSE_READ, node, readIn(fh, 1000, 65536), 16 + 65536);
        assertThat(read.error()).isZero();
        assertThat(read.body()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 1000 + 65536));

        assertThat(c.call(1, Fuse.FUSE_RELEASE, node, FsClient.le(24).putLong(fh).array(), 64).error()).isZero();
        byte[] rename = FsClient.le(8 + 11 + 8).putLong(1).put(name("guest-file")).put(name("renamed")).array();
        assertThat(c.call(1, Fuse.FUSE_RENAME, 1, rename, 64).error()).isZero();
        assertThat(dir.resolve("renamed")).exists();
        assertThat(c.call(1, Fuse.FUSE_UNLINK, 1, name("renamed"), 64).error()).isZero();
        assertThat(dir.resolve("renamed")).doesNotExist();

        // FORGET on the hiprio queue: answered without a reply, on the kick thread.
        FsClient.Reply forget = c.call(0, Fuse.FUSE_FORGET, hostNode, FsClient.le(8).putLong(1).array(), 0);
        assertThat(forget.usedLen()).isZero();
        byte[] batch = FsClient.le(8 + 16).putInt(1).putInt(0).putLong(node).putLong(1).array();
        assertThat(c.call(0, Fuse.FUSE_BATCH_FORGET, 0, batch, 0).usedLen()).isZero();
        assertThat(d.needsReset()).isFalse();
    }

    @Test
    void malformedRequestsGetErrorsAndTheSessionGoesOn() throws Exception {
        MockDriver d = start(server(2), Options.defaults());
        FsClient c = new FsClient(d);
        // Before INIT: EIO, and no file system is started for it.
        assertThat(c.call(1, Fuse.FUSE_GETATTR, 1, new byte[16], 256).error()).isEqualTo(-Errno.EIO.code());
        assertThat(c.call(0, Fuse.FUSE_FORGET, 1, FsClient.le(8).putLong(1).array(), 0).usedLen()).isZero();
        assertThat(sessions.get()).isZero();
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        // A short INIT after the session started, a second INIT: errors.
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isEqualTo(-Errno.EIO.code());

        FsClient.Reply create = c.call(1, Fuse.FUSE_CREATE, 1, createIn("f", 0102, 0100644), 256);
        long node = body(create).getLong(0);
        long fh = body(create).getLong(128);
        // WRITE whose size is not the payload's: EINVAL; nothing written.
        assertThat(c.call(1, Fuse.FUSE_WRITE, node, writeIn(fh, 0, new byte[100], 200), 64).error())
                .isEqualTo(-Errno.EINVAL.code());
        assertThat(c.call(1, Fuse.FUSE_WRITE, node, writeIn(fh, 0, new byte[100], 50), 64).error())
                .isEqualTo(-Errno.EINVAL.code());
        assertThat(Files.size(dir.resolve("f"))).isZero();
        // The header's len beyond the chain: refused before the dispatcher.
        assertThat(c.call(1, FsClient.request(Fuse.FUSE_GETATTR, 5, 1, new byte[16], 4000), 64).error())
                .isEqualTo(-Errno.EINVAL.code());
        // A READ larger than max_write, a name without NUL, a name with '/', arguments cut short.
        assertThat(c.call(1, Fuse.FUSE_READ, node, readIn(fh, 0, 64 << 20), 4096).error()).isEqualTo(-Errno.EINVAL.code());
        assertThat(c.call(1, Fuse.FUSE_LOOKUP, 1, "f".getBytes(StandardCharsets.UTF_8), 256).error())
                .isEqualTo(-Errno.EINVAL.code());
        assertThat(c.call(1, Fuse.FUSE_LOOKUP, 1, name("../etc"), 256).error()).isEqualTo(-Errno.EINVAL.code());
        assertThat(c.call(1, Fuse.FUSE_CREATE, 1, new byte[5], 256).error()).isEqualTo(-Errno.EINVAL.code());
        // A reply room too small for the reply: an error that fits, or no reply at all.
        FsClient.Reply small = c.call(1, Fuse.FUSE_GETATTR, 1, new byte[16], 20);
        assertThat(small.usedLen()).isIn(0, 16);
        // Unknown opcode: ENOSYS; a stale node: an error, not a crash.
        assertThat(c.call(1, 9999, 1, new byte[0], 64).error()).isEqualTo(-Errno.ENOSYS.code());
        assertThat(c.call(1, Fuse.FUSE_GETATTR, 0x7777_0000_1234L, new byte[16], 256).error()).isNegative();
        // Still serving.
        assertThat(c.call(1, Fuse.FUSE_GETATTR, 1, new byte[16], 256).error()).isZero();
        assertThat(d.needsReset()).isFalse();
    }

    @Test
    void aGuestMayUnmountAndMountAgainOrResetTheDevice() throws Exception {
        VirtioFsServer s = server(2);
        MockDriver d = start(s, Options.defaults());
        FsClient c = new FsClient(d);
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        assertThat(c.call(1, Fuse.FUSE_DESTROY, 0, new byte[0], 64).error()).isZero();
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        assertThat(sessions.get()).isEqualTo(2);
        Files.writeString(dir.resolve("x"), "x");
        assertThat(c.call(1, Fuse.FUSE_LOOKUP, 1, name("x"), 256).error()).isZero();

        // A device reset (guest reboot) ends the session; the next driver starts a new one.
        d.close();
        assertThat(s.session()).isNull();
        MockDriver d2 = MockDriver.start(new FsDevice(new FsDevice.Options("t", 1, 256), s), Options.defaults().packed(true));
        toClose.add(d2);
        FsClient c2 = new FsClient(d2);
        assertThat(c2.call(1, Fuse.FUSE_GETATTR, 1, new byte[16], 256).error()).isEqualTo(-Errno.EIO.code());
        assertThat(c2.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        assertThat(c2.call(1, Fuse.FUSE_LOOKUP, 1, name("x"), 256).error()).isZero();
        assertThat(sessions.get()).isEqualTo(3);
    }

    @Test
    void manyRequestsInFlightAreEachAnsweredOnce() throws Exception {
        Files.write(dir.resolve("data"), new byte[8192]);
        MockDriver d = start(server(4), Options.defaults().queueSize(64));
        FsClient c = new FsClient(d);
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        long node = body(c.call(1, Fuse.FUSE_LOOKUP, 1, name("data"), 256)).getLong(0);
        for (int round = 0; round < 10; round++) {
            int n = 15; // four descriptors each in a queue of 64
            long[] at = new long[1];
            for (int i = 0; i < n; i++) {
                c.post(1, FsClient.request(Fuse.FUSE_LOOKUP, 1000 + i, 1, name("data"), -1), 256, at);
            }
            d.kick(1);
            awaitEachAnsweredOnce(d, n, 16 + 128);
            assertThat(d.queue(1).pollUsed()).isNull();
            // Lookups must be forgotten for the inode table to stay bounded.
            byte[] batch = FsClient.le(8 + 16).putInt(1).putInt(0).putLong(node).putLong(n).array();
            d.queue(0).add(List.of(Buffer.in(d.buffers().put(FsClient.request(Fuse.FUSE_BATCH_FORGET, 1, 0, batch, -1)),
                    40 + batch.length)), false);
            d.kick(0);
            assertThat(d.awaitUsed(0, Duration.ofSeconds(20))).isNotNull();
        }
        assertThat(d.needsReset()).isFalse();
    }

    /** Waits for {@code n} used buffers on queue 1, each a different chain, each with a reply of {@code replyLength} bytes. */
    private static void awaitEachAnsweredOnce(MockDriver d, int n, int replyLength) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        while (seen.size() < n) {
            DriverQueue.Used u = d.awaitUsed(1, Duration.ofSeconds(20));
            assertThat(u).as("answers so far: %d", seen.size()).isNotNull();
            assertThat(seen.add(u.id())).as("answered twice: %d", u.id()).isTrue();
            assertThat(u.len()).isEqualTo(replyLength);
        }
    }

    /**
     * Requests the file system can answer without blocking are answered on the kick thread, during
     * the kick; so are those it gives back, or does not try, when they are quick as a rule
     * (metadata: served from the start, off the ring); the others (an FSYNC) go to a worker. Each
     * is answered once.
     */
    @Test
    void cachedAndMetadataRequestsAreAnsweredOnTheKickThreadAndTheRestByWorkers() throws Exception {
        java.util.Map<String, String> servedBy = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Set<String> attempts = java.util.concurrent.ConcurrentHashMap.newKeySet();
        dev.vireo.fuse.fs.LowLevelFileSystem fs = new dev.vireo.fuse.fs.LowLevelFileSystem() {
            @Override
            public boolean servesNonBlocking(dev.vireo.fuse.proto.Opcode opcode) {
                return opcode == dev.vireo.fuse.proto.Opcode.LOOKUP;
            }

            @Override
            public void lookup(dev.vireo.fuse.fs.Request req, long parent, dev.vireo.fuse.fs.Name name) {
                String n = name.toString();
                if (req.nonBlocking()) {
                    attempts.add(n);
                    if (n.startsWith("slow")) {
                        req.retryBlocking();
                        return;
                    }
                }
                servedBy.put(n, Thread.currentThread().getName());
                req.replyEntry(req.entry().nodeId(0).entryTimeoutNanos(1));
            }

            @Override
            public void statfs(dev.vireo.fuse.fs.Request req, long nodeId) {
                servedBy.put("statfs", Thread.currentThread().getName());
                req.replyStatfs(1, 1, 1, 1, 1, 4096, 255, 4096);
            }

            @Override
            public void fsync(dev.vireo.fuse.fs.Request req, long nodeId, long fh, boolean datasync) {
                servedBy.put("fsync", Thread.currentThread().getName());
                req.replyOk();
            }
        };
        MockDriver d = start(new VirtioFsServer(() -> fs, SessionConfig.defaults(), 2, "test-split"), Options.defaults());
        FsClient c = new FsClient(d);
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        String kickThread = Thread.currentThread().getName(); // the mock driver delivers kicks on the caller's thread
        assertThat(c.call(1, Fuse.FUSE_LOOKUP, 1, name("fast"), 256).error()).isZero();
        assertThat(c.call(1, Fuse.FUSE_LOOKUP, 1, name("slow"), 256).error()).isZero();
        assertThat(c.call(1, Fuse.FUSE_STATFS, 1, new byte[0], 256).error()).isZero();
        assertThat(c.call(1, Fuse.FUSE_FSYNC, 1, new byte[16], 256).error()).isZero();
        assertThat(servedBy.get("fast")).isEqualTo(kickThread);
        assertThat(servedBy.get("slow")).isEqualTo(kickThread);
        assertThat(servedBy.get("statfs")).isEqualTo(kickThread);
        assertThat(servedBy.get("fsync")).startsWith("vireo-fs-test-split-");
        assertThat(attempts).containsExactlyInAnyOrder("fast", "slow");
        assertThat(d.needsReset()).isFalse();
    }

    /**
     * WRITEs of one inode follow each other on the worker serving the first (the host would make
     * a second worker wait on the file's lock), and each is answered once; WRITEs of different
     * inodes still run side by side. The driver is signalled every few answers of such a run,
     * not for each one.
     */
    @Test
    void writesOfOneInodeAreServedOneAtATimeAndOthersInParallel() throws Exception {
        java.util.Map<Long, AtomicInteger> running = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<Long, Integer> mostAtOnce = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger allRunning = new AtomicInteger();
        AtomicInteger allMostAtOnce = new AtomicInteger();
        dev.vireo.fuse.fs.LowLevelFileSystem fs = new dev.vireo.fuse.fs.LowLevelFileSystem() {
            @Override
            public void write(dev.vireo.fuse.fs.Request req, long nodeId, long fh, long offset, dev.vireo.mem.SgList data,
                    int writeFlags, int flags) {
                int now = running.computeIfAbsent(nodeId, k -> new AtomicInteger()).incrementAndGet();
                mostAtOnce.merge(nodeId, now, Math::max);
                allMostAtOnce.accumulateAndGet(allRunning.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(5); // long enough for the other workers to take what is queued
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                allRunning.decrementAndGet();
                running.get(nodeId).decrementAndGet();
                req.replyWrite(data.totalLength());
            }
        };
        MockDriver d = start(new VirtioFsServer(() -> fs, SessionConfig.defaults(), 4, "test-writes"),
                Options.defaults().queueSize(128));
        FsClient c = new FsClient(d);
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        int n = 24; // 8 each for nodes 2, 3 and 4, interleaved; four descriptors each
        long[] at = new long[1];
        d.interrupt().clear();
        for (int i = 0; i < n; i++) {
            c.post(1, FsClient.request(Fuse.FUSE_WRITE, 100 + i, 2 + i % 3, writeIn(7, 4096L * i, new byte[512], 512), -1), 256, at);
        }
        d.kick(1);
        awaitEachAnsweredOnce(d, n, 16 + 8);
        assertThat(mostAtOnce).containsOnlyKeys(2L, 3L, 4L).allSatisfy((node, most) -> assertThat(most).as("node %d", node).isEqualTo(1));
        assertThat(allMostAtOnce.get()).as("writes of different inodes at once").isGreaterThan(1);
        // Without EVENT_IDX every signal the device decides on reaches the driver.
        assertThat(d.interrupt().usedCount(1)).as("signals for %d answers", n).isBetween(1, n / 2);
        assertThat(d.needsReset()).isFalse();
    }

    /**
     * Neither the kick thread nor the workers allocate per request in steady state: GETATTRs
     * (answered on the kick thread from the host's inode cache) and LOOKUPs from another user
     * (given back by the non-blocking attempt, answered by a worker) are answered many times, and
     * the heap the device's threads allocate meanwhile is measured (ThreadMXBean), not timed. The
     * kick thread only kicks, so its allocations are the device's. The bound is the JDK's 40-byte
     * capture-state view per errno capturing downcall (see vireo-fuse's AllocationTest), plus slack.
     */
    @Test
    void theKickThreadAndTheWorkersAllocateNothingPerRequestInSteadyState() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.write(dir.resolve("data"), new byte[64]);
        MockDriver d = start(new VirtioFsServer(() -> new PassthroughFs(dir,
                PassthroughOptions.defaults().withGroups(PassthroughOptions.Groups.EXTENSION)), SessionConfig.defaults(), 2,
                "test-alloc"), Options.defaults().queueSize(64));
        FsClient c = new FsClient(d);
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        long req = d.buffers().put(FsClient.request(Fuse.FUSE_GETATTR, 1, 1, new byte[16], -1));
        byte[] lookupBytes = FsClient.request(Fuse.FUSE_LOOKUP, 2, 1, name("data"), -1);
        ByteBuffer.wrap(lookupBytes).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 1000).putInt(28, 1000); // uid, gid
        long lookup = d.buffers().put(lookupBytes);
        long out = d.buffers().alloc(256);
        List<Buffer> getattr = List.of(Buffer.in(req, 40), Buffer.in(req + 40, 16), Buffer.out(out, 16), Buffer.out(out + 16, 240));
        List<Buffer> lookupChain = List.of(Buffer.in(lookup, 40), Buffer.in(lookup + 40, lookupBytes.length - 40),
                Buffer.out(out, 16), Buffer.out(out + 16, 240));
        java.util.concurrent.atomic.AtomicInteger kicks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread kicker = Thread.ofPlatform().name("vireo-fs-test-alloc-kicker").start(() -> {
            while (!stop.get()) {
                if (kicks.get() > 0) {
                    kicks.decrementAndGet();
                    d.kick(1);
                } else {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
            }
        });
        Runnable round = () -> {
            for (int i = 0; i < 15; i++) {
                d.queue(1).add(i % 3 == 0 ? lookupChain : getattr, false);
            }
            kicks.incrementAndGet();
            java.util.concurrent.locks.LockSupport.unpark(kicker);
            for (int got = 0; got < 15; ) {
                DriverQueue.Used u = d.awaitUsed(1, Duration.ofSeconds(20));
                if (u == null) {
                    throw new AssertionError("no answer");
                }
                if (u.len() <= 16) {
                    throw new AssertionError("an error reply (" + u.len() + " bytes)");
                }
                got++;
            }
        };
        try {
            for (int i = 0; i < 2_000; i++) {
                round.run();
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long[] ids = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("vireo-fs-test-alloc"))
                    .mapToLong(Thread::threadId).toArray();
            assertThat(ids).as("the kicker, two workers, the watcher").hasSize(4);
            long[] before = mx.getThreadAllocatedBytes(ids);
            int rounds = 1_000;
            for (int i = 0; i < rounds; i++) {
                round.run();
            }
            long[] after = mx.getThreadAllocatedBytes(ids);
            for (int k = 0; k < ids.length; k++) {
                assertThat(after[k]).as("thread %d reports its allocations", ids[k]).isGreaterThanOrEqualTo(before[k]);
            }
            double perRequest = (java.util.Arrays.stream(after).sum() - java.util.Arrays.stream(before).sum()) / (rounds * 15.0);
            assertThat(perRequest).as("bytes allocated by the kick thread and the workers per request").isLessThan(48.0);
        } finally {
            stop.set(true);
            kicker.join();
        }
    }

    /**
     * A metadata request served off the ring on the kick thread that then blocks (the host reads
     * its disk; here: a latch) holds nothing up for long: after the rescue period the watcher
     * drains the queues, a request behind it on its queue goes to a worker, a FORGET on the
     * hiprio queue (whose kick the held-up thread cannot deliver) is served, and once the slow
     * request ends both the kick thread and the queue go on as before. Nothing is answered twice.
     */
    @Test
    void aRequestThatHoldsTheKickThreadIsOvertakenByTheWatcher() throws Exception {
        java.util.Map<String, String> servedBy = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch mkdirEntered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch forgotten = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        dev.vireo.fuse.fs.LowLevelFileSystem fs = new dev.vireo.fuse.fs.LowLevelFileSystem() {
            @Override
            public void mkdir(dev.vireo.fuse.fs.Request req, long parent, dev.vireo.fuse.fs.Name name, int mode, int umask) {
                servedBy.put("mkdir", Thread.currentThread().getName());
                mkdirEntered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                req.replyError(Errno.EEXIST.code());
            }

            @Override
            public void statfs(dev.vireo.fuse.fs.Request req, long nodeId) {
                servedBy.merge("statfs", Thread.currentThread().getName(), (a, b) -> a + "," + b);
                req.replyStatfs(1, 1, 1, 1, 1, 4096, 255, 4096);
            }

            @Override
            public void forget(long nodeId, long nlookup) {
                servedBy.put("forget", Thread.currentThread().getName());
                forgotten.countDown();
            }
        };
        long rescueNanos = 2_000_000;
        MockDriver d = start(new VirtioFsServer(() -> fs, SessionConfig.defaults(), 2, "test-rescue", rescueNanos),
                Options.defaults());
        FsClient c = new FsClient(d);
        assertThat(c.call(1, Fuse.FUSE_INIT, 0, initIn(KERNEL_FLAGS), 256).error()).isZero();
        try (java.util.concurrent.ExecutorService kickThread = java.util.concurrent.Executors.newSingleThreadExecutor()) {
            String kickName = kickThread.submit(() -> Thread.currentThread().getName()).get();
            int mkdir = c.post(1, FsClient.request(Fuse.FUSE_MKDIR, 7, 1, FsClient.le(8 + 3).putInt(0755).putInt(0)
                    .put(name("d")).array(), -1), 256, new long[1]);
            kickThread.execute(() -> d.kick(1));
            assertThat(mkdirEntered.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(servedBy.get("mkdir")).as("a metadata request is served on the kick thread").isEqualTo(kickName);

            // The kick thread is held up: these kicks wait behind it, as a loop's would.
            long t0 = System.nanoTime();
            int statfs = c.post(1, FsClient.request(Fuse.FUSE_STATFS, 8, 1, new byte[0], -1), 256, new long[1]);
            kickThread.execute(() -> d.kick(1));
            c.post(0, FsClient.request(Fuse.FUSE_FORGET, 9, 5, FsClient.le(8).putLong(1).array(), -1), 0, new long[1]);
            kickThread.execute(() -> d.kick(0));
            DriverQueue.Used first = d.awaitUsed(1, Duration.ofSeconds(20));
            assertThat(first).as("the request behind the held-up one is answered").isNotNull();
            assertThat(first.id()).isEqualTo(statfs);
            assertThat(System.nanoTime() - t0).as("not before the rescue period").isGreaterThanOrEqualTo(rescueNanos);
            assertThat(servedBy.get("statfs")).startsWith("vireo-fs-test-rescue-").doesNotEndWith("watch");
            assertThat(forgotten.await(20, java.util.concurrent.TimeUnit.SECONDS)).as("hiprio served meanwhile").isTrue();
            assertThat(servedBy.get("forget")).isEqualTo("vireo-fs-test-rescue-watch");
            assertThat(release.getCount()).as("all while the slow request still runs").isEqualTo(1);

            release.countDown();
            DriverQueue.Used slow = d.awaitUsed(1, Duration.ofSeconds(20));
            assertThat(slow).isNotNull();
            assertThat(slow.id()).isEqualTo(mkdir);
            for (int i = 0; i < 20; i++) {
                c.roundTrip(1, FsClient.request(Fuse.FUSE_STATFS, 100 + i, 1, new byte[0], -1), 256, kickThread); // throws if unanswered
            }
            assertThat(d.queue(1).pollUsed()).as("nothing answered twice").isNull();
            assertThat(d.needsReset()).isFalse();
        }
    }

    /**
     * With a polling queue, a worker that has answered a blocking request waits on the ring for
     * the next one and serves it itself: a driver that sends blocking requests one at a time (each
     * after the previous answer) needs almost no kicks, for each
     * ring layout (with EVENT_IDX the device suppresses kicks by moving avail_event behind what
     * it has popped). Without polling every request needs a kick and a hand-off.
     */
    @ParameterizedTest
    @ValueSource(strings = {"split", "split-no-event-idx", "packed"})
    void aWorkerServesTheNextBlockingRequestOfAnIdleQueueWithoutAKick(String layout) throws Exception {
        Options o = switch (layout) {
            case "split" -> Options.defaults();
            case "split-no-event-idx" -> Options.defaults().eventIdx(false);
            default -> Options.defaults().packed(true);
        };
        int polledKicks = blockingRoundTrips(FsDevice.Options.MAX_POLL_NANOS, o);
        int plainKicks = blockingRoundTrips(0, o);
        // A poll that ends before the test thread sends (it shares two cores with the JIT) costs a
        // kick: 5-15 % of the requests here, against all of them without polling.
        assertThat(polledKicks).as("kicks for %d blocking requests with polling", ROUND_TRIPS).isLessThan(ROUND_TRIPS / 2);
        assertThat(plainKicks).as("kicks for %d blocking requests without polling", ROUND_TRIPS).isGreaterThan(ROUND_TRIPS * 3 / 4);
    }

    private static final int ROUND_TRIPS = 400;

    /** Kicks needed for {@link #ROUND_TRIPS} FSYNCs sent one at a time (workers answer them, never the kick thread). */
    private int blockingRoundTrips(long pollNanos, Options o) throws Exception {
        java.util.Set<String> servers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        dev.vireo.fuse.fs.LowLevelFileSystem fs = new dev.vireo.fuse.fs.LowLevelFileSystem() {
            @Override
            public void fsync(dev.vireo.fuse.fs.Request req, long nodeId, long fh, boolean datasync) {
                servers.add(Thread.currentThread().getName());
                req.replyOk();
            }
        };
        VirtioFsServer s = new VirtioFsServer(() -> fs, SessionConfig.defaults(), 2, "test-poll");
        toClose.add(s);
        MockDriver d = MockDriver.start(new FsDevice(new FsDevice.Options("t", 1, 256, pollNanos), s), o);
        toClose.add(d);
        // Kicks run on a thread of their own, as a vhost-user back-end's kick thread: a polling
        // queue's process() returns only when its poll ends.
        try (java.util.concurrent.ExecutorService kickThread = java.util.concurrent.Executors.newSingleThreadExecutor()) {
            FsClient c = new FsClient(d);
            c.roundTrip(1, FsClient.request(Fuse.FUSE_INIT, 1, 0, initIn(KERNEL_FLAGS), -1), 256, kickThread);
            int kicks = 0;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                if (c.roundTrip(1, FsClient.request(Fuse.FUSE_FSYNC, 1000 + i, 1, new byte[16], -1), 256, kickThread)) {
                    kicks++;
                }
            }
            assertThat(d.needsReset()).isFalse();
            assertThat(servers).allSatisfy(n -> assertThat(n).startsWith("vireo-fs-test-poll-").doesNotEndWith("watch"));
            return kicks;
        }
    }
}
