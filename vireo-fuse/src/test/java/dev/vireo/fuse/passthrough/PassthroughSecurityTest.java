package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.fs.DeviceNumber;
import dev.vireo.fuse.testing.FuseRequests;
import dev.vireo.fuse.testing.Harness;
import dev.vireo.fuse.testing.TestExchange;
import dev.vireo.sys.Errno;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import dev.vireo.sys.abi.fuse.Fuse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.stream.Stream;

import static dev.vireo.fuse.testing.FuseRequests.name;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a hostile client can and cannot reach, at the protocol level: requests a kernel would never
 * send (forged node ids and file handles, names that try to climb, operations on symbolic links
 * planted on the host that point outside the share, magic links) go straight to the dispatcher and
 * {@link PassthroughFs}. The oracle: nothing outside the shared directory is read, created or
 * changed, and each request gets one error.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughSecurityTest {

    @TempDir
    Path dir;
    Path src;
    Path outside;
    PassthroughFs fs;
    Harness h;

    @BeforeEach
    void setUp() throws IOException {
        Requires.root();
        src = Files.createDirectory(dir.resolve("src"));
        outside = Files.createDirectory(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
        Files.setPosixFilePermissions(outside.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
        Files.createDirectory(src.resolve("sub"));
        Files.writeString(src.resolve("sub/inside"), "inside");
        // Planted on the host: links out of the share, and a link into /proc.
        Files.createSymbolicLink(src.resolve("to-secret"), outside.resolve("secret"));
        Files.createSymbolicLink(src.resolve("to-outside"), outside);
        Files.createSymbolicLink(src.resolve("dangling"), outside.resolve("new-file"));
        Files.createSymbolicLink(src.resolve("up"), Path.of("../outside/secret"));
        Files.createSymbolicLink(src.resolve("magic"), Path.of("/proc/self/root"));
        // Special files: a FIFO (opening it would block a worker) and a device node (a host device).
        FsCalls.mknodat(FsCalls.AT_FDCWD, src.resolve("fifo").toString(), FsCalls.S_IFIFO | 0666, 0);
        FsCalls.mknodat(FsCalls.AT_FDCWD, src.resolve("null").toString(), FsCalls.S_IFCHR | 0666,
                DeviceNumber.make(1, 3));
        fs = new PassthroughFs(src, PassthroughOptions.defaults());
        h = new Harness(fs);
    }

    @AfterEach
    void tearDown() throws IOException {
        h.close();
        Files.deleteIfExists(src.resolve("magic"));
        // Nothing outside the share changed.
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("secret");
        }
        assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outside.resolve("secret")))).isEqualTo("rw-------");
        assertThat(Files.getAttribute(outside.resolve("secret"), "unix:nlink")).isEqualTo(1);
        UserDefinedFileAttributeView x = Files.getFileAttributeView(outside.resolve("secret"), UserDefinedFileAttributeView.class);
        assertThat(x.list()).isEmpty();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("src", "outside");
        }
    }

    private long lookup(long parent, String n) {
        TestExchange.Reply r = h.op(Fuse.FUSE_LOOKUP, parent, name(n));
        assertThat(r.errno()).as("lookup %s", n).isZero();
        return Harness.nodeId(r);
    }

    @Test
    void dotDotOfTheRootIsTheRoot() {
        assertThat(lookup(1, "..")).isEqualTo(1);
        assertThat(lookup(1, ".")).isEqualTo(1);
        long sub = lookup(1, "sub");
        assertThat(lookup(sub, "..")).isEqualTo(1);
        assertThat(lookup(sub, ".")).isEqualTo(sub);
    }

    @Test
    void namesThatClimbAreRefused() {
        assertThat(h.op(Fuse.FUSE_LOOKUP, 1, name("../outside")).errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(h.op(Fuse.FUSE_LOOKUP, 1, name("sub/../../outside")).errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_WRONLY, 0644, 0), name("../outside/x")).errno())
                .isEqualTo(Errno.EINVAL.code());
        assertThat(h.op(Fuse.FUSE_MKDIR, 1, FuseRequests.mkdirIn(0755, 0), name("..")).errno()).isEqualTo(Errno.EEXIST.code());
        long sub = lookup(1, "sub");
        // Renaming something to ".." or over "." is the host's business, and it refuses.
        assertThat(h.op(Fuse.FUSE_RENAME, sub, FuseRequests.renameIn(1), name("inside"), name("..")).errno()).isNotZero();
        assertThat(h.op(Fuse.FUSE_RENAME, 1, FuseRequests.renameIn(1), name(".."), name("stolen")).errno()).isNotZero();
    }

    @Test
    void symbolicLinksAreNeverFollowedByTheServer() {
        long link = lookup(1, "to-secret");
        TestExchange.Reply attr = h.op(Fuse.FUSE_GETATTR, link, FuseRequests.getattrIn(0, 0));
        assertThat(attr.body().getInt(16 + 60) & FsCalls.S_IFMT).isEqualTo(FsCalls.S_IFLNK);
        TestExchange.Reply rl = h.op(Fuse.FUSE_READLINK, link);
        assertThat(new String(rl.body().array(), rl.body().arrayOffset(), rl.body().remaining())).isEqualTo(outside.resolve("secret").toString());
        // Opening, listing, changing the link node touches the link, never the target.
        assertThat(h.op(Fuse.FUSE_OPEN, link, FuseRequests.openIn(FsCalls.O_RDONLY)).errno()).isNotZero();
        assertThat(h.op(Fuse.FUSE_OPEN, link, FuseRequests.openIn(FsCalls.O_RDWR | FsCalls.O_TRUNC)).errno()).isNotZero();
        assertThat(h.op(Fuse.FUSE_OPENDIR, lookup(1, "to-outside"), FuseRequests.openIn(0)).errno()).isNotZero();
        h.op(Fuse.FUSE_SETATTR, link, FuseRequests.chmodIn(0777));
        h.op(Fuse.FUSE_SETXATTR, link, FuseRequests.u32(1, 0, 0, 0), name("user.evil"), new byte[] {'x'});
        h.op(Fuse.FUSE_SETXATTR, link, FuseRequests.u32(1, 0), name("user.evil"), new byte[] {'x'});
        // A hard link of the link node links the symlink itself.
        TestExchange.Reply ln = h.op(Fuse.FUSE_LINK, 1, FuseRequests.u64(link), name("hardlinked"));
        if (ln.errno() == 0) {
            assertThat(Files.isSymbolicLink(src.resolve("hardlinked"))).isTrue();
        }
        // Through the link to a directory: the link node is not a directory for lookups.
        long toOutside = lookup(1, "to-outside");
        assertThat(h.op(Fuse.FUSE_LOOKUP, toOutside, name("secret")).errno()).isEqualTo(Errno.ENOTDIR.code());
        assertThat(h.op(Fuse.FUSE_CREATE, toOutside, FuseRequests.createIn(FsCalls.O_WRONLY, 0644, 0), name("x")).errno())
                .isNotZero();
        assertThat(h.op(Fuse.FUSE_MKDIR, toOutside, FuseRequests.mkdirIn(0755, 0), name("x")).errno()).isNotZero();
        // The magic link is text too.
        long magic = lookup(1, "magic");
        assertThat(h.op(Fuse.FUSE_LOOKUP, magic, name("etc")).errno()).isEqualTo(Errno.ENOTDIR.code());
        assertThat(h.op(Fuse.FUSE_OPENDIR, magic, FuseRequests.openIn(0)).errno()).isNotZero();
    }

    @Test
    void createsDoNotGoThroughPlantedLinks() {
        assertThat(h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_WRONLY, 0644, 0), name("dangling")).errno())
                .isNotZero();
        assertThat(h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_WRONLY | FsCalls.O_TRUNC, 0644, 0),
                name("to-secret")).errno()).isNotZero();
        assertThat(h.op(Fuse.FUSE_MKNOD, 1, FuseRequests.mknodIn(FsCalls.S_IFREG | 0644, 0, 0), name("dangling")).errno())
                .isEqualTo(Errno.EEXIST.code());
        assertThat(h.op(Fuse.FUSE_MKDIR, 1, FuseRequests.mkdirIn(0755, 0), name("dangling")).errno()).isEqualTo(Errno.EEXIST.code());
        assertThat(h.op(Fuse.FUSE_SYMLINK, 1, name("dangling"), name("x")).errno()).isEqualTo(Errno.EEXIST.code());
        // Replacing the planted link by a rename replaces the link, not its target.
        TestExchange.Reply c = h.op(Fuse.FUSE_CREATE, 1, FuseRequests.createIn(FsCalls.O_WRONLY, 0644, 0), name("mine"));
        assertThat(c.errno()).isZero();
        assertThat(h.op(Fuse.FUSE_RENAME, 1, FuseRequests.renameIn(1), name("mine"), name("to-secret")).errno()).isZero();
        assertThat(Files.isSymbolicLink(src.resolve("to-secret"))).isFalse();
        assertThat(h.op(Fuse.FUSE_UNLINK, 1, name("up")).errno()).isZero();
        assertThat(Files.exists(src.resolve("up"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void specialFilesAreNotOpenedOnTheHost() {
        long fifo = lookup(1, "fifo");
        long device = lookup(1, "null");
        for (long node : new long[] {fifo, device}) {
            assertThat(h.op(Fuse.FUSE_OPEN, node, FuseRequests.openIn(FsCalls.O_RDONLY)).errno()).isEqualTo(Errno.ENXIO.code());
            assertThat(h.op(Fuse.FUSE_OPEN, node, FuseRequests.openIn(FsCalls.O_RDWR)).errno()).isEqualTo(Errno.ENXIO.code());
            assertThat(h.op(Fuse.FUSE_SETLK, node, FuseRequests.lkIn(0, 1, 0, 10, 1, 1)).errno()).isEqualTo(Errno.ENXIO.code());
            byte[] truncate = new byte[88];
            java.nio.ByteBuffer.wrap(truncate).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, Fuse.FATTR_SIZE);
            assertThat(h.op(Fuse.FUSE_SETATTR, node, truncate).errno()).isEqualTo(Errno.EINVAL.code());
            assertThat(h.op(Fuse.FUSE_OPENDIR, node, FuseRequests.openIn(0)).errno()).isEqualTo(Errno.ENOTDIR.code());
        }
        // Their attributes are served.
        TestExchange.Reply a = h.op(Fuse.FUSE_GETATTR, device, FuseRequests.getattrIn(0, 0));
        assertThat(a.body().getInt(16 + 60) & FsCalls.S_IFMT).isEqualTo(FsCalls.S_IFCHR);
        assertThat(a.body().getInt(16 + 76)).isEqualTo(DeviceNumber.toWire(DeviceNumber.make(1, 3)));
    }

    @Test
    void forgedAndStaleIdsFindNothing() {
        for (long forged : List.of(0L, 2L, 3L, 0xffff_ffffL, 0x1_0000_0001L, -1L, Long.MIN_VALUE, 0x7fff_ffff_0000_0002L)) {
            assertThat(h.op(Fuse.FUSE_GETATTR, forged, FuseRequests.getattrIn(0, 0)).errno()).isEqualTo(Errno.ESTALE.code());
            assertThat(h.op(Fuse.FUSE_LOOKUP, forged, name("sub")).errno()).isEqualTo(Errno.ESTALE.code());
            assertThat(h.op(Fuse.FUSE_OPEN, forged, FuseRequests.openIn(0)).errno()).isEqualTo(Errno.ESTALE.code());
            assertThat(h.op(Fuse.FUSE_READ, 1, FuseRequests.readIn(forged, 0, 4096)).errno()).isEqualTo(Errno.EBADF.code());
            assertThat(h.op(Fuse.FUSE_WRITE, 1, FuseRequests.writeIn(forged, 0, 1), new byte[1]).errno()).isEqualTo(Errno.EBADF.code());
            assertThat(h.op(Fuse.FUSE_READDIR, 1, FuseRequests.readIn(forged, 0, 4096)).errno()).isEqualTo(Errno.EBADF.code());
            assertThat(h.op(Fuse.FUSE_RELEASE, 1, FuseRequests.releaseIn(forged, 0)).errno()).isZero();
        }
        // A node forgotten is stale; its slot reused gets a new generation, the old id stays stale.
        long sub = lookup(1, "sub");
        h.call(FuseRequests.request(Fuse.FUSE_FORGET, h.next(), sub, FuseRequests.forgetIn(1)));
        assertThat(h.op(Fuse.FUSE_GETATTR, sub, FuseRequests.getattrIn(0, 0)).errno()).isEqualTo(Errno.ESTALE.code());
        long again = lookup(1, "sub");
        assertThat(again).isNotEqualTo(sub);
        assertThat(h.op(Fuse.FUSE_GETATTR, sub, FuseRequests.getattrIn(0, 0)).errno()).isEqualTo(Errno.ESTALE.code());
        assertThat(h.op(Fuse.FUSE_GETATTR, again, FuseRequests.getattrIn(0, 0)).errno()).isZero();
        // A released handle is stale.
        TestExchange.Reply open = h.op(Fuse.FUSE_OPEN, lookup(again, "inside"), FuseRequests.openIn(FsCalls.O_RDONLY));
        long fh = open.body().getLong(0);
        assertThat(h.op(Fuse.FUSE_READ, 1, FuseRequests.readIn(fh, 0, 100)).errno()).isZero();
        h.op(Fuse.FUSE_RELEASE, 1, FuseRequests.releaseIn(fh, 0));
        assertThat(h.op(Fuse.FUSE_READ, 1, FuseRequests.readIn(fh, 0, 100)).errno()).isEqualTo(Errno.EBADF.code());
        // Forgetting the root, or more lookups than exist, changes nothing.
        h.call(FuseRequests.request(Fuse.FUSE_FORGET, h.next(), 1, FuseRequests.forgetIn(1000)));
        assertThat(h.op(Fuse.FUSE_GETATTR, 1, FuseRequests.getattrIn(0, 0)).errno()).isZero();
    }
}
