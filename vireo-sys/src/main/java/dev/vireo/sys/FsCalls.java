package dev.vireo.sys;

import dev.vireo.sys.abi.CConstants;
import dev.vireo.sys.abi.OpenHow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Path-based system calls, mostly the {@code *at} family that resolves names relative to a
 * directory descriptor: open/openat/openat2, stat, directory listing, links, renames, modes and
 * owners, times, extended attributes, file handles, mount.
 *
 * <p>Each call takes names as NUL-terminated C strings in native segments, so that a FUSE request's
 * name can be passed straight from the request buffer without a copy; most also have an overload
 * taking Java strings for cold paths and tests. Calls are restarted on EINTR; failures throw
 * {@link SysException} naming the path.
 */
@CConstants(headers = {"fcntl.h", "dirent.h", "sys/stat.h", "linux/openat2.h", "stdio.h", "sys/xattr.h", "sys/mount.h", "unistd.h"})
public final class FsCalls {

    public static final int AT_EACCESS = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_FDCWD = -100;
    public static final int AT_NO_AUTOMOUNT = 0x800;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_STATX_DONT_SYNC = 0x4000;
    public static final int AT_STATX_FORCE_SYNC = 0x2000;
    public static final int AT_STATX_SYNC_AS_STAT = 0;
    public static final int AT_SYMLINK_FOLLOW = 0x400;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** d_type of a getdents64 record: a directory. */
    public static final int DT_DIR = 4;
    /** d_type of a getdents64 record: the file system does not say. */
    public static final int DT_UNKNOWN = 0;
    public static final int MNT_DETACH = 2;
    public static final int MNT_EXPIRE = 4;
    public static final int MNT_FORCE = 1;
    public static final int MS_BIND = 0x1000;
    public static final int MS_DIRSYNC = 128;
    public static final int MS_LAZYTIME = 0x2000000;
    public static final int MS_MANDLOCK = 64;
    public static final int MS_MOVE = 0x2000;
    public static final int MS_NOATIME = 0x400;
    public static final int MS_NODEV = 4;
    public static final int MS_NODIRATIME = 0x800;
    public static final int MS_NOEXEC = 8;
    public static final int MS_NOSUID = 2;
    public static final int MS_PRIVATE = 0x40000;
    public static final int MS_RDONLY = 1;
    public static final int MS_REC = 0x4000;
    public static final int MS_REMOUNT = 32;
    public static final int MS_SHARED = 0x100000;
    public static final int MS_SILENT = 0x8000;
    public static final int MS_SLAVE = 0x80000;
    public static final int MS_STRICTATIME = 0x1000000;
    public static final int MS_SYNCHRONOUS = 16;
    public static final int O_ACCMODE = 3;
    public static final int O_APPEND = 0x400;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_CREAT = 64;
    public static final int O_DIRECT = 0x4000;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_DSYNC = 0x1000;
    public static final int O_EXCL = 128;
    public static final int O_NOATIME = 0x40000;
    public static final int O_NOCTTY = 0x100;
    public static final int O_NOFOLLOW = 0x20000;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_PATH = 0x200000;
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_SYNC = 1052672;
    public static final int O_TMPFILE = 4259840;
    public static final int O_TRUNC = 0x200;
    public static final int O_WRONLY = 1;
    public static final int RENAME_EXCHANGE = 2;
    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_WHITEOUT = 4;
    public static final int RESOLVE_BENEATH = 8;
    public static final int RESOLVE_CACHED = 32;
    public static final int RESOLVE_IN_ROOT = 16;
    public static final int RESOLVE_NO_MAGICLINKS = 2;
    public static final int RESOLVE_NO_SYMLINKS = 4;
    public static final int RESOLVE_NO_XDEV = 1;
    public static final int STATX_ALL = 4095;
    public static final int STATX_ATIME = 32;
    public static final int STATX_BASIC_STATS = 2047;
    public static final int STATX_BLOCKS = 0x400;
    public static final int STATX_BTIME = 0x800;
    public static final int STATX_CTIME = 128;
    public static final int STATX_DIOALIGN = 0x2000;
    public static final int STATX_GID = 16;
    public static final int STATX_INO = 0x100;
    public static final int STATX_MNT_ID = 0x1000;
    public static final int STATX_MODE = 2;
    public static final int STATX_MTIME = 64;
    public static final int STATX_NLINK = 4;
    public static final int STATX_SIZE = 0x200;
    public static final int STATX_TYPE = 1;
    public static final int STATX_UID = 8;
    public static final int S_IFBLK = 24576;
    public static final int S_IFCHR = 0x2000;
    public static final int S_IFDIR = 0x4000;
    public static final int S_IFIFO = 0x1000;
    public static final int S_IFLNK = 40960;
    public static final int S_IFMT = 61440;
    public static final int S_IFREG = 0x8000;
    public static final int S_IFSOCK = 49152;
    public static final int S_ISGID = 0x400;
    public static final int S_ISUID = 0x800;
    public static final int S_ISVTX = 0x200;
    public static final int UMOUNT_NOFOLLOW = 8;
    public static final int UTIME_NOW = 1073741823;
    public static final int UTIME_OMIT = 1073741822;
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;
    /** access(2) modes. */
    public static final int F_OK = 0;
    public static final int R_OK = 4;
    public static final int W_OK = 2;
    public static final int X_OK = 1;

    // Each handle sits in its own holder class, linked when the call is first made (see Native).
    private static final class OpenCall {
        static final MethodHandle H = Native.variadicErrnoCall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    }
    private static final class OpenatCall {
        static final MethodHandle H = Native.variadicErrnoCall("openat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 3);
    }
    private static final class StatxCall {
        static final MethodHandle H = Native.errnoCall("statx",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class FstatatCall {
        static final MethodHandle H = Native.errnoCall("fstatat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }
    private static final class FstatvfsCall {
        static final MethodHandle H = Native.errnoCall("fstatvfs",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class Getdents64Call {
        static final MethodHandle H = Native.errnoCall("getdents64",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class Renameat2Call {
        static final MethodHandle H = Native.errnoCall("renameat2",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class LinkatCall {
        static final MethodHandle H = Native.errnoCall("linkat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class SymlinkatCall {
        static final MethodHandle H = Native.errnoCall("symlinkat",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    }
    private static final class ReadlinkatCall {
        static final MethodHandle H = Native.errnoCall("readlinkat",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }
    private static final class MknodatCall {
        static final MethodHandle H = Native.errnoCall("mknodat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    }
    private static final class MkdiratCall {
        static final MethodHandle H = Native.errnoCall("mkdirat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class UnlinkatCall {
        static final MethodHandle H = Native.errnoCall("unlinkat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class FchmodatCall {
        static final MethodHandle H = Native.errnoCall("fchmodat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    private static final class FchmodCall {
        static final MethodHandle H = Native.errnoCall("fchmod",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class FchownCall {
        static final MethodHandle H = Native.errnoCall("fchown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class FchownatCall {
        static final MethodHandle H = Native.errnoCall("fchownat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class UtimensatCall {
        static final MethodHandle H = Native.errnoCall("utimensat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }
    private static final class FutimensCall {
        static final MethodHandle H = Native.errnoCall("futimens",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class FaccessatCall {
        static final MethodHandle H = Native.errnoCall("faccessat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    private static final class FgetxattrCall {
        static final MethodHandle H = Native.errnoCall("fgetxattr",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }
    private static final class FsetxattrCall {
        static final MethodHandle H = Native.errnoCall("fsetxattr",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class FlistxattrCall {
        static final MethodHandle H = Native.errnoCall("flistxattr",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class FremovexattrCall {
        static final MethodHandle H = Native.errnoCall("fremovexattr",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class LgetxattrCall {
        static final MethodHandle H = Native.errnoCall("lgetxattr",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    }
    private static final class LsetxattrCall {
        static final MethodHandle H = Native.errnoCall("lsetxattr",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class LlistxattrCall {
        static final MethodHandle H = Native.errnoCall("llistxattr",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    }
    private static final class LremovexattrCall {
        static final MethodHandle H = Native.errnoCall("lremovexattr",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class NameToHandleAtCall {
        static final MethodHandle H = Native.errnoCall("name_to_handle_at",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
    }
    private static final class OpenByHandleAtCall {
        static final MethodHandle H = Native.errnoCall("open_by_handle_at",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class GetxattrCall {
        static final MethodHandle H = Native.errnoCall("getxattr",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    }
    private static final class SetxattrCall {
        static final MethodHandle H = Native.errnoCall("setxattr",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class ListxattrCall {
        static final MethodHandle H = Native.errnoCall("listxattr",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    }
    private static final class RemovexattrCall {
        static final MethodHandle H = Native.errnoCall("removexattr",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    // umask(2) cannot fail.
    private static final class UmaskCall {
        static final MethodHandle H = Native.plainCall("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class MountCall {
        static final MethodHandle H = Native.errnoCall("mount",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }
    private static final class Umount2Call {
        static final MethodHandle H = Native.errnoCall("umount2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private FsCalls() {
    }

    /** A NUL-terminated UTF-8 copy of {@code s} in {@code arena}; {@code null} becomes NULL. */
    public static MemorySegment cstr(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }

    /**
     * openat2(2) (no glibc wrapper before 2.38; called through syscall(2)). {@code how} is an
     * {@link OpenHow}; RESOLVE_BENEATH keeps resolution inside {@code dirfd}.
     */
    public static int openat2(int dirfd, MemorySegment path, MemorySegment how) {
        try {
            return (int) RawSyscall.call(RawSyscall.SYS_OPENAT2, "openat2", dirfd, path.address(), how.address(),
                    how.byteSize(), 0, 0);
        } catch (SysException e) {
            throw new SysException("openat2", e.errno(), Native.describe(path));
        }
    }

    /**
     * As {@link #openat2(int, MemorySegment, MemorySegment)}, reporting failure as a negative errno
     * instead of throwing: a LOOKUP of a name that does not exist is an ordinary answer.
     */
    public static int tryOpenat2(int dirfd, MemorySegment path, MemorySegment how) {
        return (int) RawSyscall.tryCall(RawSyscall.SYS_OPENAT2, dirfd, path.address(), how.address(), how.byteSize(), 0, 0);
    }

    /** As {@link #openat2(int, MemorySegment, MemorySegment)}, with a Java string and the open_how fields. */
    public static int openat2(int dirfd, String path, long flags, long mode, long resolve) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment how = a.allocate(OpenHow.LAYOUT);
            OpenHow.set(how, flags, mode, resolve);
            return openat2(dirfd, a.allocateFrom(path), how);
        }
    }

    /** readlinkat(2) returning the target as a string. */
    public static String readlinkat(int dirfd, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            long n = readlinkat(dirfd, a.allocateFrom(path), buf);
            return new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    /** mount(2) with Java strings; {@code source} and {@code data} may be null. */
    public static void mount(String source, String target, String fstype, long flags, String data) {
        try (Arena a = Arena.ofConfined()) {
            mount(cstr(a, source), cstr(a, target), cstr(a, fstype), flags, cstr(a, data));
        }
    }

    /** open(2); {@code mode} applies with O_CREAT or O_TMPFILE. */
    public static int open(MemorySegment path, int flags, int mode) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) OpenCall.H.invokeExact(st, path, flags, mode);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "open", path);
    }

    /** As {@link #open}, with Java strings. */
    public static int open(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return open(cstr(a, path), flags, mode);
        }
    }

    /** openat(2) relative to {@code dirfd} (or AT_FDCWD). */
    public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
        MemorySegment st = Native.callState();
        return Native.check(openatRetrying(st, dirfd, path, flags, mode), st, "openat", path);
    }

    /**
     * As {@link #openat}, reporting failure as a negative errno instead of throwing: for opens
     * whose failure has an answer of its own (a name that has gone since it was seen).
     */
    public static int tryOpenat(int dirfd, MemorySegment path, int flags, int mode) {
        MemorySegment st = Native.callState();
        int r = openatRetrying(st, dirfd, path, flags, mode);
        return r == -1 ? -Native.errno(st) : r;
    }

    /** openat(2), again while interrupted (EINTR); the raw result, errno in {@code st}. */
    private static int openatRetrying(MemorySegment st, int dirfd, MemorySegment path, int flags, int mode) {
        int r;
        try {
            do {
                r = (int) OpenatCall.H.invokeExact(st, dirfd, path, flags, mode);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return r;
    }

    /** As {@link #openat}, with Java strings. */
    public static int openat(int dirfd, String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return openat(dirfd, cstr(a, path), flags, mode);
        }
    }

    /** statx(2) into a {@link dev.vireo.sys.abi.Statx} buffer; {@code mask} selects STATX_* fields. */
    public static void statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment statx) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) StatxCall.H.invokeExact(st, dirfd, path, flags, mask, statx);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "statx", path);
    }

    /** As {@link #statx}, with Java strings. */
    public static void statx(int dirfd, String path, int flags, int mask, MemorySegment statx) {
        try (Arena a = Arena.ofConfined()) {
            statx(dirfd, cstr(a, path), flags, mask, statx);
        }
    }

    /** fstatat(2) into a {@link dev.vireo.sys.abi.Stat} buffer. */
    public static void fstatat(int dirfd, MemorySegment path, MemorySegment stat, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FstatatCall.H.invokeExact(st, dirfd, path, stat, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fstatat", path);
    }

    /** As {@link #fstatat}, with Java strings. */
    public static void fstatat(int dirfd, String path, MemorySegment stat, int flags) {
        try (Arena a = Arena.ofConfined()) {
            fstatat(dirfd, cstr(a, path), stat, flags);
        }
    }

    /** fstatvfs(3) into a {@link dev.vireo.sys.abi.Statvfs} buffer. */
    public static void fstatvfs(int fd, MemorySegment statvfs) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FstatvfsCall.H.invokeExact(st, fd, statvfs);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fstatvfs");
    }

    /** getdents64(2): fills {@code buf} with {@link dev.vireo.sys.abi.Dirent64} records; returns the bytes used, 0 at the end. */
    public static long getdents64(int fd, MemorySegment buf) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) Getdents64Call.H.invokeExact(st, fd, buf, buf.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "getdents64");
    }

    /** renameat2(2); {@code flags} is 0 or RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT. */
    public static void renameat2(int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) Renameat2Call.H.invokeExact(st, olddirfd, oldpath, newdirfd, newpath, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "renameat2", oldpath);
    }

    /** As {@link #renameat2}, with Java strings. */
    public static void renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) {
        try (Arena a = Arena.ofConfined()) {
            renameat2(olddirfd, cstr(a, oldpath), newdirfd, cstr(a, newpath), flags);
        }
    }

    /** linkat(2); AT_EMPTY_PATH links an O_PATH/O_TMPFILE descriptor. */
    public static void linkat(int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) LinkatCall.H.invokeExact(st, olddirfd, oldpath, newdirfd, newpath, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "linkat", oldpath);
    }

    /** As {@link #linkat}, with Java strings. */
    public static void linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) {
        try (Arena a = Arena.ofConfined()) {
            linkat(olddirfd, cstr(a, oldpath), newdirfd, cstr(a, newpath), flags);
        }
    }

    /** symlinkat(2): creates {@code linkpath} (relative to {@code newdirfd}) pointing at {@code target}. */
    public static void symlinkat(MemorySegment target, int newdirfd, MemorySegment linkpath) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) SymlinkatCall.H.invokeExact(st, target, newdirfd, linkpath);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "symlinkat", linkpath);
    }

    /** As {@link #symlinkat}, with Java strings. */
    public static void symlinkat(String target, int newdirfd, String linkpath) {
        try (Arena a = Arena.ofConfined()) {
            symlinkat(cstr(a, target), newdirfd, cstr(a, linkpath));
        }
    }

    /** readlinkat(2) into {@code buf}; returns the target's length (not NUL-terminated). */
    public static long readlinkat(int dirfd, MemorySegment path, MemorySegment buf) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) ReadlinkatCall.H.invokeExact(st, dirfd, path, buf, buf.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "readlinkat");
    }

    /** mknodat(2): {@code mode} holds the file type (S_IFIFO, S_IFCHR, ...) and permissions. */
    public static void mknodat(int dirfd, MemorySegment path, int mode, long dev) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) MknodatCall.H.invokeExact(st, dirfd, path, mode, dev);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "mknodat", path);
    }

    /** As {@link #mknodat}, with Java strings. */
    public static void mknodat(int dirfd, String path, int mode, long dev) {
        try (Arena a = Arena.ofConfined()) {
            mknodat(dirfd, cstr(a, path), mode, dev);
        }
    }

    /** mkdirat(2). */
    public static void mkdirat(int dirfd, MemorySegment path, int mode) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) MkdiratCall.H.invokeExact(st, dirfd, path, mode);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "mkdirat", path);
    }

    /** As {@link #mkdirat}, with Java strings. */
    public static void mkdirat(int dirfd, String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            mkdirat(dirfd, cstr(a, path), mode);
        }
    }

    /** unlinkat(2); AT_REMOVEDIR removes a directory. */
    public static void unlinkat(int dirfd, MemorySegment path, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) UnlinkatCall.H.invokeExact(st, dirfd, path, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "unlinkat", path);
    }

    /** As {@link #unlinkat}, with Java strings. */
    public static void unlinkat(int dirfd, String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            unlinkat(dirfd, cstr(a, path), flags);
        }
    }

    /** fchmodat(2). */
    public static void fchmodat(int dirfd, MemorySegment path, int mode, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FchmodatCall.H.invokeExact(st, dirfd, path, mode, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fchmodat", path);
    }

    /** As {@link #fchmodat}, with Java strings. */
    public static void fchmodat(int dirfd, String path, int mode, int flags) {
        try (Arena a = Arena.ofConfined()) {
            fchmodat(dirfd, cstr(a, path), mode, flags);
        }
    }

    /** fchmod(2). */
    public static void fchmod(int fd, int mode) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FchmodCall.H.invokeExact(st, fd, mode);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fchmod");
    }

    /** fchownat(2); -1 leaves an id unchanged. */
    public static void fchownat(int dirfd, MemorySegment path, int uid, int gid, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FchownatCall.H.invokeExact(st, dirfd, path, uid, gid, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fchownat", path);
    }

    /** As {@link #fchownat}, with Java strings. */
    public static void fchownat(int dirfd, String path, int uid, int gid, int flags) {
        try (Arena a = Arena.ofConfined()) {
            fchownat(dirfd, cstr(a, path), uid, gid, flags);
        }
    }

    /** fchown(2); -1 leaves an id unchanged. */
    public static void fchown(int fd, int uid, int gid) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FchownCall.H.invokeExact(st, fd, uid, gid);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fchown");
    }

    /** utimensat(2); {@code times} is two {@link dev.vireo.sys.abi.Timespec}s (access, modification), or NULL for now; UTIME_NOW and UTIME_OMIT in tv_nsec. */
    public static void utimensat(int dirfd, MemorySegment path, MemorySegment times, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) UtimensatCall.H.invokeExact(st, dirfd, path, times, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "utimensat", path);
    }

    /** As {@link #utimensat}, with Java strings. */
    public static void utimensat(int dirfd, String path, MemorySegment times, int flags) {
        try (Arena a = Arena.ofConfined()) {
            utimensat(dirfd, cstr(a, path), times, flags);
        }
    }

    /** futimens(3): utimensat on a descriptor. */
    public static void futimens(int fd, MemorySegment times) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FutimensCall.H.invokeExact(st, fd, times);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "futimens");
    }

    /** faccessat(2) with flags (AT_EACCESS, AT_SYMLINK_NOFOLLOW); {@code mode} is F_OK or R_OK|W_OK|X_OK. */
    public static void faccessat(int dirfd, MemorySegment path, int mode, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FaccessatCall.H.invokeExact(st, dirfd, path, mode, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "faccessat", path);
    }

    /** As {@link #faccessat}, with Java strings. */
    public static void faccessat(int dirfd, String path, int mode, int flags) {
        try (Arena a = Arena.ofConfined()) {
            faccessat(dirfd, cstr(a, path), mode, flags);
        }
    }

    /** fgetxattr(2) into {@code value}; returns the value's size (with an empty {@code value}: the size needed). */
    public static long fgetxattr(int fd, MemorySegment name, MemorySegment value) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) FgetxattrCall.H.invokeExact(st, fd, name, value, value.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "fgetxattr", name);
    }

    /** fsetxattr(2); {@code flags} is 0, XATTR_CREATE or XATTR_REPLACE. */
    public static void fsetxattr(int fd, MemorySegment name, MemorySegment value, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FsetxattrCall.H.invokeExact(st, fd, name, value, value.byteSize(), flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fsetxattr", name);
    }

    /** flistxattr(2): NUL-separated names into {@code list}; returns the bytes used (with an empty {@code list}: the size needed). */
    public static long flistxattr(int fd, MemorySegment list) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) FlistxattrCall.H.invokeExact(st, fd, list, list.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "flistxattr");
    }

    /** fremovexattr(2). */
    public static void fremovexattr(int fd, MemorySegment name) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) FremovexattrCall.H.invokeExact(st, fd, name);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "fremovexattr", name);
    }

    /** lgetxattr(2) into {@code value}; returns the value's size (with an empty {@code value}: the size needed). */
    public static long lgetxattr(MemorySegment path, MemorySegment name, MemorySegment value) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) LgetxattrCall.H.invokeExact(st, path, name, value, value.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "lgetxattr", name);
    }

    /** lsetxattr(2); {@code flags} is 0, XATTR_CREATE or XATTR_REPLACE. */
    public static void lsetxattr(MemorySegment path, MemorySegment name, MemorySegment value, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) LsetxattrCall.H.invokeExact(st, path, name, value, value.byteSize(), flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "lsetxattr", name);
    }

    /** llistxattr(2): NUL-separated names into {@code list}; returns the bytes used (with an empty {@code list}: the size needed). */
    public static long llistxattr(MemorySegment path, MemorySegment list) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) LlistxattrCall.H.invokeExact(st, path, list, list.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "llistxattr");
    }

    /** lremovexattr(2). */
    public static void lremovexattr(MemorySegment path, MemorySegment name) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) LremovexattrCall.H.invokeExact(st, path, name);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "lremovexattr", name);
    }

    /** name_to_handle_at(2): fills {@code handle} (a {@link dev.vireo.sys.abi.FileHandle} with handle_bytes set to its capacity) and the mount id. */
    public static void nameToHandleAt(int dirfd, MemorySegment path, MemorySegment handle, MemorySegment mountId, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) NameToHandleAtCall.H.invokeExact(st, dirfd, path, handle, mountId, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "name_to_handle_at", path);
    }

    /** As {@link #nameToHandleAt}, with Java strings. */
    public static void nameToHandleAt(int dirfd, String path, MemorySegment handle, MemorySegment mountId, int flags) {
        try (Arena a = Arena.ofConfined()) {
            nameToHandleAt(dirfd, cstr(a, path), handle, mountId, flags);
        }
    }

    /** open_by_handle_at(2): opens the file {@code handle} names on the file system of {@code mountFd}. Needs CAP_DAC_READ_SEARCH. */
    public static int openByHandleAt(int mountFd, MemorySegment handle, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) OpenByHandleAtCall.H.invokeExact(st, mountFd, handle, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "open_by_handle_at");
    }

    /**
     * statx(2) that reports failure as a negative errno instead of throwing: for LOOKUP, where a
     * missing name (ENOENT) is an ordinary answer and an exception per negative lookup would cost
     * more than the system call. Returns 0 on success.
     */
    public static int tryStatx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment statx) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) StatxCall.H.invokeExact(st, dirfd, path, flags, mask, statx);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return r == -1 ? -Native.errno(st) : 0;
    }

    /**
     * getxattr(2): follows symbolic links, so that a {@code /proc/self/fd/N} path reaches the file
     * an O_PATH descriptor holds. Returns the value's size (with an empty {@code value}: the size
     * needed).
     */
    public static long getxattr(MemorySegment path, MemorySegment name, MemorySegment value) {
        long r = tryGetxattr(path, name, value);
        if (r < 0) {
            throw new SysException("getxattr", (int) -r, Native.describe(name));
        }
        return r;
    }

    /**
     * As {@link #getxattr}, reporting failure as a negative errno instead of throwing: ENODATA
     * (no such attribute) is the common answer to the kernel's ACL and capability queries.
     */
    public static long tryGetxattr(MemorySegment path, MemorySegment name, MemorySegment value) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) GetxattrCall.H.invokeExact(st, path, name, value, value.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return r == -1 ? -Native.errno(st) : r;
    }

    /** setxattr(2), following symbolic links (see {@link #getxattr}); {@code flags} is 0, XATTR_CREATE or XATTR_REPLACE. */
    public static void setxattr(MemorySegment path, MemorySegment name, MemorySegment value, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) SetxattrCall.H.invokeExact(st, path, name, value, value.byteSize(), flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "setxattr", name);
    }

    /** listxattr(2), following symbolic links: NUL-separated names into {@code list}; returns the bytes used (with an empty {@code list}: the size needed). */
    public static long listxattr(MemorySegment path, MemorySegment list) {
        MemorySegment st = Native.callState();
        long r;
        try {
            do {
                r = (long) ListxattrCall.H.invokeExact(st, path, list, list.byteSize());
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return Native.check(r, st, "listxattr", path);
    }

    /** removexattr(2), following symbolic links. */
    public static void removexattr(MemorySegment path, MemorySegment name) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) RemovexattrCall.H.invokeExact(st, path, name);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "removexattr", name);
    }

    /**
     * umask(2): sets the file mode creation mask and returns the previous one. The mask belongs to
     * the process's fs_struct, shared by all threads unless a thread called
     * {@link ThreadCalls#unshare unshare(CLONE_FS)}.
     */
    public static int umask(int mask) {
        try {
            return (int) UmaskCall.H.invokeExact(mask);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** mount(2); {@code source} and {@code data} may be NULL. */
    public static void mount(MemorySegment source, MemorySegment target, MemorySegment fstype, long flags, MemorySegment data) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) MountCall.H.invokeExact(st, source, target, fstype, flags, data);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "mount", target);
    }

    /** umount2(2); {@code flags} is 0 or MNT_DETACH, MNT_FORCE, UMOUNT_NOFOLLOW. */
    public static void umount2(MemorySegment target, int flags) {
        MemorySegment st = Native.callState();
        int r;
        try {
            do {
                r = (int) Umount2Call.H.invokeExact(st, target, flags);
            } while (Native.interrupted(r, st));
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        Native.check(r, st, "umount2", target);
    }

    /** As {@link #umount2}, with Java strings. */
    public static void umount2(String target, int flags) {
        try (Arena a = Arena.ofConfined()) {
            umount2(cstr(a, target), flags);
        }
    }
}
