/**
 * Virtqueue structs and virtio constants ({@code linux/virtio_ring.h}, {@code linux/virtio_config.h},
 * {@code linux/virtio_ids.h}). All multi-byte fields are little-endian (virtio 1.2 §1.4), declared
 * so even on x86.
 */
package dev.vireo.sys.abi.virtio;
