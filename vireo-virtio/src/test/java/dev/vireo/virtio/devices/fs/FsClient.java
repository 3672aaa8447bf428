package dev.vireo.virtio.devices.fs;

import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The guest's virtiofs driver in test code: frames FUSE requests as §5.11.6.1 lays them out. */
final class FsClient {

    record Reply(int usedLen, int len, int error, long unique, byte[] body) {
    }

    private final MockDriver driver;
    private long unique = 100;

    FsClient(MockDriver driver) {
        this.driver = driver;
    }

    /** A fuse_in_header followed by {@code args}; len is the total unless {@code lenOverride} >= 0. */
    static byte[] request(int opcode, long unique, long nodeid, byte[] args, long lenOverride) {
        int len = 40 + args.length;
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(lenOverride >= 0 ? (int) lenOverride : len).putInt(opcode).putLong(unique).putLong(nodeid)
                .putInt(0).putInt(0).putInt(1).putShort((short) 0).putShort((short) 0).put(args);
        return b.array();
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Posts a request on {@code queue} with {@code replyRoom} bytes of reply buffers; returns the buffer id. */
    int post(int queue, byte[] request, int replyRoom, long[] replyAt) {
        List<Buffer> el = new ArrayList<>();
        long at = driver.buffers().put(request);
        // Header and arguments in separate descriptors, as the Linux driver sends them.
        el.add(Buffer.in(at, Math.min(40, request.length)));
        if (request.length > 40) {
            el.add(Buffer.in(at + 40, request.length - 40));
        }
        if (replyRoom > 0) {
            long out = driver.buffers().alloc(replyRoom);
            replyAt[0] = out;
            el.add(Buffer.out(out, Math.min(16, replyRoom)));
            if (replyRoom > 16) {
                el.add(Buffer.out(out + 16, replyRoom - 16));
            }
        }
        return driver.queue(queue).add(el, driver.options().indirect());
    }

    /**
     * Sends {@code request} on {@code queue} as a driver that waits for each answer does: posts it,
     * kicks only if the device asks for it (on {@code kickThread}: a polling queue's process()
     * returns only when its poll ends), waits for the interrupt and takes the answer. Returns
     * whether it kicked.
     */
    boolean roundTrip(int queue, byte[] request, int replyRoom, java.util.concurrent.Executor kickThread) {
        int signalled = driver.interrupt().usedCount(queue);
        int id = post(queue, request, replyRoom, new long[1]);
        boolean kicked = driver.queue(queue).kickNeeded();
        if (kicked) {
            kickThread.execute(() -> driver.kick(queue));
        }
        if (!driver.interrupt().await(() -> driver.interrupt().usedCount(queue) > signalled, Duration.ofSeconds(20))) {
            throw new AssertionError("no interrupt for the answer to request " + id);
        }
        DriverQueue.Used used = driver.queue(queue).pollUsed();
        if (used == null || used.id() != id) {
            throw new AssertionError("answer " + used + " for request " + id);
        }
        return kicked;
    }

    Reply call(int queue, int opcode, long nodeid, byte[] args, int replyRoom) {
        long u = unique++;
        return call(queue, request(opcode, u, nodeid, args, -1), replyRoom);
    }

    Reply call(int queue, byte[] request, int replyRoom) {
        long[] at = new long[1];
        int id = post(queue, request, replyRoom, at);
        driver.kickIfNeeded(queue);
        DriverQueue.Used used = driver.awaitUsed(queue, Duration.ofSeconds(20));
        if (used == null || used.id() != id) {
            throw new AssertionError("request " + id + " not answered: " + used + "; " + driver.control().describe());
        }
        if (used.len() < 16) {
            return new Reply(used.len(), 0, 0, 0, new byte[0]);
        }
        ByteBuffer h = ByteBuffer.wrap(driver.buffers().read(at[0], used.len())).order(ByteOrder.LITTLE_ENDIAN);
        int len = h.getInt();
        int error = h.getInt();
        long uq = h.getLong();
        byte[] body = new byte[used.len() - 16];
        h.get(body);
        return new Reply(used.len(), len, error, uq, body);
    }
}
