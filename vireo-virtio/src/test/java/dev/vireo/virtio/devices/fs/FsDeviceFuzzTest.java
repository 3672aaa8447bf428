package dev.vireo.virtio.devices.fs;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.abi.fuse.Fuse;
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
 * FUSE requests from fuzzed bytes, end to end through the virtio-fs device and a tiny FUSE server:
 * header fields (len right or wrong), arguments, how the request and the reply room are split into
 * descriptors, buffers outside guest memory, split or packed ring. Oracles: every request is
 * answered exactly once and the queue keeps working; the used length never exceeds the reply room;
 * a reply's fuse_out_header.len equals the used length; the server only ever sees requests whose
 * len matches their buffers.
 */
class FsDeviceFuzzTest {

    private static Fd file;

    private static synchronized int file() {
        if (file == null) {
            try {
                Path p = Files.createTempFile("vireo-fs-fuzz", ".bin");
                Files.write(p, new byte[64 * 1024]);
                file = Fd.adopt(FsCalls.open(p.toString(), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), p.toString());
                Files.delete(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file.num();
    }

    @FuzzTest(maxDuration = "10s")
    void requests(FuzzedDataProvider data) {
        TinyFuseServer server = new TinyFuseServer(file(), null);
        FuseRequestHandler checked = r -> {
            if (r.length() != r.in().totalLength()) {
                throw new AssertionError("the device passed a request whose len disagrees with its buffers: " + r);
            }
            server.handle(r);
        };
        MockDriver.Options o = MockDriver.Options.defaults().packed(data.consumeBoolean()).indirect(data.consumeBoolean())
                .eventIdx(data.consumeBoolean()).queueSize(32);
        try (MockDriver d = MockDriver.start(new FsDevice(new FsDevice.Options("fuzz", 1, 32), checked), o, FuzzMemory.ram())) {
            int n = data.consumeInt(1, 4);
            boolean[] wildSeen = new boolean[1];
            for (int k = 0; k < n; k++) {
                if (!one(d, data, wildSeen)) {
                    return;
                }
            }
            if (d.needsReset() && !wildSeen[0]) {
                throw new AssertionError("well-formed rings must not need a reset: " + d.control().problem());
            }
        }
    }

    /**
     * Sends one request and checks its answer; false when this or an earlier request of the
     * sequence had a reply buffer at a fuzzed address ({@code wildSeen}), which may lie over the
     * ring itself: the reply then rewrote the driver's ring, and the device rightly stopped the
     * queue instead of answering (the driver's doing: the sequence ends there).
     */
    private static boolean one(MockDriver d, FuzzedDataProvider data, boolean[] wildSeen) {
        int[] opcodes = {Fuse.FUSE_INIT, Fuse.FUSE_GETATTR, Fuse.FUSE_READ, Fuse.FUSE_WRITE, Fuse.FUSE_FORGET};
        int opcode = data.consumeBoolean() ? opcodes[data.consumeInt(0, opcodes.length - 1)] : data.consumeInt();
        byte[] args = data.consumeBytes(data.consumeInt(0, 300));
        int len = 40 + args.length;
        int declared = data.consumeInt(0, 7) == 0 ? data.consumeInt() : len;
        byte[] req = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN).putInt(declared).putInt(opcode)
                .putLong(data.consumeLong()).putLong(data.consumeLong()).putInt(0).putInt(0).putInt(0).putInt(0)
                .put(args).array();
        boolean wild = false; // a descriptor at a fuzzed address may overlap the others: no content oracle then
        int cut = data.consumeInt(0, len);
        long at = d.buffers().put(req);
        List<Buffer> el = new ArrayList<>();
        if (cut > 0) {
            el.add(Buffer.in(at, cut));
        }
        if (len - cut > 0) {
            boolean w = data.consumeInt(0, 15) == 0;
            wild |= w;
            el.add(Buffer.in(w ? FuzzMemory.address(data) : at + cut, len - cut));
        }
        int room = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 20) : data.consumeInt(0, 9000);
        long out = room > 0 ? d.buffers().alloc(room) : 0;
        int split = data.consumeInt(0, room);
        if (split > 0) {
            el.add(Buffer.out(out, split));
        }
        if (room - split > 0) {
            boolean w = data.consumeInt(0, 15) == 0;
            wild |= w;
            el.add(Buffer.out(w ? FuzzMemory.address(data) : out + split, room - split));
        }
        if (el.isEmpty()) {
            return true;
        }
        int id = d.queue(1).add(el, d.options().indirect());
        if (id < 0) {
            return true; // the ring is full of descriptors: not the device's business
        }
        d.kick(1);
        DriverQueue.Used used = d.queue(1).pollUsed();
        wildSeen[0] |= wild;
        if (used == null && wildSeen[0] && d.needsReset()) {
            return false;
        }
        if (used == null || used.id() != id) {
            throw new AssertionError("request not answered exactly once: " + used + " for " + id);
        }
        if (d.queue(1).pollUsed() != null) {
            throw new AssertionError("a second answer");
        }
        if (used.len() > room) {
            throw new AssertionError("used length " + used.len() + " beyond " + room + " bytes of reply room");
        }
        if (used.len() >= 16 && split >= 16 && !wild) {
            int replyLen = ByteBuffer.wrap(d.buffers().read(out, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (replyLen != used.len()) {
                throw new AssertionError("fuse_out_header.len " + replyLen + " but used length " + used.len());
            }
        }
        return true;
    }
}
