package dev.vireo.fuse.fs;

import java.lang.foreign.MemorySegment;

/**
 * Fills the reply of a READDIR or READDIRPLUS ({@link Request#directory()}): one record per entry,
 * in order, until the kernel's buffer is full. Each record carries the offset the kernel passes back
 * to continue <em>after</em> that entry (a getdents64 {@code d_off}, or any cookie the file system
 * understands).
 *
 * <p>For READDIRPLUS, call {@link #fitsPlus} before looking an entry up: an entry that does not fit
 * must not be looked up, since the kernel only counts lookups of the entries it receives. A
 * {@code plus} record with node id 0 carries no attributes and counts no lookup (as "." and ".."
 * must be sent).
 */
public interface DirectoryWriter {

    /** Whether this is a READDIRPLUS reply. */
    boolean plus();

    /** Whether a plain record with a name of {@code nameLength} bytes still fits. */
    boolean fits(int nameLength);

    /** Whether a READDIRPLUS record with a name of {@code nameLength} bytes still fits. */
    boolean fitsPlus(int nameLength);

    /**
     * Adds a READDIR record; returns false (and adds nothing) when it does not fit.
     *
     * @param name       the name's bytes at offset 0
     * @param nameLength bytes of the name
     * @param ino        the inode number user space sees (d_ino)
     * @param type       the d_type (DT_REG ...), or 0 for unknown
     * @param nextOffset where to continue after this entry
     */
    boolean add(MemorySegment name, int nameLength, long ino, int type, long nextOffset);

    /** Adds a READDIRPLUS record; returns false (and adds nothing) when it does not fit. */
    boolean addPlus(MemorySegment name, int nameLength, Entry entry, int type, long nextOffset);

    /** Records added so far. */
    int count();
}
