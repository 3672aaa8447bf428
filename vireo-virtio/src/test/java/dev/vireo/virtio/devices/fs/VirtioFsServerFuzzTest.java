package dev.vireo.virtio.devices.fs;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.fuse.passthrough.PassthroughFs;
import dev.vireo.fuse.passthrough.PassthroughOptions;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzed FUSE requests through the whole virtio-fs stack as a guest reaches it: the device's
 * framing, {@link VirtioFsServer}'s hand-off to its worker pool (0 to 2 threads) and vireo-fuse's
 * dispatcher over a {@link PassthroughFs} of a scratch directory. Each input is a session: INIT,
 * then requests with fuzzed opcodes, node ids, arguments and descriptor splits, on the request or
 * the hiprio queue. Oracles: every request is answered exactly once (requests that take no reply
 * with length 0 or an error), within the reply room, with a fuse_out_header whose len is the used
 * length; the queues never need a reset; nothing outside the scratch directory appears; the
 * server stops cleanly.
 *
 * <p>Plain test runs replay the committed inputs in {@code VirtioFsServerFuzzTestInputs};
 * {@code JAZZER_FUZZ=1} runs a campaign.
 */
class VirtioFsServerFuzzTest {

    /** Removed by JUnit after the class (a campaign makes thousands of inputs, all in this one). */
    @TempDir
    static Path scratch;
    private static Path root;

    private static synchronized Path root() {
        if (root == null) {
            try {
                root = Files.createDirectories(scratch.resolve("share"));
                Files.writeString(root.resolve("file"), "0123456789".repeat(1000));
                Files.createDirectories(root.resolve("dir/sub"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    private static final int[] OPCODES = {Fuse.FUSE_LOOKUP, Fuse.FUSE_GETATTR, Fuse.FUSE_SETATTR, Fuse.FUSE_OPEN,
        Fuse.FUSE_READ, Fuse.FUSE_WRITE, Fuse.FUSE_CREATE, Fuse.FUSE_MKDIR, Fuse.FUSE_UNLINK, Fuse.FUSE_RMDIR,
        Fuse.FUSE_RENAME, Fuse.FUSE_OPENDIR, Fuse.FUSE_READDIRPLUS, Fuse.FUSE_RELEASE, Fuse.FUSE_FORGET,
        Fuse.FUSE_BATCH_FORGET, Fuse.FUSE_INTERRUPT, Fuse.FUSE_STATFS, Fuse.FUSE_DESTROY, Fuse.FUSE_INIT};

    @FuzzTest(maxDuration = "10s")
    void sessions(FuzzedDataProvider data) throws Exception {
        Path dir = root();
        VirtioFsServer server = new VirtioFsServer(() -> new PassthroughFs(dir,
                PassthroughOptions.defaults().withGroups(PassthroughOptions.Groups.EXTENSION)), SessionConfig.defaults(),
                data.consumeInt(0, 2), "fuzz");
        MockDriver.Options o = MockDriver.Options.defaults().packed(data.consumeBoolean()).indirect(true).queueSize(64);
        try {
            try (MockDriver d = MockDriver.start(new FsDevice(new FsDevice.Options("fuzz", 1, 64), server), o)) {
                byte[] init = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(data.consumeInt(26, 45))
                        .putInt(128 * 1024).putInt(data.consumeInt()).putInt(data.consumeInt()).array();
                one(d, 1, FsClient.request(Fuse.FUSE_INIT, 1, 0, init, -1), 256, 40, 16);
                int n = data.consumeInt(1, 12);
                for (int k = 0; k < n && data.remainingBytes() > 0; k++) {
                    int opcode = data.consumeInt(0, 9) == 0 ? data.consumeInt() : OPCODES[data.consumeInt(0, OPCODES.length - 1)];
                    long node = data.consumeBoolean() ? 1 : data.consumeLong() & 0xff;
                    byte[] args = data.consumeBytes(data.consumeInt(0, 200));
                    int room = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 40) : data.consumeInt(16, 8192);
                    int queue = neverReplies(opcode) && data.consumeBoolean() ? 0 : 1;
                    byte[] req = FsClient.request(opcode, 100 + k, node, args, data.consumeInt(0, 15) == 0 ? data.consumeInt() : -1);
                    one(d, queue, req, room, data.consumeInt(1, req.length), data.consumeInt(0, room));
                }
                if (d.needsReset()) {
                    throw new AssertionError("well-formed rings must not need a reset: " + d.control().problem());
                }
            }
        } finally {
            server.close();
        }
        try (var s = Files.list(dir.getParent())) {
            List<Path> outside = s.filter(p -> !p.equals(dir)).toList();
            if (!outside.isEmpty()) {
                throw new AssertionError("created outside the shared directory: " + outside);
            }
        }
    }

    private static boolean neverReplies(int opcode) {
        return opcode == Fuse.FUSE_FORGET || opcode == Fuse.FUSE_BATCH_FORGET || opcode == Fuse.FUSE_INTERRUPT;
    }

    private static void one(MockDriver d, int queue, byte[] req, int room, int cut, int split) {
        long at = d.buffers().put(req);
        List<Buffer> el = new ArrayList<>();
        el.add(Buffer.in(at, cut));
        if (req.length > cut) {
            el.add(Buffer.in(at + cut, req.length - cut));
        }
        long out = room > 0 ? d.buffers().alloc(room) : 0;
        if (split > 0) {
            el.add(Buffer.out(out, split));
        }
        if (room > split) {
            el.add(Buffer.out(out + split, room - split));
        }
        int id = d.queue(queue).add(el, true);
        if (id < 0) {
            return;
        }
        d.kick(queue);
        DriverQueue.Used used = d.awaitUsed(queue, Duration.ofSeconds(20));
        if (used == null || used.id() != id) {
            throw new AssertionError("request not answered exactly once: " + used + " for " + id);
        }
        if (used.len() > room) {
            throw new AssertionError("used length " + used.len() + " beyond " + room + " bytes of reply room");
        }
        if (used.len() >= 16) {
            ByteBuffer h = ByteBuffer.wrap(d.buffers().read(out, 16)).order(ByteOrder.LITTLE_ENDIAN);
            int len = h.getInt(0);
            int error = h.getInt(4);
            if (len != used.len()) {
                throw new AssertionError("fuse_out_header.len " + len + " but used length " + used.len());
            }
            if (error > 0 || error < -4095) {
                throw new AssertionError("error " + error + " out of range");
            }
        }
        if (d.queue(queue).pollUsed() != null) {
            throw new AssertionError("a second answer");
        }
    }
}
