package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.PassthroughMount;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A randomised differential test: the same seeded sequence of file operations is applied to the
 * mount and to a plain directory next to it, and every result (data, attributes, or the error)
 * and the final trees must agree. The seed is printed when they do not; rerun it with
 * {@code -Dvireo.fuse.diff.seed=N}. The run is bounded by time ({@code -Dvireo.fuse.diff.seconds},
 * 15 by default) so that CI stays quick; locally it can run for hours.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughDifferentialTest {

    private static final String[] DIRS = {"", "d0", "d1", "d0/e0", "d0/e1", "d1/e0"};
    private static final String[] NAMES = {"f0", "f1", "f2", "f3", "d0", "d1", "e0", "e1", "l0"};

    @Test
    void randomOperationsAgreeWithAPlainDirectory(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("vireo.fuse.diff.seed", System.nanoTime());
        long seconds = Long.getLong("vireo.fuse.diff.seconds", 15);
        Path ref = Files.createDirectory(dir.resolve("ref"));
        int ops = 0;
        try (PassthroughMount m = PassthroughMount.start(dir)) {
            Random random = new Random(seed);
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            int fdsAtStart = FdLeakCheck.openFds().size();
            while (System.nanoTime() < end && ops < 200_000) {
                long opSeed = random.nextLong();
                String onMount = apply(m.mnt(), new Random(opSeed));
                String onRef = apply(ref, new Random(opSeed));
                ops++;
                assertThat(onMount).as("seed %d, operation %d", seed, ops).isEqualTo(onRef);
                if (ops % 500 == 0) {
                    assertThat(tree(m.mnt())).as("seed %d, tree after %d operations", seed, ops).isEqualTo(tree(ref));
                    // Descriptors stay bounded: besides the inode cache and the open files, nothing is held.
                    int held = m.fs().cachedDescriptors() + m.fs().openFileCount();
                    assertThat(FdLeakCheck.openFds().size() - held).as("open descriptors outside the cache")
                            .isLessThan(fdsAtStart + 64);
                    assertThat(m.fs().cachedDescriptors()).isLessThanOrEqualTo(m.fs().inodeCount());
                }
            }
            assertThat(tree(m.mnt())).as("seed %d, final tree", seed).isEqualTo(tree(ref));
            assertThat(tree(m.source())).as("seed %d, host tree", seed).isEqualTo(tree(ref));
        } catch (AssertionError | RuntimeException e) {
            System.err.println("PassthroughDifferentialTest failed with seed " + seed + " (-Dvireo.fuse.diff.seed=" + seed + ")");
            throw e;
        }
        System.out.printf("differential test: %d operations, seed %d%n", ops, seed);
    }

    private static Path pick(Path root, Random r) {
        String d = DIRS[r.nextInt(DIRS.length)];
        String n = NAMES[r.nextInt(NAMES.length)];
        return d.isEmpty() ? root.resolve(n) : root.resolve(d).resolve(n);
    }

    private static byte[] data(Random r, int max) {
        byte[] b = new byte[r.nextInt(max)];
        r.nextBytes(b);
        return b;
    }

    /** Applies one random operation under {@code root}; returns what happened, without paths. */
    private static String apply(Path root, Random r) {
        Path p = pick(root, r);
        Path q = pick(root, r);
        int op = r.nextInt(18);
        try {
            switch (op) {
                case 0 -> Files.write(p, data(r, 70_000));
                case 1 -> Files.write(p, data(r, 5_000), StandardOpenOption.APPEND);
                case 2 -> {
                    try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        c.write(ByteBuffer.wrap(data(r, 9_000)), r.nextInt(200_000));
                    }
                }
                case 3 -> {
                    try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        c.truncate(r.nextInt(100_000));
                    }
                }
                case 4 -> {
                    return "read " + hash(Files.readAllBytes(p));
                }
                case 5 -> Files.createDirectory(p);
                case 6 -> Files.delete(p);
                case 7 -> Files.move(p, q, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                case 8 -> Files.move(p, q);
                case 9 -> Files.createLink(q, p);
                case 10 -> Files.createSymbolicLink(p, Path.of(r.nextBoolean() ? "f0" : "../d1/f1"));
                case 11 -> Files.setPosixFilePermissions(p, perms(r));
                case 12 -> {
                    return "list " + list(p);
                }
                case 13 -> {
                    return "stat " + stat(p);
                }
                case 14 -> Files.setLastModifiedTime(p, FileTime.fromMillis(1_600_000_000_000L + r.nextInt(1_000_000)));
                case 15 -> {
                    UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (v == null) {
                        return "no xattr view";
                    }
                    v.write("k" + r.nextInt(3), ByteBuffer.wrap(data(r, 300)));
                    return "xattrs " + new java.util.TreeSet<>(v.list());
                }
                case 16 -> {
                    try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
                        ByteBuffer b = ByteBuffer.allocate(r.nextInt(5000));
                        int n = c.read(b, r.nextInt(80_000));
                        return "pread " + n + " " + hash(java.util.Arrays.copyOf(b.array(), Math.max(n, 0)));
                    }
                }
                default -> {
                    return "exists " + Files.exists(p, LinkOption.NOFOLLOW_LINKS) + " " + Files.isDirectory(p);
                }
            }
            return "ok " + op;
        } catch (FileSystemException e) {
            return op + " " + e.getClass().getSimpleName() + " " + e.getReason();
        } catch (IOException | UnsupportedOperationException e) {
            return op + " " + e.getClass().getSimpleName();
        }
    }

    private static Set<PosixFilePermission> perms(Random r) {
        // Owner keeps rwx so that the tree stays traversable and removable.
        String[] group = {"---", "r--", "r-x", "rw-", "rwx"};
        return PosixFilePermissions.fromString("rwx" + group[r.nextInt(group.length)] + group[r.nextInt(group.length)]);
    }

    private static String hash(byte[] b) throws IOException {
        try {
            return b.length + ":" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    private static String list(Path d) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            s.forEach(x -> names.add(x.getFileName().toString()));
        }
        names.sort(null);
        return names.toString();
    }

    private static String stat(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String kind = a.isDirectory() ? "dir" : a.isSymbolicLink() ? "link" : a.isRegularFile() ? "file" : "other";
        String size = a.isDirectory() ? "" : Long.toString(a.size());
        Map<String, Object> unix = Files.readAttributes(p, "unix:mode,nlink", LinkOption.NOFOLLOW_LINKS);
        int nlink = (Integer) unix.get("nlink");
        return kind + " " + size + " " + Integer.toOctalString((Integer) unix.get("mode")) + " " + nlink;
    }

    /** Seconds since the epoch a little before any file of the test existed. */
    private static final long STARTED_SECONDS = System.currentTimeMillis() / 1000 - 2;

    /** Everything that must agree about a tree, by relative path. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                StringBuilder b = new StringBuilder(stat(p));
                if (Files.isSymbolicLink(p)) {
                    b.append(" -> ").append(Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    b.append(" ").append(hash(Files.readAllBytes(p)));
                    // A time set by the test (2020) must agree exactly; a write's "now" differs by a
                    // second when a second boundary falls between the two trees' operations.
                    long mtime = Files.getLastModifiedTime(p).toMillis() / 1000;
                    b.append(" mtime ").append(mtime >= STARTED_SECONDS ? "during the test" : Long.toString(mtime));
                }
                if (!Files.isSymbolicLink(p)) {
                    UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
                    b.append(" xattrs ").append(new java.util.TreeSet<>(v.list()));
                }
                out.put(rel, b.toString());
            }
        }
        return out;
    }
}
