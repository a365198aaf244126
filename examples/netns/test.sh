#!/usr/bin/env bash
# Two nodes that are really apart: each in a Linux network namespace of its own, with its own address on a veth
# pair, and a loopback of its own. Nothing but these two test hosts is ever addressed (192.0.2.0/24 is TEST-NET-1,
# reserved for documentation: it can name no real host).
#   examples/netns/test.sh [EQ_JAR]        (root; iproute2; .ci/run runs it after the tests)
# 1. eq launcher --nnodes 2 on each host trains one job over gloo on the veth (GLOO_SOCKET_IFNAME); rank 0 alone
#    writes the run.
# 2. SIGKILL one node's launcher mid-run: every node's job ends within 60 s, non-zero, with a line naming the loss.
# 3. --resume on both hosts finishes the job with no epoch trained twice.
# The namespaces and veth pair are removed however the script ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$(realpath "${1:-$here/../../eq.jar}")
work=$(mktemp -d /tmp/eq-netns-test.XXXXXX)
tag=eq$$ # unique names: two runs of this script on one machine do not meet
ns0=${tag}n0 ns1=${tag}n1 if0=${tag}v0 if1=${tag}v1
addr0=192.0.2.1 addr1=192.0.2.2
cleanup() {
  for ns in "$ns0" "$ns1"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true # deleting a namespace deletes its end of the veth, and so the pair
  done
  [[ -z ${passed:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
fail() { tail -n 30 "$work"/*.log >&2 || true; echo "NETNS TEST FAILED: $* (logs in $work)" >&2; exit 1; }
check() { local what=$1; shift; "$@" || fail "$what"; echo "ok: $what"; }

ip netns add "$ns0"
ip netns add "$ns1"
ip link add "$if0" netns "$ns0" type veth peer name "$if1" netns "$ns1"
ip -n "$ns0" addr add "$addr0/24" dev "$if0"
ip -n "$ns1" addr add "$addr1/24" dev "$if1"
for ns in "$ns0" "$ns1"; do ip -n "$ns" link set lo up; done
ip -n "$ns0" link set "$if0" up
ip -n "$ns1" link set "$if1" up
check "each host has its own address" bash -c "ip -n $ns0 -4 addr show dev $if0 | grep -q $addr0/ && ip -n $ns1 -4 addr show dev $if1 | grep -q $addr1/"
check "neither host has a route beyond the pair" test -z "$(ip -n "$ns0" route show default)$(ip -n "$ns1" route show default)"

cd "$work"
data=$work/data
java -jar "$jar" data generate --out "$data" > /dev/null
tiny="--data-dir $data --window_length 200 --windows 750 --d_model 8 --n_head 2 --num_layers 1 --dim_feedforward 16 --max_length 200 --batch_size 8 --threads 1"
port=29710
# node K: its namespace, its interface, rank K; the rest of the flags go to the workers
node() { # node index, log, training flags...
  local k=$1 log=$2; shift 2
  local ns=$ns0 ifc=$if0; [[ $k == 1 ]] && ns=$ns1 ifc=$if1
  # shellcheck disable=SC2086
  ip netns exec "$ns" env GLOO_SOCKET_IFNAME="$ifc" java -jar "$jar" launcher --nproc 1 --nnodes 2 --node_rank "$k" \
    --master_addr "$addr0" --master_port "$port" -- "$@" > "$log" 2>&1
}
epochs_logged() { grep -o '"event":"epoch","time":"[^"]*","epoch":[0-9]*' "$1/train_log.jsonl" | grep -o '[0-9]*$'; }

# 1. one job across the two hosts
node 0 train0.log $tiny --epochs 2 --out "$work/run" & n0=$!
node 1 train1.log $tiny --epochs 2 --out "$work/run" & n1=$!
wait "$n0" || fail "node 0 exited non-zero"
wait "$n1" || fail "node 1 exited non-zero"
check "both ranks trained in one job of 2" grep -q "x 2 rank(s)" train1.log
check "rank 1, on host 1, trained and wrote nothing" grep -q "\[rank 1\] training .* (rank 0 writes the outputs)" train1.log
check "rank 0 wrote the checkpoint" test -s "$work/run/model_transf/model.eqt"
check "one run directory and one log" test "$(ls "$work" | grep -c -v -e '\.log$' -e '^data$')" -eq 1

# 2. a node lost mid-run, twice: node 1's launcher killed (its worker notices and the ranks stop together), then
#    every process of host 1 killed at once, as when a machine dies (rank 0 meets a dead peer in its all-reduce)
lose_node1() { # what, logs prefix, how (launcher | host), training flags
  local what=$1 log=$2 how=$3 flags=$4
  port=$((port + 1))
  # shellcheck disable=SC2086
  node 0 "${log}0.log" $flags & n0=$!
  # shellcheck disable=SC2086
  node 1 "${log}1.log" $flags & n1=$!
  local from; from=$(( $(epochs_logged "$work/long" 2>/dev/null | tail -1 || echo 0) + 2 ))
  local end=$((SECONDS + 600)) # a deadline, not a count of turns: each turn costs more under load
  while (( SECONDS < end )); do epochs_logged "$work/long" 2>/dev/null | grep -q "^$from\$" && break; sleep 0.2; done
  epochs_logged "$work/long" | grep -q "^$from\$" || fail "$what: the job never reached epoch $from"
  if [[ $how == launcher ]]; then
    kill -9 "$(ip netns pids "$ns1" | xargs -r ps -o pid=,args= -p | awk '/ launcher /{print $1; exit}')"
  else
    ip netns pids "$ns1" | xargs -r kill -9
  fi
  local killed; killed=$(date +%s)
  for _ in $(seq 900); do kill -0 "$n0" 2>/dev/null || break; sleep 0.1; done
  set +e; wait "$n0"; local code0=$?; wait "$n1"; local code1=$?; set -e
  local took=$(( $(date +%s) - killed ))
  check "$what: node 0's job ended within 60 s (took ${took} s)" test "$took" -le 60
  check "$what: node 0's launcher exited non-zero (code $code0)" test "$code0" -ne 0
  check "$what: node 1's launcher exited non-zero (code $code1)" test "$code1" -ne 0
  check "$what: node 0 says what it lost: $(grep -E -m1 'probably died|rank 1 stopped' "${log}0.log")" \
    grep -E -q "probably died|rank 1 stopped" "${log}0.log"
  check "$what: no process outlived its job" bash -c "! ip netns pids $ns0 | grep -q . && ! ip netns pids $ns1 | grep -q ."
  echo "$what: the job had logged epoch $(epochs_logged "$work/long" | tail -1)"
}
ckpt=$work/long/model_transf/model.eqt
lose_node1 "launcher killed" kill launcher "$tiny --epochs 100000 --save_every 1 --out $work/long"
lose_node1 "host lost" lost host "--resume $ckpt --epochs 100000 --save_every 1"
done_before=$(epochs_logged "$work/long" | tail -1)

# 3. resume on both hosts: no epoch twice
port=$((port + 1))
target=$((done_before + 2))
node 0 resume0.log --resume "$ckpt" --epochs "$target" & n0=$!
node 1 resume1.log --resume "$ckpt" --epochs "$target" & n1=$!
wait "$n0" || fail "resumed node 0 exited non-zero"
wait "$n1" || fail "resumed node 1 exited non-zero"
check "rank 1 resumed on host 1" grep -q "\[rank 1\] resuming at epoch" resume1.log
check "the resumed job reached epoch $target" test "$(epochs_logged "$work/long" | tail -1)" -eq "$target"
check "no epoch trained twice" test -z "$(epochs_logged "$work/long" | sort -n | uniq -d)"
passed=1
echo "netns test passed: 2 hosts, 2 losses survived, resumed from epoch $done_before to $target"
