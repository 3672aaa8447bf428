package dev.vireo.vmm.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs a host program to completion and collects its output: apt-get, dpkg-deb, uname and the like. */
public final class HostCommand {

    /** What a finished program left: its status and its merged stdout and stderr. */
    public record Result(int status, String output) {
        public boolean ok() {
            return status == 0;
        }
    }

    private HostCommand() {
    }

    /**
     * Runs {@code command} in {@code dir} (null: the current directory), passing each output line
     * to {@code lines} as it comes (null: none), and waits at most {@code timeoutSeconds}.
     */
    public static Result run(List<String> command, Path dir, Consumer<String> lines, long timeoutSeconds)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        StringBuilder all = new StringBuilder();
        try (InputStream in = p.getInputStream()) {
            StringBuilder line = new StringBuilder();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                all.append(s);
                for (char c : s.toCharArray()) {
                    if (c == '\n' || c == '\r') {
                        if (!line.isEmpty() && lines != null) {
                            lines.accept(line.toString());
                        }
                        line.setLength(0);
                    } else {
                        line.append(c);
                    }
                }
            }
            if (!line.isEmpty() && lines != null) {
                lines.accept(line.toString());
            }
        }
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        }
        return new Result(p.exitValue(), all.toString());
    }

    /** As {@link #run(List, Path, Consumer, long)} without a directory or line consumer, 60 s at most. */
    public static Result run(String... command) throws IOException {
        return run(List.of(command), null, null, 60);
    }

    /** The absolute path of {@code name} on {@code $PATH} (or {@code name} itself when it has a '/'), or null. */
    public static Path find(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? p : null;
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        // Debian keeps some tools in sbin, which a non-root PATH may lack.
        dirs.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** The running kernel's release ({@code uname -r}). */
    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
