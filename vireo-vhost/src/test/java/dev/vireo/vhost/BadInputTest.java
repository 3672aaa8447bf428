package dev.vireo.vhost;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Log;
import dev.vireo.sys.MemCalls;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.driver.SplitDriverQueue;
import dev.vireo.vhost.conn.Connection;
import dev.vireo.vhost.conn.Message;
import dev.vireo.vhost.proto.FrontendRequest;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MemoryTable;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.U64;
import dev.vireo.vhost.proto.VhostUser;
import dev.vireo.vhost.proto.VringAddress;
import dev.vireo.vhost.proto.VringState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile and broken front-ends (the "Bad input" list of issue 6): every malformed message gets a
 * failed acknowledgement, or ends the connection with a logged reason; the back-end never
 * crashes, hangs, touches memory outside the front-end's regions, or keeps a descriptor or a
 * mapping it was not entitled to. Both ends run in this JVM, so {@link FdLeakCheck} sees the
 * back-end's descriptors and /proc/self/maps its mappings.
 */
@ExtendWith(FdLeakCheck.class)
class BadInputTest {

    private static final long VERSION_1 = 1L << Virtio.VIRTIO_F_VERSION_1;
    private static final int REQUEST = VhostUser.VERSION | VhostUser.FLAG_NEED_REPLY;

    // ------------------------------------------------------------------------------------------
    // Sizes, codes, descriptors

    @Test
    void payloadsOfTheWrongSizeAreRefused() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.negotiate(VERSION_1);
            Connection c = f.client.connection();
            assertThat(ack(c, FrontendRequest.SET_VRING_NUM.code(), new byte[4])).as("too short").isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_VRING_NUM.code(), new byte[16])).as("too long").isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_FEATURES.code(), new byte[12])).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), new byte[8 + 32 + 1], f.ram.fd().num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.GET_CONFIG.code(), new byte[3])).isEqualTo(1);
            // requests without payload refuse one instead of answering as if it were not there
            assertThat(ack(c, FrontendRequest.GET_FEATURES.code(), new byte[8])).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.GET_QUEUE_NUM.code(), new byte[8])).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.RESET_OWNER.code(), new byte[8])).isEqualTo(1);
            assertThat(f.client.getQueueNum()).as("the connection still works").isEqualTo(1);
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void aPayloadLargerThanTheLimitClosesTheConnection() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            String log = capturingLog(() -> {
                sendHeader(f.client.connection(), FrontendRequest.SET_VRING_NUM.code(), VhostUser.VERSION, VhostUser.MAX_PAYLOAD + 1);
                awaitEnd(f);
            });
            assertThat(log).contains("closing the vhost-user connection", "exceeds " + VhostUser.MAX_PAYLOAD);
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void aSizeFieldThatLiesAndAConnectionClosedMidMessage() throws Exception {
        // The header promises 40 bytes and a descriptor comes with it; 10 bytes arrive, then the front-end is gone.
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            int before = memfdMappings("vhost-test-ram");
            String log = capturingLog(() -> {
                Connection c = f.client.connection();
                sendRaw(c, FrontendRequest.SET_MEM_TABLE.code(), VhostUser.VERSION, 40, new byte[10], f.ram.fd().num());
                SocketCalls.shutdown(c.socket().num(), SocketCalls.SHUT_WR);
                awaitEnd(f);
            });
            assertThat(log).contains("connection closed in the middle of a message");
            assertThat(memfdMappings("vhost-test-ram")).as("nothing mapped").isEqualTo(before);
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void aBadHeaderClosesTheConnectionWithALoggedReason() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            String log = capturingLog(() -> {
                sendHeader(f.client.connection(), FrontendRequest.GET_FEATURES.code(), 2, 0); // version 2
                awaitEnd(f);
            });
            assertThat(log).contains("closing the vhost-user connection: unsupported vhost-user version 2");
        }
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            sendHeader(f.client.connection(), FrontendRequest.GET_FEATURES.code(), VhostUser.VERSION | VhostUser.FLAG_REPLY, 0);
            awaitEnd(f);
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void unknownAndUnsupportedRequestCodesAreRefused() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.negotiate(VERSION_1);
            Connection c = f.client.connection();
            assertThat(ack(c, 0, new byte[0])).isEqualTo(1);
            assertThat(ack(c, 99, new byte[8])).isEqualTo(1);
            assertThat(ack(c, -1, new byte[0])).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.VRING_KICK.code(), new byte[8])).as("in-band kicks not offered").isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_LOG_BASE.code(), new byte[16])).isEqualTo(1);
            assertThat(f.client.getQueueNum()).isEqualTo(1);
        }
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            // without REPLY_ACK an unknown request ends the connection
            sendRaw(f.client.connection(), 77, VhostUser.VERSION, 0, new byte[0]);
            awaitEnd(f);
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void missingDescriptorsAreRefusedAndExtraOnesClosed() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice());
             Fd e1 = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
             Fd e2 = EventCalls.eventfd(EventCalls.EFD_CLOEXEC)) {
            f.negotiate(VERSION_1);
            Connection c = f.client.connection();
            int fdsBefore = FdLeakCheck.openFds().size();
            // SET_VRING_KICK without a descriptor and without the no-fd flag
            assertThat(ack(c, FrontendRequest.SET_VRING_KICK.code(), u64(0))).isEqualTo(1);
            // a descriptor on a request that takes none, two on one that takes one
            assertThat(ack(c, FrontendRequest.SET_VRING_NUM.code(), state(0, 64), e1.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.GET_FEATURES.code(), new byte[0], e1.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_VRING_CALL.code(), u64(0), e1.num(), e2.num())).isEqualTo(1);
            // the no-fd flag with a descriptor anyway
            assertThat(ack(c, FrontendRequest.SET_VRING_CALL.code(), u64(VhostUser.VRING_NOFD_MASK), e1.num())).isEqualTo(1);
            // kick, call and error descriptors that are not eventfds (a kick from /dev/zero would never run dry)
            try (Fd zero = Fd.adopt(dev.vireo.sys.FsCalls.openat(dev.vireo.sys.FsCalls.AT_FDCWD, "/dev/zero",
                    dev.vireo.sys.FsCalls.O_RDONLY | dev.vireo.sys.FsCalls.O_CLOEXEC, 0), "/dev/zero")) {
                assertThat(ack(c, FrontendRequest.SET_VRING_KICK.code(), u64(0), zero.num())).isEqualTo(1);
                assertThat(ack(c, FrontendRequest.SET_VRING_CALL.code(), u64(0), f.ram.fd().num())).isEqualTo(1);
                assertThat(ack(c, FrontendRequest.SET_VRING_ERR.code(), u64(0), c.socket().num())).isEqualTo(1);
            }
            // a memory table of one region with two descriptors, and with none
            byte[] table = table(new long[] {0, TestFrontend.RAM, TestFrontend.USER_BASE, 0});
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table, f.ram.fd().num(), e1.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table)).isEqualTo(1);
            assertThat(FdLeakCheck.openFds().size()).as("every received descriptor was closed").isEqualTo(fdsBefore);
            assertThat(f.client.getQueueNum()).isEqualTo(1);
        }
    }

    @Test
    void moreDescriptorsThanAnyMessageCarriesCloseTheConnection() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            Fd[] many = new Fd[VhostUser.MAX_FDS + 1];
            int[] nums = new int[many.length];
            for (int i = 0; i < many.length; i++) {
                many[i] = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
                nums[i] = many[i].num();
            }
            try {
                String log = capturingLog(() -> {
                    sendRaw(f.client.connection(), FrontendRequest.SET_MEM_TABLE.code(), VhostUser.VERSION, 8, new byte[8], nums);
                    awaitEnd(f);
                });
                assertThat(log).contains("more than " + VhostUser.MAX_FDS + " file descriptors");
            } finally {
                for (Fd fd : many) {
                    fd.close();
                }
            }
            assertThat(f.serverFailure).isNull();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Memory regions

    @Test
    void regionsThatOverlapOverflowOrRunPastTheirFileAreRefusedAndNothingStaysMapped() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice());
             Fd small = MemCalls.memfdCreate("vhost-small", MemCalls.MFD_CLOEXEC);
             Fd notMappable = EventCalls.eventfd(EventCalls.EFD_CLOEXEC)) {
            dev.vireo.sys.FdCalls.ftruncate(small.num(), 8192);
            f.negotiate(VERSION_1);
            Connection c = f.client.connection();
            int ram = f.ram.fd().num();
            long big = TestFrontend.RAM;
            long user = TestFrontend.USER_BASE;
            // overlapping in guest space, then in user space
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(),
                    table(new long[] {0, 8192, user, 0}, new long[] {4096, 8192, user + 0x100000, 0}), ram, ram)).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(),
                    table(new long[] {0, 8192, user, 0}, new long[] {0x100000, 8192, user + 4096, 0}), ram, ram)).isEqualTo(1);
            // guest and user ranges that wrap around 2^64, a size of 0, an mmap offset + size past 2^63
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table(new long[] {-4096, 8192, user, 0}), ram)).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table(new long[] {0, 8192, -4096, 0}), ram)).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table(new long[] {0, 0, user, 0}), ram)).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table(new long[] {0, 8192, user, Long.MAX_VALUE - 4096}), ram)).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table(new long[] {0, -8192, user & 0xFFFF, 0}), ram)).isEqualTo(1);
            // past the end of the file: too big, and an offset that pushes it over
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table(new long[] {0, 16384, user, 0}), small.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table(new long[] {0, 8192, user, 4096}), small.num())).isEqualTo(1);
            // a descriptor that cannot be mapped at all (mmap fails: a refused request, not a dead back-end)
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), table(new long[] {0, 8192, user, 0}), notMappable.num())).isEqualTo(1);
            // counts outside 1..8
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), new byte[8])).isEqualTo(1);
            byte[] nine = new byte[8 + 9 * 32];
            nine[0] = 9;
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(), nine)).isEqualTo(1);
            // the second region of a table fails after the first was mapped: the first is unmapped again
            assertThat(ack(c, FrontendRequest.SET_MEM_TABLE.code(),
                    table(new long[] {0, big, user, 0}, new long[] {big, 16384, user + big, 0}), ram, small.num())).isEqualTo(1);
            assertThat(memfdMappings("vhost-small")).as("no mapping of a refused region").isZero();
            assertThat(memfdMappings("vhost-test-ram")).as("the front-end's and the current table's mappings only").isEqualTo(2);

            // with memory in place: ADD_MEM_REG overlapping it, past its file, unmappable
            f.client.setMemTable(new MemoryTable(List.of(new MemoryRegionDescription(0, big, user, 0))), ram);
            assertThat(ack(c, FrontendRequest.ADD_MEM_REG.code(), single(4096, 4096, user + 2 * big, 0), small.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.ADD_MEM_REG.code(), single(2 * big, 4096, user + 4096, 0), small.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.ADD_MEM_REG.code(), single(2 * big, 16384, user + 2 * big, 0), small.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.ADD_MEM_REG.code(), single(2 * big, 4096, user + 2 * big, 0), notMappable.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.REM_MEM_REG.code(), single(2 * big, 4096, user + 2 * big, 0))).as("not there").isEqualTo(1);
            // a good one is added and removed again
            assertThat(ack(c, FrontendRequest.ADD_MEM_REG.code(), single(2 * big, 8192, user + 2 * big, 0), small.num())).isZero();
            assertThat(memfdMappings("vhost-small")).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.REM_MEM_REG.code(), single(2 * big, 8192, user + 2 * big, 0))).isZero();
            assertThat(memfdMappings("vhost-small")).as("removed region unmapped").isZero();
            assertThat(memfdMappings("vhost-test-ram")).isEqualTo(2);
            assertThat(f.serverFailure).isNull();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Rings

    @Test
    void ringsOutsideMappedMemoryAndQueuesThatDoNotExistAreRefused() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice());
             Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC)) {
            f.negotiate(VERSION_1);
            Connection c = f.client.connection();
            long user = TestFrontend.USER_BASE;
            long end = user + TestFrontend.RAM;
            // queue indexes the device does not have, in every ring request
            assertThat(ack(c, FrontendRequest.SET_VRING_NUM.code(), state(1, 64))).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_VRING_BASE.code(), state(7, 0))).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_VRING_ENABLE.code(), state(255, 1))).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_VRING_ADDR.code(), address(3, user, user + 4096, user + 8192))).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_VRING_KICK.code(), u64(200), kick.num())).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_VRING_CALL.code(), u64(1 | VhostUser.VRING_NOFD_MASK))).isEqualTo(1);
            assertThat(ack(c, FrontendRequest.SET_VRING_ERR.code(), u64(2), kick.num())).isEqualTo(1);
            c.send(FrontendRequest.GET_VRING_BASE.code(), REQUEST, VringState.SIZE, p -> new VringState(-1, 0).write(p));
            assertThat(u64Reply(c)).isEqualTo(1);

            // rings that start inside memory but run past its end; one wholly outside
            f.client.setVringNum(0, 256);
            f.client.setVringBase(0, 0);
            f.client.setVringKick(0, kick.num());
            long[][] bad = {
                {end - 16, user + 0x10000, user + 0x20000},      // 4 KiB descriptor table from 16 bytes before the end
                {user + 0x10000, end - 2, user + 0x20000},       // available ring
                {user + 0x10000, user + 0x20000, end - 8},       // used ring
                {end, user + 0x20000, user + 0x30000},           // just past the end
                {user - 4096, user + 0x20000, user + 0x30000},   // just before the start
            };
            for (long[] a : bad) {
                f.client.setVringAddr(new VringAddress(0, 0, a[0], a[1], a[2], 0));
                assertThatThrownBy(() -> f.client.setVringEnable(0, true)).as("ring at %x %x %x", a[0], a[1], a[2])
                        .isInstanceOf(MessageException.class);
                f.client.setVringEnable(0, false);
            }
            // misaligned rings (virtio 1.2 §2.7: descriptor table 16, available 2, used 4)
            f.client.setVringAddr(new VringAddress(0, 0, user + 0x10008, user + 0x20000, user + 0x30000, 0));
            assertThatThrownBy(() -> f.client.setVringEnable(0, true)).isInstanceOf(MessageException.class);
            f.client.setVringEnable(0, false);
            // a non-power-of-two size for a split ring
            f.client.setVringAddr(new VringAddress(0, 0, user + 0x10000, user + 0x20000, user + 0x30000, 0));
            f.client.setVringNum(0, 100);
            assertThatThrownBy(() -> f.client.setVringEnable(0, true)).isInstanceOf(MessageException.class);
            assertThat(f.client.getQueueNum()).isEqualTo(1);
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void aRingMustLieInsideOneRegionOfTheFrontEndsAddressSpace() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice());
             Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC)) {
            f.negotiate(VERSION_1);
            // two halves of the RAM, contiguous in guest space, swapped in user space
            long half = TestFrontend.RAM / 2;
            long user = TestFrontend.USER_BASE;
            f.client.setMemTable(new MemoryTable(List.of(new MemoryRegionDescription(0, half, user + half, 0),
                    new MemoryRegionDescription(half, half, user, half))), f.ram.fd().num(), f.ram.fd().num());
            f.client.setVringNum(0, 256);
            f.client.setVringBase(0, 0);
            f.client.setVringKick(0, kick.num());
            // the descriptor table starts 16 bytes before the end of the user range: in guest space
            // it would continue into the other region, but not in the front-end's memory. Refused
            // twice over: the ring's user range is translated whole, and the guest range behind it
            // may not cross regions either (GuestMemory)
            f.client.setVringAddr(new VringAddress(0, 0, user + 2 * half - 16, user + 0x10000, user + 0x20000, 0));
            assertThatThrownBy(() -> f.client.setVringEnable(0, true)).isInstanceOf(MessageException.class);
            f.client.setVringEnable(0, false);
            f.client.setVringAddr(new VringAddress(0, 0, user + 0x30000, user + 0x10000, user + 0x20000, 0));
            f.client.setVringEnable(0, true);
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void aDeviceThatRefusesToStartIsARefusedRequestNotADeadBackEnd() throws Exception {
        GatedDevice device = new GatedDevice(new RngDevice());
        device.failActivation = true;
        try (TestFrontend f = new TestFrontend(device)) {
            f.negotiate(VERSION_1);
            f.addQueue(0, 64, false);
            assertThatThrownBy(() -> f.client.setVringEnable(0, true)).isInstanceOf(MessageException.class);
            assertThat(f.client.getQueueNum()).isEqualTo(1);
            assertThat(f.serverFailure).isNull();
        }
        assertThat(memfdMappings("vhost-test-ram")).isZero();
    }

    @Test
    void aKickForAQueueNeverSetUpIsKeptUntilTheQueueRuns() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice());
             Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
             Fd call = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK)) {
            f.negotiate(VERSION_1);
            // a kick descriptor and an enable for a ring that has no size and no addresses: nothing runs
            f.client.setVringKick(0, kick.num());
            f.client.setVringCall(0, call.num());
            f.client.setVringEnable(0, true);
            EventCalls.eventfdWrite(kick.num(), 1);
            assertThat(f.client.getQueueNum()).isEqualTo(1);
            // a buffer made available before the ring was described, then the ring is completed
            SplitDriverQueue q = new SplitDriverQueue(f.alloc, 16, false);
            long buf = f.alloc.alloc(64);
            int id = q.add(Buffer.out(buf, 64));
            var cfg = q.config();
            f.client.setVringNum(0, 16);
            f.client.setVringAddr(new VringAddress(0, 0, TestFrontend.USER_BASE + cfg.descriptorArea(),
                    TestFrontend.USER_BASE + cfg.deviceArea(), TestFrontend.USER_BASE + cfg.driverArea(), 0));
            // the kick given while the ring was incomplete is still counted in the eventfd: served now
            f.client.setVringKick(0, kick.num());
            for (int i = 0; i < 100 && q.usedIdx() == 0; i++) {
                Thread.sleep(20);
            }
            assertThat(q.pollUsed()).isEqualTo(new DriverQueue.Used(id, 64));
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void configAccessesAnywhereInTheWindowAreAnsweredAndOutsideItRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("disk"), new byte[1 << 16]);
        try (var blk = new dev.vireo.virtio.devices.block.BlockDevice(dev.vireo.virtio.devices.block.BlockOptions.of(image));
             TestFrontend f = new TestFrontend(blk)) {
            f.negotiate(VERSION_1);
            Connection c = f.client.connection();
            for (int offset = 0; offset <= VhostUser.MAX_CONFIG_SIZE; offset += 7) {
                int size = VhostUser.MAX_CONFIG_SIZE - offset;
                assertThat(f.client.getConfig(offset, size)).hasSize(size);
                byte[] set = new byte[12 + size];
                MemorySegment.ofArray(set).set(JAVA_INT_UNALIGNED, 0, offset);
                MemorySegment.ofArray(set).set(JAVA_INT_UNALIGNED, 4, size);
                java.util.Arrays.fill(set, 12, set.length, (byte) 0x5a);
                assertThat(ack(c, FrontendRequest.SET_CONFIG.code(), set)).isZero();
            }
            assertThat(java.nio.ByteBuffer.wrap(f.client.getConfig(0, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
                    .as("read-only capacity unchanged by the writes").isEqualTo(128);
            byte[] outside = new byte[12 + 8];
            MemorySegment.ofArray(outside).set(JAVA_INT_UNALIGNED, 0, VhostUser.MAX_CONFIG_SIZE - 4);
            MemorySegment.ofArray(outside).set(JAVA_INT_UNALIGNED, 4, 8);
            assertThat(ack(c, FrontendRequest.SET_CONFIG.code(), outside)).isEqualTo(1);
            MemorySegment.ofArray(outside).set(JAVA_INT_UNALIGNED, 0, -1);
            assertThat(ack(c, FrontendRequest.SET_CONFIG.code(), outside)).isEqualTo(1);
            c.send(FrontendRequest.GET_CONFIG.code(), REQUEST, 12, p -> {
                p.set(JAVA_INT_UNALIGNED, 0, 0);
                p.set(JAVA_INT_UNALIGNED, 4, 1 << 20);
                p.set(JAVA_INT_UNALIGNED, 8, 0);
            });
            assertThat(u64Reply(c)).isEqualTo(1);
            assertThat(f.serverFailure).isNull();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Memory changes while the device runs

    @Test
    void aMemoryTableWhileRunningStopsTheDeviceRemapsAndResumesWithoutLeakingTheOldMapping() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.negotiate(VERSION_1);
            SplitDriverQueue q = f.addQueue(0, 64, false);
            f.client.setVringEnable(0, true);
            long buf = f.alloc.alloc(256);
            int id = q.add(Buffer.out(buf, 256));
            f.kick(0);
            assertThat(f.awaitUsed(0, 5000)).isEqualTo(new DriverQueue.Used(id, 256));
            assertThat(memfdMappings("vhost-test-ram")).isEqualTo(2);
            for (int i = 0; i < 3; i++) {
                f.client.setMemTable(new MemoryTable(List.of(new MemoryRegionDescription(0, TestFrontend.RAM, TestFrontend.USER_BASE, 0))),
                        f.ram.fd().num());
                assertThat(memfdMappings("vhost-test-ram")).as("the replaced mapping is gone").isEqualTo(2);
            }
            int id2 = q.add(Buffer.out(buf, 32));
            f.kick(0);
            assertThat(f.awaitUsed(0, 5000)).as("resumed from where it stopped").isEqualTo(new DriverQueue.Used(id2, 32));
        }
        assertThat(memfdMappings("vhost-test-ram")).as("everything unmapped after the session").isZero();
    }

    // ------------------------------------------------------------------------------------------
    // A front-end that vanishes

    @Test
    void aFrontEndThatVanishesWhileTheDeviceProcessesAChain() throws Exception {
        GatedDevice device = new GatedDevice(new RngDevice());
        try (TestFrontend f = new TestFrontend(device)) {
            f.negotiate(VERSION_1);
            SplitDriverQueue q = f.addQueue(0, 64, false);
            f.client.setVringEnable(0, true);
            long buf = f.alloc.alloc(4096);
            q.add(Buffer.out(buf, 4096));
            f.kick(0);
            device.inNotify.await();
            vanish(f); // the front-end is gone while the device works on the queue
            f.server.join(300);
            assertThat(f.server.isAlive()).as("the session waits for the running handler before unmapping").isTrue();
            assertThat(memfdMappings("vhost-test-ram")).isEqualTo(2);
            device.release.countDown();
            f.server.join(10_000);
            assertThat(f.server.isAlive()).isFalse();
            assertThat(q.usedIdx()).as("the chain completed into still-mapped memory").isEqualTo(1);
            assertThat(memfdMappings("vhost-test-ram")).as("then the back-end's mapping went").isEqualTo(1);
            assertThat(f.serverFailure).isNull();
        }
    }

    @Test
    void aFrontEndThatVanishesBeforeItsReply() throws Exception {
        GatedDevice device = new GatedDevice(new RngDevice());
        device.gateActivation = true;
        try (TestFrontend f = new TestFrontend(device)) {
            f.negotiate(VERSION_1);
            f.addQueue(0, 64, false);
            Connection c = f.client.connection();
            // no ack asked: the enable activates the device, which is held while the front-end asks and leaves
            c.send(FrontendRequest.SET_VRING_ENABLE.code(), VhostUser.VERSION, VringState.SIZE, p -> new VringState(0, 1).write(p));
            device.inActivate.await();
            c.send(FrontendRequest.GET_FEATURES.code(), VhostUser.VERSION, 0, null);
            vanish(f);
            String log = capturingLog(() -> {
                device.release.countDown();
                f.server.join(10_000);
            });
            assertThat(f.server.isAlive()).isFalse();
            assertThat(f.serverFailure).as("a reply nobody can receive ends the session, not the daemon").isNull();
            assertThat(log).contains("went away before the reply to GET_FEATURES");
        }
        assertThat(memfdMappings("vhost-test-ram")).isZero();
    }

    @Test
    void aFrontEndThatClosesWithItsReplyUnreadEndsTheSessionNotTheDaemon() throws Exception {
        // Closing a Unix socket with unread data makes the peer's next read fail with ECONNRESET.
        Fd[] pair = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
        Throwable[] failure = new Throwable[1];
        Thread server = Thread.ofPlatform().start(() -> {
            try {
                new dev.vireo.vhost.backend.VhostUserBackend(new RngDevice()).serve(new Connection(pair[1], Connection.Side.BACKEND));
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        Connection front = new Connection(pair[0], Connection.Side.FRONTEND);
        String log = capturingLog(() -> {
            sendHeader(front, FrontendRequest.GET_FEATURES.code(), VhostUser.VERSION, 0);
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment pfd = arena.allocate(dev.vireo.sys.abi.Pollfd.LAYOUT);
                dev.vireo.sys.abi.Pollfd.set(pfd, 0, front.socket().num(), EventCalls.POLLIN);
                assertThat(EventCalls.poll(pfd, 1, 5000)).as("the reply arrived").isEqualTo(1);
            }
            front.close(); // with the reply unread
            server.join(10_000);
        });
        assertThat(server.isAlive()).isFalse();
        assertThat(failure[0]).as("no exception out of serve()").isNull();
        assertThat(log).contains("closing the vhost-user connection");
    }

    // ------------------------------------------------------------------------------------------

    /** A device whose kick handler (and optionally activation) waits for the test. */
    static final class GatedDevice implements dev.vireo.virtio.device.VirtioDevice {
        final dev.vireo.virtio.device.VirtioDevice inner;
        final CountDownLatch inNotify = new CountDownLatch(1);
        final CountDownLatch inActivate = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean gateActivation;
        volatile boolean failActivation;

        GatedDevice(dev.vireo.virtio.device.VirtioDevice inner) {
            this.inner = inner;
        }

        private void hold(CountDownLatch entered) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override public int deviceType() { return inner.deviceType(); }
        @Override public long offeredFeatures() { return inner.offeredFeatures(); }
        @Override public int queueCount() { return inner.queueCount(); }
        @Override public int maxQueueSize(int queue) { return inner.maxQueueSize(queue); }
        @Override public int configSize() { return inner.configSize(); }
        @Override public void readConfig(long offset, MemorySegment dst) { inner.readConfig(offset, dst); }
        @Override public void writeConfig(long offset, MemorySegment src) { inner.writeConfig(offset, src); }
        @Override public void reset() { inner.reset(); }

        @Override
        public void activate(dev.vireo.virtio.device.Activation activation) {
            if (gateActivation) {
                hold(inActivate);
            }
            if (failActivation) {
                throw new NullPointerException("a device bug");
            }
            inner.activate(activation);
        }

        @Override
        public void queueNotify(int queue) {
            hold(inNotify);
            inner.queueNotify(queue);
        }
    }

    /** Sends a request asking for an acknowledgement and returns the reply's u64 (0 success, 1 refused). */
    static long ack(Connection c, int code, byte[] payload, int... fds) {
        sendRaw(c, code, REQUEST, payload.length, payload, fds);
        return u64Reply(c);
    }

    static long u64Reply(Connection c) {
        try (Message m = c.receive()) {
            assertThat(m).as("a reply, not a closed connection").isNotNull();
            return U64.parse(m.payload());
        }
    }

    /** A header with {@code size} and then {@code payload} (which may be shorter: a lying size field). */
    static void sendRaw(Connection c, int code, int flags, int size, byte[] payload, int... fds) {
        byte[] all = new byte[VhostUser.HEADER_SIZE + payload.length];
        MemorySegment s = MemorySegment.ofArray(all);
        s.set(JAVA_INT_UNALIGNED, 0, code);
        s.set(JAVA_INT_UNALIGNED, 4, flags);
        s.set(JAVA_INT_UNALIGNED, 8, size);
        System.arraycopy(payload, 0, all, VhostUser.HEADER_SIZE, payload.length);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(all.length);
            native_.copyFrom(s);
            long sent = SocketCalls.sendWithFds(c.socket().num(), native_, fds);
            assertThat(sent).isEqualTo(all.length);
        }
    }

    static void sendHeader(Connection c, int code, int flags, int size) {
        sendRaw(c, code, flags, size, new byte[0]);
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        MemorySegment.ofArray(b).set(JAVA_LONG_UNALIGNED, 0, v);
        return b;
    }

    static byte[] state(int index, int num) {
        byte[] b = new byte[8];
        MemorySegment.ofArray(b).set(JAVA_INT_UNALIGNED, 0, index);
        MemorySegment.ofArray(b).set(JAVA_INT_UNALIGNED, 4, num);
        return b;
    }

    static byte[] address(int index, long desc, long used, long avail) {
        byte[] b = new byte[VringAddress.SIZE];
        MemorySegment s = MemorySegment.ofArray(b);
        s.set(JAVA_INT_UNALIGNED, 0, index);
        s.set(JAVA_LONG_UNALIGNED, 8, desc);
        s.set(JAVA_LONG_UNALIGNED, 16, used);
        s.set(JAVA_LONG_UNALIGNED, 24, avail);
        return b;
    }

    /** A SET_MEM_TABLE payload of raw regions {guest, size, user, mmap offset} (unchecked). */
    static byte[] table(long[]... regions) {
        byte[] b = new byte[8 + 32 * regions.length];
        MemorySegment s = MemorySegment.ofArray(b);
        s.set(JAVA_INT_UNALIGNED, 0, regions.length);
        for (int i = 0; i < regions.length; i++) {
            for (int j = 0; j < 4; j++) {
                s.set(JAVA_LONG_UNALIGNED, 8 + 32L * i + 8L * j, regions[i][j]);
            }
        }
        return b;
    }

    /** An ADD_MEM_REG/REM_MEM_REG payload (8 bytes of padding, one region). */
    static byte[] single(long guest, long size, long user, long offset) {
        byte[] t = table(new long[] {guest, size, user, offset});
        t[0] = 0;
        return t;
    }

    /** How many mappings of memfd {@code name} this process has. */
    static int memfdMappings(String name) throws IOException {
        int n = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains("/memfd:" + name + " ")) {
                n++;
            }
        }
        return n;
    }

    /** The front-end disappears: its socket is shut down both ways (TestFrontend closes it later). */
    private static void vanish(TestFrontend f) {
        SocketCalls.shutdown(f.client.connection().socket().num(), SocketCalls.SHUT_RDWR);
    }

    private static void awaitEnd(TestFrontend f) throws InterruptedException {
        f.server.join(10_000);
        assertThat(f.server.isAlive()).as("the back-end ended the connection").isFalse();
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action} with the log captured (warnings are rate-limited: the window is let pass first). */
    static String capturingLog(Action action) throws Exception {
        Thread.sleep(1100);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Log.redirect(tee);
        try {
            action.run();
        } finally {
            Log.redirect(System.err);
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        System.err.print(s);
        return s;
    }
}
