package dev.vireo.cli;

import dev.vireo.fuse.passthrough.CachePolicy;
import dev.vireo.fuse.passthrough.PassthroughFs;
import dev.vireo.fuse.passthrough.PassthroughOptions;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.sys.Log;
import dev.vireo.virtio.devices.fs.FsDevice;
import dev.vireo.virtio.devices.fs.VirtioFsServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code vireo virtiofsd}: vireo's virtio-fs device and passthrough file system as a vhost-user
 * back-end, with the Rust virtiofsd's option names and the C virtiofsd's {@code -o} spelling.
 * Options vireo does not implement are refused with a message, never ignored.
 */
@Command(name = "virtiofsd",
        header = "Share a host directory over virtio-fs (a virtiofsd for QEMU).",
        mixinStandardHelpOptions = true,
        description = {
            "Shares a host directory with a guest over virtio-fs, as a vhost-user back-end for QEMU",
            "(vhost-user-fs-pci, vhost-user-fs-device) or another VMM; a drop-in for virtiofsd:",
            "  vireo virtiofsd --socket-path /tmp/vfs.sock --shared-dir /srv/share &",
            "  qemu-system-x86_64 ... -chardev socket,id=fs0,path=/tmp/vfs.sock \\",
            "      -device vhost-user-fs-pci,chardev=fs0,tag=share \\",
            "      -object memory-backend-memfd,id=mem,size=1G,share=on -numa node,memdev=mem",
            "  (guest) mount -t virtiofs share /mnt",
            "Serves one front-end, then exits when it disconnects (--persist: waits for the next).",
            "The C daemon's spelling works too: -o source=DIR,cache=auto,xattr. See docs/virtiofsd.md."})
public final class VirtiofsdCommand implements Runnable {

    private static final Log LOG = Log.of("cli");

    @Mixin
    private VhostDaemonOptions daemon;

    @Option(names = "--shared-dir", paramLabel = "DIR", description = "The directory to share.")
    private Path sharedDir;

    @Option(names = "--tag", paramLabel = "TAG",
            description = "The tag to advertise in the device's configuration, for front-ends that ask the back-end for it "
                    + "(VHOST_USER_PROTOCOL_F_CONFIG, e.g. QEMU's vhost-user-device). Without it the configuration is not "
                    + "offered: QEMU's vhost-user-fs devices take their own tag= and warn about an offer they do not take.")
    private String tag;

    @Option(names = "--cache", paramLabel = "auto|always|never|metadata",
            description = "What the guest may cache: auto (1 s, close-to-open; the default), always (a day, keep "
                    + "page cache), never (nothing, direct I/O), metadata (names and attributes a day, no data).")
    private String cache;

    @Option(names = "--thread-pool-size", paramLabel = "N",
            description = "Threads serving requests; 0 serves them on the queue thread. Default: 2 per core, 4 to 16.")
    private Integer threads;

    @Option(names = "--poll-us", paramLabel = "US",
            description = "After answering what the guest queued, keep watching the request queue for US microseconds "
                    + "before sleeping (the kick thread, or the worker that answered a lone blocking request), so that a "
                    + "request that follows soon needs no kick, no wake-up and no hand-off (0: off, at most "
                    + "1000). Costs up to that much CPU per burst. Default: " + DEFAULT_POLL_US + " with 2 or more cores, else 0.")
    private Integer pollUs;

    /** {@code --poll-us} on a host with 2 or more cores: about a wake-up's cost in a VM on this machine, a few on bare metal. */
    static final int DEFAULT_POLL_US = 50;

    @Option(names = "--xattr", description = "Serve extended attributes (off by default, as in virtiofsd).")
    private boolean xattr;

    @Option(names = "--writeback", description = "Let the guest use its writeback cache (with --cache auto or always).")
    private boolean writeback;

    @Option(names = "--readonly", description = "Refuse every change (EROFS).")
    private boolean readOnly;

    @Option(names = "--inode-file-handles", paramLabel = "never|prefer|mandatory", arity = "0..1", fallbackValue = "prefer",
            description = "Hold inodes by file handle (prefer, mandatory) or by one descriptor each (never; fails beyond "
                    + "the open-file limit). Default: prefer.")
    private String fileHandles;

    @Option(names = "--sandbox", paramLabel = "none", description = "Only none: namespace and chroot sandboxing are not implemented yet.")
    private String sandbox;

    @Option(names = "--seccomp", paramLabel = "none", description = "Only none: seccomp filtering is not implemented yet.")
    private String seccomp;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "error, warn, info (warnings and errors, the default), debug or trace (vireo's fuse, virtio "
                    + "and vhost debug output), off (nothing).")
    private String logLevel;

    @Option(names = "--announce-submounts", description = "Tell the guest which directories are mount points on the host "
            + "(FUSE_ATTR_SUBMOUNT): it mounts each apart, so inode numbers of different host file systems do not mix.")
    private boolean announceSubmounts;

    @Option(names = "--no-announce-submounts", description = "Do not tell the guest which directories are mount points (the default).")
    private boolean noAnnounceSubmounts;

    @Option(names = "--killpriv-v2", description = "Let the guest leave clearing set-user-ID bits to the server (what vireo always does).")
    private boolean killprivV2;

    @Option(names = "--allow-direct-io", description = "Open host files with the O_DIRECT the guest asks for (the guest's "
            + "buffers must then be aligned as the host's file system requires). Without it O_DIRECT is dropped and the host's "
            + "page cache serves every file.")
    private boolean allowDirectIo;

    @Option(names = "-o", paramLabel = "OPT[,OPT...]",
            description = "The C virtiofsd's options: source=DIR, cache=none|auto|always|metadata, xattr, no_xattr, writeback, "
                    + "no_writeback, posix_lock, no_posix_lock, no_flock, readdirplus, norace, allow_direct_io, "
                    + "no_allow_direct_io, killpriv_v2, no_posix_acl, no_security_label, announce_submounts, "
                    + "no_announce_submounts, log_level=LEVEL (or loglevel=LEVEL), debug.")
    private List<String> legacy = new ArrayList<>();

    @Option(names = "-f", description = "Run in the foreground (the C daemon's option; vireo always does).")
    private boolean foreground;

    @Option(names = {"-d", "--debug"}, description = "Debug output (as --log-level debug).")
    private boolean debug;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    /** What the options settle; {@code tag} is null when none was given (nothing advertised). */
    record Settings(Path sharedDir, String tag, CachePolicy cache, int threads, PassthroughOptions passthrough, String logLevel,
            int pollUs) {
    }

    /** The device's tag when none is advertised: its configuration is then never read over vhost-user. */
    static final String UNADVERTISED_TAG = "vireo";

    @Override
    public void run() {
        if (daemon.printCapabilities) {
            VhostDaemonOptions.printCapabilities(spec.commandLine().getOut(), "fs", List.of());
            return;
        }
        Settings s = settings();
        daemon.requireEndpoint();
        applyLogLevel(s.logLevel());
        PassthroughOptions po = s.passthrough();
        // Fail now, not at the guest's INIT, if the directory cannot be served.
        new PassthroughFs(s.sharedDir(), po).close();
        VirtioFsServer server = new VirtioFsServer(() -> new PassthroughFs(s.sharedDir(), po), SessionConfig.defaults(),
                s.threads(), "virtiofsd");
        try {
            String deviceTag = s.tag() != null ? s.tag() : UNADVERTISED_TAG;
            FsDevice device = new FsDevice(new FsDevice.Options(deviceTag, 1, 1024, s.pollUs() * 1000L), server);
            daemon.serve(device, "virtiofsd (" + s.sharedDir() + ", cache " + s.cache().name().toLowerCase(Locale.ROOT)
                    + (po.writeback() ? " + writeback" : "") + (po.readOnly() ? ", read-only" : "") + ", "
                    + (s.threads() == 0 ? "no thread pool" : s.threads() + " threads")
                    + (s.pollUs() == 0 ? "" : ", polls " + s.pollUs() + " us")
                    + (s.tag() != null ? ", tag " + s.tag() : "") + ")", spec.commandLine().getErr(), s.tag() != null);
        } finally {
            server.close();
        }
    }

    /** Checks and combines the options; every refusal names the option. */
    Settings settings() {
        Path dir = sharedDir;
        String cacheName = cache;
        boolean xa = xattr;
        boolean wb = writeback;
        boolean posixLocks = true;
        boolean direct = allowDirectIo;
        boolean submounts = announceSubmounts;
        String level = logLevel;
        for (String opt : splitLegacy(legacy)) {
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq);
            String value = eq < 0 ? null : opt.substring(eq + 1);
            switch (key) {
                case "source" -> {
                    Path p = Path.of(requireValue(opt, value));
                    if (dir != null && !dir.equals(p)) {
                        throw new IllegalArgumentException("-o source=" + p + " and --shared-dir " + dir + " disagree");
                    }
                    dir = p;
                }
                case "cache" -> {
                    String v = requireValue(opt, value);
                    // The C daemon's "none" is the Rust daemon's "never".
                    cacheName = v.equals("none") ? "never" : v;
                }
                case "xattr" -> xa = true;
                case "no_xattr" -> xa = false;
                case "writeback" -> wb = true;
                case "no_writeback" -> wb = false;
                case "announce_submounts" -> submounts = true;
                case "no_announce_submounts" -> submounts = false;
                case "allow_direct_io" -> direct = true;
                case "no_allow_direct_io" -> direct = false;
                case "posix_lock" -> posixLocks = true;
                case "no_posix_lock" -> posixLocks = false;
                case "log_level", "loglevel" -> level = requireValue(opt, value).equals("err") ? "error" : value;
                case "debug" -> level = "debug";
                // What vireo does anyway: flock(2) stays in the guest, READDIRPLUS is served, there
                // is no racy fallback to disable, KILLPRIV_V2 is used, no POSIX ACLs or security
                // labels are negotiated.
                case "no_flock", "readdirplus", "norace", "killpriv_v2", "no_posix_acl",
                     "no_security_label" -> {
                }
                case "sandbox" -> throw new IllegalArgumentException("-o sandbox=" + value
                        + ": vireo does not sandbox itself yet (namespace and chroot sandboxing are a later issue); leave it out");
                default -> throw new IllegalArgumentException("-o " + opt + " is not supported by vireo virtiofsd "
                        + "(supported: source, cache, xattr, no_xattr, writeback, no_writeback, posix_lock, no_posix_lock, "
                        + "no_flock, readdirplus, norace, allow_direct_io, no_allow_direct_io, killpriv_v2, no_posix_acl, "
                        + "no_security_label, announce_submounts, no_announce_submounts, log_level, loglevel, debug)");
            }
        }
        if (debug) {
            level = "debug";
        }
        if (dir == null) {
            throw new IllegalArgumentException("give the directory to share with --shared-dir DIR (or -o source=DIR)");
        }
        Path src = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(src)) {
            throw new IllegalArgumentException("shared directory " + src + (Files.exists(src) ? " is not a directory" : " does not exist"));
        }
        if (sandbox != null && !sandbox.equals("none")) {
            throw new IllegalArgumentException("--sandbox " + sandbox
                    + " is not supported: vireo does not sandbox itself yet (namespace and chroot sandboxing are a later issue); "
                    + "use --sandbox none");
        }
        if (seccomp != null && !seccomp.equals("none")) {
            throw new IllegalArgumentException("--seccomp " + seccomp + " is not supported: vireo installs no seccomp filter yet; use --seccomp none");
        }
        if (announceSubmounts && noAnnounceSubmounts) {
            throw new IllegalArgumentException("--announce-submounts and --no-announce-submounts contradict each other");
        }
        CachePolicy policy = CachePolicy.named(cacheName == null ? "auto" : cacheName);
        // "fallback" is virtiofsd's deprecated name of prefer.
        String handlesName = fileHandles == null || fileHandles.equalsIgnoreCase("fallback") ? "prefer" : fileHandles;
        PassthroughOptions.FileHandles handles = PassthroughOptions.FileHandles.named(handlesName);
        String lvl = level == null ? "info" : level.toLowerCase(Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace", "off").contains(lvl)) {
            throw new IllegalArgumentException("--log-level must be error, warn, info, debug, trace or off, not '" + level + "'");
        }
        int n = threads != null ? threads : Math.clamp(2L * Runtime.getRuntime().availableProcessors(), 4, 16);
        if (n < 0 || n > 1024) {
            throw new IllegalArgumentException("--thread-pool-size must be 0 to 1024, not " + n);
        }
        // Requests come from the guest: its pids mean nothing on the host, so supplementary groups
        // come only from the FUSE_EXT_GROUPS extension, never from /proc.
        PassthroughOptions po = PassthroughOptions.defaults().withCache(policy).withWriteback(wb).withReadOnly(readOnly)
                .withXattr(xa).withPosixLocks(posixLocks).withFileHandles(handles)
                .withGroups(PassthroughOptions.Groups.EXTENSION).withDirectIo(direct).withAnnounceSubmounts(submounts);
        if (tag != null) {
            try {
                new FsDevice.Options(tag, 1, 1024);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--tag: " + e.getMessage());
            }
        }
        int poll = pollUs != null ? pollUs : Runtime.getRuntime().availableProcessors() > 1 ? DEFAULT_POLL_US : 0;
        if (poll < 0 || poll * 1000L > FsDevice.Options.MAX_POLL_NANOS) {
            throw new IllegalArgumentException("--poll-us must be 0 to " + FsDevice.Options.MAX_POLL_NANOS / 1000 + ", not " + poll);
        }
        return new Settings(src, tag, policy, n, po, lvl, poll);
    }

    private static String requireValue(String opt, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("-o " + opt + " needs a value");
        }
        return value;
    }

    /** -o values are comma-separated; a comma inside a value is escaped as "\," (libfuse's rule). */
    static List<String> splitLegacy(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            StringBuilder cur = new StringBuilder();
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                if (ch == '\\' && i + 1 < v.length()) {
                    cur.append(v.charAt(++i));
                } else if (ch == ',') {
                    if (!cur.isEmpty()) {
                        out.add(cur.toString());
                    }
                    cur.setLength(0);
                } else {
                    cur.append(ch);
                }
            }
            if (!cur.isEmpty()) {
                out.add(cur.toString());
            }
        }
        return out;
    }

    private static void applyLogLevel(String level) {
        switch (level) {
            case "debug", "trace" -> {
                Log.enable("fuse");
                Log.enable("virtio");
                Log.enable("vhost");
                Log.enable("cli");
            }
            case "off" -> Log.redirect(new PrintStream(OutputStream.nullOutputStream()));
            default -> {
                // error, warn, info: vireo's warnings (it has no separate info or error level).
            }
        }
        LOG.debug("log level %s", level);
    }
}
