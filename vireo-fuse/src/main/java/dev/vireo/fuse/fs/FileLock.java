package dev.vireo.fuse.fs;

/**
 * A POSIX record lock as FUSE carries it ({@code struct fuse_file_lock}): the inclusive byte range
 * {@code [start, end]}, where {@code end == }{@link #OFFSET_MAX} means "to the end of the file";
 * the type F_RDLCK, F_WRLCK or F_UNLCK; and the owning process (tgid) for GETLK replies.
 */
public record FileLock(long start, long end, int type, int pid) {

    /** The kernel's OFFSET_MAX: a lock that extends to the end of the file. */
    public static final long OFFSET_MAX = Long.MAX_VALUE;
}
