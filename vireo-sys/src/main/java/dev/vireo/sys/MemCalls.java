package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Memory system calls: mmap and friends, memfd_create. {@link #mmap} hands back an owned
 * {@link Mapping}, so that an unmapped range can no longer be reached from Java.
 */
@CConstants(headers = {"sys/mman.h", "linux/memfd.h"})
public final class MemCalls {

    public static final int MADV_DOFORK = 11;
    public static final int MADV_DONTDUMP = 16;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_FREE = 8;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_NOHUGEPAGE = 15;
    public static final int MADV_NORMAL = 0;
    public static final int MADV_REMOVE = 9;
    public static final int MADV_WILLNEED = 3;
    public static final int MAP_ANONYMOUS = 32;
    public static final int MAP_FIXED = 16;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    public static final int MAP_HUGETLB = 0x40000;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_PRIVATE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_SHARED_VALIDATE = 3;
    public static final int MFD_ALLOW_SEALING = 2;
    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_HUGETLB = 4;
    public static final int PROT_EXEC = 4;
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;

    // Each handle sits in its own holder class, linked when the call is first made (see Native).
    private static final class MmapCall {
        static final MethodHandle H = Native.errnoCall("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }
    private static final class MemfdCreateCall {
        static final MethodHandle H = Native.errnoCall("memfd_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class MunmapCall {
        static final MethodHandle H = Native.errnoCall("munmap",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class MadviseCall {
        static final MethodHandle H = Native.errnoCall("madvise",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class MprotectCall {
        static final MethodHandle H = Native.errnoCall("mprotect",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    /** MAP_FAILED, ((void *) -1). */
    private static final long MAP_FAILED = -1L;

    private MemCalls() {
    }

    /**
     * mmap(2) of {@code length} bytes at a kernel-chosen address; returns the owned mapping.
     * {@code fd} is -1 for anonymous memory.
     */
    public static Mapping mmap(long length, int prot, int flags, int fd, long offset) {
        long address = mmapRaw(MemorySegment.NULL, length, prot, flags, fd, offset);
        return Mapping.adopt(address, length, prot);
    }

    /**
     * mmap(2) returning the raw address, for callers that build their own owner (a fixed guest
     * memory layout). Most code wants {@link #mmap}.
     */
    public static long mmapRaw(MemorySegment hint, long length, int prot, int flags, int fd, long offset) {
        if (length <= 0) {
            throw new IllegalArgumentException("mmap length must be positive: " + length);
        }
        MemorySegment st = Native.callState();
        MemorySegment r;
        try {
            r = (MemorySegment) MmapCall.H.invokeExact(st, hint, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r.address() == MAP_FAILED) {
            throw new SysException("mmap", Native.errno(st), "length " + length + ", fd " + fd);
        }
        return r.address();
    }

    /** memfd_create(2): an anonymous file, e.g. guest RAM that can be shared with another process. */
    public static Fd memfdCreate(String name, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            int r;
            try {
                r = (int) MemfdCreateCall.H.invokeExact(st, a.allocateFrom(name), flags);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            return Fd.adopt(Native.check(r, st, "memfd_create", name), "memfd:" + name);
        }
    }

    /** munmap(2). Prefer {@link Mapping#close()}. */
    public static void munmap(MemorySegment addr, long len) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) MunmapCall.H.invokeExact(st, addr, len);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "munmap");
    }

    /** madvise(2) on a mapped range (MADV_DONTNEED, MADV_REMOVE, ...). */
    public static void madvise(MemorySegment range, int advice) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) MadviseCall.H.invokeExact(st, range, range.byteSize(), advice);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "madvise");
    }

    /**
     * mprotect(2) on a mapped range. Adding protection is safe; removing PROT_WRITE under a
     * writable {@link Mapping} segment turns later writes through it into crashes: do not.
     */
    public static void mprotect(MemorySegment range, int prot) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) MprotectCall.H.invokeExact(st, range, range.byteSize(), prot);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "mprotect");
    }
}
