package dev.vireo.io;

import dev.vireo.io.uring.Probe;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.testing.Requires;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.fail;

/** Engines to run the shared suite on, and real kernel objects to run it against. */
final class Fixtures {

    /** The busy-poll period of the "+busypoll" engines: long enough that polls find work. */
    static final long BUSY_POLL_NANOS = 200_000;

    private Fixtures() {
    }

    /** One engine configuration of the shared suite. */
    record Engine(String name, LoopOptions options) {

        /** Opens a loop on this engine; a missing io_uring fails under CI and skips elsewhere. */
        EventLoop open() {
            return open(options);
        }

        EventLoop open(LoopOptions o) {
            if (o.engine() == EngineKind.IO_URING) {
                Probe p = Probe.get();
                Requires.that(p.available(), "needs io_uring: " + p.unavailabilityCause());
                if (o.sqPoll()) {
                    Requires.that(p.sqPoll(), "needs IORING_SETUP_SQPOLL");
                }
            }
            return EventLoop.open(o);
        }

        boolean uring() {
            return options.engine() == EngineKind.IO_URING;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The engines of the shared suite; {@code -Dvireo.test.engines=epoll,io_uring} narrows the
     * run while debugging one of them.
     */
    static Stream<Engine> engines() {
        LoopOptions base = LoopOptions.defaults().withName("test").withCapacity(8192).withPoolThreads(4);
        String only = System.getProperty("vireo.test.engines", "");
        return Stream.of(
                        new Engine("io_uring", base.withEngine(EngineKind.IO_URING)),
                        new Engine("io_uring+sqpoll", base.withEngine(EngineKind.IO_URING).withSqPoll(true)),
                        new Engine("epoll", base.withEngine(EngineKind.EPOLL)),
                        // Busy polling changes how the loop waits: every behaviour again with it.
                        new Engine("io_uring+busypoll", base.withEngine(EngineKind.IO_URING).withBusyPoll(BUSY_POLL_NANOS)),
                        new Engine("epoll+busypoll", base.withEngine(EngineKind.EPOLL).withBusyPoll(BUSY_POLL_NANOS)))
                .filter(e -> only.isBlank() || java.util.Arrays.asList(only.split(",")).contains(e.name()));
    }

    /** A completion as a handler saw it. */
    record Done(Op op, int result, boolean more, Thread thread) {
    }

    /** A handler that records every completion for the test thread to take. */
    static class Recorder implements Completion {
        final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();

        @Override
        public void complete(Op op, int result) {
            done.add(new Done(op, result, op.hasMore(), Thread.currentThread()));
        }

        Done take() {
            try {
                Done d = done.poll(20, TimeUnit.SECONDS);
                if (d == null) {
                    fail("no completion within 20 s");
                }
                return d;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        /** The completion already delivered, or null: no waiting. */
        Done poll() {
            return done.poll();
        }
    }

    /**
     * A named pipe in {@code dir}: [read end, write end], both in blocking mode (the engines must
     * never block on them), close-on-exec.
     */
    static Fd[] fifo(Path dir, String name) {
        String path = dir.resolve(name).toString();
        FsCalls.mknodat(FsCalls.AT_FDCWD, path, FsCalls.S_IFIFO | 0600, 0);
        Fd r = Fd.adopt(FsCalls.open(path, FsCalls.O_RDONLY | FsCalls.O_NONBLOCK | FsCalls.O_CLOEXEC, 0), path + " (read)");
        Fd w = Fd.adopt(FsCalls.open(path, FsCalls.O_WRONLY | FsCalls.O_CLOEXEC, 0), path + " (write)");
        FdCalls.fcntl(r.num(), FdCalls.F_SETFL, FdCalls.fcntl(r.num(), FdCalls.F_GETFL, 0) & ~FsCalls.O_NONBLOCK);
        return new Fd[] {r, w};
    }

    /** Opens (creating) a regular file read-write. */
    static Fd file(Path path) {
        return Fd.adopt(FsCalls.open(path.toString(), FsCalls.O_RDWR | FsCalls.O_CREAT | FsCalls.O_CLOEXEC, 0600), path.toString());
    }

    /** The byte the pattern files hold at {@code offset}. */
    static byte pattern(long offset) {
        long x = offset * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ offset);
    }

    /** Fills {@code seg} with the pattern of file offsets starting at {@code base}. */
    static MemorySegment fillPattern(MemorySegment seg, long base) {
        for (long i = 0; i < seg.byteSize(); i++) {
            seg.set(JAVA_BYTE, i, pattern(base + i));
        }
        return seg;
    }

    /** The first offset where {@code seg} differs from the pattern at {@code base}, or -1. */
    static long patternMismatch(MemorySegment seg, long base, long length) {
        for (long i = 0; i < length; i++) {
            if (seg.get(JAVA_BYTE, i) != pattern(base + i)) {
                return i;
            }
        }
        return -1;
    }

    /** Writes a pattern file of {@code size} bytes with plain pwrite. */
    static void writePatternFile(Fd fd, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment chunk = a.allocate(1 << 20);
            for (long off = 0; off < size; off += chunk.byteSize()) {
                long n = Math.min(chunk.byteSize(), size - off);
                fillPattern(chunk, off);
                FdCalls.pwrite(fd.num(), chunk.asSlice(0, n), off);
            }
        }
    }
}
