package dev.vireo.fuse.session;

/**
 * What a transport and its user decide for a session before INIT.
 *
 * @param maxWrite            the largest WRITE payload (max_write), bounded by the transport's request
 *                            buffers; also the largest READ (max_pages = maxWrite / 4 KiB)
 * @param maxBackground       max_background: background requests (readahead, writeback) in flight;
 *                            0 keeps the kernel's default (12)
 * @param congestionThreshold congestion_threshold: background requests after which writers wait;
 *                            0 keeps the kernel's default
 */
public record SessionConfig(int maxWrite, int maxBackground, int congestionThreshold) {

    /** 1 MiB: the largest request the kernel sends by default (256 pages, fuse_max_pages_limit). */
    public static final int MAX_WRITE = 1 << 20;

    /**
     * The defaults: 1 MiB writes, 64 background requests (the kernel's 12 keeps a single sequential
     * reader or writer from filling a 1 MiB pipeline), congestion at three quarters of that.
     */
    public static SessionConfig defaults() {
        return new SessionConfig(MAX_WRITE, 64, 48);
    }

    public SessionConfig {
        if (maxWrite < 4096 || maxWrite > (64 << 20)) {
            throw new IllegalArgumentException("maxWrite " + maxWrite + " outside [4 KiB, 64 MiB]");
        }
        if (maxBackground < 0 || maxBackground > 0xffff || congestionThreshold < 0 || congestionThreshold > 0xffff) {
            throw new IllegalArgumentException("maxBackground and congestionThreshold are 16-bit values");
        }
    }

    /** max_pages for INIT: pages of the largest request. */
    public int maxPages() {
        return (maxWrite + 4095) / 4096;
    }
}
