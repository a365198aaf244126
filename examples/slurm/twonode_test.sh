#!/usr/bin/env bash
# SLURM across two nodes that are really apart: slurmctld in one network namespace (the head), one slurmd in each
# of two others (the nodes), every one with its own address on a bridge in the head's namespace. Daemons and
# clients enter a namespace's network only (nsenter --net: the file system, /sys/fs/cgroup included, stays the
# machine's). Nothing but these test hosts is addressed (192.0.2.0/24 is TEST-NET-1, reserved for documentation).
#   examples/slurm/twonode_test.sh [EQ_JAR]   (root; Debian's slurm-wlm, munge, iproute2; .ci/run runs it)
# 1. sbatch train.sbatch --nodes 2 --ntasks-per-node 2: four ranks on two nodes train one job; rank 0 alone writes.
# 2. scancel: every rank on both nodes stops at a step and the run is saved; the next job resumes it with no
#    epoch trained twice.
# 3. scontrol requeue: the requeued job resumes from the checkpoint; no epoch trained twice.
# Namespaces and daemons are removed however the script ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$(realpath "${1:-$here/../../eq.jar}")
work=$(mktemp -d /tmp/eq-slurm2-test.XXXXXX)
tag=es$$
head=${tag}h n1=${tag}n1 n2=${tag}n2
ip_head=192.0.2.10 ip_n1=192.0.2.11 ip_n2=192.0.2.12
names=(eqhead eqnode1 eqnode2)
dir=$work/cluster
export SLURM_CONF=$dir/slurm.conf
cleanup() {
  nsenter --net="/var/run/netns/$head" scancel --user "$(id -un)" 2>/dev/null || true
  for f in "$dir"/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 1
  for ns in "$head" "$n1" "$n2"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  [[ -f $dir/munged.pid ]] && kill "$(cat "$dir/munged.pid")" 2>/dev/null || true
  [[ -z ${passed:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
fail() { tail -n 40 "$work"/*.log "$dir"/*.log >&2 || true; echo "TWO-NODE SLURM TEST FAILED: $* (logs in $work)" >&2; exit 1; }
check() { local what=$1; shift; "$@" || fail "$what"; echo "ok: $what"; }
in_head() { nsenter --net="/var/run/netns/$head" "$@"; }

# the three hosts (the head keeps this machine's host name: slurmctld runs on the host SlurmctldHost names):
# a bridge in the head's namespace and a veth from each node to it
for ns in "$head" "$n1" "$n2"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip -n "$head" link add eqbr type bridge
ip -n "$head" addr add "$ip_head/24" dev eqbr
ip -n "$head" link set eqbr up
for pair in "$n1:$ip_n1:1" "$n2:$ip_n2:2"; do
  IFS=: read -r ns addr k <<< "$pair"
  ip link add "${tag}p$k" netns "$head" type veth peer name eqveth netns "$ns" # same name in each node: one GLOO_SOCKET_IFNAME
  ip -n "$head" link set "${tag}p$k" master eqbr up
  ip -n "$ns" addr add "$addr/24" dev eqveth
  ip -n "$ns" link set eqveth up
done

# the cluster: munged (a filesystem socket, shared), slurmctld in the head, one slurmd per node namespace
mkdir -p "$dir"/{state,munge} "$dir/spool/${names[1]}" "$dir/spool/${names[2]}"
chmod 700 "$dir/munge"
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 4 ))
port=${SLURM_TEST_PORT:-16917}
"$here/slurm_conf.sh" "$dir" eqtest2 "$port" "$(hostname -s)" "$ip_head" \
  "NodeName=${names[1]} NodeAddr=$ip_n1 CPUs=2 RealMemory=$mem State=UNKNOWN" \
  "NodeName=${names[2]} NodeAddr=$ip_n2 CPUs=2 RealMemory=$mem State=UNKNOWN" > "$SLURM_CONF"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --socket="$dir/munge/socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"
in_head slurmctld -f "$SLURM_CONF"
nsenter --net="/var/run/netns/$n1" slurmd -f "$SLURM_CONF" -N "${names[1]}"
nsenter --net="/var/run/netns/$n2" slurmd -f "$SLURM_CONF" -N "${names[2]}"
for _ in $(seq 150); do
  [[ $(in_head sinfo -h -N -o '%N %T' 2>/dev/null | grep -c ' idle$') == 2 ]] && break; sleep 0.2
done
check "two nodes up, each in its own namespace ($(in_head sinfo -h -N -o '%N@%o' | tr '\n' ' '))" \
  test "$(in_head sinfo -h -N -o '%N %T' | grep -c ' idle$')" -eq 2

cd "$work"
data=$work/data
java -jar "$jar" data generate --out "$data" > /dev/null
tiny="--data-dir $data --window_length 200 --windows 750 --d_model 8 --n_head 2 --num_layers 1 --dim_feedforward 16 --max_length 200 --batch_size 8 --threads 1"
epoch_events() { grep -c '"event":"epoch"' "$1/train_log.jsonl"; }
last_epoch() { grep -o '"event":"epoch","time":"[^"]*","epoch":[0-9]*' "$1/train_log.jsonl" | tail -1 | grep -o '[0-9]*$'; }
wait_epoch() {
  local end=$((SECONDS + 600)) # a deadline, not a count of turns: each turn costs more under load
  while (( SECONDS < end )); do grep -q "\"event\":\"epoch\",\"time\":\"[^\"]*\",\"epoch\":$2" "$1/train_log.jsonl" 2>/dev/null && return 0; sleep 0.2; done
  fail "no epoch $2 in $1/train_log.jsonl"
}
job_state() { in_head scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
wait_state() {
  for _ in $(seq 1200); do [[ $(job_state "$1") == "$2" ]] && return 0; sleep 0.5; done
  fail "job $1 is $(job_state "$1"), not $2"
}
submit() { # run directory, epochs, log, more sbatch flags...
  local run=$1 epochs=$2 log=$3; shift 3
  in_head sbatch --parsable --nodes 2 --ntasks-per-node 2 --cpus-per-task 1 --output "$log" "$@" \
    --export "ALL,SLURM_LABELIO=1,GLOO_SOCKET_IFNAME=eqveth,EQ_JAR=$jar,EQ_RUN=$run,EQ_EPOCHS=$epochs,EQ_ARGS=$tiny" "$here/train.sbatch"
}

# 1. four ranks on two nodes
job=$(submit "$work/two" 2 two.log --wait) || { cat two.log; fail "the two-node job failed"; }
check "four ranks trained one job" test "$(grep -c 'training .* x 4 rank(s)' two.log)" -eq 4
check "rank 0 alone wrote the run" test "$(grep -c '(rank 0 writes the outputs)' two.log)" -eq 3
check "the job ran on both nodes ($(in_head scontrol show job "$job" | grep -o ' NodeList=[^ ]*'))" \
  bash -c "nsenter --net=/var/run/netns/$head scontrol show job $job | grep -q ' NodeList=${names[1]%1}\[1-2\]'"
check "2 epochs trained" test "$(last_epoch "$work/two")" -eq 2

# 2. scancel stops every rank on both nodes; the next job resumes
job=$(submit "$work/cancel" 60 cancel.log)
wait_epoch "$work/cancel" 3
in_head scancel "$job"
wait_state "$job" CANCELLED
sleep 2
# Each rank either gets scancel's SIGTERM or, when its node's signal comes later than a peer's by more than a step,
# stops with the peers at the next step's agreement (then the signal meets a rank already saving or gone). Either
# way it stops at a step and the checkpoint is saved; srun's labels (SLURM_LABELIO) tell the ranks apart.
check "scancel's SIGTERM reached the job's ranks ($(grep -c 'received SIGTERM' cancel.log) of 4 saw it)" \
  test "$(grep -c 'received SIGTERM' cancel.log)" -ge 1
stopped_at_cancel() { grep -Eq "^$1: (received SIGTERM|rank [0-9].* stopped \(a signal)" cancel.log; }
for r in 0 1 2 3; do check "rank $r stopped at a step on the cancel" stopped_at_cancel $r; done
stopped=$(last_epoch "$work/cancel")
submit "$work/cancel" $((stopped + 2)) cancel.log --wait > /dev/null || { cat cancel.log; fail "the resuming job failed"; }
check "the next job resumed on two nodes" grep -q "^resuming .*restart 0" cancel.log
check "and finished it" test "$(last_epoch "$work/cancel")" -eq $((stopped + 2))
check "no epoch was trained twice" test "$(epoch_events "$work/cancel")" -eq $((stopped + 3))

# 3. a requeued job resumes (SLURM holds it back about two minutes first)
job=$(submit "$work/requeue" 12 requeue.log)
wait_epoch "$work/requeue" 3
in_head scontrol requeue "$job"
wait_state "$job" COMPLETED
check "the requeued job resumed from the checkpoint" grep -q "resuming $work/requeue/model_transf/model.eqt (restart 1" requeue.log
check "and finished" test "$(last_epoch "$work/requeue")" -eq 12
check "no epoch was trained twice" test "$(epoch_events "$work/requeue")" -eq 13
passed=1
echo "two-node SLURM test passed ($(sinfo --version)): 4 ranks on 2 namespaced nodes, scancel and requeue resumed"
