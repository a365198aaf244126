#!/usr/bin/env bash
# Prints a slurm.conf for the project's throwaway test clusters (cluster.sh: one node on localhost;
# twonode_test.sh: two nodes in network namespaces). All state lives under DIR; %n names each node's files.
#   slurm_conf.sh DIR CLUSTER_NAME PORT CONTROLLER_HOST CONTROLLER_ADDR NODE_LINE...
# NODE_LINE: a NodeName=… line, e.g. "NodeName=n1 NodeAddr=192.0.2.11 CPUs=2 RealMemory=4000 State=UNKNOWN".
set -euo pipefail
dir=$1 name=$2 port=$3 host=$4 addr=$5
shift 5
cat <<CONF
ClusterName=$name
SlurmctldHost=$host($addr)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.%n.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.%n.log
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
CONF
printf '%s\n' "$@"
echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES"
