/**
 * A FUSE client over a virtio-fs request queue (virtio 1.2 §5.11.6): what the guest's virtiofs
 * driver does, driven by {@code vireo fsload} against any vhost-user-fs daemon. Requests are
 * framed as fuse.h lays them out, many are in flight at once, and every reply is checked before it
 * is believed.
 */
package dev.vireo.vhost.fsclient;
