package dev.vireo.virtio.devices.console;

import dev.vireo.mem.SgReader;
import dev.vireo.mem.SgWriter;
import dev.vireo.sys.Log;
import dev.vireo.sys.abi.virtio.VirtioConsoleControl;
import dev.vireo.virtio.device.Interrupt;
import dev.vireo.virtio.queue.DescriptorChain;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.VirtqueueException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_CONSOLE_PORT;
import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_DEVICE_READY;
import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_PORT_ADD;
import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_PORT_NAME;
import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_PORT_OPEN;
import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_PORT_READY;
import static dev.vireo.sys.abi.virtio.VirtioConsole.VIRTIO_CONSOLE_RESIZE;

/**
 * The console's control queues when VIRTIO_CONSOLE_F_MULTIPORT is negotiated (virtio 1.2
 * §5.3.6.2): the driver says DEVICE_READY, the device announces each port with PORT_ADD; for each
 * PORT_READY it names the port (PORT_NAME), nominates console ports (CONSOLE_PORT) and says whether
 * the host side is attached (PORT_OPEN), as QEMU's virtio-serial does. Messages for the driver wait
 * in a host-side list until it posts receive buffers on the control receiveq.
 *
 * <p>Control traffic is rare: everything here runs under this object's lock, from the thread that
 * delivers control queue kicks and from port threads reporting connection changes.
 */
final class ControlChannel {

    private static final Log LOG = Log.of("virtio");

    /** Messages kept for a driver that posts no control buffers; older ones are dropped beyond this. */
    static final int MAX_PENDING = 1024;

    private final ConsoleDevice device;
    private final Virtqueue receive;
    private final Virtqueue transmit;
    private final Interrupt interrupt;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private final boolean[] ready;
    private final boolean[] guestOpen;
    private final DescriptorChain chain = new DescriptorChain();
    private final SgReader reader = new SgReader();
    private final SgWriter writer = new SgWriter();
    private boolean deviceReady;

    ControlChannel(ConsoleDevice device, Virtqueue receive, Virtqueue transmit, Interrupt interrupt) {
        this.device = device;
        this.receive = receive;
        this.transmit = transmit;
        this.interrupt = interrupt;
        this.ready = new boolean[device.portCount()];
        this.guestOpen = new boolean[device.portCount()];
    }

    /** Whether the driver has opened port {@code id} (its last PORT_OPEN). */
    synchronized boolean guestOpen(int id) {
        return id >= 0 && id < guestOpen.length && guestOpen[id];
    }

    /** The control transmitq was kicked: handle the driver's messages. */
    synchronized void transmitKicked() {
        if (transmit == null) {
            return;
        }
        do {
            transmit.disableNotifications();
            while (transmit.pop(chain)) {
                if (chain.hasFault() || chain.writableBytes() != 0 || chain.readableBytes() < VirtioConsoleControl.SIZE) {
                    transmit.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR,
                            "console control message of " + chain.readableBytes() + " readable and " + chain.writableBytes()
                                    + " writable bytes" + (chain.hasFault() ? " outside guest memory" : "")));
                    return;
                }
                reader.reset(chain.readable());
                int id = reader.u32();
                int event = reader.u16();
                int value = reader.u16();
                handle(id, event, value);
                transmit.addUsed(chain, 0);
            }
        } while (transmit.enableNotifications());
        if (transmit.needsNotification()) {
            interrupt.signalUsed(transmit.index());
        }
        flush();
    }

    /** The control receiveq was kicked: new buffers for pending messages. */
    synchronized void receiveKicked() {
        flush();
    }

    /** A port's host side attached or detached. */
    synchronized void portConnection(int id, boolean open) {
        if (id < ready.length && ready[id]) {
            send(id, VIRTIO_CONSOLE_PORT_OPEN, open ? 1 : 0, null);
            flush();
        }
    }

    /** The console size changed: a RESIZE message for every console port (§5.3.6.2). */
    synchronized void resize(int cols, int rows) {
        for (int id = 0; id < ready.length; id++) {
            if (ready[id] && device.port(id).console()) {
                send(id, VIRTIO_CONSOLE_RESIZE, 0, new byte[] {(byte) cols, (byte) (cols >> 8), (byte) rows, (byte) (rows >> 8)});
            }
        }
        flush();
    }

    private void handle(int id, int event, int value) {
        switch (event) {
            case VIRTIO_CONSOLE_DEVICE_READY -> {
                if (value != 1) {
                    LOG.warn("console driver failed to initialise (DEVICE_READY %d)", value);
                    return;
                }
                deviceReady = true;
                for (int p = 0; p < device.portCount(); p++) {
                    send(p, VIRTIO_CONSOLE_PORT_ADD, 0, null);
                }
            }
            case VIRTIO_CONSOLE_PORT_READY -> {
                if (!deviceReady || id < 0 || id >= ready.length) {
                    LOG.warn("console driver: PORT_READY for unknown port %d", Integer.toUnsignedLong(id));
                    return;
                }
                if (value != 1) {
                    LOG.warn("console driver could not add port %d", id);
                    return;
                }
                ready[id] = true;
                ConsoleDevice.Port p = device.port(id);
                if (p.console()) {
                    send(id, VIRTIO_CONSOLE_CONSOLE_PORT, 1, null);
                }
                if (p.name() != null) {
                    send(id, VIRTIO_CONSOLE_PORT_NAME, 1, p.name().getBytes(StandardCharsets.UTF_8));
                }
                if (device.hostAttached(id)) {
                    send(id, VIRTIO_CONSOLE_PORT_OPEN, 1, null);
                }
            }
            case VIRTIO_CONSOLE_PORT_OPEN -> {
                if (id >= 0 && id < guestOpen.length) {
                    guestOpen[id] = value != 0;
                    LOG.debug("console port %d %s by the guest", id, value != 0 ? "opened" : "closed");
                }
            }
            default -> LOG.debug("console driver: ignored control event %d for port %d", event, id);
        }
    }

    private void send(int id, int event, int value, byte[] extra) {
        int extraLen = extra == null ? 0 : extra.length;
        byte[] m = new byte[(int) VirtioConsoleControl.SIZE + extraLen];
        m[0] = (byte) id;
        m[1] = (byte) (id >> 8);
        m[2] = (byte) (id >> 16);
        m[3] = (byte) (id >> 24);
        m[4] = (byte) event;
        m[5] = (byte) (event >> 8);
        m[6] = (byte) value;
        m[7] = (byte) (value >> 8);
        if (extraLen > 0) {
            System.arraycopy(extra, 0, m, (int) VirtioConsoleControl.SIZE, extraLen);
        }
        if (pending.size() >= MAX_PENDING) {
            pending.poll(); // a driver that never takes control messages cannot make the device grow without end
            LOG.warn("console control messages pile up (no receive buffers): dropping the oldest");
        }
        pending.add(m);
    }

    /** Copies pending messages into the driver's control receive buffers, one message per buffer. */
    private void flush() {
        if (receive == null || pending.isEmpty()) {
            return;
        }
        while (!pending.isEmpty()) {
            receive.disableNotifications();
            if (!receive.pop(chain)) {
                if (!receive.enableNotifications()) {
                    break;
                }
                continue;
            }
            if (chain.hasFault() || chain.readableBytes() != 0) {
                receive.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR,
                        "console control receive buffer " + (chain.hasFault() ? "outside guest memory" : "with a readable part")));
                return;
            }
            byte[] m = pending.poll();
            writer.reset(chain.writable());
            int n = (int) Math.min(m.length, writer.remaining());
            if (n < m.length) {
                LOG.warn("console control message of %d bytes cut to the driver's %d-byte buffer", m.length, n);
            }
            for (int i = 0; i < n; i++) {
                writer.u8(m[i]);
            }
            receive.addUsed(chain, n);
        }
        if (receive.needsNotification()) {
            interrupt.signalUsed(receive.index());
        }
    }
}
