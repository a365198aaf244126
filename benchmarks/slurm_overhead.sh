#!/usr/bin/env bash
# What starting the ranks under srun costs, against eq's own launcher: the same 2-rank, 1-epoch tiny training,
# REPEAT times each, on a one-node SLURM cluster brought up for the purpose (examples/slurm/cluster.sh; root).
#   benchmarks/slurm_overhead.sh [REPEAT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$here/../eq.jar
repeat=${1:-5}
work=$(mktemp -d /tmp/eq-srun-bench.XXXXXX)
export SLURM_CONF=$work/cluster/slurm.conf
trap '"$here/../examples/slurm/cluster.sh" stop "$work/cluster"; rm -rf "$work"' EXIT
"$here/../examples/slurm/cluster.sh" start "$work/cluster" >/dev/null
[[ -f $here/../eq_data/value_0 ]] || java -jar "$jar" data generate --out "$here/../eq_data" > /dev/null
tiny=(--data-dir "$here/../eq_data" --window_length 200 --windows 750 --d_model 8 --n_head 2 --num_layers 1
      --dim_feedforward 16 --max_length 200 --batch_size 8 --epochs 1)
t() { local s; s=$(date +%s.%N); "$@" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }; echo "$(date +%s.%N) - $s" | bc -l; }
printf "how\t%s\n" "$(seq -s $'\t' "$repeat" | sed 's/[0-9]*/run &/g')"
row() { local name=$1; shift; printf "%s" "$name"; for i in $(seq "$repeat"); do printf "\t%.2f" "$("$@" "$i")"; done; echo; }
launcher() { t java -jar "$jar" launcher --nproc 2 --nnodes 1 --master_port $((29700 + $1)) -- "${tiny[@]}" --out "$work/l$1"; }
srun2() { MASTER_PORT=$((29800 + $1)) t srun --ntasks 2 java -jar "$jar" "${tiny[@]}" --out "$work/s$1"; }
srun_true() { t srun --ntasks 2 true; }
row "eq launcher --nproc 2" launcher
row "srun --ntasks 2 java -jar eq.jar" srun2
row "srun --ntasks 2 true (srun alone)" srun_true
