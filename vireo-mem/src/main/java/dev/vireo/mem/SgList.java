package dev.vireo.mem;

import dev.vireo.sys.abi.Iovec;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;


/**
 * A scatter-gather list: an ordered sequence of byte ranges, each a (base segment, offset,
 * length) triple, so that building one allocates no segment objects. The readable or writable part
 * of a descriptor chain, a /dev/fuse request buffer, or a reply buffer are all an SgList; {@link
 * SgReader} and {@link SgWriter} walk one.
 *
 * <p>An SgList is reused: {@link #clear()} and refill it per request. Its arrays grow to the largest
 * list seen and then stay (no allocation in steady state). Not thread-safe; one owner at a time.
 */
public final class SgList {

    private MemorySegment[] bases;
    private long[] offsets;
    private long[] lengths;
    private int count;
    private long totalLength;

    /** An empty list with room for {@code capacity} entries before it grows. */
    public SgList(int capacity) {
        bases = new MemorySegment[Math.max(capacity, 1)];
        offsets = new long[bases.length];
        lengths = new long[bases.length];
    }

    /** A list of one whole segment. */
    public static SgList of(MemorySegment segment) {
        SgList l = new SgList(1);
        l.add(segment, 0, segment.byteSize());
        return l;
    }

    /** Empties the list, keeping its capacity. */
    public void clear() {
        Arrays.fill(bases, 0, count, null);
        count = 0;
        totalLength = 0;
    }

    /** Appends {@code length} bytes of {@code base} starting at {@code offset} (checked against the base's bounds). */
    public void add(MemorySegment base, long offset, long length) {
        if (offset < 0 || length < 0 || offset > base.byteSize() - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside a segment of " + base.byteSize());
        }
        if (length == 0) {
            return;
        }
        if (count == bases.length) {
            int n = count * 2;
            bases = Arrays.copyOf(bases, n);
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        bases[count] = base;
        offsets[count] = offset;
        lengths[count] = length;
        count++;
        totalLength = Math.addExact(totalLength, length);
    }

    /** Appends a whole segment. */
    public void add(MemorySegment segment) {
        add(segment, 0, segment.byteSize());
    }

    /** Drops entries from {@code newCount} on (to undo a partial append). */
    void truncate(int newCount) {
        for (int i = newCount; i < count; i++) {
            totalLength -= lengths[i];
            bases[i] = null;
        }
        count = newCount;
    }

    public int count() {
        return count;
    }

    /** Sum of all entries' lengths. */
    public long totalLength() {
        return totalLength;
    }

    public MemorySegment base(int i) {
        check(i);
        return bases[i];
    }

    public long offset(int i) {
        check(i);
        return offsets[i];
    }

    public long length(int i) {
        check(i);
        return lengths[i];
    }

    /** Entry {@code i} as a segment (allocates a view; for cold paths and tests). */
    public MemorySegment segment(int i) {
        check(i);
        return bases[i].asSlice(offsets[i], lengths[i]);
    }

    /**
     * Writes entries {@code [from, count)} as {@link Iovec}s into {@code iov} (which must hold
     * them) and returns how many were written: the argument of preadv/pwritev/sendmsg. The iovecs
     * hold raw addresses: the memory must stay mapped until the kernel is done with them (the
     * owner of guest memory retires a memory map only after its users finish).
     */
    public int toIovecs(MemorySegment iov, int from) {
        int n = count - from;
        if (iov.byteSize() < n * Iovec.SIZE) {
            throw new IndexOutOfBoundsException("iovec array holds " + iov.byteSize() / Iovec.SIZE + ", need " + n);
        }
        for (int i = 0; i < n; i++) {
            Iovec.set(iov, i, bases[from + i].address() + offsets[from + i], lengths[from + i]);
        }
        return n;
    }

    /**
     * Writes at most {@code max} entries from entry {@code from} on as {@link Iovec}s into {@code
     * iov}, the first one starting {@code skip} bytes into entry {@code from}; returns how many
     * were written. This is how a transfer larger than IOV_MAX entries, or one the kernel did only
     * partly, continues where it stopped. The same lifetime rule as {@link #toIovecs(MemorySegment,
     * int)} applies.
     */
    public int toIovecs(MemorySegment iov, int from, long skip, int max) {
        if (from < 0 || from > count || skip < 0 || (from < count && skip >= lengths[from]) || (from == count && skip != 0)) {
            throw new IndexOutOfBoundsException("entry " + from + " + " + skip + " of " + this);
        }
        int n = Math.min(Math.min(count - from, max), (int) Math.min(Integer.MAX_VALUE, iov.byteSize() / Iovec.SIZE));
        for (int i = 0; i < n; i++) {
            long cut = i == 0 ? skip : 0;
            Iovec.set(iov, i, bases[from + i].address() + offsets[from + i] + cut, lengths[from + i] - cut);
        }
        return n;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("entry " + i + " of " + count);
        }
    }

    @Override
    public String toString() {
        return "SgList[" + count + " entries, " + totalLength + " bytes]";
    }
}
