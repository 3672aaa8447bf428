package dev.vireo.fuse.passthrough;

import dev.vireo.sys.abi.fuse.Fuse;

/**
 * How much the kernel may cache, as virtiofsd's {@code --cache} chooses it: the time names and
 * attributes stay valid in the kernel's caches, and the FOPEN_* flags of open files.
 */
public enum CachePolicy {
    /**
     * Nothing cached: every access asks vireo (timeouts 0, FOPEN_DIRECT_IO, no page cache). For
     * directories other programs change on the host at the same time.
     */
    NEVER(0, Fuse.FOPEN_DIRECT_IO, 0),
    /**
     * Names and attributes valid for 1 s; file data cached while the file is open and dropped on
     * the next open (close-to-open consistency). The default.
     */
    AUTO(1_000_000_000L, 0, 0),
    /**
     * Names and attributes valid for a day, file data never cached (FOPEN_DIRECT_IO): virtiofsd's
     * {@code --cache metadata}, for directories whose tree only this mount changes but whose file
     * contents others write.
     */
    METADATA(86_400_000_000_000L, Fuse.FOPEN_DIRECT_IO, 0),
    /**
     * Names and attributes valid for a day, file data and directory listings kept across opens
     * (FOPEN_KEEP_CACHE, FOPEN_CACHE_DIR). For directories only this mount changes.
     */
    ALWAYS(86_400_000_000_000L, Fuse.FOPEN_KEEP_CACHE, Fuse.FOPEN_KEEP_CACHE | Fuse.FOPEN_CACHE_DIR);

    private final long timeoutNanos;
    private final int fileOpenFlags;
    private final int dirOpenFlags;

    CachePolicy(long timeoutNanos, int fileOpenFlags, int dirOpenFlags) {
        this.timeoutNanos = timeoutNanos;
        this.fileOpenFlags = fileOpenFlags;
        this.dirOpenFlags = dirOpenFlags;
    }

    /** The policy of a {@code --cache} value (auto, always, never, metadata; any case), as the commands spell it. */
    public static CachePolicy named(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> AUTO;
            case "always" -> ALWAYS;
            case "never" -> NEVER;
            case "metadata" -> METADATA;
            default -> throw new IllegalArgumentException("--cache must be auto, always, never or metadata, not '" + name + "'");
        };
    }

    /** Entry and attribute timeout. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /** FOPEN_* flags for OPEN and CREATE replies. */
    public int fileOpenFlags() {
        return fileOpenFlags;
    }

    /** FOPEN_* flags for OPENDIR replies. */
    public int dirOpenFlags() {
        return dirOpenFlags;
    }
}
