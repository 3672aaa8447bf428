package dev.vireo.vhost.backend;

import dev.vireo.io.EventLoop;
import dev.vireo.io.LoopOptions;
import dev.vireo.mem.GuestMemory;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.virtio.device.Activation;
import dev.vireo.virtio.device.LoopNotifier;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.virtio.queue.QueueConfig;
import dev.vireo.virtio.queue.QueueState;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.VirtqueueException;
import dev.vireo.virtio.queue.Virtqueues;
import dev.vireo.vhost.conn.Connection;
import dev.vireo.vhost.conn.Message;
import dev.vireo.vhost.proto.ConfigAccess;
import dev.vireo.vhost.proto.Header;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MemoryTable;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.U64;
import dev.vireo.vhost.proto.VhostUser;
import dev.vireo.vhost.proto.VringAddress;
import dev.vireo.vhost.proto.VringState;

import java.util.ArrayList;
import java.util.List;

/**
 * The back-end's side of one vhost-user connection: every request's semantic checks (the
 * protocol records checked the syntax) and the device's lifecycle.
 *
 * <h2>When the device runs</h2>
 * A ring is configured once it has a size, addresses and a kick descriptor; it runs once it is also
 * enabled (SET_VRING_ENABLE, or at once when protocol features were not negotiated). The device is
 * activated when every configured ring is enabled, with those rings as its queues, and stopped
 * (its queue positions kept) when a ring it uses is stopped by GET_VRING_BASE, reconfigured, or
 * when the memory table changes; it starts again from those positions when the rings are complete
 * again. Kicks that arrive meanwhile stay counted in their eventfds.
 *
 * <h2>Kicks</h2>
 * The connection's {@link EventLoop} (opened at the first activation, closed with the session)
 * reads the kick eventfds and runs the device's queue handlers ({@link LoopNotifier}); a loop per
 * connection, because device handlers may block on file I/O. Stopping the device waits for a
 * running handler, so memory is never unmapped under a chain being processed.
 *
 * <h2>Errors</h2>
 * A refused request ({@link MessageException}) is answered with a failed acknowledgement when the
 * front-end asked for one (REPLY_ACK), and otherwise ends the connection: the front-end would go on
 * assuming a state the back-end does not have. A request whose descriptors, payload size or
 * queue index do not fit it is refused before it changes anything; descriptors it did not take
 * are closed with the message. A failed system call on the front-end's behalf (an mmap of a
 * descriptor that cannot be mapped) is refused the same way; a reply the front-end cannot receive
 * any more (it vanished) ends the connection.
 */
final class BackendSession implements AutoCloseable {

    private static final Log LOG = Log.of("vhost");

    private final VirtioDevice device;
    private final Connection connection;
    private final long offeredProtocolFeatures;
    private final long offeredFeatures;
    private final Vring[] vrings;
    private final MemoryHolder memory = new MemoryHolder();

    private long ackedFeatures;
    private boolean featuresSet;
    private long protocolFeatures;
    private boolean owner;
    private Fd backendChannel;

    private boolean active;
    private FrontendMemory activeMemory;
    private EventLoop loop;
    private LoopNotifier notifier;
    private List<Virtqueue> queues = List.of();
    /** Positions of the queues when the device last stopped; null when a ring was reconfigured since. */
    private final QueueState[] stopped;

    BackendSession(VirtioDevice device, Connection connection, long offeredProtocolFeatures) {
        this.device = device;
        this.connection = connection;
        this.offeredProtocolFeatures = offeredProtocolFeatures;
        this.offeredFeatures = device.offeredFeatures() | (1L << VhostUser.F_PROTOCOL_FEATURES);
        this.vrings = new Vring[device.queueCount()];
        this.stopped = new QueueState[vrings.length];
        for (int i = 0; i < vrings.length; i++) {
            vrings[i] = new Vring(i);
        }
    }

    /** Handles requests until the front-end disconnects or a request ends the connection. */
    void run() {
        while (true) {
            Message m;
            try {
                m = connection.receive();
            } catch (MessageException e) {
                LOG.warn("closing the vhost-user connection: %s", e.getMessage());
                return;
            } catch (SysException e) {
                // ECONNRESET: the front-end closed its socket with our reply unread
                LOG.warn("closing the vhost-user connection: receiving failed: %s", e.getMessage());
                return;
            }
            if (m == null) {
                LOG.debug("front-end disconnected");
                return;
            }
            try (m) {
                if (!handle(m)) {
                    return;
                }
            } catch (FrontendGone e) {
                LOG.warn("closing the vhost-user connection: the front-end went away before the reply to %s (%s)",
                        e.request, e.getCause().getMessage());
                return;
            }
        }
    }

    /** Handles one request; false when the connection must end. */
    boolean handle(Message m) {
        Header h = m.header();
        boolean ack = h.needReply() && hasProtocol(VhostUser.PROTOCOL_F_REPLY_ACK);
        LOG.debug("%s (%d bytes, %d fds)", h.name(), h.size(), m.fdCount());
        try {
            checkFds(h, m);
            boolean replied = dispatch(h, m);
            if (ack && !replied) {
                reply(h, U64.SIZE, p -> U64.write(p, 0));
            }
            return true;
        } catch (MessageException | IllegalArgumentException | VirtqueueException | dev.vireo.mem.GuestMemoryException
                 | SysException e) {
            if (ack) {
                LOG.warn("%s refused: %s", h.name(), e.getMessage());
                reply(h, U64.SIZE, p -> U64.write(p, 1));
                return true;
            }
            LOG.warn("%s refused, closing the connection: %s", h.name(), e.getMessage());
            return false;
        }
    }

    /** Returns whether a reply was sent. */
    private boolean dispatch(Header h, Message m) {
        if (h.request() == null) {
            throw new MessageException("unknown request code " + h.code());
        }
        switch (h.request()) {
            case GET_FEATURES -> {
                noPayload(m);
                reply(h, U64.SIZE, p -> U64.write(p, offeredFeatures));
                return true;
            }
            case SET_FEATURES -> setFeatures(U64.parse(m.payload()), m);
            case GET_PROTOCOL_FEATURES -> {
                noPayload(m);
                reply(h, U64.SIZE, p -> U64.write(p, offeredProtocolFeatures));
                return true;
            }
            case SET_PROTOCOL_FEATURES -> setProtocolFeatures(U64.parse(m.payload()), m);
            case SET_OWNER -> {
                noPayload(m);
                if (owner) {
                    throw new MessageException("SET_OWNER twice on one connection");
                }
                owner = true;
            }
            case RESET_OWNER -> {
                noPayload(m);
                // Deprecated: the spec recommends ignoring it or disabling the rings; vireo stops them.
                stopDevice();
            }
            case GET_QUEUE_NUM -> {
                noPayload(m);
                requireProtocol(VhostUser.PROTOCOL_F_MQ, h);
                reply(h, U64.SIZE, p -> U64.write(p, vrings.length));
                return true;
            }
            case GET_MAX_MEM_SLOTS -> {
                noPayload(m);
                requireProtocol(VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS, h);
                reply(h, U64.SIZE, p -> U64.write(p, VhostUser.MAX_MEM_SLOTS));
                return true;
            }
            case SET_MEM_TABLE -> setMemTable(MemoryTable.parse(m.payload()), m);
            case ADD_MEM_REG -> {
                requireProtocol(VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS, h);
                MemoryRegionDescription d = MemoryRegionDescription.parseSingle(m.payload());
                m.requireFds(1);
                replaceMemory(memory.peek().withRegion(d, m.takeFd(0)));
            }
            case REM_MEM_REG -> {
                requireProtocol(VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS, h);
                // The spec lets a broken front-end attach a descriptor here; the message closes it.
                replaceMemory(memory.peek().withoutRegion(MemoryRegionDescription.parseSingle(m.payload())));
            }
            case SET_VRING_NUM -> {
                VringState s = VringState.parse(m.payload());
                Vring v = stoppedRing(s.index(), h);
                // In vhost-user the front-end chooses the size (QEMU's queue-size property); the
                // device's preferred maximum is a PCI/MMIO register value, not a limit here.
                int max = Virtqueue.MAX_SIZE;
                if (s.num() <= 0 || s.num() > max) {
                    throw new MessageException("queue " + v.index + " size " + Integer.toUnsignedString(s.num())
                            + " outside 1.." + max);
                }
                v.size = s.num();
            }
            case SET_VRING_ADDR -> {
                VringAddress a = VringAddress.parse(m.payload());
                if ((a.flags() & ~VringAddress.F_LOG) != 0 || (a.flags() & VringAddress.F_LOG) != 0) {
                    throw new MessageException("vring flags 0x" + Integer.toHexString(a.flags()) + " (dirty logging is not supported)");
                }
                stoppedRing(a.index(), h).address = a;
            }
            case SET_VRING_BASE -> {
                VringState s = VringState.parse(m.payload());
                stoppedRing(s.index(), h).base = s.num();
                stopped[s.index()] = null;
            }
            case GET_VRING_BASE -> {
                VringState s = VringState.parse(m.payload());
                Vring v = ring(s.index());
                int base = stopRing(v);
                reply(h, VringState.SIZE, p -> new VringState(v.index, base).write(p));
                return true;
            }
            case SET_VRING_KICK -> {
                Vring v = ring(vringIndex(m));
                Fd fd = vringFd(m, "kick");
                if (fd == null) {
                    throw new MessageException("queue " + v.index + ": polling instead of a kick descriptor is not supported");
                }
                if (active && queueOf(v.index) != null) {
                    stopDevice();
                }
                v.setKick(fd);
                if (!hasFeature(VhostUser.F_PROTOCOL_FEATURES)) {
                    v.enabled = true; // without protocol features a ring starts enabled
                }
                maybeStart();
            }
            case SET_VRING_CALL -> {
                Vring v = ring(vringIndex(m));
                v.setCall(vringFd(m, "call"));
            }
            case SET_VRING_ERR -> {
                Vring v = ring(vringIndex(m));
                v.setErr(vringFd(m, "err"));
            }
            case SET_VRING_ENABLE -> {
                if (!hasFeature(VhostUser.F_PROTOCOL_FEATURES)) {
                    throw new MessageException("SET_VRING_ENABLE without VHOST_USER_F_PROTOCOL_FEATURES");
                }
                VringState s = VringState.parse(m.payload());
                Vring v = ring(s.index());
                if (s.num() != 0 && s.num() != 1) {
                    throw new MessageException("SET_VRING_ENABLE with " + s.num());
                }
                boolean enable = s.num() == 1;
                if (v.enabled != enable) {
                    if (active && queueOf(v.index) != null || active && enable) {
                        stopDevice();
                    }
                    v.enabled = enable;
                    maybeStart();
                }
            }
            case GET_CONFIG -> {
                requireProtocol(VhostUser.PROTOCOL_F_CONFIG, h);
                ConfigAccess c = ConfigAccess.parse(m.payload());
                reply(h, ConfigAccess.HEADER + c.size(), p -> {
                    ConfigAccess.writeHeader(p, c.offset(), c.size(), c.flags());
                    device.readConfig(c.offset(), p.asSlice(ConfigAccess.HEADER, c.size()));
                });
                return true;
            }
            case SET_CONFIG -> {
                requireProtocol(VhostUser.PROTOCOL_F_CONFIG, h);
                ConfigAccess c = ConfigAccess.parse(m.payload());
                device.writeConfig(c.offset(), c.data());
            }
            case SET_BACKEND_REQ_FD -> {
                requireProtocol(VhostUser.PROTOCOL_F_BACKEND_REQ, h);
                m.requireFds(1);
                if (backendChannel != null) {
                    backendChannel.close();
                }
                backendChannel = m.takeFd(0);
            }
            case RESET_DEVICE -> {
                requireProtocol(VhostUser.PROTOCOL_F_RESET_DEVICE, h);
                resetDevice();
            }
            default -> throw new MessageException(h.name() + " is not supported by vireo");
        }
        return false;
    }

    private void setFeatures(long features, Message m) {
        noFds(m);
        if ((features & ~offeredFeatures) != 0) {
            throw new MessageException(String.format("SET_FEATURES acknowledges features not offered: 0x%x", features & ~offeredFeatures));
        }
        if (active) {
            throw new MessageException("SET_FEATURES while the device runs");
        }
        ackedFeatures = features;
        featuresSet = true;
    }

    private void setProtocolFeatures(long features, Message m) {
        noFds(m);
        if ((features & ~offeredProtocolFeatures) != 0) {
            throw new MessageException(String.format("SET_PROTOCOL_FEATURES sets features not offered: 0x%x",
                    features & ~offeredProtocolFeatures));
        }
        protocolFeatures = features;
    }

    private void setMemTable(MemoryTable table, Message m) {
        m.requireFds(table.regions().size());
        List<Fd> fds = new ArrayList<>();
        for (int i = 0; i < m.fdCount(); i++) {
            fds.add(m.takeFd(i));
        }
        replaceMemory(FrontendMemory.map(table.regions(), fds));
    }

    private void replaceMemory(FrontendMemory next) {
        boolean wasActive = active;
        if (wasActive) {
            stopDevice(); // the queues address the old memory; they restart on the new one
        }
        memory.replace(next);
        if (wasActive) {
            maybeStart();
        }
    }

    /** Activates the device when every configured ring is enabled and memory is present. */
    private void maybeStart() {
        if (active || !featuresSet || memory.peek().guest() == null) {
            return;
        }
        boolean any = false;
        for (Vring v : vrings) {
            if (v.configured()) {
                if (!v.enabled) {
                    return;
                }
                any = true;
            }
        }
        if (!any) {
            return;
        }
        FrontendMemory mem = memory.acquire();
        GuestMemory guest = mem.guest();
        List<Virtqueue> built = new ArrayList<>();
        List<Fd> kicks = new ArrayList<>();
        try {
            for (Vring v : vrings) {
                if (!v.configured()) {
                    built.add(null);
                    continue;
                }
                // Each area is translated whole: a ring must lie inside one region of the front-end's
                // address space, not merely start in one (regions adjacent in user space need not
                // be adjacent in guest space). Sizes: virtio 1.2 §2.7 (split), §2.8.10 (packed).
                boolean packed = packed();
                QueueConfig config = new QueueConfig(v.size, mem.userToGuest(v.address.descUser(), 16L * v.size),
                        mem.userToGuest(v.address.availUser(), packed ? 4 : 6 + 2L * v.size),
                        mem.userToGuest(v.address.usedUser(), packed ? 4 : 6 + 8L * v.size));
                QueueState state = stopped[v.index] != null ? stopped[v.index] : stateFromBase(v.base);
                Virtqueue q = Virtqueues.create(v.index, config, guest, ackedFeatures, state,
                        (queue, cause) -> queueFailed(v, cause));
                built.add(q);
                kicks.add(v.kick);
            }
            try {
                device.activate(new Activation(guest, ackedFeatures & ~(1L << VhostUser.F_PROTOCOL_FEATURES), built,
                        new VringInterrupt(vrings, this::configChanged)));
            } catch (RuntimeException e) {
                // A device refusing its queues (one it needs is missing, a bug) is the front-end's
                // configuration refused, not the end of the daemon; the device starts clean next time.
                device.reset();
                throw new MessageException("the device refused to start: " + e, e);
            }
        } catch (RuntimeException e) {
            mem.release();
            throw e;
        }
        queues = built;
        activeMemory = mem;
        active = true;
        List<Fd> kickByQueue = new ArrayList<>();
        for (Vring v : vrings) {
            kickByQueue.add(v.configured() ? v.kick : null);
        }
        if (loop == null) {
            loop = EventLoop.open(LoopOptions.defaults().withName("vhost-kick-" + device.deviceType()));
        }
        notifier = new LoopNotifier(loop, kickByQueue);
        notifier.start(device::queueNotify);
        LOG.debug("device activated with %d queue(s), features 0x%x", kicks.size(), ackedFeatures);
    }

    /** Stops the device, remembering where every queue was. */
    private void stopDevice() {
        if (!active) {
            return;
        }
        notifier.close();
        notifier = null;
        for (Virtqueue q : queues) {
            if (q != null) {
                stopped[q.index()] = q.state();
            }
        }
        device.reset();
        queues = List.of();
        active = false;
        activeMemory.release();
        activeMemory = null;
        for (Vring v : vrings) {
            v.closeRetired();
        }
    }

    /** GET_VRING_BASE: stops the ring (and the device) and returns the ring's next available index. */
    private int stopRing(Vring v) {
        stopDevice();
        QueueState s = stopped[v.index];
        int base = s != null ? baseFromState(s) : v.base;
        // libvhost-user's convention: a stopped ring forgets its kick; the front-end sets it again to restart.
        v.setKick(null);
        v.base = base;
        stopped[v.index] = null;
        return base;
    }

    private void resetDevice() {
        stopDevice();
        for (Vring v : vrings) {
            v.clear();
        }
        java.util.Arrays.fill(stopped, null);
        ackedFeatures = 0;
        featuresSet = false;
    }

    private boolean packed() {
        return Features.has(ackedFeatures, dev.vireo.sys.abi.virtio.Virtio.VIRTIO_F_RING_PACKED);
    }

    /** A ring base in vhost-user's encoding: split = next available index; packed = index | wrap << 15. */
    private QueueState stateFromBase(int base) {
        if (packed()) {
            int index = base & 0x7FFF;
            boolean wrap = (base & 0x8000) != 0;
            return new QueueState(index, wrap, index, wrap);
        }
        int index = base & 0xFFFF;
        return new QueueState(index, true, index, true);
    }

    private int baseFromState(QueueState s) {
        if (packed()) {
            return (s.nextAvail() & 0x7FFF) | (s.availWrap() ? 0x8000 : 0);
        }
        return s.nextAvail() & 0xFFFF;
    }

    private void queueFailed(Vring v, VirtqueueException cause) {
        LOG.warn("queue %d broken: %s", v.index, cause.getMessage());
        Fd err = v.err;
        if (err != null) {
            try {
                EventCalls.eventfdWrite(err.num(), 1);
            } catch (RuntimeException e) {
                LOG.warn("cannot signal queue %d's error descriptor: %s", v.index, e.getMessage());
            }
        }
    }

    private void configChanged() {
        // VHOST_USER_BACKEND_CONFIG_CHANGE_MSG needs the back-end channel's own protocol; until
        // DAX brings that channel into use, a config change is logged only.
        LOG.debug("configuration change (not forwarded: no back-end channel messages yet)");
    }

    private Virtqueue queueOf(int index) {
        return index < queues.size() ? queues.get(index) : null;
    }

    private Vring ring(int index) {
        if (index < 0 || index >= vrings.length) {
            throw new MessageException("queue index " + Integer.toUnsignedString(index) + " (the device has " + vrings.length + ")");
        }
        return vrings[index];
    }

    /** A ring that may be reconfigured: the device is stopped if it was using it. */
    private Vring stoppedRing(int index, Header h) {
        Vring v = ring(index);
        if (active && queueOf(index) != null) {
            stopDevice();
        }
        return v;
    }

    private int vringIndex(Message m) {
        long value = U64.parse(m.payload());
        if ((value & ~(VhostUser.VRING_INDEX_MASK | VhostUser.VRING_NOFD_MASK)) != 0) {
            throw new MessageException(String.format("vring descriptor payload 0x%x has unknown bits", value));
        }
        return (int) (value & VhostUser.VRING_INDEX_MASK);
    }

    /** The descriptor of a SET_VRING_KICK/CALL/ERR, or null when the no-fd flag is set. */
    private Fd vringFd(Message m, String what) {
        boolean nofd = (U64.parse(m.payload()) & VhostUser.VRING_NOFD_MASK) != 0;
        m.requireFds(nofd ? 0 : 1);
        if (nofd) {
            return null;
        }
        requireEventfd(m, what);
        return m.takeFd(0);
    }

    /**
     * Refuses a kick, call or error descriptor that is not an eventfd. The I/O loop reads a kick
     * descriptor 8 bytes at a time until it has nothing to read: from /dev/zero it would read
     * forever; and a call write into a file or socket the front-end chose is not an interrupt.
     * Checked through /proc/self/fd (the link of an eventfd reads "anon_inode:[eventfd]").
     */
    private static void requireEventfd(Message m, String what) {
        int fd = m.peekFd(0);
        String target;
        try {
            target = dev.vireo.sys.FsCalls.readlinkat(dev.vireo.sys.FsCalls.AT_FDCWD, "/proc/self/fd/" + fd);
        } catch (SysException e) {
            LOG.debug("cannot check the %s descriptor's type: %s", what, e.getMessage());
            return; // no /proc: accepted unchecked
        }
        if (!target.equals("anon_inode:[eventfd]")) {
            throw new MessageException("the " + what + " descriptor must be an eventfd, got " + target);
        }
    }

    private boolean hasFeature(int bit) {
        return Features.has(ackedFeatures, bit);
    }

    private boolean hasProtocol(int bit) {
        return (protocolFeatures & (1L << bit)) != 0;
    }

    private void requireProtocol(int bit, Header h) {
        if (!hasProtocol(bit)) {
            throw new MessageException(h.name() + " without its protocol feature (bit " + bit + ") negotiated");
        }
    }

    /** Sends a reply; a front-end that cannot receive it any more ends the connection. */
    private void reply(Header h, int size, Connection.PayloadWriter fill) {
        try {
            connection.reply(h, size, fill);
        } catch (SysException e) {
            throw new FrontendGone(h.name(), e);
        }
    }

    /** The reply could not be sent (EPIPE, ECONNRESET): the front-end vanished mid-request. */
    private static final class FrontendGone extends RuntimeException {
        final String request;

        FrontendGone(String request, SysException cause) {
            super(cause.getMessage(), cause, false, false);
            this.request = request;
        }
    }

    /** A request without payload (GET_FEATURES, SET_OWNER ...): size 0. */
    private static void noPayload(Message m) {
        if (m.payload().byteSize() != 0) {
            throw new MessageException(m.header().name() + " carries no payload, got " + m.payload().byteSize() + " bytes");
        }
    }

    /** Refuses descriptors on a request that takes none, and more than a request takes. */
    private static void checkFds(Header h, Message m) {
        int max = h.request() == null ? 0 : h.request().maxFds();
        if (m.fdCount() > max) {
            throw new MessageException(h.name() + " carried " + m.fdCount() + " file descriptor(s), at most " + max + " allowed");
        }
    }

    private static void noFds(Message m) {
        if (m.fdCount() != 0) {
            throw new MessageException(m.header().name() + " carried " + m.fdCount() + " unexpected file descriptor(s)");
        }
    }

    /** Stops the device and releases everything the connection held. */
    @Override
    public void close() {
        try {
            stopDevice();
        } finally {
            for (Vring v : vrings) {
                v.clear();
            }
            if (backendChannel != null) {
                backendChannel.close();
            }
            memory.replace(FrontendMemory.empty());
            if (loop != null) {
                loop.close();
            }
        }
    }
}
