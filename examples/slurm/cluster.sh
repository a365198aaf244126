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
    if [[ -f "$dir/$d.pid" ]]; then kill "$(cat "$dir/$d.pid")" 2>/dev/null || true; fi
  done
  for d in slurmd slurmctld munged; do
    for _ in $(seq 50); do
      [[ -f "$dir/$d.pid" ]] && kill -0 "$(cat "$dir/$d.pid")" 2>/dev/null || break; sleep 0.1
    done
    rm -f "$dir/$d.pid"
  done
}

if [[ $cmd == stop ]]; then stop; exit 0; fi
[[ $cmd == start ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

mkdir -p "$dir"/{state,spool,munge}
chmod 700 "$dir/munge"
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
port=${SLURM_TEST_PORT:-16817}
cat > "$dir/slurm.conf" <<CONF
ClusterName=eqtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=30
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF

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
