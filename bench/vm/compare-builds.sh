#!/usr/bin/env bash
# Start-up of `vireo run --share DIR -- true` for two or more builds of vireo, run alternately so
# that a busy host weighs on each alike: median wall time and median CPU time of vireo's JVM
# (what `VIREO_DEBUG=vmm` prints at the end of a run). Each build gets an AOT cache recorded from a
# warm run, as the ./vireo launcher records it. Build each checkout first (./vireo --version).
# Also the median time from the launch to QEMU's start (the JVM's own start-up and device set-up,
# where the plain launch of bench/vm/run-bench.sh spends a few milliseconds), from the same log.
#   bench/vm/compare-builds.sh N CHECKOUT...      e.g.  bench/vm/compare-builds.sh 7 /tmp/old .
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
. "$here/scripts/jdk.sh"
vireo_find_jdk
n=${1:?usage: compare-builds.sh N CHECKOUT...}
shift
[ $# -ge 1 ] || { echo "usage: compare-builds.sh N CHECKOUT..." >&2; exit 2; }
work=$(mktemp -d /tmp/vireo-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/share"

# A debug line's time of day ("[vireo vmm debug HH:MM:SS.mmm ...") in ms since midnight.
log_ms() { sed -nE "s/^\[vireo vmm debug ([0-9:.]+) .*$1.*/\1/p" "$work/err" | head -n 1 \
  | awk -F'[:.]' '{printf "%d", (($1 * 60 + $2) * 60 + $3) * 1000 + $4}'; }
run() {  # checkout, extra JVM options...; prints "wall_ms jvm_cpu_ms launch_to_qemu_ms"
  local d=$1 start; shift
  start=$(date +%H:%M:%S.%N | awk -F'[:.]' '{printf "%d", (($1 * 60 + $2) * 60 + $3) * 1000 + substr($4, 1, 3)}')
  VIREO_DEBUG=vmm /usr/bin/time -f "%e" -o "$work/time" "$VIREO_JAVA" --enable-native-access=ALL-UNNAMED "$@" \
      -jar "$d/vireo-cli/target/vireo.jar" run --share "$work/share" -- true </dev/null >/dev/null 2>"$work/err"
  echo "$(awk '{printf "%d", $1 * 1000}' "$work/time") $(sed -nE 's/.*this JVM used PT([0-9.]+)S.*/\1/p' "$work/err" | awk '{printf "%d", $1 * 1000}')" \
    "$(( $(log_ms 'starting qemu') - start ))"
}
declare -a dirs
for d in "$@"; do
  d=$(cd "$d" && pwd)
  [ -f "$d/vireo-cli/target/vireo.jar" ] || { echo "$d: no vireo-cli/target/vireo.jar (run ./vireo --version there)" >&2; exit 1; }
  dirs+=("$d")
  i=${#dirs[@]}
  run "$d" -XX:AOTMode=record -XX:AOTConfiguration="$work/$i.conf" -Xlog:aot=off -Xlog:cds=off >/dev/null
  "$VIREO_JAVA" --enable-native-access=ALL-UNNAMED -XX:AOTMode=create -XX:AOTConfiguration="$work/$i.conf" \
      -XX:AOTCache="$work/$i.aot" -Xlog:aot=off -Xlog:cds=off -jar "$d/vireo-cli/target/vireo.jar" >/dev/null 2>&1
done
declare -a walls cpus toqemu
for r in $(seq "$n"); do
  for i in "${!dirs[@]}"; do
    read -r w c q < <(run "${dirs[$i]}" -XX:AOTCache="$work/$((i + 1)).aot" -Xlog:aot=off -Xlog:cds=off)
    walls[i]+="$w "; cpus[i]+="$c "; toqemu[i]+="$q "
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for i in "${!dirs[@]}"; do
  # shellcheck disable=SC2086  # lists of numbers
  printf '%s (%s): wall %s ms, JVM CPU %s ms, launch to QEMU %s ms   [wall %s] [cpu %s] [to QEMU %s]\n' "${dirs[$i]}" \
      "$(git -C "${dirs[$i]}" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "$(median ${walls[$i]})" "$(median ${cpus[$i]})" "$(median ${toqemu[$i]})" "${walls[$i]}" "${cpus[$i]}" "${toqemu[$i]}"
done
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "reproduce: bench/vm/compare-builds.sh $n $*"
