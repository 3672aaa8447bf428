/**
 * {@link dev.vireo.fuse.passthrough.PassthroughFs}: serves a host directory, operating on each
 * inode through its own descriptor (never by path), with inodes held by file handle and a bounded
 * descriptor cache, requests run with the requester's identity, POSIX locks held on the host. Its
 * security model is in docs/fuse.md.
 */
package dev.vireo.fuse.passthrough;
