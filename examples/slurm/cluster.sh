#!/usr/bin/env bash
# A throwaway one-node SLURM cluster on this machine, for trying the examples and for the SLURM test:
#   cluster.sh start DIR   writes DIR/slurm.conf, starts munged, slurmctld and slurmd (all state under DIR)
#   cluster.sh stop DIR    stops them
# Then: export SLURM_CONF=DIR/slurm.conf and use srun/sbatch/squeue/scancel as on any cluster.
# Needs Debian's slurm-wlm and munge, and root (slurmd runs jobs as their submitting user).
set -euo pipefail
cmd=${1:?start|stop}; dir=$(realpath -m "${2:?directory}")

stop() {
  for d in slurmd slurmctld munged; do
    for f in "$dir/$d.pid" "$dir/$d".*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  done
  for f in "$dir"/slurmd*.pid "$dir/slurmctld.pid" "$dir/munged.pid"; do
    [[ -f $f ]] || continue
    for _ in $(seq 50); do kill -0 "$(cat "$f" 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
    rm -f "$f"
  done
}

if [[ $cmd == stop ]]; then stop; exit 0; fi
[[ $cmd == start ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

mkdir -p "$dir"/{state,munge} "$dir/spool/$(hostname -s)"
chmod 700 "$dir/munge"
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
port=${SLURM_TEST_PORT:-16817}
"$(dirname "$0")/slurm_conf.sh" "$dir" eqtest "$port" "$host" 127.0.0.1 \
  "NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN" > "$dir/slurm.conf"

[[ -f "$dir/munge/munge.key" ]] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --socket="$dir/munge/socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$dir/slurm.conf"
slurmd -f "$dir/slurm.conf"
for _ in $(seq 100); do
  if sinfo -h -o %T 2>/dev/null | grep -qx idle; then echo "slurm cluster up: SLURM_CONF=$dir/slurm.conf"; exit 0; fi
  sleep 0.2
done
echo "slurm cluster did not come up; logs in $dir" >&2
sinfo >&2 || true; tail -20 "$dir"/*.log >&2 || true
stop; exit 1
