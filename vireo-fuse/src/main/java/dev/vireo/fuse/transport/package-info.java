/**
 * Transports: the {@link dev.vireo.fuse.transport.Exchange} SPI through which any transport hands
 * requests to the protocol code and gets replies back, and the /dev/fuse transport
 * ({@link dev.vireo.fuse.transport.DevFuseTransport}, {@link dev.vireo.fuse.transport.FuseMount},
 * {@link dev.vireo.fuse.transport.FuseServer}). The virtio-fs device is the other transport.
 */
package dev.vireo.fuse.transport;
