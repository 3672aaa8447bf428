package dev.vireo.vmm.guest;

import dev.vireo.sys.ThreadCalls;
import dev.vireo.vmm.host.HostCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian packages fetched and unpacked into vireo's cache, never installed on the host:
 * {@code apt-get download} (the host's own apt configuration and mirror) and {@code dpkg-deb -x}.
 * A metapackage such as {@code linux-image-cloud-amd64} is resolved to the versioned package it
 * depends on; the resolution is remembered, so a warm start runs no apt at all ({@code refresh}
 * asks apt again).
 *
 * <p>Layout under {@code dir}: {@code NAME_VERSION/} (the unpacked tree, complete once it holds
 * {@code .vireo-complete}), {@code META.resolved} (the package a metapackage resolved to).
 */
public final class DebianPackages {

    /** A package unpacked in the cache. */
    public record Unpacked(String name, String version, Path root) {
    }

    /** Fetching failed; the message says what to do. */
    public static final class FetchException extends Exception {
        public FetchException(String message) {
            super(message);
        }
    }

    private static final String COMPLETE = ".vireo-complete";
    private static final Pattern DEPENDENCY = Pattern.compile("^\\s*([a-z0-9][a-z0-9+.-]*)\\s*(?:\\(\\s*=\\s*([^)\\s]+)\\s*\\))?");
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9+.:~_-]*");

    private final Path dir;
    private final Consumer<String> progress;
    private final boolean refresh;

    /**
     * @param dir      the cache directory for packages
     * @param progress receives one line per step (and apt's own lines) while fetching
     * @param refresh  ask apt again which version a metapackage means, even if it was resolved before
     */
    public DebianPackages(Path dir, Consumer<String> progress, boolean refresh) {
        this.dir = dir;
        this.progress = progress;
        this.refresh = refresh;
    }

    /** Whether this host has apt-get and dpkg-deb. */
    public static boolean available() {
        return HostCommand.find("apt-get") != null && HostCommand.find("dpkg-deb") != null;
    }

    /** The package {@code meta} depends on (its first dependency), unpacked. */
    public Unpacked throughMetapackage(String meta) throws IOException, FetchException {
        checkName(meta);
        Path resolved = dir.resolve(meta + ".resolved");
        Unpacked known = remembered(resolved);
        if (known != null) {
            return known;
        }
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, "fetch-");
        try {
            Path deb = download(meta, work);
            String depends = field(deb, "Depends");
            Matcher m = DEPENDENCY.matcher(depends);
            if (!m.find()) {
                throw new FetchException(meta + " has no dependency to follow (Depends: " + depends + ")");
            }
            Unpacked u = fetch(m.group(1), m.group(2));
            Files.writeString(resolved, u.name() + " " + u.version() + "\n");
            return u;
        } finally {
            deleteTree(work);
        }
    }

    /** Package {@code name} at apt's candidate version, unpacked; the version is remembered as for a metapackage. */
    public Unpacked latest(String name) throws IOException, FetchException {
        checkName(name);
        Path resolved = dir.resolve(name + ".resolved");
        Unpacked known = remembered(resolved);
        if (known != null) {
            return known;
        }
        Unpacked u = fetch(name, null);
        Files.writeString(resolved, u.name() + " " + u.version() + "\n");
        return u;
    }

    private Unpacked remembered(Path resolved) throws IOException {
        if (refresh || !Files.isRegularFile(resolved)) {
            return null;
        }
        String[] nv = Files.readString(resolved).strip().split(" ");
        if (nv.length != 2 || !SAFE.matcher(nv[0]).matches() || !SAFE.matcher(nv[1]).matches()) {
            return null;
        }
        Path root = dir.resolve(nv[0] + "_" + safeVersion(nv[1]));
        return Files.isRegularFile(root.resolve(COMPLETE)) ? new Unpacked(nv[0], nv[1], root) : null;
    }

    /** Package {@code name} (at {@code version}, or the candidate version when null), unpacked. */
    public Unpacked fetch(String name, String version) throws IOException, FetchException {
        checkName(name);
        if (version != null) {
            checkName(version);
            Path root = dir.resolve(name + "_" + safeVersion(version));
            if (Files.isRegularFile(root.resolve(COMPLETE))) {
                return new Unpacked(name, version, root);
            }
        }
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, "fetch-");
        try {
            Path deb = download(version == null ? name : name + "=" + version, work);
            String actual = field(deb, "Version");
            Path root = dir.resolve(name + "_" + safeVersion(actual));
            if (Files.isRegularFile(root.resolve(COMPLETE))) {
                return new Unpacked(name, actual, root);
            }
            progress.accept("vireo: unpacking " + deb.getFileName() + " into " + root);
            Path tree = work.resolve("tree");
            HostCommand.Result x = HostCommand.run(List.of("dpkg-deb", "-x", deb.toString(), tree.toString()), null, null, 600);
            if (!x.ok()) {
                throw new FetchException("dpkg-deb -x " + deb.getFileName() + " failed: " + x.output().strip());
            }
            Files.writeString(tree.resolve(COMPLETE), name + " " + actual + "\n");
            deleteTree(root);
            Files.move(tree, root, StandardCopyOption.ATOMIC_MOVE);
            return new Unpacked(name, actual, root);
        } finally {
            deleteTree(work);
        }
    }

    /** apt-get download into {@code work}; refreshes the package lists once if apt does not know the package. */
    private Path download(String spec, Path work) throws IOException, FetchException {
        progress.accept("vireo: fetching " + spec + " (apt-get download)");
        HostCommand.Result r = aptDownload(spec, work);
        if (!r.ok() && unknownPackage(r.output())) {
            if (ThreadCalls.geteuid() != 0) {
                throw new FetchException("apt does not know " + spec + ": its package lists are missing or old. Run "
                        + "'sudo apt-get update' and try again (or pass --kernel FILE)");
            }
            progress.accept("vireo: apt does not know " + spec + "; refreshing the package lists (apt-get update)");
            HostCommand.Result u = HostCommand.run(List.of("apt-get", "update", "-q"), null, s -> progress.accept("  " + s), 900);
            if (!u.ok()) {
                throw new FetchException("apt-get update failed:\n" + tail(u.output()));
            }
            r = aptDownload(spec, work);
        }
        if (!r.ok()) {
            throw new FetchException("apt-get download " + spec + " failed:\n" + tail(r.output()));
        }
        try (Stream<Path> s = Files.list(work)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new FetchException("apt-get download " + spec + " left no .deb file"));
        }
    }

    private HostCommand.Result aptDownload(String spec, Path work) throws IOException {
        // The download directory belongs to the caller, not to apt's sandbox user _apt.
        return HostCommand.run(List.of("apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", spec), work,
                s -> progress.accept("  " + s), 1800);
    }

    private static boolean unknownPackage(String output) {
        return output.contains("Unable to locate package") || output.contains("has no installation candidate")
                || output.contains("Can't select candidate version") || output.contains("No packages found");
    }

    private static String field(Path deb, String name) throws IOException, FetchException {
        HostCommand.Result r = HostCommand.run("dpkg-deb", "-f", deb.toString(), name);
        if (!r.ok()) {
            throw new FetchException("dpkg-deb -f " + deb.getFileName() + " " + name + " failed: " + r.output().strip());
        }
        return r.output().strip();
    }

    private static void checkName(String s) throws FetchException {
        if (!SAFE.matcher(s).matches()) {
            throw new FetchException("not a Debian package name or version: " + s);
        }
    }

    /** Versions may hold ':' (an epoch), which is awkward in file names. */
    private static String safeVersion(String v) {
        return v.replace(':', '%');
    }

    private static String tail(String output) {
        List<String> lines = output.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

}
