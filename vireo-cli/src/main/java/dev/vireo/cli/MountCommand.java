package dev.vireo.cli;

import dev.vireo.fuse.passthrough.CachePolicy;
import dev.vireo.fuse.passthrough.PassthroughFs;
import dev.vireo.fuse.passthrough.PassthroughOptions;
import dev.vireo.fuse.session.Negotiated;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.fuse.transport.FuseMount;
import dev.vireo.fuse.transport.FuseServer;
import dev.vireo.fuse.transport.MountOptions;
import dev.vireo.sys.Log;
import dev.vireo.sys.ThreadCalls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vireo mount SRC MNT}: serves a host directory on a FUSE mount, in the foreground. */
@Command(name = "mount",
        header = "Serve a host directory over FUSE on /dev/fuse.",
        mixinStandardHelpOptions = true,
        description = {
            "Serves the directory SRC at the mount point MNT over FUSE (/dev/fuse), in the foreground, until",
            "interrupted (Ctrl-C, SIGTERM) or unmounted from outside (umount MNT). Prints one line once the",
            "mount is ready. Needs root (mount(2)). Run as root, every operation is performed with the",
            "requesting process's uid, gid and groups, so the host's permission checks apply; nothing outside",
            "SRC can be reached through the mount (symbolic links are returned, never followed by vireo).",
            "See docs/fuse.md."})
public final class MountCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SRC", description = "The directory to serve.")
    private Path source;

    @Parameters(index = "1", paramLabel = "MNT", description = "The mount point: an existing empty directory.")
    private Path mountPoint;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads serving requests, each on its own /dev/fuse descriptor (default: 2 per core, 4 to 16).")
    private Integer threads;

    @Option(names = "--cache", paramLabel = "never|auto|always|metadata", defaultValue = "auto",
            description = "What the kernel may cache: never (timeouts 0, direct I/O), auto (1 s, close-to-open), "
                    + "always (a day, keep page cache), metadata (names and attributes a day, no data). "
                    + "Default: ${DEFAULT-VALUE}.")
    private String cache;

    @Option(names = "--writeback", description = "Use the kernel's writeback cache (with --cache auto or always).")
    private boolean writeback;

    @Option(names = "--allow-other", description = "Let users other than root use the mount (allow_other).")
    private boolean allowOther;

    @Option(names = "--read-only", description = "Mount read-only; vireo also refuses every change (EROFS).")
    private boolean readOnly;

    @Option(names = "-o", paramLabel = "OPT[,OPT...]",
            description = "Mount options: default_permissions, allow_other, ro, noexec, nosuid, nodev, noatime, "
                    + "nodiratime, relatime, strictatime, lazytime, sync, dirsync, max_read=N.")
    private List<String> options = new ArrayList<>();

    @Option(names = "--inode-file-handles", paramLabel = "never|prefer|mandatory", defaultValue = "prefer",
            description = "Hold inodes by file handle with a bounded descriptor cache (prefer, mandatory), or by one "
                    + "descriptor each (never; fails beyond the open-file limit). Default: ${DEFAULT-VALUE}.")
    private String fileHandles;

    @Option(names = "--fd-cache", paramLabel = "N", defaultValue = "0",
            description = "Inode descriptors kept open with file handles (default 0: half the open-file limit).")
    private int fdCache;

    @Option(names = "--max-background", paramLabel = "N", defaultValue = "64",
            description = "Background requests (readahead, writeback) the kernel keeps in flight (max_background). "
                    + "Default: ${DEFAULT-VALUE}; congestion_threshold is three quarters of it.")
    private int maxBackground;

    @Option(names = "--no-xattr", description = "Do not serve extended attributes.")
    private boolean noXattr;

    @Option(names = "--no-posix-locks", description = "Keep POSIX locks in the kernel instead of on the host.")
    private boolean noPosixLocks;

    @Option(names = "--debug", description = "Log every FUSE request and reply decision (same as VIREO_DEBUG=fuse).")
    private boolean debug;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (debug) {
            Log.enable("fuse");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path src = source.toAbsolutePath().normalize();
        if (!Files.exists(src)) {
            throw new IllegalArgumentException("source " + src + " does not exist");
        }
        if (!Files.isDirectory(src)) {
            throw new IllegalArgumentException("source " + src + " is not a directory");
        }
        if (ThreadCalls.geteuid() != 0) {
            throw new IllegalStateException("mounting needs root (mount(2) needs CAP_SYS_ADMIN)");
        }
        CachePolicy policy = CachePolicy.named(cache);
        PassthroughOptions.FileHandles handles = PassthroughOptions.FileHandles.named(fileHandles);
        int n = threads != null ? threads : Math.clamp(2L * Runtime.getRuntime().availableProcessors(), 4, 16);
        List<String> extra = FuseMount.splitOptions(options);
        PassthroughOptions po = PassthroughOptions.defaults().withCache(policy).withWriteback(writeback)
                .withReadOnly(readOnly || extra.contains("ro")).withXattr(!noXattr).withPosixLocks(!noPosixLocks)
                .withFileHandles(handles).withFdCacheSize(fdCache);
        MountOptions mo = MountOptions.of(mountPoint, src.toString()).withAllowOther(allowOther)
                .withReadOnly(readOnly).withExtra(extra);

        PassthroughFs fs = new PassthroughFs(src, po);
        FuseServer server;
        try {
            SessionConfig config = new SessionConfig(SessionConfig.MAX_WRITE, maxBackground, maxBackground * 3 / 4);
            server = FuseServer.start(fs, mo, config, n);
        } catch (RuntimeException e) {
            fs.close();
            throw e;
        }
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            server.close();
            err.println("vireo mount: unmounted " + server.mountPoint());
            err.flush();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        if (!server.awaitReady(Duration.ofSeconds(30))) {
            String why = server.session().failure();
            server.close();
            removeHook(hook);
            throw new IllegalStateException("the kernel did not start the FUSE session"
                    + (why != null ? ": " + why : " within 30 s"));
        }
        Negotiated neg = server.session().negotiated();
        out.printf("vireo: serving %s at %s (FUSE %s, %d threads, cache %s%s, inodes by %s)%n", src, server.mountPoint(),
                neg.version(), server.threads(), policy.name().toLowerCase(Locale.ROOT), writeback ? " + writeback" : "",
                fs.usesFileHandles() ? "file handle" : "descriptor");
        out.flush();
        server.awaitTermination();
        // Unmounted from outside (or by the shutdown hook, which then owns the exit).
        if (removeHook(hook)) {
            server.close();
            out.println("vireo: " + server.mountPoint() + " was unmounted; done");
            out.flush();
        }
        return 0;
    }

    private static boolean removeHook(Thread hook) {
        try {
            return Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }
}
