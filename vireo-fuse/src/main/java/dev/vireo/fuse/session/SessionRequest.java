package dev.vireo.fuse.session;

import dev.vireo.fuse.fs.Attr;
import dev.vireo.fuse.fs.DirectoryWriter;
import dev.vireo.fuse.fs.Entry;
import dev.vireo.fuse.fs.FileLock;
import dev.vireo.fuse.fs.Request;
import dev.vireo.fuse.proto.Opcode;
import dev.vireo.fuse.proto.ReplyEncoder;
import dev.vireo.mem.SgException;
import dev.vireo.mem.SgList;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Log;
import dev.vireo.fuse.transport.Exchange;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The {@link Request} implementation. A worker's instance is reused for each of its requests; a
 * detached request is a new instance bound to a detached exchange. The state moves once from
 * PENDING to DONE (answered), DETACHED (handed to a new instance) or RETRY (a non-blocking attempt
 * given back unanswered), by compare-and-set: a second answer is refused with an exception, never
 * sent.
 */
final class SessionRequest implements Request {

    private static final Log LOG = Log.of("fuse");
    private static final int PENDING = 0;
    private static final int DONE = 1;
    private static final int DETACHED = 2;
    private static final int RETRY = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SessionRequest.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Session session;
    private final ReplyEncoder encoder;
    private final DirWriter dir;
    private final Attr attr = new Attr();
    private final Entry entry = new Entry();
    private final SgList data = new SgList(8);
    private final int[] groups = new int[Dispatcher.MAX_GROUPS];
    private int groupCount;
    private Exchange exchange;
    private Opcode opcode;
    private long unique;
    private long nodeId;
    private int uid;
    private int gid;
    private int pid;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    private volatile boolean interrupted;
    private boolean interruptible;
    private boolean nonBlocking;
    private boolean directoryBegun;
    private boolean plus;
    private long dirSize;

    SessionRequest(Session session, ReplyEncoder encoder) {
        this.session = session;
        this.encoder = encoder;
        this.dir = new DirWriter(encoder);
    }

    /** Binds this object to a new request. */
    void begin(Exchange exchange, Opcode opcode, long unique, long nodeId, int uid, int gid, int pid, boolean nonBlocking) {
        this.exchange = exchange;
        this.nonBlocking = nonBlocking;
        this.opcode = opcode;
        this.unique = unique;
        this.nodeId = nodeId;
        this.uid = uid;
        this.gid = gid;
        this.pid = pid;
        this.groupCount = 0;
        this.interrupted = false;
        this.interruptible = false;
        this.directoryBegun = false;
        STATE.setVolatile(this, PENDING);
    }

    void addGroup(int group) {
        if (groupCount < groups.length) {
            groups[groupCount++] = group;
        }
    }

    /** Sets up a READDIR/READDIRPLUS reply of at most {@code size} bytes. */
    void prepareDirectory(boolean plus, long size) {
        this.plus = plus;
        this.dirSize = size;
        this.directoryBegun = false;
    }

    void markInterrupted() {
        interrupted = true;
    }

    /** Whether the request is still unanswered and attached. */
    boolean pending() {
        return (int) STATE.getVolatile(this) == PENDING;
    }

    /** Whether a non-blocking attempt gave the request back ({@link #retryBlocking}). */
    boolean givenBack() {
        return (int) STATE.getVolatile(this) == RETRY;
    }

    @Override
    public boolean nonBlocking() {
        return nonBlocking;
    }

    @Override
    public void retryBlocking() {
        if (!nonBlocking) {
            throw new IllegalStateException("request " + unique + " (" + opcode + ") is not a non-blocking attempt");
        }
        if (!STATE.compareAndSet(this, PENDING, RETRY)) {
            throw new IllegalStateException("request " + unique + " (" + opcode + ") already answered");
        }
        exchange = null;
    }

    /** Finishes a request that gets no reply (FORGET, INTERRUPT ...). */
    void noReply() {
        claim();
        complete(0);
    }

    @Override
    public Opcode opcode() {
        return opcode;
    }

    @Override
    public long unique() {
        return unique;
    }

    @Override
    public long nodeId() {
        return nodeId;
    }

    @Override
    public int uid() {
        return uid;
    }

    @Override
    public int gid() {
        return gid;
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public int supplementaryGroups(int[] out) {
        int n = Math.min(groupCount, out.length);
        System.arraycopy(groups, 0, out, 0, n);
        return n;
    }

    @Override
    public boolean interrupted() {
        return interrupted;
    }

    @Override
    public void onInterrupt(Runnable hook) {
        interruptible = true;
        session.interrupts().register(this, hook);
    }

    @Override
    public Request detach() {
        if (!STATE.compareAndSet(this, PENDING, DETACHED)) {
            throw new IllegalStateException("request " + unique + " (" + opcode + ") already answered or detached");
        }
        Exchange detached = exchange.detach(DETACHED_REPLY_MAX);
        // Cold path: a lock wait. The encoder's scratch memory is freed with the object; the kernel
        // does not keep it after the reply is written.
        SessionRequest r = new SessionRequest(session, new ReplyEncoder(Arena.ofAuto()));
        r.begin(detached, opcode, unique, nodeId, uid, gid, pid, false);
        System.arraycopy(groups, 0, r.groups, 0, groupCount);
        r.groupCount = groupCount;
        return r;
    }

    @Override
    public boolean replied() {
        return (int) STATE.getVolatile(this) != PENDING;
    }

    @Override
    public Attr attr() {
        return attr.clear();
    }

    @Override
    public Entry entry() {
        return entry.clear();
    }

    private void claim() {
        if (!STATE.compareAndSet(this, PENDING, DONE)) {
            throw new IllegalStateException("request " + unique + " (" + opcode + ") already answered or detached");
        }
    }

    private void complete(long length) {
        if (interruptible) {
            session.interrupts().unregister(unique);
        }
        Exchange ex = exchange;
        exchange = null;
        ex.complete(length);
    }

    private void send(long length) {
        complete(length);
    }

    /** The exchange's reply buffer, for replies the dispatcher encodes itself (INIT). */
    SgList replyBuffer() {
        return exchange.reply();
    }

    /** Answers with {@code length} bytes the dispatcher encoded into {@link #replyBuffer()}. */
    void sendEncoded(long length) {
        claim();
        complete(length);
    }

    @Override
    public void replyError(int errno) {
        claim();
        sendError(errno);
    }

    private void sendError(int errno) {
        if (errno <= 0 || errno > 4095) {
            LOG.warn("request %d (%s): errno %d out of range, answering EIO", unique, opcode, errno);
            errno = Errno.EIO.code();
        }
        long length;
        try {
            length = encoder.error(exchange.reply(), unique, errno);
        } catch (SgException e) {
            // Not even 16 bytes to write to: nothing can be answered.
            LOG.warn("request %d (%s): reply buffer of %d bytes cannot hold a reply header", unique, opcode,
                    exchange.reply().totalLength());
            length = 0;
        }
        complete(length);
    }

    /** Encodes a reply body; if it does not fit the reply buffers, answers EIO instead. */
    private interface Body {
        void write(ReplyEncoder e);
    }

    private void reply(Body body) {
        claim();
        long length;
        try {
            encoder.begin(exchange.reply(), unique);
            body.write(encoder);
            length = encoder.finish();
        } catch (SgException e) {
            LOG.warn("request %d (%s): reply does not fit %d bytes of reply buffer", unique, opcode,
                    exchange.reply().totalLength());
            sendError(Errno.EIO.code());
            return;
        }
        send(length);
    }

    @Override
    public void replyOk() {
        reply(e -> { });
    }

    @Override
    public void replyEntry(Entry entry) {
        claim();
        long length;
        try {
            encoder.begin(exchange.reply(), unique);
            encoder.entry(entry);
            length = encoder.finish();
        } catch (SgException e) {
            sendError(Errno.EIO.code());
            return;
        }
        send(length);
    }

    @Override
    public void replyAttr(Attr attr, long timeoutNanos) {
        claim();
        long length;
        try {
            encoder.begin(exchange.reply(), unique);
            encoder.attr(attr, timeoutNanos);
            length = encoder.finish();
        } catch (SgException e) {
            sendError(Errno.EIO.code());
            return;
        }
        send(length);
    }

    @Override
    public void replyOpen(long fh, int openFlags) {
        claim();
        long length;
        try {
            encoder.begin(exchange.reply(), unique);
            encoder.open(fh, openFlags);
            length = encoder.finish();
        } catch (SgException e) {
            sendError(Errno.EIO.code());
            return;
        }
        send(length);
    }

    @Override
    public void replyCreate(Entry entry, long fh, int openFlags) {
        claim();
        long length;
        try {
            encoder.begin(exchange.reply(), unique);
            encoder.entry(entry);
            encoder.open(fh, openFlags);
            length = encoder.finish();
        } catch (SgException e) {
            sendError(Errno.EIO.code());
            return;
        }
        send(length);
    }

    @Override
    public void replyWrite(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative count " + count);
        }
        claim();
        long length;
        try {
            encoder.begin(exchange.reply(), unique);
            if (opcode == Opcode.COPY_FILE_RANGE_64) {
                encoder.u64(count);
            } else {
                // fuse_write_out.size is 32 bits; the kernel never asks for more (max_write, and
                // COPY_FILE_RANGE lengths capped below 4 GiB).
                encoder.written((int) Math.min(count, 0xFFFF_F000L));
            }
            length = encoder.finish();
        } catch (SgException e) {
            sendError(Errno.EIO.code());
            return;
        }
        send(length);
    }

    @Override
    public void replyStatfs(long blocks, long bfree, long bavail, long files, long ffree, int bsize, int namelen, int frsize) {
        reply(e -> e.statfs(blocks, bfree, bavail, files, ffree, bsize, namelen, frsize));
    }

    @Override
    public void replyReadlink(MemorySegment target) {
        reply(e -> e.bytes(target));
    }

    @Override
    public void replyXattrSize(long size) {
        reply(e -> e.xattrSize((int) Math.min(size, Integer.MAX_VALUE)));
    }

    @Override
    public void replyLock(FileLock lock) {
        reply(e -> e.lock(lock));
    }

    @Override
    public void replyLseek(long offset) {
        reply(e -> e.lseek(offset));
    }

    @Override
    public SgList dataBuffer(long max) {
        if (!pending()) {
            throw new IllegalStateException("request " + unique + " already answered");
        }
        data.clear();
        encoder.begin(exchange.reply(), unique);
        encoder.slice(Math.max(0, max), data);
        return data;
    }

    @Override
    public boolean replyFileData(int fd, long offset, int size) {
        if (size < 0 || !exchange.canTakeFileData(size)) {
            return false;
        }
        claim();
        try {
            exchange.completeWithFile(encoder.successHeader(unique), fd, offset, size);
        } catch (dev.vireo.sys.SysException e) {
            sendError(e.errno());
            return true;
        }
        if (interruptible) {
            session.interrupts().unregister(unique);
        }
        exchange = null;
        return true;
    }

    @Override
    public void replyData(long length) {
        if (length < 0 || length > data.totalLength()) {
            throw new IllegalArgumentException("data length " + length + " outside the " + data.totalLength() + " byte buffer");
        }
        claim();
        long total = encoder.finishSliced(length);
        send(total);
    }

    @Override
    public void replyData(MemorySegment bytes) {
        reply(e -> e.bytes(bytes));
    }

    @Override
    public DirectoryWriter directory() {
        if (!directoryBegun) {
            if (opcode != Opcode.READDIR && opcode != Opcode.READDIRPLUS) {
                throw new IllegalStateException("directory() on " + opcode);
            }
            encoder.begin(exchange.reply(), unique);
            dir.begin(plus, dirSize);
            directoryBegun = true;
        }
        return dir;
    }

    @Override
    public void replyDirectory() {
        directory();
        claim();
        send(encoder.finish());
    }
}
