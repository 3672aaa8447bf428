package dev.vireo.sys.testing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** A command of the host a test needs done (mount, umount ...): it must succeed within 30 s. */
public final class HostCommand {

    private HostCommand() {
    }

    /** Runs {@code cmd}; returns its output (stdout and stderr), or fails the test with it. */
    public static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        // Closed here, not when the JDK's reaper gets to them: FdLeakCheck counts the pipes.
        try (var stdin = p.getOutputStream(); var stdout = p.getInputStream(); var stderr = p.getErrorStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + ": still running after 30 s");
            }
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": exit status " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
