package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.proto.Opcode;
import dev.vireo.fuse.testing.FuseRequests;
import dev.vireo.fuse.testing.Harness;
import dev.vireo.fuse.testing.TestExchange.Reply;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import dev.vireo.sys.abi.fuse.Fuse;
import com.sun.nio.file.ExtendedOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static dev.vireo.fuse.testing.FuseRequests.name;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PassthroughFs}'s non-blocking attempts (what virtio-fs answers on its kick thread) against
 * the host kernel's caches: names in the dentry cache and pages in the page cache are answered,
 * with the same answers as the blocking path; a name never resolved, pages only on disk (written
 * with O_DIRECT), ".." and requests needing another identity are given back unanswered, as are
 * opcodes the passthrough does not try without blocking.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughNonBlockingTest {

    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    private PassthroughFs share(Path src) throws Exception {
        PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
        // The test's directory is on this machine's local disk file system (ext4).
        assertThat(fs.servesNonBlocking(Opcode.LOOKUP)).as("non-blocking attempts on %s", Files.getFileStore(src).type())
                .isTrue();
        assertThat(fs.servesNonBlocking(Opcode.MKDIR)).isFalse();
        return fs;
    }

    @Test
    void lookupsAndAttributesFromTheCachesAreAnsweredAndTheRestGivenBack() throws Exception {
        Requires.root();
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.writeString(src.resolve("a"), "hello");
        try (Harness h = new Harness(share(src))) {
            // "a" was just created on the host: its dentry is cached.
            Reply cached = h.tryNonBlocking(Fuse.FUSE_LOOKUP, 1, name("a"));
            assertThat(cached).isNotNull();
            assertThat(cached.errno()).isZero();
            long node = Harness.nodeId(cached);
            assertThat(Harness.nodeId(h.op(Fuse.FUSE_LOOKUP, 1, name("a")))).isEqualTo(node);

            Reply attr = h.tryNonBlocking(Fuse.FUSE_GETATTR, node, FuseRequests.getattrIn(0, 0));
            assertThat(attr).isNotNull();
            assertThat(attr.errno()).isZero();
            assertThat(attr.body().getLong(16 + 8)).as("fuse_attr.size").isEqualTo(5);

            // A name the kernel never resolved: finding out reads the directory from disk.
            assertThat(h.tryNonBlocking(Fuse.FUSE_LOOKUP, 1, name("never-seen"))).isNull();
            Reply missing = h.op(Fuse.FUSE_LOOKUP, 1, name("never-seen"));
            assertThat(missing.errno() != 0 || Harness.nodeId(missing) == 0).as("negative answer").isTrue();

            // Another identity would need setfsuid on the serving thread; ".." goes the careful way.
            assertThat(h.tryNonBlocking(FuseRequests.request(Fuse.FUSE_LOOKUP, h.next(), 1, 1000, 1000,
                    FuseRequests.PID, name("a")))).isNull();
            assertThat(h.tryNonBlocking(Fuse.FUSE_LOOKUP, node, name(".."))).isNull();

            // Not tried at all: nothing is created.
            assertThat(h.tryNonBlocking(Fuse.FUSE_MKDIR, 1, FuseRequests.mkdirIn(0755, 0), name("d"))).isNull();
            assertThat(src.resolve("d")).doesNotExist();
        }
    }

    @Test
    void readsFromThePageCacheAreAnsweredAndReadsFromDiskGivenBack() throws Exception {
        Requires.root();
        Path src = Files.createDirectory(dir.resolve("src"));
        byte[] pattern = new byte[2 * PAGE];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 31 + 7);
        }
        // O_DIRECT: the data goes to the disk and the page cache keeps none of it.
        try (FileChannel ch = FileChannel.open(src.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                ExtendedOpenOption.DIRECT)) {
            ByteBuffer b = ByteBuffer.allocateDirect(3 * PAGE).alignedSlice(PAGE);
            b.limit(pattern.length);
            b.put(pattern).flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        Files.writeString(src.resolve("small"), "hello");
        try (Harness h = new Harness(share(src))) {
            long node = Harness.nodeId(h.op(Fuse.FUSE_LOOKUP, 1, name("f")));
            long fh = h.op(Fuse.FUSE_OPEN, node, FuseRequests.openIn(0)).body().getLong(0);

            assertThat(h.tryNonBlocking(Fuse.FUSE_READ, node, FuseRequests.readIn(fh, 0, pattern.length)))
                    .as("pages only on disk").isNull();
            assertThat(bytes(h.op(Fuse.FUSE_READ, node, FuseRequests.readIn(fh, 0, pattern.length)))).isEqualTo(pattern);

            Reply cached = h.tryNonBlocking(Fuse.FUSE_READ, node, FuseRequests.readIn(fh, 0, pattern.length));
            assertThat(cached).isNotNull();
            assertThat(bytes(cached)).isEqualTo(pattern);
            // Reads across and at the end of the file: short, and answered (the end is not a miss).
            Reply tail = h.tryNonBlocking(Fuse.FUSE_READ, node, FuseRequests.readIn(fh, PAGE, 16 * PAGE));
            assertThat(tail).isNotNull();
            assertThat(bytes(tail)).hasSize(PAGE);
            Reply end = h.tryNonBlocking(Fuse.FUSE_READ, node, FuseRequests.readIn(fh, pattern.length, PAGE));
            assertThat(end).isNotNull();
            assertThat(bytes(end)).isEmpty();
            h.op(Fuse.FUSE_RELEASE, node, FuseRequests.releaseIn(fh, 0));

            long small = Harness.nodeId(h.op(Fuse.FUSE_LOOKUP, 1, name("small")));
            long sfh = h.op(Fuse.FUSE_OPEN, small, FuseRequests.openIn(0)).body().getLong(0);
            Reply whole = h.tryNonBlocking(Fuse.FUSE_READ, small, FuseRequests.readIn(sfh, 0, PAGE));
            assertThat(whole).isNotNull();
            assertThat(new String(bytes(whole), StandardCharsets.US_ASCII)).isEqualTo("hello");
            h.op(Fuse.FUSE_RELEASE, small, FuseRequests.releaseIn(sfh, 0));
        }
    }

    private static byte[] bytes(Reply r) {
        assertThat(r.errno()).isZero();
        ByteBuffer b = r.body();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
