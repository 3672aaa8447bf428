package dev.vireo.io;

import dev.vireo.io.Fixtures.Done;
import dev.vireo.io.Fixtures.Engine;
import dev.vireo.io.Fixtures.Recorder;
import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.MsgHdr;
import dev.vireo.sys.abi.Statx;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every engine must have, run once per engine against the real kernel: files,
 * named pipes, Unix sockets, eventfds, timers, cancellation, shutdown, floods. One suite, so the
 * engines cannot drift apart.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("dev.vireo.io.Fixtures#engines")
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventLoopSuiteTest {

    private static final int ECANCELED = -Errno.ECANCELED.code();

    @Parameter
    Engine engine;

    @TempDir
    Path dir;

    private EventLoop loop;
    private Arena arena;
    private final List<Fd> fds = new ArrayList<>();

    @BeforeEach
    void open() {
        loop = engine.open();
        arena = Arena.ofShared();
        assertThat(loop.engineKind()).isEqualTo(engine.options().engine());
    }

    @AfterEach
    void close() {
        if (loop != null) {
            loop.close();
        }
        arena.close();
        for (Fd fd : fds) {
            fd.close();
        }
    }

    private Fd keep(Fd fd) {
        fds.add(fd);
        return fd;
    }

    private Fd[] fifo(String name) {
        Fd[] p = Fixtures.fifo(dir, name);
        keep(p[0]);
        keep(p[1]);
        return p;
    }

    /**
     * Two NOPs through the engine, one after the other: what the loop could complete with the
     * events it had when the first was submitted has completed before the second comes back
     * (the portable engine runs readiness events before the next iteration's submissions).
     */
    private void roundTrip() {
        Recorder r = new Recorder();
        for (int i = 0; i < 2; i++) {
            loop.submit(new Op(r).nop());
            assertThat(r.take().result()).isZero();
        }
    }

    private MemorySegment bytes(String s) {
        return arena.allocateFrom(s).asSlice(0, s.length());
    }

    private static String string(MemorySegment seg, int length) {
        return new String(seg.asSlice(0, length).toArray(JAVA_BYTE));
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void nopCompletesOnTheLoopThread() {
        Recorder r = new Recorder();
        Op op = new Op(r).nop();
        loop.submit(op);
        Done d = r.take();
        assertThat(d.result()).isZero();
        assertThat(d.more()).isFalse();
        assertThat(d.thread().getName()).startsWith("test-");
        assertThat(op.isIdle()).isTrue();
        loop.submit(op.nop()); // idle again: reusable
        assertThat(r.take().result()).isZero();
    }

    @Test
    void submittingAnOpInFlightIsRefused() throws Exception {
        Fd[] pipe = fifo("busy");
        Recorder r = new Recorder();
        Op read = new Op(r).read(pipe[0].num(), arena.allocate(16), -1);
        loop.submit(read);
        assertThatThrownBy(() -> loop.submit(read)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> read.nop()).isInstanceOf(IllegalStateException.class);
        assertThat(loop.cancel(read)).isTrue();
        assertThat(r.take().result()).isEqualTo(ECANCELED);
    }

    @Test
    void readsAndWritesARegularFileAtOffsets() {
        Fd f = keep(Fixtures.file(dir.resolve("data")));
        Recorder r = new Recorder();
        MemorySegment out = Fixtures.fillPattern(arena.allocate(8192), 4096);
        loop.submit(new Op(r).write(f.num(), out, 4096));
        assertThat(r.take().result()).isEqualTo(8192);

        MemorySegment in = arena.allocate(10_000);
        loop.submit(new Op(r).read(f.num(), in, 100, 5000, 4096 + 1000)); // part of a larger buffer
        assertThat(r.take().result()).isEqualTo(5000);
        assertThat(Fixtures.patternMismatch(in.asSlice(100), 4096 + 1000, 5000)).isEqualTo(-1);
        assertThat(in.get(JAVA_BYTE, 99)).isZero();
        assertThat(in.get(JAVA_BYTE, 5100)).isZero();

        loop.submit(new Op(r).read(f.num(), in, 12_000)); // short read at the end of the file
        assertThat(r.take().result()).isEqualTo(4096 + 8192 - 12_000);
        loop.submit(new Op(r).read(f.num(), in, 1 << 20)); // past the end
        assertThat(r.take().result()).isZero();
        loop.submit(new Op(r).read(f.num(), in.asSlice(0, 4096), -1)); // current position: the start (a hole)
        assertThat(r.take().result()).isEqualTo(4096);
        assertThat(in.asSlice(0, 4096).mismatch(arena.allocate(4096))).isEqualTo(-1);
    }

    @Test
    void scatterAndGatherWithIovecs() {
        Fd f = keep(Fixtures.file(dir.resolve("vec")));
        Recorder r = new Recorder();
        MemorySegment a = Fixtures.fillPattern(arena.allocate(1000), 0);
        MemorySegment b = Fixtures.fillPattern(arena.allocate(3000), 1000);
        MemorySegment iov = arena.allocate(Iovec.SIZE * 2, 8);
        Iovec.set(iov, 0, a);
        Iovec.set(iov, 1, b);
        loop.submit(new Op(r).writev(f.num(), iov, 2, 0));
        assertThat(r.take().result()).isEqualTo(4000);

        MemorySegment c = arena.allocate(1500);
        MemorySegment d = arena.allocate(2500);
        MemorySegment iov2 = arena.allocate(Iovec.SIZE * 2, 8);
        Iovec.set(iov2, 0, c);
        Iovec.set(iov2, 1, d);
        loop.submit(new Op(r).readv(f.num(), iov2, 2, 0));
        assertThat(r.take().result()).isEqualTo(4000);
        assertThat(Fixtures.patternMismatch(c, 0, 1500)).isEqualTo(-1);
        assertThat(Fixtures.patternMismatch(d, 1500, 2500)).isEqualTo(-1);
    }

    @Test
    void registeredBuffersAndFiles() {
        Fd f = keep(Fixtures.file(dir.resolve("fixed")));
        MemorySegment buf = arena.allocate(64 * 1024, 4096);
        Fixtures.fillPattern(buf, 0);
        loop.registerBuffers(buf);
        loop.registerFiles(f.num());
        Recorder r = new Recorder();
        loop.submit(new Op(r).writeFixed(0, 0, 0, 65536, 0).fixedFile());
        assertThat(r.take().result()).isEqualTo(65536);
        buf.fill((byte) 0);
        loop.submit(new Op(r).readFixed(f.num(), 0, 8192, 4096, 8192));
        assertThat(r.take().result()).isEqualTo(4096);
        assertThat(Fixtures.patternMismatch(buf.asSlice(8192), 8192, 4096)).isEqualTo(-1);
        assertThat(buf.get(JAVA_BYTE, 0)).isZero();

        loop.submit(new Op(r).readFixed(f.num(), 0, 65536 - 100, 4096, 0)); // outside the buffer
        assertThat(r.take().result()).isEqualTo(-Errno.EFAULT.code());
        loop.submit(new Op(r).readFixed(f.num(), 1, 0, 16, 0)); // no such buffer
        assertThat(r.take().result()).isEqualTo(-Errno.EFAULT.code());
        loop.submit(new Op(r).read(1, buf, 0).fixedFile()); // no such registered file
        assertThat(r.take().result()).isEqualTo(-Errno.EBADF.code());
        assertThatThrownBy(() -> loop.registerFiles(f.num())).isInstanceOf(IllegalStateException.class);
        loop.unregisterFiles();
        loop.unregisterBuffers();
        loop.submit(new Op(r).readFixed(f.num(), 0, 0, 16, 0)); // unregistered
        assertThat(r.take().result()).isEqualTo(-Errno.EFAULT.code());
    }

    @Test
    void pipeReadWaitsForTheWriter() {
        Fd[] pipe = fifo("wait");
        Recorder r = new Recorder();
        MemorySegment in = arena.allocate(64);
        loop.submit(new Op(r).read(pipe[0].num(), in, -1));
        roundTrip();
        assertThat(r.poll()).as("a read of an empty pipe must wait (and not block the loop)").isNull();
        FdCalls.write(pipe[1].num(), bytes("hello"));
        Done d = r.take();
        assertThat(d.result()).isEqualTo(5);
        assertThat(string(in, 5)).isEqualTo("hello");
    }

    @Test
    void waitingPipeReadsEachTakeOneWriteAndSeeTheEnd() {
        Fd[] pipe = fifo("order");
        Recorder r = new Recorder();
        List<Op> reads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Op op = new Op(r).read(pipe[0].num(), arena.allocate(4), -1);
            op.attach(op.memory());
            reads.add(op);
            loop.submit(op);
        }
        roundTrip();
        assertThat(r.poll()).isNull();
        List<Op> finished = new ArrayList<>();
        for (String word : new String[] {"aaaa", "bbbb"}) {
            Recorder w = new Recorder();
            loop.submit(new Op(w).write(pipe[1].num(), bytes(word), -1));
            assertThat(w.take().result()).isEqualTo(4);
            Done d = r.take();
            assertThat(d.result()).isEqualTo(4);
            assertThat(string((MemorySegment) d.op().attachment(), 4)).isEqualTo(word);
            finished.add(d.op());
        }
        roundTrip();
        assertThat(r.poll()).as("one write satisfies one read").isNull();
        pipe[1].close(); // end of file for the third
        Done last = r.take();
        assertThat(last.result()).isZero();
        finished.add(last.op());
        assertThat(finished).containsExactlyInAnyOrderElementsOf(reads);
    }

    @Test
    void writeToAFullPipeWaitsForTheReader() {
        Fd[] pipe = fifo("full");
        MemorySegment chunk = arena.allocate(4096);
        Recorder r = new Recorder();
        Op write = new Op(r);
        long written = 0;
        while (true) {
            loop.submit(write.write(pipe[1].num(), chunk, -1));
            roundTrip();
            Done d = r.poll();
            if (d == null) {
                break; // the pipe is full: the write waits, and the loop goes on
            }
            assertThat(d.result()).isPositive();
            written += d.result();
            assertThat(written).as("a pipe holds far less than this").isLessThan(64L << 20);
        }
        assertThat(written).isPositive();
        MemorySegment sink = arena.allocate(written);
        long drained = 0;
        while (drained < written) {
            drained += FdCalls.read(pipe[0].num(), sink.asSlice(drained));
        }
        assertThat(r.take().result()).isPositive();
    }

    @Test
    void sendmsgAndRecvmsgOverAUnixSocket() {
        Fd[] s = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
        keep(s[0]);
        keep(s[1]);
        Recorder r = new Recorder();
        MemorySegment a = arena.allocate(3);
        MemorySegment b = arena.allocate(8);
        MemorySegment iov = arena.allocate(Iovec.SIZE * 2, 8);
        Iovec.set(iov, 0, a);
        Iovec.set(iov, 1, b);
        MemorySegment msg = arena.allocate(MsgHdr.LAYOUT);
        MsgHdr.iov(msg, iov, 2);
        Op recv = new Op(r).recvmsg(s[1].num(), msg, 0);
        loop.submit(recv);
        roundTrip();
        assertThat(r.poll()).as("recvmsg on an empty socket must wait").isNull();

        MemorySegment data = bytes("vireo-io!!!");
        MemorySegment oiov = arena.allocate(Iovec.SIZE, 8);
        Iovec.set(oiov, 0, data);
        MemorySegment omsg = arena.allocate(MsgHdr.LAYOUT);
        MsgHdr.iov(omsg, oiov, 1);
        Recorder w = new Recorder();
        loop.submit(new Op(w).sendmsg(s[0].num(), omsg, SocketCalls.MSG_NOSIGNAL));
        assertThat(w.take().result()).isEqualTo(11);
        Done d = r.take();
        assertThat(d.op()).isSameAs(recv);
        assertThat(d.result()).isEqualTo(11);
        assertThat(string(a, 3) + string(b, 8)).isEqualTo("vireo-io!!!");

        s[0].close();
        loop.submit(recv.recvmsg(s[1].num(), msg, 0));
        assertThat(r.take().result()).as("the peer closed").isZero();
    }

    @Test
    void watchReadsTheEventfdAndReportsEveryCount() throws Exception {
        Fd efd = keep(EventCalls.eventfd(EventCalls.EFD_CLOEXEC)); // blocking mode: the loop must not block on it
        AtomicLong sum = new AtomicLong();
        AtomicInteger firings = new AtomicInteger();
        AtomicReference<Thread> on = new AtomicReference<>();
        Watch w = loop.watch(efd.num(), n -> {
            on.set(Thread.currentThread());
            firings.incrementAndGet();
            sum.addAndGet(n);
        });
        int signals = 2000;
        Thread[] writers = new Thread[4];
        for (int t = 0; t < writers.length; t++) {
            writers[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < signals / 4; i++) {
                    EventCalls.eventfdWrite(efd.num(), 1);
                }
            });
        }
        for (Thread t : writers) {
            t.join();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sum.get() < signals && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(sum.get()).as("every signal is counted once").isEqualTo(signals);
        assertThat(firings.get()).isBetween(1, signals);
        assertThat(on.get().getName()).startsWith("test-");
        assertThat(w.isActive()).isTrue();

        // signal() from a handler, as a device raising an interrupt does.
        loop.execute(() -> loop.signal(efd.num()));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sum.get() < signals + 1 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(sum.get()).isEqualTo(signals + 1);
        w.close();
    }

    @Test
    void aClosedWatchNoLongerReadsItsEventfd() throws Exception {
        Fd efd = keep(EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK));
        AtomicLong sum = new AtomicLong();
        Watch w = loop.watch(efd.num(), sum::addAndGet);
        EventCalls.eventfdWrite(efd.num(), 3);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sum.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(sum.get()).isEqualTo(3);
        CountDownLatch closed = new CountDownLatch(1);
        loop.execute(() -> {
            w.close();
            closed.countDown();
        });
        assertThat(closed.await(20, TimeUnit.SECONDS)).isTrue();
        while (w.isActive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(w.isActive()).isFalse();
        EventCalls.eventfdWrite(efd.num(), 5);
        roundTrip();
        roundTrip();
        assertThat(sum.get()).isEqualTo(3);
        assertThat(EventCalls.eventfdRead(efd.num())).as("the counter was left alone").isEqualTo(5);
        w.close(); // idempotent
    }

    @Test
    void hundredsOfWatchesSignalledAtOnceAllFire() throws Exception {
        int n = 400; // more than io_uring's 256 provided buffers for multishot eventfd reads
        Fd[] efds = new Fd[n];
        long[] sums = new long[n];
        Watch[] watches = new Watch[n];
        for (int i = 0; i < n; i++) {
            efds[i] = keep(EventCalls.eventfd(EventCalls.EFD_CLOEXEC));
            int id = i;
            watches[i] = loop.watch(efds[i].num(), c -> sums[id] += c);
        }
        roundTrip();
        for (int round = 1; round <= 3; round++) {
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            loop.execute(() -> { // keep the loop busy while every eventfd is signalled
                holding.countDown();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < n; i++) {
                EventCalls.eventfdWrite(efds[i].num(), i + 1);
            }
            hold.countDown();
            long[] expected = new long[n];
            for (int i = 0; i < n; i++) {
                expected[i] = (long) round * (i + 1);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long[] seen = new long[n];
            while (System.nanoTime() < deadline) {
                CountDownLatch read = new CountDownLatch(1);
                loop.execute(() -> {
                    System.arraycopy(sums, 0, seen, 0, n); // read on the loop thread, which writes them
                    read.countDown();
                });
                assertThat(read.await(20, TimeUnit.SECONDS)).isTrue();
                if (java.util.Arrays.equals(seen, expected)) {
                    break;
                }
                Thread.sleep(5);
            }
            assertThat(seen).as("round %d", round).containsExactly(expected);
        }
        for (Watch w : watches) {
            assertThat(w.isActive()).isTrue();
            w.close();
        }
    }

    @Test
    void aWatchOnANonEventfdEndsWithAnError() throws Exception {
        Fd f = keep(Fixtures.file(dir.resolve("not-an-eventfd")));
        AtomicLong sum = new AtomicLong();
        Watch w = loop.watch(f.num(), sum::addAndGet);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (w.isActive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(w.isActive()).isFalse();
        assertThat(sum.get()).isZero();
    }

    @Test
    void pollOneShotAndMultishot() {
        Fd[] pipe = fifo("poll");
        Recorder r = new Recorder();
        loop.submit(new Op(r).poll(pipe[0].num(), EventCalls.POLLIN));
        roundTrip();
        assertThat(r.poll()).isNull();
        FdCalls.write(pipe[1].num(), bytes("x"));
        Done d = r.take();
        assertThat(d.result() & EventCalls.POLLIN).isNotZero();
        assertThat(d.more()).isFalse();
        FdCalls.read(pipe[0].num(), arena.allocate(1));

        MemorySegment sink = arena.allocate(16);
        DrainingRecorder m = new DrainingRecorder(pipe[0].num(), sink);
        Op multi = new Op(m).pollMultishot(pipe[0].num(), EventCalls.POLLIN);
        loop.submit(multi);
        for (int i = 0; i < 3; i++) {
            FdCalls.write(pipe[1].num(), bytes("y"));
            Done e = m.take();
            assertThat(e.result() & EventCalls.POLLIN).isNotZero();
            assertThat(e.more()).isTrue();
        }
        assertThat(loop.cancel(multi)).isTrue();
        Done end = m.take();
        assertThat(end.more()).isFalse();
        assertThat(end.result()).isEqualTo(ECANCELED);
        assertThat(multi.isIdle()).isTrue();
    }

    /** Records multishot poll completions and consumes the condition, as a real handler must. */
    private static final class DrainingRecorder extends Recorder {
        private final int fd;
        private final MemorySegment sink;

        DrainingRecorder(int fd, MemorySegment sink) {
            this.fd = fd;
            this.sink = sink;
        }

        @Override
        public void complete(Op op, int result) {
            if (op.hasMore()) {
                FdCalls.read(fd, sink.asSlice(0, 1)); // the pipe held one byte: drain it
            }
            super.complete(op, result);
        }
    }

    @Test
    void timeoutsFireInDeadlineOrder() {
        Recorder r = new Recorder();
        long ms = 1_000_000;
        Op t60 = new Op(r).timeout(60 * ms);
        Op t20 = new Op(r).timeout(20 * ms);
        Op t40 = new Op(r).timeout(40 * ms);
        Op t0 = new Op(r).timeout(0);
        CountDownLatch submitted = new CountDownLatch(1);
        loop.execute(() -> { // from the loop: all four in one batch
            loop.submit(t60);
            loop.submit(t20);
            loop.submit(t40);
            loop.submit(t0);
            submitted.countDown();
        });
        List<Op> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Done d = r.take();
            assertThat(d.result()).isEqualTo(-Errno.ETIME.code());
            order.add(d.op());
        }
        assertThat(order).containsExactly(t0, t20, t40, t60);
    }

    @Test
    void linkTimeoutCancelsAStuckReadAndSparesAQuickOne() {
        Fd[] pipe = fifo("link");
        Recorder r = new Recorder();
        loop.submit(new Op(r).read(pipe[0].num(), arena.allocate(8), -1).linkTimeout(20_000_000));
        assertThat(r.take().result()).isEqualTo(ECANCELED);

        Fd f = keep(Fixtures.file(dir.resolve("quick")));
        Fixtures.writePatternFile(f, 4096);
        MemorySegment in = arena.allocate(4096);
        loop.submit(new Op(r).read(f.num(), in, 0).linkTimeout(10_000_000_000L));
        assertThat(r.take().result()).isEqualTo(4096);
        assertThat(Fixtures.patternMismatch(in, 0, 4096)).isEqualTo(-1);
        FdCalls.write(pipe[1].num(), bytes("z"));
        loop.submit(new Op(r).read(pipe[0].num(), in, -1).linkTimeout(10_000_000_000L));
        assertThat(r.take().result()).isEqualTo(1);
        roundTrip(); // the expired link timeouts leave nothing behind
        assertThat(r.poll()).isNull();
    }

    @Test
    void cancellationOfPendingAndFinishedOperations() throws Exception {
        Fd[] pipe = fifo("cancel");
        Recorder r = new Recorder();
        Op read = new Op(r).read(pipe[0].num(), arena.allocate(8), -1);
        assertThat(loop.cancel(read)).as("an idle op").isFalse();
        loop.submit(read);
        roundTrip();
        assertThat(loop.cancel(read)).isTrue(); // from another thread: reaches the loop next iteration
        Done d = r.take();
        assertThat(d.result()).isEqualTo(ECANCELED);
        assertThat(read.isIdle()).isTrue();
        assertThat(loop.cancel(read)).as("after its completion").isFalse();

        // Cancelled from a handler, on the loop thread, and a timeout that never fires.
        Op timer = new Op(r).timeout(TimeUnit.HOURS.toNanos(1));
        CountDownLatch go = new CountDownLatch(1);
        loop.execute(() -> {
            loop.submit(timer);
            assertThat(loop.cancel(timer)).isTrue();
            go.countDown();
        });
        assertThat(go.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(r.take().result()).isEqualTo(ECANCELED);

        // A read that already finished cannot be cancelled: exactly one completion, with its data.
        FdCalls.write(pipe[1].num(), bytes("done"));
        MemorySegment buf = arena.allocate(4);
        Op quick = new Op(r).read(pipe[0].num(), buf, -1);
        loop.submit(quick);
        Done q = r.take();
        loop.cancel(quick);
        roundTrip();
        assertThat(q.result()).isEqualTo(4);
        assertThat(r.poll()).isNull();
    }

    @Test
    void fileOperations() {
        Recorder r = new Recorder();
        MemorySegment path = arena.allocateFrom(dir.resolve("made").toString());
        loop.submit(new Op(r).openat(FsCalls.AT_FDCWD, path, FsCalls.O_RDWR | FsCalls.O_CREAT | FsCalls.O_CLOEXEC, 0640));
        int fd = r.take().result();
        assertThat(fd).isGreaterThanOrEqualTo(0);

        loop.submit(new Op(r).fallocate(fd, 0, 0, 1 << 20));
        assertThat(r.take().result()).isZero();
        loop.submit(new Op(r).write(fd, Fixtures.fillPattern(arena.allocate(512), 0), 0));
        assertThat(r.take().result()).isEqualTo(512);
        loop.submit(new Op(r).fsync(fd, false));
        assertThat(r.take().result()).isZero();
        loop.submit(new Op(r).fsync(fd, true));
        assertThat(r.take().result()).isZero();

        MemorySegment stx = arena.allocate(Statx.LAYOUT);
        loop.submit(new Op(r).statx(FsCalls.AT_FDCWD, path, 0, FsCalls.STATX_SIZE | FsCalls.STATX_MODE, stx));
        assertThat(r.take().result()).isZero();
        assertThat(Statx.size(stx)).isEqualTo(1 << 20);
        assertThat(Statx.mode(stx) & 0777).isEqualTo(0640);
        loop.submit(new Op(r).statx(fd, arena.allocateFrom(""), FsCalls.AT_EMPTY_PATH, FsCalls.STATX_SIZE, stx));
        assertThat(r.take().result()).isZero();
        assertThat(Statx.size(stx)).isEqualTo(1 << 20);

        loop.submit(new Op(r).fallocate(fd, FdCalls.FALLOC_FL_PUNCH_HOLE | FdCalls.FALLOC_FL_KEEP_SIZE, 0, 4096));
        assertThat(r.take().result()).isZero();
        MemorySegment in = arena.allocate(512);
        loop.submit(new Op(r).read(fd, in, 0));
        assertThat(r.take().result()).isEqualTo(512);
        assertThat(in.mismatch(arena.allocate(512))).as("the punched hole reads as zeros").isEqualTo(-1);

        loop.submit(new Op(r).close(fd));
        assertThat(r.take().result()).isZero();
        loop.submit(new Op(r).close(fd));
        assertThat(r.take().result()).isEqualTo(-Errno.EBADF.code());
        loop.submit(new Op(r).openat(FsCalls.AT_FDCWD, arena.allocateFrom(dir.resolve("absent").toString()), FsCalls.O_RDONLY, 0));
        assertThat(r.take().result()).isEqualTo(-Errno.ENOENT.code());
        loop.submit(new Op(r).statx(FsCalls.AT_FDCWD, arena.allocateFrom(dir.resolve("absent").toString()), 0, FsCalls.STATX_SIZE, stx));
        assertThat(r.take().result()).isEqualTo(-Errno.ENOENT.code());
    }

    @Test
    void errorsComeBackAsResults() {
        Recorder r = new Recorder();
        MemorySegment buf = arena.allocate(16);
        int closed = 19_999; // above every descriptor a test opens
        loop.submit(new Op(r).read(closed, buf, 0));
        assertThat(r.take().result()).isEqualTo(-Errno.EBADF.code());
        loop.submit(new Op(r).read(closed, buf, -1));
        assertThat(r.take().result()).isEqualTo(-Errno.EBADF.code());
        Fd[] pipe = fifo("espipe");
        loop.submit(new Op(r).write(pipe[0].num(), buf, -1)); // the read end
        assertThat(r.take().result()).isEqualTo(-Errno.EBADF.code());
    }

    @Test
    void thousandsOfConcurrentReadsAreEachVerified() throws Exception {
        Fd f = keep(Fixtures.file(dir.resolve("many")));
        long size = 8 << 20;
        Fixtures.writePatternFile(f, size);
        int n = 5000;
        Random random = new Random(42);
        long[] offsets = new long[n];
        int[] lengths = new int[n];
        MemorySegment[] bufs = new MemorySegment[n];
        Op[] reads = new Op[n];
        AtomicInteger[] seen = new AtomicInteger[n];
        ConcurrentHashMap<Integer, String> problems = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            lengths[i] = 1 + random.nextInt(8192);
            offsets[i] = random.nextLong(size - lengths[i]);
            bufs[i] = arena.allocate(lengths[i]);
            seen[i] = new AtomicInteger();
            reads[i] = new Op((op, res) -> {
                if (seen[id].incrementAndGet() != 1) {
                    problems.put(id, "completed twice");
                } else if (res != lengths[id]) {
                    problems.put(id, "result " + res + ", expected " + lengths[id]);
                } else if (Fixtures.patternMismatch(bufs[id], offsets[id], lengths[id]) >= 0) {
                    problems.put(id, "wrong bytes");
                }
                all.countDown();
            }).read(f.num(), bufs[i], offsets[i]);
        }
        // Half from this thread, half from the loop thread, interleaved.
        loop.execute(() -> {
            for (int i = 1; i < n; i += 2) {
                loop.submit(reads[i]);
            }
        });
        for (int i = 0; i < n; i += 2) {
            loop.submit(reads[i]);
        }
        assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
        roundTrip();
        assertThat(problems).isEmpty();
        for (AtomicInteger s : seen) {
            assertThat(s.get()).isEqualTo(1);
        }
    }

    @Test
    void submissionsFromManyThreads() throws Exception {
        int threads = 4;
        int each = 2000;
        AtomicInteger completions = new AtomicInteger();
        AtomicInteger wrongThread = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(threads * each);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = Thread.ofPlatform().start(() -> {
                // Two ops per thread, each resubmitted once its completion has been seen.
                java.util.concurrent.Semaphore idle = new java.util.concurrent.Semaphore(2);
                java.util.concurrent.ConcurrentLinkedQueue<Op> free = new java.util.concurrent.ConcurrentLinkedQueue<>();
                Completion c = (o, res) -> {
                    if (!loop.inLoop()) {
                        wrongThread.incrementAndGet();
                    }
                    completions.incrementAndGet();
                    all.countDown();
                    free.add(o);
                    idle.release();
                };
                free.add(new Op(c));
                free.add(new Op(c));
                for (int i = 0; i < each; i++) {
                    idle.acquireUninterruptibly();
                    loop.submit(free.poll().nop());
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
        roundTrip();
        assertThat(completions.get()).isEqualTo(threads * each);
        assertThat(wrongThread.get()).isZero();
    }

    @Test
    void closingCompletesEveryOperationExactlyOnce() throws Exception {
        loop.close();
        loop = engine.open(engine.options().withCapacity(64));
        Fd[] pipe = fifo("shutdown");
        Fd efd = keep(EventCalls.eventfd(EventCalls.EFD_CLOEXEC));
        ConcurrentHashMap<Op, AtomicInteger> finals = new ConcurrentHashMap<>();
        ConcurrentHashMap<Op, Integer> results = new ConcurrentHashMap<>();
        Completion count = (op, res) -> {
            if (!op.hasMore()) {
                finals.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
                results.put(op, res);
            }
        };
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ops.add(new Op(count).read(pipe[0].num(), arena.allocate(8), -1));
        }
        for (int i = 0; i < 40; i++) {
            ops.add(new Op(count).timeout(TimeUnit.HOURS.toNanos(1)));
        }
        for (int i = 0; i < 40; i++) {
            ops.add(new Op(count).poll(pipe[0].num(), EventCalls.POLLIN));
        }
        for (Op op : ops) {
            loop.submit(op); // 120 ops on a loop of capacity 64: some wait in its queue
        }
        List<Watch> watches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            watches.add(loop.watch(efd.num(), n -> { }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (loop.stats().inFlight() < 64 && System.nanoTime() < deadline) {
            Thread.sleep(1); // stats() runs as a task, which needs no slot of the full table
        }
        assertThat(loop.stats().inFlight()).isEqualTo(64);
        loop.close();
        assertThat(loop.isClosed()).isTrue();
        for (Op op : ops) {
            assertThat(finals.get(op)).as("final completions of %s", op).isNotNull();
            assertThat(finals.get(op).get()).as("final completions of %s", op).isEqualTo(1);
            assertThat(results.get(op)).isEqualTo(ECANCELED);
            assertThat(op.isIdle()).isTrue();
        }
        for (Watch w : watches) {
            assertThat(w.isActive()).isFalse();
        }
        Op late = new Op(count).nop();
        assertThatThrownBy(() -> loop.submit(late)).isInstanceOf(IllegalStateException.class);
        assertThat(late.isIdle()).isTrue();
        assertThat(loop.stats().inFlight()).isZero();
    }

    @Test
    void submissionsRacingWithCloseCompleteOnceOrAreRefused() throws Exception {
        int threads = 3;
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger twice = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(threads);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = Thread.ofPlatform().start(() -> {
                started.countDown();
                while (true) {
                    AtomicBoolean2 once = new AtomicBoolean2();
                    Op op = new Op((o, res) -> {
                        if (!once.set()) {
                            twice.incrementAndGet();
                        }
                        completed.incrementAndGet();
                    }).timeout(delay(accepted.get()));
                    try {
                        loop.submit(op);
                        accepted.incrementAndGet();
                    } catch (IllegalStateException e) {
                        refused.incrementAndGet();
                        return;
                    }
                }
            });
        }
        started.await();
        while (accepted.get() < 2000) {
            Thread.onSpinWait();
        }
        loop.close();
        for (Thread t : ts) {
            t.join();
        }
        assertThat(refused.get()).isEqualTo(threads);
        assertThat(completed.get()).isEqualTo(accepted.get());
        assertThat(twice.get()).isZero();
    }

    /** Mixes timers that fire during the race with ones that must be cancelled. */
    private static long delay(int i) {
        return i % 2 == 0 ? 0 : TimeUnit.HOURS.toNanos(1);
    }

    private static final class AtomicBoolean2 {
        private final java.util.concurrent.atomic.AtomicBoolean b = new java.util.concurrent.atomic.AtomicBoolean();

        boolean set() {
            return b.compareAndSet(false, true);
        }
    }

    @Test
    void aFloodThroughATinyRingLosesNothing() throws Exception {
        loop.close();
        loop = engine.open(engine.options().withRing(4, 4).withCapacity(4096));
        int n = 3000;
        AtomicInteger completions = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        Completion c = (op, res) -> {
            if (res == 0) {
                completions.incrementAndGet();
            }
            all.countDown();
        };
        loop.execute(() -> {
            for (int i = 0; i < n; i++) {
                loop.submit(new Op(c).nop()); // one handler, thousands of submissions: the SQ fills again and again
            }
        });
        assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(completions.get()).isEqualTo(n);
        LoopStats stats = loop.stats();
        assertThat(stats.completed()).isGreaterThanOrEqualTo(n);
        if (engine.uring() && !engine.options().sqPoll()) {
            // 4 SQ entries and 4 CQ entries for 3000 completions reaped only after the handler:
            // the SQ was flushed while full and the CQ overflowed into the kernel's list.
            assertThat(stats.engine().get("sq full flushes")).isGreaterThan(100L);
            assertThat(stats.engine().get("cq overflow flushes")).isPositive();
            assertThat(stats.engine().get("kernel dropped cqes")).isZero();
        }
    }

    @Test
    void aFailingHandlerDoesNotStopTheLoop() {
        Op bad = new Op((op, res) -> {
            throw new IllegalStateException("handler bug");
        }).nop();
        loop.submit(bad);
        roundTrip();
        assertThat(loop.stats().handlerFailures()).isEqualTo(1);
        assertThat(bad.isIdle()).isTrue();
    }

    @Test
    void closingFromAHandlerFinishesAfterIt() throws Exception {
        Fd[] pipe = fifo("selfclose");
        Recorder r = new Recorder();
        Op pending = new Op(r).read(pipe[0].num(), arena.allocate(8), -1);
        loop.submit(pending);
        CountDownLatch returned = new CountDownLatch(1);
        loop.execute(() -> {
            loop.close();
            returned.countDown();
        });
        assertThat(returned.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(r.take().result()).isEqualTo(ECANCELED);
        loop.close(); // waits for the loop thread
        assertThat(loop.isClosed()).isTrue();
    }

    @Test
    void freedBufferIsNeverHandedToTheKernel() throws InterruptedException {
        Recorder r = new Recorder();
        Fd f = keep(Fixtures.file(dir.resolve("freed")));
        Arena scratch = Arena.ofShared();
        MemorySegment buf = scratch.allocate(64);
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        loop.execute(() -> {
            holding.countDown();
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
        loop.submit(new Op(r).read(f.num(), buf, 0)); // queued behind the blocked handler
        scratch.close();
        hold.countDown();
        assertThat(r.take().result()).isEqualTo(-Errno.EFAULT.code());
    }

    @Test
    void memoryConfinedToAnotherThreadIsRefusedAtSubmit() {
        try (Arena confined = Arena.ofConfined()) {
            Op op = new Op(new Recorder()).read(0, confined.allocate(8), 0);
            assertThatThrownBy(() -> loop.submit(op)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot access");
            assertThat(op.isIdle()).isTrue();
        }
    }

    @Test
    void describesItsEngine() {
        assertThat(loop.engineDescription()).startsWith(engine.uring() ? "io_uring" : "epoll");
        assertThat(loop.toString()).contains(engine.options().engine().name());
    }

    @Test
    void countsFromADrainedEventfdAreKeptWhenTheLoopIsBusy() throws Exception {
        // A watch plus heavy unrelated traffic: kicks must not be lost or doubled.
        Fd efd = keep(EventCalls.eventfd(EventCalls.EFD_CLOEXEC));
        AtomicLong sum = new AtomicLong();
        Watch w = loop.watch(efd.num(), sum::addAndGet);
        int nops = 2000;
        CountDownLatch all = new CountDownLatch(nops);
        Thread noise = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < nops; i++) {
                loop.submit(new Op((op, res) -> all.countDown()).nop());
            }
        });
        for (int i = 0; i < 500; i++) {
            EventCalls.eventfdWrite(efd.num(), 2);
        }
        noise.join();
        assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sum.get() < 1000 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(sum.get()).isEqualTo(1000);
        w.close();
    }
}
