package dev.vireo.virtio.devices.console;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stdio backend for real: a child JVM whose console port 0 is its own stdin/stdout (the test
 * JVM's stdout belongs to the test runner, so the device cannot be given it here).
 */
class StdioBackendTest {

    @Test
    void port0IsTheProcessesStandardInputAndOutput() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StdioConsoleChild.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("ping\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).isEqualTo("hello from the guest\n");
        assertThat(err).contains("guest got: ping").contains("attachment: stdio");
    }
}
