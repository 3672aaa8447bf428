package dev.vireo.bench.io;

import com.sun.nio.file.ExtendedOpenOption;
import dev.vireo.io.Completion;
import dev.vireo.io.EventLoop;
import dev.vireo.io.LoopOptions;
import dev.vireo.io.Op;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * 4 KiB random reads from a 1 GiB file, page cache warm or O_DIRECT, at queue depth 1 and 32:
 * the io_uring engine and the portable engine ({@code depth} reads in flight, each completion
 * submitting the next, on one loop per core as vireo spreads its devices, with the file and the
 * buffers registered: READ_FIXED on a fixed file) against blocking
 * pread(2) from {@code depth} platform threads and {@code FileChannel.read} into a direct
 * ByteBuffer from {@code depth} threads. Every read is checked: 4096 bytes, starting with its
 * block's offset.
 *
 * <p>The four methods are measured <em>interleaved</em>: each invocation runs {@value #READS}
 * reads with each method in turn (starting with a different one each time) and records each
 * method's time in its own counters. On a machine whose disk and CPUs other jobs share, their
 * load then falls on all four alike, instead of on whichever method JMH happened to run while
 * it lasted (one-method-at-a-time runs here saw pread and FileChannel, the same system call,
 * differ by 1.6x on O_DIRECT).
 *
 * <p>"Warm" maps the whole file for the trial ({@link BenchFile#pin}): on a shared machine other
 * jobs drop the page cache (seen here within seconds), which skips mapped pages.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RandomReadBench {

    static final int READS = 4096;
    private static final int BLOCK = BenchFile.BLOCK;
    /** The methods, in the order of {@link Split}'s counters. */
    static final List<String> METHODS = List.of("io_uring", "epoll", "pread", "filechannel");

    @Param({"warm", "direct"})
    public String cache;

    @Param({"1", "32"})
    public int depth;

    private Reader[] readers;
    private int rotation;
    private Path file;
    private dev.vireo.sys.Mapping pinned;

    /** Performs {@code n} reads at the given depth and returns when all are done. */
    interface Reader extends AutoCloseable {
        void read(int n) throws Exception;

        long errors();

        @Override
        void close();
    }

    /**
     * Each method's reads and the nanoseconds they took, summed over the iteration; IOPS of a
     * method = reads / nanoseconds (IoBench prints them).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Split {
        public long ioUringReads;
        public long ioUringNanos;
        public long epollReads;
        public long epollNanos;
        public long preadReads;
        public long preadNanos;
        public long filechannelReads;
        public long filechannelNanos;

        @Setup(Level.Iteration)
        public void clear() {
            ioUringReads = ioUringNanos = epollReads = epollNanos = 0;
            preadReads = preadNanos = filechannelReads = filechannelNanos = 0;
        }

        void add(int method, long reads, long nanos) {
            switch (method) {
                case 0 -> { ioUringReads += reads; ioUringNanos += nanos; }
                case 1 -> { epollReads += reads; epollNanos += nanos; }
                case 2 -> { preadReads += reads; preadNanos += nanos; }
                default -> { filechannelReads += reads; filechannelNanos += nanos; }
            }
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        file = BenchFile.ensure();
        boolean direct = cache.equals("direct");
        if (!direct) {
            pinned = BenchFile.pin(file);
        }
        long[] offsets = BenchFile.offsets(1 << 16);
        readers = new Reader[METHODS.size()];
        for (int m = 0; m < readers.length; m++) {
            readers[m] = switch (METHODS.get(m)) {
                case "io_uring", "epoll" -> new LoopReader(file, direct, depth, offsets, EventfdPingPongBench.engine(METHODS.get(m)));
                case "pread" -> new ThreadReader(file, direct, depth, offsets, false);
                default -> new ThreadReader(file, direct, depth, offsets, true);
            };
        }
    }

    @Benchmark
    @OperationsPerInvocation(READS * 4)
    public void reads(Split split) throws Exception {
        int n = readers.length;
        for (int k = 0; k < n; k++) {
            int m = (rotation + k) % n;
            long t0 = System.nanoTime();
            readers[m].read(READS);
            split.add(m, READS, System.nanoTime() - t0);
        }
        rotation++;
    }

    @TearDown(Level.Trial)
    public void close() {
        long errors = 0;
        for (Reader r : readers) {
            errors += r.errors();
            r.close();
        }
        if (pinned != null) {
            pinned.close();
        }
        if (errors != 0) {
            throw new IllegalStateException(errors + " reads returned the wrong bytes or failed");
        }
    }

    private static int openFlags(boolean direct) {
        return FsCalls.O_RDONLY | FsCalls.O_CLOEXEC | (direct ? FsCalls.O_DIRECT : 0);
    }

    /**
     * vireo event loops, one per core (at most {@code depth}), sharing the {@code depth} reads in
     * flight; each completion submits the next read of its loop.
     */
    static final class LoopReader implements Reader {
        private final Fd fd;
        private final Arena arena = Arena.ofShared();
        private final Lane[] lanes;
        private final Semaphore done = new Semaphore(0);

        LoopReader(Path file, boolean direct, int depth, long[] offsets, dev.vireo.io.EngineKind engine) {
            this.fd = Fd.adopt(FsCalls.open(file.toString(), openFlags(direct), 0), file.toString());
            int loops = Math.max(1, Math.min(depth, Runtime.getRuntime().availableProcessors()));
            this.lanes = new Lane[loops];
            for (int l = 0; l < loops; l++) {
                int share = depth / loops + (l < depth % loops ? 1 : 0);
                lanes[l] = new Lane(l, loops, share, offsets, engine);
            }
        }

        @Override
        public void read(int n) throws InterruptedException {
            for (int l = 0; l < lanes.length; l++) {
                lanes[l].start(n / lanes.length + (l < n % lanes.length ? 1 : 0));
            }
            if (!done.tryAcquire(lanes.length, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("reads stalled");
            }
        }

        @Override
        public long errors() {
            long e = 0;
            for (Lane lane : lanes) {
                e += lane.errors; // written before the lane's last release: happens-before via the semaphore
            }
            return e;
        }

        @Override
        public void close() {
            for (Lane lane : lanes) {
                lane.loop.close();
            }
            fd.close();
            arena.close();
        }

        /** One loop and its ops. */
        private final class Lane implements Completion {
            final EventLoop loop;
            private final MemorySegment buffers;
            private final Op[] ops;
            private final long[] offsets;
            private final int stride;
            private int cursor;
            private int toIssue;
            private int toComplete;
            long errors;

            Lane(int index, int lanes, int depth, long[] offsets, dev.vireo.io.EngineKind engine) {
                this.offsets = offsets;
                this.cursor = index;
                this.stride = lanes;
                this.buffers = arena.allocate((long) BLOCK * depth, BLOCK); // O_DIRECT wants aligned memory
                this.ops = new Op[depth];
                for (int i = 0; i < depth; i++) {
                    ops[i] = new Op(this);
                }
                this.loop = EventLoop.open(LoopOptions.defaults().withName("reads").withEngine(engine)
                        .withCapacity(Math.max(64, 2 * depth)).withPoolThreads(depth));
                // The engine at its best: a registered file (no file lookup per read) and
                // registered buffers (pages pinned once), as a device does with guest memory.
                loop.registerFiles(fd.num());
                loop.registerBuffers(buffers);
            }

            void start(int n) {
                loop.execute(() -> {
                    toIssue = n;
                    toComplete = n;
                    for (int i = 0; i < ops.length && toIssue > 0; i++) {
                        issue(ops[i], i);
                    }
                    if (n == 0) {
                        done.release();
                    }
                });
            }

            private void issue(Op op, int i) {
                toIssue--;
                long off = offsets[cursor & (offsets.length - 1)];
                cursor += stride;
                loop.submit(op.readFixed(0, 0, (long) i * BLOCK, BLOCK, off).fixedFile());
            }

            @Override
            public void complete(Op op, int result) {
                int i = (int) (op.memoryOffset() / BLOCK);
                if (result != BLOCK || buffers.get(JAVA_LONG, (long) i * BLOCK) != op.offset()) {
                    errors++;
                }
                if (toIssue > 0) {
                    issue(op, i);
                }
                if (--toComplete == 0) {
                    done.release();
                }
            }
        }
    }

    /** {@code depth} platform threads, each reading its share with a blocking call. */
    static final class ThreadReader implements Reader {
        private final int depth;
        private final long[] offsets;
        private final boolean channel;
        private final Fd fd;
        private final FileChannel ch;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment[] segs;
        private final ByteBuffer[] bufs;
        private final int[] cursors;
        private final ExecutorService pool;
        private final AtomicLong errors = new AtomicLong();

        ThreadReader(Path file, boolean direct, int depth, long[] offsets, boolean channel) {
            this.depth = depth;
            this.offsets = offsets;
            this.channel = channel;
            this.cursors = new int[depth];
            this.segs = new MemorySegment[depth];
            this.bufs = new ByteBuffer[depth];
            for (int i = 0; i < depth; i++) {
                segs[i] = arena.allocate(BLOCK, BLOCK);
                bufs[i] = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).limit(BLOCK).slice().order(ByteOrder.nativeOrder());
                cursors[i] = i;
            }
            try {
                this.fd = channel ? null : Fd.adopt(FsCalls.open(file.toString(), openFlags(direct), 0), file.toString());
                List<OpenOption> opts = new ArrayList<>(List.of(StandardOpenOption.READ));
                if (direct) {
                    opts.add(ExtendedOpenOption.DIRECT);
                }
                this.ch = channel ? FileChannel.open(file, opts.toArray(OpenOption[]::new)) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.pool = depth > 1 ? Executors.newFixedThreadPool(depth, r -> Thread.ofPlatform().daemon(true).unstarted(r)) : null;
        }

        @Override
        public void read(int n) throws Exception {
            if (depth == 1) {
                readShare(0, n);
                return;
            }
            List<Callable<Void>> shares = new ArrayList<>(depth);
            for (int t = 0; t < depth; t++) {
                int id = t;
                int share = n / depth + (t < n % depth ? 1 : 0);
                shares.add(() -> {
                    readShare(id, share);
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(shares)) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw (Exception) e.getCause();
                }
            }
        }

        private void readShare(int t, int count) throws IOException {
            for (int k = 0; k < count; k++) {
                long off = offsets[cursors[t] & (offsets.length - 1)];
                cursors[t] += depth;
                if (channel) {
                    ByteBuffer b = bufs[t];
                    b.clear();
                    int got = 0;
                    while (b.hasRemaining()) {
                        int r = ch.read(b, off + got);
                        if (r <= 0) {
                            break;
                        }
                        got += r;
                    }
                    if (got != BLOCK || b.getLong(0) != off) {
                        errors.incrementAndGet();
                    }
                } else {
                    long got = FdCalls.pread(fd.num(), segs[t], off);
                    if (got != BLOCK || segs[t].get(JAVA_LONG, 0) != off) {
                        errors.incrementAndGet();
                    }
                }
            }
        }

        @Override
        public long errors() {
            return errors.get();
        }

        @Override
        public void close() {
            if (pool != null) {
                pool.shutdownNow();
            }
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                if (fd != null) {
                    fd.close();
                }
                arena.close();
            }
        }
    }
}
