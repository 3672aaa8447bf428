package dev.vireo.vmm.backend;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Makes the vhost-user backends of a run: one per share, one per disk, and the entropy device.
 * The launcher knows only this interface; vireo's in-process backends ({@link InProcessBackends}) and
 * QEMU's C daemons ({@link StandInBackends}, kept for comparisons) are two implementations, chosen
 * in one place ({@link #defaultFactory}).
 */
public interface BackendFactory {

    /** A virtio-fs backend serving {@code share}, with file-system tag {@code tag}, on {@code socket}. */
    DeviceServer share(Share share, String tag, Path socket);

    /** A virtio-blk backend serving {@code disk} on {@code socket}. */
    DeviceServer disk(Disk disk, Path socket);

    /** A virtio-rng backend on {@code socket}, or empty when this factory has none. */
    Optional<DeviceServer> entropy(Path socket);

    /** A check made before anything starts: empty (the default) when the factory can serve, else what is missing. */
    default Optional<String> missing(boolean shares, boolean disks) {
        return Optional.empty();
    }

    /**
     * Called once QEMU has started, before it talks to the backends: a factory whose backends
     * would spend that time getting ready (the default does nothing) starts doing so now.
     */
    default void qemuStarted() {
    }

    /** What the backends are, for {@code --verbose}. */
    String describe();

    /** The backends vireo uses. */
    static BackendFactory defaultFactory() {
        return new InProcessBackends();
    }
}
