package dev.vireo.cli;

import dev.vireo.sys.Log;
import dev.vireo.vhost.backend.VhostUserBackend;
import dev.vireo.vhost.backend.VhostUserDaemon;
import dev.vireo.virtio.device.VirtioDevice;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The options every vireo vhost-user daemon shares, named as QEMU's "Backend program conventions"
 * name them (--socket-path, --fd, --print-capabilities), and the daemon's run: listen, serve one
 * front-end at a time, stop cleanly on SIGTERM/SIGINT.
 */
final class VhostDaemonOptions {

    private static final Log LOG = Log.of("cli");

    static final class Endpoint {
        @Option(names = "--socket-path", paramLabel = "PATH", description = "Listen for the front-end (QEMU) on this Unix socket.")
        Path socketPath;

        @Option(names = "--fd", paramLabel = "FD", description = "Use this inherited descriptor, a listening Unix socket, instead of --socket-path.")
        Integer fd;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Endpoint endpoint;

    @Option(names = "--print-capabilities", description = "Print the back-end's capabilities as JSON (vhost-user.json) and exit.")
    boolean printCapabilities;

    @Option(names = "--persist", description = "After a front-end disconnects, wait for the next one instead of exiting.")
    boolean persist;

    /** Prints the capabilities JSON of a back-end of {@code type} with {@code features}. */
    static void printCapabilities(PrintWriter out, String type, List<String> features) {
        StringBuilder b = new StringBuilder("{\n  \"type\": \"").append(type).append("\",\n  \"features\": [");
        for (int i = 0; i < features.size(); i++) {
            b.append(i == 0 ? "\n" : ",\n").append("    \"").append(features.get(i)).append('"');
        }
        b.append(features.isEmpty() ? "]\n}" : "\n  ]\n}");
        out.println(b);
        out.flush();
    }

    /** Checks that an endpoint was given. */
    void requireEndpoint() {
        if (endpoint == null) {
            throw new IllegalArgumentException("give --socket-path PATH or --fd FD");
        }
    }

    /** Serves {@code device} until the front-end leaves (or forever with --persist) or a signal arrives. */
    void serve(VirtioDevice device, String what, PrintWriter err) {
        serve(device, what, err, true);
    }

    /**
     * As {@link #serve(VirtioDevice, String, PrintWriter)}; the device's configuration is offered
     * (VHOST_USER_PROTOCOL_F_CONFIG) only if {@code offerConfig} and it has one.
     */
    void serve(VirtioDevice device, String what, PrintWriter err, boolean offerConfig) {
        requireEndpoint();
        VhostUserDaemon daemon = endpoint.socketPath != null
                ? VhostUserDaemon.listen(endpoint.socketPath)
                : VhostUserDaemon.inherit(endpoint.fd);
        Thread hook = new Thread(() -> {
            try {
                if (!daemon.stopAndWait(5)) {
                    LOG.warn("%s did not stop within 5 s", what);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vireo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (daemon) {
            err.println("vireo: " + what + " listening on "
                    + (endpoint.socketPath != null ? endpoint.socketPath : "fd " + endpoint.fd));
            err.flush();
            daemon.serve(new VhostUserBackend(device, offerConfig), persist);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running
            }
        }
    }
}
