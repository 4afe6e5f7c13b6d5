#!/usr/bin/env bash
# Tries examples/cluster/slurm-workers.sbatch end to end on this one machine: a single-node Slurm (Debian's
# slurm-wlm, munge authentication) and a private PostgreSQL server, both in a temporary folder and stopped on exit;
# a small real sweep (4 widths of a 784-16-10 MLP, 300 samples of the embedded Fashion-MNIST, real `scalelab train`
# trials) submitted to the store, then `sbatch --array=1-$TASKS` workers, then `sweep status --store`.
# Nothing under /etc is changed: Slurm reads $SLURM_CONF, munge uses the key its package created.
#
#   sudo examples/cluster/try-slurm-single-node.sh [TASKS]      # as root (slurmd and the package install need it)
set -euo pipefail
TASKS=${1:-2}
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root: slurmd and apt-get need it" >&2; exit 1; }
command -v slurmctld >/dev/null && command -v munged >/dev/null \
  || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge postgresql
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

work=$(mktemp -d /tmp/scalelab-slurm-XXXXXX)
chmod 755 "$work"
cleanup() {
  set +e
  [ -n "${job:-}" ] && scancel "$job" 2>/dev/null
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
  done
  [ -d "$work/pg" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build scalelab"
(cd "$repo" && dotnet build src/ScaleLab.Cli -c Release -v q -nologo >/dev/null)
dll="$repo/src/ScaleLab.Cli/bin/Release/net10.0/scalelab.dll"

echo "== munge"
mkdir -p "$work/munge" && chown munge:munge "$work/munge"
runuser -u munge -- munged --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munge.seed"
export MUNGE_SOCKET="$work/munge/munge.socket"

echo "== slurm (one node: $(hostname -s), $(nproc) CPUs)"
node=$(hostname -s)
mem=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
mkdir -p "$work/state" "$work/spool" "$work/logs"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=scalelab-try
SlurmctldHost=$node
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
SlurmctldPort=46817
SlurmdPort=46818
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$node CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=try Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 30); do sinfo -h -o %T 2>/dev/null | grep -qE '^idle' && break; sleep 1; done
sinfo

echo "== postgresql"
chown postgres:postgres "$work"
echo scalelab-try > "$work/pwfile" && chown postgres "$work/pwfile"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -U scalelab --pwfile "$work/pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
runuser -u postgres -- "$pgbin/createdb" -h "$work" -p "$port" -U scalelab study
export SCALELAB_STORE="postgresql://scalelab@127.0.0.1:$port/study"
export PGPASSWORD=scalelab-try   # Npgsql reads it; the URL stays free of the password

echo "== submit"
sweep="$work/tiny.json"
cat > "$sweep" <<JSON
{"name": "tiny", "model": {"name": "mlp-16", "input": [1, 28, 28], "layers": [
   {"type": "flatten"}, {"type": "linear", "units": 16}, {"type": "relu"}, {"type": "linear", "units": 10}]},
 "training": {"epochs": 2, "batch_size": 50, "data": {"name": "fashion-mnist",
              "directory": "$repo/src/ScaleLab.Cli/bin/Release/net10.0/data/fashion-mnist", "limit": 300}},
 "axes": {"width": [0.25, 0.5, 1, 2]}}
JSON
chmod 644 "$sweep"
dotnet "$dll" sweep "$sweep" --out "$work/sweeps/tiny" --submit
dotnet "$dll" sweep "$sweep" --out "$work/sweeps/tiny" --submit   # again: adds nothing

echo "== sbatch --array=1-$TASKS"
export SWEEP=tiny SCALELAB="dotnet $dll"
job=$(cd "$work/logs" && sbatch --parsable --array=1-"$TASKS" --cpus-per-task=1 --mem=2G "$repo/examples/cluster/slurm-workers.sbatch")
echo "job $job"
start=$(date +%s)
while squeue -h -j "$job" 2>/dev/null | grep -q .; do
  [ $(( $(date +%s) - start )) -lt 900 ] || { echo "the array did not finish in 15 minutes" >&2; exit 1; }
  sleep 2
done
echo "array finished in $(( $(date +%s) - start )) s"
for log in "$work"/logs/scalelab-worker-*.log; do echo "-- $(basename "$log")"; grep -E "^(array task|worker )" "$log"; done

echo "== status from the store"
dotnet "$dll" sweep status --store "$SCALELAB_STORE" --sweep tiny
dotnet "$dll" sweep status --store "$SCALELAB_STORE" --sweep tiny --json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
done = doc["counts"].get("completed", 0)
trials = doc["trials"]
print("completed %d of %d; attempts %s" % (done, len(trials), [t["attempts"] for t in trials]))
sys.exit(0 if done == len(trials) else 1)'
