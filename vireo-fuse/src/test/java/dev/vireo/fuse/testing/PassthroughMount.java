package dev.vireo.fuse.testing;

import dev.vireo.fuse.passthrough.PassthroughFs;
import dev.vireo.fuse.passthrough.PassthroughOptions;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.fuse.transport.FuseServer;
import dev.vireo.fuse.transport.MountOptions;
import dev.vireo.sys.testing.Requires;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@link PassthroughFs} of {@code <dir>/src} mounted at {@code <dir>/mnt} through the kernel, for
 * tests. Closing unmounts and stops the server (before the temporary directory is deleted).
 */
public final class PassthroughMount implements AutoCloseable {

    private final Path source;
    private final Path mountPoint;
    private final PassthroughFs fs;
    private final FuseServer server;

    private PassthroughMount(Path source, Path mountPoint, PassthroughFs fs, FuseServer server) {
        this.source = source;
        this.mountPoint = mountPoint;
        this.fs = fs;
        this.server = server;
    }

    /** Mounts with default options and 2 threads. */
    public static PassthroughMount start(Path dir) throws IOException, InterruptedException {
        return start(dir, PassthroughOptions.defaults(), 2, MountOptions::withAllowOther);
    }

    /** Mounts {@code dir/src} at {@code dir/mnt}. */
    public static PassthroughMount start(Path dir, PassthroughOptions options, int threads,
                                         java.util.function.BiFunction<MountOptions, Boolean, MountOptions> mount)
            throws IOException, InterruptedException {
        Requires.root();
        Requires.device("/dev/fuse");
        Path src = Files.createDirectories(dir.resolve("src"));
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        PassthroughFs fs = new PassthroughFs(src, options);
        FuseServer server;
        try {
            server = FuseServer.start(fs, mount.apply(MountOptions.of(mnt, src.toString()), true),
                    SessionConfig.defaults(), threads);
        } catch (RuntimeException e) {
            fs.close();
            throw e;
        }
        if (!server.awaitReady(Duration.ofSeconds(10))) {
            server.close();
            throw new IllegalStateException("the kernel did not INIT within 10 s: " + server.session().failure());
        }
        return new PassthroughMount(src, mnt, fs, server);
    }

    /** The served host directory. */
    public Path source() {
        return source;
    }

    /** The mount point. */
    public Path mnt() {
        return mountPoint;
    }

    public PassthroughFs fs() {
        return fs;
    }

    public FuseServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
