package dev.vireo.io;

/**
 * What a component runs when an {@link Op} completes. Called on the loop thread, never from
 * inside {@link EventLoop#submit} or {@link EventLoop#cancel}.
 *
 * <p>{@code result} follows the io_uring convention: a non-negative value on success (bytes
 * transferred, a new descriptor, poll events, 0), {@code -errno} on failure ({@code -ECANCELED}
 * for a cancelled operation, {@code -ETIME} for an expired {@link OpCode#TIMEOUT}). For a
 * multishot operation {@link Op#hasMore()} tells whether further completions follow; otherwise
 * this is the operation's one final completion, and the op is idle again: the handler may prepare
 * and submit it anew.
 *
 * <p>A handler that throws does not stop the loop: the exception is logged (rate-limited) and the
 * loop goes on. Handlers must not block: they share one thread with every other component of the
 * loop.
 */
@FunctionalInterface
public interface Completion {

    /** Called once per completion of {@code op} with the operation's result. */
    void complete(Op op, int result);
}
