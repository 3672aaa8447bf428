package dev.vireo.fuse.passthrough;

/**
 * Options of a {@link PassthroughFs}.
 *
 * @param cache              what the kernel may cache
 * @param writeback          use the kernel's writeback cache (FUSE_WRITEBACK_CACHE): writes are
 *                           gathered in the page cache and sent in large batches; needs cache
 *                           AUTO or ALWAYS
 * @param readOnly           refuse every change with EROFS
 * @param xattr              serve extended attributes (otherwise the kernel is told ENOSYS)
 * @param posixLocks         serve POSIX record locks (FUSE_POSIX_LOCKS) on the host, as OFD locks
 *                           per lock owner, so that they are seen by host processes; otherwise the
 *                           kernel keeps them locally
 * @param fileHandles        how inodes are held: by file handle with a bounded cache of open
 *                           descriptors, or by one O_PATH descriptor each
 * @param fdCacheSize        how many inode descriptors to keep open when inodes are held by file
 *                           handle (0 = half the open-file limit)
 * @param runAsRequester     perform each operation with the requester's fsuid, fsgid and
 *                           supplementary groups (needs root), so that the host checks permissions
 *                           and new files get the requester as owner
 * @param groups             where supplementary groups come from when running as the requester
 * @param directIo           open host files with the O_DIRECT the client asked for (virtiofsd's
 *                           {@code --allow-direct-io}); otherwise it is dropped, and the host's page
 *                           cache serves every file
 * @param announceSubmounts  mark directories on another host file system than their parent's as
 *                           submounts (FUSE_ATTR_SUBMOUNT, where the kernel offers FUSE_SUBMOUNTS:
 *                           virtio-fs), so that the client mounts them apart and their inode
 *                           numbers do not mix with the parent file system's (virtiofsd's
 *                           {@code --announce-submounts})
 */
public record PassthroughOptions(CachePolicy cache, boolean writeback, boolean readOnly, boolean xattr,
                                 boolean posixLocks, FileHandles fileHandles, int fdCacheSize,
                                 boolean runAsRequester, Groups groups, boolean directIo, boolean announceSubmounts) {

    /** virtiofsd's {@code --inode-file-handles}. */
    public enum FileHandles {
        /** One O_PATH descriptor per inode (fails beyond the open-file limit). */
        NEVER,
        /** File handles where the file system supports them, O_PATH descriptors elsewhere. */
        PREFER,
        /** File handles only: a file system without them cannot be served. */
        MANDATORY;

        /** The mode of an {@code --inode-file-handles} value (never, prefer, mandatory; any case). */
        public static FileHandles named(String name) {
            return switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "never" -> NEVER;
                case "prefer" -> PREFER;
                case "mandatory" -> MANDATORY;
                default -> throw new IllegalArgumentException("--inode-file-handles must be never, prefer or mandatory, not '"
                        + name + "'");
            };
        }
    }

    /** Where a requester's supplementary groups come from. */
    public enum Groups {
        /** None: only the requester's fsgid counts (besides what the kernel's extension carries). */
        NONE,
        /** The FUSE_EXT_GROUPS extension the kernel sends on create operations only. */
        EXTENSION,
        /**
         * The extension, and {@code /proc/<pid>/status} of the requesting process (cached 1 s): only
         * for /dev/fuse, where the requester is a process of this host.
         */
        PROC
    }

    public PassthroughOptions {
        if (fdCacheSize < 0) {
            throw new IllegalArgumentException("fdCacheSize " + fdCacheSize);
        }
        if (writeback && (cache == CachePolicy.NEVER || cache == CachePolicy.METADATA)) {
            throw new IllegalArgumentException("--writeback needs --cache auto or always, not "
                    + cache.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * Defaults: cache AUTO, no writeback, xattrs, POSIX locks, file handles preferred, run as the
     * requester when root, no O_DIRECT, no submounts announced.
     */
    public static PassthroughOptions defaults() {
        return new PassthroughOptions(CachePolicy.AUTO, false, false, true, true, FileHandles.PREFER, 0,
                dev.vireo.sys.ThreadCalls.geteuid() == 0, Groups.PROC, false, false);
    }

    public PassthroughOptions withCache(CachePolicy v) {
        return new PassthroughOptions(v, writeback, readOnly, xattr, posixLocks, fileHandles, fdCacheSize,
                runAsRequester, groups, directIo, announceSubmounts);
    }

    public PassthroughOptions withWriteback(boolean v) {
        return new PassthroughOptions(cache, v, readOnly, xattr, posixLocks, fileHandles, fdCacheSize,
                runAsRequester, groups, directIo, announceSubmounts);
    }

    public PassthroughOptions withReadOnly(boolean v) {
        return new PassthroughOptions(cache, writeback, v, xattr, posixLocks, fileHandles, fdCacheSize,
                runAsRequester, groups, directIo, announceSubmounts);
    }

    public PassthroughOptions withXattr(boolean v) {
        return new PassthroughOptions(cache, writeback, readOnly, v, posixLocks, fileHandles, fdCacheSize,
                runAsRequester, groups, directIo, announceSubmounts);
    }

    public PassthroughOptions withPosixLocks(boolean v) {
        return new PassthroughOptions(cache, writeback, readOnly, xattr, v, fileHandles, fdCacheSize,
                runAsRequester, groups, directIo, announceSubmounts);
    }

    public PassthroughOptions withFileHandles(FileHandles v) {
        return new PassthroughOptions(cache, writeback, readOnly, xattr, posixLocks, v, fdCacheSize,
                runAsRequester, groups, directIo, announceSubmounts);
    }

    public PassthroughOptions withFdCacheSize(int v) {
        return new PassthroughOptions(cache, writeback, readOnly, xattr, posixLocks, fileHandles, v,
                runAsRequester, groups, directIo, announceSubmounts);
    }

    public PassthroughOptions withRunAsRequester(boolean v) {
        return new PassthroughOptions(cache, writeback, readOnly, xattr, posixLocks, fileHandles, fdCacheSize,
                v, groups, directIo, announceSubmounts);
    }

    public PassthroughOptions withGroups(Groups v) {
        return new PassthroughOptions(cache, writeback, readOnly, xattr, posixLocks, fileHandles, fdCacheSize,
                runAsRequester, v, directIo, announceSubmounts);
    }

    public PassthroughOptions withDirectIo(boolean v) {
        return new PassthroughOptions(cache, writeback, readOnly, xattr, posixLocks, fileHandles, fdCacheSize,
                runAsRequester, groups, v, announceSubmounts);
    }

    public PassthroughOptions withAnnounceSubmounts(boolean v) {
        return new PassthroughOptions(cache, writeback, readOnly, xattr, posixLocks, fileHandles, fdCacheSize,
                runAsRequester, groups, directIo, v);
    }
}
