package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.PassthroughMount;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.ThreadCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * POSIX semantics of {@link PassthroughFs} through the kernel's FUSE client: each test mounts a
 * fresh source directory and works on the mount with plain Java file APIs and system calls, then
 * checks the result on the host directory itself.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughPosixTest {

    @TempDir
    Path dir;
    PassthroughMount m;
    Path mnt;
    Path src;

    @BeforeEach
    void mount() throws Exception {
        m = PassthroughMount.start(dir);
        mnt = m.mnt();
        src = m.source();
    }

    @AfterEach
    void unmount() {
        m.close();
    }

    private static int nlink(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void createReadWriteAppendTruncate() throws Exception {
        Path f = mnt.resolve("file");
        Files.writeString(f, "hello");
        Files.writeString(f, ", world", StandardOpenOption.APPEND);
        assertThat(Files.readString(f)).isEqualTo("hello, world");
        assertThat(Files.readString(src.resolve("file"))).isEqualTo("hello, world");
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
            c.truncate(5);
        }
        assertThat(Files.readString(f)).isEqualTo("hello");
        Files.writeString(f, "new", StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(Files.readString(src.resolve("file"))).isEqualTo("new");
        assertThatThrownBy(() -> Files.writeString(f, "x", StandardOpenOption.CREATE_NEW))
                .isInstanceOf(FileAlreadyExistsException.class);
        // Large and unaligned: several 1 MiB requests, a partial last page.
        byte[] big = new byte[3 * 1024 * 1024 + 4321];
        new Random(7).nextBytes(big);
        Files.write(mnt.resolve("big"), big);
        assertThat(Files.readAllBytes(mnt.resolve("big"))).isEqualTo(big);
        assertThat(Files.readAllBytes(src.resolve("big"))).isEqualTo(big);
        try (FileChannel c = FileChannel.open(mnt.resolve("big"), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1000);
            c.read(b, 1_000_001);
            assertThat(b.array()).isEqualTo(java.util.Arrays.copyOfRange(big, 1_000_001, 1_001_001));
        }
    }

    @Test
    void renameNoReplaceAndExchange() throws Exception {
        Files.writeString(mnt.resolve("a"), "A");
        Files.writeString(mnt.resolve("b"), "B");
        Files.createDirectory(mnt.resolve("d"));
        Files.move(mnt.resolve("a"), mnt.resolve("d/a2"));
        assertThat(Files.readString(src.resolve("d/a2"))).isEqualTo("A");
        String d = mnt.resolve("d/a2").toString();
        String b = mnt.resolve("b").toString();
        assertThatThrownBy(() -> FsCalls.renameat2(FsCalls.AT_FDCWD, d, FsCalls.AT_FDCWD, b, FsCalls.RENAME_NOREPLACE))
                .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.error()).isEqualTo(Errno.EEXIST));
        FsCalls.renameat2(FsCalls.AT_FDCWD, d, FsCalls.AT_FDCWD, b, FsCalls.RENAME_EXCHANGE);
        assertThat(Files.readString(mnt.resolve("b"))).isEqualTo("A");
        assertThat(Files.readString(mnt.resolve("d/a2"))).isEqualTo("B");
        assertThat(Files.readString(src.resolve("b"))).isEqualTo("A");
        FsCalls.renameat2(FsCalls.AT_FDCWD, b, FsCalls.AT_FDCWD, mnt.resolve("c").toString(), FsCalls.RENAME_NOREPLACE);
        assertThat(mnt.resolve("b")).doesNotExist();
        assertThat(Files.readString(src.resolve("c"))).isEqualTo("A");
        // Replacing rename over an existing file.
        Files.move(mnt.resolve("c"), mnt.resolve("d/a2"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.readString(mnt.resolve("d/a2"))).isEqualTo("A");
    }

    @Test
    void hardLinksAndLinkCounts() throws Exception {
        Path f = mnt.resolve("f");
        Files.writeString(f, "data");
        assertThat(nlink(f)).isEqualTo(1);
        Files.createDirectory(mnt.resolve("sub"));
        Files.createLink(mnt.resolve("sub/g"), f);
        assertThat(nlink(f)).isEqualTo(2);
        assertThat(nlink(mnt.resolve("sub/g"))).isEqualTo(2);
        assertThat(nlink(src.resolve("f"))).isEqualTo(2);
        assertThat(Files.getAttribute(f, "unix:ino")).isEqualTo(Files.getAttribute(mnt.resolve("sub/g"), "unix:ino"));
        Files.writeString(mnt.resolve("sub/g"), "changed");
        assertThat(Files.readString(f)).isEqualTo("changed");
        Files.delete(f);
        assertThat(nlink(mnt.resolve("sub/g"))).isEqualTo(1);
        assertThat(Files.readString(mnt.resolve("sub/g"))).isEqualTo("changed");
    }

    @Test
    void symlinksAreReturnedNotFollowedByTheServer() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
        Files.createDirectory(mnt.resolve("d"));
        Files.writeString(mnt.resolve("d/target"), "inside");
        Files.createSymbolicLink(mnt.resolve("rel"), Path.of("d/target"));
        Files.createSymbolicLink(mnt.resolve("up"), Path.of("../outside/secret"));
        Files.createSymbolicLink(mnt.resolve("abs"), outside.resolve("secret"));
        // Stored verbatim on the host, returned verbatim.
        assertThat(Files.readSymbolicLink(src.resolve("up"))).isEqualTo(Path.of("../outside/secret"));
        assertThat(Files.readSymbolicLink(mnt.resolve("up"))).isEqualTo(Path.of("../outside/secret"));
        assertThat(Files.readSymbolicLink(mnt.resolve("abs"))).isEqualTo(outside.resolve("secret"));
        assertThat(Files.isSymbolicLink(mnt.resolve("abs"))).isTrue();
        // The client's own kernel follows links in the client's namespace.
        assertThat(Files.readString(mnt.resolve("rel"))).isEqualTo("inside");
        // Attributes of the link itself, not its target.
        assertThat((Long) Files.getAttribute(mnt.resolve("rel"), "unix:size", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo("d/target".length());
        // A dangling symlink planted on the host does not make the server create outside the share
        // when the client creates that name without following (O_NOFOLLOW): the server's CREATE
        // refuses symlinks too (see SecurityTest for the protocol-level check).
        Files.createSymbolicLink(src.resolve("planted"), outside.resolve("created-through-link"));
        assertThatThrownBy(() -> Files.newByteChannel(mnt.resolve("planted"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(outside.resolve("created-through-link")).doesNotExist();
        // Symlink to a magic link: just text to the server.
        Files.createSymbolicLink(src.resolve("magic"), Path.of("/proc/self/root"));
        assertThat(Files.readSymbolicLink(mnt.resolve("magic"))).isEqualTo(Path.of("/proc/self/root"));
        // "..": from the mount root, the client's kernel resolves it; the server never goes above.
        assertThat(mnt.resolve("d/../d/target")).exists();
    }

    @Test
    void chmodChownAndTimes() throws Exception {
        Path f = mnt.resolve("f");
        Files.writeString(f, "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r-x-w---x"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(src.resolve("f")))).isEqualTo("r-x-w---x");
        FsCalls.fchownat(FsCalls.AT_FDCWD, f.toString(), 1234, 5678, 0);
        assertThat(Files.getAttribute(src.resolve("f"), "unix:uid")).isEqualTo(1234);
        assertThat(Files.getAttribute(src.resolve("f"), "unix:gid")).isEqualTo(5678);
        assertThat(Files.getAttribute(f, "unix:uid")).isEqualTo(1234);
        FileTime t = FileTime.fromMillis(1_000_000_000_123L);
        Files.setLastModifiedTime(f, t);
        assertThat(Files.getLastModifiedTime(src.resolve("f"))).isEqualTo(t);
        assertThat(Files.getLastModifiedTime(f)).isEqualTo(t);
        // utimensat on a symbolic link itself (AT_SYMLINK_NOFOLLOW).
        Files.createSymbolicLink(mnt.resolve("l"), Path.of("f"));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment times = a.allocate(32);
            times.set(JAVA_LONG, 0, 1000);
            times.set(JAVA_LONG, 8, 0);
            times.set(JAVA_LONG, 16, 2000);
            times.set(JAVA_LONG, 24, 5);
            FsCalls.utimensat(FsCalls.AT_FDCWD, mnt.resolve("l").toString(), times, FsCalls.AT_SYMLINK_NOFOLLOW);
        }
        assertThat(Files.getLastModifiedTime(src.resolve("l"), LinkOption.NOFOLLOW_LINKS).toMillis()).isEqualTo(2_000_000);
        assertThat(Files.getLastModifiedTime(src.resolve("f"))).isEqualTo(t);
    }

    @Test
    void extendedAttributes() throws Exception {
        Path f = mnt.resolve("f");
        Files.writeString(f, "x");
        UserDefinedFileAttributeView v = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        v.write("color", StandardCharsets.UTF_8.encode("blue"));
        byte[] big = new byte[2_000];
        new Random(1).nextBytes(big);
        v.write("big", ByteBuffer.wrap(big));
        // A host error comes back as the host's errno: ext4 keeps xattrs in one block.
        assertThatThrownBy(() -> v.write("huge", ByteBuffer.wrap(new byte[60_000])))
                .isInstanceOf(java.nio.file.FileSystemException.class)
                .hasMessageContaining("No space left on device");
        assertThat(v.list()).containsExactlyInAnyOrder("color", "big");
        ByteBuffer b = ByteBuffer.allocate(v.size("big"));
        v.read("big", b);
        assertThat(b.array()).isEqualTo(big);
        UserDefinedFileAttributeView host = Files.getFileAttributeView(src.resolve("f"), UserDefinedFileAttributeView.class);
        ByteBuffer c = ByteBuffer.allocate(host.size("color"));
        host.read("color", c);
        assertThat(new String(c.array(), StandardCharsets.UTF_8)).isEqualTo("blue");
        v.delete("color");
        assertThat(v.list()).containsExactly("big");
        assertThatThrownBy(() -> v.size("color")).isInstanceOf(IOException.class);
        // On a directory too.
        Files.createDirectory(mnt.resolve("d"));
        UserDefinedFileAttributeView dv = Files.getFileAttributeView(mnt.resolve("d"), UserDefinedFileAttributeView.class);
        dv.write("k", StandardCharsets.UTF_8.encode("v"));
        assertThat(dv.list()).containsExactly("k");
    }

    @Test
    void fifo() throws Exception {
        FsCalls.mknodat(FsCalls.AT_FDCWD, mnt.resolve("pipe").toString(), FsCalls.S_IFIFO | 0640, 0);
        assertThat((Integer) Files.getAttribute(src.resolve("pipe"), "unix:mode") & FsCalls.S_IFMT).isEqualTo(FsCalls.S_IFIFO);
        assertThat(Files.readAttributes(mnt.resolve("pipe"), java.nio.file.attribute.BasicFileAttributes.class).isOther()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mnt.resolve("pipe")))).isEqualTo("rw-r-----");
    }

    @Test
    void sparseFilePastFourGiBWithHolesAndData() throws Exception {
        Path f = mnt.resolve("sparse");
        long far = 5L << 30;
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            c.write(ByteBuffer.wrap("start".getBytes()), 0);
            c.write(ByteBuffer.wrap("far".getBytes()), far);
        }
        assertThat(Files.size(src.resolve("sparse"))).isEqualTo(far + 3);
        assertThat(Files.size(f)).isEqualTo(far + 3);
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(3);
            c.read(b, far);
            assertThat(new String(b.array())).isEqualTo("far");
            ByteBuffer z = ByteBuffer.allocate(4096);
            c.read(z, 3L << 30);
            assertThat(z.array()).containsOnly(0);
        }
        // SEEK_DATA / SEEK_HOLE answered by the host.
        try (Fd fd = Fd.adopt(FsCalls.open(f.toString(), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0), "sparse")) {
            assertThat(FdCalls.lseek(fd.num(), 0, FdCalls.SEEK_DATA)).isZero();
            long hole = FdCalls.lseek(fd.num(), 0, FdCalls.SEEK_HOLE);
            assertThat(hole).isGreaterThan(0).isLessThan(far);
            long data = FdCalls.lseek(fd.num(), hole, FdCalls.SEEK_DATA);
            assertThat(data).isLessThanOrEqualTo(far).isGreaterThan(hole);
        }
        // Host blocks: far less than the size.
        assertThat((Long) Files.getAttribute(src.resolve("sparse"), "unix:size")).isEqualTo(far + 3);
    }

    @Test
    void fallocatePunchHoleAndCopyFileRange() throws Exception {
        Path f = mnt.resolve("f");
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        Files.write(f, data);
        try (Fd fd = Fd.adopt(FsCalls.open(f.toString(), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), "f")) {
            FdCalls.fallocate(fd.num(), FdCalls.FALLOC_FL_PUNCH_HOLE | FdCalls.FALLOC_FL_KEEP_SIZE, 65536, 131072);
            FdCalls.fallocate(fd.num(), 0, 0, 4 << 20);
        }
        byte[] host = Files.readAllBytes(src.resolve("f"));
        assertThat(host).hasSize(4 << 20);
        assertThat(java.util.Arrays.copyOfRange(host, 65536, 65536 + 131072)).containsOnly(0);
        assertThat(java.util.Arrays.copyOfRange(host, 0, 65536)).isEqualTo(java.util.Arrays.copyOfRange(data, 0, 65536));
        assertThat(Files.readAllBytes(f)).isEqualTo(host);
        Files.write(mnt.resolve("g"), new byte[0]);
        try (Fd in = Fd.adopt(FsCalls.open(f.toString(), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0), "f");
             Fd out = Fd.adopt(FsCalls.open(mnt.resolve("g").toString(), FsCalls.O_WRONLY | FsCalls.O_CLOEXEC, 0), "g");
             Arena a = Arena.ofConfined()) {
            MemorySegment offIn = a.allocate(JAVA_LONG);
            MemorySegment offOut = a.allocate(JAVA_LONG);
            offIn.set(JAVA_LONG, 0, 1000);
            offOut.set(JAVA_LONG, 0, 10);
            long copied = 0;
            while (copied < 50_000) {
                long n = FdCalls.copyFileRange(in.num(), offIn, out.num(), offOut, 50_000 - copied, 0);
                assertThat(n).isPositive();
                copied += n;
            }
        }
        byte[] g = Files.readAllBytes(src.resolve("g"));
        assertThat(g).hasSize(50_010);
        assertThat(java.util.Arrays.copyOfRange(g, 10, 50_010)).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 51_000));
    }

    @Test
    void tmpfileCanBeLinkedIn() throws Exception {
        try (Fd fd = Fd.adopt(FsCalls.open(mnt.toString(), FsCalls.O_TMPFILE | FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0600), "tmp");
             Arena a = Arena.ofConfined()) {
            FdCalls.writeFully(fd.num(), a.allocateFrom("unnamed"));
            try (java.util.stream.Stream<Path> s = Files.list(src)) {
                assertThat(s).isEmpty();
            }
            FsCalls.linkat(FsCalls.AT_FDCWD, "/proc/self/fd/" + fd.num(), FsCalls.AT_FDCWD, mnt.resolve("named").toString(),
                    FsCalls.AT_SYMLINK_FOLLOW);
        }
        assertThat(Files.readString(src.resolve("named")).trim()).isEqualTo("unnamed\0".trim());
        assertThat(Files.readString(mnt.resolve("named"))).startsWith("unnamed");
    }

    @Test
    void tenThousandEntriesAreListedExactlyOnce() throws Exception {
        Path d = Files.createDirectory(src.resolve("many"));
        for (int i = 0; i < 10_000; i++) {
            Files.createFile(d.resolve("entry-with-a-longish-name-" + i));
        }
        List<String> seen = new ArrayList<>();
        try (java.util.stream.Stream<Path> s = Files.list(mnt.resolve("many"))) {
            s.forEach(p -> seen.add(p.getFileName().toString()));
        }
        assertThat(seen).hasSize(10_000);
        assertThat(new HashSet<>(seen)).hasSize(10_000);
        // Again, now with every entry known to the kernel (READDIR instead of READDIRPLUS, maybe).
        Set<String> again = new HashSet<>();
        try (java.util.stream.Stream<Path> s = Files.list(mnt.resolve("many"))) {
            s.forEach(p -> assertThat(again.add(p.getFileName().toString())).isTrue());
        }
        assertThat(again).hasSize(10_000);
    }

    @Test
    void unlinkWhileOpen() throws Exception {
        Path f = mnt.resolve("f");
        Files.writeString(f, "still here");
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Files.delete(f);
            assertThat(src.resolve("f")).doesNotExist();
            c.write(ByteBuffer.wrap("STILL".getBytes()), 0);
            ByteBuffer b = ByteBuffer.allocate(10);
            c.read(b, 0);
            assertThat(new String(b.array())).isEqualTo("STILL here");
            assertThat(c.size()).isEqualTo(10);
        }
    }

    @Test
    void concurrentWritersToDistinctAndSharedFiles() throws Exception {
        int writers = 4;
        int blocks = 64;
        int block = 16 * 1024;
        Path shared = mnt.resolve("shared");
        Files.write(shared, new byte[0]);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                done.add(pool.submit((Callable<Void>) () -> {
                    byte[] pattern = new byte[block];
                    java.util.Arrays.fill(pattern, (byte) ('a' + id));
                    try (FileChannel own = FileChannel.open(mnt.resolve("own-" + id), StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                         FileChannel sh = FileChannel.open(shared, StandardOpenOption.WRITE)) {
                        for (int b = 0; b < blocks; b++) {
                            own.write(ByteBuffer.wrap(pattern), (long) b * block);
                            sh.write(ByteBuffer.wrap(pattern), ((long) b * writers + id) * block);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        byte[] all = Files.readAllBytes(src.resolve("shared"));
        assertThat(all).hasSize(writers * blocks * block);
        for (int b = 0; b < blocks * writers; b++) {
            byte expected = (byte) ('a' + b % writers);
            for (int k = 0; k < block; k += 997) {
                assertThat(all[b * block + k]).isEqualTo(expected);
            }
        }
        for (int w = 0; w < writers; w++) {
            byte[] own = Files.readAllBytes(src.resolve("own-" + w));
            assertThat(own).hasSize(blocks * block).containsOnly((byte) ('a' + w));
        }
    }

    @Test
    void fsyncReachesTheHost() throws Exception {
        try (FileChannel c = FileChannel.open(mnt.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap("durable".getBytes()));
            c.force(true);
            c.force(false);
            assertThat(Files.readString(src.resolve("f"))).isEqualTo("durable");
        }
        try (Fd d = Fd.adopt(FsCalls.open(mnt.toString(), FsCalls.O_RDONLY | FsCalls.O_DIRECTORY | FsCalls.O_CLOEXEC, 0), "dir")) {
            FdCalls.fsync(d.num());
            FdCalls.syncfs(d.num());
        }
    }

    @Test
    void statfsAndAccess() throws Exception {
        assertThat(Files.getFileStore(mnt).getTotalSpace()).isEqualTo(Files.getFileStore(src).getTotalSpace());
        Files.writeString(mnt.resolve("f"), "x");
        FsCalls.faccessat(FsCalls.AT_FDCWD, mnt.resolve("f").toString(), FsCalls.R_OK | FsCalls.W_OK, 0);
        assertThatThrownBy(() -> FsCalls.faccessat(FsCalls.AT_FDCWD, mnt.resolve("f").toString(), FsCalls.X_OK, 0))
                .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.error()).isEqualTo(Errno.EACCES));
    }

    @Test
    void directoriesNestAndEmptyOnesAreRemoved() throws Exception {
        Files.createDirectories(mnt.resolve("x/y/z"));
        assertThatThrownBy(() -> Files.delete(mnt.resolve("x/y"))).isInstanceOf(java.nio.file.DirectoryNotEmptyException.class);
        Files.delete(mnt.resolve("x/y/z"));
        Files.delete(mnt.resolve("x/y"));
        assertThat(src.resolve("x/y")).doesNotExist();
        assertThat(nlink(mnt.resolve("x"))).isEqualTo(2);
        byte[] name = new byte[256];
        java.util.Arrays.fill(name, (byte) 'n');
        assertThatThrownBy(() -> Files.createFile(mnt.resolve(new String(name, StandardCharsets.US_ASCII))))
                .isInstanceOf(IOException.class);
        assertThat(MemorySegment.ofArray(name).get(JAVA_BYTE, 0)).isEqualTo((byte) 'n');
    }
}
