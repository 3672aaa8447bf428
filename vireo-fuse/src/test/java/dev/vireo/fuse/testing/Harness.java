package dev.vireo.fuse.testing;

import dev.vireo.fuse.fs.LowLevelFileSystem;
import dev.vireo.fuse.session.Dispatcher;
import dev.vireo.fuse.session.Session;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.sys.abi.fuse.Fuse;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;

import static dev.vireo.fuse.testing.FuseRequests.request;

/**
 * A session driven directly, without a kernel: each call builds a request, dispatches it with its
 * header and arguments in separate entries, checks the exactly-once oracle, and decodes the reply.
 */
public final class Harness implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final Session session;
    private final Dispatcher dispatcher;
    private long unique = 1;

    public Harness(LowLevelFileSystem fs) {
        this.session = new Session(fs, SessionConfig.defaults());
        this.dispatcher = session.newDispatcher();
        TestExchange.Reply r = call(FuseRequests.init(unique++));
        if (r.errno() != 0) {
            throw new IllegalStateException("INIT failed: " + r.errno());
        }
    }

    public Session session() {
        return session;
    }

    /** Sends a request (header and arguments in separate entries); returns the decoded reply. */
    public TestExchange.Reply call(byte[] req) {
        TestExchange ex = exchange(req);
        dispatcher.dispatch(ex);
        if (ex.completions() != 1) {
            throw new AssertionError("request completed " + ex.completions() + " times");
        }
        return ex.decode();
    }

    /** An exchange for {@code req}, not yet dispatched. */
    public TestExchange exchange(byte[] req) {
        return new TestExchange(arena, req, new int[] {40}, (1 << 20) + 4096);
    }

    /** Dispatches an exchange made with {@link #exchange}. */
    public void dispatch(TestExchange ex) {
        dispatcher.dispatch(ex);
    }

    public long next() {
        return unique++;
    }

    /**
     * Tries {@code req} as a non-blocking attempt ({@link Dispatcher#tryDispatchNonBlocking}):
     * the decoded reply, or null when the file system gave it back, in which case nothing may have
     * been answered.
     */
    public TestExchange.Reply tryNonBlocking(byte[] req) {
        TestExchange ex = exchange(req);
        boolean answered = dispatcher.tryDispatchNonBlocking(ex);
        if (ex.completions() != (answered ? 1 : 0)) {
            throw new AssertionError("non-blocking attempt " + (answered ? "answered" : "given back")
                    + " but completed " + ex.completions() + " times");
        }
        return answered ? ex.decode() : null;
    }

    /** As {@link #tryNonBlocking(byte[])}: {@code opcode} about {@code node} with {@code parts}. */
    public TestExchange.Reply tryNonBlocking(int opcode, long node, byte[]... parts) {
        return tryNonBlocking(request(opcode, unique++, node, parts));
    }

    /** Sends {@code opcode} about {@code node} with {@code parts}. */
    public TestExchange.Reply op(int opcode, long node, byte[]... parts) {
        return call(request(opcode, unique++, node, parts));
    }

    /** LOOKUP of {@code name} in {@code parent}, which must find it: the node id. */
    public long lookup(long parent, String name) {
        TestExchange.Reply r = op(Fuse.FUSE_LOOKUP, parent, FuseRequests.name(name));
        if (r.errno() != 0 || nodeId(r) == 0) {
            throw new AssertionError("LOOKUP " + name + " in " + parent + ": errno " + r.errno() + ", node " + nodeId(r));
        }
        return nodeId(r);
    }

    /** Gives back {@code n} lookups of {@code node} (FORGET; nothing is sent for 0). */
    /** One entry of a READDIRPLUS reply: its name and its fuse_entry_out (node id 0 for "." and ".."), little-endian. */
    public record PlusEntry(String name, ByteBuffer entryOut) {
        public long nodeId() {
            return entryOut.getLong(0);
        }
    }

    /** The entries of one READDIRPLUS of a small directory (opened and released around it), in order. */
    public java.util.List<PlusEntry> readdirplus(long dirNode) {
        long fh = op(Fuse.FUSE_OPENDIR, dirNode, FuseRequests.openIn(0)).body().getLong(0);
        TestExchange.Reply r = op(Fuse.FUSE_READDIRPLUS, dirNode, FuseRequests.readIn(fh, 0, 65536));
        if (r.errno() != 0) {
            throw new AssertionError("READDIRPLUS failed: " + r.errno());
        }
        op(Fuse.FUSE_RELEASEDIR, dirNode, FuseRequests.releaseIn(fh, 0));
        java.util.List<PlusEntry> out = new java.util.ArrayList<>();
        ByteBuffer b = r.body().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int entrySize = (int) dev.vireo.sys.abi.fuse.FuseEntryOut.SIZE;
        int at = 0;
        while (at < b.limit()) {
            int d = at + entrySize; // fuse_entry_out, then fuse_dirent (ino, off, namelen, type, name)
            int len = b.getInt(d + 16);
            byte[] n = new byte[len];
            b.get(d + 24, n);
            out.add(new PlusEntry(new String(n, java.nio.charset.StandardCharsets.UTF_8),
                    b.slice(at, entrySize).order(java.nio.ByteOrder.LITTLE_ENDIAN)));
            at = d + 24 + len + 7 & ~7;
        }
        return out;
    }

    public void forget(long node, long n) {
        if (n > 0) {
            call(request(Fuse.FUSE_FORGET, unique++, node, FuseRequests.forgetIn(n)));
        }
    }

    /** The node id of an entry reply (fuse_entry_out.nodeid). */
    public static long nodeId(TestExchange.Reply r) {
        return r.body().getLong(0);
    }

    /** The mode of an entry reply (fuse_entry_out.attr.mode). */
    public static int entryMode(TestExchange.Reply r) {
        return r.body().getInt(40 + 60);
    }

    /** A body as a ByteBuffer positioned at 0. */
    public static ByteBuffer body(TestExchange.Reply r) {
        return r.body();
    }

    @Override
    public void close() {
        session.close();
        arena.close();
    }
}
