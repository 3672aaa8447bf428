package dev.vireo.cli;

import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vireo run} as a user runs it: a separate JVM, its exit status, its signals. */
// A guest that hangs must fail its test, not the whole build: the interrupt stops the VM.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RunCommandTest {

    private static ProcessBuilder vireo(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb;
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(Map<String, String> env, String... args) throws Exception {
        Process p = vireo(env, args).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var err = p.getErrorStream();
        StringBuilder errText = new StringBuilder();
        Thread errReader = Thread.ofPlatform().start(() -> {
            try {
                errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                errText.append(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        errReader.join();
        return new Result(p.exitValue(), out, errText.toString());
    }

    private static void requirePeers() {
        Requires.root();
        Requires.command("qemu-system-x86_64");
        Requires.command("apt-get");
    }

    @Test
    void echoHelloInTheReadmesShape(@TempDir Path dir) throws Exception {
        requirePeers();
        Files.writeString(dir.resolve("README"), "shared\n");
        Result r = run(Map.of(), "run", "--share", dir.toString(), "--", "ls", "/mnt");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("README\n");
        Result exit3 = run(Map.of(), "run", "sh", "-c", "exit 3");
        assertThat(exit3.status()).isEqualTo(3);
    }

    @Test
    void sigtermLeavesNoQemuNoBackendNoTemporaryFile(@TempDir Path dir) throws Exception {
        requirePeers();
        Process p = vireo(Map.of(), "run", "--share", dir.toString(), "--", "sh", "-c", "echo started; sleep 600")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");
        List<ProcessHandle> children = p.descendants().filter(ProcessHandle::isAlive).toList();
        assertThat(children.stream().map(c -> c.info().command().orElse("")))
                .anyMatch(c -> c.endsWith("qemu-system-x86_64")).noneMatch(c -> c.endsWith("virtiofsd"));
        long pid = p.pid();

        p.destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(143);
        for (ProcessHandle c : children) {
            c.onExit().get(10, TimeUnit.SECONDS);
            assertThat(c.isAlive()).as("child " + c.pid() + " " + c.info().command().orElse("")).isFalse();
        }
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(s.filter(d -> d.getFileName().toString().startsWith("vireo-run-"))
                    .filter(d -> Long.toString(pid).equals(owner(d)))).as("run directory of the killed vireo").isEmpty();
        }
    }

    private static String owner(Path dir) {
        try {
            return Files.readString(dir.resolve("owner.pid")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void errorsHaveTheirOwnExitCodes(@TempDir Path dir) throws Exception {
        Result noQemu = run(Map.of("VIREO_QEMU", "/nonexistent/qemu-system-x86_64"), "run", "true");
        assertThat(noQemu.status()).isEqualTo(120);
        assertThat(noQemu.err()).contains("VIREO_QEMU=/nonexistent/qemu-system-x86_64 is not an executable");

        Result noShare = run(Map.of(), "run", "--share", dir.resolve("missing").toString(), "--", "true");
        assertThat(noShare.status()).isEqualTo(122);
        assertThat(noShare.err()).contains("does not exist");

        Result noDisk = run(Map.of(), "run", "--disk", dir.resolve("none.img").toString(), "--", "true");
        assertThat(noDisk.status()).isEqualTo(122);

        Result badUser = run(Map.of(), "run", "--user", "alice", "--", "true");
        assertThat(badUser.status()).isEqualTo(2);
        assertThat(badUser.err()).contains("--user alice: expected numeric UID[:GID]");

        requirePeers();
        Path notKernel = Files.writeString(dir.resolve("bzImage"), "not a kernel");
        Result badKernel = run(Map.of(), "run", "--kernel", notKernel.toString(), "--", "true");
        assertThat(badKernel.status()).isEqualTo(121);
        assertThat(badKernel.err()).contains("not a bzImage");
    }

    @Test
    void helpNamesTheOptionsAndExitCodes() throws Exception {
        Result r = run(Map.of(), "help", "run");
        assertThat(r.out()).contains("--share", "--disk", "--cpus", "--memory", "--timeout", "--append", "--accel",
                "--kernel", "--modules", "--verbose", "124 timeout", "123 guest kernel panic");
    }

    @Test
    void memorySizes() {
        assertThat(RunCommand.memoryMiB("512")).isEqualTo(512);
        assertThat(RunCommand.memoryMiB("512M")).isEqualTo(512);
        assertThat(RunCommand.memoryMiB("2g")).isEqualTo(2048);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunCommand.memoryMiB("lots"))
                .hasMessageContaining("--memory");
    }
}
