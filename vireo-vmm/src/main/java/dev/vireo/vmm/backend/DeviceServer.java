package dev.vireo.vmm.backend;

import dev.vireo.vmm.qemu.VhostUserDevice;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A vhost-user backend the launcher starts before QEMU and stops after it: it listens on a Unix
 * socket, QEMU connects to it as the frontend (QEMU {@code docs/interop/vhost-user.rst}) and the
 * guest's virtio device is served there. vireo's own devices are served in-process
 * ({@link InProcessServer}); {@link StandInBackends} runs QEMU's C daemons instead (kept as the
 * benchmark's comparison).
 *
 * <p>Lifecycle: {@link #start} begins serving and returns at once, so that the launcher can prepare
 * the guest meanwhile; {@link #awaitReady} returns once the socket accepts connections (QEMU
 * connects while it starts and fails if nothing listens); {@link #alive} tells whether it still
 * serves (checked when a run fails, to name the culprit); {@link #close} stops it, frees what it
 * holds (threads, processes, the socket file) and may be called more than once. Both
 * {@code start} and {@code close} are called from the thread that runs the VM.
 */
public interface DeviceServer extends AutoCloseable {

    /** The virtio device it serves. */
    VhostUserDevice.Kind kind();

    /** The socket QEMU connects to. */
    Path socket();

    /** Extra properties of QEMU's {@code -device} for it (e.g. {@code tag} for virtio-fs). */
    Map<String, String> deviceProperties();

    /** Starts serving, without waiting for the socket. */
    void start() throws IOException;

    /** Waits until the socket accepts connections (an in-process backend is ready at once). */
    void awaitReady() throws IOException;

    /** Whether it is still serving. */
    boolean alive();

    /** What it is, for messages ("virtio-fs /home/me/src -> /mnt, C virtiofsd (stand-in)"). */
    String describe();

    /** Why it stopped, when it did (its diagnostics), or "". */
    String diagnostics();

    @Override
    void close();
}
