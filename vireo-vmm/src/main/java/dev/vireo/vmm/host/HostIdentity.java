package dev.vireo.vmm.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Who runs vireo and whether its stdin is a terminal, read from /proc. These are asked on every
 * {@code vireo run}; answering them through FFM downcalls would link the C library's handles at
 * start-up (a few hundred milliseconds of a cold JVM), so the cheap /proc answer comes first and
 * the terminal calls are made only for a terminal session.
 */
public final class HostIdentity {

    private static final Pattern TERMINAL = Pattern.compile("/dev/(pts/\\d+|tty\\w*|console)");

    private HostIdentity() {
    }

    /** The real user id (the first field of "Uid:" in /proc/self/status). */
    public static int uid() {
        return statusField("Uid:");
    }

    /** The real group id. */
    public static int gid() {
        return statusField("Gid:");
    }

    /** Whether file descriptor {@code fd} of this process is a terminal device. */
    public static boolean isTerminal(int fd) {
        try {
            return TERMINAL.matcher(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString()).matches();
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static int statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Integer.parseUnsignedInt(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read " + name + " from /proc/self/status", e);
        }
        throw new IllegalStateException("no " + name + " in /proc/self/status");
    }
}
