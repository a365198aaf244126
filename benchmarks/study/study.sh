#!/usr/bin/env bash
# The model study (issue: a model that actually inverts). Trains each configuration on the default data and on
# a second generated world (other seed, harsher physics), evaluates each on its held-out tail (windows 90-99,
# validation 80-89) beside the least-squares FIR baseline and predicting zero, and prints one table.
#
#   benchmarks/study/study.sh [OUT_DIR]        (default: runs/study; ~50 min on a 2-core machine)
#
# Budgets are wall-clock alike: about 10-13 minutes of training per configuration on 2 cores. Set
# STUDY_QUICK=1 for a smoke run (a few epochs each) that checks the script, not the science.
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

# name | data | flags. The reference rows keep its recipe but hold out the same tail as every other row.
configs=(
  "reference|eq_data|--model reference --epochs $(e 16) --val_windows 10 --test_windows 10"
  "reference+standardise|eq_data|--model reference --normalize --epochs $(e 16) --val_windows 10 --test_windows 10"
  "fir-transformer|eq_data|--model fir-transformer --epochs $(e 300)"
  "fir-transformer|$out/harsh|--model fir-transformer --epochs $(e 300)"
)
table="$out/table.tsv"
printf 'configuration\tdata\tminutes\ttest_mse\tfir_mse\tzero_mse\tratio_to_fir\n' > "$table"
for c in "${configs[@]}"; do
  IFS='|' read -r name data flags <<< "$c"
  tag="$name-$(basename "$data")"
  run="$out/$tag"
  start=$(date +%s)
  # shellcheck disable=SC2086
  eq $flags --data-dir "$data" --out "$run" --overwrite > "$run.log" 2>&1
  minutes=$(awk -v s="$start" -v e="$(date +%s)" 'BEGIN { printf "%.1f", (e - s) / 60 }')
  eq evaluate --checkpoint "$run/model_transf/model.eqt" --data-dir "$data" --out "$run/evaluate" --overwrite \
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
