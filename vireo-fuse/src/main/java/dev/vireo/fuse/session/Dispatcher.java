package dev.vireo.fuse.session;

import dev.vireo.fuse.fs.Connection;
import dev.vireo.fuse.fs.DeviceNumber;
import dev.vireo.fuse.fs.FileLock;
import dev.vireo.fuse.fs.LowLevelFileSystem;
import dev.vireo.fuse.fs.Name;
import dev.vireo.fuse.fs.SetAttr;
import dev.vireo.fuse.proto.Opcode;
import dev.vireo.fuse.proto.ProtocolException;
import dev.vireo.fuse.proto.ProtocolVersion;
import dev.vireo.fuse.proto.ReplyEncoder;
import dev.vireo.fuse.proto.RequestReader;
import dev.vireo.fuse.transport.Exchange;
import dev.vireo.mem.SgException;
import dev.vireo.mem.SgList;
import dev.vireo.sys.Errno;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseAccessIn;
import dev.vireo.sys.abi.fuse.FuseBatchForgetIn;
import dev.vireo.sys.abi.fuse.FuseCopyFileRangeIn;
import dev.vireo.sys.abi.fuse.FuseCreateIn;
import dev.vireo.sys.abi.fuse.FuseExtHeader;
import dev.vireo.sys.abi.fuse.FuseFallocateIn;
import dev.vireo.sys.abi.fuse.FuseFileLock;
import dev.vireo.sys.abi.fuse.FuseFlushIn;
import dev.vireo.sys.abi.fuse.FuseForgetIn;
import dev.vireo.sys.abi.fuse.FuseFsyncIn;
import dev.vireo.sys.abi.fuse.FuseGetattrIn;
import dev.vireo.sys.abi.fuse.FuseGetxattrIn;
import dev.vireo.sys.abi.fuse.FuseInHeader;
import dev.vireo.sys.abi.fuse.FuseInitIn;
import dev.vireo.sys.abi.fuse.FuseInitOut;
import dev.vireo.sys.abi.fuse.FuseInterruptIn;
import dev.vireo.sys.abi.fuse.FuseLinkIn;
import dev.vireo.sys.abi.fuse.FuseLkIn;
import dev.vireo.sys.abi.fuse.FuseLseekIn;
import dev.vireo.sys.abi.fuse.FuseMkdirIn;
import dev.vireo.sys.abi.fuse.FuseMknodIn;
import dev.vireo.sys.abi.fuse.FuseOpenIn;
import dev.vireo.sys.abi.fuse.FuseReadIn;
import dev.vireo.sys.abi.fuse.FuseReleaseIn;
import dev.vireo.sys.abi.fuse.FuseRename2In;
import dev.vireo.sys.abi.fuse.FuseRenameIn;
import dev.vireo.sys.abi.fuse.FuseSetattrIn;
import dev.vireo.sys.abi.fuse.FuseSetxattrIn;
import dev.vireo.sys.abi.fuse.FuseWriteIn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Decodes requests and calls the file system: one dispatcher per thread (it owns scratch buffers
 * and a reusable {@link SessionRequest}), any number per {@link Session}. Transports call
 * {@link #dispatch} with each request; the reply reaches the transport through
 * {@link Exchange#complete}, exactly once.
 *
 * <h2>Validation</h2>
 * Before the file system sees a request: the header must be complete and its {@code len} must lie
 * within the bytes the transport delivered (else EIO); extensions ({@code total_extlen}) must fit
 * (else EINVAL); each opcode's fixed arguments must be present (EINVAL); names must be
 * NUL-terminated within the arguments, non-empty and free of '/' (EINVAL), at most NAME_MAX bytes
 * (ENAMETOOLONG); WRITE's size must equal the data that follows and stay within max_write (EINVAL);
 * sizes of READ, xattr values and lists are bounded. Unknown opcodes get ENOSYS, anything before
 * INIT gets EIO. A request too short to carry a header cannot be answered (its unique id is
 * unknown): the exchange completes with no reply.
 */
public final class Dispatcher {

    private static final Log LOG = Log.of("fuse");
    /** One line per request served, with its time: {@code -Dvireo.debug=requests}. */
    private static final Log TRACE = Log.of("requests");

    /** XATTR_SIZE_MAX and XATTR_LIST_MAX of Linux: the largest xattr value and name list. */
    public static final int XATTR_MAX = 65536;
    /** PATH_MAX: the largest symbolic link target, with its NUL. */
    public static final int PATH_MAX = 4096;
    /** Supplementary groups kept from a FUSE_EXT_GROUPS extension (the kernel sends one). */
    static final int MAX_GROUPS = 8;

    private final Session session;
    private final LowLevelFileSystem fs;
    private final RequestReader reader = new RequestReader();
    private final RequestReader extReader = new RequestReader();
    private final ReplyEncoder encoder;
    private final SessionRequest req;
    private final MemorySegment header;
    private final MemorySegment[] args = new MemorySegment[16];
    private final MemorySegment extHeader;
    private final MemorySegment nameBuf1;
    private final MemorySegment nameBuf2;
    private final MemorySegment targetBuf;
    private final MemorySegment xattrValue;
    private final Name name1 = new Name();
    private final Name name2 = new Name();
    private final SetAttr setAttr = new SetAttr();
    private final SgList payload = new SgList(4);

    Dispatcher(Session session, Arena arena) {
        this.session = session;
        this.fs = session.fileSystem();
        this.encoder = new ReplyEncoder(arena);
        this.req = new SessionRequest(session, encoder);
        this.header = arena.allocate(FuseInHeader.SIZE, 8);
        MemorySegment a = arena.allocate(128, 8);
        for (int i = 1; i < args.length; i++) {
            args[i] = a.asSlice(0, i * 8L);
        }
        this.extHeader = arena.allocate(FuseExtHeader.SIZE, 8);
        this.nameBuf1 = arena.allocate(RequestReader.NAME_MAX + 1);
        this.nameBuf2 = arena.allocate(RequestReader.NAME_MAX + 1);
        this.targetBuf = arena.allocate(PATH_MAX);
        this.xattrValue = arena.allocate(XATTR_MAX, 8);
    }

    /** A scratch view of exactly {@code size} bytes (a multiple of 8, at most 120) for a copied argument struct. */
    private MemorySegment args(long size) {
        return args[(int) (size / 8)];
    }

    /** Copies the fixed argument struct of {@code size} bytes; EINVAL if the request is shorter. */
    private MemorySegment in(long size) {
        MemorySegment s = args(size);
        reader.copy(s);
        return s;
    }

    private Name name(Name view, MemorySegment buf) {
        return view.set(buf, reader.name(buf));
    }

    /** Handles one request completely; the reply (if any) reaches {@link Exchange#complete} exactly once. */
    public void dispatch(Exchange exchange) {
        serve(exchange, false);
    }

    /**
     * Handles the request only if the file system can answer it without blocking
     * ({@link LowLevelFileSystem#servesNonBlocking}, {@link dev.vireo.fuse.fs.Request#nonBlocking}):
     * for the thread of a transport that must not block. Returns true when the request was handled
     * (the reply, if any, reached {@link Exchange#complete}), false when nothing was answered: the
     * caller then {@link #dispatch dispatches} the exchange on a thread that may block, which
     * decodes and validates it again from the start.
     */
    public boolean tryDispatchNonBlocking(Exchange exchange) {
        return serve(exchange, true);
    }

    private boolean serve(Exchange exchange, boolean nonBlocking) {
        long start = TRACE.on() ? System.nanoTime() : 0;
        SgList in = exchange.request();
        long available = in.totalLength();
        if (available < FuseInHeader.SIZE) {
            if (nonBlocking) {
                return false;
            }
            LOG.warn("request of %d bytes is shorter than a FUSE header: dropped", available);
            exchange.complete(0);
            return true;
        }
        reader.reset(in, available);
        reader.copy(header);
        long len = Integer.toUnsignedLong(FuseInHeader.len(header));
        int code = FuseInHeader.opcode(header);
        long unique = FuseInHeader.unique(header);
        Opcode op = Opcode.of(code);
        if (nonBlocking && (op == null || session.negotiated() == null || !fs.servesNonBlocking(op))) {
            return false;
        }
        req.begin(exchange, op, unique, FuseInHeader.nodeid(header), FuseInHeader.uid(header),
                FuseInHeader.gid(header), FuseInHeader.pid(header), nonBlocking);
        try {
            if (len < FuseInHeader.SIZE || len > available) {
                LOG.warn("request %d: header length %d but %d bytes delivered", unique, len, available);
                throw ProtocolException.EIO;
            }
            reader.limit(len);
            int extBytes = FuseInHeader.totalExtlen(header) * 8;
            if (extBytes > 0) {
                extensions(in, len, extBytes);
            }
            if (op == null) {
                req.replyError(Errno.ENOSYS.code());
            } else if (op == Opcode.INIT) {
                init();
            } else if (session.negotiated() == null) {
                req.replyError(Errno.EIO.code());
            } else {
                handle(op);
            }
        } catch (ProtocolException e) {
            answer(e.errno(), op);
        } catch (SysException e) {
            LOG.debug("request %d (%s): %s", unique, op, e.getMessage());
            answer(e.errno(), op);
        } catch (SgException e) {
            answer(Errno.EIO.code(), op);
        } catch (IllegalStateException e) {
            // A file system answered twice or used a request after answering: a bug, not the client's.
            LOG.warn("request %d (%s): %s", unique, op, e.getMessage());
            answer(Errno.EIO.code(), op);
        } catch (RuntimeException e) {
            LOG.warn("request %d (%s) failed: %s", unique, op, e);
            answer(Errno.EIO.code(), op);
        }
        if (req.givenBack()) {
            return false;
        }
        if (req.pending()) {
            if (op == null || op.replies()) {
                LOG.warn("request %d (%s): file system returned without replying; answering EIO", unique, op);
                req.replyError(Errno.EIO.code());
            } else {
                req.noReply();
            }
        }
        if (TRACE.on()) {
            TRACE.debug("request %d (%s, node %d) served in %d us", unique, op, FuseInHeader.nodeid(header),
                    (System.nanoTime() - start) / 1000);
        }
        return true;
    }

    /** Answers a failed request, unless it already was (or gets no reply). */
    private void answer(int errno, Opcode op) {
        if (!req.pending()) {
            return;
        }
        if (op == null || op.replies()) {
            req.replyError(errno);
        } else {
            req.noReply();
        }
    }

    /** Reads the extensions at the tail of the request (fuse.h 7.38) and excludes them from the arguments. */
    private void extensions(SgList in, long len, int extBytes) {
        if (extBytes > len - FuseInHeader.SIZE) {
            throw ProtocolException.EINVAL;
        }
        long start = len - extBytes;
        extReader.reset(in, len);
        extReader.skip(start);
        while (extReader.remaining() > 0) {
            extReader.copy(extHeader);
            long size = Integer.toUnsignedLong(FuseExtHeader.size(extHeader));
            if (size < FuseExtHeader.SIZE || size % 8 != 0 || size - FuseExtHeader.SIZE > extReader.remaining()) {
                throw ProtocolException.EINVAL;
            }
            long body = size - FuseExtHeader.SIZE;
            if (FuseExtHeader.type(extHeader) == Fuse.FUSE_EXT_GROUPS && body >= 4) {
                // struct fuse_supp_groups { u32 nr_groups; u32 groups[]; }
                long nr = Integer.toUnsignedLong(extReader.u32());
                long fit = Math.min(nr, (body - 4) / 4);
                for (long i = 0; i < fit; i++) {
                    req.addGroup(extReader.u32());
                }
                extReader.skip(body - 4 - fit * 4);
            } else {
                extReader.skip(body);
            }
        }
        reader.limit(start);
    }

    private void init() {
        MemorySegment in = args(FuseInitIn.SIZE);
        // Kernels before 7.36 send only major, minor, max_readahead, flags (16 bytes).
        reader.copyPrefix(in, Math.min(FuseInitIn.SIZE, reader.remaining()));
        if (reader.position() < FuseInHeader.SIZE + 16) {
            throw ProtocolException.EINVAL;
        }
        if (session.negotiated() != null) {
            LOG.warn("second INIT ignored");
            req.replyError(Errno.EIO.code());
            return;
        }
        int major = FuseInitIn.major(in);
        int minor = FuseInitIn.minor(in);
        long offered = Integer.toUnsignedLong(FuseInitIn.flags(in));
        if ((offered & Fuse.FUSE_INIT_EXT) != 0) {
            offered |= Integer.toUnsignedLong(FuseInitIn.flags2(in)) << 32;
        }
        SessionConfig config = session.config();
        MemorySegment out = encoder.initOut();
        if (major > ProtocolVersion.MAJOR) {
            // fuse.h: answer with our major; the kernel sends INIT again with it.
            FuseInitOut.major(out, ProtocolVersion.MAJOR);
            FuseInitOut.minor(out, ProtocolVersion.CEILING.minor());
            initReply(FuseInitOut.SIZE);
            return;
        }
        ProtocolVersion kernel = new ProtocolVersion(major, minor);
        if (kernel.compareTo(ProtocolVersion.FLOOR) < 0) {
            session.refused("kernel protocol " + kernel + " is older than vireo's minimum " + ProtocolVersion.FLOOR);
            req.replyError(Errno.EPROTO.code());
            return;
        }
        ProtocolVersion version = kernel.compareTo(ProtocolVersion.CEILING) > 0 ? ProtocolVersion.CEILING : kernel;
        Connection conn = new Connection(version, offered, config.maxWrite(), FuseInitIn.maxReadahead(in));
        conn.want(Fuse.FUSE_ASYNC_READ);
        conn.want(Fuse.FUSE_BIG_WRITES);
        conn.want(Fuse.FUSE_ABORT_ERROR);
        conn.maxBackground(config.maxBackground());
        conn.congestionThreshold(config.congestionThreshold());
        fs.init(conn);
        long granted = conn.wanted();
        boolean maxPages = conn.want(Fuse.FUSE_MAX_PAGES);
        if (maxPages) {
            granted |= Fuse.FUSE_MAX_PAGES;
        }
        if ((granted >>> 32) != 0) {
            granted |= Fuse.FUSE_INIT_EXT;
        }
        granted &= offered;
        FuseInitOut.major(out, ProtocolVersion.MAJOR);
        FuseInitOut.minor(out, version.minor());
        FuseInitOut.maxReadahead(out, conn.maxReadahead());
        FuseInitOut.flags(out, (int) granted);
        FuseInitOut.flags2(out, (int) (granted >>> 32));
        FuseInitOut.maxBackground(out, conn.maxBackground());
        FuseInitOut.congestionThreshold(out, conn.congestionThreshold());
        FuseInitOut.maxWrite(out, conn.maxWrite());
        FuseInitOut.timeGran(out, conn.timeGranNanos());
        if (maxPages) {
            FuseInitOut.maxPages(out, (conn.maxWrite() + 4095) / 4096);
        }
        Negotiated n = new Negotiated(version, offered, granted, conn.maxWrite(), conn.maxReadahead(),
                conn.maxBackground(), conn.congestionThreshold());
        // Published before the reply: once the kernel has it, it sends the next requests at once,
        // and another thread may take them before this one returns (virtio-fs's worker pool,
        // several /dev/fuse threads); they must find the session initialized, not answer EIO.
        session.initialized(n);
        // Every reply size vireo writes is the 7.23+ one; fuse_init_out is 64 bytes since 7.23.
        initReply(FuseInitOut.SIZE);
    }

    private void initReply(long size) {
        SgList reply = req.replyBuffer();
        encoder.begin(reply, req.unique());
        encoder.init(size);
        req.sendEncoded(encoder.finish());
    }

    private void handle(Opcode op) {
        long node = req.nodeId();
        switch (op) {
            case LOOKUP -> fs.lookup(req, node, name(name1, nameBuf1));
            case FORGET -> {
                long n = FuseForgetIn.nlookup(in(FuseForgetIn.SIZE));
                req.noReply();
                fs.forget(node, n);
            }
            case BATCH_FORGET -> batchForget();
            case GETATTR -> {
                MemorySegment a = in(FuseGetattrIn.SIZE);
                boolean withFh = (FuseGetattrIn.getattrFlags(a) & Fuse.FUSE_GETATTR_FH) != 0;
                fs.getattr(req, node, withFh ? FuseGetattrIn.fh(a) : -1);
            }
            case SETATTR -> fs.setattr(req, node, setAttr.set(in(FuseSetattrIn.SIZE)));
            case READLINK -> fs.readlink(req, node);
            case SYMLINK -> {
                Name n = name(name1, nameBuf1);
                int targetLength = reader.string(targetBuf);
                if (targetLength == 0) {
                    throw ProtocolException.EINVAL;
                }
                fs.symlink(req, name2.set(targetBuf, targetLength), node, n);
            }
            case MKNOD -> {
                MemorySegment a = in(FuseMknodIn.SIZE);
                int mode = FuseMknodIn.mode(a);
                long rdev = DeviceNumber.fromWire(FuseMknodIn.rdev(a));
                int umask = FuseMknodIn.umask(a);
                fs.mknod(req, node, name(name1, nameBuf1), mode, rdev, umask);
            }
            case MKDIR -> {
                MemorySegment a = in(FuseMkdirIn.SIZE);
                int mode = FuseMkdirIn.mode(a);
                int umask = FuseMkdirIn.umask(a);
                fs.mkdir(req, node, name(name1, nameBuf1), mode, umask);
            }
            case UNLINK -> fs.unlink(req, node, name(name1, nameBuf1));
            case RMDIR -> fs.rmdir(req, node, name(name1, nameBuf1));
            case RENAME -> {
                long newDir = FuseRenameIn.newdir(in(FuseRenameIn.SIZE));
                fs.rename(req, node, name(name1, nameBuf1), newDir, name(name2, nameBuf2), 0);
            }
            case RENAME2 -> {
                MemorySegment a = in(FuseRename2In.SIZE);
                long newDir = FuseRename2In.newdir(a);
                int flags = FuseRename2In.flags(a);
                fs.rename(req, node, name(name1, nameBuf1), newDir, name(name2, nameBuf2), flags);
            }
            case LINK -> {
                long old = FuseLinkIn.oldnodeid(in(FuseLinkIn.SIZE));
                fs.link(req, old, node, name(name1, nameBuf1));
            }
            case OPEN -> fs.open(req, node, FuseOpenIn.flags(in(FuseOpenIn.SIZE)));
            case OPENDIR -> fs.opendir(req, node, FuseOpenIn.flags(in(FuseOpenIn.SIZE)));
            case READ -> {
                MemorySegment a = in(FuseReadIn.SIZE);
                int size = FuseReadIn.size(a);
                if (size < 0 || size > session.negotiated().maxWrite()) {
                    throw ProtocolException.EINVAL;
                }
                fs.read(req, node, FuseReadIn.fh(a), FuseReadIn.offset(a), size, FuseReadIn.flags(a));
            }
            case WRITE -> write();
            case STATFS -> fs.statfs(req, node);
            case RELEASE -> {
                MemorySegment a = in(FuseReleaseIn.SIZE);
                fs.release(req, node, FuseReleaseIn.fh(a), FuseReleaseIn.flags(a), FuseReleaseIn.releaseFlags(a),
                        FuseReleaseIn.lockOwner(a));
            }
            case RELEASEDIR -> {
                MemorySegment a = in(FuseReleaseIn.SIZE);
                fs.releasedir(req, node, FuseReleaseIn.fh(a), FuseReleaseIn.flags(a));
            }
            case FSYNC -> {
                MemorySegment a = in(FuseFsyncIn.SIZE);
                fs.fsync(req, node, FuseFsyncIn.fh(a), (FuseFsyncIn.fsyncFlags(a) & Fuse.FUSE_FSYNC_FDATASYNC) != 0);
            }
            case FSYNCDIR -> {
                MemorySegment a = in(FuseFsyncIn.SIZE);
                fs.fsyncdir(req, node, FuseFsyncIn.fh(a), (FuseFsyncIn.fsyncFlags(a) & Fuse.FUSE_FSYNC_FDATASYNC) != 0);
            }
            case FLUSH -> {
                MemorySegment a = in(FuseFlushIn.SIZE);
                fs.flush(req, node, FuseFlushIn.fh(a), FuseFlushIn.lockOwner(a));
            }
            case SETXATTR -> setxattr();
            case GETXATTR -> {
                int size = FuseGetxattrIn.size(in(FuseGetxattrIn.SIZE));
                Name n = name2.set(nameBuf2, xattrName());
                fs.getxattr(req, node, n, clampXattr(size));
            }
            case LISTXATTR -> fs.listxattr(req, node, clampXattr(FuseGetxattrIn.size(in(FuseGetxattrIn.SIZE))));
            case REMOVEXATTR -> fs.removexattr(req, node, name2.set(nameBuf2, xattrName()));
            case READDIR, READDIRPLUS -> {
                MemorySegment a = in(FuseReadIn.SIZE);
                int size = FuseReadIn.size(a);
                if (size < 0 || size > session.negotiated().maxWrite()) {
                    throw ProtocolException.EINVAL;
                }
                boolean plus = op == Opcode.READDIRPLUS;
                req.prepareDirectory(plus, size);
                fs.readdir(req, node, FuseReadIn.fh(a), FuseReadIn.offset(a), size, plus);
            }
            case GETLK, SETLK, SETLKW -> lock(op);
            case ACCESS -> fs.access(req, node, FuseAccessIn.mask(in(FuseAccessIn.SIZE)));
            case CREATE -> {
                MemorySegment a = in(FuseCreateIn.SIZE);
                int flags = FuseCreateIn.flags(a);
                int mode = FuseCreateIn.mode(a);
                int umask = FuseCreateIn.umask(a);
                fs.create(req, node, name(name1, nameBuf1), mode, umask, flags);
            }
            case TMPFILE -> {
                // The kernel appends the dentry's name ("/"), which has no meaning here.
                MemorySegment a = in(FuseCreateIn.SIZE);
                fs.tmpfile(req, node, FuseCreateIn.mode(a), FuseCreateIn.umask(a), FuseCreateIn.flags(a));
            }
            case INTERRUPT -> {
                long target = FuseInterruptIn.unique(in(FuseInterruptIn.SIZE));
                req.noReply();
                session.interrupts().interrupt(target);
            }
            case DESTROY -> {
                session.destroy();
                req.replyOk();
            }
            case FALLOCATE -> {
                MemorySegment a = in(FuseFallocateIn.SIZE);
                fs.fallocate(req, node, FuseFallocateIn.fh(a), FuseFallocateIn.mode(a), FuseFallocateIn.offset(a),
                        FuseFallocateIn.length(a));
            }
            case LSEEK -> {
                MemorySegment a = in(FuseLseekIn.SIZE);
                fs.lseek(req, node, FuseLseekIn.fh(a), FuseLseekIn.offset(a), FuseLseekIn.whence(a));
            }
            case COPY_FILE_RANGE, COPY_FILE_RANGE_64 -> {
                MemorySegment a = in(FuseCopyFileRangeIn.SIZE);
                long flags = FuseCopyFileRangeIn.flags(a);
                if (flags != 0 && flags != (int) flags) {
                    throw ProtocolException.EINVAL;
                }
                fs.copyFileRange(req, node, FuseCopyFileRangeIn.fhIn(a), FuseCopyFileRangeIn.offIn(a),
                        FuseCopyFileRangeIn.nodeidOut(a), FuseCopyFileRangeIn.fhOut(a), FuseCopyFileRangeIn.offOut(a),
                        FuseCopyFileRangeIn.len(a), (int) flags);
            }
            case SYNCFS -> fs.syncfs(req, node);
            case NOTIFY_REPLY -> req.noReply();
            default -> req.replyError(Errno.ENOSYS.code());
        }
    }

    private void batchForget() {
        long count = Integer.toUnsignedLong(FuseBatchForgetIn.count(in(FuseBatchForgetIn.SIZE)));
        req.noReply();
        // Process the entries actually present: a count beyond them is a malformed request, and
        // what it claims cannot be forgotten anyway.
        long present = Math.min(count, reader.remaining() / 16);
        for (long i = 0; i < present; i++) {
            long node = reader.u64();
            long nlookup = reader.u64();
            fs.forget(node, nlookup);
        }
        if (present < count) {
            LOG.warn("BATCH_FORGET of %d entries carries only %d", count, present);
        }
    }

    private void write() {
        MemorySegment a = in(FuseWriteIn.SIZE);
        long size = Integer.toUnsignedLong(FuseWriteIn.size(a));
        if (size != reader.remaining() || size > session.negotiated().maxWrite()) {
            throw ProtocolException.EINVAL;
        }
        payload.clear();
        reader.payload(size, payload);
        fs.write(req, req.nodeId(), FuseWriteIn.fh(a), FuseWriteIn.offset(a), payload, FuseWriteIn.writeFlags(a),
                FuseWriteIn.flags(a));
    }

    private int xattrName() {
        int n = reader.string(nameBuf2);
        if (n == 0) {
            throw ProtocolException.EINVAL;
        }
        return n;
    }

    private static int clampXattr(int size) {
        // The kernel never asks beyond XATTR_SIZE_MAX / XATTR_LIST_MAX; a larger size is treated as that.
        return size < 0 || size > XATTR_MAX ? XATTR_MAX : size;
    }

    private void setxattr() {
        boolean ext = session.negotiated().setxattrExt();
        // fuse.h: the kernel sends FUSE_COMPAT_SETXATTR_IN_SIZE (8) bytes unless SETXATTR_EXT was granted.
        MemorySegment a = args(FuseSetxattrIn.SIZE);
        reader.copyPrefix(a, ext ? FuseSetxattrIn.SIZE : Fuse.FUSE_COMPAT_SETXATTR_IN_SIZE);
        long size = Integer.toUnsignedLong(FuseSetxattrIn.size(a));
        int flags = FuseSetxattrIn.flags(a);
        int setxattrFlags = ext ? FuseSetxattrIn.setxattrFlags(a) : 0;
        Name n = name2.set(nameBuf2, xattrName());
        if (size > XATTR_MAX) {
            throw ProtocolException.E2BIG;
        }
        if (size != reader.remaining()) {
            throw ProtocolException.EINVAL;
        }
        MemorySegment value = xattrValue.asSlice(0, size);
        reader.copy(value);
        fs.setxattr(req, req.nodeId(), n, value, flags, setxattrFlags);
    }

    private void lock(Opcode op) {
        MemorySegment a = in(FuseLkIn.SIZE);
        if ((FuseLkIn.lkFlags(a) & Fuse.FUSE_LK_FLOCK) != 0) {
            // BSD flock locks: vireo never asks for FUSE_FLOCK_LOCKS, so the kernel keeps them itself.
            req.replyError(Errno.ENOSYS.code());
            return;
        }
        MemorySegment lk = a.asSlice(FuseLkIn.LK, FuseFileLock.SIZE);
        int type = FuseFileLock.type(lk);
        long start = FuseFileLock.start(lk);
        long end = FuseFileLock.end(lk);
        if (type != FdCalls.F_RDLCK && type != FdCalls.F_WRLCK && type != FdCalls.F_UNLCK || start < 0 || end < start) {
            throw ProtocolException.EINVAL;
        }
        FileLock lock = new FileLock(start, end, type, FuseFileLock.pid(lk));
        long fh = FuseLkIn.fh(a);
        long owner = FuseLkIn.owner(a);
        if (op == Opcode.GETLK) {
            fs.getlk(req, req.nodeId(), fh, owner, lock);
        } else {
            fs.setlk(req, req.nodeId(), fh, owner, lock, op == Opcode.SETLKW);
        }
    }
}
