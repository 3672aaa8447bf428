package dev.vireo.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The ./vireo launcher's JDK search, run as a user would run it. */
class LauncherScriptTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Result(int status, String output) {
    }

    private static Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = ROOT.resolve("vireo").toString();
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
}
