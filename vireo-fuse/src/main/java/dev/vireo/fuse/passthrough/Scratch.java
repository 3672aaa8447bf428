package dev.vireo.fuse.passthrough;

import dev.vireo.sys.abi.FileHandle;
import dev.vireo.sys.abi.Flock;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.OpenHow;
import dev.vireo.sys.abi.Statx;
import dev.vireo.sys.abi.Timespec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One thread's native scratch memory for system call arguments and results, allocated once per
 * thread, so that the passthrough's hot paths allocate nothing. Not shared between threads.
 */
final class Scratch {

    /** IOV_MAX: iovecs per preadv/pwritev call. */
    static final int IOV_MAX = 1024;
    /** The buffer for link targets, xattr values and lists (XATTR_SIZE_MAX). */
    static final int BUFFER = 65536;
    /** getdents64 buffer. */
    static final int DIRENTS = 32768;

    /** "": the path of *at calls on a descriptor itself (AT_EMPTY_PATH). */
    final MemorySegment empty;
    final MemorySegment statx;
    /** A second statx buffer, for a check that must leave {@link #statx} as it is. */
    final MemorySegment checkStatx;
    final MemorySegment openHow;
    final MemorySegment iov;
    final MemorySegment handle;
    final MemorySegment mountId;
    final MemorySegment buffer;
    final MemorySegment dirents;
    /** Two timespecs (utimensat): {@link #atime}, then {@link #mtime}. */
    final MemorySegment times;
    final MemorySegment atime;
    final MemorySegment mtime;
    final MemorySegment flock;
    final MemorySegment offsets;
    /** A name of a directory entry (NAME_MAX and its NUL), copied from the Java heap for a system call. */
    final MemorySegment listedName;
    /** "N\0": the name of descriptor N in /proc/self/fd. */
    final MemorySegment fdName;
    /** "/proc/self/fd/N\0". */
    final MemorySegment fdPath;
    private static final byte[] PREFIX = "/proc/self/fd/".getBytes();

    Scratch(Arena arena) {
        empty = arena.allocate(8);
        statx = arena.allocate(Statx.LAYOUT);
        checkStatx = arena.allocate(Statx.LAYOUT);
        openHow = arena.allocate(OpenHow.LAYOUT);
        iov = arena.allocate(Iovec.SIZE * IOV_MAX, 8);
        handle = arena.allocate(FileHandle.MAX_SIZE, 8);
        mountId = arena.allocate(8, 8);
        buffer = arena.allocate(BUFFER, 8);
        dirents = arena.allocate(DIRENTS, 8);
        times = arena.allocate(Timespec.LAYOUT.byteSize() * 2, 8);
        atime = times.asSlice(0, Timespec.LAYOUT.byteSize());
        mtime = times.asSlice(Timespec.LAYOUT.byteSize(), Timespec.LAYOUT.byteSize());
        flock = arena.allocate(Flock.LAYOUT);
        offsets = arena.allocate(16, 8);
        listedName = arena.allocate(256);
        fdName = arena.allocate(16);
        fdPath = arena.allocate(32);
        MemorySegment.copy(MemorySegment.ofArray(PREFIX), 0, fdPath, 0, PREFIX.length);
    }

    /** Writes descriptor {@code fd}'s name ("N") into {@link #fdName} and returns it. */
    MemorySegment fdName(int fd) {
        digits(fdName, 0, fd);
        return fdName;
    }

    /** Writes "/proc/self/fd/N" into {@link #fdPath} and returns it. */
    MemorySegment fdPath(int fd) {
        digits(fdPath, PREFIX.length, fd);
        return fdPath;
    }

    private static void digits(MemorySegment s, int at, int value) {
        int v = value;
        int len = v == 0 ? 1 : (int) Math.floor(Math.log10(v)) + 1;
        for (int i = len - 1; i >= 0; i--) {
            s.set(JAVA_BYTE, at + i, (byte) ('0' + v % 10));
            v /= 10;
        }
        s.set(JAVA_BYTE, at + len, (byte) 0);
    }
}
