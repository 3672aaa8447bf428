package dev.vireo.cli;

import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.vhost.frontend.FrontendClient;
import dev.vireo.vhost.proto.VhostUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The vhost-user daemon commands, run in-process and reached through their socket. */
@ExtendWith(FdLeakCheck.class)
class VhostUserCommandsTest {

    private record Run(int status, String out, String err) {
    }

    private static CompletableFuture<Run> start(String... args) {
        return CompletableFuture.supplyAsync(() -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out));
            cmd.setErr(new PrintWriter(err));
            int status = cmd.execute(args);
            return new Run(status, out.toString(), err.toString());
        });
    }

    private static void awaitSocket(Path socket) throws InterruptedException {
        for (int i = 0; i < 500 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void rngServesOneFrontEndAndExitsWhenItLeaves(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("rng.sock");
        CompletableFuture<Run> run = start("vhost-user-rng", "--socket-path", socket.toString());
        awaitSocket(socket);
        try (FrontendClient client = FrontendClient.connect(socket.toString())) {
            assertThat(client.getFeatures() & (1L << VhostUser.F_PROTOCOL_FEATURES)).isNotZero();
            assertThat(client.getProtocolFeatures() & (1L << VhostUser.PROTOCOL_F_REPLY_ACK)).isNotZero();
        }
        Run r = run.get(10, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("vhost-user-rng listening on " + socket);
        assertThat(socket).as("socket file removed").doesNotExist();
    }

    @Test
    void blkRefusesAMissingImageAndAnOtherFileInTheSocketsPlace(@TempDir Path dir) throws Exception {
        Run missing = start("vhost-user-blk", "--socket-path", dir.resolve("s").toString(), "--image", dir.resolve("none").toString())
                .get(10, TimeUnit.SECONDS);
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("no such image");

        Path image = Files.write(dir.resolve("disk"), new byte[4096]);
        Path notASocket = Files.writeString(dir.resolve("file"), "x");
        Run occupied = start("vhost-user-blk", "--socket-path", notASocket.toString(), "--image", image.toString())
                .get(10, TimeUnit.SECONDS);
        assertThat(occupied.status()).isEqualTo(1);
        assertThat(occupied.err()).contains("exists and is not a socket");

        Run noEndpoint = start("vhost-user-blk", "--image", image.toString()).get(10, TimeUnit.SECONDS);
        assertThat(noEndpoint.err()).contains("--socket-path PATH or --fd FD");
        Run both = start("vhost-user-rng", "--socket-path", "x", "--fd", "3").get(10, TimeUnit.SECONDS);
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
    }

    /** {@code vireo ARGS} as a separate JVM, its output (stdout and stderr) into {@code log}. */
    private static Process process(Path log, String... args) throws java.io.IOException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(java.util.List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    @Test
    void aRealDaemonExitsWithStatus0WhenItsFrontEndLeaves(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("rng.sock");
        Path log = dir.resolve("log");
        Process p = process(log, "vhost-user-rng", "--socket-path", socket.toString());
        try {
            awaitSocket(socket);
            try (FrontendClient client = FrontendClient.connect(socket.toString())) {
                client.setFeatures(client.getFeatures());
                client.setOwner();
            }
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            assertThat(socket).as("socket file removed").doesNotExist();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aRealDaemonWithPersistServesTheNextFrontEndAndStopsOnSigterm(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("rng.sock");
        Path log = dir.resolve("log");
        Process p = process(log, "vhost-user-rng", "--socket-path", socket.toString(), "--persist");
        try {
            awaitSocket(socket);
            try (FrontendClient first = FrontendClient.connect(socket.toString())) {
                assertThat(first.getFeatures() & (1L << VhostUser.F_PROTOCOL_FEATURES)).isNotZero();
            }
            FrontendClient second = FrontendClient.connect(socket.toString());
            assertThat(second.getFeatures() & (1L << VhostUser.F_PROTOCOL_FEATURES)).as("served after the first left").isNotZero();
            assertThat(p.isAlive()).isTrue();
            p.destroy(); // SIGTERM, with a front-end connected
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran
            assertThat(p.exitValue()).as(Files.readString(log)).isIn(0, 143);
            assertThat(Files.readString(log)).doesNotContain("Exception", "did not stop");
            assertThat(socket).as("socket file removed before the JVM halted").doesNotExist();
            org.assertj.core.api.Assertions.assertThatThrownBy(second::getFeatures).as("the connection was closed")
                    .isInstanceOfAny(dev.vireo.vhost.proto.MessageException.class, dev.vireo.sys.SysException.class);
            second.close();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void capabilitiesAreJson() throws Exception {
        Run r = start("vhost-user-blk", "--print-capabilities").get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("\"type\": \"block\"", "\"read-only\"");
    }
}
