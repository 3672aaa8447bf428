#!/usr/bin/env bash
# Wall time of `vireo run -- true` (warm caches) against a plain QEMU + C virtiofsd launch of the
# same kernel with an initramfs of the same content (busybox, the same modules, an /init that boots,
# mounts the share, runs `true` and powers off); medians of N runs, interleaved; vireo/plain ratio;
# peak RSS of vireo's JVM (VmHWM, sampled). docs/run.md records the figures.
#   bench/vm/run-bench.sh [N]        (default N=5)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
n=${1:-5}
vireo=$here/vireo
work=$(mktemp -d /tmp/vireo-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/share"
echo "shared" > "$work/share/file"

echo "== warming up: vireo run -- true (builds vireo, fetches the kernel and busybox, builds the initramfs)"
"$vireo" run --share "$work/share" -- true
# The launcher's AOT cache is recorded from the first `vireo run` after a build: record it again
# from a warm run of the command measured here, so that every measurement uses the same cache.
echo "== recording the launcher's AOT cache from a warm vireo run -- true"
rm -f "$here/vireo-cli/target/vireo.aot"
"$vireo" run --share "$work/share" -- true

. "$here/bench/vm/plain-guest.sh"
plain_guest_paths
# The plain launch's initramfs: same busybox, same modules, the shape of vireo's /init without its protocol.
cat > "$work/body" <<'INIT'
cd /mnt && true
echo "exit:$?" > /dev/ttyS0
sync
poweroff -f
INIT
plain_guest_initramfs "$work/body" "$work/plain.cpio.gz"
plain_guest_tsc tcg
# The plain launch as a script, so that /usr/bin/time can count its CPU time like vireo's.
cat > "$work/plain.sh" <<PLAIN
#!/usr/bin/env bash
d=\$(mktemp -d /tmp/vireo-bench-plain-XXXXXX)
/usr/lib/qemu/virtiofsd --socket-path="\$d/fs.sock" -o source="$work/share" -o cache=auto -o log_level=warn 2>/dev/null &
vp=\$!
while [ ! -S "\$d/fs.sock" ]; do sleep 0.002; done
qemu-system-x86_64 -machine microvm,acpi=on,memory-backend=mem -accel tcg -cpu max -smp 1 -m 512M \\
  -object memory-backend-memfd,id=mem,size=512M,share=on -nodefaults -no-user-config -display none -no-reboot \\
  -serial stdio -global virtio-mmio.force-legacy=false \\
  -chardev socket,id=fs,path="\$d/fs.sock" -device vhost-user-fs-device,chardev=fs,tag=share \\
  -kernel "$kernel" -initrd "$work/plain.cpio.gz" -append "console=ttyS0 panic=-1 reboot=t quiet ${tsc[*]}" </dev/null
wait "\$vp" 2>/dev/null || true
rm -rf "\$d"
PLAIN
chmod +x "$work/plain.sh"

# wall ms, CPU ms (user + system of the whole process tree: QEMU, the daemon, and vireo's JVM or bash)
timed() {
  local out=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" > "$out" 2>/dev/null
  awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' "$work/time"
}
declare -a tv tp cv cp rss
for i in $(seq "$n"); do
  read -r w c < <(timed "$work/plain.out" "$work/plain.sh")
  grep -q "exit:0" "$work/plain.out" || { echo "plain launch failed: $(cat "$work/plain.out")" >&2; exit 1; }
  tp+=("$w"); cp+=("$c")

  timed "$work/vireo.out" "$vireo" run --share "$work/share" -- true > "$work/vireo.t" &
  tpid=$!
  hwm=0
  jpid=
  # Find vireo's JVM once (pgrep is not cheap on a busy host), then sample its VmHWM every 0.1 s.
  while kill -0 "$tpid" 2>/dev/null; do
    [ -z "$jpid" ] && jpid=$(pgrep -n -f "vireo.jar run --share $work/share" || true)
    if [ -n "$jpid" ]; then
      h=$(awk '/^VmHWM/ {print $2}' "/proc/$jpid/status" 2>/dev/null || true)
      [ -n "$h" ] && hwm=$h
    fi
    sleep 0.1
  done
  wait "$tpid"
  read -r w c < "$work/vireo.t"
  tv+=("$w"); cv+=("$c"); rss+=("$hwm")
  echo "run $i: plain ${tp[-1]} ms (CPU ${cp[-1]} ms), vireo ${tv[-1]} ms (CPU ${cv[-1]} ms), vireo JVM peak RSS $((hwm / 1024)) MiB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mp=$(median "${tp[@]}"); mv=$(median "${tv[@]}"); mr=$(median "${rss[@]}")
mcp=$(median "${cp[@]}"); mcv=$(median "${cv[@]}")
echo
echo "vireo run -- true (warm)           median ${mv} ms"
echo "plain QEMU + C virtiofsd           median ${mp} ms"
awk -v v="$mv" -v p="$mp" 'BEGIN {printf "ratio vireo/plain                  %.2fx (target 1.10x)\n", v / p}'
awk -v v="$mcv" -v p="$mcp" 'BEGIN {printf "CPU time, vireo %d ms / plain %d ms  %.2fx\n", v, p, v / p}'
echo "vireo JVM peak RSS (VmHWM)         median $((mr / 1024)) MiB"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); accelerator: TCG unless the host has VMX/SVM"
echo "reproduce: bench/vm/run-bench.sh $n"
