/**
 * Virtqueues (split and packed), the virtio device framework and vireo's devices: console, entropy,
 * block, file system. (Built by the virtio issue.)
 */
package dev.vireo.virtio;
