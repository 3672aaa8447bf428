package dev.vireo.virtio.devices.console;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.abi.virtio.VirtioConsoleConfig;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import dev.vireo.virtio.testing.MockDriver.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.vireo.sys.abi.virtio.VirtioConsole.*;
import static dev.vireo.virtio.devices.console.ConsoleTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The console device end to end, each backend against the real kernel object (pipe, file, pty, socket). */
@ExtendWith(FdLeakCheck.class)
class ConsoleDeviceTest {

    @TempDir
    Path dir;

    static Stream<Options> layouts() {
        List<Options> out = new ArrayList<>();
        for (boolean packed : new boolean[] {false, true}) {
            for (boolean eventIdx : new boolean[] {false, true}) {
                for (boolean indirect : new boolean[] {false, true}) {
                    out.add(Options.defaults().packed(packed).eventIdx(eventIdx).indirect(indirect).queueSize(32));
                }
            }
        }
        return out.stream();
    }

    /** A pipe: [0] read end, [1] write end. */
    private static Fd[] pipe() {
        Fd[] p = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
        return p;
    }

    private static String read(int fd, int max) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(max);
            long n = FdCalls.read(fd, buf);
            return new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    private static String readExactly(int fd, int len) {
        StringBuilder b = new StringBuilder();
        while (b.length() < len) {
            b.append(read(fd, len - b.length()));
        }
        return b.toString();
    }

    private static void write(int fd, String s) {
        try (Arena a = Arena.ofConfined()) {
            FdCalls.writeFully(fd, a.allocateFrom(s, StandardCharsets.UTF_8).asSlice(0, s.getBytes(StandardCharsets.UTF_8).length));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void port0CarriesBytesBothWaysOverDescriptors(Options o) {
        Fd[] host = pipe(); // host[0] is the device's side, host[1] the test's
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.Fds(host[0].num(), host[0].num())));
             MockDriver d = MockDriver.start(dev, o)) {
            transmit(d, 0, "hello from the guest\n");
            assertThat(readExactly(host[1].num(), 21)).isEqualTo("hello from the guest\n");

            long buf = postReceive(d, 0, 64);
            write(host[1].num(), "typed on the host");
            assertThat(received(d, 0, buf)).isEqualTo("typed on the host");
            assertThat(d.interrupt().usedCount(0)).isGreaterThan(0);
            assertThat(d.needsReset()).isFalse();
        } finally {
            host[0].close();
            host[1].close();
        }
    }

    @Test
    void inputWaitsForReceiveBuffers() {
        Fd[] host = pipe();
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.Fds(host[0].num(), host[0].num())));
             MockDriver d = MockDriver.start(dev, Options.defaults())) {
            write(host[1].num(), "early");
            // No buffer yet: the bytes wait in the socket, not in vireo.
            long buf = postReceive(d, 0, 3);
            assertThat(received(d, 0, buf)).isEqualTo("ear");
            assertThat(receiveAll(d, 0, 2)).isEqualTo("ly");
        } finally {
            host[0].close();
            host[1].close();
        }
    }

    @Test
    void fileBackendAppendsOutputAndReplaysInput() throws Exception {
        Path out = dir.resolve("console.log");
        Path in = dir.resolve("input.txt");
        Files.writeString(out, "earlier run\n");
        Files.writeString(in, "scripted input");
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.File(out, in)));
             MockDriver d = MockDriver.start(dev, Options.defaults().packed(true))) {
            transmit(d, 0, "boot log line\n");
            assertThat(Files.readString(out)).isEqualTo("earlier run\nboot log line\n");
            assertThat(receiveAll(d, 0, 14)).isEqualTo("scripted input");
            assertThat(dev.attachment(0)).contains("console.log");
        }
    }

    @Test
    void ptyBackendTalksToTheSlave() throws Exception {
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.Pty()));
             MockDriver d = MockDriver.start(dev, Options.defaults().eventIdx(true))) {
            String slave = dev.attachment(0);
            assertThat(slave).startsWith("/dev/pts/");
            // Nobody on the slave yet: output is discarded, the guest is not held up.
            transmit(d, 0, "lost");
            try (Fd s = Fd.adopt(FsCalls.open(slave, FsCalls.O_RDWR | FsCalls.O_NOCTTY | FsCalls.O_CLOEXEC, 0), slave)) {
                // Wait until the port thread has noticed the slave (it re-checks every 100 ms).
                assertThat(d.interrupt().await(() -> dev.hostAttached(0), Duration.ofSeconds(10))).isTrue();
                transmit(d, 0, "raw\nbytes\r\n");
                // Raw mode: no CR/LF translation, no echo.
                assertThat(readExactly(s.num(), 11)).isEqualTo("raw\nbytes\r\n");
                long buf = postReceive(d, 0, 64);
                write(s.num(), "keys\n");
                assertThat(received(d, 0, buf)).isEqualTo("keys\n");
            }
            // The slave closed again: output is discarded instead of blocking.
            assertThat(d.interrupt().await(() -> !dev.hostAttached(0), Duration.ofSeconds(10))).isTrue();
            transmit(d, 0, "nobody listens");
        }
    }

    @Test
    void unixSocketBackendServesOneClientAtATime() {
        Path sock = dir.resolve("console.sock");
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.UnixSocket(sock)));
             MockDriver d = MockDriver.start(dev, Options.defaults().packed(true).eventIdx(true))) {
            assertThat(sock).exists();
            transmit(d, 0, "before anyone connects\n");
            for (int round = 0; round < 2; round++) {
                try (Fd c = Fd.adopt(SocketCalls.socket(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0), "client")) {
                    SocketCalls.connectUnix(c.num(), sock.toString());
                    assertThat(d.interrupt().await(() -> dev.hostAttached(0), Duration.ofSeconds(10))).isTrue();
                    transmit(d, 0, "round " + round + "\n");
                    assertThat(readExactly(c.num(), 8)).isEqualTo("round " + round + "\n");
                    long buf = postReceive(d, 0, 32);
                    write(c.num(), "reply " + round);
                    assertThat(received(d, 0, buf)).isEqualTo("reply " + round);
                }
                // The device reads the end of file into the guest's next receive buffer, then listens again.
                postReceive(d, 0, 32);
                assertThat(d.interrupt().await(() -> !dev.hostAttached(0), Duration.ofSeconds(10))).isTrue();
            }
        }
        assertThat(sock).doesNotExist();
    }

    @Test
    void aSlowSocketClientHoldsTransmitBuffersInsteadOfLosingData() {
        Path sock = dir.resolve("slow.sock");
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.UnixSocket(sock)));
             MockDriver d = MockDriver.start(dev, Options.defaults());
             Fd c = Fd.adopt(SocketCalls.socket(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0), "client")) {
            SocketCalls.connectUnix(c.num(), sock.toString());
            assertThat(d.interrupt().await(() -> dev.hostAttached(0), Duration.ofSeconds(10))).isTrue();
            // 4 MiB is far more than a Unix socket buffers: the last buffers must wait for the reader.
            int chunk = 1 << 20;
            byte[] data = new byte[chunk];
            for (int i = 0; i < chunk; i++) {
                data[i] = (byte) ('a' + i % 26);
            }
            long at = d.buffers().put(data);
            for (int i = 0; i < 4; i++) {
                d.queue(1).add(Buffer.in(at, chunk));
            }
            d.kick(1);
            long total = 0;
            int used = 0;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(64 * 1024);
                while (total < 4L * chunk) {
                    long n = FdCalls.read(c.num(), buf);
                    for (long k = 0; k < n; k++) {
                        assertThat(buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, k)).isEqualTo((byte) ('a' + (total + k) % chunk % 26));
                    }
                    total += n;
                    while (d.queue(1).pollUsed() != null) {
                        used++;
                    }
                    // A buffer is given back only once its bytes are in the socket, which holds far less
                    // than a buffer: used buffers can run ahead of what was read by at most one.
                    assertThat((long) (used - 1) * chunk).isLessThanOrEqualTo(total);
                }
            }
            DriverQueue.Used last;
            while (used < 4 && (last = d.awaitUsed(1, WAIT)) != null) {
                used++;
            }
            assertThat(used).isEqualTo(4);
        }
    }

    @Test
    void multiportAnnouncesNamedPortsAndCarriesData() {
        Fd[] p0 = pipe();
        Fd[] p1 = pipe();
        Path sock = dir.resolve("agent.sock");
        List<ConsoleDevice.Port> ports = List.of(
                new ConsoleDevice.Port(null, new ConsoleBackend.Fds(p0[0].num(), p0[0].num()), true),
                new ConsoleDevice.Port("org.vireo.data", new ConsoleBackend.Fds(p1[0].num(), p1[0].num()), false),
                new ConsoleDevice.Port("org.vireo.agent", new ConsoleBackend.UnixSocket(sock), false));
        long multiport = Features.bit(VIRTIO_CONSOLE_F_MULTIPORT);
        try (ConsoleDevice dev = new ConsoleDevice(new ConsoleDevice.Options(ports, true, 0, 0, 32));
             MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(multiport).queueSize(32))) {
            assertThat(dev.queueCount()).isEqualTo(8);
            assertThat(VirtioConsoleConfig.maxNrPorts(d.config())).isEqualTo(3);
            Map<Integer, Long> ctl = new HashMap<>();
            postControlBuffers(d, 8, ctl);
            sendControl(d, -1, VIRTIO_CONSOLE_DEVICE_READY, 1);
            List<Control> adds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                adds.add(nextControl(d, ctl));
            }
            assertThat(adds).extracting(Control::event).containsOnly(VIRTIO_CONSOLE_PORT_ADD);
            assertThat(adds).extracting(Control::id).containsExactly(0, 1, 2);

            List<Control> got = new ArrayList<>();
            for (int id = 0; id < 3; id++) {
                sendControl(d, id, VIRTIO_CONSOLE_PORT_READY, 1);
            }
            // port 0: CONSOLE_PORT, PORT_OPEN; port 1: PORT_NAME, PORT_OPEN; port 2: PORT_NAME (no client yet)
            for (int i = 0; i < 5; i++) {
                got.add(nextControl(d, ctl));
            }
            assertThat(got).containsExactly(
                    new Control(0, VIRTIO_CONSOLE_CONSOLE_PORT, 1, ""),
                    new Control(0, VIRTIO_CONSOLE_PORT_OPEN, 1, ""),
                    new Control(1, VIRTIO_CONSOLE_PORT_NAME, 1, "org.vireo.data"),
                    new Control(1, VIRTIO_CONSOLE_PORT_OPEN, 1, ""),
                    new Control(2, VIRTIO_CONSOLE_PORT_NAME, 1, "org.vireo.agent"));

            sendControl(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
            assertThat(dev.guestOpen(1)).isTrue();
            transmit(d, 1, "on the data port");
            assertThat(readExactly(p1[1].num(), 16)).isEqualTo("on the data port");
            long buf = postReceive(d, 1, 32);
            write(p1[1].num(), "back");
            assertThat(received(d, 1, buf)).isEqualTo("back");

            // A client on port 2's socket: the driver hears PORT_OPEN 1, then 0 when it leaves.
            try (Fd c = Fd.adopt(SocketCalls.socket(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0), "client")) {
                SocketCalls.connectUnix(c.num(), sock.toString());
                assertThat(nextControl(d, ctl)).isEqualTo(new Control(2, VIRTIO_CONSOLE_PORT_OPEN, 1, ""));
                write(c.num(), "last words");
            }
            assertThat(receiveAll(d, 2, 10)).isEqualTo("last words");
            postReceive(d, 2, 16);
            assertThat(nextControl(d, ctl)).isEqualTo(new Control(2, VIRTIO_CONSOLE_PORT_OPEN, 0, ""));
            assertThat(d.needsReset()).isFalse();
        } finally {
            for (Fd f : new Fd[] {p0[0], p0[1], p1[0], p1[1]}) {
                f.close();
            }
        }
    }

    @Test
    void consoleSizeIsInTheConfigAndResizesNotify() {
        Fd[] host = pipe();
        ConsoleDevice.Options opts = new ConsoleDevice.Options(
                List.of(new ConsoleDevice.Port(null, new ConsoleBackend.Fds(host[0].num(), host[0].num()), true)), false, 80, 25, 16);
        try (ConsoleDevice dev = new ConsoleDevice(opts);
             MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(Features.bit(VIRTIO_CONSOLE_F_SIZE)))) {
            assertThat(VirtioConsoleConfig.cols(d.config())).isEqualTo(80);
            assertThat(VirtioConsoleConfig.rows(d.config())).isEqualTo(25);
            dev.resize(132, 43);
            assertThat(d.interrupt().configCount()).isEqualTo(1);
            assertThat(d.control().configGeneration()).isEqualTo(1);
            assertThat(VirtioConsoleConfig.cols(d.config())).isEqualTo(132);
            assertThat(VirtioConsoleConfig.rows(d.config())).isEqualTo(43);
        } finally {
            host[0].close();
            host[1].close();
        }
    }

    @Test
    void aTransmitBufferTheDeviceCouldWriteStopsTheQueue() {
        Fd[] host = pipe();
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.Fds(host[0].num(), host[0].num())));
             MockDriver d = MockDriver.start(dev, Options.defaults())) {
            d.queue(1).add(Buffer.in(d.buffers().put("x"), 1), Buffer.out(d.buffers().alloc(8), 8));
            d.kick(1);
            assertThat(d.interrupt().await(d::needsReset, WAIT)).isTrue();
            assertThat(d.control().problem()).contains("transmit buffer with a device-writable part");
        } finally {
            host[0].close();
            host[1].close();
        }
    }

    @Test
    void aReceiveBufferOutsideGuestMemoryStopsTheQueue() {
        Fd[] host = pipe();
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.Fds(host[0].num(), host[0].num())));
             MockDriver d = MockDriver.start(dev, Options.defaults().packed(true))) {
            d.queue(0).add(Buffer.out(0x3000_0000L, 64));
            d.kick(0);
            write(host[1].num(), "x");
            assertThat(d.interrupt().await(d::needsReset, WAIT)).isTrue();
        } finally {
            host[0].close();
            host[1].close();
        }
    }

    @Test
    void aShortControlMessageStopsTheControlQueue() {
        Fd[] host = pipe();
        try (ConsoleDevice dev = new ConsoleDevice(new ConsoleDevice.Options(
                List.of(new ConsoleDevice.Port(null, new ConsoleBackend.Fds(host[0].num(), host[0].num()), true)), true, 0, 0, 16));
             MockDriver d = MockDriver.start(dev, Options.defaults().deviceFeatures(Features.bit(VIRTIO_CONSOLE_F_MULTIPORT)))) {
            d.queue(3).add(Buffer.in(d.buffers().put(new byte[] {0, 0, 0, 0, 0}), 5));
            d.kick(3);
            assertThat(d.needsReset()).isTrue();
        } finally {
            host[0].close();
            host[1].close();
        }
    }

    @Test
    void resetStopsThePortThreadsAndTheDeviceComesBack() {
        Fd[] host = pipe();
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.Fds(host[0].num(), host[0].num())));
             MockDriver d = MockDriver.start(dev, Options.defaults())) {
            transmit(d, 0, "one");
            d.control().writeStatus(0);
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).doesNotContain("virtio-console-port0");
            try (MockDriver again = MockDriver.start(dev, Options.defaults().packed(true))) {
                transmit(again, 0, "two");
            }
            assertThat(readExactly(host[1].num(), 6)).isEqualTo("onetwo");
        } finally {
            host[0].close();
            host[1].close();
        }
    }
}
