package dev.vireo.cli;

import dev.vireo.sys.FsCalls;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vireo mount}: errors for the user, a served mount, and clean ends by umount and by SIGTERM. */
class MountCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static boolean mounted(Path mnt) throws IOException {
        return Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mnt + " ");
    }

    @Test
    void refusesWithAClearMessage(@TempDir Path dir) throws Exception {
        Requires.root();
        Path src = Files.createDirectory(dir.resolve("src"));
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Run missing = run("mount", dir.resolve("nope").toString(), mnt.toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("vireo mount:").contains("does not exist");
        Files.writeString(mnt.resolve("occupied"), "x");
        Run notEmpty = run("mount", src.toString(), mnt.toString());
        assertThat(notEmpty.code()).isNotZero();
        assertThat(notEmpty.err()).contains("is not empty");
        Run notDir = run("mount", src.toString(), mnt.resolve("occupied").toString());
        assertThat(notDir.code()).isNotZero();
        assertThat(notDir.err()).contains("is not a directory");
        Run badCache = run("mount", "--cache", "sometimes", src.toString(), dir.resolve("mnt2").toString());
        assertThat(badCache.code()).isNotZero();
    }

    @Test
    void servesUntilUnmountedFromOutside(@TempDir Path dir) throws Exception {
        Requires.root();
        Requires.device("/dev/fuse");
        Path src = Files.createDirectory(dir.resolve("src"));
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        CompletableFuture<Run> running = CompletableFuture.supplyAsync(
                () -> run("mount", "--threads", "2", "--cache", "never", src.toString(), mnt.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!mounted(mnt) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(mounted(mnt)).isTrue();
        // A second mount on the same point: busy.
        Run busy = run("mount", src.toString(), mnt.toString());
        assertThat(busy.code()).isNotZero();
        assertThat(busy.err()).contains("busy");
        Files.writeString(src.resolve("hello"), "hello");
        assertThat(Files.readString(mnt.resolve("hello"))).isEqualTo("hello");
        Files.writeString(mnt.resolve("new"), "through the mount");
        assertThat(Files.readString(src.resolve("new"))).isEqualTo("through the mount");
        FsCalls.umount2(mnt.toString(), 0);
        Run r = running.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("vireo: serving " + src + " at " + mnt).contains("was unmounted");
        assertThat(mounted(mnt)).isFalse();
    }

    @Test
    void sigtermUnmountsCleanly(@TempDir Path dir) throws Exception {
        Requires.root();
        Requires.device("/dev/fuse");
        Path src = Files.createDirectory(dir.resolve("src"));
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Output to a file: Process.destroy() closes the pipes of the child's output.
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "mount", src.toString(), mnt.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("vireo: serving") && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(Files.readString(log)).startsWith("vireo: serving");
            assertThat(mounted(mnt)).isTrue();
            Files.writeString(mnt.resolve("f"), "data");
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(log)).contains("unmounted " + mnt);
        } finally {
            p.destroyForcibly();
        }
        assertThat(mounted(mnt)).isFalse();
        assertThat(Files.readString(src.resolve("f"))).isEqualTo("data");
    }
}
