package dev.vireo.vhost;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.MemCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.devices.block.BlockDevice;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.driver.SplitDriverQueue;
import dev.vireo.vhost.backend.VhostUserBackend;
import dev.vireo.vhost.proto.FrontendRequest;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MemoryTable;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.U64;
import dev.vireo.vhost.proto.VhostUser;
import dev.vireo.vhost.proto.VringState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** vireo's vhost-user back-end driven by a Java front-end over a socketpair, with real devices behind it. */
@ExtendWith(FdLeakCheck.class)
class BackendTest {

    private static final long VERSION_1 = 1L << Virtio.VIRTIO_F_VERSION_1;

    @Test
    void negotiationOffersExactlyWhatIsImplemented() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            long features = f.client.getFeatures();
            assertThat(features & (1L << VhostUser.F_PROTOCOL_FEATURES)).isNotZero();
            assertThat(features & VERSION_1).isNotZero();
            // An entropy device has no configuration space: no CONFIG.
            assertThat(f.client.getProtocolFeatures())
                    .isEqualTo(VhostUserBackend.PROTOCOL_FEATURES & ~(1L << VhostUser.PROTOCOL_F_CONFIG));
            f.negotiate(features);
            assertThat(f.client.getQueueNum()).isEqualTo(1);
            assertThat(f.client.getMaxMemSlots()).isEqualTo(VhostUser.MAX_MEM_SLOTS);
        }
    }

    @Test
    void configIsOfferedForADeviceWithAConfigurationSpaceUnlessTheFrontEndKeepsItsOwn(@TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("disk.img"), new byte[4096]);
        try (BlockDevice blk = new BlockDevice(dev.vireo.virtio.devices.block.BlockOptions.of(image));
             TestFrontend f = new TestFrontend(blk)) {
            assertThat(f.client.getProtocolFeatures()).isEqualTo(VhostUserBackend.PROTOCOL_FEATURES);
            assertThat(new VhostUserBackend(blk, false).protocolFeatures())
                    .isEqualTo(VhostUserBackend.PROTOCOL_FEATURES & ~(1L << VhostUser.PROTOCOL_F_CONFIG));
        }
        assertThat(new VhostUserBackend(new RngDevice(), true).protocolFeatures() & (1L << VhostUser.PROTOCOL_F_CONFIG)).isZero();
    }

    @Test
    void anEntropyRequestIsServedThroughTheRingsAndTheCallEventfd() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.negotiate(VERSION_1 | (1L << Virtio.VIRTIO_RING_F_EVENT_IDX));
            SplitDriverQueue q = f.addQueue(0, 64, true);
            f.client.setVringEnable(0, true);
            long buf = f.alloc.alloc(4096);
            int id = q.add(Buffer.out(buf, 4096));
            f.kick(0);
            assertThat(f.awaitCall(0, 5000)).as("call eventfd signalled").isPositive();
            assertThat(q.pollUsed()).isEqualTo(new DriverQueue.Used(id, 4096));
            Set<Byte> seen = new HashSet<>();
            for (byte b : f.alloc.read(buf, 4096)) {
                seen.add(b);
            }
            assertThat(seen.size()).isGreaterThan(200);

            // GET_VRING_BASE stops the ring and says where it stopped; the back-end resumes from a new base
            assertThat(f.client.getVringBase(0)).isEqualTo(1);
            int id2 = q.add(Buffer.out(buf, 16));
            f.kick(0);
            assertThat(f.awaitCall(0, 300)).as("a stopped ring is not processed").isZero();
            Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC);
            f.kicks.set(0, kick).close();
            f.client.setVringKick(0, kick.num());
            f.kick(0);
            assertThat(f.awaitUsed(0, 5000)).isEqualTo(new DriverQueue.Used(id2, 16));
        }
    }

    @Test
    void aBlockDeviceReadsAndWritesTheImageThroughGuestMemory(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("disk.img");
        byte[] content = new byte[1 << 20];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        Files.write(image, content);
        try (BlockDevice blk = new BlockDevice(dev.vireo.virtio.devices.block.BlockOptions.of(image));
             TestFrontend f = new TestFrontend(blk)) {
            f.negotiate(VERSION_1);
            byte[] config = f.client.getConfig(0, 8);
            assertThat(ByteBuffer.wrap(config).order(ByteOrder.LITTLE_ENDIAN).getLong()).as("capacity in sectors").isEqualTo(2048);
            SplitDriverQueue q = f.addQueue(0, 128, false);
            f.client.setVringEnable(0, true);

            // virtio_blk_outhdr {type IN=0, reserved, sector 8}, 4 KiB data, status byte
            long hdr = f.alloc.alloc(16);
            f.alloc.write(hdr, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(0).putLong(8).array());
            long data = f.alloc.alloc(4096);
            long status = f.alloc.alloc(1);
            f.alloc.write(status, new byte[] {(byte) 0xFF});
            int id = q.add(Buffer.in(hdr, 16), Buffer.out(data, 4096), Buffer.out(status, 1));
            f.kick(0);
            assertThat(f.awaitUsed(0, 5000)).isEqualTo(new DriverQueue.Used(id, 4097));
            assertThat(f.alloc.read(status, 1)[0]).as("VIRTIO_BLK_S_OK").isZero();
            assertThat(f.alloc.read(data, 4096)).isEqualTo(java.util.Arrays.copyOfRange(content, 4096, 8192));
        }
    }

    @Test
    void badRequestsAreRefusedWithAFailedAck() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.negotiate(VERSION_1);
            // queue index out of range, size not allowed, unknown bits, unsupported dirty logging
            assertThatThrownBy(() -> f.client.setVringNum(5, 64)).isInstanceOf(MessageException.class).hasMessageContaining("failed");
            assertThatThrownBy(() -> f.client.setVringNum(0, 0)).isInstanceOf(MessageException.class);
            assertThatThrownBy(() -> f.client.setVringNum(0, 1 << 20)).isInstanceOf(MessageException.class);
            assertThatThrownBy(() -> f.client.send(FrontendRequest.SET_VRING_CALL, U64.SIZE, p -> U64.write(p, 1L << 40)))
                    .isInstanceOf(MessageException.class);
            assertThatThrownBy(() -> f.client.setVringAddr(new dev.vireo.vhost.proto.VringAddress(0, 1, 0, 0, 0, 0)))
                    .isInstanceOf(MessageException.class);
            // features never offered
            assertThatThrownBy(() -> f.client.setFeatures(1L << 63)).isInstanceOf(MessageException.class);
            // a second SET_OWNER
            assertThatThrownBy(f.client::setOwner).isInstanceOf(MessageException.class);
            // a ring placed outside the front-end's memory: refused when the ring would start
            f.client.setVringNum(0, 64);
            f.client.setVringAddr(new dev.vireo.vhost.proto.VringAddress(0, 0, 0x1000, 0x2000, 0x3000, 0));
            try (Fd kick = EventCalls.eventfd(EventCalls.EFD_CLOEXEC)) {
                f.client.setVringKick(0, kick.num());
                assertThatThrownBy(() -> f.client.setVringEnable(0, true)).isInstanceOf(MessageException.class);
            }
            // and the connection still works
            assertThat(f.client.getQueueNum()).isEqualTo(1);
        }
    }

    @Test
    void withoutReplyAckABadRequestClosesTheConnection() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.client.setFeatures(VERSION_1 | (1L << VhostUser.F_PROTOCOL_FEATURES));
            f.client.setVringNum(9, 64); // no ack requested: the back-end closes
            f.server.join(5000);
            assertThat(f.server.isAlive()).isFalse();
            assertThat(f.serverFailure).isNull();
            assertThatThrownBy(f.client::getQueueNum).isInstanceOfAny(MessageException.class, dev.vireo.sys.SysException.class);
        }
    }

    @Test
    void aMemoryTableWithMissingOrExtraDescriptorsIsRefusedAndNothingLeaks() throws Exception {
        try (TestFrontend f = new TestFrontend(new RngDevice())) {
            f.client.setFeatures(VERSION_1 | (1L << VhostUser.F_PROTOCOL_FEATURES));
            f.client.setProtocolFeatures(1L << VhostUser.PROTOCOL_F_REPLY_ACK);
            MemoryTable table = new MemoryTable(List.of(new MemoryRegionDescription(0, TestFrontend.RAM, TestFrontend.USER_BASE, 0)));
            assertThatThrownBy(() -> f.client.setMemTable(table)).isInstanceOf(MessageException.class);
            assertThatThrownBy(() -> f.client.setMemTable(table, f.ram.fd().num(), f.ram.fd().num())).isInstanceOf(MessageException.class);
            try (Fd small = MemCalls.memfdCreate("small", MemCalls.MFD_CLOEXEC)) {
                assertThatThrownBy(() -> f.client.setMemTable(table, small.num())).isInstanceOf(MessageException.class);
            }
            f.client.setMemTable(table, f.ram.fd().num());
            // CONFIGURE_MEM_SLOTS requests without the protocol feature
            assertThatThrownBy(() -> f.client.send(FrontendRequest.ADD_MEM_REG, 40,
                    p -> new MemoryRegionDescription(1L << 32, 4096, 0x1000, 0).writeSingle(p), f.ram.fd().num()))
                    .isInstanceOf(MessageException.class);
            assertThatThrownBy(() -> f.client.send(FrontendRequest.SET_VRING_ENABLE, VringState.SIZE, p -> new VringState(0, 2).write(p)))
                    .isInstanceOf(MessageException.class);
        }
    }
}
