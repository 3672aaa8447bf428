/**
 * The entropy device (virtio 1.2 §5.4): random bytes from getrandom(2) straight into guest memory.
 */
package dev.vireo.virtio.devices.rng;
