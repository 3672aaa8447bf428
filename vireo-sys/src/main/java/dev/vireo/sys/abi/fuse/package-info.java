/**
 * Structs and constants of the FUSE protocol ({@code linux/fuse.h}), native byte order. The
 * protocol's semantics (records, codec, negotiation) live in {@code dev.vireo.fuse.proto}.
 */
package dev.vireo.sys.abi.fuse;
