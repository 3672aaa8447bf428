# Sourced by the benchmarks that boot a guest without vireo (bench/vm/run-bench.sh,
# bench/guestfio/run): the same Debian kernel and busybox as `vireo run` (from its cache: run
# `vireo run` once first), an initramfs of busybox, the virtio-fs modules and an /init that mounts
# the share at /mnt, and the kernel parameters TCG needs on microvm.
#
#   plain_guest_paths                 sets kernel, kroot and busybox from vireo's cache
#   plain_guest_initramfs BODY OUT    /init = the common start (proc, sys, dev, modules, the share
#                                     "share" at /mnt) then the file BODY; a gzip'd cpio to OUT
#   plain_guest_tsc ACCEL             sets the array tsc: tsc_early_khz/tsc=reliable under TCG on a
#                                     host with an invariant TSC (microvm has no timer to calibrate
#                                     it against), else empty

plain_guest_paths() {
  local cache=${VIREO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vireo} kpkg kver bpkg bver
  read -r kpkg kver < "$cache/debian/linux-image-cloud-amd64.resolved"
  read -r bpkg bver < "$cache/debian/busybox-static.resolved"
  kroot=$cache/debian/${kpkg}_${kver//:/%}
  busybox=$cache/debian/${bpkg}_${bver//:/%}/bin/busybox
  kernel=$(ls "$kroot"/boot/vmlinuz-*)
}

plain_guest_initramfs() {
  local body=$1 out=$2 root m
  root=$(mktemp -d "${TMPDIR:-/tmp}/vireo-plain-root-XXXXXX")
  mkdir -p "$root"/{bin,dev,proc,sys,mnt,lib/modules}
  cp "$busybox" "$root/bin/busybox"
  for m in virtio_ring virtio virtio_mmio fuse virtiofs; do
    cp "$(find "$kroot/lib/modules" -name "$m.ko" | head -n 1)" "$root/lib/modules/"
  done
  {
    cat <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s /bin
for m in virtio_ring virtio virtio_mmio fuse virtiofs; do insmod /lib/modules/$m.ko; done
mount -t virtiofs share /mnt
INIT
    cat "$body"
  } > "$root/init"
  chmod +x "$root/init"
  (cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1 > "$out")
  rm -rf "$root"
}

plain_guest_tsc() {
  tsc=()
  if [ "$1" = tcg ] && grep -qw constant_tsc /proc/cpuinfo && grep -qw nonstop_tsc /proc/cpuinfo; then
    local khz
    khz=$(awk -F: '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)
    tsc=("tsc_early_khz=$khz" "tsc=reliable")
  fi
}
