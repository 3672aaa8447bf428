package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.session.Dispatcher;
import dev.vireo.fuse.session.Session;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.fuse.testing.FuseRequests;
import dev.vireo.fuse.testing.TestExchange;
import dev.vireo.fuse.transport.Exchange;
import dev.vireo.mem.SgList;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vireo.fuse.testing.FuseRequests.name;
import static dev.vireo.fuse.testing.FuseRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hot paths allocate nothing of vireo's own in steady state: READ, WRITE, GETATTR and LOOKUP of
 * a known inode are dispatched many times on one thread through a reused exchange (as a
 * transport's worker does), and the Java heap the thread allocates meanwhile is measured
 * (ThreadMXBean), not timed.
 *
 * <p>One allocation is the JDK's: a downcall linked with {@code captureCallState} (how vireo-sys
 * reads errno) slices its capture segment on every call ({@code SharedUtils.checkCaptureSegment}),
 * a 40-byte view that C2's escape analysis removes only when the whole adapter inlines. So the
 * bound is that view per system call: READ (preadv), WRITE (pwritev) and GETATTR (statx) make one,
 * LOOKUP two (statx, name_to_handle_at). Anything vireo allocated per request would exceed it.
 */
@ExtendWith(FdLeakCheck.class)
class AllocationTest {

    private static final int WARMUP = 30_000;
    private static final int MEASURED = 20_000;
    /** The JDK's capture-state view per errno-capturing downcall (40 bytes, plus measurement slack). */
    private static final double JDK_VIEW = 41.0;

    /** A worker's exchange: one request buffer and one reply buffer, reused for every request. */
    private static final class Reused implements Exchange {
        final SgList request = new SgList(2);
        final SgList reply;
        final MemorySegment buffer;
        long completions;
        long length;

        Reused(Arena arena) {
            buffer = arena.allocate(1 << 20, 8);
            reply = SgList.of(arena.allocate((1 << 20) + 4096, 8));
        }

        void set(byte[] req) {
            MemorySegment.copy(MemorySegment.ofArray(req), 0, buffer, 0, req.length);
            request.clear();
            // Header and arguments in separate entries, as virtiofs sends them.
            request.add(buffer, 0, 40);
            request.add(buffer, 40, req.length - 40);
        }

        @Override
        public SgList request() {
            return request;
        }

        @Override
        public SgList reply() {
            return reply;
        }

        @Override
        public void complete(long replyLength) {
            completions++;
            length = replyLength;
        }

        @Override
        public Exchange detach(int maxReply) {
            throw new UnsupportedOperationException();
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static double bytesPerRequest(Dispatcher d, Reused ex) {
        for (int i = 0; i < WARMUP; i++) {
            d.dispatch(ex);
        }
        long before = allocated();
        for (int i = 0; i < MEASURED; i++) {
            d.dispatch(ex);
        }
        long after = allocated();
        return (after - before) / (double) MEASURED;
    }

    @Test
    void hotPathsAllocateNothing(@TempDir Path dir) throws Exception {
        Requires.root();
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.write(src.resolve("f"), new byte[1 << 20]);
        PassthroughFs fs = new PassthroughFs(src, PassthroughOptions.defaults());
        Session session = new Session(fs, SessionConfig.defaults());
        try (Arena arena = Arena.ofConfined()) {
            Dispatcher d = session.newDispatcher();
            d.dispatch(new TestExchange(arena, FuseRequests.init(1)));
            TestExchange lookup = new TestExchange(arena, request(Fuse.FUSE_LOOKUP, 2, 1, name("f")));
            d.dispatch(lookup);
            long node = lookup.decode().body().getLong(0);
            TestExchange open = new TestExchange(arena, request(Fuse.FUSE_OPEN, 3, node, FuseRequests.openIn(2)));
            d.dispatch(open);
            long fh = open.decode().body().getLong(0);
            Reused ex = new Reused(arena);

            ex.set(request(Fuse.FUSE_READ, 10, node, FuseRequests.readIn(fh, 4096, 4096)));
            double read = bytesPerRequest(d, ex);
            assertThat(ex.length).isEqualTo(16 + 4096);

            byte[] data = new byte[4096];
            ex.set(request(Fuse.FUSE_WRITE, 11, node, FuseRequests.writeIn(fh, 8192, data.length), data));
            double write = bytesPerRequest(d, ex);
            assertThat(ByteBuffer.wrap(replyBytes(ex), 16, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(4096);

            ex.set(request(Fuse.FUSE_GETATTR, 12, node, FuseRequests.getattrIn(0, 0)));
            double getattr = bytesPerRequest(d, ex);
            assertThat(ex.length).isEqualTo(16 + 104);

            ex.set(request(Fuse.FUSE_LOOKUP, 13, 1, name("f")));
            double lookups = bytesPerRequest(d, ex);
            assertThat(ex.length).isEqualTo(16 + 128);
            // Each LOOKUP counted one more lookup: give them back.
            d.dispatch(new TestExchange(arena, request(Fuse.FUSE_FORGET, 14, node, FuseRequests.forgetIn(WARMUP + MEASURED))));

            System.out.printf("bytes allocated per request: READ %.2f, WRITE %.2f, GETATTR %.2f, LOOKUP %.2f%n",
                    read, write, getattr, lookups);
            assertThat(read).as("READ").isLessThanOrEqualTo(JDK_VIEW);
            assertThat(write).as("WRITE").isLessThanOrEqualTo(JDK_VIEW);
            assertThat(getattr).as("GETATTR").isLessThanOrEqualTo(JDK_VIEW);
            assertThat(lookups).as("LOOKUP").isLessThanOrEqualTo(2 * JDK_VIEW);
        } finally {
            session.close();
        }
    }

    private static byte[] replyBytes(Reused ex) {
        return ex.reply.segment(0).asSlice(0, ex.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
