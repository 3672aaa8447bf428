package dev.vireo.sys;

import dev.vireo.sys.abi.Dirent64;
import dev.vireo.sys.abi.FileHandle;
import dev.vireo.sys.abi.Flock;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.abi.Stat;
import dev.vireo.sys.abi.Statvfs;
import dev.vireo.sys.abi.Statx;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** File and path system calls against real files in a temporary directory. */
@ExtendWith(FdLeakCheck.class)
class FileCallsTest {

    @TempDir
    Path dir;

    private Fd openDir() {
        return Fd.adopt(FsCalls.open(dir.toString(), FsCalls.O_PATH | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0), dir.toString());
    }

    @Test
    void statxOfAKnownFile() throws Exception {
        Path f = dir.resolve("known");
        Files.write(f, new byte[12345]);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        try (Arena a = Arena.ofConfined(); Fd d = openDir()) {
            MemorySegment st = a.allocate(Statx.LAYOUT);
            FsCalls.statx(d.num(), "known", FsCalls.AT_SYMLINK_NOFOLLOW, FsCalls.STATX_BASIC_STATS, st);
            assertThat(Statx.size(st)).isEqualTo(12345);
            assertThat(Statx.mode(st)).isEqualTo(FsCalls.S_IFREG | 0640);
            assertThat(Statx.nlink(st)).isEqualTo(1);
            assertThat(Statx.ino(st)).isEqualTo(Files.getAttribute(f, "unix:ino"));
            assertThat(Statx.uid(st)).isEqualTo(Files.getAttribute(f, "unix:uid"));
            assertThat(Statx.mtimeSec(st)).isEqualTo(Files.getLastModifiedTime(f).toInstant().getEpochSecond());

            MemorySegment s = a.allocate(Stat.LAYOUT);
            FsCalls.fstatat(d.num(), "known", s, 0);
            assertThat(Stat.size(s)).isEqualTo(12345);
            assertThat(Stat.ino(s)).isEqualTo(Statx.ino(st));
            assertThat(Stat.dev(s)).isEqualTo(Files.getAttribute(f, "unix:dev"));
        }
    }

    @Test
    void openat2BeneathRefusesEscapes() throws Exception {
        Files.createDirectories(dir.resolve("share/sub"));
        Files.writeString(dir.resolve("share/sub/inside"), "in");
        Files.writeString(dir.resolve("secret"), "out");
        Files.createSymbolicLink(dir.resolve("share/up"), Path.of("../secret"));
        Files.createSymbolicLink(dir.resolve("share/abs"), dir.resolve("secret"));
        Files.createSymbolicLink(dir.resolve("share/ok"), Path.of("sub/inside"));
        long beneath = FsCalls.RESOLVE_BENEATH | FsCalls.RESOLVE_NO_MAGICLINKS;
        try (Fd share = Fd.adopt(FsCalls.open(dir.resolve("share").toString(), FsCalls.O_PATH | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0), "share")) {
            for (String escape : new String[] {"../secret", "sub/../../secret", "up", "abs", "/etc/passwd"}) {
                assertThatThrownBy(() -> FsCalls.openat2(share.num(), escape, FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0, beneath))
                        .as(escape)
                        .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.EXDEV)).isTrue());
            }
            Fd ok = Fd.adopt(FsCalls.openat2(share.num(), "ok", FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0, beneath), "ok");
            Fd inside = Fd.adopt(FsCalls.openat2(share.num(), "sub/../sub/inside", FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0, beneath), "inside");
            try (ok; inside; Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(8);
                assertThat(FdCalls.read(ok.num(), buf)).isEqualTo(2);
                assertThat(buf.getString(0)).startsWith("in");
            }
            assertThatThrownBy(() -> FsCalls.openat2(share.num(), "missing", FsCalls.O_RDONLY, 0, beneath))
                    .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.getMessage()).contains("openat2(\"missing\"): ENOENT"));
        }
    }

    @Test
    void readWriteInAllForms() throws Exception {
        try (Arena a = Arena.ofConfined();
             Fd f = Fd.adopt(FsCalls.open(dir.resolve("rw").toString(), FsCalls.O_RDWR | FsCalls.O_CREAT | FsCalls.O_CLOEXEC, 0644), "rw")) {
            MemorySegment hello = a.allocateFrom("hello, ", StandardCharsets.US_ASCII).asSlice(0, 7);
            MemorySegment world = a.allocateFrom("world", StandardCharsets.US_ASCII).asSlice(0, 5);
            MemorySegment iov = a.allocate(Iovec.LAYOUT, 2);
            Iovec.set(iov, 0, hello);
            Iovec.set(iov, 1, world);
            assertThat(FdCalls.pwritev(f.num(), iov, 2, 100)).isEqualTo(12);
            assertThat(FdCalls.pwrite(f.num(), a.allocateFrom("!").asSlice(0, 1), 112)).isEqualTo(1);
            assertThat(Files.size(dir.resolve("rw"))).isEqualTo(113);

            MemorySegment x = a.allocate(5);
            MemorySegment y = a.allocate(8);
            Iovec.set(iov, 0, x);
            Iovec.set(iov, 1, y);
            assertThat(FdCalls.preadv(f.num(), iov, 2, 100)).isEqualTo(13);
            assertThat(new String(x.toArray(JAVA_BYTE)) + new String(y.toArray(JAVA_BYTE))).isEqualTo("hello, world!");
            MemorySegment p = a.allocate(5);
            assertThat(FdCalls.pread(f.num(), p, 107)).isEqualTo(5);
            assertThat(new String(p.toArray(JAVA_BYTE))).isEqualTo("world");

            assertThat(FdCalls.lseek(f.num(), 0, FdCalls.SEEK_SET)).isZero();
            FdCalls.writeFully(f.num(), a.allocateFrom("abc").asSlice(0, 3));
            assertThat(FdCalls.lseek(f.num(), 0, FdCalls.SEEK_CUR)).isEqualTo(3);
            FdCalls.fsync(f.num());
            FdCalls.fdatasync(f.num());
            FdCalls.ftruncate(f.num(), 50);
            assertThat(Files.size(dir.resolve("rw"))).isEqualTo(50);
            assertThat(Files.readString(dir.resolve("rw")).substring(0, 3)).isEqualTo("abc");
        }
    }

    @Test
    void sparseFilesHolesAndPunching() throws Exception {
        try (Arena a = Arena.ofConfined();
             Fd f = Fd.adopt(FsCalls.open(dir.resolve("sparse").toString(), FsCalls.O_RDWR | FsCalls.O_CREAT | FsCalls.O_CLOEXEC, 0644), "sparse")) {
            MemorySegment block = a.allocate(1 << 16);
            block.fill((byte) 7);
            long far = 5L << 30; // past 4 GiB
            FdCalls.pwrite(f.num(), block, far);
            assertThat(FdCalls.lseek(f.num(), 0, FdCalls.SEEK_DATA)).isEqualTo(far);
            assertThat(FdCalls.lseek(f.num(), 0, FdCalls.SEEK_HOLE)).isZero();
            FdCalls.fallocate(f.num(), FdCalls.FALLOC_FL_PUNCH_HOLE | FdCalls.FALLOC_FL_KEEP_SIZE, far, 1 << 16);
            assertThat(FdCalls.lseek(f.num(), far - 1, FdCalls.SEEK_HOLE)).isEqualTo(far - 1);
            assertThatThrownBy(() -> FdCalls.lseek(f.num(), 0, FdCalls.SEEK_DATA))
                    .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.ENXIO)).isTrue());
            assertThat(Files.size(dir.resolve("sparse"))).isEqualTo(far + (1 << 16));
            FdCalls.fallocate(f.num(), 0, 0, 4096);
            MemorySegment st = a.allocate(Stat.LAYOUT);
            FsCalls.fstatat(f.num(), "", st, FsCalls.AT_EMPTY_PATH);
            assertThat(Stat.blocks(st)).isGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void namespaceOperations() throws Exception {
        try (Arena a = Arena.ofConfined(); Fd d = openDir()) {
            FsCalls.mkdirat(d.num(), "sub", 0755);
            FsCalls.mknodat(d.num(), "fifo", FsCalls.S_IFIFO | 0600, 0);
            assertThat(Files.getAttribute(dir.resolve("fifo"), "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(FsCalls.S_IFIFO | 0600);
            Files.writeString(dir.resolve("a"), "A");
            Files.writeString(dir.resolve("b"), "B");
            FsCalls.renameat2(d.num(), "a", d.num(), "b", FsCalls.RENAME_EXCHANGE);
            assertThat(Files.readString(dir.resolve("a"))).isEqualTo("B");
            assertThatThrownBy(() -> FsCalls.renameat2(d.num(), "a", d.num(), "b", FsCalls.RENAME_NOREPLACE))
                    .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.EEXIST)).isTrue());
            FsCalls.linkat(d.num(), "a", d.num(), "sub/a2", 0);
            assertThat(Files.getAttribute(dir.resolve("a"), "unix:nlink")).isEqualTo(2);
            FsCalls.symlinkat("../a", d.num(), "sub/link");
            assertThat(FsCalls.readlinkat(d.num(), "sub/link")).isEqualTo("../a");
            FsCalls.fchmodat(d.num(), "b", 0600, 0);
            assertThat(Files.getAttribute(dir.resolve("b"), "unix:mode")).isEqualTo(FsCalls.S_IFREG | 0600);
            FsCalls.fchownat(d.num(), "b", 1234, 5678, FsCalls.AT_SYMLINK_NOFOLLOW);
            assertThat(Files.getAttribute(dir.resolve("b"), "unix:uid")).isEqualTo(1234);
            MemorySegment times = a.allocate(dev.vireo.sys.abi.Timespec.LAYOUT, 2);
            dev.vireo.sys.abi.Timespec.set(times, 1_000_000_000L, 5);
            dev.vireo.sys.abi.Timespec.set(times.asSlice(16), 1_500_000_000L, 6);
            FsCalls.utimensat(d.num(), "b", times, FsCalls.AT_SYMLINK_NOFOLLOW);
            assertThat(Files.getLastModifiedTime(dir.resolve("b")).toMillis()).isEqualTo(1_500_000_000_000L);
            FsCalls.faccessat(d.num(), "b", FsCalls.R_OK, 0);
            FsCalls.unlinkat(d.num(), "sub/link", 0);
            FsCalls.unlinkat(d.num(), "sub/a2", 0);
            FsCalls.unlinkat(d.num(), "sub", FsCalls.AT_REMOVEDIR);
            assertThat(dir.resolve("sub")).doesNotExist();
        }
    }

    @Test
    void getdentsListsEveryEntryOnce() throws Exception {
        Set<String> expected = new HashSet<>(Set.of(".", ".."));
        for (int i = 0; i < 500; i++) {
            Files.createFile(dir.resolve("file-with-a-longish-name-" + i));
            expected.add("file-with-a-longish-name-" + i);
        }
        Set<String> seen = new HashSet<>();
        try (Arena a = Arena.ofConfined();
             Fd d = Fd.adopt(FsCalls.open(dir.toString(), FsCalls.O_RDONLY | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0), "dir")) {
            MemorySegment buf = a.allocate(4096, 8); // small: forces many calls
            long n;
            while ((n = FsCalls.getdents64(d.num(), buf)) > 0) {
                for (long at = 0; at < n; at += Dirent64.reclen(buf, at)) {
                    String name = buf.getString(at + Dirent64.NAME);
                    assertThat(seen.add(name)).as("listed once: " + name).isTrue();
                    if (name.startsWith("file")) {
                        assertThat(Dirent64.type(buf, at)).isEqualTo(8); // DT_REG
                    }
                }
            }
        }
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void extendedAttributes() throws Exception {
        Files.writeString(dir.resolve("x"), "x");
        try (Arena a = Arena.ofConfined();
             Fd f = Fd.adopt(FsCalls.open(dir.resolve("x").toString(), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0), "x")) {
            MemorySegment name = a.allocateFrom("user.vireo");
            MemorySegment value = a.allocateFrom("bird").asSlice(0, 4);
            FsCalls.fsetxattr(f.num(), name, value, FsCalls.XATTR_CREATE);
            assertThatThrownBy(() -> FsCalls.fsetxattr(f.num(), name, value, FsCalls.XATTR_CREATE))
                    .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.EEXIST)).isTrue());
            assertThat(FsCalls.fgetxattr(f.num(), name, MemorySegment.NULL)).isEqualTo(4);
            MemorySegment out = a.allocate(16);
            assertThat(FsCalls.fgetxattr(f.num(), name, out)).isEqualTo(4);
            assertThat(new String(out.asSlice(0, 4).toArray(JAVA_BYTE))).isEqualTo("bird");
            MemorySegment list = a.allocate(256);
            long len = FsCalls.flistxattr(f.num(), list);
            assertThat(new String(list.asSlice(0, len).toArray(JAVA_BYTE))).contains("user.vireo\0");
            MemorySegment path = a.allocateFrom(dir.resolve("x").toString());
            assertThat(FsCalls.lgetxattr(path, name, out)).isEqualTo(4);
            FsCalls.fremovexattr(f.num(), name);
            assertThatThrownBy(() -> FsCalls.fgetxattr(f.num(), name, out))
                    .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.ENODATA)).isTrue());
        }
    }

    @Test
    void fileHandlesReopenFilesWithoutAPath() throws Exception {
        Requires.root(); // open_by_handle_at needs CAP_DAC_READ_SEARCH
        Files.writeString(dir.resolve("h"), "handled");
        // open_by_handle_at wants a real descriptor on the file system, not an O_PATH one (EBADF)
        try (Arena a = Arena.ofConfined();
             Fd d = Fd.adopt(FsCalls.open(dir.toString(), FsCalls.O_RDONLY | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0), "dir")) {
            MemorySegment handle = a.allocate(FileHandle.MAX_SIZE, 8);
            FileHandle.handleBytes(handle, FileHandle.MAX_HANDLE_SZ);
            MemorySegment mountId = a.allocate(JAVA_INT);
            FsCalls.nameToHandleAt(d.num(), "h", handle, mountId, 0);
            assertThat(FileHandle.handleBytes(handle)).isBetween(1, FileHandle.MAX_HANDLE_SZ);
            try (Fd f = Fd.adopt(FsCalls.openByHandleAt(d.num(), handle, FsCalls.O_RDONLY | FsCalls.O_CLOEXEC), "by handle")) {
                MemorySegment buf = a.allocate(16);
                assertThat(FdCalls.read(f.num(), buf)).isEqualTo(7);
            }
            Files.delete(dir.resolve("h"));
            assertThatThrownBy(() -> FsCalls.openByHandleAt(d.num(), handle, FsCalls.O_RDONLY | FsCalls.O_CLOEXEC))
                    .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.ESTALE)).isTrue());
        }
    }

    @Test
    void locksCopiesAndStatfs() throws Exception {
        Files.write(dir.resolve("src"), new byte[100_000]);
        try (Arena a = Arena.ofConfined();
             Fd src = Fd.adopt(FsCalls.open(dir.resolve("src").toString(), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), "src");
             Fd dst = Fd.adopt(FsCalls.open(dir.resolve("dst").toString(), FsCalls.O_RDWR | FsCalls.O_CREAT | FsCalls.O_CLOEXEC, 0600), "dst")) {
            MemorySegment offIn = a.allocate(JAVA_LONG);
            MemorySegment offOut = a.allocate(JAVA_LONG);
            offOut.set(JAVA_LONG, 0, 10);
            long copied = 0;
            while (copied < 100_000) {
                copied += FdCalls.copyFileRange(src.num(), offIn, dst.num(), offOut, 100_000 - copied, 0);
            }
            assertThat(Files.size(dir.resolve("dst"))).isEqualTo(100_010);

            MemorySegment lock = a.allocate(Flock.LAYOUT);
            Flock.set(lock, FdCalls.F_WRLCK, FdCalls.SEEK_SET, 0, 10, 0);
            FdCalls.fcntlLock(src.num(), FdCalls.F_OFD_SETLK, lock);
            Flock.set(lock, FdCalls.F_RDLCK, FdCalls.SEEK_SET, 0, 10, 0);
            FdCalls.fcntlLock(dst.num(), FdCalls.F_OFD_GETLK, lock);
            assertThat(Flock.type(lock)).isEqualTo(FdCalls.F_UNLCK);
            try (Fd other = Fd.adopt(FsCalls.open(dir.resolve("src").toString(), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), "src2")) {
                Flock.set(lock, FdCalls.F_WRLCK, FdCalls.SEEK_SET, 5, 1, 0);
                assertThatThrownBy(() -> FdCalls.fcntlLock(other.num(), FdCalls.F_OFD_SETLK, lock))
                        .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.EAGAIN)).isTrue());
            }
            assertThat(FdCalls.fcntl(src.num(), FdCalls.F_GETFD, 0) & FdCalls.FD_CLOEXEC).isEqualTo(FdCalls.FD_CLOEXEC);

            MemorySegment vfs = a.allocate(Statvfs.LAYOUT);
            FsCalls.fstatvfs(src.num(), vfs);
            assertThat(Statvfs.bsize(vfs)).isPositive();
            assertThat(Statvfs.namemax(vfs)).isEqualTo(255);
            FdCalls.syncfs(src.num());
        }
    }
}
