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

    @Test
    void capabilitiesAreJson() throws Exception {
        Run r = start("vhost-user-blk", "--print-capabilities").get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("\"type\": \"block\"", "\"read-only\"");
    }
}
