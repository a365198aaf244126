#!/usr/bin/env bash
# The model study (issue: a model that actually inverts). Trains each configuration on the default data and on
# a second generated world (other seed, harsher physics), evaluates each on its held-out tail (windows 90-99,
# validation 80-89) beside the least-squares FIR baseline and predicting zero, and prints one table.
#
#   benchmarks/study/study.sh [OUT_DIR]        (default: runs/study; ~45 min on a 2-core machine)
#
# Every configuration gets the same wall-clock budget, about 8 minutes of training on 2 cores, set through its
# epochs from its measured epoch time (reference architecture: ~66 s per epoch of 9 steps; fir-transformer:
# ~4 s per epoch of 5 steps; both measured on the day of the table in benchmarks/NOTES.md). Every row holds out the same tail: validation windows 80-89, test 90-99.
# Set STUDY_QUICK=1 for a smoke run (2 epochs each) that checks the script, not the science.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/study}
mkdir -p "$out"
[ -f eq.jar ] || mvn -B -q -DskipTests package
jar="$out/eq-study.jar"           # a private copy: a rebuild must not replace the jar under a running JVM
cp eq.jar "$jar"
eq() { java -jar "$jar" "$@"; }

[ -f "$out/harsh/value_0" ] || eq data generate --out "$out/harsh" --seed 7 --physics harsh
[ -f eq_data/value_0 ] || eq data generate --out eq_data --seed 1

quick=${STUDY_QUICK:-0}
e() { if [ "$quick" = 1 ]; then echo 2; else echo "$1"; fi; }

# name | data | flags. Rows 1-3 keep the reference architecture and change the recipe step by step; row 4 is
# the default model; row 5 the default model on a world it was not tuned on.
held="--val_windows 10 --test_windows 10"
configs=(
  "reference recipe|eq_data|--model reference --epochs $(e 7) $held"
  "reference + standardise, lr 1e-3|eq_data|--model reference --normalize --lr 1e-3 --epochs $(e 7) $held"
  "reference + standardise, AdamW one-cycle, crops|eq_data|--model reference --normalize --lr 1e-3 --optimizer adamw --schedule onecycle --warmup 0.05 --sampling crops --epochs $(e 7) $held"
  "fir-transformer (default)|eq_data|--model fir-transformer --epochs $(e 120)"
  "fir-transformer (default)|$out/harsh|--model fir-transformer --epochs $(e 120)"
)
table="$out/table.tsv"
printf 'configuration\tdata\tminutes\ttest_mse\tfir_mse\tzero_mse\tratio_to_fir\n' > "$table"
# Rows already done (their evaluation exists) are not trained again, so an interrupted study resumes.
for c in "${configs[@]}"; do
  IFS='|' read -r name data flags <<< "$c"
  tag="$(tr -c 'A-Za-z0-9\n' '-' <<< "$name" | tr -s '-' | sed 's/-$//')-$(basename "$data")"
  run="$out/$tag"
  if [ ! -f "$run/evaluate/evaluation.json" ]; then
    start=$(date +%s)
    # shellcheck disable=SC2086
    eq $flags --data-dir "$data" --out "$run" --overwrite > "$run.log" 2>&1
    awk -v s="$start" -v e="$(date +%s)" 'BEGIN { printf "%.1f\n", (e - s) / 60 }' > "$run.minutes"
  fi
  minutes=$(cat "$run.minutes")
  [ -f "$run/evaluate/evaluation.json" ] || eq evaluate --checkpoint "$run/model_transf/model.eqt" --data-dir "$data" --out "$run/evaluate" --overwrite \
    > "$run/evaluate.log" 2>&1
  python3 - "$run/evaluate/evaluation.json" "$name" "$(basename "$data")" "$minutes" >> "$table" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["methods"]
mse = lambda k: m[k]["overall"]["mse"]
print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], "%.3g" % mse("model"), "%.3g" % mse("fir_baseline"),
                 "%.3g" % mse("zero"), "%.3f" % (mse("model") / mse("fir_baseline"))]))
PY
  tail -1 "$table"
done
column -t -s $'\t' "$table"
