package dev.vireo.vmm.host;

import dev.vireo.sys.Log;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process vireo starts and must never leave behind: QEMU, or a stand-in backend daemon.
 * Its stderr is kept (the last 64 KiB) for error messages. When {@code setpriv} (util-linux) is
 * there, the child is started through {@code setpriv --pdeathsig KILL}, so that it dies with the
 * thread that started it even if vireo is killed with SIGKILL and cannot clean up; callers start
 * children from the thread that waits for them.
 */
public final class ChildProcess implements AutoCloseable {

    private static final Log LOG = Log.of("vmm");
    private static final int KEEP = 64 * 1024;
    private static final Path SETPRIV = HostCommand.find("setpriv");

    private final String what;
    private final Process process;
    private final StringBuilder stderr = new StringBuilder();
    private final Thread reader;

    private ChildProcess(String what, Process process) {
        this.what = what;
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name(what + "-stderr").start(this::readStderr);
    }

    /** Starts {@code command} (program first) with stdin and stdout on /dev/null. */
    public static ChildProcess start(String what, List<String> command) throws IOException {
        List<String> full = new ArrayList<>();
        if (SETPRIV != null) {
            full.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        }
        full.addAll(command);
        if (LOG.on()) {
            LOG.debug("starting %s: %s", what, String.join(" ", full));
        }
        Process p = new ProcessBuilder(full)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new ChildProcess(what, p);
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits up to {@code millis} for the process to end; true when it has. */
    public boolean waitFor(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** The exit status (the process must have ended). */
    public int exitValue() {
        return process.exitValue();
    }

    /** What the process wrote to stderr (its last 64 KiB), after it ended. */
    public String stderr() {
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** Ends the process: SIGTERM, then SIGKILL after two seconds; returns once it is gone. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    LOG.debug("%s did not end on SIGTERM; killing it", what);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            // The stderr pipe closes once the reader has seen its end (grandchildren may hold it
            // longer: then the reader is left to finish on its own).
            reader.join(1000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void readStderr() {
        byte[] buf = new byte[4096];
        try (InputStream in = process.getErrorStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                if (LOG.on()) {
                    LOG.debug("%s: %s", what, s.stripTrailing());
                }
                synchronized (stderr) {
                    stderr.append(s);
                    if (stderr.length() > KEEP) {
                        stderr.delete(0, stderr.length() - KEEP);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}
