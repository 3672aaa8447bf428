/**
 * One FUSE connection's protocol state: the {@link dev.vireo.fuse.session.Session} (INIT state
 * machine, negotiated parameters, interrupts), a {@link dev.vireo.fuse.session.Dispatcher} per
 * serving thread (decoding, validation, calling the file system), and the request objects that
 * guarantee every request is answered exactly once. Transports feed dispatchers
 * {@link dev.vireo.fuse.transport.Exchange}s.
 */
package dev.vireo.fuse.session;
