package dev.vireo.io;

import java.util.Locale;

/** Which engine an {@link EventLoop} runs on. */
public enum EngineKind {
    /** io_uring when the kernel offers it (and nothing forbids it), the portable engine otherwise. */
    AUTO,
    /** io_uring; opening a loop fails when it is unavailable. */
    IO_URING,
    /** The portable engine: epoll, non-blocking reads and writes, a thread pool for file I/O. */
    EPOLL;

    /** The system property that chooses the engine: {@code -Dvireo.io=auto|io_uring|epoll}. */
    public static final String PROPERTY = "vireo.io";

    /** The engine chosen by {@link #PROPERTY}, {@link #AUTO} when it is not set. */
    public static EngineKind configured() {
        return parse(System.getProperty(PROPERTY));
    }

    /** Parses a property value: auto, io_uring (or uring), epoll (or portable); null or empty is auto. */
    public static EngineKind parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "io_uring", "iouring", "uring" -> IO_URING;
            case "epoll", "portable" -> EPOLL;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + value
                    + ": expected auto, io_uring or epoll");
        };
    }
}
