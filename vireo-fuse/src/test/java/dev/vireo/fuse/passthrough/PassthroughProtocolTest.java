package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.FuseRequests;
import dev.vireo.fuse.testing.Harness;
import dev.vireo.fuse.testing.TestExchange;
import dev.vireo.sys.Errno;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import dev.vireo.sys.abi.fuse.Fuse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.vireo.fuse.testing.FuseRequests.name;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Protocol details of {@link PassthroughFs} a kernel rarely shows: READDIR and READDIRPLUS
 * continued across many small replies from the offsets the records carry, READDIRPLUS lookup
 * counting (only for what was sent, never for "." and ".."), FORGET releasing inodes, and a
 * SETLKW answered EINTR by INTERRUPT, also when the INTERRUPT is read before the wait registers.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughProtocolTest {

    private record Dirent(long ino, long off, String name, long nodeId) {
    }

    private static List<Dirent> parse(TestExchange.Reply r, boolean plus) {
        List<Dirent> out = new ArrayList<>();
        ByteBuffer b = r.body().order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (at < b.limit()) {
            long nodeId = plus ? b.getLong(at) : 0;
            int d = plus ? at + 128 : at;
            long ino = b.getLong(d);
            long off = b.getLong(d + 8);
            int len = b.getInt(d + 16);
            byte[] n = new byte[len];
            b.get(d + 24, n);
            out.add(new Dirent(ino, off, new String(n, StandardCharsets.UTF_8), nodeId));
            at = (d + 24 + len + 7 & ~7);
        }
        return out;
    }

    @Test
    void listingsContinueFromOffsetsAcrossSmallRepliesAndCountLookups(@TempDir Path dir) throws Exception {
        Requires.root();
        Path src = Files.createDirectory(dir.resolve("src"));
        Path d = Files.createDirectory(src.resolve("d"));
        Set<String> expected = new HashSet<>(List.of(".", ".."));
        for (int i = 0; i < 300; i++) {
            String n = "entry-" + "x".repeat(i % 40) + i;
            Files.createFile(d.resolve(n));
            expected.add(n);
        }
        PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
        try (Harness h = new Harness(fs)) {
            long dn = Harness.nodeId(h.op(Fuse.FUSE_LOOKUP, 1, name("d")));
            for (boolean plus : new boolean[] {false, true}) {
                int before = fs.inodeCount();
                long fh = h.op(Fuse.FUSE_OPENDIR, dn, FuseRequests.openIn(0)).body().getLong(0);
                Map<String, Dirent> seen = new HashMap<>();
                long offset = 0;
                int replies = 0;
                while (true) {
                    // Small and odd-sized replies: many calls, each continuing where the last stopped.
                    int size = plus ? 700 : 333;
                    TestExchange.Reply r = h.op(plus ? Fuse.FUSE_READDIRPLUS : Fuse.FUSE_READDIR, dn,
                            FuseRequests.readIn(fh, offset, size));
                    assertThat(r.errno()).isZero();
                    List<Dirent> got = parse(r, plus);
                    if (got.isEmpty()) {
                        break;
                    }
                    replies++;
                    for (Dirent e : got) {
                        assertThat(seen.put(e.name(), e)).as("listed twice: %s", e.name()).isNull();
                        offset = e.off();
                    }
                }
                h.op(Fuse.FUSE_RELEASEDIR, dn, FuseRequests.releaseIn(fh, 0));
                assertThat(seen.keySet()).isEqualTo(expected);
                assertThat(replies).isGreaterThan(10);
                if (plus) {
                    assertThat(seen.get(".").nodeId()).isZero();
                    assertThat(seen.get("..").nodeId()).isZero();
                    // One lookup per entry sent: forgetting each once releases them all.
                    assertThat(fs.inodeCount()).isEqualTo(before + 300);
                    for (Dirent e : seen.values()) {
                        if (e.nodeId() != 0) {
                            h.call(FuseRequests.request(Fuse.FUSE_FORGET, h.next(), e.nodeId(), FuseRequests.forgetIn(1)));
                        }
                    }
                    assertThat(fs.inodeCount()).isEqualTo(before);
                }
            }
            // Seeking back to an earlier offset lists from there again.
            long fh = h.op(Fuse.FUSE_OPENDIR, dn, FuseRequests.openIn(0)).body().getLong(0);
            List<Dirent> first = parse(h.op(Fuse.FUSE_READDIR, dn, FuseRequests.readIn(fh, 0, 4096)), false);
            List<Dirent> again = parse(h.op(Fuse.FUSE_READDIR, dn, FuseRequests.readIn(fh, first.get(4).off(), 4096)), false);
            assertThat(again.get(0)).isEqualTo(first.get(5));
            List<Dirent> restart = parse(h.op(Fuse.FUSE_READDIR, dn, FuseRequests.readIn(fh, 0, 4096)), false);
            assertThat(restart).isEqualTo(first);
            h.op(Fuse.FUSE_RELEASEDIR, dn, FuseRequests.releaseIn(fh, 0));
        }
    }

    @Test
    void aWaitingLockIsAnsweredEintrWhenInterruptedEvenIfTheInterruptCameFirst(@TempDir Path dir) throws Exception {
        Requires.root();
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.writeString(src.resolve("f"), "x");
        PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
        try (Harness h = new Harness(fs)) {
            long node = Harness.nodeId(h.op(Fuse.FUSE_LOOKUP, 1, name("f")));
            // Owner 1 holds a write lock on the whole file.
            assertThat(h.op(Fuse.FUSE_SETLK, node, FuseRequests.lkIn(0, 1, 0, Long.MAX_VALUE, FdCalls.F_WRLCK, 1)).errno())
                    .isZero();
            assertThat(h.op(Fuse.FUSE_SETLK, node, FuseRequests.lkIn(0, 2, 0, 10, FdCalls.F_WRLCK, 2)).errno())
                    .isEqualTo(Errno.EAGAIN.code());
            // Owner 2 waits: the request is detached, not answered.
            long waiting = h.next();
            TestExchange w = h.exchange(FuseRequests.request(Fuse.FUSE_SETLKW, waiting, node,
                    FuseRequests.lkIn(0, 2, 0, 10, FdCalls.F_WRLCK, 2)));
            h.dispatch(w);
            assertThat(w.detached()).isTrue();
            assertThat(w.await(300)).isFalse();
            h.call(FuseRequests.request(Fuse.FUSE_INTERRUPT, h.next() | 1, 0, FuseRequests.u64(waiting)));
            assertThat(w.await(10_000)).isTrue();
            assertThat(w.completions()).isEqualTo(1);
            assertThat(w.decode().errno()).isEqualTo(Errno.EINTR.code());
            assertThat(w.decode().unique()).isEqualTo(waiting);
            // An INTERRUPT read before the request it names (other worker threads) is remembered.
            long later = h.next();
            h.call(FuseRequests.request(Fuse.FUSE_INTERRUPT, h.next() | 1, 0, FuseRequests.u64(later)));
            TestExchange w2 = h.exchange(FuseRequests.request(Fuse.FUSE_SETLKW, later, node,
                    FuseRequests.lkIn(0, 3, 0, 10, FdCalls.F_WRLCK, 3)));
            h.dispatch(w2);
            assertThat(w2.await(10_000)).isTrue();
            assertThat(w2.decode().errno()).isEqualTo(Errno.EINTR.code());
            // A wait that is granted: owner 1 unlocks.
            long granted = h.next();
            TestExchange w3 = h.exchange(FuseRequests.request(Fuse.FUSE_SETLKW, granted, node,
                    FuseRequests.lkIn(0, 4, 0, 10, FdCalls.F_RDLCK, 4)));
            h.dispatch(w3);
            assertThat(w3.await(300)).isFalse();
            TestExchange.Reply unlock = h.op(Fuse.FUSE_SETLK, node,
                    FuseRequests.lkIn(0, 1, 0, Long.MAX_VALUE, FdCalls.F_UNLCK, 1));
            assertThat(unlock.errno()).isZero();
            assertThat(w3.await(10_000)).isTrue();
            assertThat(w3.decode().errno()).isZero();
        }
    }
}
