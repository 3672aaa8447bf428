package dev.vireo.vhost;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.vhost.conn.Connection;
import dev.vireo.vhost.conn.Message;
import dev.vireo.vhost.frontend.FrontendClient;
import dev.vireo.vhost.proto.FrontendRequest;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MemoryTable;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.U64;
import dev.vireo.vhost.proto.VhostUser;
import dev.vireo.vhost.proto.VringAddress;
import dev.vireo.vhost.proto.VringState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Message framing over a real socketpair, between the front-end client and a back-end connection. */
@ExtendWith(FdLeakCheck.class)
class ConnectionTest {

    private FrontendClient frontend;
    private Connection backend;

    @BeforeEach
    void pair() {
        Fd[] p = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
        frontend = new FrontendClient(new Connection(p[0], Connection.Side.FRONTEND));
        backend = new Connection(p[1], Connection.Side.BACKEND);
    }

    @AfterEach
    void close() {
        frontend.close();
        backend.close();
    }

    @Test
    void requestsArriveWithTheirPayloadAndDescriptors() {
        try (Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC)) {
            frontend.setVringAddr(new VringAddress(1, 0, 0x1000, 0x2000, 0x3000, 0));
            frontend.setVringKick(1, kick.num());
            frontend.setVringCall(2, -1);
            try (Message m = backend.receive()) {
                assertThat(m.header().request()).isEqualTo(FrontendRequest.SET_VRING_ADDR);
                assertThat(VringAddress.parse(m.payload())).isEqualTo(new VringAddress(1, 0, 0x1000, 0x2000, 0x3000, 0));
                assertThat(m.fdCount()).isZero();
            }
            try (Message m = backend.receive()) {
                assertThat(m.header().request()).isEqualTo(FrontendRequest.SET_VRING_KICK);
                assertThat(U64.parse(m.payload())).isEqualTo(1);
                m.requireFds(1);
                try (Fd received = m.takeFd(0)) {
                    EventCalls.eventfdWrite(received.num(), 5);
                    assertThat(EventCalls.eventfdRead(kick.num())).isEqualTo(5);
                }
            }
            try (Message m = backend.receive()) {
                assertThat(U64.parse(m.payload())).isEqualTo(2 | VhostUser.VRING_NOFD_MASK);
                assertThat(m.fdCount()).isZero();
            }
        }
    }

    @Test
    void repliesCarryTheReplyFlagAndAnswerTheRightRequest() throws Exception {
        Thread server = Thread.ofPlatform().start(() -> {
            try (Message m = backend.receive()) {
                backend.reply(m.header(), U64.SIZE, p -> U64.write(p, 0xF00DL));
            }
            try (Message m = backend.receive()) {
                int index = VringState.parse(m.payload()).index();
                backend.reply(m.header(), VringState.SIZE, p -> new VringState(index, 77).write(p));
            }
        });
        assertThat(frontend.getFeatures()).isEqualTo(0xF00DL);
        assertThat(frontend.getVringBase(3)).isEqualTo(77);
        server.join();
    }

    @Test
    void malformedHeadersAreRefused() {
        for (int flags : new int[] {0, 2, VhostUser.VERSION | VhostUser.FLAG_REPLY, VhostUser.VERSION | (1 << 10)}) {
            frontend.connection().send(1, flags, 0, null);
            assertThatThrownBy(backend::receive).isInstanceOf(MessageException.class).hasMessageMatching(".*(version|flags).*");
        }
    }

    @Test
    void oversizedPayloadsAreRefusedBeforeBeingRead() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(12);
            h.set(JAVA_INT_UNALIGNED, 0, 5);
            h.set(JAVA_INT_UNALIGNED, 4, VhostUser.VERSION);
            h.set(JAVA_INT_UNALIGNED, 8, -1); // 4 GiB - 1
            FdCalls.writeFully(frontend.connection().socket().num(), h);
            assertThatThrownBy(backend::receive).isInstanceOf(MessageException.class).hasMessageContaining("exceeds");
        }
    }

    @Test
    void aPeerVanishingMidMessageIsAnErrorAndAtAMessageBoundaryIsEof() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(16);
            h.set(JAVA_INT_UNALIGNED, 0, 2);
            h.set(JAVA_INT_UNALIGNED, 4, VhostUser.VERSION);
            h.set(JAVA_INT_UNALIGNED, 8, 8);
            FdCalls.writeFully(frontend.connection().socket().num(), h); // 4 of 8 payload bytes
            SocketCalls.shutdown(frontend.connection().socket().num(), SocketCalls.SHUT_WR);
            assertThatThrownBy(backend::receive).isInstanceOf(MessageException.class).hasMessageContaining("middle of a message");
            assertThat(backend.receive()).as("then end of stream").isNull();
        }
    }

    @Test
    void tooManyDescriptorsCloseTheMessageWithoutLeaking() {
        Fd[] fds = new Fd[VhostUser.MAX_FDS + 2];
        try {
            int[] numbers = new int[fds.length];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
                numbers[i] = fds[i].num();
            }
            frontend.connection().send(FrontendRequest.SET_OWNER.code(), VhostUser.VERSION, 0, null, numbers);
            assertThatThrownBy(backend::receive).isInstanceOf(MessageException.class).hasMessageContaining("more than 8");
        } finally {
            for (Fd f : fds) {
                if (f != null) {
                    f.close();
                }
            }
        }
    }

    @Test
    void untakenDescriptorsAreClosedWithTheMessage() {
        try (Fd e = EventCalls.eventfd(EventCalls.EFD_CLOEXEC)) {
            frontend.connection().send(FrontendRequest.SET_OWNER.code(), VhostUser.VERSION, 0, null, e.num(), e.num());
            try (Message m = backend.receive()) {
                assertThat(m.fdCount()).isEqualTo(2);
                assertThatThrownBy(() -> m.requireFds(0)).isInstanceOf(MessageException.class);
            }
        }
        // FdLeakCheck verifies the two received copies were closed
    }

    @Test
    void payloadRecordsCheckTheirSyntax() {
        try (Arena a = Arena.ofConfined()) {
            assertThatThrownBy(() -> VringState.parse(a.allocate(7))).isInstanceOf(MessageException.class);
            assertThatThrownBy(() -> new MemoryRegionDescription(0, 0, 0, 0)).hasMessageContaining("size 0");
            assertThatThrownBy(() -> new MemoryRegionDescription(-4096, 8192, 0, 0)).hasMessageContaining("wraps");
            assertThatThrownBy(() -> new MemoryRegionDescription(0, 4096, 0, Long.MAX_VALUE)).hasMessageContaining("overflows");
            MemoryRegionDescription r1 = new MemoryRegionDescription(0, 0x1000, 0x7000_0000, 0);
            MemoryRegionDescription r2 = new MemoryRegionDescription(0x800, 0x1000, 0x8000_0000L, 0);
            assertThatThrownBy(() -> new MemoryTable(List.of(r1, r2))).hasMessageContaining("overlap");
            MemorySegment p = a.allocate(8 + 32);
            p.set(JAVA_INT_UNALIGNED, 0, 9);
            assertThatThrownBy(() -> MemoryTable.parse(p)).hasMessageContaining("9 regions");
            p.set(JAVA_INT_UNALIGNED, 0, 2);
            assertThatThrownBy(() -> MemoryTable.parse(p)).hasMessageContaining("must be 72 bytes");
            MemorySegment config = a.allocate(12 + 4);
            config.set(JAVA_INT_UNALIGNED, 0, 254);
            config.set(JAVA_INT_UNALIGNED, 4, 4);
            assertThatThrownBy(() -> dev.vireo.vhost.proto.ConfigAccess.parse(config)).hasMessageContaining("outside");
        }
    }
}
