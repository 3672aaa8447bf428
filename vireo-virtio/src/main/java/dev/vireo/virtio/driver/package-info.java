/**
 * The driver side of virtqueues (virtio 1.2 §2.7 split, §2.8 packed): what a guest driver does
 * to post buffers, notify the device and collect used buffers. Used by {@code vireo fsload} (a
 * vhost-user front-end without a VM) and by the device tests. Everything the device writes back
 * is checked before it is believed.
 */
package dev.vireo.virtio.driver;
