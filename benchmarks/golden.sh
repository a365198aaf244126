#!/usr/bin/env bash
# Golden figures for a refactoring that must not change behaviour: a short fixed-seed run of each model (every
# printed loss), `evaluate` and `--inference` on its checkpoint, `invert` of a fixed record into every output
# format, all reduced to one text file. Run before and after; `diff` the two files: they must be identical.
#   benchmarks/golden.sh OUT.txt [WORKDIR]      (eq.jar built; /usr/bin/python3 with numpy)
set -euo pipefail
out=$(realpath -m "${1:?output file}")
work=${2:-$(mktemp -d /tmp/eq-golden.XXXXXX)}
root=$(cd "$(dirname "$0")/.." && pwd)
eq() { java -jar "$root/eq.jar" "$@"; }
mkdir -p "$work"
[[ -f $root/eq_data/value_0 ]] || eq data generate --out "$root/eq_data" > /dev/null # as the first command would
[[ -f $work/hour.npy ]] || /usr/bin/python3 "$root/benchmarks/day_record.py" "$root/eq_data" "$work/hour.npy" 1 >/dev/null
# times, paths and memory vary from run to run; everything else is compared
strip() { sed -E 's/\([0-9.]+ s(\/step)?\)//g; s/[0-9.]+ s\/step//g; s/ in [0-9.]+ s//g; s#/tmp/[^ ]*##g; s/"(time|process_memory_mb|seconds|created|[a-z_]+_(s|ms))" ?: ?[^,}]*,?//g'; }
: > "$out"
for model in reference fir-transformer wiener-transformer wiener-cnn; do
  run=$work/run-$model
  rm -rf "$run" "$work/eval-$model"
  case $model in
    reference) patch=() ;;
    fir-transformer) patch=(--patch 10 --fir_taps 41) ;;
    wiener-cnn) patch=(--patch 3 --fir_taps 64) ;;
    *) patch=(--patch 10 --fir_taps 64) ;;
  esac
  size=(--d_model 16 --n_head 2 --num_layers 1 --dim_feedforward 32)
  [[ $model == wiener-cnn ]] && size=(--d_model 8 --n_head 1 --num_layers 2 --dim_feedforward 8)
  eq --model "$model" --data-dir "$root/eq_data" --windows 750 --window_length 200 "${size[@]}" \
    --max_length 200 "${patch[@]}" --batch_size 8 --epochs 2 \
    --seed 3 --threads 2 --out "$run" > "$work/train.log" 2>&1 || { cat "$work/train.log"; exit 1; }
  grep -E "loss|kept|epoch 0" "$work/train.log" | strip | sed "s/^/$model train: /" >> "$out"
  strip < "$run/train_log.jsonl" | sed "s/^/$model log: /" >> "$out"
  eq evaluate --checkpoint "$run/model_transf/model.eqt" --out "$work/eval-$model" > "$work/eval.log" 2>&1 \
    || { cat "$work/eval.log"; exit 1; }
  strip < "$work/eval-$model/evaluation.json" | sed "s/^/$model evaluate: /" >> "$out"
  eq --inference --checkpoint "$run/model_transf/model.eqt" --window 700 --windows 750 --window_length 200 \
    --data-dir "$root/eq_data" > "$work/inf.log" 2>&1 \
    || { cat "$work/inf.log"; exit 1; }
  strip < "$(ls -d "$run"/inference-* | head -1)/metrics.json" | sed "s/^/$model inference: /" >> "$out"
  rm -rf "$run"/inference-*
  # NPY carries no identity: the codes and start are given, as a user must for miniSEED output
  identity=(--network XA --station GOLD --location 00 --channels H00,H01,H02,H03,H04,H05,H06,H07,H08,H09
    --starttime 2024-01-02T03:04:05.123456Z)
  # the reference holds out no validation block, so it has no error bars to write
  intervals=(--intervals 0.9)
  [[ $model == reference ]] && intervals=()
  for fmt in npy mseed; do
    rm -f "$work"/inv*."$fmt"
    eq invert --checkpoint "$run/model_transf/model.eqt" --input "$work/hour.npy" --output "$work/inv.$fmt" \
      "${identity[@]}" "${intervals[@]}" > "$work/inv.log" 2>&1 || { cat "$work/inv.log"; exit 1; }
    echo "$model invert $fmt: $(cat "$work"/inv*."$fmt" | md5sum)" >> "$out"
  done
  for fmt in sac text; do
    rm -rf "$work/inv-$fmt"
    eq invert --checkpoint "$run/model_transf/model.eqt" --input "$work/hour.npy" --output "$work/inv-$fmt" \
      "${identity[@]}" --format "$fmt" > "$work/inv.log" 2>&1 || { cat "$work/inv.log"; exit 1; }
    echo "$model invert $fmt: $(cat "$work/inv-$fmt"/* | md5sum)" >> "$out"
  done
done
echo "wrote $out ($(wc -l < "$out") lines)"
