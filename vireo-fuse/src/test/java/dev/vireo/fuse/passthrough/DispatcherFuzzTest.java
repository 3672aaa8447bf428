package dev.vireo.fuse.passthrough;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.fuse.session.Dispatcher;
import dev.vireo.fuse.session.Session;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.fuse.testing.FuseRequests;
import dev.vireo.fuse.testing.TestExchange;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the whole server side: bytes become a sequence of requests (mostly well-formed, with
 * fuzzed values, some entirely raw), laid out over split request and reply buffers, dispatched to
 * a {@link PassthroughFs} of a scratch directory (every other one first as a non-blocking attempt,
 * as virtio-fs's kick thread makes it). Oracles: every request completes at most once
 * while dispatching and exactly once by the end; replies fit their buffers and carry a header
 * that agrees with their length, the unique id and an errno in range; nothing outside the scratch
 * directory changes; no descriptor survives the file system.
 *
 * <p>Plain test runs replay the committed inputs in {@code DispatcherFuzzTestInputs}; {@code
 * JAZZER_FUZZ=1} runs a campaign.
 */
class DispatcherFuzzTest {

    private static final int[] OPCODES = {Fuse.FUSE_LOOKUP, Fuse.FUSE_FORGET, Fuse.FUSE_GETATTR, Fuse.FUSE_SETATTR,
        Fuse.FUSE_READLINK, Fuse.FUSE_SYMLINK, Fuse.FUSE_MKNOD, Fuse.FUSE_MKDIR, Fuse.FUSE_UNLINK, Fuse.FUSE_RMDIR,
        Fuse.FUSE_RENAME, Fuse.FUSE_LINK, Fuse.FUSE_OPEN, Fuse.FUSE_READ, Fuse.FUSE_WRITE, Fuse.FUSE_STATFS,
        Fuse.FUSE_RELEASE, Fuse.FUSE_FSYNC, Fuse.FUSE_SETXATTR, Fuse.FUSE_GETXATTR, Fuse.FUSE_LISTXATTR,
        Fuse.FUSE_REMOVEXATTR, Fuse.FUSE_FLUSH, Fuse.FUSE_INIT, Fuse.FUSE_OPENDIR, Fuse.FUSE_READDIR,
        Fuse.FUSE_RELEASEDIR, Fuse.FUSE_FSYNCDIR, Fuse.FUSE_GETLK, Fuse.FUSE_SETLK, Fuse.FUSE_SETLKW, Fuse.FUSE_ACCESS,
        Fuse.FUSE_CREATE, Fuse.FUSE_INTERRUPT, Fuse.FUSE_BATCH_FORGET, Fuse.FUSE_FALLOCATE, Fuse.FUSE_READDIRPLUS,
        Fuse.FUSE_RENAME2, Fuse.FUSE_LSEEK, Fuse.FUSE_COPY_FILE_RANGE, Fuse.FUSE_SYNCFS, Fuse.FUSE_TMPFILE,
        Fuse.FUSE_COPY_FILE_RANGE_64, Fuse.FUSE_DESTROY, Fuse.FUSE_IOCTL, Fuse.FUSE_BMAP};
    /** Args sizes per opcode, indexed like OPCODES (names and data are appended separately). */
    private static final int[] SIZES = {0, 8, 16, 88, 0, 0, 16, 8, 0, 0, 8, 8, 8, 40, 40, 0, 24, 16, 16, 8, 8, 0, 24,
        64, 8, 40, 24, 16, 48, 48, 48, 8, 16, 8, 8, 32, 40, 16, 24, 56, 8, 16, 56, 0, 32, 16};
    private static final String[] NAMES = {"a", "b", "c", "d", ".", "..", "to-outside", "dangling", "x/y", "",
        "long-" + "n".repeat(251), "sub", "f"};

    private static Path root;
    private static Path outside;

    @BeforeAll
    static void sandbox() throws IOException {
        root = Files.createTempDirectory("vireo-fuzz");
        outside = Files.createDirectory(root.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The thread that dispatches, as a transport's would: requests change its file-system identity. */
    private static final java.util.concurrent.ExecutorService SERVER = java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("fuzz-server").daemon(true).factory());

    @FuzzTest(maxDuration = "60s")
    void fuzzDispatcher(FuzzedDataProvider data) throws Exception {
        try {
            SERVER.submit(() -> {
                run(data);
                return null;
            }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw (Error) e.getCause();
        }
    }

    private static void run(FuzzedDataProvider data) throws Exception {
        Path src = root.resolve("src");
        reset(src);
        int fdsBefore = FdLeakCheck.openFds().size();
        List<TestExchange> exchanges = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
            Session session = new Session(fs, SessionConfig.defaults());
            try {
                Dispatcher d = session.newDispatcher();
                TestExchange init = new TestExchange(arena, FuseRequests.init(1));
                d.dispatch(init);
                List<Long> nodes = new ArrayList<>(List.of(1L));
                List<Long> handles = new ArrayList<>(List.of(0L));
                for (int i = 0; i < 48 && data.remainingBytes() > 0; i++) {
                    fs.resetThreadIdentity();
                    long unique = 2L * (i + 2);
                    byte[] req = request(data, unique, nodes, handles);
                    // A raw request carries its own id; the reply must echo whatever it was.
                    long expectedUnique = req.length >= 16
                            ? ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN).getLong(8) : unique;
                    int[] cuts = cuts(data, req.length);
                    int capacity = data.consumeBoolean() ? (1 << 17) : data.consumeInt(0, 4096);
                    int[] replyCuts = cuts(data, capacity);
                    TestExchange ex = new TestExchange(arena, req, cuts, capacity, replyCuts);
                    // Every other request is first tried as virtio-fs's kick thread does; given
                    // back, it must be untouched and is dispatched again from the start.
                    if (i % 2 == 1 && !d.tryDispatchNonBlocking(ex)) {
                        assertThat(ex.completions()).as("given back, yet completed").isZero();
                        assertThat(ex.detached()).as("given back, yet detached").isFalse();
                        d.dispatch(ex);
                    }
                    if (i % 2 == 0) {
                        d.dispatch(ex);
                    }
                    exchanges.add(ex);
                    assertThat(ex.completions()).isLessThanOrEqualTo(1);
                    if (ex.completions() == 1) {
                        check(ex, capacity, expectedUnique, nodes, handles);
                    } else {
                        assertThat(ex.detached()).as("a request not completed at once must be detached").isTrue();
                    }
                }
            } finally {
                fs.resetThreadIdentity();
                session.close();
            }
        }
        // Detached requests (lock waits) are answered when the file system closes.
        for (TestExchange ex : exchanges) {
            assertThat(ex.completions()).isEqualTo(1);
        }
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("secret");
        }
        assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("secret");
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("src", "outside");
        }
        assertThat(FdLeakCheck.openFds().size()).isLessThanOrEqualTo(fdsBefore);
    }

    private static void reset(Path src) throws IOException {
        if (Files.exists(src)) {
            try (Stream<Path> s = Files.walk(src)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    p.toFile().setWritable(true);
                    Files.deleteIfExists(p);
                }
            }
        }
        Files.createDirectory(src);
        Files.createDirectory(src.resolve("sub"));
        Files.writeString(src.resolve("f"), "0123456789".repeat(100));
        Files.createSymbolicLink(src.resolve("to-outside"), outside);
        Files.createSymbolicLink(src.resolve("dangling"), outside.resolve("created"));
    }

    private static void check(TestExchange ex, int capacity, long unique, List<Long> nodes, List<Long> handles) {
        long n = ex.replyLength();
        assertThat(n).isBetween(0L, (long) capacity);
        if (n == 0) {
            return;
        }
        TestExchange.Reply r = ex.decode();
        assertThat(r).isNotNull();
        assertThat((long) r.len()).isEqualTo(n);
        assertThat(r.unique()).isEqualTo(unique);
        assertThat(r.error()).isBetween(-4095, 0);
        ByteBuffer body = r.body();
        if (r.error() == 0 && body.remaining() >= 128 && nodes.size() < 64) {
            nodes.add(body.getLong(0));
            if (body.remaining() >= 144) {
                handles.add(body.getLong(128));
            }
        } else if (r.error() == 0 && body.remaining() == 16 && handles.size() < 64) {
            handles.add(body.getLong(0));
        }
    }

    private static int[] cuts(FuzzedDataProvider data, int length) {
        int k = data.consumeInt(0, 3);
        int[] cuts = new int[k];
        for (int i = 0; i < k; i++) {
            cuts[i] = data.consumeInt(0, Math.max(0, length));
        }
        java.util.Arrays.sort(cuts);
        return cuts;
    }

    private static long node(FuzzedDataProvider data, List<Long> nodes) {
        return data.consumeInt(0, 7) == 0 ? data.consumeLong() : nodes.get(data.consumeInt(0, nodes.size() - 1));
    }

    private static byte[] name(FuzzedDataProvider data) {
        if (data.consumeInt(0, 7) == 0) {
            return data.consumeBytes(data.consumeInt(0, 300));
        }
        return FuseRequests.name(NAMES[data.consumeInt(0, NAMES.length - 1)]);
    }

    private static byte[] request(FuzzedDataProvider data, long unique, List<Long> nodes, List<Long> handles) {
        if (data.consumeInt(0, 15) == 0) {
            // Entirely raw, header included.
            return data.consumeBytes(data.consumeInt(0, 512));
        }
        int which = data.consumeInt(0, OPCODES.length - 1);
        int opcode = OPCODES[which];
        ByteBuffer args = ByteBuffer.allocate(SIZES[which]).order(ByteOrder.LITTLE_ENDIAN);
        // Arguments: plausible handles and small values first, the rest fuzzed.
        if (args.capacity() >= 8) {
            args.putLong(0, data.consumeBoolean() ? handles.get(data.consumeInt(0, handles.size() - 1)) : data.consumeLong());
        }
        for (int at = 8; at + 4 <= args.capacity(); at += 4) {
            args.putInt(at, data.consumeBoolean() ? data.consumeInt(0, 4096) : data.consumeInt());
        }
        List<byte[]> parts = new ArrayList<>();
        parts.add(args.array());
        switch (opcode) {
            case Fuse.FUSE_LOOKUP, Fuse.FUSE_UNLINK, Fuse.FUSE_RMDIR, Fuse.FUSE_MKNOD, Fuse.FUSE_MKDIR, Fuse.FUSE_CREATE,
                 Fuse.FUSE_LINK, Fuse.FUSE_GETXATTR, Fuse.FUSE_REMOVEXATTR -> parts.add(name(data));
            case Fuse.FUSE_RENAME, Fuse.FUSE_RENAME2, Fuse.FUSE_SYMLINK -> {
                parts.add(name(data));
                parts.add(name(data));
            }
            case Fuse.FUSE_SETXATTR -> {
                parts.add(FuseRequests.name("user." + data.consumeInt(0, 3)));
                parts.add(data.consumeBytes(data.consumeInt(0, 100)));
            }
            case Fuse.FUSE_WRITE -> {
                byte[] payload = data.consumeBytes(data.consumeInt(0, 8192));
                if (data.consumeBoolean()) {
                    ByteBuffer.wrap(parts.get(0)).order(ByteOrder.LITTLE_ENDIAN).putInt(16, payload.length);
                }
                parts.add(payload);
            }
            case Fuse.FUSE_BATCH_FORGET -> parts.add(data.consumeBytes(data.consumeInt(0, 64)));
            default -> {
                if (data.consumeInt(0, 7) == 0) {
                    parts.add(data.consumeBytes(data.consumeInt(0, 64)));
                }
            }
        }
        byte[] req = FuseRequests.request(opcode, unique, node(data, nodes), data.consumeBoolean() ? 0 : data.consumeInt(0, 70000),
                data.consumeBoolean() ? 0 : data.consumeInt(0, 70000), 1, parts.toArray(byte[][]::new));
        if (data.consumeInt(0, 15) == 0) {
            // A header length that lies.
            ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN).putInt(0, data.consumeInt());
        }
        return req;
    }

    @SuppressWarnings("unused")
    private static String printable(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
