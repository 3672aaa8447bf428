/**
 * vhost-user backends: serve any vireo virtio device to QEMU or another VMM over a Unix socket.
 * (Built by the vhost-user issue.)
 */
package dev.vireo.vhost;
