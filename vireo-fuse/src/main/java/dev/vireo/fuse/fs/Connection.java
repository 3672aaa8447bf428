package dev.vireo.fuse.fs;

import dev.vireo.fuse.proto.ProtocolVersion;
import dev.vireo.sys.abi.fuse.Fuse;

/**
 * The connection being set up by INIT, handed to {@link LowLevelFileSystem#init}: the negotiated
 * protocol version, the INIT flags the kernel offers (64 bits: {@code flags | flags2 << 32}), and
 * what the file system wants. A file system asks for a capability with {@link #want}; a flag the
 * kernel did not offer is never granted. Used during INIT only.
 */
public final class Connection {

    private final ProtocolVersion version;
    private final long offered;
    private final int maxWriteLimit;
    private final int kernelMaxReadahead;
    private long wanted;
    private int maxWrite;
    private int maxReadahead;
    private int maxBackground;
    private int congestionThreshold;
    private int timeGranNanos = 1;

    /**
     * @param version            the negotiated protocol version
     * @param offered            INIT flags the kernel offers
     * @param maxWriteLimit      the largest WRITE the transport can carry (its buffer size less headers)
     * @param kernelMaxReadahead the kernel's max_readahead
     */
    public Connection(ProtocolVersion version, long offered, int maxWriteLimit, int kernelMaxReadahead) {
        this.version = version;
        this.offered = offered;
        this.maxWriteLimit = maxWriteLimit;
        this.kernelMaxReadahead = kernelMaxReadahead;
        this.maxWrite = maxWriteLimit;
        this.maxReadahead = kernelMaxReadahead;
    }

    /** The protocol version both sides use. */
    public ProtocolVersion version() {
        return version;
    }

    /** All flags the kernel offers. */
    public long offered() {
        return offered;
    }

    /** Whether the kernel offers {@code flag} (a FUSE_* INIT flag of {@link Fuse}). */
    public boolean offers(long flag) {
        return (offered & flag) == flag;
    }

    /** Asks for {@code flag}; returns whether the kernel offers it (otherwise it is not requested). */
    public boolean want(long flag) {
        if (offers(flag)) {
            wanted |= flag;
            return true;
        }
        return false;
    }

    /** Withdraws a request for {@code flag}. */
    public void unwant(long flag) {
        wanted &= ~flag;
    }

    /** What will be requested: a subset of {@link #offered()}. */
    public long wanted() {
        return wanted & offered;
    }

    /** Whether {@code flag} will be requested. */
    public boolean wants(long flag) {
        return (wanted() & flag) == flag;
    }

    /** Largest WRITE payload the server accepts. */
    public int maxWrite() {
        return maxWrite;
    }

    /** Lowers max_write (at least 4096; never above what the transport can carry). */
    public void maxWrite(int v) {
        maxWrite = Math.clamp(v, 4096, maxWriteLimit);
    }

    /** Readahead in bytes; the kernel never exceeds its own offer. */
    public int maxReadahead() {
        return maxReadahead;
    }

    public void maxReadahead(int v) {
        maxReadahead = Math.clamp(v, 0, kernelMaxReadahead);
    }

    /** max_background: background requests (readahead, writeback) the kernel keeps in flight; 0 = kernel default. */
    public int maxBackground() {
        return maxBackground;
    }

    public void maxBackground(int v) {
        maxBackground = Math.clamp(v, 0, 0xffff);
    }

    /** congestion_threshold: background requests after which writers are throttled; 0 = kernel default. */
    public int congestionThreshold() {
        return congestionThreshold;
    }

    public void congestionThreshold(int v) {
        congestionThreshold = Math.clamp(v, 0, 0xffff);
    }

    /** Timestamp granularity in nanoseconds (1 = full nanosecond times). */
    public int timeGranNanos() {
        return timeGranNanos;
    }

    public void timeGranNanos(int v) {
        timeGranNanos = Math.clamp(v, 1, 1_000_000_000);
    }
}
