/**
 * The console device (virtio 1.2 §5.3): ports on stdio, files, pseudo-terminals or Unix sockets, MULTIPORT control queues, console size.
 */
package dev.vireo.virtio.devices.console;
