package dev.vireo.virtio.devices.block;

import dev.vireo.sys.abi.virtio.VirtioBlkConfig;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import dev.vireo.virtio.testing.MockDriver.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.vireo.sys.abi.virtio.VirtioBlk.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The block device end to end, driven by the spec-written test driver, against a real image file. */
@ExtendWith(FdLeakCheck.class)
class BlockDeviceTest {

    private static final long ALL_BLK = Features.bit(VIRTIO_BLK_F_SEG_MAX) | Features.bit(VIRTIO_BLK_F_SIZE_MAX)
            | Features.bit(VIRTIO_BLK_F_BLK_SIZE) | Features.bit(VIRTIO_BLK_F_FLUSH) | Features.bit(VIRTIO_BLK_F_MQ)
            | Features.bit(VIRTIO_BLK_F_DISCARD) | Features.bit(VIRTIO_BLK_F_WRITE_ZEROES) | Features.bit(VIRTIO_BLK_F_RO);

    @TempDir
    Path dir;

    static Stream<Options> layouts() {
        List<Options> out = new ArrayList<>();
        for (boolean packed : new boolean[] {false, true}) {
            for (boolean eventIdx : new boolean[] {false, true}) {
                for (boolean indirect : new boolean[] {false, true}) {
                    out.add(Options.defaults().packed(packed).eventIdx(eventIdx).indirect(indirect)
                            .queueSize(64).deviceFeatures(ALL_BLK));
                }
            }
        }
        return out.stream();
    }

    private Path image(int bytes, byte[] content) throws IOException {
        Path p = dir.resolve("disk.img");
        byte[] b = new byte[bytes];
        if (content != null) {
            System.arraycopy(content, 0, b, 0, content.length);
        }
        Files.write(p, b);
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void writesReachTheImageAndReadsComeBack(Options o) throws IOException {
        Path img = image(1 << 20, null);
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img));
             MockDriver d = MockDriver.start(dev, o)) {
            BlockClient c = new BlockClient(d);
            c.segmentSize = 3000; // descriptors that do not line up with sectors or pages
            byte[] data = BlockClient.pattern(12 * 1024, 1);
            BlockClient.Result w = c.request(0, VIRTIO_BLK_T_OUT, 16, data, 0);
            assertThat(w.status()).isEqualTo(VIRTIO_BLK_S_OK);
            assertThat(w.usedLen()).isEqualTo(1);
            byte[] file = Files.readAllBytes(img);
            assertThat(Arrays.copyOfRange(file, 16 * 512, 16 * 512 + data.length)).isEqualTo(data);
            assertThat(file[16 * 512 - 1]).isZero();

            BlockClient.Result r = c.request(0, VIRTIO_BLK_T_IN, 16, null, data.length);
            assertThat(r.status()).isEqualTo(VIRTIO_BLK_S_OK);
            assertThat(r.usedLen()).isEqualTo(data.length + 1);
            assertThat(r.data()).isEqualTo(data);

            assertThat(c.request(0, VIRTIO_BLK_T_FLUSH, 0, null, 0).status()).isEqualTo(VIRTIO_BLK_S_OK);
            assertThat(d.needsReset()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void readsSeeWhatIsInTheImage(Options o) throws IOException {
        byte[] content = BlockClient.pattern(64 * 1024, 5);
        Path img = image(256 * 1024, content);
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img));
             MockDriver d = MockDriver.start(dev, o)) {
            BlockClient c = new BlockClient(d);
            BlockClient.Result r = c.request(0, VIRTIO_BLK_T_IN, 3, null, 8192);
            assertThat(r.status()).isEqualTo(VIRTIO_BLK_S_OK);
            assertThat(r.data()).isEqualTo(Arrays.copyOfRange(content, 3 * 512, 3 * 512 + 8192));
        }
    }

    @Test
    void configSpaceDescribesTheImage() throws IOException {
        Path img = image(10 * 1024 * 1024 + 300, null); // a tail shorter than a sector is not part of the disk
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img).queues(3).queueSize(128).blockSize(4096));
             MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(ALL_BLK))) {
            MemorySegment cfg = d.config();
            assertThat(VirtioBlkConfig.capacity(cfg)).isEqualTo(10 * 1024 * 2);
            assertThat(VirtioBlkConfig.segMax(cfg)).isEqualTo(126);
            assertThat(VirtioBlkConfig.sizeMax(cfg)).isEqualTo(1 << 20);
            assertThat(VirtioBlkConfig.blkSize(cfg)).isEqualTo(4096);
            assertThat(VirtioBlkConfig.numQueues(cfg)).isEqualTo(3);
            assertThat(VirtioBlkConfig.maxDiscardSeg(cfg)).isEqualTo(BlockDevice.MAX_SEGMENTS);
            assertThat(VirtioBlkConfig.discardSectorAlignment(cfg)).isEqualTo(8);
            assertThat(VirtioBlkConfig.writeZeroesMayUnmap(cfg)).isEqualTo(1);
            long f = d.control().driverFeatures();
            assertThat(Features.has(f, VIRTIO_BLK_F_MQ)).isTrue();
            assertThat(Features.has(f, VIRTIO_BLK_F_RO)).isFalse();
            assertThat(d.control().describe()).contains("BLK_F_FLUSH", "BLK_F_MQ", "VERSION_1", "DRIVER_OK");
            // Reads past the end of the space are zeros (§2.5).
            MemorySegment tail = java.lang.foreign.Arena.ofAuto().allocate(16);
            tail.fill((byte) 1);
            d.control().readConfig(dev.configSize() - 4, tail);
            assertThat(tail.asSlice(4).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsOnly(0);
        }
    }

    @Test
    void getIdReturnsTheSerialNulPadded() throws IOException {
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(image(4096, null)).serial("vireo-disk-7"));
             MockDriver d = MockDriver.start(dev, Options.defaults())) {
            BlockClient c = new BlockClient(d);
            BlockClient.Result r = c.request(0, VIRTIO_BLK_T_GET_ID, 0, null, 20);
            assertThat(r.status()).isEqualTo(VIRTIO_BLK_S_OK);
            assertThat(new String(r.data(), 0, 12)).isEqualTo("vireo-disk-7");
            assertThat(Arrays.copyOfRange(r.data(), 12, 20)).containsOnly(0);
            assertThat(r.usedLen()).isEqualTo(21);
        }
    }

    @Test
    void discardAndWriteZeroesLeaveZeros() throws IOException {
        byte[] content = BlockClient.pattern(256 * 1024, 9);
        Path img = image(256 * 1024, content);
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img));
             MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(ALL_BLK))) {
            BlockClient c = new BlockClient(d);
            byte[] segs = BlockClient.segments(new long[] {8, 16, 0}, new long[] {64, 8, 0});
            assertThat(c.request(0, VIRTIO_BLK_T_DISCARD, 0, segs, 0).status()).isEqualTo(VIRTIO_BLK_S_OK);
            byte[] zeroes = BlockClient.segments(new long[] {128, 8, 0}, new long[] {200, 16, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP});
            assertThat(c.request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, zeroes, 0).status()).isEqualTo(VIRTIO_BLK_S_OK);
            byte[] file = Files.readAllBytes(img);
            assertThat(file).hasSize(256 * 1024);
            for (long[] range : new long[][] {{8, 16}, {64, 8}, {128, 8}, {200, 16}}) {
                assertThat(Arrays.copyOfRange(file, (int) range[0] * 512, (int) (range[0] + range[1]) * 512)).containsOnly(0);
                BlockClient.Result r = c.request(0, VIRTIO_BLK_T_IN, range[0], null, (int) range[1] * 512);
                assertThat(r.data()).containsOnly(0);
            }
            // Outside the ranges the data is untouched.
            assertThat(Arrays.copyOfRange(file, 0, 8 * 512)).isEqualTo(Arrays.copyOfRange(content, 0, 8 * 512));
            assertThat(Arrays.copyOfRange(file, 24 * 512, 64 * 512)).isEqualTo(Arrays.copyOfRange(content, 24 * 512, 64 * 512));
        }
    }

    @Test
    void writeZeroesFallsBackWhereZeroRangeIsMissing() throws IOException {
        // tmpfs has no FALLOC_FL_ZERO_RANGE: the device punches and reallocates instead.
        Path shm = Files.createTempFile(Path.of("/dev/shm"), "vireo-blk", ".img");
        try {
            Files.write(shm, BlockClient.pattern(64 * 1024, 3));
            try (BlockDevice dev = new BlockDevice(BlockOptions.of(shm));
                 MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(ALL_BLK))) {
                BlockClient c = new BlockClient(d);
                byte[] zeroes = BlockClient.segments(new long[] {4, 8, 0});
                assertThat(c.request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, zeroes, 0).status()).isEqualTo(VIRTIO_BLK_S_OK);
                assertThat(Arrays.copyOfRange(Files.readAllBytes(shm), 4 * 512, 12 * 512)).containsOnly(0);
            }
        } finally {
            Files.deleteIfExists(shm);
        }
    }

    @Test
    void readOnlyDevicesRefuseWrites() throws IOException {
        byte[] content = BlockClient.pattern(64 * 1024, 2);
        Path img = image(64 * 1024, content);
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img).readOnly(true));
             MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(ALL_BLK))) {
            long f = d.control().driverFeatures();
            assertThat(Features.has(f, VIRTIO_BLK_F_RO)).isTrue();
            assertThat(Features.has(f, VIRTIO_BLK_F_DISCARD)).isFalse();
            BlockClient c = new BlockClient(d);
            assertThat(c.request(0, VIRTIO_BLK_T_OUT, 0, new byte[512], 0).status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(c.request(0, VIRTIO_BLK_T_DISCARD, 0, BlockClient.segments(new long[] {0, 1, 0}), 0).status())
                    .isEqualTo(VIRTIO_BLK_S_UNSUPP);
            assertThat(c.request(0, VIRTIO_BLK_T_IN, 0, null, 512).data()).isEqualTo(Arrays.copyOf(content, 512));
            assertThat(c.request(0, VIRTIO_BLK_T_FLUSH, 0, null, 0).status()).isEqualTo(VIRTIO_BLK_S_OK);
            assertThat(Files.readAllBytes(img)).isEqualTo(content);
        }
    }

    @Test
    void requestsOutsideTheDiskOrMisshapenAreIoErrors() throws IOException {
        Path img = image(64 * 1024, null); // 128 sectors
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img));
             MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(ALL_BLK))) {
            BlockClient c = new BlockClient(d);
            assertThat(c.request(0, VIRTIO_BLK_T_IN, 128, null, 512).status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(c.request(0, VIRTIO_BLK_T_IN, 127, null, 1024).status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(c.request(0, VIRTIO_BLK_T_OUT, -1L, new byte[512], 0).status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(c.request(0, VIRTIO_BLK_T_OUT, 0x7fff_ffff_ffff_ffffL, new byte[512], 0).status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(c.request(0, VIRTIO_BLK_T_OUT, 0, new byte[100], 0).status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(c.request(0, VIRTIO_BLK_T_IN, 0, null, 700).status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(c.request(0, VIRTIO_BLK_T_IN, 0, null, 700).usedLen()).isZero();
            assertThat(c.request(0, 77, 0, null, 0).status()).isEqualTo(VIRTIO_BLK_S_UNSUPP);
            assertThat(c.request(0, VIRTIO_BLK_T_DISCARD, 0, BlockClient.segments(new long[] {0, 1, 1}), 0).status())
                    .as("unmap on a discard").isEqualTo(VIRTIO_BLK_S_UNSUPP);
            assertThat(c.request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, BlockClient.segments(new long[] {0, 1, 4}), 0).status())
                    .as("unknown flag").isEqualTo(VIRTIO_BLK_S_UNSUPP);
            assertThat(c.request(0, VIRTIO_BLK_T_DISCARD, 0, BlockClient.segments(new long[] {120, 9, 0}), 0).status())
                    .isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(c.request(0, VIRTIO_BLK_T_DISCARD, 0, new byte[20], 0).status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(d.needsReset()).isFalse();
        }
    }

    @Test
    void aShortHeaderOrABufferOutsideGuestMemoryIsAnIoError() throws IOException {
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(image(64 * 1024, null)));
             MockDriver d = MockDriver.start(dev, Options.defaults())) {
            BlockClient c = new BlockClient(d);
            long status = d.buffers().alloc(1);
            long hdr = d.buffers().put(BlockClient.header(VIRTIO_BLK_T_IN, 0));
            BlockClient.Result r = c.submit(0, List.of(Buffer.in(hdr, 12), Buffer.out(status, 1)), 0, 0, status);
            assertThat(r.status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            r = c.submit(0, List.of(Buffer.in(hdr, 16), Buffer.out(0x7000_0000L, 512), Buffer.out(status, 1)), 0, 0, status);
            assertThat(r.status()).isEqualTo(VIRTIO_BLK_S_IOERR);
            assertThat(r.usedLen()).isZero();
            assertThat(d.needsReset()).isFalse();
        }
    }

    @Test
    void aRequestWithoutAStatusByteStopsTheQueue() throws IOException {
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(image(64 * 1024, null)));
             MockDriver d = MockDriver.start(dev, Options.defaults())) {
            long hdr = d.buffers().put(BlockClient.header(VIRTIO_BLK_T_FLUSH, 0));
            d.queue(0).add(Buffer.in(hdr, 16));
            d.kick(0);
            assertThat(d.needsReset()).isTrue();
            assertThat(d.interrupt().configCount()).isEqualTo(1);
            assertThat(d.queue(0).pollUsed()).isNull();
            assertThat(d.control().problem()).contains("no writable status byte");
            // Kicks are ignored until the driver resets the device.
            d.kick(0);
            assertThat(d.interrupt().configCount()).isEqualTo(1);
        }
    }

    @Test
    void aStatusByteOutsideGuestMemoryStopsTheQueue() throws IOException {
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(image(64 * 1024, null)));
             MockDriver d = MockDriver.start(dev, Options.defaults())) {
            long hdr = d.buffers().put(BlockClient.header(VIRTIO_BLK_T_FLUSH, 0));
            d.queue(0).add(Buffer.in(hdr, 16), Buffer.out(0x3000_0000L, 1));
            d.kick(0);
            assertThat(d.needsReset()).isTrue();
        }
    }

    @Test
    void everyQueueOfAMultiQueueDeviceWorks() throws IOException {
        Path img = image(1 << 20, null);
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img).queues(4));
             MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(ALL_BLK).eventIdx(true))) {
            BlockClient c = new BlockClient(d);
            for (int q = 0; q < 4; q++) {
                byte[] data = BlockClient.pattern(4096, q);
                assertThat(c.request(q, VIRTIO_BLK_T_OUT, q * 8L, data, 0).status()).isEqualTo(VIRTIO_BLK_S_OK);
            }
            for (int q = 0; q < 4; q++) {
                assertThat(c.request((q + 1) % 4, VIRTIO_BLK_T_IN, q * 8L, null, 4096).data()).isEqualTo(BlockClient.pattern(4096, q));
                assertThat(d.interrupt().usedCount(q)).isGreaterThan(0);
            }
        }
    }

    @Test
    void aBatchOfRequestsGetsOneInterrupt() throws IOException {
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(image(1 << 20, null)));
             MockDriver d = MockDriver.start(dev, Options.defaults().queueSize(32))) {
            long[] status = new long[8];
            for (int i = 0; i < 8; i++) {
                long hdr = d.buffers().put(BlockClient.header(VIRTIO_BLK_T_IN, i));
                status[i] = d.buffers().alloc(1);
                d.queue(0).add(Buffer.in(hdr, 16), Buffer.out(d.buffers().alloc(512), 512), Buffer.out(status[i], 1));
            }
            d.kick(0);
            assertThat(d.interrupt().usedCount(0)).isEqualTo(1);
            for (int i = 0; i < 8; i++) {
                assertThat(d.queue(0).pollUsed()).isNotNull();
                assertThat(d.buffers().read(status[i], 1)[0]).isEqualTo((byte) VIRTIO_BLK_S_OK);
            }
        }
    }

    @Test
    void transfersOfMoreThanIovMaxSegments() throws IOException {
        byte[] content = BlockClient.pattern(1 << 20, 4);
        Path img = image(1 << 20, content);
        try (BlockDevice dev = new BlockDevice(BlockOptions.of(img).queueSize(4096));
             MockDriver d = MockDriver.start(dev, Options.defaults().indirect(true).queueSize(4096))) {
            BlockClient c = new BlockClient(d);
            c.segmentSize = 512; // 1500 data descriptors: preadv must be split at IOV_MAX (1024)
            BlockClient.Result r = c.request(0, VIRTIO_BLK_T_IN, 10, null, 1500 * 512);
            assertThat(r.status()).isEqualTo(VIRTIO_BLK_S_OK);
            assertThat(r.data()).isEqualTo(Arrays.copyOfRange(content, 10 * 512, 10 * 512 + 1500 * 512));
            byte[] back = BlockClient.pattern(1500 * 512, 8);
            assertThat(c.request(0, VIRTIO_BLK_T_OUT, 0, back, 0).status()).isEqualTo(VIRTIO_BLK_S_OK);
            assertThat(Arrays.copyOf(Files.readAllBytes(img), back.length)).isEqualTo(back);
        }
    }
}
