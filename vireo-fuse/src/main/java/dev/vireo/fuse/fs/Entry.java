package dev.vireo.fuse.fs;

/**
 * A directory entry as LOOKUP, MKNOD, MKDIR, SYMLINK, LINK, CREATE, TMPFILE and READDIRPLUS reply
 * it ({@code struct fuse_entry_out}): the node id the kernel will use for the inode, how long the
 * kernel may cache the name and the attributes, and the attributes. Mutable and reused (see
 * {@link Request#entry()}).
 *
 * <p>Each entry a file system returns for a non-zero node id counts as one lookup of that node;
 * the kernel gives it back with FORGET ({@link LowLevelFileSystem#forget}).
 */
public final class Entry {

    private final Attr attr = new Attr();
    private long nodeId;
    private long generation;
    private long entryTimeoutNanos;
    private long attrTimeoutNanos;

    /** Zeroes every field; returns this. */
    public Entry clear() {
        nodeId = generation = entryTimeoutNanos = attrTimeoutNanos = 0;
        attr.clear();
        return this;
    }

    /** The node id; 0 in a LOOKUP reply is a negative entry (the name does not exist) the kernel may cache. */
    public long nodeId() {
        return nodeId;
    }

    public Entry nodeId(long v) {
        nodeId = v;
        return this;
    }

    /** With the node id, unique over the file system's lifetime (used when the mount is exported over NFS). */
    public long generation() {
        return generation;
    }

    public Entry generation(long v) {
        generation = v;
        return this;
    }

    /** How long the kernel may cache the name, in nanoseconds. */
    public long entryTimeoutNanos() {
        return entryTimeoutNanos;
    }

    public Entry entryTimeoutNanos(long v) {
        entryTimeoutNanos = v;
        return this;
    }

    /** How long the kernel may cache the attributes, in nanoseconds. */
    public long attrTimeoutNanos() {
        return attrTimeoutNanos;
    }

    public Entry attrTimeoutNanos(long v) {
        attrTimeoutNanos = v;
        return this;
    }

    /** The attributes, to fill in. */
    public Attr attr() {
        return attr;
    }
}
