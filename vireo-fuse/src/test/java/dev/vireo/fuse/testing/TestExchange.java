package dev.vireo.fuse.testing;

import dev.vireo.fuse.transport.Exchange;
import dev.vireo.mem.SgList;
import dev.vireo.mem.SgReader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link Exchange} for tests: the request as an SgList (possibly split), a reply buffer of a
 * chosen size (possibly split), and a record of what the dispatcher did: how many completions (the
 * oracle is exactly one) and the reply's bytes. Detaching gives a new exchange whose completion is
 * recorded here too, so a test can wait for a request answered later.
 */
public final class TestExchange implements Exchange {

    private final SgList request;
    private final SgList reply;
    private final AtomicInteger completions = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Arena arena;
    private volatile long replyLength = -1;
    private volatile SgList finalReply;
    private volatile boolean detached;

    /** A request split at {@code requestCuts}, a reply buffer of {@code replyCapacity} split at {@code replyCuts}. */
    public TestExchange(Arena arena, byte[] request, int[] requestCuts, int replyCapacity, int... replyCuts) {
        this.arena = arena;
        this.request = FuseRequests.split(arena, request, requestCuts);
        this.reply = FuseRequests.split(arena, new byte[replyCapacity], replyCuts);
    }

    /** One contiguous request and a 1 MiB + 4 KiB reply buffer. */
    public TestExchange(Arena arena, byte[] request) {
        this(arena, request, new int[0], (1 << 20) + 4096);
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
    public void complete(long length) {
        completions.incrementAndGet();
        replyLength = length;
        finalReply = reply;
        done.countDown();
    }

    @Override
    public Exchange detach(int maxReply) {
        detached = true;
        SgList own = FuseRequests.split(arena, new byte[maxReply]);
        TestExchange outer = this;
        return new Exchange() {
            @Override
            public SgList request() {
                throw new IllegalStateException("detached");
            }

            @Override
            public SgList reply() {
                return own;
            }

            @Override
            public void complete(long length) {
                outer.completions.incrementAndGet();
                outer.replyLength = length;
                outer.finalReply = own;
                outer.done.countDown();
            }

            @Override
            public Exchange detach(int max) {
                throw new IllegalStateException("already detached");
            }
        };
    }

    /** Completions so far (exactly one is correct). */
    public int completions() {
        return completions.get();
    }

    /** Whether the request was detached. */
    public boolean detached() {
        return detached;
    }

    /** Waits for the completion; false on timeout. */
    public boolean await(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Reply length given to complete, or -1. */
    public long replyLength() {
        return replyLength;
    }

    /** The reply's bytes (replyLength of them). */
    public byte[] replyBytes() {
        long n = replyLength;
        if (n <= 0) {
            return new byte[0];
        }
        byte[] out = new byte[(int) n];
        SgReader r = new SgReader().reset(finalReply);
        MemorySegment tmp = MemorySegment.ofArray(out);
        r.read(tmp);
        return out;
    }

    /** The reply's header and body, decoded. */
    public Reply decode() {
        return Reply.of(replyBytes());
    }

    /** A decoded reply: the header fields and the body. */
    public record Reply(int len, int error, long unique, ByteBuffer body) {
        static Reply of(byte[] b) {
            if (b.length < 16) {
                return null;
            }
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            int len = bb.getInt();
            int error = bb.getInt();
            long unique = bb.getLong();
            return new Reply(len, error, unique, bb.slice().order(ByteOrder.LITTLE_ENDIAN));
        }

        /** The positive errno (0 for success). */
        public int errno() {
            return -error;
        }

        /** A copy of the body's bytes. */
        public byte[] bytes() {
            ByteBuffer b = body.duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }
}
