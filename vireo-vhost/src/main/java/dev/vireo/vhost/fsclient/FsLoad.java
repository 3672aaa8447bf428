package dev.vireo.vhost.fsclient;

import dev.vireo.sys.Errno;
import dev.vireo.sys.abi.fuse.Fuse;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static dev.vireo.sys.FsCalls.O_CREAT;
import static dev.vireo.sys.FsCalls.O_EXCL;
import static dev.vireo.sys.FsCalls.O_RDONLY;
import static dev.vireo.sys.FsCalls.O_RDWR;
import static dev.vireo.sys.FsCalls.O_WRONLY;

/**
 * The workloads of {@code vireo fsload}, run through a {@link FuseClient} at its full depth: every
 * slot runs one operation after another, so {@code depth} operations are in flight until the
 * run's end. Files live at the top of the shared directory, created through FUSE by {@link
 * #prepare} (kept between runs; re-created when their size is wrong):
 * <ul>
 * <li>{@code fsload-data}: the read file, filled with {@link DataPattern};
 * <li>{@code fsload-write}: the write file, truncated and rewritten by each write run;
 * <li>{@code fsload-lookup-NNN}: empty files for the lookup storm;
 * <li>{@code fsload-create-PID-S-N}: created and unlinked by the create storm (kept with {@code keepCreated}).
 * </ul>
 * An operation is what a program's system call costs the daemon without caches: lookup = LOOKUP +
 * GETATTR (stat of an uncached name); read4k/read1m = one READ; write1m = one WRITE; create =
 * CREATE + RELEASE + UNLINK, then a FORGET of the node on the hiprio queue (no reply, not waited
 * for), as the guest kernel sends when it evicts the inode. The measured loop allocates nothing.
 */
public final class FsLoad {

    /** Number of files the lookup storm cycles through. */
    public static final int LOOKUP_FILES = 64;
    /** The read file and the write file's name. */
    public static final String DATA_FILE = "fsload-data";
    public static final String WRITE_FILE = "fsload-write";

    /** The workloads. */
    public enum Workload {
        /** LOOKUP + GETATTR of one of {@link #LOOKUP_FILES} names. */
        LOOKUP,
        /** A 4 KiB READ at a random aligned offset of the data file. */
        READ4K,
        /** 1 MiB sequential READs of the data file (wrapping at its end). */
        READ1M,
        /** 1 MiB sequential WRITEs of the write file (wrapping at the file size), FSYNC at the end. */
        WRITE1M,
        /** CREATE + RELEASE + UNLINK of a new name. */
        CREATE;

        /** The name on the command line. */
        public String label() {
            return name().toLowerCase();
        }
    }

    /**
     * One run: the workload, how many operations in flight, when to stop (after {@code
     * durationNanos} or {@code maxOps} operations, whichever comes first; 0 = no limit), the data
     * file size, whether to check read data against the pattern, whether created files stay.
     */
    public record Options(Workload workload, int depth, long durationNanos, long maxOps, long fileBytes, boolean verify,
            boolean keepCreated) {

        public Options {
            if (durationNanos <= 0 && maxOps <= 0) {
                throw new IllegalArgumentException("a run needs a duration or an operation count");
            }
            if (fileBytes < (1 << 20) || fileBytes % (1 << 20) != 0) {
                throw new IllegalArgumentException("the file size must be a positive multiple of 1 MiB");
            }
        }
    }

    /** What a run measured. */
    public record Result(Workload workload, int depth, long ops, long requests, long bytes, long elapsedNanos, long p50Nanos,
            long p99Nanos, long kicks, long calls) {

        public double opsPerSecond() {
            return ops * 1e9 / Math.max(1, elapsedNanos);
        }

        public double mibPerSecond() {
            return bytes * 1e9 / Math.max(1, elapsedNanos) / (1 << 20);
        }
    }

    private static final int MIB = 1 << 20;

    private final FuseClient client;
    private final int io;
    private final byte[][] lookupNames = new byte[LOOKUP_FILES][];
    private final byte[][] createNames;
    private final long[] nodeOf;
    private final long[] fhOf;
    private final long[] offsetOf;
    private final int[] stage;
    private final long[] startOf;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final SplittableRandom random = new SplittableRandom(42);
    private final FuseClient.Completion onComplete = this::completed;
    private Options options;
    private long dataNode;
    private long dataFh;
    private long writeNode;
    private long writeFh;
    private long deadline;
    private long started;
    private long ops;
    private long requests;
    private long bytes;
    private long cursor;
    private long createSerial;
    private int lookupNext;

    /** A load generator over {@code client}, whose INIT has been done. */
    public FsLoad(FuseClient client) {
        this.client = client;
        FuseClient.Init init = client.initReply();
        if (init == null) {
            throw new IllegalStateException("FUSE INIT first");
        }
        int limit = Math.min(MIB, client.dataBytes());
        if (init.maxWrite() > 0) {
            limit = Math.min(limit, init.maxWrite());
        }
        if (init.maxPages() > 0) {
            limit = Math.min(limit, init.maxPages() * DataPattern.BLOCK);
        }
        this.io = limit & -DataPattern.BLOCK;
        int d = client.depth();
        for (int i = 0; i < LOOKUP_FILES; i++) {
            lookupNames[i] = FuseClient.bytes(String.format("fsload-lookup-%03d", i));
        }
        createNames = new byte[d][];
        for (int s = 0; s < d; s++) {
            createNames[s] = FuseClient.bytes(String.format("fsload-create-%d-%03d-0000000000", ProcessHandle.current().pid(), s));
            DataPattern.prime(client.data(s));
        }
        nodeOf = new long[d];
        fhOf = new long[d];
        offsetOf = new long[d];
        stage = new int[d];
        startOf = new long[d];
    }

    /** The size of one large READ or WRITE: 1 MiB unless the daemon's max_write or max_pages is smaller. */
    public int ioSize() {
        return io;
    }

    /** Makes sure the files {@code workload} needs exist with the right size (through FUSE). */
    public void prepare(Workload workload, long fileBytes) {
        switch (workload) {
            case LOOKUP -> {
                for (int i = 0; i < LOOKUP_FILES; i++) {
                    String name = new String(lookupNames[i], StandardCharsets.UTF_8);
                    if (client.lookupSync(Fuse.FUSE_ROOT_ID, name) < 0) {
                        long[] created = client.createSync(Fuse.FUSE_ROOT_ID, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
                        client.closeSync(created[0], created[1], O_WRONLY);
                    }
                }
            }
            case READ4K, READ1M -> {
                long node = client.lookupSync(Fuse.FUSE_ROOT_ID, DATA_FILE);
                if (node < 0 || client.sizeSync(node) != fileBytes) {
                    fill(DATA_FILE, fileBytes);
                }
            }
            case WRITE1M -> fill(WRITE_FILE, 0);
            case CREATE -> {
                // names are fresh per run (a serial), nothing to prepare
            }
        }
    }

    /**
     * Creates {@code name} afresh and writes {@code size} bytes of the pattern into it. An existing
     * file is unlinked first and the CREATE carries O_EXCL: Debian 12's C virtiofsd (QEMU 7.2)
     * aborts on a CREATE without O_EXCL of a name that exists (it reopens the file through
     * /proc/self/fd with O_CREAT and no mode, which glibc's fortified openat refuses).
     */
    private void fill(String name, long size) {
        if (client.lookupSync(Fuse.FUSE_ROOT_ID, name) >= 0) {
            int r = client.unlinkSync(Fuse.FUSE_ROOT_ID, name);
            if (r != 0) {
                throw new FuseReplyException("UNLINK " + name, -r);
            }
        }
        long[] created = client.createSync(Fuse.FUSE_ROOT_ID, name, O_RDWR | O_CREAT | O_EXCL, 0644);
        MemorySegment buf = client.data(0);
        for (long at = 0; at < size; at += io) {
            int n = (int) Math.min(io, size - at);
            DataPattern.stamp(buf, at, n);
            long written = client.writeSync(created[0], created[1], at, n);
            if (written != n) {
                throw new FuseProtocolException("short WRITE while preparing " + name + ": " + written + " of " + n);
            }
        }
        client.fsyncSync(created[0], created[1]);
        client.closeSync(created[0], created[1], O_RDWR);
    }

    /** Runs one measured load; the files must have been {@link #prepare}d. */
    public Result run(Options o) {
        if (o.depth() > client.depth()) {
            throw new IllegalArgumentException("depth " + o.depth() + " above the client's " + client.depth());
        }
        options = o;
        ops = 0;
        requests = 0;
        bytes = 0;
        started = 0;
        cursor = 0;
        latency.reset();
        openFiles(o);
        long kicks0 = client.kicks();
        long calls0 = client.calls();
        long t0 = System.nanoTime();
        deadline = o.durationNanos() > 0 ? t0 + o.durationNanos() : Long.MAX_VALUE;
        for (int s = 0; s < o.depth(); s++) {
            startOp(s);
        }
        while (client.inFlight() > 0) {
            if (client.await(onComplete, 30_000) == 0 && client.inFlight() > 0) {
                throw new FuseProtocolException(client.inFlight() + " requests not answered within 30 s");
            }
        }
        long elapsed = System.nanoTime() - t0;
        closeFiles(o);
        return new Result(o.workload(), o.depth(), ops, requests, bytes, elapsed, latency.percentile(0.5),
                latency.percentile(0.99), client.kicks() - kicks0, client.calls() - calls0);
    }

    private void openFiles(Options o) {
        switch (o.workload()) {
            case READ4K, READ1M -> {
                dataNode = client.lookupSync(Fuse.FUSE_ROOT_ID, DATA_FILE);
                if (dataNode < 0) {
                    throw new IllegalStateException(DATA_FILE + " is missing: prepare first");
                }
                if (client.sizeSync(dataNode) < o.fileBytes()) {
                    throw new IllegalStateException(DATA_FILE + " is shorter than " + o.fileBytes() + " bytes");
                }
                dataFh = client.openSync(dataNode, O_RDONLY);
            }
            case WRITE1M -> {
                writeNode = client.lookupSync(Fuse.FUSE_ROOT_ID, WRITE_FILE);
                if (writeNode < 0) {
                    throw new IllegalStateException(WRITE_FILE + " is missing: prepare first");
                }
                writeFh = client.openSync(writeNode, O_WRONLY);
            }
            default -> {
            }
        }
    }

    private void closeFiles(Options o) {
        switch (o.workload()) {
            case READ4K, READ1M -> client.closeSync(dataNode, dataFh, O_RDONLY);
            case WRITE1M -> {
                client.fsyncSync(writeNode, writeFh);
                client.closeSync(writeNode, writeFh, O_WRONLY);
            }
            default -> {
            }
        }
    }

    /** Starts the next operation on {@code slot}, unless the run is over. */
    private void startOp(int slot) {
        if ((options.maxOps() > 0 && started >= options.maxOps()) || (deadline != Long.MAX_VALUE && System.nanoTime() >= deadline)) {
            return;
        }
        started++;
        stage[slot] = 0;
        startOf[slot] = System.nanoTime();
        switch (options.workload()) {
            case LOOKUP -> {
                client.lookup(slot, Fuse.FUSE_ROOT_ID, lookupNames[lookupNext]);
                lookupNext = (lookupNext + 1) % LOOKUP_FILES;
            }
            case READ4K -> {
                long blocks = options.fileBytes() / DataPattern.BLOCK;
                long off = random.nextLong(blocks) * DataPattern.BLOCK;
                offsetOf[slot] = off;
                client.read(slot, dataNode, dataFh, off, DataPattern.BLOCK);
            }
            case READ1M -> {
                long off = nextSequential();
                offsetOf[slot] = off;
                client.read(slot, dataNode, dataFh, off, io);
            }
            case WRITE1M -> {
                long off = nextSequential();
                offsetOf[slot] = off;
                DataPattern.stamp(client.data(slot), off, io);
                client.write(slot, writeNode, writeFh, off, io);
            }
            case CREATE -> {
                setSerial(createNames[slot], createSerial++);
                client.create(slot, Fuse.FUSE_ROOT_ID, createNames[slot], O_WRONLY | O_CREAT | O_EXCL, 0644);
            }
        }
        requests++;
    }

    private long nextSequential() {
        long off = cursor;
        cursor += io;
        if (cursor + io > options.fileBytes()) {
            cursor = 0;
        }
        return off;
    }

    /** Writes {@code serial} as the name's last 10 digits, in place. */
    private static void setSerial(byte[] name, long serial) {
        long v = serial;
        for (int i = name.length - 1; i >= name.length - 10; i--) {
            name[i] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        }
    }

    private void completed(int slot, int opcode, int error, long replyBytes) {
        if (error != 0) {
            throw new FuseReplyException(FuseClient.name(opcode) + " in the " + options.workload().label() + " workload", error);
        }
        switch (options.workload()) {
            case LOOKUP -> {
                if (stage[slot] == 0) {
                    nodeOf[slot] = client.nodeid(slot);
                    if (nodeOf[slot] == 0) {
                        // A negative entry: the file prepare() made is gone.
                        throw new FuseReplyException("LOOKUP in the lookup workload", Errno.ENOENT.code());
                    }
                    stage[slot] = 1;
                    requests++;
                    client.getattr(slot, nodeOf[slot]);
                    return;
                }
            }
            case READ4K, READ1M -> {
                int want = options.workload() == Workload.READ4K ? DataPattern.BLOCK : io;
                if (replyBytes != want) {
                    throw new FuseProtocolException("READ of " + want + " bytes at " + offsetOf[slot] + " returned " + replyBytes);
                }
                if (options.verify()) {
                    long bad = DataPattern.verify(client.data(slot), offsetOf[slot], replyBytes);
                    if (bad >= 0) {
                        throw new FuseProtocolException("READ at " + offsetOf[slot] + " returned wrong data at file offset " + bad);
                    }
                }
                bytes += replyBytes;
            }
            case WRITE1M -> {
                if (replyBytes != io) {
                    throw new FuseProtocolException("WRITE of " + io + " bytes acknowledged " + replyBytes);
                }
                bytes += replyBytes;
            }
            case CREATE -> {
                if (stage[slot] == 0) {
                    nodeOf[slot] = client.nodeid(slot);
                    if (nodeOf[slot] == 0) {
                        // A negative entry: the file prepare() made is gone.
                        throw new FuseReplyException("LOOKUP in the lookup workload", Errno.ENOENT.code());
                    }
                    fhOf[slot] = client.fh(slot);
                    stage[slot] = 1;
                    requests++;
                    client.release(slot, nodeOf[slot], fhOf[slot], O_WRONLY);
                    return;
                }
                if (stage[slot] == 1 && !options.keepCreated()) {
                    stage[slot] = 2;
                    requests++;
                    client.unlink(slot, Fuse.FUSE_ROOT_ID, createNames[slot]);
                    return;
                }
                client.forget(nodeOf[slot], 1);
                requests++;
            }
        }
        latency.record(System.nanoTime() - startOf[slot]);
        ops++;
        startOp(slot);
    }
}
