package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.FuseRequests;
import dev.vireo.fuse.testing.Harness;
import dev.vireo.fuse.testing.PassthroughMount;
import dev.vireo.fuse.testing.TestExchange.Reply;
import dev.vireo.sys.Errno;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.abi.Statx;
import dev.vireo.sys.abi.fuse.Fuse;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.vireo.fuse.testing.FuseRequests.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Names READDIRPLUS lists get an inode without a descriptor ({@link InodeTable#addListed}), opened
 * from the directory and the name when first used. These tests check that such inodes cost no
 * descriptor, answer like any other once used, fail with ESTALE (never another file's data) when
 * the host renamed, replaced or removed the name meanwhile, keep their directory in the table, and
 * are counted and forgotten like looked-up ones; and, through the kernel's FUSE client, that a
 * name replaced on the host after a listing opens the new file.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughListedInodesTest {

    @TempDir
    Path dir;

    @Test
    void listedNamesCostNoDescriptorUntilUsedAndFailStaleIfTheHostChangedThem() throws Exception {
        Requires.root(); // file handles (open_by_handle_at) need CAP_DAC_READ_SEARCH
        Path src = Files.createDirectory(dir.resolve("src"));
        Path d = Files.createDirectory(src.resolve("d"));
        for (String n : List.of("a", "b", "c", "e", "f")) {
            Files.writeString(d.resolve(n), "content of " + n);
        }
        Files.createLink(d.resolve("a-link"), d.resolve("a"));
        Files.createSymbolicLink(d.resolve("l"), Path.of("/etc/passwd"));
        Files.createDirectory(d.resolve("sub"));
        PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
        try (Harness h = new Harness(fs)) {
            int inodesBefore = fs.inodeCount();
            long dn = h.lookup(1, "d");
            int descriptors = fs.cachedDescriptors();
            Map<String, Long> listed = readdirplus(h, dn);
            assertThat(listed.keySet()).containsExactlyInAnyOrder("a", "a-link", "b", "c", "e", "f", "l", "sub");
            // Only the subdirectory was opened. The file listed under two names is one inode (the
            // second name found a known number: a statx of the first name told it is the same file).
            assertThat(fs.cachedDescriptors()).isEqualTo(descriptors + 1);
            assertThat(listed.get("a-link")).isEqualTo(listed.get("a"));
            assertThat(fs.inodeCount()).isEqualTo(inodesBefore + 1 + 7);

            // Used: opened from the directory, then like any inode.
            assertThat(read(h, listed.get("f"))).isEqualTo("content of f");
            assertThat(fs.cachedDescriptors()).isEqualTo(descriptors + 2);
            assertThat(read(h, listed.get("a"))).isEqualTo("content of a");
            assertThat(fs.cachedDescriptors()).isEqualTo(descriptors + 3);
            Reply link = h.op(Fuse.FUSE_READLINK, listed.get("l"), new byte[0]);
            assertThat(link.errno()).isZero();
            assertThat(new String(link.bytes(), StandardCharsets.UTF_8)).isEqualTo("/etc/passwd");

            // A LOOKUP of a listed name finds the same inode and keeps the descriptor it opened.
            assertThat(h.lookup(dn, "e")).isEqualTo(listed.get("e"));
            assertThat(fs.cachedDescriptors()).isEqualTo(descriptors + 5);

            // Renamed, replaced or removed on the host before first use: ESTALE, never the other file.
            Files.move(d.resolve("b"), d.resolve("b-old"));
            Files.writeString(d.resolve("b"), "a new b");
            Files.delete(d.resolve("c"));
            assertThat(h.op(Fuse.FUSE_GETATTR, listed.get("b"), FuseRequests.getattrIn(0, 0)).errno())
                    .isEqualTo(Errno.ESTALE.code());
            assertThat(h.op(Fuse.FUSE_OPEN, listed.get("c"), FuseRequests.openIn(0)).errno()).isEqualTo(Errno.ESTALE.code());
            // The kernel then looks the name up again: the new file, a new node id.
            long newB = h.lookup(dn, "b");
            assertThat(newB).isNotEqualTo(listed.get("b"));
            assertThat(read(h, newB)).isEqualTo("a new b");

            // The listing holds its directory: forgetting the directory's own lookup keeps it while
            // its listed, unopened inodes live, and they still open from it.
            h.forget(dn, 1);
            assertThat(size(h, listed.get("b"))).isEqualTo(-Errno.ESTALE.code());
            Files.writeString(d.resolve("late"), "late");
            long late = readdirplusOf(h, dn, "late");
            assertThat(late).isNotEqualTo(listed.get("c")); // though the host may have given it c's number
            assertThat(read(h, late)).isEqualTo("late");

            // Every lookup counted once: forgetting each listed entry once (and "e" twice, "a" for
            // both names, the LOOKUPs of "b", "late" and "e") empties the table, directory included.
            for (Map.Entry<String, Long> e : listed.entrySet()) {
                h.forget(e.getValue(), 1);
            }
            h.forget(listed.get("e"), 1);
            h.forget(newB, 1);
            h.forget(late, 1);
            assertThat(fs.inodeCount()).isEqualTo(inodesBefore);
            assertThat(h.op(Fuse.FUSE_GETATTR, dn, FuseRequests.getattrIn(0, 0)).errno()).isNotZero();
        }
    }

    /**
     * Through the kernel: a listing (READDIRPLUS, the kernel's first readdir of a directory) gives
     * the kernel dentries of names vireo has not opened; the host then replaces one. Opening it
     * through the mount gets ESTALE from vireo, on which the kernel looks the name up again
     * (LOOKUP_REVAL) and opens the new file: the caller sees the new content, never an error.
     */
    @Test
    void throughTheKernelANameReplacedAfterAListingOpensTheNewFile() throws Exception {
        try (PassthroughMount m = PassthroughMount.start(dir, PassthroughOptions.defaults().withCache(CachePolicy.ALWAYS), 2,
                (mo, x) -> mo)) {
            Path src = m.source();
            Path mnt = m.mnt();
            for (int round = 0; round < 3; round++) {
                Path d = Files.createDirectory(src.resolve("d" + round));
                for (int i = 0; i < 10; i++) { // one READDIRPLUS reply: every name listed, none looked up
                    Files.writeString(d.resolve("f" + i), "old " + i);
                }
                try (Stream<Path> s = Files.list(mnt.resolve("d" + round))) {
                    for (Path p : s.toList()) {
                        Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    }
                }
                // Replaced (an editor's atomic save), renamed away and removed on the host.
                Path tmp = d.resolve("tmp");
                Files.writeString(tmp, "new 7");
                Files.move(tmp, d.resolve("f7"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.move(d.resolve("f8"), d.resolve("g8"));
                Files.delete(d.resolve("f9"));
                Path md = mnt.resolve("d" + round);
                assertThat(Files.readString(md.resolve("f7"))).isEqualTo("new 7");
                assertThat(Files.readString(md.resolve("g8"))).isEqualTo("old 8");
                assertThatThrownBy(() -> Files.readString(md.resolve("f8"))).isInstanceOf(NoSuchFileException.class);
                assertThatThrownBy(() -> Files.readString(md.resolve("f9"))).isInstanceOf(NoSuchFileException.class);
                assertThat(Files.readString(md.resolve("f6"))).isEqualTo("old 6");
                assertThat(Files.getAttribute(md.resolve("f7"), "unix:ino")).isEqualTo(Files.getAttribute(d.resolve("f7"), "unix:ino"));
            }
        }
    }

    /**
     * CREATE's inode gets no descriptor of its own either (a create storm's files are written,
     * released and unlinked through the open file and the directory): one descriptor per created
     * file, the open file's. Renamed or unlinked by the client while open, the file is reached
     * through that open file (a chmod of the node, no handle given: fchmod), and a LOOKUP of its
     * new name finds the same node; once released, a name the host replaced answers ESTALE.
     */
    @Test
    void aCreatedFileCostsOnlyItsOpenFileAndStaysReachableThroughIt() throws Exception {
        Requires.root(); // file handles (open_by_handle_at) need CAP_DAC_READ_SEARCH
        Path src = Files.createDirectory(dir.resolve("src"));
        PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
        try (Harness h = new Harness(fs)) {
            int inodesBefore = fs.inodeCount();
            int fdsBefore = FdLeakCheck.openFds().size();
            Reply c = h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_RDWR, 0644, 0), name("a"));
            assertThat(c.errno()).isZero();
            long a = Harness.nodeId(c);
            long fh = c.body().getLong(128);
            assertThat(FdLeakCheck.openFds()).hasSize(fdsBefore + 1);
            assertThat(h.op(Fuse.FUSE_WRITE, a, FuseRequests.writeIn(fh, 0, 4), "data".getBytes()).errno()).isZero();

            // Renamed by the client, then changed by node: its old name is gone, its open file is not.
            assertThat(h.op(Fuse.FUSE_RENAME, 1, FuseRequests.renameIn(1), name("a"), name("b")).errno()).isZero();
            assertThat(h.op(Fuse.FUSE_SETATTR, a, FuseRequests.chmodIn(0600)).errno()).isZero();
            assertThat(Files.getPosixFilePermissions(src.resolve("b"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(h.lookup(1, "b")).isEqualTo(a);

            // Created again, renamed, looked up under the new name before any other use: the same
            // node (the open file holds the number, so it cannot be another file's).
            Reply c2 = h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_RDWR, 0644, 0), name("c"));
            long cn = Harness.nodeId(c2);
            long cfh = c2.body().getLong(128);
            assertThat(h.op(Fuse.FUSE_RENAME, 1, FuseRequests.renameIn(1), name("c"), name("d")).errno()).isZero();
            assertThat(h.lookup(1, "d")).isEqualTo(cn);

            // Unlinked by the client while open (a scratch file's pattern): still reachable by node.
            Reply c3 = h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_RDWR, 0644, 0), name("scratch"));
            long sn = Harness.nodeId(c3);
            long sfh = c3.body().getLong(128);
            assertThat(h.op(Fuse.FUSE_UNLINK, 1, name("scratch")).errno()).isZero();
            assertThat(h.op(Fuse.FUSE_SETATTR, sn, FuseRequests.chmodIn(0640)).errno()).isZero();
            Reply attr = h.op(Fuse.FUSE_GETATTR, sn, FuseRequests.getattrIn(0, 0));
            assertThat(attr.errno()).isZero();
            assertThat(attr.body().getInt(16 + 60) & 07777).isEqualTo(0640);
            assertThat(attr.body().getInt(16 + 64)).as("nlink").isZero();
            h.op(Fuse.FUSE_RELEASE, sn, FuseRequests.releaseIn(sfh, 0));

            // Released, never used by node, then replaced on the host (an atomic save: the new file
            // exists before the old one goes, so it has another number): ESTALE, not the new file.
            Reply c4 = h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_RDWR, 0644, 0), name("e"));
            long en = Harness.nodeId(c4);
            h.op(Fuse.FUSE_RELEASE, en, FuseRequests.releaseIn(c4.body().getLong(128), 0));
            Files.writeString(src.resolve("e.tmp"), "the host's own e");
            Files.move(src.resolve("e.tmp"), src.resolve("e"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertThat(size(h, en)).isEqualTo(-Errno.ESTALE.code());
            long newE = h.lookup(1, "e");
            assertThat(newE).isNotEqualTo(en);
            assertThat(size(h, newE)).isEqualTo("the host's own e".length());

            // Created, released and unlinked, its FORGET not yet sent (the kernel batches them), and
            // the next create given its number (ext4 reuses a freed number at once): a new node,
            // still with only the open file's descriptor; the old node answers ESTALE.
            // (Another process may take the freed number first: then the pair is tried again.)
            boolean reuseSeen = false;
            for (int attempt = 0; attempt < 20 && !reuseSeen; attempt++) {
                Reply old = h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_RDWR, 0644, 0), name("old"));
                long oldNode = Harness.nodeId(old);
                long oldIno = old.body().getLong(40);
                h.op(Fuse.FUSE_RELEASE, oldNode, FuseRequests.releaseIn(old.body().getLong(128), 0));
                assertThat(h.op(Fuse.FUSE_UNLINK, 1, name("old")).errno()).isZero();
                int fdsNow = FdLeakCheck.openFds().size();
                Reply reused = h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_RDWR, 0644, 0), name("reused"));
                long reusedNode = Harness.nodeId(reused);
                assertThat(reusedNode).isNotEqualTo(oldNode);
                assertThat(FdLeakCheck.openFds()).hasSize(fdsNow + 1);
                assertThat(size(h, oldNode)).isEqualTo(-Errno.ESTALE.code());
                assertThat(size(h, reusedNode)).isZero();
                reuseSeen = reused.body().getLong(40) == oldIno;
                h.op(Fuse.FUSE_RELEASE, reusedNode, FuseRequests.releaseIn(reused.body().getLong(128), 0));
                assertThat(h.op(Fuse.FUSE_UNLINK, 1, name("reused")).errno()).isZero();
                h.forget(oldNode, 1);
                h.forget(reusedNode, 1);
            }
            assertThat(reuseSeen).as("ext4 gave a new file the number just freed").isTrue();

            // A symbolic link made by SYMLINK costs no descriptor either, and reads back.
            int fdsBeforeLink = FdLeakCheck.openFds().size();
            Reply sl = h.op(Fuse.FUSE_SYMLINK, 1, name("sl"), name("/somewhere/else"));
            assertThat(sl.errno()).isZero();
            long sln = Harness.nodeId(sl);
            assertThat(FdLeakCheck.openFds()).hasSize(fdsBeforeLink);
            Reply target = h.op(Fuse.FUSE_READLINK, sln, new byte[0]);
            assertThat(new String(target.bytes(), StandardCharsets.UTF_8)).isEqualTo("/somewhere/else");
            h.forget(sln, 1);

            h.op(Fuse.FUSE_RELEASE, a, FuseRequests.releaseIn(fh, 0));
            h.op(Fuse.FUSE_RELEASE, cn, FuseRequests.releaseIn(cfh, 0));
            h.forget(a, 2);
            h.forget(cn, 2);
            h.forget(sn, 1);
            h.forget(en, 1);
            h.forget(newE, 1);
            assertThat(fs.inodeCount()).isEqualTo(inodesBefore);
            assertThat(FdLeakCheck.openFds()).hasSize(fdsBefore);
        }
    }

    /**
     * Through the kernel: a file created, renamed and then unlinked through the mount while open
     * is still changed and read through its descriptor (fchmod sends SETATTR by node, without a
     * file handle; the kernel does not retry those on ESTALE).
     */
    @Test
    void throughTheKernelACreatedFileRenamedAndUnlinkedWhileOpenStaysUsable() throws Exception {
        try (PassthroughMount m = PassthroughMount.start(dir, PassthroughOptions.defaults(), 2, (mo, x) -> mo)) {
            Path src = m.source();
            Path mnt = m.mnt();
            int fd = FsCalls.openat(FsCalls.AT_FDCWD, mnt.resolve("new").toString(),
                    FsCalls.O_CREAT | FsCalls.O_EXCL | FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0644);
            try {
                Files.move(mnt.resolve("new"), mnt.resolve("renamed"));
                FsCalls.fchmod(fd, 0600);
                assertThat(Files.getPosixFilePermissions(src.resolve("renamed"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
                Files.delete(mnt.resolve("renamed"));
                FsCalls.fchmod(fd, 0640);
                FdCalls.ftruncate(fd, 12345);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment st = arena.allocate(Statx.LAYOUT);
                    FsCalls.statx(fd, arena.allocateFrom(""), FsCalls.AT_EMPTY_PATH, FsCalls.STATX_BASIC_STATS, st);
                    assertThat(Statx.mode(st) & 07777).isEqualTo(0640);
                    assertThat(Statx.size(st)).isEqualTo(12345);
                }
            } finally {
                FdCalls.close(fd);
            }
            try (Stream<Path> left = Files.list(src)) {
                assertThat(left).isEmpty();
            }
        }
    }

    /** The node ids of a directory's entries, from one READDIRPLUS (the directory is small). */
    private static Map<String, Long> readdirplus(Harness h, long dirNode) {
        Map<String, Long> out = new HashMap<>();
        for (Harness.PlusEntry e : h.readdirplus(dirNode)) {
            if (!e.name().equals(".") && !e.name().equals("..")) {
                assertThat(e.nodeId()).as("entry of %s", e.name()).isNotZero();
                out.put(e.name(), e.nodeId());
            }
        }
        return out;
    }

    /** The node id a READDIRPLUS of the directory gives {@code name}, the others' lookups given back. */
    private static long readdirplusOf(Harness h, long dirNode, String name) {
        Map<String, Long> all = readdirplus(h, dirNode);
        for (Map.Entry<String, Long> e : all.entrySet()) {
            if (!e.getKey().equals(name)) {
                h.forget(e.getValue(), 1);
            }
        }
        return all.get(name);
    }

    /** fuse_attr_out.attr.size of GETATTR, or the negative errno. */
    private static long size(Harness h, long node) {
        Reply r = h.op(Fuse.FUSE_GETATTR, node, FuseRequests.getattrIn(0, 0));
        return r.errno() != 0 ? -r.errno() : r.body().getLong(16 + 8);
    }

    /** The whole content of a small file, with OPEN, READ and RELEASE. */
    private static String read(Harness h, long node) {
        Reply open = h.op(Fuse.FUSE_OPEN, node, FuseRequests.openIn(0));
        assertThat(open.errno()).isZero();
        long fh = open.body().getLong(0);
        Reply r = h.op(Fuse.FUSE_READ, node, FuseRequests.readIn(fh, 0, 4096));
        assertThat(r.errno()).isZero();
        h.op(Fuse.FUSE_RELEASE, node, FuseRequests.releaseIn(fh, 0));
        return new String(r.bytes(), StandardCharsets.UTF_8);
    }
}
