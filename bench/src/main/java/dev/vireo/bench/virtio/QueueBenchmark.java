package dev.vireo.bench.virtio;

import dev.vireo.mem.GuestRam;
import dev.vireo.mem.TestMemory;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.queue.DescriptorChain;
import dev.vireo.virtio.queue.QueueFailureListener;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.Virtqueues;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.virtio.driver.PackedDriverQueue;
import dev.vireo.virtio.driver.SplitDriverQueue;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Chains per second through one queue: the test driver posts a batch of {@value #BATCH} chains
 * (1 or 3 descriptors each), the device pops each, marks it used and makes one notification
 * decision per batch, the driver collects the used entries. {@code vireo} runs vireo's
 * {@link Virtqueue}; {@code baseline} the same driver against {@link NullDevice}, which moves
 * buffers without any checks, so vireo/baseline is the price of validation, scatter-gather lists
 * and event suppression on top of the ring traffic both share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class QueueBenchmark {

    static final int BATCH = 32;

    @Param({"split", "packed"})
    public String layout;

    @Param({"1", "3"})
    public int descriptors;

    @Param({"false", "true"})
    public boolean eventIdx;

    private GuestRam ram;
    private DriverQueue driver;
    private Virtqueue queue;
    private NullDevice nullDevice;
    private final DescriptorChain chain = new DescriptorChain();
    private List<DriverQueue.Buffer> elements;

    @Setup(Level.Trial)
    public void setUp() {
        ram = TestMemory.create();
        GuestAllocator rings = new GuestAllocator(ram.memory(), 0x1000, TestMemory.HOLE);
        GuestAllocator data = new GuestAllocator(ram.memory(), TestMemory.HIGH, TestMemory.HIGH + TestMemory.HIGH_SIZE);
        boolean packed = layout.equals("packed");
        int size = 256;
        driver = packed ? new PackedDriverQueue(rings, size, eventIdx) : new SplitDriverQueue(rings, size, eventIdx);
        long features = Features.bit(Virtio.VIRTIO_F_VERSION_1)
                | (packed ? Features.bit(Virtio.VIRTIO_F_RING_PACKED) : 0)
                | (eventIdx ? Features.bit(Virtio.VIRTIO_RING_F_EVENT_IDX) : 0);
        queue = Virtqueues.create(0, driver.config(), ram.memory(), features, QueueFailureListener.NONE);
        nullDevice = new NullDevice(ram.memory(), driver.config(), packed);
        List<DriverQueue.Buffer> e = new ArrayList<>();
        if (descriptors == 1) {
            e.add(DriverQueue.Buffer.out(data.alloc(4096), 4096));
        } else {
            e.add(DriverQueue.Buffer.in(data.alloc(16), 16));
            e.add(DriverQueue.Buffer.out(data.alloc(4096), 4096));
            e.add(DriverQueue.Buffer.out(data.alloc(1), 1));
        }
        elements = List.copyOf(e);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    private void post() {
        for (int i = 0; i < BATCH; i++) {
            driver.add(elements, false);
        }
        driver.kickNeeded();
    }

    private int reap() {
        int n = 0;
        while (driver.pollUsed() != null) {
            n++;
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int vireo() {
        post();
        do {
            queue.disableNotifications();
            while (queue.pop(chain)) {
                queue.addUsed(chain, chain.writableBytes());
            }
        } while (queue.enableNotifications());
        queue.needsNotification();
        return reap();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int baseline() {
        post();
        nullDevice.drain();
        return reap();
    }
}
