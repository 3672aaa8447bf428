#!/usr/bin/env bash
# Wall time of `vireo run -- true` (warm caches) against a plain QEMU + C virtiofsd launch of the
# same kernel with an initramfs of the same content (busybox, the same modules, an /init that boots,
# mounts the share, runs `true` and powers off); medians of N runs, interleaved; vireo/plain ratio;
# peak RSS of vireo's JVM (VmHWM, sampled). docs/run.md records the figures.
#   bench/run/run-bench.sh [N]        (default N=5)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
n=${1:-5}
vireo=$here/vireo
work=$(mktemp -d /tmp/vireo-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/share"
echo "shared" > "$work/share/file"

echo "== warming up: vireo run -- true (fetches the kernel and busybox, builds the initramfs, trains the AOT cache)"
"$vireo" run --share "$work/share" -- true

cache=${VIREO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vireo}
read -r kpkg kver < "$cache/debian/linux-image-cloud-amd64.resolved"
read -r bpkg bver < "$cache/debian/busybox-static.resolved"
kroot=$cache/debian/${kpkg}_${kver//:/%}
busybox=$cache/debian/${bpkg}_${bver//:/%}/bin/busybox
kernel=$(ls "$kroot"/boot/vmlinuz-*)
modules=(virtio_ring virtio virtio_mmio fuse virtiofs)

# The plain launch's initramfs: same busybox, same modules, the shape of vireo's /init without its protocol.
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,mnt,lib/modules}
cp "$busybox" "$root/bin/busybox"
for m in "${modules[@]}"; do cp "$(find "$kroot/lib/modules" -name "$m.ko" | head -n 1)" "$root/lib/modules/"; done
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s /bin
for m in virtio_ring virtio virtio_mmio fuse virtiofs; do insmod /lib/modules/$m.ko; done
mount -t virtiofs share /mnt
cd /mnt && true
echo "exit:$?" > /dev/ttyS0
sync
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1 > "$work/plain.cpio.gz")

tsc=()
if grep -qw constant_tsc /proc/cpuinfo && grep -qw nonstop_tsc /proc/cpuinfo; then
  khz=$(awk -F: '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)
  tsc=("tsc_early_khz=$khz" "tsc=reliable")
fi
plain() {
  local d
  d=$(mktemp -d /tmp/vireo-bench-plain-XXXXXX)
  /usr/lib/qemu/virtiofsd --socket-path="$d/fs.sock" -o source="$work/share" -o cache=auto -o log_level=warn &
  local vp=$!
  while [ ! -S "$d/fs.sock" ]; do sleep 0.002; done
  qemu-system-x86_64 -machine microvm,acpi=on,memory-backend=mem -accel tcg -cpu max -smp 1 -m 512M \
    -object memory-backend-memfd,id=mem,size=512M,share=on -nodefaults -no-user-config -display none -no-reboot \
    -serial stdio -global virtio-mmio.force-legacy=false \
    -chardev socket,id=fs,path="$d/fs.sock" -device vhost-user-fs-device,chardev=fs,tag=share \
    -kernel "$kernel" -initrd "$work/plain.cpio.gz" -append "console=ttyS0 panic=-1 reboot=t quiet ${tsc[*]}" </dev/null
  wait "$vp" 2>/dev/null || true
  rm -rf "$d"
}

ms() { echo $(( $(date +%s%N) / 1000000 )); }
declare -a tv tp rss
for i in $(seq "$n"); do
  s=$(ms); out=$(plain 2>/dev/null); e=$(ms)
  grep -q "exit:0" <<<"$out" || { echo "plain launch failed: $out" >&2; exit 1; }
  tp+=($((e - s)))

  s=$(ms)
  "$vireo" run --share "$work/share" -- true &
  pid=$!
  hwm=0
  while kill -0 "$pid" 2>/dev/null; do
    h=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$h" ] && hwm=$h
    sleep 0.02
  done
  wait "$pid"
  e=$(ms)
  tv+=($((e - s)))
  rss+=("$hwm")
  echo "run $i: plain ${tp[-1]} ms, vireo ${tv[-1]} ms, vireo JVM peak RSS $((hwm / 1024)) MiB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mp=$(median "${tp[@]}"); mv=$(median "${tv[@]}"); mr=$(median "${rss[@]}")
echo
echo "vireo run -- true (warm)           median ${mv} ms"
echo "plain QEMU + C virtiofsd           median ${mp} ms"
awk -v v="$mv" -v p="$mp" 'BEGIN {printf "ratio vireo/plain                  %.2fx (target 1.10x)\n", v / p}'
echo "vireo JVM peak RSS (VmHWM)         median $((mr / 1024)) MiB"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); accelerator: TCG unless the host has VMX/SVM"
echo "reproduce: bench/run/run-bench.sh $n"
