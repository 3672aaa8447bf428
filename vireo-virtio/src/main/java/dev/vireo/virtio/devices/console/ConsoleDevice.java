package dev.vireo.virtio.devices.console;

import dev.vireo.sys.Log;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.sys.abi.virtio.VirtioConsoleConfig;
import dev.vireo.virtio.device.Activation;
import dev.vireo.virtio.device.ConfigSpace;
import dev.vireo.virtio.device.DeviceState;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.device.VirtioDevice;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_F_MULTIPORT;
import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_F_SIZE;

/**
 * The console device (virtio 1.2 §5.3): port 0 always, more ports and port names with
 * VIRTIO_CONSOLE_F_MULTIPORT (control queues), the console size with VIRTIO_CONSOLE_F_SIZE. Each
 * port is attached to a {@link ConsoleBackend}: standard input/output, a file, a pseudo-terminal
 * or a Unix socket; each active port runs one platform thread ({@link PortPump}).
 *
 * <p>Queues (§5.3.2): 0/1 are port 0's receiveq/transmitq, 2/3 the control receiveq/transmitq,
 * then a receiveq/transmitq pair per further port.
 */
public final class ConsoleDevice implements VirtioDevice, AutoCloseable {

    private static final Log LOG = Log.of("virtio");

    /**
     * One port: its name for the guest (null: none; sent with PORT_NAME, so guests find it as
     * /dev/virtio-ports/NAME), where it is attached, and whether the guest should use it as a
     * console (hvc).
     */
    public record Port(String name, ConsoleBackend backend, boolean console) {
    }

    /**
     * The device's setup: ports (port 0 first), whether to offer MULTIPORT (required for more than
     * one port or for names), the initial console size (0 x 0: F_SIZE not offered) and the queue
     * size offered.
     */
    public record Options(List<Port> ports, boolean multiport, int cols, int rows, int queueSize) {

        public Options {
            ports = List.copyOf(ports);
            if (ports.isEmpty()) {
                throw new IllegalArgumentException("a console needs at least port 0");
            }
            if (!multiport && (ports.size() > 1 || ports.get(0).name() != null)) {
                throw new IllegalArgumentException("more than one port, or a named port, needs MULTIPORT");
            }
            if (cols < 0 || cols > 0xffff || rows < 0 || rows > 0xffff) {
                throw new IllegalArgumentException("console size out of range: " + cols + "x" + rows);
            }
            if (queueSize < 2 || queueSize > 32768) {
                throw new IllegalArgumentException("queue size out of range: " + queueSize);
            }
        }

        /** One console port on {@code backend}, no MULTIPORT, no size. */
        public static Options single(ConsoleBackend backend) {
            return new Options(List.of(new Port(null, backend, true)), false, 0, 0, 128);
        }
    }

    private static final Map<Integer, String> NAMES = Map.of(
            VIRTIO_CONSOLE_F_SIZE, "CONSOLE_F_SIZE", VIRTIO_CONSOLE_F_MULTIPORT, "CONSOLE_F_MULTIPORT");

    private final Options options;
    private final List<PortChannel> channels = new ArrayList<>();
    private final ConfigSpace config = new ConfigSpace(VirtioConsoleConfig.LAYOUT);
    private volatile DeviceState<Running> state = new DeviceState.Inactive<>();

    /** What runs while active: a pump per port the driver set up, and the control channel (MULTIPORT only). */
    private record Running(PortPump[] pumps, ControlChannel control) {
    }

    /** Opens every port's backend (a pty or socket exists from now on). */
    public ConsoleDevice(Options options) {
        this.options = options;
        try {
            for (Port p : options.ports()) {
                PortChannel c = p.backend().open();
                channels.add(c);
                LOG.debug("console port %d%s on %s", channels.size() - 1, p.name() != null ? " (" + p.name() + ")" : "", c.describe());
            }
        } catch (RuntimeException e) {
            channels.forEach(PortChannel::close);
            throw e;
        }
        config.update(c -> {
            VirtioConsoleConfig.cols(c, options.cols());
            VirtioConsoleConfig.rows(c, options.rows());
            VirtioConsoleConfig.maxNrPorts(c, options.ports().size());
        });
    }

    int portCount() {
        return options.ports().size();
    }

    Port port(int id) {
        return options.ports().get(id);
    }

    /** What port {@code id} is attached to: a path, a pty slave such as /dev/pts/3, "stdio". */
    public String attachment(int id) {
        return channels.get(id).describe();
    }

    /** Whether port {@code id}'s host side is attached (a pty slave open, a socket client connected), as its thread last saw it. */
    public boolean hostAttached(int id) {
        if (state instanceof DeviceState.Active<Running>(var a, var r) && id < r.pumps().length && r.pumps()[id] != null) {
            return r.pumps()[id].connected();
        }
        return false;
    }

    /** Whether the guest has opened port {@code id} (MULTIPORT only; port 0 without it counts as open). */
    public boolean guestOpen(int id) {
        if (state instanceof DeviceState.Active<Running>(var a, var r)) {
            return r.control() == null ? id == 0 : r.control().guestOpen(id);
        }
        return false;
    }

    /**
     * Sets the console size (§5.3.4): updates cols/rows and notifies the driver, by a
     * configuration change (port 0 without MULTIPORT) or RESIZE messages (with it).
     */
    public void resize(int cols, int rows) {
        config.update(c -> {
            VirtioConsoleConfig.cols(c, cols);
            VirtioConsoleConfig.rows(c, rows);
        });
        if (state instanceof DeviceState.Active<Running>(var a, var r) && a.has(VIRTIO_CONSOLE_F_SIZE)) {
            if (r.control() != null) {
                r.control().resize(cols, rows);
            } else {
                a.interrupt().signalConfig();
            }
        }
    }

    @Override
    public int deviceType() {
        return Virtio.VIRTIO_ID_CONSOLE;
    }

    @Override
    public long offeredFeatures() {
        long f = Features.RING;
        if (options.multiport()) {
            f |= Features.bit(VIRTIO_CONSOLE_F_MULTIPORT);
        }
        if (options.cols() > 0 && options.rows() > 0) {
            f |= Features.bit(VIRTIO_CONSOLE_F_SIZE);
        }
        return f;
    }

    @Override
    public Map<Integer, String> featureNames() {
        return NAMES;
    }

    @Override
    public int queueCount() {
        return options.multiport() ? 2 + 2 * portCount() : 2;
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
        // EMERG_WRITE is not offered: all fields are read-only.
    }

    /** Receive queue of port {@code id} (§5.3.2). */
    static int receiveQueue(int id) {
        return id == 0 ? 0 : 2 + 2 * id;
    }

    @Override
    public void activate(Activation activation) {
        if (state instanceof DeviceState.Active<Running>) {
            throw new IllegalStateException("console already active");
        }
        boolean multiport = activation.has(VIRTIO_CONSOLE_F_MULTIPORT);
        ControlChannel control = null;
        if (multiport) {
            if (activation.queue(2) == null || activation.queue(3) == null) {
                throw new IllegalArgumentException("MULTIPORT console without its control queues");
            }
            control = new ControlChannel(this, activation.queue(2), activation.queue(3), activation.interrupt());
        }
        int ports = multiport ? portCount() : 1;
        PortPump[] pumps = new PortPump[ports];
        for (int id = 0; id < ports; id++) {
            int rxq = receiveQueue(id);
            if (activation.queue(rxq) != null || activation.queue(rxq + 1) != null) {
                pumps[id] = new PortPump(id, channels.get(id), activation.queue(rxq), activation.queue(rxq + 1),
                        activation.interrupt(), control);
            }
        }
        state = new DeviceState.Active<>(activation, new Running(pumps, control));
        for (PortPump p : pumps) {
            if (p != null) {
                p.start();
            }
        }
    }

    @Override
    public void queueNotify(int queue) {
        if (!(state instanceof DeviceState.Active<Running>(var a, var r))) {
            LOG.debug("console: spurious notification for queue %d", queue);
            return;
        }
        if (queue == 2 || queue == 3) {
            if (r.control() != null) {
                if (queue == 3) {
                    r.control().transmitKicked();
                } else {
                    r.control().receiveKicked();
                }
            }
            return;
        }
        int id = queue < 2 ? 0 : (queue - 2) / 2;
        if (id < r.pumps().length && r.pumps()[id] != null) {
            r.pumps()[id].wake();
        }
    }

    @Override
    public void reset() {
        DeviceState<Running> s = state;
        state = new DeviceState.Inactive<>();
        if (s instanceof DeviceState.Active<Running>(var a, var r)) {
            for (PortPump p : r.pumps()) {
                if (p != null) {
                    p.stop();
                }
            }
        }
    }

    @Override
    public void close() {
        reset();
        channels.forEach(PortChannel::close);
    }
}
