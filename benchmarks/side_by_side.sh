#!/usr/bin/env bash
# Java vs the Python original, side by side: the reference configuration (batch 9 x 1500 x 10, fp32, exact
# reference semantics including dropout on attention weights), alternating runs on the same machine, median
# step time of each run (first step excluded), then the median over runs and the ratio.
#
#   benchmarks/side_by_side.sh [RUNS] [-- extra Java training flags]     (default 5 runs; ~12 min on 2 cores)
#
# Needs Debian's python3-torch and a built eq.jar. Debian's torch does its matrix products through
# libblas.so.3; with the reference BLAS behind it (the default) it runs single-threaded and ~5x slower, which
# would flatter Java. Install OpenBLAS so the alternatives system points libblas.so.3 at it:
#   apt-get install python3-torch libopenblas0-pthread
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
[ "${1:-}" = "--" ] && shift
py=/usr/bin/python3
$py -c 'import torch' 2>/dev/null || { echo "side_by_side: $py has no torch; apt-get install python3-torch" >&2; exit 2; }
if update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q '^Value: .*/blas/libblas.so.3$'; then
  echo "side_by_side: libblas.so.3 is the reference BLAS; apt-get install libopenblas0-pthread for a fair comparison" >&2
  exit 2
fi
[ -f eq.jar ] || { echo "side_by_side: build eq.jar first (mvn -B -q -DskipTests package)" >&2; exit 2; }
[ -f eq_data/value_0 ] || java -jar eq.jar data generate --out eq_data --seed 1
out=$(mktemp -d)
java_steps=(); py_steps=(); java_rss=(); py_rss=()
for r in $(seq "$runs"); do
  line=$($py benchmarks/python/train_steps.py --data-dir eq_data --steps 11 --threads "$(nproc)")
  py_steps+=("$(awk '{print $3}' <<< "$line")"); py_rss+=("$(awk '{print $5}' <<< "$line")")
  /usr/bin/time -f '%M' -o "$out/rss" java -jar eq.jar --model reference --epochs 1 --out "$out/run$r" "$@" \
    > "$out/java$r.log" 2>&1
  # The epoch's median step time, first step excluded, as for Python.
  java_steps+=("$(grep -o '"median_step_s" *: *[0-9.eE-]*' "$out/run$r/train_log.jsonl" | tail -1 | sed 's/.*: *//')")
  java_rss+=("$(awk '{printf "%.0f", $1 / 1024}' "$out/rss")")
  echo "run $r: python ${py_steps[-1]} s/step (${py_rss[-1]} MB), java ${java_steps[-1]} s/step (${java_rss[-1]} MB)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pm=$(median "${py_steps[@]}"); jm=$(median "${java_steps[@]}")
echo "median over $runs runs: python $pm s/step, peak $(median "${py_rss[@]}") MB; java $jm s/step, peak $(median "${java_rss[@]}") MB"
awk -v p="$pm" -v j="$jm" 'BEGIN { r = j / p; printf "java / python step time: %.3f (java %.2fx %s)\n", r, r < 1 ? 1 / r : r, r < 1 ? "faster" : "slower" }'
rm -rf "$out"
