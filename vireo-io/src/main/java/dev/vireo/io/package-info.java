/**
 * The I/O loop: components submit operations (read this eventfd, read this file range into this
 * guest buffer, recvmsg on this socket) and receive completions, instead of waiting for
 * readiness and then calling read(2).
 *
 * <ul>
 *   <li>{@link dev.vireo.io.EventLoop}: the loop (one platform thread), opened with
 *       {@link dev.vireo.io.LoopOptions}; {@code watch(eventfd, fired)} for notifications.</li>
 *   <li>{@link dev.vireo.io.Op}: a reusable operation, {@link dev.vireo.io.Completion}: its handler,
 *       {@link dev.vireo.io.Watch}: an eventfd read on a component's behalf.</li>
 *   <li>{@link dev.vireo.io.IoEngine}: the engine behind a loop, implemented by
 *       {@code dev.vireo.io.uring} (io_uring through FFM) and {@code dev.vireo.io.epoll}
 *       (portable); {@link dev.vireo.io.EngineKind} chooses ({@code -Dvireo.io}).</li>
 * </ul>
 * See docs/io.md.
 */
package dev.vireo.io;
