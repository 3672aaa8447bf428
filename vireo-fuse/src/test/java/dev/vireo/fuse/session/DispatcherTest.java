package dev.vireo.fuse.session;

import dev.vireo.fuse.fs.MemoryFs;
import dev.vireo.fuse.proto.ProtocolVersion;
import dev.vireo.fuse.testing.FuseRequests;
import dev.vireo.fuse.testing.TestExchange;
import dev.vireo.sys.Errno;
import dev.vireo.sys.abi.fuse.Fuse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.vireo.fuse.testing.FuseRequests.name;
import static dev.vireo.fuse.testing.FuseRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The codec and dispatcher without a kernel, over the example file system: negotiation, requests
 * whose header and arguments sit in different entries (as virtiofs sends them), replies into split
 * buffers, and every kind of malformed request. Oracle for all: exactly one completion, a reply no
 * longer than the buffer, the request's unique id echoed.
 */
class DispatcherTest {

    private Arena arena;
    private Session session;
    private Dispatcher dispatcher;
    private long unique = 100;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        session = new Session(new MemoryFs(), SessionConfig.defaults());
        dispatcher = session.newDispatcher();
    }

    @AfterEach
    void tearDown() {
        session.close();
        arena.close();
    }

    private TestExchange send(byte[] req, int[] cuts, int replyCapacity, int... replyCuts) {
        TestExchange ex = new TestExchange(arena, req, cuts, replyCapacity, replyCuts);
        dispatcher.dispatch(ex);
        assertThat(ex.completions()).as("completions").isEqualTo(1);
        assertThat(ex.replyLength()).isBetween(0L, (long) replyCapacity);
        return ex;
    }

    private TestExchange.Reply call(byte[] req) {
        TestExchange ex = send(req, new int[] {40}, 1 << 16, 7, 16, 40);
        TestExchange.Reply r = ex.decode();
        assertThat(r).isNotNull();
        assertThat(r.len()).isEqualTo(ex.replyLength());
        return r;
    }

    private void init() {
        TestExchange.Reply r = call(FuseRequests.init(1));
        assertThat(r.errno()).isZero();
    }

    @Test
    void initNegotiatesTheSmallerMinorAndOnlyOfferedFlags() {
        long offered = Fuse.FUSE_ASYNC_READ | Fuse.FUSE_BIG_WRITES | Fuse.FUSE_MAX_PAGES;
        TestExchange.Reply r = call(request(Fuse.FUSE_INIT, 1, 0, FuseRequests.initIn(7, 38, 65536, offered)));
        assertThat(r.errno()).isZero();
        assertThat(r.body().getInt(0)).isEqualTo(7);
        assertThat(r.body().getInt(4)).isEqualTo(38);
        assertThat(r.body().getInt(8)).isEqualTo(65536);
        int flags = r.body().getInt(12);
        assertThat(flags & ~offered).isZero();
        assertThat(flags & Fuse.FUSE_MAX_PAGES).isNotZero();
        assertThat(r.body().getInt(20)).isEqualTo(SessionConfig.MAX_WRITE);
        assertThat(Short.toUnsignedInt(r.body().getShort(28))).isEqualTo(256);
        assertThat(session.negotiated().version()).isEqualTo(new ProtocolVersion(7, 38));
        // A second INIT is refused, the first stays.
        assertThat(call(FuseRequests.init(2)).errno()).isEqualTo(Errno.EIO.code());
    }

    @Test
    void initOfANewerKernelGetsOurCeilingAndAnOlderMajorIsRefused() {
        TestExchange.Reply r = call(request(Fuse.FUSE_INIT, 1, 0, FuseRequests.initIn(7, 99, 65536, 0)));
        assertThat(r.body().getInt(4)).isEqualTo(ProtocolVersion.CEILING.minor());
        Session s2 = new Session(new MemoryFs(), SessionConfig.defaults());
        Dispatcher d2 = s2.newDispatcher();
        TestExchange ex = new TestExchange(arena, request(Fuse.FUSE_INIT, 1, 0, FuseRequests.initIn(8, 0, 0, 0)));
        d2.dispatch(ex);
        assertThat(ex.decode().body().getInt(0)).isEqualTo(7);
        assertThat(s2.negotiated()).isNull();
        TestExchange old = new TestExchange(arena, request(Fuse.FUSE_INIT, 2, 0, FuseRequests.initIn(7, 12, 0, 0)));
        d2.dispatch(old);
        assertThat(old.decode().errno()).isEqualTo(Errno.EPROTO.code());
        assertThat(s2.failure()).contains("7.12");
        s2.close();
    }

    @Test
    void theSessionIsInitializedBeforeTheKernelSeesTheInitReply() {
        // Once the INIT reply reaches the kernel, its next request may be taken by another thread
        // before the INIT thread returns (virtio-fs's worker pool, several /dev/fuse threads).
        Dispatcher other = session.newDispatcher();
        TestExchange init = new TestExchange(arena, FuseRequests.init(1));
        TestExchange next = new TestExchange(arena, request(Fuse.FUSE_GETATTR, 2, 1, FuseRequests.getattrIn(0, 0)));
        dispatcher.dispatch(new dev.vireo.fuse.transport.Exchange() {
            @Override
            public dev.vireo.mem.SgList request() {
                return init.request();
            }

            @Override
            public dev.vireo.mem.SgList reply() {
                return init.reply();
            }

            @Override
            public void complete(long length) {
                init.complete(length);
                other.dispatch(next); // the kernel's next request, on another thread's dispatcher
            }

            @Override
            public dev.vireo.fuse.transport.Exchange detach(int maxReply) {
                throw new AssertionError("INIT is not detached");
            }
        });
        assertThat(init.decode().errno()).isZero();
        assertThat(next.decode().errno()).as("GETATTR right after the INIT reply").isZero();
    }

    @Test
    void requestsBeforeInitAreRefused() {
        assertThat(call(request(Fuse.FUSE_GETATTR, 5, 1, FuseRequests.getattrIn(0, 0))).errno()).isEqualTo(Errno.EIO.code());
    }

    @Test
    void aWholeFileLifecycleOverSplitBuffers() {
        init();
        TestExchange.Reply mk = call(request(Fuse.FUSE_MKDIR, unique++, 1, FuseRequests.mkdirIn(0755, 0), name("dir")));
        assertThat(mk.errno()).isZero();
        long dir = mk.body().getLong(0);
        TestExchange.Reply created = call(request(Fuse.FUSE_CREATE, unique++, dir, FuseRequests.createIn(2, 0644, 0), name("f")));
        assertThat(created.errno()).isZero();
        long node = created.body().getLong(0);
        long fh = created.body().getLong(128);
        byte[] data = new byte[10_000];
        Arrays.fill(data, (byte) 'z');
        byte[] write = request(Fuse.FUSE_WRITE, unique++, node, FuseRequests.writeIn(fh, 0, data.length), data);
        // Header, arguments and data in three pieces, the data itself cut once more.
        TestExchange w = send(write, new int[] {40, 80, 5000}, 64, 3);
        TestExchange.Reply wr = w.decode();
        assertThat(wr.errno()).isZero();
        assertThat(wr.body().getInt(0)).isEqualTo(data.length);
        // READ into a reply buffer cut into odd pieces.
        TestExchange r = send(request(Fuse.FUSE_READ, unique++, node, FuseRequests.readIn(fh, 100, 5000)), new int[] {40},
                6000, 5, 17, 100, 4099);
        TestExchange.Reply rd = r.decode();
        assertThat(rd.len()).isEqualTo(16 + 5000);
        assertThat(rd.body().remaining()).isEqualTo(5000);
        assertThat(rd.body().get(4999)).isEqualTo((byte) 'z');
        // READDIRPLUS lists "." "..", "f" with its entry.
        TestExchange.Reply od = call(request(Fuse.FUSE_OPENDIR, unique++, dir, FuseRequests.openIn(0)));
        long dh = od.body().getLong(0);
        TestExchange.Reply ls = call(request(Fuse.FUSE_READDIRPLUS, unique++, dir, FuseRequests.readIn(dh, 0, 4096)));
        assertThat(ls.errno()).isZero();
        assertThat(new String(ls.body().array(), StandardCharsets.ISO_8859_1)).contains("f");
        assertThat(call(request(Fuse.FUSE_RELEASE, unique++, node, FuseRequests.releaseIn(fh, 0))).errno()).isZero();
        assertThat(call(request(Fuse.FUSE_UNLINK, unique++, dir, name("f"))).errno()).isZero();
        TestExchange.Reply gone = call(request(Fuse.FUSE_LOOKUP, unique++, dir, name("f")));
        assertThat(gone.errno()).isEqualTo(Errno.ENOENT.code());
    }

    @Test
    void theUniqueIdIsEchoed() {
        init();
        TestExchange.Reply r = call(request(Fuse.FUSE_GETATTR, 0xdead_beef_0000_0001L, 1, FuseRequests.getattrIn(0, 0)));
        assertThat(r.unique()).isEqualTo(0xdead_beef_0000_0001L);
        assertThat(r.errno()).isZero();
    }

    @Test
    void malformedRequestsGetErrorsNotCrashes() {
        init();
        // Unknown opcode.
        assertThat(call(request(9999, unique++, 1)).errno()).isEqualTo(Errno.ENOSYS.code());
        assertThat(call(request(Fuse.FUSE_IOCTL, unique++, 1, new byte[32])).errno()).isEqualTo(Errno.ENOSYS.code());
        // Missing arguments.
        assertThat(call(request(Fuse.FUSE_GETATTR, unique++, 1, new byte[3])).errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(call(request(Fuse.FUSE_SETATTR, unique++, 1, new byte[80])).errno()).isEqualTo(Errno.EINVAL.code());
        // Names: without NUL, with '/', empty, too long.
        assertThat(call(request(Fuse.FUSE_LOOKUP, unique++, 1, "abc".getBytes())).errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(call(request(Fuse.FUSE_LOOKUP, unique++, 1, name("a/b"))).errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(call(request(Fuse.FUSE_LOOKUP, unique++, 1, name(""))).errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(call(request(Fuse.FUSE_LOOKUP, unique++, 1, name("x".repeat(300)))).errno())
                .isEqualTo(Errno.ENAMETOOLONG.code());
        assertThat(call(request(Fuse.FUSE_RENAME, unique++, 1, FuseRequests.renameIn(1), name("a"))).errno())
                .isEqualTo(Errno.EINVAL.code());
        // WRITE whose size disagrees with the data, or beyond max_write.
        assertThat(call(request(Fuse.FUSE_WRITE, unique++, 1, FuseRequests.writeIn(1, 0, 100), new byte[99])).errno())
                .isEqualTo(Errno.EINVAL.code());
        assertThat(call(request(Fuse.FUSE_WRITE, unique++, 1, FuseRequests.writeIn(1, 0, 10), new byte[11])).errno())
                .isEqualTo(Errno.EINVAL.code());
        assertThat(call(request(Fuse.FUSE_READ, unique++, 1, FuseRequests.readIn(1, 0, Integer.MAX_VALUE))).errno())
                .isEqualTo(Errno.EINVAL.code());
        // Absurd xattr sizes are bounded; SETXATTR beyond XATTR_SIZE_MAX is E2BIG.
        byte[] setxattr = request(Fuse.FUSE_SETXATTR, unique++, 1, FuseRequests.u32(1 << 20, 0), name("user.a"));
        assertThat(call(setxattr).errno()).isEqualTo(Errno.E2BIG.code());
        // Bad lock type.
        assertThat(call(request(Fuse.FUSE_SETLK, unique++, 1, FuseRequests.lkIn(1, 1, 0, 10, 99, 0))).errno())
                .isEqualTo(Errno.EINVAL.code());
        // Unknown node ids (the example answers ESTALE).
        assertThat(call(request(Fuse.FUSE_GETATTR, unique++, 0x7777_0000_0042L, FuseRequests.getattrIn(0, 0))).errno())
                .isEqualTo(Errno.ESTALE.code());
    }

    @Test
    void lengthsThatDisagreeWithTheHeader() {
        init();
        byte[] req = request(Fuse.FUSE_GETATTR, 77, 1, FuseRequests.getattrIn(0, 0));
        // The header claims more than was delivered.
        ByteBuffer.wrap(req).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, req.length + 100);
        TestExchange.Reply r = call(req);
        assertThat(r.errno()).isEqualTo(Errno.EIO.code());
        assertThat(r.unique()).isEqualTo(77);
        // Shorter than a header: nothing to answer with, completed without a reply.
        TestExchange tiny = send(new byte[20], new int[0], 4096);
        assertThat(tiny.replyLength()).isZero();
        // A header length below the header's own size.
        byte[] low = request(Fuse.FUSE_GETATTR, 78, 1, FuseRequests.getattrIn(0, 0));
        ByteBuffer.wrap(low).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 12);
        assertThat(call(low).errno()).isEqualTo(Errno.EIO.code());
        // Extensions longer than the request.
        byte[] ext = request(Fuse.FUSE_GETATTR, 79, 1, FuseRequests.getattrIn(0, 0));
        ByteBuffer.wrap(ext).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(36, (short) 100);
        assertThat(call(ext).errno()).isEqualTo(Errno.EINVAL.code());
    }

    @Test
    void forgetsGetNoReplyEvenForUnknownNodes() {
        init();
        TestExchange f = send(request(Fuse.FUSE_FORGET, unique++, 0x1234_5678L, FuseRequests.forgetIn(3)), new int[0], 4096);
        assertThat(f.replyLength()).isZero();
        // BATCH_FORGET claiming more entries than it carries: the present ones are processed.
        byte[] batch = request(Fuse.FUSE_BATCH_FORGET, unique++, 0, FuseRequests.u32(1000, 0), FuseRequests.u64(99, 1, 98, 2));
        assertThat(send(batch, new int[] {40, 52}, 4096).replyLength()).isZero();
        TestExchange intr = send(request(Fuse.FUSE_INTERRUPT, unique++, 0, FuseRequests.u64(12345)), new int[0], 4096);
        assertThat(intr.replyLength()).isZero();
    }

    @Test
    void aReplyThatDoesNotFitBecomesAnErrorOrNothing() {
        init();
        // LOOKUP's 128-byte entry does not fit in 60 bytes: the header still does (EIO).
        call(request(Fuse.FUSE_MKDIR, unique++, 1, FuseRequests.mkdirIn(0755, 0), name("d")));
        TestExchange small = send(request(Fuse.FUSE_LOOKUP, 500, 1, name("d")), new int[0], 60, 20);
        assertThat(small.decode().errno()).isEqualTo(Errno.EIO.code());
        // Not even a header fits: completed with nothing written.
        TestExchange none = send(request(Fuse.FUSE_LOOKUP, 501, 1, name("d")), new int[0], 10);
        assertThat(none.replyLength()).isZero();
    }
}
