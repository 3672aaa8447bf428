package dev.vireo.cli;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.abi.Stat;
import dev.vireo.vhost.fsclient.DataPattern;
import dev.vireo.vhost.fsclient.FsLoad;
import dev.vireo.vhost.fsclient.FsLoad.Options;
import dev.vireo.vhost.fsclient.FsLoad.Result;
import dev.vireo.vhost.fsclient.FsLoad.Workload;
import dev.vireo.vhost.fsclient.LatencyHistogram;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling for {@code vireo fsload}: the same operations as system calls on the host
 * directory, by {@code depth} platform threads, so there is no FUSE, no virtqueue and no daemon.
 * lookup = fstatat; read4k/read1m = pread; write1m = pwrite (fsync at the end); create =
 * openat(O_CREAT|O_EXCL) + close + unlinkat. The files are those {@link FsLoad} prepares (same
 * names), so both see the same page cache.
 */
final class NativeLoad {

    private final Fd dir;
    private final int io;

    NativeLoad(String directory, int ioSize) {
        this.dir = Fd.adopt(FsCalls.open(directory, FsCalls.O_RDONLY | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0), directory);
        this.io = ioSize;
    }

    /** Creates the files a workload needs (same content as {@link FsLoad#prepare}). */
    void prepare(Workload workload, long fileBytes) {
        switch (workload) {
            case LOOKUP -> {
                for (int i = 0; i < FsLoad.LOOKUP_FILES; i++) {
                    FdCalls.close(FsCalls.openat(dir.num(), String.format("fsload-lookup-%03d", i),
                            FsCalls.O_WRONLY | FsCalls.O_CREAT | FsCalls.O_CLOEXEC, 0644));
                }
            }
            case READ4K, READ1M -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment st = a.allocate(Stat.LAYOUT);
                    boolean ok;
                    try {
                        FsCalls.fstatat(dir.num(), FsLoad.DATA_FILE, st, 0);
                        ok = Stat.size(st) == fileBytes;
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                    if (!ok) {
                        fill(FsLoad.DATA_FILE, fileBytes);
                    }
                }
            }
            case WRITE1M -> fill(FsLoad.WRITE_FILE, 0);
            case CREATE -> {
            }
        }
    }

    private void fill(String name, long size) {
        int fd = FsCalls.openat(dir.num(), name, FsCalls.O_RDWR | FsCalls.O_CREAT | FsCalls.O_TRUNC | FsCalls.O_CLOEXEC, 0644);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(io, 4096);
            DataPattern.prime(buf);
            for (long at = 0; at < size; at += io) {
                int n = (int) Math.min(io, size - at);
                DataPattern.stamp(buf, at, n);
                FdCalls.pwrite(fd, buf.asSlice(0, n), at);
            }
            FdCalls.fsync(fd);
        } finally {
            FdCalls.close(fd);
        }
    }

    /** One measured run at {@code o.depth()} threads. */
    Result run(Options o) throws InterruptedException {
        String file = o.workload() == Workload.WRITE1M ? FsLoad.WRITE_FILE : FsLoad.DATA_FILE;
        int fd = switch (o.workload()) {
            case READ4K, READ1M -> FsCalls.openat(dir.num(), file, FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0);
            case WRITE1M -> FsCalls.openat(dir.num(), file, FsCalls.O_WRONLY | FsCalls.O_CLOEXEC, 0);
            default -> -1;
        };
        AtomicLong started = new AtomicLong();
        AtomicLong cursor = new AtomicLong();
        long t0 = System.nanoTime();
        long deadline = o.durationNanos() > 0 ? t0 + o.durationNanos() : Long.MAX_VALUE;
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < o.depth(); t++) {
            workers.add(new Worker(t, o, fd, started, cursor, deadline));
        }
        List<Thread> threads = new ArrayList<>();
        for (Worker w : workers) {
            threads.add(Thread.ofPlatform().name("fsload-native-" + w.index).start(w));
        }
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - t0;
        if (fd >= 0) {
            if (o.workload() == Workload.WRITE1M) {
                FdCalls.fsync(fd);
            }
            FdCalls.close(fd);
        }
        LatencyHistogram all = new LatencyHistogram();
        long ops = 0;
        long bytes = 0;
        for (Worker w : workers) {
            if (w.failure != null) {
                throw w.failure;
            }
            all.add(w.latency);
            ops += w.ops;
            bytes += w.bytes;
        }
        return new Result(o.workload(), o.depth(), ops, ops, bytes, elapsed, all.percentile(0.5), all.percentile(0.99), 0, 0);
    }

    private final class Worker implements Runnable {
        final int index;
        final Options o;
        final int fd;
        final AtomicLong started;
        final AtomicLong cursor;
        final long deadline;
        final LatencyHistogram latency = new LatencyHistogram();
        long ops;
        long bytes;
        RuntimeException failure;

        Worker(int index, Options o, int fd, AtomicLong started, AtomicLong cursor, long deadline) {
            this.index = index;
            this.o = o;
            this.fd = fd;
            this.started = started;
            this.cursor = cursor;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(io, 4096);
                DataPattern.prime(buf);
                MemorySegment st = a.allocate(Stat.LAYOUT);
                MemorySegment[] names = new MemorySegment[FsLoad.LOOKUP_FILES];
                for (int i = 0; i < names.length; i++) {
                    names[i] = a.allocateFrom(String.format("fsload-lookup-%03d", i));
                }
                MemorySegment createName = a.allocateFrom(String.format("fsload-native-%d-%03d", ProcessHandle.current().pid(), index));
                SplittableRandom random = new SplittableRandom(index);
                long blocks = o.fileBytes() / DataPattern.BLOCK;
                int k = index;
                while ((o.maxOps() <= 0 || started.getAndIncrement() < o.maxOps())
                        && (deadline == Long.MAX_VALUE || System.nanoTime() < deadline)) {
                    long t = System.nanoTime();
                    switch (o.workload()) {
                        case LOOKUP -> {
                            FsCalls.fstatat(dir.num(), names[k], st, 0);
                            k = (k + 1) % names.length;
                        }
                        case READ4K -> bytes += FdCalls.pread(fd, buf.asSlice(0, DataPattern.BLOCK), random.nextLong(blocks) * DataPattern.BLOCK);
                        case READ1M -> bytes += FdCalls.pread(fd, buf, next());
                        case WRITE1M -> {
                            long off = next();
                            DataPattern.stamp(buf, off, io);
                            bytes += FdCalls.pwrite(fd, buf, off);
                        }
                        case CREATE -> {
                            FdCalls.close(FsCalls.openat(dir.num(), createName,
                                    FsCalls.O_WRONLY | FsCalls.O_CREAT | FsCalls.O_EXCL | FsCalls.O_CLOEXEC, 0644));
                            FsCalls.unlinkat(dir.num(), createName, 0);
                        }
                    }
                    latency.record(System.nanoTime() - t);
                    ops++;
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        private long next() {
            long span = o.fileBytes() / io;
            return (cursor.getAndIncrement() % span) * io;
        }
    }

    void close() {
        dir.close();
    }
}
