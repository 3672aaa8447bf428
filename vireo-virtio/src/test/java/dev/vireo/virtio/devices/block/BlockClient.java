package dev.vireo.virtio.devices.block;

import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A virtio-blk driver in test code: builds requests as §5.2.6 lays them out and reads the replies. */
final class BlockClient {

    record Result(int status, int usedLen, byte[] data) {
    }

    private final MockDriver driver;
    int segmentSize = 4096;

    BlockClient(MockDriver driver) {
        this.driver = driver;
    }

    static byte[] header(int type, long sector) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(0).putLong(sector).array();
    }

    /** A request: header, then {@code out} (device-readable data) or {@code inLen} bytes to read, then the status. */
    Result request(int queue, int type, long sector, byte[] out, int inLen) {
        List<Buffer> elements = new ArrayList<>();
        elements.add(Buffer.in(driver.buffers().put(header(type, sector)), 16));
        if (out != null) {
            long at = driver.buffers().put(out);
            for (int off = 0; off < out.length; off += segmentSize) {
                elements.add(Buffer.in(at + off, Math.min(segmentSize, out.length - off)));
            }
        }
        long in = inLen > 0 ? driver.buffers().alloc(inLen) : 0;
        for (int off = 0; off < inLen; off += segmentSize) {
            elements.add(Buffer.out(in + off, Math.min(segmentSize, inLen - off)));
        }
        long status = driver.buffers().alloc(1);
        driver.buffers().write(status, new byte[] {(byte) 0xee});
        elements.add(Buffer.out(status, 1));
        return submit(queue, elements, in, inLen, status);
    }

    Result submit(int queue, List<Buffer> elements, long in, int inLen, long status) {
        DriverQueue q = driver.queue(queue);
        int id = q.add(elements, driver.options().indirect());
        if (id < 0) {
            throw new IllegalStateException("queue full");
        }
        driver.kickIfNeeded(queue);
        DriverQueue.Used used = q.pollUsed();
        if (used == null) {
            throw new AssertionError("request not completed synchronously (status " + driver.control().describe() + ")");
        }
        if (used.id() != id) {
            throw new AssertionError("used id " + used.id() + " for request " + id);
        }
        byte[] data = inLen > 0 ? driver.buffers().read(in, inLen) : new byte[0];
        return new Result(Byte.toUnsignedInt(driver.buffers().read(status, 1)[0]), used.len(), data);
    }

    /** DISCARD / WRITE_ZEROES segments. */
    static byte[] segments(long[]... segs) {
        ByteBuffer b = ByteBuffer.allocate(16 * segs.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] s : segs) {
            b.putLong(s[0]).putInt((int) s[1]).putInt((int) s[2]);
        }
        return b.array();
    }

    static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seed * 7 + (i >> 9));
        }
        return b;
    }

    static int u32(MemorySegment s, long off) {
        return s.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, off);
    }
}
