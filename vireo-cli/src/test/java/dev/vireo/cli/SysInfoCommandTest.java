package dev.vireo.cli;

import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vireo sys-info} run in-process against this host's real kernel. */
class SysInfoCommandTest {

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int status = cmd.execute(args);
        assertThat(status).as("exit status; stderr: " + err).isZero();
        return out.toString();
    }

    @Test
    void reportsKvmIoUringAndTheKernelsFuseProtocol() {
        Requires.root();
        Requires.device("/dev/kvm");
        Requires.device("/dev/fuse");
        String out = run("sys-info", "--verbose");
        assertThat(out).contains("Host", "KVM", "FUSE", "io_uring", "Tools");
        assertThat(out).containsPattern("API version\\s+12");
        assertThat(out).containsPattern("create VM\\s+ok");
        // read from the kernel's own INIT request on a throw-away mount
        assertThat(out).containsPattern("kernel protocol\\s+7\\.\\d+");
        assertThat(out).contains("INIT flags offered", "ASYNC_READ");
        assertThat(out).containsPattern("features\\s+.*SINGLE_MMAP");
        assertThat(out).contains("known supported", "READV");
        assertThat(out).doesNotContain("probe failed", "error ");
    }

    @Test
    void noMountSkipsTheFuseProbe() {
        String out = run("sys-info", "--no-mount");
        assertThat(out).contains("not probed (--no-mount)");
    }

    @Test
    void helpDescribesEveryCommand() {
        String out = run("--help");
        assertThat(out).contains("Usage: vireo", "sys-info", "VIREO_DEBUG");
        assertThat(run("help", "sys-info")).contains("--no-mount", "--verbose");
    }

    @Test
    void unknownOptionsAreRefused() {
        CommandLine cmd = Main.commandLine();
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("sys-info", "--bogus")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--bogus'");
    }
}
