#!/usr/bin/env bash
# Peak RSS and wall time of inverting an SDS archive against the same span as one NPY (the long-record path).
# Usage: benchmarks/archive/memory.sh CHECKPOINT [DAYS=3] [WORK=/tmp/eq-archive]
# Needs ObsPy (shared/ref/obspy beside the repository) to write the archive; GNU time for the peak RSS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
ckpt=$1; days=${2:-3}; work=${3:-/tmp/eq-archive}
obspy=$repo/../shared/ref/obspy/run.sh
mkdir -p "$work"
[ -d "$work/sds$days" ] || "$obspy" "$here/make_sds.py" "$work/sds$days" "$work/span$days.npy" "$days"
ids=$(printf 'XX.STA%02d..HHZ,' 0 1 2 3 4 5 6 7 8 9); ids=${ids%,}
end=$(date -u -d "2024-01-01 + $days days" +%Y-%m-%dT%H:%M:%SZ)
measure() { # label, then the command
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >"$work/$label.log" 2>&1
  read -r wall kb <"$work/time.txt"
  printf '%-10s %8.1f s %8d MB\n' "$label" "$wall" $((kb / 1024))
}
measure sds java -jar "$repo/eq.jar" invert --checkpoint "$ckpt" --sds "$work/sds$days" --channels "$ids" \
  --start 2024-01-01T00:00:00Z --end "$end" --output "$work/sds.npy" --overwrite
measure npy java -jar "$repo/eq.jar" invert --checkpoint "$ckpt" --input "$work/span$days.npy" \
  --output "$work/npy.npy" --overwrite
grep '^gaps:' "$work/sds.log" || true
