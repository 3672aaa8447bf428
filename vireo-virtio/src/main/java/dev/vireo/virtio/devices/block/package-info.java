/**
 * The block device (virtio 1.2 §5.2) over a raw image: IN, OUT, FLUSH, GET_ID, DISCARD, WRITE_ZEROES, read-only and multi-queue, with preadv/pwritev straight between the image and guest memory.
 */
package dev.vireo.virtio.devices.block;
