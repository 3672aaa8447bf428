/**
 * The FUSE protocol ({@code include/uapi/linux/fuse.h}): opcodes ({@link dev.vireo.fuse.proto.Opcode}),
 * versions ({@link dev.vireo.fuse.proto.ProtocolVersion}), and the codec that reads requests from and
 * writes replies into scatter-gather lists ({@link dev.vireo.fuse.proto.RequestReader},
 * {@link dev.vireo.fuse.proto.ReplyEncoder}), so that the same code serves /dev/fuse buffers and
 * virtio-fs descriptor chains. Struct layouts are those of {@code dev.vireo.sys.abi.fuse}, checked
 * against the installed header.
 *
 * <h2>Supported protocol minors</h2>
 * vireo speaks 7.31 to 7.45 and answers a newer kernel with 7.45 (fuse.h's negotiation: both sides
 * use the smaller minor). What each minor in that range adds, and what vireo does with it:
 * <ul>
 *   <li>7.31: FUSE_WRITE_KILL_PRIV, SETUPMAPPING/REMOVEMAPPING, map_alignment (DAX) —
 *       mappings are answered ENOSYS (no DAX yet).</li>
 *   <li>7.32: fuse_attr.flags, FUSE_ATTR_SUBMOUNT, FUSE_SUBMOUNTS — attributes carry flags 0; submounts
 *       are not announced.</li>
 *   <li>7.33: FUSE_HANDLE_KILLPRIV_V2, FUSE_WRITE_KILL_SUIDGID, FATTR_KILL_SUIDGID,
 *       FUSE_OPEN_KILL_SUIDGID, FUSE_SETXATTR_EXT (16-byte fuse_setxattr_in) — used.</li>
 *   <li>7.34: SYNCFS — served.</li>
 *   <li>7.35: FOPEN_NOFLUSH — not used.</li>
 *   <li>7.36: fuse_init_in/out extended, flags2 (INIT_EXT), FUSE_SECURITY_CTX, FUSE_HAS_INODE_DAX —
 *       flags2 is read and written; security contexts are not requested.</li>
 *   <li>7.37: TMPFILE — served.</li>
 *   <li>7.38: total_extlen and request extensions, FUSE_EXT_GROUPS, FUSE_CREATE_SUPP_GROUP,
 *       FOPEN_PARALLEL_DIRECT_WRITES, FUSE_HAS_EXPIRE_ONLY — extensions are parsed and excluded
 *       from the arguments; the supplementary group is used for creates.</li>
 *   <li>7.39: FUSE_DIRECT_IO_ALLOW_MMAP, STATX — STATX is answered ENOSYS (the kernel falls back to
 *       GETATTR).</li>
 *   <li>7.40: max_stack_depth, FUSE_PASSTHROUGH, backing_id in fuse_open_out, FUSE_NO_EXPORT_SUPPORT,
 *       FUSE_HAS_RESEND — not requested (backing_id is written 0).</li>
 *   <li>7.41: FUSE_ALLOW_IDMAP — not requested.</li>
 *   <li>7.42: FUSE_OVER_IO_URING — not requested (the /dev/fuse transport reads the device).</li>
 *   <li>7.43: FUSE_REQUEST_TIMEOUT — not requested.</li>
 *   <li>7.44: FUSE_NOTIFY_INC_EPOCH — vireo sends no notifications.</li>
 *   <li>7.45: COPY_FILE_RANGE_64 with fuse_copy_file_range_out — served.</li>
 * </ul>
 * Every reply size vireo writes has been the same since 7.23, so no compat sizes are needed in this
 * range. Opcodes vireo does not serve (BMAP, IOCTL, POLL, SETUPMAPPING, REMOVEMAPPING, STATX, CUSE)
 * are answered ENOSYS.
 */
package dev.vireo.fuse.proto;
