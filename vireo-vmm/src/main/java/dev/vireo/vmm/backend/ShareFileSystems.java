package dev.vireo.vmm.backend;

import dev.vireo.fuse.passthrough.PassthroughFs;
import dev.vireo.fuse.passthrough.PassthroughOptions;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The file systems of one share, one per FUSE session. The first is made at once, on a thread of
 * its own, while QEMU starts and the guest boots, and is handed to the guest's first session (its
 * INIT comes seconds later); a later session (the guest unmounted and mounted again) gets a new
 * one. Making a {@link PassthroughFs} opens the directory, probes file handles and links the
 * system calls it uses: about 0.1 s of a fresh JVM that {@code vireo run} would otherwise spend
 * before starting QEMU, and once more for the session.
 *
 * <p>Should making the first one fail, the guest's mount fails and its {@code /init} reports it;
 * {@link Share#parse} has checked that the directory exists beforehand. {@link #close} closes the
 * first one if no session took it.
 */
final class ShareFileSystems implements Supplier<PassthroughFs>, AutoCloseable {

    private final Path dir;
    private final PassthroughOptions options;
    private final CompletableFuture<PassthroughFs> first = new CompletableFuture<>();
    private boolean firstTaken;

    ShareFileSystems(Path dir, PassthroughOptions options, String name) {
        this.dir = dir;
        this.options = options;
        Thread.ofPlatform().daemon().name("vireo-fs-" + name + "-prepare").start(() -> {
            try {
                first.complete(new PassthroughFs(dir, options));
            } catch (Throwable t) {
                first.completeExceptionally(t);
            }
        });
    }

    /** The next session's file system: the one made ahead for the first, a new one after that. */
    @Override
    public synchronized PassthroughFs get() {
        if (firstTaken) {
            return new PassthroughFs(dir, options);
        }
        firstTaken = true;
        try {
            return first.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Closes the first file system unless a session took it (the session closes its own). */
    @Override
    public synchronized void close() {
        if (firstTaken) {
            return;
        }
        firstTaken = true;
        try {
            first.join().close();
        } catch (CompletionException e) {
            // it was never made: nothing to close
        }
    }
}
