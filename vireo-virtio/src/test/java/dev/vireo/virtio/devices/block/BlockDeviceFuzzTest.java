package dev.vireo.virtio.devices.block;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.FuzzMemory;
import dev.vireo.virtio.testing.MockDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Block requests from fuzzed bytes through the block device against a 64 KiB image: types,
 * sectors, data sizes, discard/write-zeroes segments, descriptor splits, buffers outside guest
 * memory. Oracles: every request with a status byte is answered exactly once with OK, IOERR or
 * UNSUPP; the used length never exceeds the writable bytes; the image never grows.
 */
class BlockDeviceFuzzTest {

    private static Path image;
    private static BlockDevice device;

    private static synchronized BlockDevice device() {
        if (device == null) {
            try {
                image = Files.createTempFile("vireo-blk-fuzz", ".img");
                Files.write(image, new byte[64 * 1024]);
                image.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            device = new BlockDevice(BlockOptions.of(image).queueSize(64));
        }
        return device;
    }

    @FuzzTest(maxDuration = "10s")
    void requests(FuzzedDataProvider data) throws IOException {
        BlockDevice dev = device();
        MockDriver.Options o = MockDriver.Options.defaults().packed(data.consumeBoolean()).indirect(data.consumeBoolean())
                .eventIdx(data.consumeBoolean()).queueSize(64).deviceFeatures(-1L >>> 32);
        try (MockDriver d = MockDriver.start(dev, o, FuzzMemory.ram())) {
            int n = data.consumeInt(1, 4);
            for (int k = 0; k < n && one(d, data); k++) {
                // next request
            }
        }
        if (Files.size(image) != 64 * 1024) {
            throw new AssertionError("the image changed size: " + Files.size(image));
        }
    }

    /** Posts and checks one request; returns false when the queue (legitimately) stopped. */
    private static boolean one(MockDriver d, FuzzedDataProvider data) {
        boolean wild = false; // a descriptor at a fuzzed address may overlap the rings: the driver may break its own queue
        int[] types = {0, 1, 4, 8, 11, 13};
        int type = data.consumeBoolean() ? types[data.consumeInt(0, types.length - 1)] : data.consumeInt();
        long sector = data.consumeInt(0, 3) == 0 ? data.consumeLong() : data.consumeLong(0, 140);
        byte[] hdr = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(0).putLong(sector).array();
        List<Buffer> el = new ArrayList<>();
        int hdrLen = data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 16) : 16;
        el.add(Buffer.in(d.buffers().put(hdr), Math.max(1, hdrLen)));
        int outLen = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 5000) : 512 * data.consumeInt(0, 8);
        if (outLen > 0) {
            byte[] payload = data.consumeBytes(outLen);
            long at = d.buffers().put(payload.length == outLen ? payload : new byte[outLen]);
            boolean w = data.consumeInt(0, 15) == 0;
            wild |= w;
            el.add(Buffer.in(w ? FuzzMemory.address(data) : at, outLen));
        }
        int inLen = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 5000) : 512 * data.consumeInt(0, 8);
        if (inLen > 0) {
            long in = d.buffers().alloc(inLen);
            int split = data.consumeInt(0, inLen);
            if (split > 0) {
                el.add(Buffer.out(in, split));
            }
            if (inLen - split > 0) {
                boolean w = data.consumeInt(0, 15) == 0;
                wild |= w;
                el.add(Buffer.out(w ? FuzzMemory.address(data) : in + split, inLen - split));
            }
        }
        long status = d.buffers().alloc(1);
        d.buffers().write(status, new byte[] {(byte) 0xee});
        el.add(Buffer.out(status, 1));
        int id = d.queue(0).add(el, d.options().indirect());
        if (id < 0) {
            return false;
        }
        d.kick(0);
        DriverQueue.Used used = d.queue(0).pollUsed();
        if (wild && d.needsReset()) {
            return false; // the device wrote where the driver told it to: into the driver's own ring
        }
        if (used == null || used.id() != id || d.queue(0).pollUsed() != null) {
            throw new AssertionError("request not answered exactly once: " + used + " for " + id + "; " + d.control().describe());
        }
        int s = Byte.toUnsignedInt(d.buffers().read(status, 1)[0]);
        if (s > 2) {
            throw new AssertionError("status " + s);
        }
        if (used.len() > inLen + 1) {
            throw new AssertionError("used length " + used.len() + " beyond " + (inLen + 1) + " writable bytes");
        }
        return true;
    }
}
