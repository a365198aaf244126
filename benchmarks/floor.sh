#!/usr/bin/env bash
# `eq invert` against its float32 compute floor on this machine, for a 6-hour and a 24-hour record of 10 channels
# at 100 Hz (benchmarks/day_record.py): prints the floor (eqt.bench.Floor: multiply-adds counted from the model,
# sgemm rate measured in the same run; for wiener-cnn every sample through the network once, for a Transformer its
# overlapping windows), the whole command's time, the time it reports as inverting, and both ratios, at fp32 and
# at --precision bf16 (the floor is float32's either way); then, for wiener-cnn, its training step and one halo
# chunk under JMH against their floors.
#   benchmarks/floor.sh [CHECKPOINT]     (default: a default-model checkpoint trained 1 epoch on eq_data;
#                                         inversion speed depends on the configuration, not the weights)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f eq.jar ] && [ -f benchmarks/target/benchmarks.jar ] || mvn -B -q -DskipTests package
work=$(mktemp -d /tmp/eq-floor.XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -f eq_data/value_0 ] || java -jar eq.jar data generate --out eq_data --seed 1 > /dev/null
ckpt=${1:-}
if [ -z "$ckpt" ]; then
  java -jar eq.jar --data-dir eq_data --epochs 1 --out "$work/run" > "$work/train.log" 2>&1
  ckpt=$work/run/model_transf/model.eqt
fi
java -cp benchmarks/target/benchmarks.jar eqt.bench.Floor "$ckpt" 6 24 | tee "$work/floor.txt"
for h in 6 24; do
  /usr/bin/python3 benchmarks/day_record.py eq_data "$work/rec$h.npy" "$h" > /dev/null
  for precision in fp32 bf16; do
    start=$(date +%s.%N)
    java -jar eq.jar invert --checkpoint "$ckpt" --input "$work/rec$h.npy" --output "$work/out$h.npy" \
      --precision "$precision" --overwrite > "$work/inv$h.log"
    whole=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    inverting=$(grep -o 'done in [0-9.]*' "$work/inv$h.log" | grep -o '[0-9.]*$')
    # every sample once (a convolution's floor); a Transformer's has only the windows floor
    floor=$( (grep "^floor $h h" "$work/floor.txt" || grep "^windows floor $h h" "$work/floor.txt") \
      | grep -o '[0-9.]* s$' | grep -o '^[0-9.]*')
    awk -v h="$h" -v p="$precision" -v w="$whole" -v i="$inverting" -v f="$floor" 'BEGIN {
      printf "%s h, %s: floor %.1f s; inverting %.1f s (%.2fx the floor); whole command %.1f s (%.2fx)\n", h, p, f, i, i / f, w, w / f }'
  done
  rm -f "$work/rec$h.npy" "$work/out$h.npy"
done
# The default model's training step and one halo chunk (JMH, eqt.bench.DefaultModelBenchmark, short runs) against
# their floors from the same Floor run: the step's forward and backward ≈ 3 × the forward's multiply-adds; the
# chunk's floor counts only the samples it keeps.
if grep -q '^step floor' "$work/floor.txt"; then
  java -jar benchmarks/target/benchmarks.jar DefaultModelBenchmark -wi 1 -w 5 -i 3 -r 5 -f 1 -rf csv -rff "$work/jmh.csv" \
    > "$work/jmh.log" 2>&1 || { tail -20 "$work/jmh.log"; exit 1; }
  cores=$(nproc)
  for b in step chunk; do
    ms=$(grep "DefaultModelBenchmark.$b\"" "$work/jmh.csv" | cut -d, -f5)
    floor=$(grep "^$b floor" "$work/floor.txt" | grep -o '[0-9.]* s$' | grep -o '^[0-9.]*')
    # a chunk runs on one core (one per core at once, as invert runs them): its floor on one core
    [ "$b" = chunk ] && floor=$(awk -v f="$floor" -v n="$cores" 'BEGIN { print f * n }')
    awk -v b="$b" -v ms="$ms" -v f="$floor" 'BEGIN { printf "%s: %.1f ms (JMH); floor %.1f ms; %.2fx the floor\n", b, ms, f * 1000, ms / 1000 / f }'
  done
fi
