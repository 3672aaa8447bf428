package dev.vireo.vhost;

import dev.vireo.mem.SgReader;
import dev.vireo.mem.SgWriter;
import dev.vireo.sys.Fd;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseInHeader;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.devices.fs.FsDevice;
import dev.vireo.virtio.devices.fs.FuseRequest;
import dev.vireo.virtio.devices.fs.FuseRequestHandler;
import dev.vireo.vhost.backend.VhostUserBackend;
import dev.vireo.vhost.conn.Connection;
import dev.vireo.vhost.frontend.FrontendClient;
import dev.vireo.vhost.frontend.FrontendQueue;
import dev.vireo.vhost.frontend.VhostUserFrontend;
import dev.vireo.vhost.fsclient.DataPattern;
import dev.vireo.vhost.fsclient.FsLoad;
import dev.vireo.vhost.fsclient.FuseClient;
import dev.vireo.vhost.fsclient.FuseProtocolException;
import dev.vireo.vhost.fsclient.FuseReplyException;
import dev.vireo.vhost.proto.VhostUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fsload front-end ({@link VhostUserFrontend} + {@link FuseClient}) against vireo's vhost-user
 * back-end serving a virtio-fs device over a socketpair, with a scripted FUSE server behind the
 * device that records what arrives and can answer wrongly. REPLY_ACK is negotiated, so every
 * message the front-end sends after it is acknowledged by the back-end or fails the call: each
 * step below passing means the back-end accepted that message. The real FUSE peer (the C
 * virtiofsd) is in vireo-cli's FsloadCommandTest.
 */
@ExtendWith(FdLeakCheck.class)
class FsFrontendTest {

    /** One request as the FUSE server saw it. */
    record Seen(int queue, int opcode, long nodeid, long unique, int len, byte[] args) {

        ByteBuffer le() {
            return ByteBuffer.wrap(args).order(ByteOrder.LITTLE_ENDIAN);
        }

        String name(int at) {
            int end = at;
            while (args[end] != 0) {
                end++;
            }
            return new String(args, at, end - at, StandardCharsets.UTF_8);
        }
    }

    /** Answers like a tiny passthrough over one node; {@code misbehave} bends the next reply. */
    static final class ScriptedServer implements FuseRequestHandler {
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        final List<FuseRequest> held = new ArrayList<>();
        volatile int hold;
        volatile String misbehave = "";

        @Override
        public void handle(FuseRequest r) {
            SgReader in = new SgReader().reset(r.in());
            int len = in.u32();
            in.skip(FuseInHeader.SIZE - 4);
            byte[] args = new byte[(int) r.length() - (int) FuseInHeader.SIZE];
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(Math.max(1, args.length));
                in.read(buf.asSlice(0, args.length));
                MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, args, 0, args.length);
            }
            seen.add(new Seen(r.queue(), r.opcode(), r.nodeId(), r.unique(), len, args));
            if (r.opcode() == Fuse.FUSE_FORGET) {
                r.complete(0);
                return;
            }
            if (hold > 0) {
                held.add(r);
                if (held.size() < hold) {
                    return;
                }
                hold = 0;
                for (int i = held.size() - 1; i >= 0; i--) { // answer in reverse order
                    answer(held.get(i), seen.get(seen.size() - held.size() + i));
                }
                held.clear();
                return;
            }
            answer(r, seen.getLast());
        }

        private void answer(FuseRequest r, Seen s) {
            SgWriter out = new SgWriter().reset(r.out());
            String bad = misbehave;
            misbehave = "";
            long unique = bad.equals("unique") ? r.unique() + 1000 : r.unique();
            switch (r.opcode()) {
                case Fuse.FUSE_INIT -> {
                    header(out, 16 + 64, 0, unique);
                    out.u32(7);
                    out.u32(31);
                    out.u32(128 << 10);
                    out.u32(Fuse.FUSE_ASYNC_READ | Fuse.FUSE_MAX_PAGES);
                    out.u16(16);
                    out.u16(12);
                    out.u32(256 << 10); // max_write
                    out.u32(1);
                    out.u16(64); // max_pages
                    out.zeros(64 - 30);
                    r.complete(16 + 64);
                }
                case Fuse.FUSE_LOOKUP, Fuse.FUSE_CREATE -> {
                    String name = s.name(r.opcode() == Fuse.FUSE_CREATE ? 16 : 0);
                    if (name.equals("missing")) {
                        r.replyError(2);
                        return;
                    }
                    boolean create = r.opcode() == Fuse.FUSE_CREATE;
                    int body = create ? 144 : 128;
                    header(out, 16 + body + (bad.equals("len") ? 8 : 0), 0, unique);
                    out.u64(100 + name.hashCode() % 1000 + 1000); // nodeid
                    out.zeros(24); // generation, entry_valid, attr_valid
                    out.zeros(8); // nsec fields
                    attr(out, 4096 * 3);
                    if (create) {
                        out.u64(77); // fh
                        out.zeros(8);
                    }
                    r.complete(16 + body);
                }
                case Fuse.FUSE_GETATTR -> {
                    header(out, 16 + 104, bad.equals("errbody") ? -5 : 0, unique);
                    out.zeros(16);
                    attr(out, 8192);
                    r.complete(16 + 104);
                }
                case Fuse.FUSE_OPEN -> {
                    header(out, 16 + 16, 0, unique);
                    out.u64(55);
                    out.zeros(8);
                    r.complete(16 + 16);
                }
                case Fuse.FUSE_READ -> {
                    ByteBuffer a = s.le();
                    a.getLong();
                    long offset = a.getLong();
                    int size = a.getInt();
                    header(out, 16 + size, bad.equals("positive") ? 5 : 0, unique);
                    try (Arena ar = Arena.ofConfined()) {
                        MemorySegment data = ar.allocate(size);
                        DataPattern.prime(data);
                        DataPattern.stamp(data, offset, size);
                        out.write(data);
                    }
                    r.complete(16 + size);
                }
                case Fuse.FUSE_WRITE -> {
                    ByteBuffer a = s.le();
                    a.position(16);
                    int size = a.getInt();
                    header(out, 16 + 8, 0, unique);
                    out.u32(size);
                    out.u32(0);
                    r.complete(16 + 8);
                }
                case Fuse.FUSE_RELEASE, Fuse.FUSE_FLUSH, Fuse.FUSE_FSYNC, Fuse.FUSE_UNLINK -> {
                    header(out, 16, 0, unique);
                    r.complete(16);
                }
                default -> r.replyError(38);
            }
        }

        private static void attr(SgWriter out, long size) {
            out.u64(9); // ino
            out.u64(size);
            out.zeros(8 + 24 + 12); // blocks, times, nsecs
            out.u32(0100644); // mode
            out.zeros(88 - 64);
        }

        private static void header(SgWriter out, long len, int error, long unique) {
            out.u32((int) len);
            out.u32(error);
            out.u64(unique);
        }
    }

    /** A front-end connected to vireo's back-end in a thread, with the scripted server behind it. */
    static final class Rig implements AutoCloseable {
        final ScriptedServer server = new ScriptedServer();
        final Thread backend;
        final VhostUserFrontend frontend;
        final Fd backendSocket;

        Rig() {
            Fd[] pair = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
            VhostUserBackend b = new VhostUserBackend(new FsDevice(new FsDevice.Options("fsload", 1, 1024), server));
            backendSocket = pair[1];
            Connection backendSide = new Connection(pair[1], Connection.Side.BACKEND);
            backend = Thread.ofPlatform().name("fs-backend").start(() -> b.serve(backendSide));
            frontend = VhostUserFrontend.start(new FrontendClient(new Connection(pair[0], Connection.Side.FRONTEND)), 8 << 20,
                    1L << Virtio.VIRTIO_RING_F_EVENT_IDX);
        }

        FuseClient client(int depth) {
            FrontendQueue hiprio = frontend.addQueue(0, 128);
            FrontendQueue q = frontend.addQueue(1, 128);
            frontend.enable();
            return new FuseClient(q, hiprio, frontend.allocator(), depth, 256 << 10);
        }

        @Override
        public void close() {
            frontend.close();
            try {
                backend.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(backend.isAlive()).as("the back-end ends when the front-end hangs up").isFalse();
        }
    }

    @Test
    void negotiationTakesOnlyOfferedFeaturesAndTurnsOnAcknowledgements() throws Exception {
        try (Rig rig = new Rig()) {
            VhostUserFrontend.Negotiated n = rig.frontend.negotiated();
            assertThat(n.features() & ~n.offeredFeatures()).as("nothing the back-end did not offer").isZero();
            assertThat(n.has(Virtio.VIRTIO_F_VERSION_1)).isTrue();
            assertThat(n.has(Virtio.VIRTIO_RING_F_EVENT_IDX)).isEqualTo((n.offeredFeatures() & (1L << Virtio.VIRTIO_RING_F_EVENT_IDX)) != 0);
            assertThat(n.protocolFeatures()).isEqualTo(VhostUserBackend.PROTOCOL_FEATURES & VhostUserFrontend.PROTOCOL_FEATURES);
            assertThat(n.protocolFeatures() & (1L << VhostUser.PROTOCOL_F_REPLY_ACK)).isNotZero();
            assertThat(n.queues()).as("GET_QUEUE_NUM: hiprio + 1 request queue").isEqualTo(2);
        }
    }

    @Test
    void initGoesThroughTheRingsAndItsReplyIsParsed() throws Exception {
        try (Rig rig = new Rig()) {
            FuseClient c = rig.client(4);
            FuseClient.Init init = c.init();
            assertThat(init).isEqualTo(new FuseClient.Init(7, 31, Fuse.FUSE_ASYNC_READ | Fuse.FUSE_MAX_PAGES, 256 << 10, 64, 128 << 10));
            Seen s = rig.server.seen.getFirst();
            assertThat(s.opcode()).isEqualTo(Fuse.FUSE_INIT);
            assertThat(s.len()).isEqualTo(40 + 64);
            ByteBuffer a = s.le();
            assertThat(a.getInt()).isEqualTo(7);
            assertThat(a.getInt()).isEqualTo(FuseClient.MINOR);
            a.getInt();
            assertThat(a.getInt()).isEqualTo(FuseClient.INIT_FLAGS);
        }
    }

    @Test
    void eachRequestIsFramedAsFuseHSaysAndItsReplyRead() throws Exception {
        try (Rig rig = new Rig()) {
            FuseClient c = rig.client(2);
            c.init();
            long node = c.lookupSync(1, "file");
            assertThat(node).isEqualTo(100 + "file".hashCode() % 1000 + 1000);
            assertThat(c.lookupSync(1, "missing")).isEqualTo(-2);
            assertThat(c.sizeSync(node)).isEqualTo(8192);
            long fh = c.openSync(node, 2);
            assertThat(fh).isEqualTo(55);
            assertThat(c.readSync(node, fh, 8192, 8192)).isEqualTo(8192);
            assertThat(DataPattern.verify(c.data(0), 8192, 8192)).isEqualTo(-1);
            DataPattern.prime(c.data(0));
            DataPattern.stamp(c.data(0), 4096, 12288);
            assertThat(c.writeSync(node, fh, 4096, 12288)).isEqualTo(12288);
            c.fsyncSync(node, fh);
            c.closeSync(node, fh, 2);
            long[] created = c.createSync(1, "new", 0101, 0640);
            assertThat(created[1]).isEqualTo(77);
            assertThat(c.unlinkSync(1, "new")).isZero();

            Map<Integer, Seen> last = new HashMap<>();
            for (Seen s : rig.server.seen) {
                last.put(s.opcode(), s);
                assertThat(s.len()).as("fuse_in_header.len covers header and arguments").isEqualTo(40 + s.args().length);
            }
            assertThat(last.get(Fuse.FUSE_LOOKUP).name(0)).isEqualTo("missing");
            assertThat(last.get(Fuse.FUSE_GETATTR).nodeid()).isEqualTo(node);
            ByteBuffer open = last.get(Fuse.FUSE_OPEN).le();
            assertThat(open.getInt()).as("open flags").isEqualTo(2);
            ByteBuffer read = last.get(Fuse.FUSE_READ).le();
            assertThat(new long[] {read.getLong(), read.getLong(), read.getInt()}).containsExactly(fh, 8192, 8192);
            Seen write = last.get(Fuse.FUSE_WRITE);
            ByteBuffer w = write.le();
            assertThat(new long[] {w.getLong(), w.getLong(), w.getInt()}).containsExactly(fh, 4096, 12288);
            assertThat(write.args().length).as("write_in then the data").isEqualTo(40 + 12288);
            assertThat(DataPattern.verify(MemorySegment.ofArray(write.args()).asSlice(40), 4096, 12288)).isEqualTo(-1);
            assertThat(last.get(Fuse.FUSE_FSYNC).le().getLong()).isEqualTo(fh);
            assertThat(last.get(Fuse.FUSE_FLUSH).le().getLong()).isEqualTo(fh);
            ByteBuffer rel = last.get(Fuse.FUSE_RELEASE).le();
            assertThat(new long[] {rel.getLong(), rel.getInt()}).containsExactly(fh, 2);
            ByteBuffer cr = last.get(Fuse.FUSE_CREATE).le();
            assertThat(new int[] {cr.getInt(), cr.getInt()}).containsExactly(0101, 0640);
            assertThat(last.get(Fuse.FUSE_CREATE).name(16)).isEqualTo("new");
            assertThat(last.get(Fuse.FUSE_UNLINK).name(0)).isEqualTo("new");
            assertThat(rig.server.seen.stream().map(Seen::unique).distinct().count()).as("unique ids").isEqualTo(rig.server.seen.size());
        }
    }

    @Test
    void manyRequestsInFlightAreMatchedToTheirRepliesWhateverTheOrder() throws Exception {
        try (Rig rig = new Rig()) {
            FuseClient c = rig.client(8);
            c.init();
            rig.server.hold = 8;
            for (int s = 0; s < 8; s++) {
                c.lookup(s, 1, FuseClient.bytes("n" + s));
            }
            assertThat(c.inFlight()).isEqualTo(8);
            Map<Integer, Long> nodes = new HashMap<>();
            while (c.inFlight() > 0) {
                assertThat(c.await((slot, op, error, bytes) -> {
                    assertThat(error).isZero();
                    nodes.put(slot, c.nodeid(slot));
                }, 10_000)).isPositive();
            }
            for (int s = 0; s < 8; s++) {
                assertThat(nodes.get(s)).isEqualTo(100 + ("n" + s).hashCode() % 1000 + 1000);
            }
        }
    }

    @Test
    void forgetsGoOnTheHiprioQueueAndTheirBuffersComeBack() throws Exception {
        try (Rig rig = new Rig()) {
            FuseClient c = rig.client(1);
            c.init();
            for (int i = 0; i < 200; i++) { // more than the 64 FORGET buffers: they must be reused
                c.forget(1000 + i, i + 1);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (rig.server.seen.stream().filter(s -> s.opcode() == Fuse.FUSE_FORGET).count() < 200 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<Seen> forgets = rig.server.seen.stream().filter(s -> s.opcode() == Fuse.FUSE_FORGET).toList();
            assertThat(forgets).hasSize(200);
            for (int i = 0; i < 200; i++) {
                Seen f = forgets.get(i);
                assertThat(f.queue()).as("hiprio").isZero();
                assertThat(f.nodeid()).isEqualTo(1000 + i);
                assertThat(f.le().getLong()).as("nlookup").isEqualTo(i + 1);
                assertThat(f.len()).isEqualTo(48);
            }
            assertThat(c.lookupSync(1, "still-works")).isPositive();
        }
    }

    @Test
    void aBackEndThatHangsUpMidRequestEndsTheWaitWithAnError() throws Exception {
        try (Rig rig = new Rig()) {
            FuseClient c = rig.client(2);
            c.init();
            rig.server.hold = 2; // the request is never answered
            c.lookup(0, 1, FuseClient.bytes("x"));
            SocketCalls.shutdown(rig.backendSocket.num(), SocketCalls.SHUT_RDWR);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.await((slot, op, error, bytes) -> { }, 60_000))
                    .isInstanceOf(dev.vireo.vhost.proto.MessageException.class).hasMessageContaining("closed");
            assertThat(System.nanoTime() - t0).as("not the 60 s timeout").isLessThan(50_000_000_000L);
        }
    }

    @Test
    void theMeasuredLoopAllocatesNothingPerRequest() throws Exception {
        try (Rig rig = new Rig()) {
            FuseClient c = rig.client(4);
            c.init();
            FsLoad load = new FsLoad(c);
            load.prepare(FsLoad.Workload.LOOKUP, 1 << 20);
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            for (int warm = 0; warm < 3; warm++) {
                load.run(new FsLoad.Options(FsLoad.Workload.LOOKUP, 4, 0, 5_000, 1 << 20, false, false));
            }
            // The difference between a short and a long run is what the operations allocate on
            // this (the client's) thread; the server side runs on the back-end's threads. The one
            // allocation left (JFR: SharedUtils.checkCaptureSegment) is the JDK's slice of the
            // errno capture segment in each downcall, which the JIT removes only in shallow call
            // chains (see EventCalls): at most one small segment object per system call (a kick
            // is one write, a wait a poll and a read). Requests themselves allocate nothing, and
            // 11 bytes per request would already fail this bound.
            long a0 = threads.getCurrentThreadAllocatedBytes();
            FsLoad.Result shortRun = load.run(new FsLoad.Options(FsLoad.Workload.LOOKUP, 4, 0, 1_000, 1 << 20, false, false));
            long a1 = threads.getCurrentThreadAllocatedBytes();
            FsLoad.Result longRun = load.run(new FsLoad.Options(FsLoad.Workload.LOOKUP, 4, 0, 9_000, 1 << 20, false, false));
            long a2 = threads.getCurrentThreadAllocatedBytes();
            assertThat(longRun.ops()).isEqualTo(9_000);
            long bytes = (a2 - a1) - (a1 - a0);
            long syscalls = (longRun.kicks() + 2 * longRun.calls()) - (shortRun.kicks() + 2 * shortRun.calls());
            long requests = longRun.requests() - shortRun.requests();
            assertThat(bytes).as("%d bytes for %d more requests and %d more system calls", bytes, requests, syscalls)
                    .isLessThanOrEqualTo(48 * Math.max(0, syscalls) + 4096);
        }
    }

    @Test
    void anErrorReplyIsAnErrnoNotAValue() throws Exception {
        try (Rig rig = new Rig()) {
            FuseClient c = rig.client(1);
            c.init();
            assertThatThrownBy(() -> c.createSync(1, "missing", 0101, 0600)).isInstanceOf(FuseReplyException.class)
                    .hasMessageContaining("errno 2");
        }
    }

    @Test
    void repliesThatBreakTheProtocolAreRefused() throws Exception {
        for (String bad : List.of("unique", "len", "errbody", "positive")) {
            try (Rig rig = new Rig()) {
                FuseClient c = rig.client(1);
                c.init();
                rig.server.misbehave = bad;
                assertThatThrownBy(() -> {
                    switch (bad) {
                        case "errbody" -> c.sizeSync(3);
                        case "positive" -> c.readSync(3, 1, 0, 4096);
                        default -> c.lookupSync(1, "x");
                    }
                }).as(bad).isInstanceOf(FuseProtocolException.class);
            }
        }
    }
}
