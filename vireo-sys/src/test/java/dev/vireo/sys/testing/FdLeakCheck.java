package dev.vireo.sys.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test that leaves file descriptors open: compares {@code /proc/self/fd} before and after
 * each test (Netty's paranoid leak level, as a JUnit extension). Descriptors the JVM opens lazily
 * for its own use (jars, class-data archives, /dev/random) are ignored, and the socket the JDK keeps
 * for the life of the process once NIO's socket classes load (UnixDispatcher's pre-close
 * descriptor) is opened before the first count.
 */
public final class FdLeakCheck implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FdLeakCheck.class);

    static {
        try {
            java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX).close();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("fds", openFds());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Map<Integer, String> before = context.getStore(NS).get("fds", Map.class);
        Map<Integer, String> after = openFds();
        after.keySet().removeAll(before.keySet());
        if (!after.isEmpty()) {
            fail("file descriptors leaked by " + context.getDisplayName() + ": " + after);
        }
    }

    /** The process's open descriptors and what they point at. */
    public static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!ignored(target)) {
                        fds.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // closed between list and readlink: the directory's own fd, or a racing close
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return fds;
    }

    private static boolean ignored(String target) {
        return target.endsWith(".jar") || target.endsWith(".jsa") || target.endsWith("/modules")
                || target.startsWith("/dev/random") || target.startsWith("/dev/urandom")
                || target.contains("surefire") || target.startsWith("/proc/") && target.endsWith("/fd");
    }
}
