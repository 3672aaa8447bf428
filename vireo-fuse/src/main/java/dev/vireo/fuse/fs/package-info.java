/**
 * The API a FUSE file system implements: {@link dev.vireo.fuse.fs.LowLevelFileSystem}, inode-based
 * like libfuse's low-level API (node ids, lookup counts and FORGET), answering through
 * {@link dev.vireo.fuse.fs.Request}, with reusable reply holders ({@link dev.vireo.fuse.fs.Attr},
 * {@link dev.vireo.fuse.fs.Entry}) and request views ({@link dev.vireo.fuse.fs.Name},
 * {@link dev.vireo.fuse.fs.SetAttr}) so that serving allocates nothing per request.
 */
package dev.vireo.fuse.fs;
