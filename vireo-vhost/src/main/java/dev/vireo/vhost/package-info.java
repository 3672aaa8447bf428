/**
 * vhost-user: serving vireo's virtio devices to another process's virtqueues over a Unix socket.
 * {@code proto} has the messages, {@code conn} the socket with descriptor passing, {@code backend}
 * the device-side state machine, and {@code frontend} a front-end (for tests and {@code vireo fsload}).
 */
package dev.vireo.vhost;
