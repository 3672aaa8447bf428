package dev.vireo.virtio.devices.fs;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Log;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.sys.abi.virtio.VirtioFsConfig;
import dev.vireo.virtio.device.Activation;
import dev.vireo.virtio.device.ConfigSpace;
import dev.vireo.virtio.device.DeviceState;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.virtio.queue.Virtqueue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The file system device (virtio 1.2 §5.11): a tag the guest mounts by ({@code mount -t virtiofs
 * TAG /mnt}), a high-priority queue (0) for FORGET/BATCH_FORGET/INTERRUPT and {@code
 * requestQueues} request queues (1..N), each carrying one FUSE request per chain. The FUSE work is
 * done by a {@link FuseRequestHandler}; this class owns the virtio side: configuration, queue
 * layout, request framing and its checks, completion (possibly asynchronous) and interrupts.
 *
 * <p>Each queue is processed by the thread that delivers its kicks; §5.11.6.2.1 requires that the
 * hiprio queue is never held up by request queues, so a transport gives hiprio its own kick
 * delivery or the handler completes slow requests asynchronously.
 *
 * <p>Refusals: a request whose fuse_in_header is short, whose {@code len} disagrees with the
 * readable buffers, or which lies partly outside guest memory is answered EINVAL (EIO when only the
 * reply buffers are outside guest memory) if a fuse_out_header fits, and given back without a
 * reply otherwise. VIRTIO_FS_F_NOTIFICATION and the DAX window are not offered.
 */
public final class FsDevice implements VirtioDevice {

    private static final Log LOG = Log.of("virtio");

    static final int EINVAL = Errno.EINVAL.code();
    static final int EIO = Errno.EIO.code();

    /** How long a reset waits for requests still in the handler. */
    static final long RESET_WAIT_MS = 5_000;

    /**
     * The device's setup: the tag (1 to 36 bytes of UTF-8), the number of request queues (at least
     * 1, §5.11.4.2), the queue size offered, and how long a request queue's kick thread keeps
     * watching the ring after it has emptied it before it sleeps, and a worker after it has answered
     * the queue's only request (0: not at all; at most {@link #MAX_POLL_NANOS}). Polling spends that much CPU after a burst to spare the driver a kick and
     * the device a wake-up when the next request follows soon: QEMU's iothreads do the same
     * ({@code poll-max-ns}), and so does vhost-net ({@code busyloop_timeout}).
     */
    public record Options(String tag, int requestQueues, int queueSize, long pollNanos) {

        /** The longest poll period accepted: 1 ms. */
        public static final long MAX_POLL_NANOS = 1_000_000;

        public Options(String tag, int requestQueues, int queueSize) {
            this(tag, requestQueues, queueSize, 0);
        }

        public Options {
            int n = tag.getBytes(StandardCharsets.UTF_8).length;
            if (n == 0 || n > VirtioFsConfig.TAG_SIZE || tag.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("virtio-fs tag must be 1 to 36 bytes of UTF-8 without NUL: " + tag);
            }
            if (requestQueues < 1 || requestQueues > 1024) {
                throw new IllegalArgumentException("request queues must be in [1, 1024]: " + requestQueues);
            }
            if (queueSize < 2 || queueSize > 32768) {
                throw new IllegalArgumentException("queue size out of range: " + queueSize);
            }
            if (pollNanos < 0 || pollNanos > MAX_POLL_NANOS) {
                throw new IllegalArgumentException("poll period must be in [0, " + MAX_POLL_NANOS + "] ns: " + pollNanos);
            }
        }

        public static Options of(String tag) {
            return new Options(tag, 1, 1024);
        }
    }

    private final Options options;
    private final FuseRequestHandler handler;
    private final ConfigSpace config = new ConfigSpace(VirtioFsConfig.LAYOUT);
    private volatile DeviceState<FsQueue[]> state = new DeviceState.Inactive<>();

    public FsDevice(Options options, FuseRequestHandler handler) {
        this.options = options;
        this.handler = handler;
        byte[] tag = options.tag().getBytes(StandardCharsets.UTF_8);
        config.update(c -> {
            // §5.11.4: NUL-padded, not terminated when it fills the field.
            MemorySegment.copy(tag, 0, c, JAVA_BYTE, VirtioFsConfig.TAG, tag.length);
            VirtioFsConfig.numRequestQueues(c, options.requestQueues());
        });
    }

    public Options options() {
        return options;
    }

    @Override
    public int deviceType() {
        return Virtio.VIRTIO_ID_FS;
    }

    @Override
    public long offeredFeatures() {
        return Features.RING;
    }

    @Override
    public int queueCount() {
        return 1 + options.requestQueues();
    }

    @Override
    public int maxQueueSize(int queue) {
        return options.queueSize();
    }

    @Override
    public int configSize() {
        return config.size();
    }

    @Override
    public void readConfig(long offset, MemorySegment dst) {
        config.read(offset, dst);
    }

    @Override
    public void writeConfig(long offset, MemorySegment src) {
        // §5.11.4.1: the driver MUST NOT write configuration fields.
        LOG.debug("virtio-fs: driver wrote configuration at %d: ignored", offset);
    }

    @Override
    public void activate(Activation activation) {
        if (state instanceof DeviceState.Active<FsQueue[]>) {
            throw new IllegalStateException("virtio-fs device already active");
        }
        FsQueue[] queues = new FsQueue[queueCount()];
        int smallest = Integer.MAX_VALUE;
        for (int i = 0; i < queues.length; i++) {
            Virtqueue q = activation.queue(i);
            if (q != null) {
                queues[i] = new FsQueue(q, activation.interrupt(), handler, i == 0 ? 0 : options.pollNanos()); // hiprio: FORGETs only
                if (i > 0) {
                    smallest = Math.min(smallest, q.size());
                }
            }
        }
        // §5.11.4.1: the driver may use 1 up to num_request_queues request queues.
        if (queues[0] == null || smallest == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("virtio-fs needs the hiprio queue and at least one request queue");
        }
        for (FsQueue q : queues) {
            if (q != null) {
                q.joinDevice(queues);
            }
        }
        handler.activated(smallest);
        state = new DeviceState.Active<>(activation, queues);
    }

    @Override
    public void queueNotify(int queue) {
        if (state instanceof DeviceState.Active<FsQueue[]>(var a, var queues)
                && queue >= 0 && queue < queues.length && queues[queue] != null) {
            queues[queue].process();
        } else {
            LOG.debug("virtio-fs: spurious notification for queue %d", queue);
        }
    }

    @Override
    public void reset() {
        DeviceState<FsQueue[]> s = state;
        state = new DeviceState.Inactive<>();
        if (s instanceof DeviceState.Active<FsQueue[]>(var a, var queues)) {
            for (FsQueue q : queues) {
                if (q != null) {
                    int left = q.stop(RESET_WAIT_MS);
                    if (left > 0) {
                        LOG.warn("virtio-fs reset: %d requests on queue %d still in the handler", left, q.index());
                    }
                }
            }
            handler.reset();
        }
    }
}
