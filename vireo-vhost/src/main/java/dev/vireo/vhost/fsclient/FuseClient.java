package dev.vireo.vhost.fsclient;

import dev.vireo.sys.Errno;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseAttr;
import dev.vireo.sys.abi.fuse.FuseAttrOut;
import dev.vireo.sys.abi.fuse.FuseCreateIn;
import dev.vireo.sys.abi.fuse.FuseEntryOut;
import dev.vireo.sys.abi.fuse.FuseFlushIn;
import dev.vireo.sys.abi.fuse.FuseForgetIn;
import dev.vireo.sys.abi.fuse.FuseFsyncIn;
import dev.vireo.sys.abi.fuse.FuseGetattrIn;
import dev.vireo.sys.abi.fuse.FuseInHeader;
import dev.vireo.sys.abi.fuse.FuseInitIn;
import dev.vireo.sys.abi.fuse.FuseInitOut;
import dev.vireo.sys.abi.fuse.FuseOpenIn;
import dev.vireo.sys.abi.fuse.FuseOpenOut;
import dev.vireo.sys.abi.fuse.FuseOutHeader;
import dev.vireo.sys.abi.fuse.FuseReadIn;
import dev.vireo.sys.abi.fuse.FuseReleaseIn;
import dev.vireo.sys.abi.fuse.FuseWriteIn;
import dev.vireo.sys.abi.fuse.FuseWriteOut;
import dev.vireo.virtio.driver.DriverQueue;
import dev.vireo.virtio.driver.GuestAllocator;
import dev.vireo.vhost.frontend.FrontendQueue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The guest's virtiofs driver as a library: FUSE requests framed in guest memory and posted on a
 * virtio-fs request queue (virtio 1.2 §5.11.6.1: device-readable {@code fuse_in_header} and
 * arguments, then device-writable {@code fuse_out_header} and reply), many in flight at once.
 *
 * <p>The client has {@link #depth()} <em>slots</em>; each owns fixed buffers in guest memory (the
 * request, the reply header, a small reply body, and a data area of {@link #dataBytes()} for READ
 * and WRITE payloads), laid out once, so the steady state allocates nothing. A caller submits on
 * a free slot ({@link #lookup}, {@link #read}, ...), {@link #flush()}es the notifications, and
 * collects completions with {@link #poll} or {@link #await}; the completed slot is free again.
 *
 * <p>Every reply is checked before it is believed: the used length against the reply header's
 * {@code len}, {@code unique} against the request, the error within {@code [-4095, 0]} and with an
 * empty body, and the body size against what the opcode returns (fuse.h); a violation throws
 * {@link FuseProtocolException}.
 *
 * <p>FORGET goes on the hiprio queue (§5.11.6.1: FORGET and INTERRUPT, no reply), from a small
 * pool of its own buffers: without it a daemon keeps a descriptor per inode it ever returned
 * (the C virtiofsd runs out of descriptors in a create storm). Not thread-safe.
 */
public final class FuseClient {

    /** The FUSE protocol version this client speaks (fuse.h 7.31 has everything it sends). */
    public static final int MAJOR = 7;
    public static final int MINOR = 31;
    /** INIT flags asked for: parallel requests and large I/O, as the Linux virtiofs driver does. */
    public static final int INIT_FLAGS = Fuse.FUSE_ASYNC_READ | Fuse.FUSE_BIG_WRITES | Fuse.FUSE_MAX_PAGES
            | Fuse.FUSE_PARALLEL_DIROPS;
    /** Longest name a request may carry (NAME_MAX). */
    public static final int NAME_MAX = 255;

    private static final int OUT_HEADER = (int) FuseOutHeader.SIZE;
    private static final int IN_HEADER = (int) FuseInHeader.SIZE;
    private static final int REQUEST_ROOM = 1024;
    private static final int BODY_ROOM = 256;
    private static final long ENTRY_OUT = FuseEntryOut.SIZE;
    private static final long OPEN_OUT = FuseOpenOut.SIZE;
    private static final int FORGET_BYTES = IN_HEADER + (int) FuseForgetIn.SIZE;

    /** Receives completed requests; the slot is free again when it is called. */
    @FunctionalInterface
    public interface Completion {
        /**
         * Request on {@code slot} finished: {@code error} is 0 or a positive errno; {@code bytes}
         * the reply body's length (for READ, the bytes read; for WRITE, the bytes written).
         */
        void complete(int slot, int opcode, int error, long bytes);
    }

    /** What the daemon answered to INIT. */
    public record Init(int major, int minor, int flags, int maxWrite, int maxPages, int maxReadahead) {
    }

    private final FrontendQueue queue;
    private final DriverQueue ring;
    private final int depth;
    private final int dataBytes;
    private final MemorySegment[] request;
    private final MemorySegment[] replyHeader;
    private final MemorySegment[] replyBody;
    private final MemorySegment[] data;
    /** Views made once per slot, so the steady state slices nothing: request arguments, reply parts. */
    private final MemorySegment[] args;
    private final MemorySegment[] entryAttr;
    private final MemorySegment[] getattrAttr;
    private final MemorySegment[] openOut;
    private final MemorySegment[] createOpenOut;
    private final long[] requestAddr;
    private final long[] replyHeaderAddr;
    private final long[] replyBodyAddr;
    private final long[] dataAddr;
    private final long[] unique;
    private final int[] opcode;
    /** The opcode of the reply last completed on each slot (its body stays readable until the next post). */
    private final int[] replied;
    private final int[] expectRead;
    private final int[] slotOfBuffer;
    private final DriverQueue.Chain chain = new DriverQueue.Chain(4);
    private final FrontendQueue hiprio;
    private final MemorySegment[] forgetBuf;
    private final long[] forgetAddr;
    private final int[] forgetFree;
    private int forgetFreeCount;
    private final int[] forgetOfBuffer;
    private final int pid = (int) ProcessHandle.current().pid();
    private long nextUnique = 1;
    private int inFlight;
    private boolean pendingKick;
    private Init init;
    private long haltPollNanos;

    /**
     * A client of {@code depth} slots with {@code dataBytes} of payload room each, posting on
     * {@code queue}, without a hiprio queue ({@link #forget} is then refused); buffers come from
     * {@code alloc} (guest memory shared with the daemon).
     */
    public FuseClient(FrontendQueue queue, GuestAllocator alloc, int depth, int dataBytes) {
        this(queue, null, alloc, depth, dataBytes);
    }

    /** As above, with {@code hiprio} (vring 0 of virtio-fs) for FORGET. */
    public FuseClient(FrontendQueue queue, FrontendQueue hiprio, GuestAllocator alloc, int depth, int dataBytes) {
        if (depth < 1 || depth * 4 > queue.ring().size()) {
            throw new IllegalArgumentException("depth " + depth + " does not fit a " + queue.ring().size()
                    + "-descriptor queue (4 descriptors per request)");
        }
        this.queue = queue;
        this.ring = queue.ring();
        this.depth = depth;
        this.dataBytes = dataBytes;
        request = new MemorySegment[depth];
        replyHeader = new MemorySegment[depth];
        replyBody = new MemorySegment[depth];
        data = new MemorySegment[depth];
        args = new MemorySegment[depth];
        entryAttr = new MemorySegment[depth];
        getattrAttr = new MemorySegment[depth];
        openOut = new MemorySegment[depth];
        createOpenOut = new MemorySegment[depth];
        requestAddr = new long[depth];
        replyHeaderAddr = new long[depth];
        replyBodyAddr = new long[depth];
        dataAddr = new long[depth];
        unique = new long[depth];
        opcode = new int[depth];
        replied = new int[depth];
        expectRead = new int[depth];
        slotOfBuffer = new int[ring.size()];
        java.util.Arrays.fill(slotOfBuffer, -1);
        this.hiprio = hiprio;
        int forgets = hiprio == null ? 0 : Math.min(64, hiprio.ring().size());
        forgetBuf = new MemorySegment[forgets];
        forgetAddr = new long[forgets];
        forgetFree = new int[forgets];
        forgetOfBuffer = new int[hiprio == null ? 0 : hiprio.ring().size()];
        for (int i = 0; i < forgets; i++) {
            forgetAddr[i] = alloc.alloc(FORGET_BYTES, 64);
            forgetBuf[i] = alloc.memory().slice(forgetAddr[i], FORGET_BYTES);
            forgetFree[forgetFreeCount++] = i;
        }
        for (int s = 0; s < depth; s++) {
            requestAddr[s] = alloc.alloc(REQUEST_ROOM + OUT_HEADER + BODY_ROOM, 64);
            replyHeaderAddr[s] = requestAddr[s] + REQUEST_ROOM;
            replyBodyAddr[s] = replyHeaderAddr[s] + OUT_HEADER;
            dataAddr[s] = alloc.alloc(Math.max(dataBytes, 1), 4096);
            request[s] = alloc.memory().slice(requestAddr[s], REQUEST_ROOM);
            replyHeader[s] = alloc.memory().slice(replyHeaderAddr[s], OUT_HEADER);
            replyBody[s] = alloc.memory().slice(replyBodyAddr[s], BODY_ROOM);
            data[s] = alloc.memory().slice(dataAddr[s], Math.max(dataBytes, 1));
            args[s] = request[s].asSlice(IN_HEADER);
            entryAttr[s] = replyBody[s].asSlice(FuseEntryOut.ATTR, FuseAttr.SIZE);
            getattrAttr[s] = replyBody[s].asSlice(FuseAttrOut.ATTR, FuseAttr.SIZE);
            openOut[s] = replyBody[s].asSlice(0, OPEN_OUT);
            createOpenOut[s] = replyBody[s].asSlice(ENTRY_OUT, OPEN_OUT);
        }
    }

    public int depth() {
        return depth;
    }

    public int dataBytes() {
        return dataBytes;
    }

    /** Requests posted and not yet completed. */
    public int inFlight() {
        return inFlight;
    }

    /** Kicks sent on the request queue so far. */
    public long kicks() {
        return queue.kicks();
    }

    /** Call notifications received on the request queue so far. */
    public long calls() {
        return queue.calls();
    }

    /** The INIT reply, once {@link #init()} ran. */
    public Init initReply() {
        return init;
    }

    /** The data area of {@code slot}: READ lands here, WRITE takes its payload from here. */
    public MemorySegment data(int slot) {
        return data[slot];
    }

    // ---- requests -------------------------------------------------------------------------

    /** LOOKUP {@code name} in directory {@code parent}; the reply is a {@code fuse_entry_out} ({@link #nodeid}). */
    public void lookup(int slot, long parent, byte[] name) {
        int args = putName(slot, 0, name);
        post(slot, Fuse.FUSE_LOOKUP, parent, args, 0, ENTRY_OUT, 0);
    }

    /** GETATTR of {@code nodeid}; the reply is a {@code fuse_attr_out} ({@link #attrSize}). */
    public void getattr(int slot, long nodeid) {
        MemorySegment a = args(slot);
        FuseGetattrIn.getattrFlags(a, 0);
        FuseGetattrIn.fh(a, 0);
        post(slot, Fuse.FUSE_GETATTR, nodeid, (int) FuseGetattrIn.SIZE, 0, FuseAttrOut.SIZE, 0);
    }

    /** OPEN {@code nodeid} with open(2) {@code flags}; the reply is a {@code fuse_open_out} ({@link #fh}). */
    public void open(int slot, long nodeid, int flags) {
        MemorySegment a = args(slot);
        FuseOpenIn.flags(a, flags);
        FuseOpenIn.openFlags(a, 0);
        post(slot, Fuse.FUSE_OPEN, nodeid, (int) FuseOpenIn.SIZE, 0, OPEN_OUT, 0);
    }

    /** CREATE {@code name} in {@code parent}: entry and open replies ({@link #nodeid}, {@link #fh}). */
    public void create(int slot, long parent, byte[] name, int flags, int mode) {
        MemorySegment a = args(slot);
        FuseCreateIn.flags(a, flags);
        FuseCreateIn.mode(a, mode);
        FuseCreateIn.umask(a, 0);
        FuseCreateIn.openFlags(a, 0);
        int args = putName(slot, (int) FuseCreateIn.SIZE, name);
        post(slot, Fuse.FUSE_CREATE, parent, args, 0, ENTRY_OUT + OPEN_OUT, 0);
    }

    /** READ {@code size} bytes at {@code offset} into the slot's data area. */
    public void read(int slot, long nodeid, long fh, long offset, int size) {
        checkData(size);
        MemorySegment a = args(slot);
        FuseReadIn.fh(a, fh);
        FuseReadIn.offset(a, offset);
        FuseReadIn.size(a, size);
        FuseReadIn.readFlags(a, 0);
        FuseReadIn.lockOwner(a, 0);
        FuseReadIn.flags(a, 0);
        a.set(java.lang.foreign.ValueLayout.JAVA_INT, FuseReadIn.SIZE - 4, 0); // padding
        post(slot, Fuse.FUSE_READ, nodeid, (int) FuseReadIn.SIZE, 0, -1, size);
    }

    /** WRITE the first {@code size} bytes of the slot's data area at {@code offset}. */
    public void write(int slot, long nodeid, long fh, long offset, int size) {
        checkData(size);
        MemorySegment a = args(slot);
        FuseWriteIn.fh(a, fh);
        FuseWriteIn.offset(a, offset);
        FuseWriteIn.size(a, size);
        FuseWriteIn.writeFlags(a, 0);
        FuseWriteIn.lockOwner(a, 0);
        FuseWriteIn.flags(a, 0);
        a.set(java.lang.foreign.ValueLayout.JAVA_INT, FuseWriteIn.SIZE - 4, 0); // padding
        post(slot, Fuse.FUSE_WRITE, nodeid, (int) FuseWriteIn.SIZE, size, FuseWriteOut.SIZE, 0);
    }

    /** RELEASE the open file {@code fh}. */
    public void release(int slot, long nodeid, long fh, int flags) {
        MemorySegment a = args(slot);
        FuseReleaseIn.fh(a, fh);
        FuseReleaseIn.flags(a, flags);
        FuseReleaseIn.releaseFlags(a, 0);
        FuseReleaseIn.lockOwner(a, 0);
        post(slot, Fuse.FUSE_RELEASE, nodeid, (int) FuseReleaseIn.SIZE, 0, 0, 0);
    }

    /** FLUSH {@code fh} (close(2) of one descriptor). */
    public void flush(int slot, long nodeid, long fh) {
        MemorySegment a = args(slot);
        a.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, 0L); // unused, padding
        FuseFlushIn.fh(a, fh);
        FuseFlushIn.lockOwner(a, 0);
        post(slot, Fuse.FUSE_FLUSH, nodeid, (int) FuseFlushIn.SIZE, 0, 0, 0);
    }

    /** FSYNC {@code fh} (data and metadata). */
    public void fsync(int slot, long nodeid, long fh) {
        MemorySegment a = args(slot);
        a.set(java.lang.foreign.ValueLayout.JAVA_INT, 12, 0); // padding
        FuseFsyncIn.fh(a, fh);
        FuseFsyncIn.fsyncFlags(a, 0);
        post(slot, Fuse.FUSE_FSYNC, nodeid, (int) FuseFsyncIn.SIZE, 0, 0, 0);
    }

    /** UNLINK {@code name} from {@code parent}. */
    public void unlink(int slot, long parent, byte[] name) {
        int args = putName(slot, 0, name);
        post(slot, Fuse.FUSE_UNLINK, parent, args, 0, 0, 0);
    }

    /**
     * FORGET {@code nlookup} lookups of {@code nodeid} on the hiprio queue (no reply; the device
     * gives the buffer back with nothing written). Kicked at once: FORGETs are rare here.
     */
    public void forget(long nodeid, long nlookup) {
        if (hiprio == null) {
            throw new IllegalStateException("FORGET needs the hiprio queue");
        }
        reapForgets();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (forgetFreeCount == 0) {
            if (System.nanoTime() > deadline) {
                throw new FuseProtocolException("FORGET buffers not given back within 30 s");
            }
            hiprio.awaitCall(1000);
            reapForgets();
        }
        int b = forgetFree[--forgetFreeCount];
        MemorySegment h = forgetBuf[b];
        FuseInHeader.len(h, FORGET_BYTES);
        FuseInHeader.opcode(h, Fuse.FUSE_FORGET);
        FuseInHeader.unique(h, nextUnique++);
        FuseInHeader.nodeid(h, nodeid);
        FuseInHeader.uid(h, 0);
        FuseInHeader.gid(h, 0);
        FuseInHeader.pid(h, pid);
        FuseInHeader.totalExtlen(h, 0);
        FuseInHeader.padding(h, 0);
        FuseForgetIn.nlookup(h.asSlice(IN_HEADER), nlookup);
        int id = hiprio.ring().add(chain.clear().readable(forgetAddr[b], FORGET_BYTES));
        if (id < 0) {
            forgetFree[forgetFreeCount++] = b;
            throw new IllegalStateException("no room in the hiprio queue");
        }
        forgetOfBuffer[id] = b;
        hiprio.kickIfNeeded();
    }

    /** Takes back the FORGET buffers the device has used (it writes nothing into them). */
    private void reapForgets() {
        DriverQueue ring = hiprio.ring();
        for (int id = ring.pollUsedId(); id >= 0; id = ring.pollUsedId()) {
            // pollUsedId already refused a length beyond the (zero) writable bytes.
            forgetFree[forgetFreeCount++] = forgetOfBuffer[id];
        }
    }

    // ---- reply fields -----------------------------------------------------------------------

    /** The node id of a LOOKUP or CREATE reply on {@code slot}. */
    public long nodeid(int slot) {
        return FuseEntryOut.nodeid(replyBody[slot]);
    }

    /** The file size of a LOOKUP, CREATE or GETATTR reply on {@code slot}. */
    public long attrSize(int slot) {
        return FuseAttr.size(replied[slot] == Fuse.FUSE_GETATTR ? getattrAttr[slot] : entryAttr[slot]);
    }

    /** The mode of a LOOKUP, CREATE or GETATTR reply on {@code slot}. */
    public int attrMode(int slot) {
        return FuseAttr.mode(replied[slot] == Fuse.FUSE_GETATTR ? getattrAttr[slot] : entryAttr[slot]);
    }

    /** The file handle of an OPEN or CREATE reply on {@code slot}. */
    public long fh(int slot) {
        return FuseOpenOut.fh(replied[slot] == Fuse.FUSE_CREATE ? createOpenOut[slot] : openOut[slot]);
    }

    // ---- notification and completion ------------------------------------------------------

    /** Kicks the daemon for everything posted since the last flush, if its ring asks for it. */
    public void flush() {
        if (pendingKick) {
            pendingKick = false;
            queue.kickIfNeeded();
        }
    }

    /**
     * How long {@link #await} watches the used ring before it blocks on the call eventfd: what
     * KVM does for a halted vCPU (its {@code halt_poll_ns} module parameter), so that a reply which
     * comes soon reaches the guest without a sleeping thread being woken. 0: block at once.
     */
    public void haltPoll(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative halt-poll period: " + nanos);
        }
        haltPollNanos = nanos;
    }

    /** Collects every completed request without blocking; returns how many. */
    public int poll(Completion completion) {
        int n = 0;
        for (int id = ring.pollUsedId(); id >= 0; id = ring.pollUsedId()) {
            complete(id, ring.usedLen(), completion);
            n++;
        }
        return n;
    }

    /**
     * Collects completions, waiting up to {@code timeoutMillis} for the first one; returns how
     * many (0 on timeout or when nothing is in flight).
     */
    public int await(Completion completion, int timeoutMillis) {
        flush();
        int n = poll(completion);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        if (n == 0 && inFlight > 0 && haltPollNanos > 0) {
            long spinEnd = System.nanoTime() + haltPollNanos;
            do {
                Thread.onSpinWait();
                n = poll(completion);
            } while (n == 0 && System.nanoTime() < spinEnd);
        }
        while (n == 0 && inFlight > 0) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return 0;
            }
            queue.awaitCall((int) Math.min(left, Integer.MAX_VALUE));
            n = poll(completion);
        }
        return n;
    }

    private void complete(int bufferId, int usedLen, Completion completion) {
        int slot = slotOfBuffer[bufferId];
        if (slot < 0 || slot >= depth || opcode[slot] == 0) {
            throw new FuseProtocolException("the device returned buffer " + bufferId + ", which carries no request");
        }
        int op = opcode[slot];
        if (usedLen < OUT_HEADER) {
            throw new FuseProtocolException(name(op) + " reply of " + Integer.toUnsignedString(usedLen)
                    + " bytes, shorter than fuse_out_header");
        }
        MemorySegment h = replyHeader[slot];
        int len = FuseOutHeader.len(h);
        int error = FuseOutHeader.error(h);
        long u = FuseOutHeader.unique(h);
        if (len != usedLen) {
            throw new FuseProtocolException(name(op) + " reply header says " + Integer.toUnsignedString(len)
                    + " bytes, the device wrote " + Integer.toUnsignedString(usedLen));
        }
        if (u != unique[slot]) {
            throw new FuseProtocolException(name(op) + " reply carries unique " + u + ", the request " + unique[slot]);
        }
        if (error > 0 || error < -4095) {
            throw new FuseProtocolException(name(op) + " reply with error " + error + " (must be 0 or -errno)");
        }
        long body = usedLen - OUT_HEADER;
        if (error != 0 && body != 0) {
            throw new FuseProtocolException(name(op) + " error reply with a " + body + "-byte body");
        }
        if (error == 0) {
            checkBody(slot, op, body);
        }
        opcode[slot] = 0;
        replied[slot] = op;
        slotOfBuffer[bufferId] = -1;
        inFlight--;
        if (op == Fuse.FUSE_WRITE && error == 0) {
            body = FuseWriteOut.size(replyBody[slot]) & 0xffff_ffffL;
        }
        completion.complete(slot, op, -error, body);
    }

    private void checkBody(int slot, int op, long body) {
        long expected = switch (op) {
            case Fuse.FUSE_LOOKUP -> ENTRY_OUT;
            case Fuse.FUSE_GETATTR -> FuseAttrOut.SIZE;
            case Fuse.FUSE_OPEN -> OPEN_OUT;
            case Fuse.FUSE_CREATE -> ENTRY_OUT + OPEN_OUT;
            case Fuse.FUSE_WRITE -> FuseWriteOut.SIZE;
            case Fuse.FUSE_READ -> -1;
            case Fuse.FUSE_INIT -> -2;
            default -> 0;
        };
        if (expected == -1) {
            if (body > expectRead[slot]) {
                throw new FuseProtocolException("READ of " + expectRead[slot] + " bytes answered with " + body);
            }
        } else if (expected == -2) {
            if (body < Fuse.FUSE_COMPAT_INIT_OUT_SIZE || body > FuseInitOut.SIZE) {
                throw new FuseProtocolException("INIT reply body of " + body + " bytes");
            }
        } else if (body != expected) {
            throw new FuseProtocolException(name(op) + " reply body of " + body + " bytes, expected " + expected);
        }
        if (op == Fuse.FUSE_WRITE && Integer.toUnsignedLong(FuseWriteOut.size(replyBody[slot])) > expectRead[slot]) {
            throw new FuseProtocolException("WRITE of " + expectRead[slot] + " bytes acknowledged "
                    + Integer.toUnsignedString(FuseWriteOut.size(replyBody[slot])));
        }
    }

    // ---- framing ----------------------------------------------------------------------------

    private MemorySegment args(int slot) {
        checkFree(slot);
        return args[slot];
    }

    private int putName(int slot, int at, byte[] name) {
        if (name.length == 0 || name.length > NAME_MAX) {
            throw new IllegalArgumentException("name of " + name.length + " bytes");
        }
        MemorySegment a = args(slot);
        MemorySegment.copy(name, 0, a, JAVA_BYTE, at, name.length);
        a.set(JAVA_BYTE, at + name.length, (byte) 0);
        return at + name.length + 1;
    }

    private void checkFree(int slot) {
        if (opcode[slot] != 0) {
            throw new IllegalStateException("slot " + slot + " has a request in flight");
        }
    }

    private void checkData(int size) {
        if (size < 0 || size > dataBytes) {
            throw new IllegalArgumentException(size + " bytes exceed the slot's " + dataBytes + "-byte data area");
        }
    }

    /**
     * Writes the header and posts the chain: header+arguments (readable), then {@code writeData}
     * bytes of the data area (readable, WRITE); the reply header (writable), then either {@code
     * replyBody} bytes of the body area or, when it is -1, {@code readData} bytes of the data area.
     */
    private void post(int slot, int op, long nodeid, int argBytes, int writeData, long replyBody, int readData) {
        checkFree(slot);
        MemorySegment h = request[slot];
        long u = nextUnique++;
        int len = IN_HEADER + argBytes + writeData;
        FuseInHeader.len(h, len);
        FuseInHeader.opcode(h, op);
        FuseInHeader.unique(h, u);
        FuseInHeader.nodeid(h, nodeid);
        FuseInHeader.uid(h, 0);
        FuseInHeader.gid(h, 0);
        FuseInHeader.pid(h, pid);
        FuseInHeader.totalExtlen(h, 0);
        FuseInHeader.padding(h, 0);
        chain.clear().readable(requestAddr[slot], IN_HEADER + argBytes);
        if (writeData > 0) {
            chain.readable(dataAddr[slot], writeData);
        }
        chain.writable(replyHeaderAddr[slot], OUT_HEADER);
        if (replyBody < 0) {
            if (readData > 0) {
                chain.writable(dataAddr[slot], readData);
            }
        } else if (replyBody > 0) {
            chain.writable(replyBodyAddr[slot], (int) replyBody);
        }
        FuseOutHeader.len(replyHeader[slot], 0);
        int id = ring.add(chain);
        if (id < 0) {
            throw new IllegalStateException("no room in the request queue");
        }
        slotOfBuffer[id] = slot;
        unique[slot] = u;
        opcode[slot] = op;
        expectRead[slot] = op == Fuse.FUSE_WRITE ? writeData : readData;
        inFlight++;
        pendingKick = true;
    }

    // ---- synchronous conveniences (setup and tests; not for the measured loop) -------------------

    /** FUSE_INIT (must be the first request); returns the daemon's answer. */
    public Init init() {
        MemorySegment a = args(0);
        a.asSlice(0, FuseInitIn.SIZE).fill((byte) 0);
        FuseInitIn.major(a, MAJOR);
        FuseInitIn.minor(a, MINOR);
        FuseInitIn.maxReadahead(a, 128 << 10);
        FuseInitIn.flags(a, INIT_FLAGS);
        post(0, Fuse.FUSE_INIT, 0, (int) FuseInitIn.SIZE, 0, FuseInitOut.SIZE, 0);
        long body = waitOne(0, "INIT");
        MemorySegment r = replyBody[0];
        int major = FuseInitOut.major(r);
        if (major != MAJOR) {
            throw new FuseProtocolException("the daemon speaks FUSE " + major + "." + FuseInitOut.minor(r));
        }
        boolean full = body >= Fuse.FUSE_COMPAT_22_INIT_OUT_SIZE;
        init = new Init(major, FuseInitOut.minor(r), FuseInitOut.flags(r), full ? FuseInitOut.maxWrite(r) : 4096,
                body >= 30 ? FuseInitOut.maxPages(r) : 0, FuseInitOut.maxReadahead(r));
        return init;
    }

    /**
     * LOOKUP, waiting; returns the node id, or -errno (ENOENT as {@code -2}) when it fails. A
     * successful reply with node id 0 is a negative entry (a daemon that lets the kernel cache
     * "does not exist", as vireo's does with a cache timeout): ENOENT too.
     */
    public long lookupSync(long parent, String name) {
        lookup(0, parent, bytes(name));
        long node = resultOr(0, "LOOKUP " + name, () -> nodeid(0));
        return node == 0 ? -Errno.ENOENT.code() : node;
    }

    /** GETATTR, waiting; returns the file size. */
    public long sizeSync(long nodeid) {
        getattr(0, nodeid);
        waitOk(0, "GETATTR");
        return attrSize(0);
    }

    /** CREATE, waiting; returns {node id, fh}. */
    public long[] createSync(long parent, String name, int flags, int mode) {
        create(0, parent, bytes(name), flags, mode);
        waitOk(0, "CREATE " + name);
        return new long[] {nodeid(0), fh(0)};
    }

    /** OPEN, waiting; returns the file handle. */
    public long openSync(long nodeid, int flags) {
        open(0, nodeid, flags);
        waitOk(0, "OPEN");
        return fh(0);
    }

    /** WRITE from slot 0's data area, waiting; returns the bytes written. */
    public long writeSync(long nodeid, long fh, long offset, int size) {
        write(0, nodeid, fh, offset, size);
        return waitOk(0, "WRITE");
    }

    /** READ into slot 0's data area, waiting; returns the bytes read. */
    public long readSync(long nodeid, long fh, long offset, int size) {
        read(0, nodeid, fh, offset, size);
        return waitOk(0, "READ");
    }

    /** FSYNC, waiting. */
    public void fsyncSync(long nodeid, long fh) {
        fsync(0, nodeid, fh);
        waitOk(0, "FSYNC");
    }

    /** FLUSH then RELEASE, waiting (close(2)). */
    public void closeSync(long nodeid, long fh, int flags) {
        flush(0, nodeid, fh);
        waitOk(0, "FLUSH");
        release(0, nodeid, fh, flags);
        waitOk(0, "RELEASE");
    }

    /** UNLINK, waiting; returns 0 or -errno. */
    public int unlinkSync(long parent, String name) {
        unlink(0, parent, bytes(name));
        return (int) resultOr(0, "UNLINK " + name, () -> 0L);
    }

    private long resultOr(int slot, String what, java.util.function.LongSupplier ok) {
        long[] result = new long[2];
        waitFor(slot, what, result);
        return result[0] != 0 ? -result[0] : ok.getAsLong();
    }

    private long waitOk(int slot, String what) {
        long[] result = new long[2];
        waitFor(slot, what, result);
        if (result[0] != 0) {
            throw new FuseReplyException(what, (int) result[0]);
        }
        return result[1];
    }

    private long waitOne(int slot, String what) {
        return waitOk(slot, what);
    }

    private void waitFor(int slot, String what, long[] result) {
        if (inFlight != 1) {
            throw new IllegalStateException("synchronous " + what + " with " + (inFlight - 1) + " other requests in flight");
        }
        boolean[] done = new boolean[1];
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!done[0]) {
            if (System.nanoTime() > deadline) {
                throw new FuseProtocolException(what + " not answered within 30 s");
            }
            await((s, op, error, bytes) -> {
                if (s == slot) {
                    done[0] = true;
                    result[0] = error;
                    result[1] = bytes;
                }
            }, 1000);
        }
    }

    /** A name as the request carries it (UTF-8, without the terminating NUL). */
    public static byte[] bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    /** The opcode's name for messages. */
    static String name(int op) {
        return switch (op) {
            case Fuse.FUSE_LOOKUP -> "LOOKUP";
            case Fuse.FUSE_GETATTR -> "GETATTR";
            case Fuse.FUSE_OPEN -> "OPEN";
            case Fuse.FUSE_CREATE -> "CREATE";
            case Fuse.FUSE_READ -> "READ";
            case Fuse.FUSE_WRITE -> "WRITE";
            case Fuse.FUSE_RELEASE -> "RELEASE";
            case Fuse.FUSE_FLUSH -> "FLUSH";
            case Fuse.FUSE_FSYNC -> "FSYNC";
            case Fuse.FUSE_UNLINK -> "UNLINK";
            case Fuse.FUSE_INIT -> "INIT";
            case Fuse.FUSE_FORGET -> "FORGET";
            default -> "opcode " + op;
        };
    }
}
