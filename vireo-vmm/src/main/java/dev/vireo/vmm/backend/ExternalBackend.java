package dev.vireo.vmm.backend;

import dev.vireo.vmm.host.ChildProcess;
import dev.vireo.vmm.qemu.VhostUserDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A vhost-user backend that is a separate program (QEMU's C virtiofsd, qemu-storage-daemon, or
 * {@code vireo virtiofsd} run as its own process, as the tests of that command do). {@link #start}
 * runs the program, {@link #awaitReady} waits until it has created its socket.
 */
public final class ExternalBackend implements DeviceServer {

    private static final long READY_TIMEOUT_MS = 10_000;

    private final VhostUserDevice.Kind kind;
    private final Path socket;
    private final Map<String, String> properties;
    private final List<String> command;
    private final String description;
    private ChildProcess process;

    /**
     * @param kind        the virtio device it serves
     * @param socket      the socket it creates and QEMU connects to
     * @param properties  extra {@code -device} properties (e.g. {@code tag})
     * @param command     the program and its arguments
     * @param description for messages
     */
    public ExternalBackend(VhostUserDevice.Kind kind, Path socket, Map<String, String> properties, List<String> command,
                    String description) {
        this.kind = kind;
        this.socket = socket;
        this.properties = Map.copyOf(properties);
        this.command = List.copyOf(command);
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
    public void start() throws IOException {
        process = ChildProcess.start(description, command);
    }

    @Override
    public void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT_MS * 1_000_000;
        try {
            while (!Files.exists(socket)) {
                if (!process.alive()) {
                    throw new IOException(description + " stopped at once: " + process.stderr().strip());
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(description + " did not create its socket " + socket + " within "
                            + READY_TIMEOUT_MS / 1000 + " s");
                }
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + description, e);
        }
    }

    @Override
    public boolean alive() {
        return process != null && process.alive();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String diagnostics() {
        return process == null || process.alive() ? "" : process.stderr().strip();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the run directory is removed after the backends anyway
        }
    }
}
