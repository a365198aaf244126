#!/usr/bin/env bash
# Data-parallel step efficiency on this machine: the same tiny model and data, one epoch, through
# `eq launcher --nproc N` for N = 1, 2, 3 (gloo on loopback). Prints, per N, the median step time rank 0 logged,
# the windows per second over all ranks (N x batch / step) and the efficiency against N = 1.
#   benchmarks/ranks.sh [EQ_JAR]
set -euo pipefail
jar=$(realpath "${1:-eq.jar}")
work=$(mktemp -d /tmp/eq-ranks.XXXXXX)
trap 'rm -rf "$work"' EXIT
java -jar "$jar" data generate --out "$work/data" > /dev/null
flags=(--data-dir "$work/data" --window_length 200 --windows 750 --model reference --d_model 32 --n_head 2
  --num_layers 2 --dim_feedforward 64 --max_length 200 --batch_size 8 --epochs 2)
base=
for n in 1 2 3; do
  java -jar "$jar" launcher --nproc "$n" --master_port $((29800 + n)) -- "${flags[@]}" --out "$work/run$n" > "$work/log$n" 2>&1
  step=$(grep '"event":"epoch","time":"[^"]*","epoch":2' "$work/run$n/train_log.jsonl" | grep -o '"median_step_s":[0-9.eE-]*' | cut -d: -f2)
  rate=$(python3 -c "print(f'{$n * 8 / $step:.1f}')")
  base=${base:-$rate}
  echo "ranks $n: median step $(python3 -c "print(f'{$step*1000:.1f}')") ms, $rate windows/s, efficiency $(python3 -c "print(f'{$rate / $base / $n:.2f}')") per rank"
done
