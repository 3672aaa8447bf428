package dev.vireo.virtio.devices.console;

import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Driver-side helpers for the console tests: transmit and receive on a port, speak the control protocol. */
final class ConsoleTestSupport {

    static final Duration WAIT = Duration.ofSeconds(20);

    /** A control message as the driver sees it. */
    record Control(int id, int event, int value, String extra) {
    }

    private ConsoleTestSupport() {
    }

    /** The guest writes {@code text} on port {@code port}'s transmitq and waits until the device used it. */
    static void transmit(MockDriver d, int port, String text) {
        int q = ConsoleDevice.receiveQueue(port) + 1;
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        long at = d.buffers().put(b);
        // Two descriptors when possible, to exercise gathering.
        List<Buffer> parts = b.length > 1
                ? List.of(Buffer.in(at, b.length / 2), Buffer.in(at + b.length / 2, b.length - b.length / 2))
                : List.of(Buffer.in(at, b.length));
        int id = d.queue(q).add(parts, d.options().indirect());
        d.kickIfNeeded(q);
        DriverQueue.Used used = d.awaitUsed(q, WAIT);
        if (used == null || used.id() != id) {
            throw new AssertionError("transmit buffer not used: " + used + "; " + d.control().describe());
        }
    }

    /** Guest address of each posted receive buffer, by driver, queue and buffer id. */
    private static final java.util.Map<MockDriver, java.util.Map<Long, Long>> RX = new java.util.IdentityHashMap<>();

    /** Posts a receive buffer of {@code len} bytes on port {@code port}; returns its guest address. */
    static synchronized long postReceive(MockDriver d, int port, int len) {
        int q = ConsoleDevice.receiveQueue(port);
        long at = d.buffers().alloc(len);
        int id = d.queue(q).add(List.of(Buffer.out(at, len)), d.options().indirect());
        RX.computeIfAbsent(d, k -> new java.util.HashMap<>()).put(((long) q << 32) | id, at);
        d.kickIfNeeded(q);
        return at;
    }

    /**
     * Waits for the next used receive buffer of the port and returns what the device wrote into it
     * (not necessarily the buffer posted last: the device may still hold an earlier one).
     */
    static synchronized String received(MockDriver d, int port, long ignored) {
        int q = ConsoleDevice.receiveQueue(port);
        DriverQueue.Used used = d.awaitUsed(q, WAIT);
        if (used == null) {
            throw new AssertionError("nothing received on port " + port + "; " + d.control().describe());
        }
        long at = RX.get(d).remove(((long) q << 32) | used.id());
        return new String(d.buffers().read(at, used.len()), StandardCharsets.UTF_8);
    }

    /** Receives until {@code expected} bytes arrived (input may come in pieces). */
    static String receiveAll(MockDriver d, int port, int expected) {
        StringBuilder b = new StringBuilder();
        while (b.length() < expected) {
            long at = postReceive(d, port, 256);
            b.append(received(d, port, at));
        }
        return b.toString();
    }

    static byte[] control(int id, int event, int value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(id).putShort((short) event).putShort((short) value).array();
    }

    /** The driver sends a control message on the control transmitq (queue 3). */
    static void sendControl(MockDriver d, int id, int event, int value) {
        long at = d.buffers().put(control(id, event, value));
        d.queue(3).add(Buffer.in(at, 8));
        d.kick(3);
        if (d.awaitUsed(3, WAIT) == null) {
            throw new AssertionError("control message not used");
        }
    }

    /** Posts {@code n} control receive buffers (queue 2), recording buffer id to address in {@code ids}. */
    static void postControlBuffers(MockDriver d, int n, java.util.Map<Integer, Long> ids) {
        for (int i = 0; i < n; i++) {
            long a = d.buffers().alloc(64);
            ids.put(d.queue(2).add(Buffer.out(a, 64)), a);
        }
        d.kick(2);
    }

    /** Waits for the next control message from the device. */
    static Control nextControl(MockDriver d, java.util.Map<Integer, Long> buffers) {
        DriverQueue.Used used = d.awaitUsed(2, WAIT);
        if (used == null) {
            throw new AssertionError("no control message; " + d.control().describe());
        }
        long at = buffers.get(used.id());
        byte[] m = d.buffers().read(at, used.len());
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        int id = b.getInt();
        int event = Short.toUnsignedInt(b.getShort());
        int value = Short.toUnsignedInt(b.getShort());
        String extra = new String(m, 8, m.length - 8, StandardCharsets.UTF_8);
        // Give the buffer back to the device, as the Linux driver does.
        buffers.put(d.queue(2).add(Buffer.out(at, 64)), at);
        d.kick(2);
        return new Control(id, event, value, extra);
    }
}
