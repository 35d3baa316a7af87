#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/slurm/cluster.sh - a one-node Slurm cluster in a temporary folder, for the tests.
#   source cluster.sh; pb_cluster_start DIR   -> exports SLURM_CONF; returns 77 (skip) if it cannot
#   pb_cluster_stop DIR                       -> stops the daemons by PID and removes DIR
# Everything (munge key and socket, state, spool, logs, pid files) lives under DIR; nothing
# is written to /etc or /var.  Needs root (slurmd runs jobs as their user) and Debian's
# slurmctld, slurmd, slurm-client and munge.

pb_free_port() { # a free TCP port on 127.0.0.1
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

pb_cluster_start() {
  local d=$1 host cpus mem p1 p2 i
  for b in munged slurmctld slurmd sbatch squeue scontrol; do
    command -v "$b" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$b" >/dev/null 2>&1 ||
      { echo "SKIP: $b not installed (apt-get install slurmctld slurmd slurm-client munge)"; return 77; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: the one-node Slurm cluster needs root"; return 77; }
  export PATH=$PATH:/usr/sbin
  mkdir -p "$d"/{munge,state,spool,log,run}
  chmod 700 "$d/munge"
  dd if=/dev/urandom of="$d/munge/munge.key" bs=1 count=1024 status=none
  chmod 400 "$d/munge/munge.key"
  munged --key-file="$d/munge/munge.key" --socket="$d/munge/munge.socket" \
    --pid-file="$d/run/munged.pid" --log-file="$d/log/munged.log" --seed-file="$d/munge/seed" \
    --force 2>>"$d/log/munged.err" || { echo "SKIP: munged did not start: $(cat "$d/log/munged.err")"; return 77; }
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
  p1=$(pb_free_port); p2=$(pb_free_port)
  [ "$p1" != "$p2" ] || p2=$((p1 + 1))
  cat > "$d/slurm.conf" <<CONF
ClusterName=pbtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$p1
SlurmdPort=$p2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.socket
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MaxArraySize=10000
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=600
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=pbtest Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  export SLURM_CONF=$d/slurm.conf
  slurmctld -f "$d/slurm.conf" -i 2>>"$d/log/slurmctld.err" || { echo "SKIP: slurmctld did not start"; return 77; }
  slurmd -f "$d/slurm.conf" 2>>"$d/log/slurmd.err" || { echo "SKIP: slurmd did not start"; return 77; }
  for i in $(seq 1 60); do # wait until the node is idle
    if sinfo -h -o '%t' 2>/dev/null | grep -qx 'idle'; then return 0; fi
    sleep 0.5
  done
  echo "SKIP: the Slurm node did not come up: $(sinfo -h 2>&1 | head -2) $(tail -3 "$d/log/slurmctld.log" 2>/dev/null)"
  return 77
}

pb_cluster_stop() {
  local d=$1 f pid
  [ -n "$d" ] && [ -d "$d" ] || return 0
  for f in slurmd slurmctld munged; do
    pid=$(cat "$d/run/$f.pid" 2>/dev/null) || continue
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
  done
  for f in slurmd slurmctld munged; do
    pid=$(cat "$d/run/$f.pid" 2>/dev/null) || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$d"
}
