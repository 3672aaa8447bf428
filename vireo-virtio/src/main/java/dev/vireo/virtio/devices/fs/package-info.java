/**
 * The file system device (virtio 1.2 §5.11): tag, hiprio and request queues, FUSE request framing and (possibly asynchronous) completion; the FUSE work is done by a {@link dev.vireo.virtio.devices.fs.FuseRequestHandler}.
 */
package dev.vireo.virtio.devices.fs;
