/**
 * The io_uring engine, through FFM and vireo-sys only (no liburing): {@link dev.vireo.io.uring.Ring}
 * (setup and mappings), {@link dev.vireo.io.uring.SubmissionQueue} and
 * {@link dev.vireo.io.uring.CompletionQueue} (the shared rings, with acquire/release index
 * updates), {@link dev.vireo.io.uring.UserData} (routing completions), {@link dev.vireo.io.uring.Probe}
 * (what the kernel offers) and {@link dev.vireo.io.uring.UringEngine}.
 */
package dev.vireo.io.uring;
