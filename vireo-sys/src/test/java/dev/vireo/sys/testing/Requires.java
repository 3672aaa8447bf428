package dev.vireo.sys.testing;

import dev.vireo.sys.ThreadCalls;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Test preconditions that depend on the machine (root, /dev/kvm, /dev/fuse, gcc, qemu ...).
 * Outside CI a missing precondition skips the test with the reason; with {@code CI=true} it fails
 * the test instead, because CI machines have everything and a skip there would hide a broken
 * install step.
 */
public final class Requires {

    private Requires() {
    }

    /** Whether this run is CI ({@code CI=true}), where skips are failures. */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Root privileges (mount, setfsuid to other users, /dev/fuse, open_by_handle_at). */
    public static void root() {
        require(ThreadCalls.geteuid() == 0, "needs root (effective uid is " + ThreadCalls.geteuid() + ")");
    }

    /** A readable and writable device node, e.g. /dev/kvm or /dev/fuse. */
    public static void device(String path) {
        Path p = Path.of(path);
        require(Files.exists(p), "needs " + path + ", which does not exist here");
        require(Files.isReadable(p) && Files.isWritable(p), "needs read/write access to " + path);
    }

    /** An executable on the PATH or at an absolute path. */
    public static void command(String name) {
        require(findCommand(name) != null, "needs the command '" + name + "', which is not installed");
    }

    /** A file, e.g. a header from linux-libc-dev. */
    public static void file(String path, String why) {
        require(Files.exists(Path.of(path)), "needs " + path + " (" + why + ")");
    }

    /** Any other precondition. */
    public static void that(boolean condition, String why) {
        require(condition, why);
    }

    /** The absolute path of {@code name} on the PATH, or null. */
    public static Path findCommand(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? p : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        if (ci()) {
            fail("CI=true, so this test may not skip: it " + why);
        }
        assumeTrue(false, why);
    }
}
