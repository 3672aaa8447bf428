package dev.vireo.vhost;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.mem.GuestRam;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.MemCalls;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.virtio.devices.block.BlockDevice;
import dev.vireo.virtio.devices.block.BlockOptions;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.vhost.backend.VhostUserBackend;
import dev.vireo.vhost.conn.Connection;
import dev.vireo.vhost.proto.FrontendRequest;
import dev.vireo.vhost.proto.VhostUser;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Arbitrary vhost-user message streams against the real back-end session over a socketpair,
 * serving a real entropy or block device. The input optionally starts with a valid negotiation (features,
 * protocol features with or without REPLY_ACK, a memory table, one running ring whose
 * descriptor table and available ring are fuzzed too), then sends up to 24 messages: a request
 * code (any known one, or any 32-bit value), flags, a payload, a size field that matches the
 * payload or lies about it, and 0 to 9 descriptors (the guest RAM memfd, a small memfd, an
 * eventfd), with kicks in between; the front-end then stops writing, or closes its socket with
 * replies unread.
 *
 * <p>Oracles: no exception escapes {@link VhostUserBackend#serve}; once the front-end stops
 * writing, the back-end ends the connection within 10 s (no hang); afterwards the process has
 * exactly the descriptors and memfd mappings it had before (no leak). Accesses outside mapped
 * memory would crash the JVM (SIGSEGV) or raise an exception from a bounded segment.
 *
 * <p>{@code mvn test} replays {@code MessageStreamFuzzTestInputs}; {@code scripts/fuzz vireo-vhost}
 * fuzzes for the annotated duration.
 */
class MessageStreamFuzzTest {

    private static final long RAM_SIZE = 1 << 20;
    private static final long USER = 0x7f00_0000_0000L;
    private static final long DESC = 0x1000;
    private static final long AVAIL = 0x2000;
    private static final long USED = 0x3000;
    private static final int QUEUE = 16;

    private static final GuestRam RAM = GuestRam.create("vhost-fuzz-ram", RAM_SIZE);
    private static final Fd SMALL = smallMemfd();
    private static final Fd KICK = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
    private static final Fd CALL = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK);
    private static final int[] CODES;
    private static final java.nio.file.Path IMAGE = image();

    static {
        FrontendRequest[] all = FrontendRequest.values();
        CODES = new int[all.length + 4];
        for (int i = 0; i < all.length; i++) {
            CODES[i] = all[i].code();
        }
        CODES[all.length] = 0;
        CODES[all.length + 1] = all.length + 1;
        CODES[all.length + 2] = 0x7fffffff;
        CODES[all.length + 3] = -1;
    }

    private static java.nio.file.Path image() {
        try {
            java.nio.file.Path p = java.nio.file.Files.createTempFile("vhost-fuzz", ".img");
            p.toFile().deleteOnExit();
            java.nio.file.Files.write(p, new byte[64 << 10]);
            return p;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Fd smallMemfd() {
        Fd fd = MemCalls.memfdCreate("vhost-fuzz-small", MemCalls.MFD_CLOEXEC);
        FdCalls.ftruncate(fd.num(), 8192);
        return fd;
    }

    @FuzzTest(maxDuration = "30s")
    void messages(FuzzedDataProvider data) throws Exception {
        int fdsBefore = FdLeakCheck.openFds().size();
        int mapsBefore = BadInputTest.memfdMappings("vhost-fuzz-ram") + BadInputTest.memfdMappings("vhost-fuzz-small");
        RAM.memory().slice(DESC, USED + 0x1000 - DESC).fill((byte) 0); // the rings start clean for every input
        EventCalls.eventfdRead(KICK.num());

        Fd[] pair = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
        Fd front = pair[0];
        Throwable[] failure = new Throwable[1];
        // the entropy device, or the block device (config space, a file behind the queue)
        BlockDevice block = data.consumeBoolean() ? new BlockDevice(BlockOptions.of(IMAGE)) : null;
        VirtioDevice device = block != null ? block : new RngDevice();
        VhostUserBackend backend = new VhostUserBackend(device);
        Thread server = Thread.ofPlatform().name("vhost-fuzz-backend").start(() -> {
            try {
                backend.serve(new Connection(pair[1], Connection.Side.BACKEND));
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(VhostUser.HEADER_SIZE + 8192);
            try {
                if (data.consumeBoolean()) {
                    setUp(front, out, data, backend.protocolFeatures());
                }
                int messages = data.consumeInt(0, 24);
                for (int i = 0; i < messages && data.remainingBytes() > 0; i++) {
                    int code = data.consumeBoolean() ? CODES[data.consumeInt(0, CODES.length - 1)] : data.consumeInt();
                    int flags = data.consumeBoolean()
                            ? VhostUser.VERSION | (data.consumeBoolean() ? VhostUser.FLAG_NEED_REPLY : 0)
                            : data.consumeInt();
                    int[] fds = new int[data.consumeInt(0, VhostUser.MAX_FDS + 1)];
                    for (int f = 0; f < fds.length; f++) {
                        fds[f] = switch (data.consumeInt(0, 2)) {
                            case 0 -> RAM.fd().num();
                            case 1 -> SMALL.num();
                            default -> KICK.num();
                        };
                    }
                    byte[] payload = data.consumeBytes(data.consumeInt(0, 320));
                    int size = data.consumeBoolean() ? payload.length : data.consumeInt(-1, VhostUser.MAX_PAYLOAD + 8);
                    send(front, out, code, flags, size, payload, fds);
                    if (data.consumeBoolean()) {
                        EventCalls.eventfdWrite(KICK.num(), 1);
                    }
                }
            } catch (SysException e) {
                // EPIPE/ECONNRESET: the back-end already ended the connection, as it may
            }
            if (data.consumeBoolean()) {
                front.close(); // abruptly, replies unread: the back-end sees EOF or ECONNRESET
            } else {
                SocketCalls.shutdown(front.num(), SocketCalls.SHUT_WR);
                drain(front, out);
            }
        } finally {
            server.join(10_000);
            front.close();
            if (block != null) {
                block.close();
            }
        }
        if (server.isAlive()) {
            throw new AssertionError("the back-end did not end the connection after the front-end stopped writing");
        }
        if (failure[0] != null) {
            throw new AssertionError("exception out of the back-end", failure[0]);
        }
        EventCalls.eventfdRead(CALL.num()); // not a leak: reset for the next input
        int fdsAfter = FdLeakCheck.openFds().size();
        if (fdsAfter != fdsBefore) {
            throw new AssertionError("descriptors leaked: " + fdsBefore + " before, " + fdsAfter + " after");
        }
        int mapsAfter = BadInputTest.memfdMappings("vhost-fuzz-ram") + BadInputTest.memfdMappings("vhost-fuzz-small");
        if (mapsAfter != mapsBefore) {
            throw new AssertionError("mappings leaked: " + mapsBefore + " before, " + mapsAfter + " after");
        }
    }

    /** A valid start (as QEMU does it), so that the messages that follow meet a running device. */
    private static void setUp(Fd front, MemorySegment out, FuzzedDataProvider data, long offered) {
        long features = (1L << Virtio.VIRTIO_F_VERSION_1) | (1L << VhostUser.F_PROTOCOL_FEATURES)
                | (data.consumeBoolean() ? 1L << Virtio.VIRTIO_RING_F_EVENT_IDX : 0);
        long protocol = offered & ~(data.consumeBoolean() ? 1L << VhostUser.PROTOCOL_F_REPLY_ACK : 0);
        int v = VhostUser.VERSION;
        send(front, out, FrontendRequest.SET_FEATURES.code(), v, 8, u64(features));
        send(front, out, FrontendRequest.SET_PROTOCOL_FEATURES.code(), v, 8, u64(protocol));
        send(front, out, FrontendRequest.SET_OWNER.code(), v, 0, new byte[0]);
        byte[] table = BadInputTest.table(new long[] {0, RAM_SIZE, USER, 0});
        send(front, out, FrontendRequest.SET_MEM_TABLE.code(), v, table.length, table, RAM.fd().num());
        send(front, out, FrontendRequest.SET_VRING_NUM.code(), v, 8, BadInputTest.state(0, QUEUE));
        byte[] addr = BadInputTest.address(0, USER + DESC, USER + USED, USER + AVAIL);
        send(front, out, FrontendRequest.SET_VRING_ADDR.code(), v, addr.length, addr);
        send(front, out, FrontendRequest.SET_VRING_BASE.code(), v, 8, BadInputTest.state(0, 0));
        send(front, out, FrontendRequest.SET_VRING_CALL.code(), v, 8, u64(0), CALL.num());
        send(front, out, FrontendRequest.SET_VRING_KICK.code(), v, 8, u64(0), KICK.num());
        send(front, out, FrontendRequest.SET_VRING_ENABLE.code(), v, 8, BadInputTest.state(0, 1));
        // the driver's side of the ring: fuzzed descriptors (addresses near the interesting places) and avail entries
        MemorySegment ram = RAM.memory().slice(DESC, 0x2000 + 4 + 2 * QUEUE);
        for (int i = 0; i < QUEUE && data.consumeBoolean(); i++) {
            long at = 16L * i;
            long[] near = {0, DESC, AVAIL, USED, RAM_SIZE - 4096, RAM_SIZE};
            ram.set(JAVA_LONG_UNALIGNED, at, near[data.consumeInt(0, near.length - 1)] + data.consumeInt(-64, 4096));
            ram.set(JAVA_INT_UNALIGNED, at + 8, data.consumeInt(0, 1 << 17));
            ram.set(JAVA_INT_UNALIGNED, at + 12, data.consumeInt(0, 7) | data.consumeInt(0, QUEUE + 1) << 16);
        }
        int published = data.consumeInt(0, QUEUE + 2);
        for (int i = 0; i < published; i++) {
            ram.set(JAVA_BYTE, AVAIL - DESC + 4 + 2L * (i % QUEUE), (byte) data.consumeInt(0, QUEUE));
        }
        ram.set(JAVA_BYTE, AVAIL - DESC + 2, (byte) published);
        EventCalls.eventfdWrite(KICK.num(), 1);
    }

    private static byte[] u64(long value) {
        return BadInputTest.u64(value);
    }

    /** Writes header and payload in one sendmsg (the descriptors ride on the header's bytes). */
    private static void send(Fd front, MemorySegment out, int code, int flags, int size, byte[] payload, int... fds) {
        out.set(JAVA_INT_UNALIGNED, 0, code);
        out.set(JAVA_INT_UNALIGNED, 4, flags);
        out.set(JAVA_INT_UNALIGNED, 8, size);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, out, VhostUser.HEADER_SIZE, payload.length);
        MemorySegment message = out.asSlice(0, VhostUser.HEADER_SIZE + payload.length);
        long sent = SocketCalls.sendWithFds(front.num(), message, fds);
        if (sent < message.byteSize()) {
            FdCalls.writeFully(front.num(), message.asSlice(sent));
        }
    }

    /** Reads (and drops) replies until the back-end closes its end. */
    private static void drain(Fd front, MemorySegment buffer) throws IOException {
        try {
            while (FdCalls.read(front.num(), buffer) > 0) {
                // replies, and descriptors: none are sent by the back-end
            }
        } catch (SysException e) {
            // ECONNRESET: closed with unread data
        }
    }
}
