package dev.vireo.cli;

import dev.vireo.fuse.passthrough.CachePolicy;
import dev.vireo.fuse.passthrough.PassthroughOptions;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vireo virtiofsd}'s options (virtiofsd's names, the C daemon's -o) and its lifecycle, in-process. */
@ExtendWith(FdLeakCheck.class)
class VirtiofsdCommandTest {

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int status = cmd.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static VirtiofsdCommand.Settings settings(String... args) {
        VirtiofsdCommand c = new VirtiofsdCommand();
        new CommandLine(c).parseArgs(args);
        return c.settings();
    }

    @Test
    void rustAndCSpellingsSettleTheSameThings() {
        VirtiofsdCommand.Settings rust = settings("--socket-path", "/tmp/x", "--shared-dir", dir.toString(), "--cache", "never",
                "--xattr", "--thread-pool-size", "0", "--inode-file-handles=never", "--readonly", "--sandbox", "none",
                "--log-level", "warn", "--tag", "myfs");
        assertThat(rust.cache()).isEqualTo(CachePolicy.NEVER);
        assertThat(rust.passthrough().xattr()).isTrue();
        assertThat(rust.passthrough().readOnly()).isTrue();
        assertThat(rust.passthrough().fileHandles()).isEqualTo(PassthroughOptions.FileHandles.NEVER);
        assertThat(rust.passthrough().groups()).isEqualTo(PassthroughOptions.Groups.EXTENSION);
        assertThat(rust.threads()).isZero();
        assertThat(rust.tag()).isEqualTo("myfs");
        assertThat(rust.passthrough().directIo()).as("O_DIRECT dropped unless allowed").isFalse();
        assertThat(settings("--shared-dir", dir.toString(), "--allow-direct-io").passthrough().directIo()).isTrue();
        assertThat(settings("-o", "source=" + dir + ",allow_direct_io").passthrough().directIo()).isTrue();
        assertThat(settings("-o", "source=" + dir + ",allow_direct_io,no_allow_direct_io").passthrough().directIo()).isFalse();
        assertThat(rust.passthrough().announceSubmounts()).as("not announced unless asked").isFalse();
        assertThat(settings("--shared-dir", dir.toString(), "--announce-submounts").passthrough().announceSubmounts()).isTrue();
        assertThat(settings("-o", "source=" + dir + ",announce_submounts").passthrough().announceSubmounts()).isTrue();

        VirtiofsdCommand.Settings c = settings("--socket-path=/tmp/x", "-o", "source=" + dir + ",cache=none,xattr", "-o",
                "no_posix_lock,log_level=debug,no_flock,killpriv_v2", "-f", "--thread-pool-size=3", "--no-announce-submounts");
        assertThat(c.sharedDir()).isEqualTo(dir);
        assertThat(c.cache()).isEqualTo(CachePolicy.NEVER);
        assertThat(c.passthrough().xattr()).isTrue();
        assertThat(c.passthrough().posixLocks()).isFalse();
        assertThat(c.logLevel()).isEqualTo("debug");
        assertThat(c.threads()).isEqualTo(3);

        VirtiofsdCommand.Settings defaults = settings("--shared-dir", dir.toString(), "--inode-file-handles");
        assertThat(defaults.cache()).isEqualTo(CachePolicy.AUTO);
        assertThat(defaults.passthrough().xattr()).as("xattrs are off unless asked for, as in virtiofsd").isFalse();
        assertThat(defaults.passthrough().fileHandles()).isEqualTo(PassthroughOptions.FileHandles.PREFER);
        assertThat(settings("--shared-dir", dir.toString(), "--cache", "metadata").cache()).isEqualTo(CachePolicy.METADATA);
        assertThat(settings("-o", "source=" + dir + ",cache=metadata,loglevel=err").logLevel()).isEqualTo("error");
        assertThat(settings("--shared-dir", dir.toString(), "--inode-file-handles=fallback").passthrough().fileHandles())
                .isEqualTo(PassthroughOptions.FileHandles.PREFER);
        assertThat(defaults.pollUs()).isEqualTo(Runtime.getRuntime().availableProcessors() > 1 ? VirtiofsdCommand.DEFAULT_POLL_US : 0);
        assertThat(settings("--shared-dir", dir.toString(), "--poll-us", "0").pollUs()).isZero();
        assertThat(settings("--shared-dir", dir.toString(), "--poll-us", "1000").pollUs()).isEqualTo(1000);
        assertThat(VirtiofsdCommand.splitLegacy(List.of("source=/a\\,b,cache=auto"))).containsExactly("source=/a,b", "cache=auto");
    }

    @Test
    void unsupportedOptionsAreRefusedWithAReason() {
        String d = dir.toString();
        record Case(String why, String... args) {
        }
        List<Case> cases = List.of(
                new Case("namespace and chroot sandboxing are a later issue", "--sandbox", "namespace"),
                new Case("--sandbox chroot is not supported", "--sandbox", "chroot"),
                new Case("--seccomp kill is not supported", "--seccomp", "kill"),
                new Case("-o flock is not supported", "-o", "flock"),
                new Case("-o xattrmap=:map::user.: is not supported", "-o", "xattrmap=:map::user.:"),
                new Case("contradict", "--announce-submounts", "--no-announce-submounts"),
                new Case("-o sandbox=chroot", "-o", "sandbox=chroot"),
                new Case("--cache must be auto, always, never or metadata", "--cache", "sometimes"),
                new Case("--writeback needs --cache auto or always", "--cache", "never", "--writeback"),
                new Case("--inode-file-handles must be", "--inode-file-handles", "always"),
                new Case("--log-level must be", "--log-level", "loud"),
                new Case("--thread-pool-size must be", "--thread-pool-size", "-1"),
                new Case("--poll-us must be 0 to 1000", "--poll-us", "1001"),
                new Case("--poll-us must be 0 to 1000", "--poll-us", "-5"),
                new Case("--tag:", "--tag", "x".repeat(40)));
        for (Case c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of("virtiofsd", "--socket-path", dir.resolve("s").toString(),
                    "--shared-dir", d));
            args.addAll(List.of(c.args()));
            Run r = run(args.toArray(String[]::new));
            assertThat(r.status()).as(String.join(" ", c.args())).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", c.args())).contains(c.why());
        }
        Run unknown = run("virtiofsd", "--socket-path", "s", "--shared-dir", d, "--xattrmap", ":map::user.:");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option");
        Run noDir = run("virtiofsd", "--socket-path", dir.resolve("s").toString());
        assertThat(noDir.err()).contains("--shared-dir DIR (or -o source=DIR)");
        Run missing = run("virtiofsd", "--socket-path", dir.resolve("s").toString(), "--shared-dir", dir.resolve("nope").toString());
        assertThat(missing.err()).contains("does not exist");
        Run disagree = run("virtiofsd", "--socket-path", "s", "--shared-dir", d, "-o", "source=/tmp");
        assertThat(disagree.err()).contains("disagree");
        assertThat(dir.resolve("s")).doesNotExist();
    }

    @Test
    void capabilitiesSayFs() {
        Run r = run("virtiofsd", "--print-capabilities");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("\"type\": \"fs\"");
    }

    /**
     * The device's configuration (its tag) is offered only for a {@code --tag} given, as by the Rust
     * virtiofsd: QEMU's vhost-user-fs devices take their own tag= and warn about the offer.
     */
    @Test
    void theConfigurationIsOfferedOnlyWithATag() throws Exception {
        assertThat(protocolFeaturesServed(null) & (1L << VhostUser.PROTOCOL_F_CONFIG)).as("without --tag").isZero();
        assertThat(protocolFeaturesServed("myfs") & (1L << VhostUser.PROTOCOL_F_CONFIG)).as("with --tag").isNotZero();
    }

    /** Serves one front-end that reads the protocol features and, if offered, the tag (which must be {@code tag}). */
    private long protocolFeaturesServed(String tag) throws Exception {
        Path socket = dir.resolve("fs-" + tag + ".sock");
        Path shared = Files.createDirectories(dir.resolve("shared"));
        List<String> args = new java.util.ArrayList<>(List.of("virtiofsd", "--socket-path", socket.toString(),
                "--shared-dir", shared.toString()));
        if (tag != null) {
            args.addAll(List.of("--tag", tag));
        }
        CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> run(args.toArray(String[]::new)));
        for (int i = 0; i < 500 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
        long offered;
        try (FrontendClient client = FrontendClient.connect(socket.toString())) {
            client.setFeatures(client.getFeatures() & (1L << VhostUser.F_PROTOCOL_FEATURES));
            offered = client.getProtocolFeatures();
            if ((offered & (1L << VhostUser.PROTOCOL_F_CONFIG)) != 0) {
                client.setProtocolFeatures(1L << VhostUser.PROTOCOL_F_CONFIG);
                byte[] config = client.getConfig(0, 36);
                assertThat(new String(config, 0, tag.length(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(tag);
                assertThat(config[tag.length()]).isZero();
            }
        }
        Run r = run.get(20, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.err()).isZero();
        return offered;
    }

    @Test
    void servesOneFrontEndAndExitsWhenItLeaves() throws Exception {
        Path socket = dir.resolve("fs.sock");
        Path shared = Files.createDirectories(dir.resolve("shared"));
        CompletableFuture<Run> run = CompletableFuture.supplyAsync(
                () -> run("virtiofsd", "--socket-path", socket.toString(), "--shared-dir", shared.toString(), "--thread-pool-size", "2"));
        for (int i = 0; i < 500 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
        try (FrontendClient client = FrontendClient.connect(socket.toString())) {
            assertThat(client.getFeatures() & (1L << VhostUser.F_PROTOCOL_FEATURES)).isNotZero();
            assertThat(client.getProtocolFeatures() & (1L << VhostUser.PROTOCOL_F_MQ)).isNotZero();
        }
        Run r = run.get(20, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("virtiofsd (" + shared);
        assertThat(socket).as("socket file removed").doesNotExist();
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("vireo-fs-virtiofsd"))).as("worker threads left").isEmpty();
    }
}
