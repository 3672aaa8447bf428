package dev.vireo.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The ./vireo launcher's JDK search and its AOT cache decisions, run as a user would run it. */
class LauncherScriptTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Result(int status, String output) {
    }

    private static Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return launch(ROOT, env, args);
    }

    private static Result launch(Path root, Map<String, String> env, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = root.resolve("vireo").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void withoutAJdk25ItSaysWhatToInstall() throws Exception {
        Result r = launch(Map.of("VIREO_JDK_DIRS", "/nonexistent:/usr/lib/jvm/java-17-openjdk-amd64"), "--version");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output()).contains("vireo needs a JDK 25 or newer", "Install one", "JAVA_HOME");
    }

    @Test
    void anOlderJavaHomeIsPassedOverForAJdk25() throws Exception {
        String jdk25 = System.getProperty("java.home");
        Result r = launch(Map.of("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64", "VIREO_JDK_DIRS", jdk25,
                "VIREO_LAUNCHER_DRY_RUN", "1"), "sys-info");
        assertThat(r.status()).as(r.output()).isZero();
        assertThat(r.output()).contains("java home: " + jdk25, "--enable-native-access=ALL-UNNAMED", "vireo.jar sys-info");
    }

    /**
     * Only a `vireo run` that boots a guest records the AOT cache, and only while there is no cache
     * newer than the jar; every other command uses a fresh one. `vireo mount` records and uses a
     * cache of its own. Checked on a copy of the launcher beside a stand-in jar (a dry run builds
     * and runs nothing).
     */
    @Test
    void aRunThatBootsAGuestAndAServingMountRecordTheirAotCachesAndCommandsUseFreshOnes(@TempDir Path root) throws Exception {
        Files.copy(ROOT.resolve("vireo"), root.resolve("vireo"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(ROOT.resolve("scripts/jdk.sh"), root.resolve("scripts/jdk.sh"));
        Path target = Files.createDirectories(root.resolve("vireo-cli/target"));
        Path jar = Files.writeString(target.resolve("vireo.jar"), "stand-in");
        Map<String, String> env = Map.of("VIREO_JDK_DIRS", System.getProperty("java.home"), "VIREO_LAUNCHER_DRY_RUN", "1");

        assertThat(launch(root, env, "run", "--share", ".", "--", "true").output()).contains("aot cache: record");
        assertThat(launch(root, env, "run").output()).as("an interactive shell boots too").contains("aot cache: record");
        assertThat(launch(root, env, "mount", "a", "b").output()).contains("aot cache: record");
        for (String[] args : new String[][] {{"--version"}, {"--help"}, {"mount", "--help"}, {"run", "--help"}, {"help", "run"},
                {"sys-info"}}) {
            assertThat(launch(root, env, args).output()).as(String.join(" ", args)).contains("aot cache: none");
        }

        Path aot = Files.writeString(target.resolve("vireo.aot"), "stand-in");
        Files.setLastModifiedTime(aot, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 10_000));
        assertThat(launch(root, env, "sys-info").output()).contains("aot cache: use", "vireo.aot");
        assertThat(launch(root, env, "run", "--", "true").output()).contains("aot cache: use");
        assertThat(launch(root, env, "mount", "a", "b").output()).as("run's cache is not mount's").contains("aot cache: record");
        Path mountAot = Files.writeString(target.resolve("vireo-mount.aot"), "stand-in");
        Files.setLastModifiedTime(mountAot, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 10_000));
        assertThat(launch(root, env, "mount", "a", "b").output()).contains("aot cache: use", "vireo-mount.aot");

        // a rebuild makes the jar newer than the caches: nothing uses them, the next run and mount record again
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(mountAot).toMillis() + 10_000));
        assertThat(launch(root, env, "sys-info").output()).contains("aot cache: none");
        assertThat(launch(root, env, "mount", "a", "b").output()).contains("aot cache: record");
        assertThat(launch(root, env, "run", "--", "true").output()).contains("aot cache: record");
    }
}
