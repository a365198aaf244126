#!/usr/bin/env bash
# The SLURM test: a real one-node cluster (cluster.sh) runs eq the way a user's job would.
#   examples/slurm/test.sh [EQ_JAR]        (root; Debian's slurm-wlm and munge; .ci/run runs it after the tests)
# 1. srun --ntasks 2: both ranks join one job and train; rank 0 alone writes the run directory.
# 2. sbatch train.sbatch: the shipped job script trains as written (one node, two tasks).
# 3. scancel: every rank stops (SIGTERM: finish the step, save), no process is left, and a new job resumes.
# 4. scontrol requeue: the requeued job resumes from the checkpoint; no epoch is trained twice.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$(realpath "${1:-$here/../../eq.jar}")
work=$(mktemp -d /tmp/eq-slurm-test.XXXXXX)
export SLURM_CONF=$work/cluster/slurm.conf
cleanup() {
  scancel --user "$(id -un)" 2>/dev/null || true
  "$here/cluster.sh" stop "$work/cluster"
  [[ -z ${passed:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
"$here/cluster.sh" start "$work/cluster"
cd "$work"
data=$work/data # the default data set (seed 1), read below as 750 windows of 200 samples
java -jar "$jar" data generate --out "$data" > /dev/null

tiny="--data-dir $data --window_length 200 --windows 750 --d_model 8 --n_head 2 --num_layers 1 --dim_feedforward 16 --max_length 200 --batch_size 8"
fail() { tail -n 40 ./*.log >&2 || true; echo "SLURM TEST FAILED: $* (logs in $work)" >&2; exit 1; }
check() { local what=$1; shift; "$@" || fail "$what"; echo "ok: $what"; }
epoch_events() { grep -c '"event":"epoch"' "$1/train_log.jsonl"; }
last_epoch() { grep -o '"event":"epoch","time":"[^"]*","epoch":[0-9]*' "$1/train_log.jsonl" | tail -1 | grep -o '[0-9]*$'; }
wait_epoch() { # run directory, epoch: wait until the log has it
  local end=$((SECONDS + 600)) # a deadline, not a count of turns: each turn costs more under load
  while (( SECONDS < end )); do grep -q "\"event\":\"epoch\",\"time\":\"[^\"]*\",\"epoch\":$2" "$1/train_log.jsonl" 2>/dev/null && return 0; sleep 0.2; done
  fail "no epoch $2 in $1/train_log.jsonl"
}
job_state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
wait_state() { # job, state
  for _ in $(seq 1200); do [[ $(job_state "$1") == "$2" ]] && return 0; sleep 0.5; done
  fail "job $1 is $(job_state "$1"), not $2"
}
submit() { # run directory, epochs, log, more sbatch flags...
  local run=$1 epochs=$2 log=$3; shift 3
  sbatch --parsable --nodes 1 --ntasks-per-node 2 --cpus-per-task 1 --output "$log" "$@" \
    --export "ALL,SLURM_LABELIO=1,EQ_JAR=$jar,EQ_RUN=$run,EQ_EPOCHS=$epochs,EQ_ARGS=$tiny" "$here/train.sbatch"
}
restarted_once() { scontrol show job "$1" | grep -q "Restarts=1"; }
no_process_of() { ! pgrep -f "java -jar $jar.*$1" > /dev/null; }

# 1. srun: two ranks, one job
# shellcheck disable=SC2086
MASTER_PORT=29650 srun --label --ntasks 2 java -jar "$jar" $tiny --epochs 2 --out "$work/srun" > srun.log 2>&1 \
  || { cat srun.log; fail "srun --ntasks 2 exited non-zero"; }
check "rank 0 trained in a 2-rank job and wrote the run" grep -q "^0: training .* x 2 rank(s) .* -> $work/srun" srun.log
check "rank 1 trained in the same job and wrote nothing" grep -q "^1: training .* x 2 rank(s) .* (rank 0 writes the outputs)" srun.log
check "both ranks finished epoch 2" test "$(grep -c '^[01]: epoch 2/2' srun.log)" -eq 2
check "rank 0 wrote the checkpoint" test -s "$work/srun/model_transf/model.eqt"
check "no rank wrote a run directory of its own" test ! -e "$work/runs"

# 2. the shipped job script, as written
job=$(submit "$work/batch" 2 batch.log --wait) || { cat batch.log; fail "sbatch train.sbatch exited non-zero"; }
check "train.sbatch trained 2 epochs and wrote the checkpoint" test "$(last_epoch "$work/batch")" -eq 2
check "train.sbatch's log names the checkpoint" grep -q "checkpoint $work/batch/model_transf/model.eqt" batch.log

# 3. scancel ends every rank and leaves a checkpoint that a new job resumes
job=$(submit "$work/cancel" 60 cancel.log)
wait_epoch "$work/cancel" 3
scancel "$job"
wait_state "$job" CANCELLED
for _ in $(seq 100); do no_process_of "$work/cancel" && break; sleep 0.2; done
# A rank whose SIGTERM comes more than a step after its peer's stops with it at the next step's agreement instead
# (twonode_test.sh says more); srun's labels (SLURM_LABELIO) tell the ranks apart.
check "scancel's SIGTERM reached the job's ranks" test "$(grep -c 'received SIGTERM' cancel.log)" -ge 1
stopped_at_cancel() { grep -Eq "^$1: (received SIGTERM|rank [0-9].* stopped \(a signal)" cancel.log; }
for r in 0 1; do check "rank $r stopped at a step on the cancel" stopped_at_cancel $r; done
# srun reports ranks that end alike on one line ("tasks 0-1: ...") or, when they end apart, one line each
exited_143() { grep -Eq "tasks 0-1: Exited with exit code 143|task $1: Exited with exit code 143" cancel.log; }
check "rank 0 exited 143 after saving" exited_143 0
check "rank 1 exited 143 after saving" exited_143 1
check "no rank outlived the cancelled job" no_process_of "$work/cancel"
stopped=$(last_epoch "$work/cancel")
job=$(submit "$work/cancel" $((stopped + 3)) cancel.log --wait) || { cat cancel.log; fail "the resuming job failed"; }
check "the next job resumed the cancelled run" grep -q "^0: resuming at epoch" cancel.log
check "and finished it" test "$(last_epoch "$work/cancel")" -eq $((stopped + 3))
check "no epoch was trained twice" test "$(epoch_events "$work/cancel")" -eq $((stopped + 4))

# 4. a requeued job (preemption, node failure) resumes
job=$(submit "$work/requeue" 20 requeue.log)
wait_epoch "$work/requeue" 3
scontrol requeue "$job"
# SLURM holds a requeued job back for about two minutes. Starting it sooner by hand (scontrol update
# StartTime=now) once got it killed at start ("Job credential revoked"), so the test waits as a user would.
wait_state "$job" COMPLETED
check "the requeued job restarted once" restarted_once "$job"
check "and resumed from the checkpoint" grep -q "resuming $work/requeue/model_transf/model.eqt (restart 1" requeue.log
check "and finished" test "$(last_epoch "$work/requeue")" -eq 20
check "no epoch was trained twice" test "$(epoch_events "$work/requeue")" -eq 21
passed=1
echo "SLURM test passed ($(sinfo --version))"
