package dev.vireo.vmm.backend;

import dev.vireo.sys.Log;
import dev.vireo.vhost.backend.VhostUserBackend;
import dev.vireo.vhost.backend.VhostUserDaemon;
import dev.vireo.virtio.device.VirtioDevice;
import dev.vireo.vmm.qemu.VhostUserDevice;

import java.nio.file.Path;
import java.util.Map;

/**
 * One of vireo's devices served to QEMU from inside vireo's own process: a vhost-user daemon on a
 * platform thread. The socket listens as soon as {@link #start} returns, so {@link #awaitReady} has
 * nothing to wait for; {@link #close} disconnects QEMU if it is still attached, waits for the
 * device to stop, then runs the device's own clean-up (closing an image, ending a FUSE session).
 */
public final class InProcessServer implements DeviceServer {

    private static final Log LOG = Log.of("run");

    private final VhostUserDevice.Kind kind;
    private final Path socket;
    private final Map<String, String> properties;
    private final VirtioDevice device;
    private final AutoCloseable cleanup;
    private final String description;
    private VhostUserDaemon daemon;
    private Thread thread;
    private volatile Throwable failure;

    public InProcessServer(VhostUserDevice.Kind kind, Path socket, Map<String, String> properties, VirtioDevice device,
                           AutoCloseable cleanup, String description) {
        this.kind = kind;
        this.socket = socket;
        this.properties = Map.copyOf(properties);
        this.device = device;
        this.cleanup = cleanup;
        this.description = description;
    }

    @Override
    public VhostUserDevice.Kind kind() {
        return kind;
    }

    @Override
    public Path socket() {
        return socket;
    }

    @Override
    public Map<String, String> deviceProperties() {
        return properties;
    }

    @Override
    public void start() {
        daemon = VhostUserDaemon.listen(socket);
        thread = Thread.ofPlatform().name("vireo-" + kind.name().toLowerCase() + "-backend").start(() -> {
            try {
                daemon.serve(new VhostUserBackend(device, kind.readsBackendConfig()), false);
            } catch (Throwable t) {
                failure = t;
                LOG.warn("%s stopped: %s", description, t);
            }
        });
    }

    @Override
    public void awaitReady() {
        // listening since start()
    }

    @Override
    public boolean alive() {
        return thread != null && thread.isAlive() && failure == null;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String diagnostics() {
        return failure == null ? "" : failure.toString();
    }

    @Override
    public void close() {
        if (daemon != null) {
            try {
                if (!daemon.stopAndWait(5)) {
                    LOG.warn("%s did not stop within 5 s", description);
                }
                if (thread != null) {
                    thread.join(5000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                daemon.close();
                daemon = null;
            }
        }
        if (cleanup != null) {
            try {
                cleanup.close();
            } catch (Exception e) {
                LOG.warn("closing %s: %s", description, e.getMessage());
            }
        }
    }
}
