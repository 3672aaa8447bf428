package dev.vireo.bench.virtio;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.virtio.devices.block.BlockDevice;
import dev.vireo.virtio.devices.block.BlockOptions;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.testing.MockDriver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * virtio-blk 4 KiB reads per second through the test driver against a 16 MiB image in the page
 * cache (written and fsynced once per JVM, then read through once before measuring): a batch of {@value #BATCH} read requests (header, 4 KiB data, status; 3 descriptors each),
 * one kick, the device reads each with preadv straight into guest memory, the driver collects the
 * used entries. {@code baseline} is {@value #BATCH} plain pread(2) calls of 4 KiB of the same file
 * into one native buffer: the system call cost a device cannot avoid, so vireo/baseline is the
 * device's overhead (queue, request decoding, iovec building, status) on top of it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BlockReadBenchmark {

    static final int BATCH = 16;
    static final long IMAGE = 16L << 20;

    private static Path shared;

    @Param({"split", "packed"})
    public String layout;

    private Path image;
    private BlockDevice device;
    private MockDriver driver;
    private List<DriverQueue.Buffer>[] requests;
    private Fd fd;
    private MemorySegment buffer;
    private long[] sectors;
    private int next;

    /** The image, created once per JVM: rewriting it per trial would measure writeback, not reads. */
    private static synchronized Path image() throws IOException {
        if (shared == null) {
            shared = Files.createTempFile("vireo-bench", ".img");
            shared.toFile().deleteOnExit();
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) i;
            }
            try (var out = java.nio.channels.FileChannel.open(shared, java.nio.file.StandardOpenOption.WRITE)) {
                for (long done = 0; done < IMAGE; done += chunk.length) {
                    out.write(ByteBuffer.wrap(chunk));
                }
                out.force(true);
            }
        }
        return shared;
    }

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws IOException {
        image = image();
        device = new BlockDevice(BlockOptions.of(image).queueSize(256));
        driver = MockDriver.start(device, MockDriver.Options.defaults().packed(layout.equals("packed")).queueSize(256));
        // Pre-built requests: the sector in each header is rewritten per batch.
        requests = new List[BATCH];
        sectors = new long[BATCH];
        long headers = driver.buffers().alloc(16L * BATCH);
        long data = driver.buffers().alloc(4096L * BATCH, 4096);
        long status = driver.buffers().alloc(BATCH);
        for (int i = 0; i < BATCH; i++) {
            requests[i] = List.of(DriverQueue.Buffer.in(headers + 16L * i, 16), DriverQueue.Buffer.out(data + 4096L * i, 4096),
                    DriverQueue.Buffer.out(status + i, 1));
            sectors[i] = headers + 16L * i;
        }
        fd = Fd.adopt(FsCalls.open(image.toString(), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0), image.toString());
        buffer = Arena.ofAuto().allocate(4096, 4096);
        for (long off = 0; off < IMAGE; off += 4096) {
            FdCalls.pread(fd.num(), buffer, off); // bring the whole image into the page cache
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        driver.close();
        device.close();
        fd.close();
    }

    /** The next 4 KiB block, walking the image so the reads touch all of it. */
    private long nextOffset() {
        next = (next + 7919) % (int) (IMAGE / 4096);
        return next * 4096L;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int vireo() {
        DriverQueue q = driver.queue(0);
        var mem = driver.ram().memory();
        for (int i = 0; i < BATCH; i++) {
            MemorySegment h = mem.slice(sectors[i], 16);
            h.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, 0); // VIRTIO_BLK_T_IN
            h.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8, nextOffset() / 512);
            q.add(requests[i], false);
        }
        driver.kickIfNeeded(0);
        int n = 0;
        while (q.pollUsed() != null) {
            n++;
        }
        if (n != BATCH) {
            throw new IllegalStateException("only " + n + " of " + BATCH + " requests completed");
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long baseline() {
        long total = 0;
        for (int i = 0; i < BATCH; i++) {
            total += FdCalls.pread(fd.num(), buffer, nextOffset());
        }
        return total;
    }
}
