/**
 * The FUSE protocol, its session and dispatcher, the low-level file system API, the passthrough file
 * system and the /dev/fuse transport. (Built by the FUSE issue.)
 */
package dev.vireo.fuse;
