# Sourced by the file-system benchmarks (bench/fuse/run, bench/fsload/run): a fresh, journalled
# ext4 on a loop device for the directory the servers share, made per invocation.
#
# Why: /var/tmp on these machines is ext4 *without* a journal, and there the inode allocator skips
# inodes freed in the last minute (five while their inode-table block is dirty) and reads each
# skipped inode's deletion time (ext4 ialloc.c: find_inode_bit -> recently_deleted; only without
# a journal). Every create/unlink or untar/rm -rf row then slows the rows after it, whoever serves
# them: native untar of the same tree ran at 2,400 to 25,900 files/s in one invocation. With a
# journal the allocator does not look back, and a fresh file system gives each invocation the same
# start. The loop device uses direct I/O, so a read after drop_caches reaches the disk once (no
# second copy in the image file's page cache).
#
#   scratch_fs_mount IMAGE MOUNTPOINT SIZE    makes and mounts it (SIZE as for truncate: 8G)
#   scratch_fs_umount                          unmounts it, detaches the loop device, deletes IMAGE

SCRATCH_IMAGE=""
SCRATCH_MNT=""
SCRATCH_LOOP=""

scratch_fs_mount() {
  local image=$1 mnt=$2 size=$3
  for t in mkfs.ext4 losetup; do
    command -v "$t" >/dev/null || { echo "scratch-fs: needs $t (apt-get install e2fsprogs mount)" >&2; return 1; }
  done
  mkdir -p "$mnt" "$(dirname "$image")"
  if mountpoint -q "$mnt"; then umount "$mnt"; fi
  rm -f "$image"
  truncate -s "$size" "$image"
  # Initialise inode tables and journal now: otherwise the kernel's ext4lazyinit thread zeroes them
  # in the background during the first rows.
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$image"
  SCRATCH_LOOP=$(losetup -f --show --direct-io=on "$image")
  mount "$SCRATCH_LOOP" "$mnt"
  SCRATCH_IMAGE=$image
  SCRATCH_MNT=$mnt
  echo "scratch-fs: fresh journalled ext4 ($size, $SCRATCH_LOOP with direct I/O) at $mnt" >&2
}

scratch_fs_umount() {
  [ -n "$SCRATCH_MNT" ] || return 0
  umount "$SCRATCH_MNT" 2>/dev/null || umount -l "$SCRATCH_MNT" 2>/dev/null || true
  [ -n "$SCRATCH_LOOP" ] && losetup -d "$SCRATCH_LOOP" 2>/dev/null || true
  rm -f "$SCRATCH_IMAGE"
  SCRATCH_MNT=""
  SCRATCH_LOOP=""
  SCRATCH_IMAGE=""
}
