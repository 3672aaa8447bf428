/**
 * Guest memory: regions of a guest-physical address space backed by mapped memfds, bounds-checked
 * views, and scatter-gather readers and writers shared by the FUSE codec and the virtqueues.
 * (Built by the virtio issue.)
 */
package dev.vireo.mem;
