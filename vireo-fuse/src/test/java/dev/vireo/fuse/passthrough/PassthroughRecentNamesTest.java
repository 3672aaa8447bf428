package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.FuseRequests;
import dev.vireo.fuse.testing.Harness;
import dev.vireo.fuse.testing.PassthroughMount;
import dev.vireo.fuse.testing.TestExchange.Reply;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

import static dev.vireo.fuse.testing.FuseRequests.name;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A repeated LOOKUP is answered from {@link RecentNames} with one statx of the name: these tests
 * change the share on the host between lookups and check that the answers are the ones a fresh
 * resolution gives: a renamed name finds the new file, a removed one nothing, a forgotten inode a
 * new node id, each lookup is counted once, on both the blocking and the non-blocking path; and
 * through the kernel's FUSE client, with a real mount.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughRecentNamesTest {

    @TempDir
    Path dir;

    @Test
    void aRepeatedLookupFollowsWhatTheHostDidToTheName() throws Exception {
        Requires.root(); // file handles (open_by_handle_at) need CAP_DAC_READ_SEARCH
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.writeString(src.resolve("a"), "first");
        PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
        try (Harness h = new Harness(fs)) {
            long first = h.lookup(1, "a");
            assertThat(h.lookup(1, "a")).isEqualTo(first);
            assertThat(h.tryNonBlocking(Fuse.FUSE_LOOKUP, 1, name("a"))).satisfies(r -> assertThat(Harness.nodeId(r)).isEqualTo(first));

            // Another file under the old name: a new inode, not the remembered one.
            Files.move(src.resolve("a"), src.resolve("b"));
            Files.writeString(src.resolve("a"), "second, longer");
            long second = h.lookup(1, "a");
            assertThat(second).isNotEqualTo(first);
            assertThat(size(h, second)).isEqualTo(14);
            assertThat(h.lookup(1, "b")).isEqualTo(first);
            assertThat(size(h, first)).isEqualTo(5);

            // Gone on the host: a negative answer, on both paths.
            Files.delete(src.resolve("a"));
            assertThat(negative(h.op(Fuse.FUSE_LOOKUP, 1, name("a")))).isTrue();
            Files.writeString(src.resolve("c"), "third");
            long third = h.lookup(1, "c");
            h.lookup(1, "c");
            Files.delete(src.resolve("c"));
            Reply gone = h.tryNonBlocking(Fuse.FUSE_LOOKUP, 1, name("c"));
            assertThat(gone == null || negative(gone)).as("given back or negative").isTrue();

            // Each lookup counted once: "b" was looked up four times ("a" thrice, then "b" once).
            h.forget(first, 3);
            assertThat(size(h, first)).isEqualTo(5);
            h.forget(first, 1);
            assertThat(h.op(Fuse.FUSE_GETATTR, first, FuseRequests.getattrIn(0, 0)).errno()).isNotZero();

            // A forgotten inode is not brought back by its remembered name: a new node id.
            long again = h.lookup(1, "b");
            assertThat(again).isNotEqualTo(first);
            assertThat(size(h, again)).isEqualTo(5);
            h.forget(third, 2);
        }
    }

    @Test
    void namesThatShareASlotAreEachAnsweredRight() throws Exception {
        Requires.root();
        Path src = Files.createDirectory(dir.resolve("src"));
        Path sub = Files.createDirectory(src.resolve("sub"));
        int n = 300; // 600 names in the memo's 512 slots: some must share one
        for (int i = 0; i < n; i++) {
            Files.writeString(src.resolve("f" + i), "x".repeat(i % 97));
            Files.writeString(sub.resolve("f" + i), "y".repeat(i % 89));
        }
        PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
        try (Harness h = new Harness(fs)) {
            long subNode = h.lookup(1, "sub");
            Map<String, Long> nodes = new HashMap<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < n; i++) {
                    long top = h.lookup(1, "f" + i);
                    long inSub = h.lookup(subNode, "f" + i);
                    assertThat(nodes.computeIfAbsent("/f" + i, k -> top)).isEqualTo(top);
                    assertThat(nodes.computeIfAbsent("sub/f" + i, k -> inSub)).isEqualTo(inSub);
                    if (round == 0) {
                        assertThat(size(h, top)).isEqualTo(i % 97);
                        assertThat(size(h, inSub)).isEqualTo(i % 89);
                    }
                }
            }
            // Swapped on the host: each name now finds the other file.
            Path tmp = src.resolve("tmp");
            Files.move(src.resolve("f1"), tmp);
            Files.move(src.resolve("f2"), src.resolve("f1"), StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp, src.resolve("f2"));
            assertThat(h.lookup(1, "f1")).isEqualTo(nodes.get("/f2"));
            assertThat(h.lookup(1, "f2")).isEqualTo(nodes.get("/f1"));
        }
    }

    /**
     * The same through the kernel's FUSE client: without caching it looks every name up again on
     * every path walk, so repeated lookups reach RecentNames from the kernel's own requests, and
     * what the host does to a name must show through the mount at once.
     */
    @Test
    void throughTheKernelAHostSideChangeShowsAtOnce() throws Exception {
        PassthroughOptions o = PassthroughOptions.defaults().withCache(CachePolicy.NEVER);
        try (PassthroughMount m = PassthroughMount.start(dir, o, 2, (mo, x) -> mo)) {
            Path src = m.source();
            Path mnt = m.mnt();
            for (int round = 0; round < 3; round++) {
                Files.writeString(src.resolve("a"), "first " + round);
                for (int i = 0; i < 4; i++) { // several lookups, on both serving threads
                    assertThat(Files.readString(mnt.resolve("a"))).isEqualTo("first " + round);
                }
                Files.move(src.resolve("a"), src.resolve("b"), StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(src.resolve("a"), "second " + round);
                assertThat(Files.readString(mnt.resolve("a"))).isEqualTo("second " + round);
                assertThat(Files.getAttribute(mnt.resolve("a"), "unix:ino")).isEqualTo(Files.getAttribute(src.resolve("a"), "unix:ino"));
                assertThat(Files.readString(mnt.resolve("b"))).isEqualTo("first " + round);
                Files.delete(src.resolve("a"));
                assertThat(mnt.resolve("a")).doesNotExist();
            }
        }
    }

    private static boolean negative(Reply r) {
        return r.errno() != 0 || Harness.nodeId(r) == 0;
    }

    /** fuse_attr_out.attr.size of GETATTR. */
    private static long size(Harness h, long node) {
        Reply r = h.op(Fuse.FUSE_GETATTR, node, FuseRequests.getattrIn(0, 0));
        assertThat(r.errno()).isZero();
        return r.body().getLong(16 + 8);
    }
}
