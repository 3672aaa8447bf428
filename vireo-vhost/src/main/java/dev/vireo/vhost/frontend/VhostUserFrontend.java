package dev.vireo.vhost.frontend;

import dev.vireo.mem.GuestRam;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Log;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.virtio.driver.SplitDriverQueue;
import dev.vireo.virtio.queue.QueueConfig;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MemoryTable;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.VhostUser;
import dev.vireo.vhost.proto.VringAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * A vhost-user front-end that plays the VMM and the guest driver at once, without a VM: it owns
 * "guest" memory in a memfd, negotiates features as QEMU does, shares the memory with SET_MEM_TABLE
 * and sets up split virtqueues with kick and call eventfds. Device-specific code (the FUSE client
 * of {@code vireo fsload}) then posts buffers on {@link #queue(int)} and allocates them from {@link
 * #allocator()}.
 *
 * <p>The message order is QEMU's (hw/virtio/vhost-user.c, vhost.c): GET_FEATURES,
 * GET/SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_OWNER, SET_FEATURES, SET_MEM_TABLE, then per
 * queue SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ADDR, SET_VRING_CALL and SET_VRING_KICK ({@link
 * #addQueue}), and SET_VRING_ENABLE for all of them at the end ({@link #enable()}). Guest-physical addresses start at 0; user addresses (what vhost-user
 * messages carry) are this process's real mapping addresses, as in QEMU.
 */
public final class VhostUserFrontend implements AutoCloseable {

    private static final Log LOG = Log.of("vhost");

    /** Protocol features this front-end uses when the back-end offers them. */
    public static final long PROTOCOL_FEATURES = (1L << VhostUser.PROTOCOL_F_MQ) | (1L << VhostUser.PROTOCOL_F_REPLY_ACK);

    /** What was agreed with the back-end. */
    public record Negotiated(long offeredFeatures, long features, long protocolFeatures, int queues) {

        /** Whether virtio feature {@code bit} was accepted. */
        public boolean has(int bit) {
            return (features & (1L << bit)) != 0;
        }
    }

    private final FrontendClient client;
    private final GuestRam ram;
    private final GuestAllocator alloc;
    private final long userBase;
    private final List<FrontendQueue> queues = new ArrayList<>();
    private Negotiated negotiated;

    private VhostUserFrontend(FrontendClient client, GuestRam ram) {
        this.client = client;
        this.ram = ram;
        this.alloc = new GuestAllocator(ram.memory(), 0, ram.memory().size());
        this.userBase = ram.memory().slice(0, ram.memory().size()).address();
    }

    /**
     * Starts a session over {@code client}: creates {@code ramBytes} of guest memory (a multiple
     * of 4096), negotiates {@code wantedFeatures} (virtio feature bits; VERSION_1 is required) and
     * sends the memory table. Closes {@code client} if it fails.
     */
    public static VhostUserFrontend start(FrontendClient client, long ramBytes, long wantedFeatures) {
        GuestRam ram;
        try {
            ram = GuestRam.create("vireo-frontend", ramBytes);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        VhostUserFrontend f = new VhostUserFrontend(client, ram);
        try {
            f.negotiate(wantedFeatures);
            f.shareMemory();
            return f;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private void negotiate(long wanted) {
        long offered = client.getFeatures();
        if ((offered & (1L << Virtio.VIRTIO_F_VERSION_1)) == 0) {
            throw new MessageException("the back-end does not offer VIRTIO_F_VERSION_1 (features 0x" + Long.toHexString(offered) + ")");
        }
        long protocol = 0;
        int queueNum = -1;
        boolean hasProtocol = (offered & (1L << VhostUser.F_PROTOCOL_FEATURES)) != 0;
        if (hasProtocol) {
            protocol = client.getProtocolFeatures() & PROTOCOL_FEATURES;
            client.setProtocolFeatures(protocol);
            if ((protocol & (1L << VhostUser.PROTOCOL_F_MQ)) != 0) {
                queueNum = (int) Math.min(Integer.MAX_VALUE, client.getQueueNum());
            }
        }
        client.setOwner();
        long features = offered & (wanted | (1L << Virtio.VIRTIO_F_VERSION_1));
        if (hasProtocol) {
            features |= 1L << VhostUser.F_PROTOCOL_FEATURES;
        }
        client.setFeatures(features);
        negotiated = new Negotiated(offered, features, protocol, queueNum);
        LOG.debug("negotiated features 0x%x (offered 0x%x), protocol features 0x%x, queues %d",
                features, offered, protocol, queueNum);
    }

    private void shareMemory() {
        long size = ram.memory().size();
        client.setMemTable(new MemoryTable(List.of(new MemoryRegionDescription(0, size, userBase, 0))), ram.fd().num());
    }

    /** What the back-end and this front-end agreed. */
    public Negotiated negotiated() {
        return negotiated;
    }

    /** The allocator for rings and buffers in guest memory. */
    public GuestAllocator allocator() {
        return alloc;
    }

    /**
     * Lays out vring {@code index} with {@code size} descriptors (a power of two) and hands it to
     * the back-end with fresh kick and call eventfds. It carries requests after {@link #enable()}.
     */
    public FrontendQueue addQueue(int index, int size) {
        SplitDriverQueue ring = new SplitDriverQueue(alloc, size, negotiated.has(Virtio.VIRTIO_RING_F_EVENT_IDX));
        QueueConfig c = ring.config();
        Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
        Fd call;
        try {
            call = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
        } catch (RuntimeException e) {
            kick.close();
            throw e;
        }
        FrontendQueue q = new FrontendQueue(index, ring, kick, call, client.connection().socket().num());
        queues.add(q);
        client.setVringNum(index, size);
        client.setVringBase(index, 0);
        client.setVringAddr(new VringAddress(index, 0, userBase + c.descriptorArea(), userBase + c.deviceArea(),
                userBase + c.driverArea(), 0));
        client.setVringCall(index, call.num());
        client.setVringKick(index, kick.num());
        return q;
    }

    /**
     * Enables every ring set up so far, after all of them are configured, as QEMU's vhost_dev_start
     * does: a back-end may start the device only once all its rings are there. Without protocol
     * features rings start enabled and there is nothing to send (vhost-user.rst "Ring states").
     */
    public void enable() {
        if ((negotiated.features() & (1L << VhostUser.F_PROTOCOL_FEATURES)) == 0) {
            return;
        }
        for (FrontendQueue q : queues) {
            client.setVringEnable(q.index(), true);
        }
    }

    /** The queue set up with vring index {@code index}. */
    public FrontendQueue queue(int index) {
        for (FrontendQueue q : queues) {
            if (q.index() == index) {
                return q;
            }
        }
        throw new IllegalArgumentException("vring " + index + " was not set up");
    }

    /** The vhost-user connection. */
    public FrontendClient client() {
        return client;
    }

    /** The guest memory. */
    public GuestRam ram() {
        return ram;
    }

    /**
     * Closes the connection (the back-end stops its rings on the hang-up), then the eventfds and
     * the memory. The back-end may still hold its own mapping of the memfd; that is its business.
     */
    @Override
    public void close() {
        client.close();
        for (FrontendQueue q : queues) {
            q.close();
        }
        ram.close();
    }
}
