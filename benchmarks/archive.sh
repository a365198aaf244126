#!/usr/bin/env bash
# Throughput of archive inversion (eq invert --inputs-from): station-days per minute, and how it grows with
# the number of files. A "station-day" is one 24-hour record of the model's 10 channels at 100 Hz.
#   benchmarks/archive.sh CHECKPOINT [WORKDIR]     (eq.jar built; /usr/bin/python3 with numpy)
set -euo pipefail
ckpt=$(realpath "${1:?checkpoint}")
work=${2:-/tmp/eq-archive-bench}
jar=$(realpath "$(dirname "$0")/../eq.jar")
data=$(realpath "$(dirname "$0")/../eq_data")
mkdir -p "$work"
[[ -f $data/value_0 ]] || java -jar "$jar" data generate --out "$data" > /dev/null
for h in 1 24; do
  [[ -f $work/rec-${h}h.npy ]] || /usr/bin/python3 "$(dirname "$0")/day_record.py" "$data" "$work/rec-${h}h.npy" "$h" >/dev/null
done
printf "files\thours each\tstation-days\twall s\tstation-days/min\tpeak RSS MB\n"
for case in "1 1" "8 1" "32 1" "1 24" "4 24"; do
  set -- $case
  n=$1 h=$2
  in=$work/in-$n-$h out=$work/out-$n-$h
  rm -rf "$in" "$out"; mkdir -p "$in"
  for i in $(seq "$n"); do ln "$work/rec-${h}h.npy" "$in/sta$i.npy"; done
  /usr/bin/time -f "%e %M" -o "$work/time" java -jar "$jar" invert --checkpoint "$ckpt" --inputs-from "$in" \
    --output "$out" --format npy > "$work/log-$n-$h" 2>&1
  read -r secs kb < "$work/time"
  days=$(echo "$n * $h / 24" | bc -l)
  printf "%d\t%d\t%.3f\t%.1f\t%.2f\t%d\n" "$n" "$h" "$days" "$secs" "$(echo "$days * 60 / $secs" | bc -l)" $((kb / 1024))
  rm -rf "$in" "$out"
done
