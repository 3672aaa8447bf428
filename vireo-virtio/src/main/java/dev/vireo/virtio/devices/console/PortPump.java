package dev.vireo.virtio.devices.console;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.Pollfd;
import dev.vireo.virtio.device.Interrupt;
import dev.vireo.virtio.queue.DescriptorChain;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.VirtqueueException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The thread of one console port while the device is active. It owns the port's receiveq and
 * transmitq and moves bytes between them and the port's {@link PortChannel}: output with writev
 * straight from the guest's buffers, input with readv straight into them. It waits in poll(2) on
 * the channel and on a wake eventfd that queue notifications write, so a slow or absent host peer
 * never blocks the thread that delivers kicks.
 *
 * <p>Backpressure: a transmit buffer stays in flight until the channel took all of it (EAGAIN
 * waits for POLLOUT). When nobody is attached (pty without a reader, socket without a client),
 * output is discarded as QEMU does, so a guest console never waits forever for a reader.
 * Input is read only when the guest has posted receive buffers.
 *
 * <p>Refusals: a transmit buffer with a device-writable part, or a receive buffer with a
 * device-readable part (§5.3.6.1), or one outside guest memory, stops that queue
 * (DEVICE_NEEDS_RESET): the console has no status field to report it in.
 */
final class PortPump {

    private static final Log LOG = Log.of("virtio");

    private final int port;
    private final PortChannel channel;
    private final Virtqueue rx;
    private final Virtqueue tx;
    private final Interrupt interrupt;
    private final ControlChannel control;
    private final Fd wake = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
    private final MemorySegment iov = Arena.ofAuto().allocate(Iovec.LAYOUT, FdCalls.IOV_MAX);
    private final MemorySegment pollfds = Arena.ofAuto().allocate(Pollfd.LAYOUT, 4);
    private final DescriptorChain rxChain = new DescriptorChain();
    private final DescriptorChain txChain = new DescriptorChain();
    private volatile boolean running = true;
    private volatile boolean connected;
    private Thread thread;

    private boolean rxHeld;
    private boolean rxStarved;
    private boolean inputReady;
    private boolean peerHungUp;
    private boolean txHeld;
    private boolean waitingForOutput;
    private int txEntry;
    private long txSkip;

    PortPump(int port, PortChannel channel, Virtqueue rx, Virtqueue tx, Interrupt interrupt, ControlChannel control) {
        this.port = port;
        this.channel = channel;
        this.rx = rx;
        this.tx = tx;
        this.interrupt = interrupt;
        this.control = control;
        this.connected = channel.connected();
    }

    void start() {
        thread = Thread.ofPlatform().name("virtio-console-port" + port).daemon().start(this::run);
    }

    /** Whether a host peer is attached (as last seen by the port thread). */
    boolean connected() {
        return connected;
    }

    /** A queue of this port was kicked. */
    void wake() {
        EventCalls.eventfdWrite(wake.num(), 1);
    }

    /** Stops the thread and waits for it; the channel stays open. */
    void stop() {
        running = false;
        wake();
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        wake.close();
    }

    private void run() {
        try {
            while (running) {
                boolean progress;
                do {
                    progress = output() | input();
                } while (progress && running);
                signal();
                boolean now = channel.connected();
                if (now != connected) {
                    connected = now;
                    LOG.debug("console port %d: host side %s", port, now ? "attached" : "detached");
                    if (control != null) {
                        control.portConnection(port, now);
                    }
                }
                if (running) {
                    waitForEvents();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("console port %d stopped: %s", port, e.toString());
            VirtqueueException cause = new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR, "console port failed: " + e, e);
            if (rx != null) {
                rx.fail(cause);
            }
            if (tx != null) {
                tx.fail(cause);
            }
        }
    }

    private void hangup() {
        channel.hangup();
        peerHungUp = false;
    }

    private void signal() {
        if (rx != null && rx.needsNotification()) {
            interrupt.signalUsed(rx.index());
        }
        if (tx != null && tx.needsNotification()) {
            interrupt.signalUsed(tx.index());
        }
    }

    /** Writes (part of) the current transmit buffer; returns whether anything moved. */
    private boolean output() {
        if (tx == null || tx.isBroken()) {
            return false;
        }
        if (!txHeld && !take(tx, txChain, false)) {
            return false;
        }
        txHeld = true;
        int fd = channel.outputFd();
        if (fd < 0) {
            finishOutput(); // nobody attached: discard
            return true;
        }
        int n = txEntry < txChain.readable().count() ? txChain.readable().toIovecs(iov, txEntry, txSkip, FdCalls.IOV_MAX) : 0;
        if (n == 0) {
            finishOutput();
            return true;
        }
        long written;
        try {
            written = channel.nonBlocking() ? FdCalls.tryWritev(fd, iov, n) : FdCalls.writev(fd, iov, n);
        } catch (SysException e) {
            LOG.debug("console port %d: write failed (%s): host side gone", port, e.getMessage());
            hangup();
            return true;
        }
        if (written < 0) {
            waitingForOutput = true;
            return false;
        }
        long left = written + txSkip;
        while (txEntry < txChain.readable().count() && left >= txChain.readable().length(txEntry)) {
            left -= txChain.readable().length(txEntry);
            txEntry++;
        }
        txSkip = left;
        if (txEntry >= txChain.readable().count()) {
            finishOutput();
        }
        return true;
    }

    private void finishOutput() {
        tx.addUsed(txChain, 0); // nothing written into a transmit buffer
        txHeld = false;
        txEntry = 0;
        txSkip = 0;
        waitingForOutput = false;
    }

    /** Reads input into the next receive buffer; returns whether anything moved. */
    private boolean input() {
        if (rx == null || rx.isBroken()) {
            return false;
        }
        int fd = channel.inputFd();
        if (fd < 0 || (!channel.nonBlocking() && !inputReady)) {
            return false;
        }
        if (!rxHeld) {
            if (!take(rx, rxChain, true)) {
                rxStarved = true;
                return false;
            }
            rxHeld = true;
        }
        rxStarved = false;
        int n = rxChain.writable().toIovecs(iov, 0, 0, FdCalls.IOV_MAX);
        long got;
        try {
            got = channel.nonBlocking() ? FdCalls.tryReadv(fd, iov, n) : FdCalls.readv(fd, iov, n);
        } catch (SysException e) {
            LOG.debug("console port %d: read failed (%s): host side gone", port, e.getMessage());
            inputReady = false;
            hangup();
            return true;
        }
        inputReady = false;
        if (got < 0) {
            return false;
        }
        if (got == 0) {
            hangup();
            return true;
        }
        rx.addUsed(rxChain, got);
        rxHeld = false;
        return true;
    }

    /** Pops the next buffer of {@code q}, re-enabling notifications when there is none. */
    private boolean take(Virtqueue q, DescriptorChain chain, boolean receive) {
        while (true) {
            q.disableNotifications();
            if (q.pop(chain)) {
                boolean wrongDirection = receive ? chain.readableBytes() != 0 : chain.writableBytes() != 0;
                if (wrongDirection || chain.hasFault()) {
                    // §5.3.6.1: receive buffers are device-writable, transmit buffers device-readable.
                    q.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR, "console port " + port + ": "
                            + (chain.hasFault() ? "buffer outside guest memory: " + chain.fault().getMessage()
                            : (receive ? "receive buffer with a device-readable part" : "transmit buffer with a device-writable part"))));
                    return false;
                }
                return true;
            }
            if (!q.enableNotifications()) {
                return false;
            }
        }
    }

    private void waitForEvents() {
        int n = 0;
        Pollfd.set(pollfds, n++, wake.num(), EventCalls.POLLIN);
        int in = channel.inputFd();
        int out = channel.outputFd();
        int inEvents = in >= 0 && rx != null && !rx.isBroken() && !rxStarved ? EventCalls.POLLIN : 0;
        int outEvents = txHeld && waitingForOutput && out >= 0 ? EventCalls.POLLOUT : 0;
        int inAt = -1;
        int outAt = -1;
        // The input descriptor is always polled, with no events when there is nothing to read into,
        // so that a hang-up (POLLHUP/POLLERR are always reported) is noticed while the guest is idle.
        if (peerHungUp) {
            in = -1; // the rest of the input waits for a receive buffer; polling would only repeat POLLHUP
        }
        if (in >= 0 && in == out) {
            inAt = outAt = n;
            Pollfd.set(pollfds, n++, in, inEvents | outEvents);
        } else {
            if (in >= 0) {
                inAt = n;
                Pollfd.set(pollfds, n++, in, inEvents);
            }
            if (outEvents != 0) {
                outAt = n;
                Pollfd.set(pollfds, n++, out, outEvents);
            }
        }
        int acceptAt = -1;
        int acc = channel.acceptFd();
        if (acc >= 0) {
            acceptAt = n;
            Pollfd.set(pollfds, n++, acc, EventCalls.POLLIN);
        }
        int ready = EventCalls.poll(pollfds, n, channel.recheckMillis());
        if (ready == 0) {
            channel.recheck();
            return;
        }
        if (ready < 0) {
            return; // a signal
        }
        if (Pollfd.revents(pollfds, 0) != 0) {
            EventCalls.eventfdRead(wake.num());
        }
        int hupOrErr = EventCalls.POLLHUP | EventCalls.POLLERR;
        if (inAt >= 0 && (Pollfd.revents(pollfds, inAt) & (EventCalls.POLLIN | hupOrErr)) != 0 && inEvents != 0) {
            inputReady = true; // the read that follows sees the data, the end of file or the error
        }
        if (outAt >= 0 && (Pollfd.revents(pollfds, outAt) & (EventCalls.POLLOUT | hupOrErr)) != 0 && outEvents != 0) {
            waitingForOutput = false; // the write that follows succeeds or reports why not
        }
        if (inAt >= 0 && inEvents == 0 && (Pollfd.revents(pollfds, inAt) & hupOrErr) != 0) {
            if (channel.hangupAtOnce()) {
                hangup();
            } else {
                // Read what is left (then the end of file) once the guest posts a receive buffer.
                peerHungUp = true;
                inputReady = true;
            }
        }
        if (acceptAt >= 0 && Pollfd.revents(pollfds, acceptAt) != 0) {
            try {
                channel.accept();
            } catch (SysException e) {
                LOG.debug("console port %d: accept failed: %s", port, e.getMessage());
            }
        }
    }
}
