#!/usr/bin/env bash
# Checks docs/cluster.md on a real, one-node Slurm cluster: installs Debian's
# slurm-wlm and munge if missing, starts munged, slurmctld and slurmd on
# 127.0.0.1 with every file under a temporary folder, and submits the job
# scripts the page shows (scripts/slurm/sweep-array.sbatch, merge.sbatch,
# checked here to be the page's text) as the page says:
#   1. a 4-shard array and its dependent merge: the merged tables must be
#      byte-identical to those of the unsharded sweep;
#   2. the same with one task's mando killed (kill -9) and another task
#      cancelled (scancel) midway: the merge is cancelled, both tasks are
#      resubmitted and the merge submitted again, as the page says; the
#      tables must again be byte-identical.
# The sweep is scripts/slurm/ci_sweep.ron (32 runs, about 15 s of compute).
# A trap cancels the jobs, stops the daemons and removes the folder on exit.
#
# Usage: scripts/check_slurm.sh          (as root: it installs packages and
#                                         runs the daemons as root)
#   KEEP=1              keep the temporary folder (its path is printed)
#   SLURM_CHECK_TIMEOUT seconds to wait for each stage (default 120)
# Uses target/release/mando, built with `cargo build --release` if missing.
# Exit 0 when every stage passed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
timeout_s=${SLURM_CHECK_TIMEOUT:-120}
spec=scripts/slurm/ci_sweep.ron
shards=4

say() { echo "check_slurm: $*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

# --- packages and binary --------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
  ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing Debian's slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
if [[ ! -x target/release/mando ]]; then
  nice cargo build --release --quiet
fi

# --- the job scripts are the page's text ---------------------------------
# The fenced block after the line linking to the file, as the page shows it.
doc_block() {
  awk -v link="(../$1):" '
    index($0, link) { want = 1; next }
    want && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }
  ' docs/cluster.md
}
for f in scripts/slurm/sweep-array.sbatch scripts/slurm/merge.sbatch; do
  if ! diff -u <(doc_block "$f") "$f" >&2; then
    fail "docs/cluster.md does not show $f as it is (diff above)"
  fi
done

# --- a cluster of one node under a temporary folder ----------------------
tmp="$(mktemp -d /tmp/mando-slurm.XXXXXX)"
chmod 755 "$tmp"
pids=()
cleanup() {
  local status=$?
  set +e
  if [[ -n "${SLURM_CONF:-}" ]] && [[ -n "$(squeue -h -o %A 2>/dev/null)" ]]; then
    squeue -h -o %A | xargs -r scancel 2>/dev/null
    for _ in $(seq 1 20); do
      [[ -z "$(squeue -h -o %A 2>/dev/null)" ]] && break
      sleep 0.5
    done
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null
    wait "${pids[i]}" 2>/dev/null
  done
  if ((status != 0)); then
    for f in "$tmp"/log/*; do
      [[ -f "$f" ]] && { echo "--- $f (last lines)"; tail -n 15 "$f"; } >&2
    done
  fi
  if [[ "${KEEP:-}" == 1 ]]; then
    say "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/work"
chmod 755 "$tmp/munge"
mungekey --create --keyfile="$tmp/munge/munge.key" 2>/dev/null ||
  { dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none && chmod 400 "$tmp/munge/munge.key"; }
munged --foreground --force --socket="$tmp/munge/socket" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/seed" \
  --log-file="$tmp/log/munged.log" >>"$tmp/log/munged.out" 2>&1 &
pids+=($!)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpus="$(nproc)"
# Memory the node offers: 80% of what is available now, in MB.
mem_mb="$(awk '/^MemAvailable:/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)"
cluster="mandoci$$"
node="mandoci"
export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<EOF
# One node on 127.0.0.1, written by scripts/check_slurm.sh.
ClusterName=$cluster
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
ReturnToService=2
KillWait=5
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

for _ in $(seq 1 20); do
  [[ -S "$tmp/munge/socket" ]] && break
  sleep 0.25
done
[[ -S "$tmp/munge/socket" ]] || fail "munged did not start"
slurmctld -D -i -f "$SLURM_CONF" >>"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$node" -f "$SLURM_CONF" >>"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)

deadline=$((SECONDS + timeout_s))
until [[ "$(sinfo -h -n "$node" -o %T 2>/dev/null)" == idle ]]; do
  ((SECONDS < deadline)) || fail "node $node not idle after ${timeout_s}s: $(sinfo -h -N -o '%N %T %E' 2>&1)"
  sleep 1
done
say "$(sinfo --version), cluster $cluster: node $node idle ($cpus CPUs, $mem_mb MB) in ${SECONDS}s"

# --- helpers ---------------------------------------------------------------
# Waits until none of the jobs is in the queue.
wait_gone() {
  local deadline=$((SECONDS + timeout_s)) ids
  ids="$(IFS=,; echo "$*")"
  while [[ -n "$(squeue -h -j "$ids" -o %i 2>/dev/null)" ]]; do
    ((SECONDS < deadline)) || fail "jobs $ids still queued after ${timeout_s}s: $(squeue -j "$ids" 2>&1)"
    sleep 1
  done
}
# JobState of one job or array task, e.g. state 12_3 (scontrol, no accounting).
state() { scontrol show job -o "$1" | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2; }
expect_state() {
  local got
  got="$(state "$1")"
  [[ "$got" == "$2" ]] || fail "job $1 is $got, not $2: $(scontrol show job -o "$1")"
}
lines() { if [[ -f "$1" ]]; then wc -l <"$1"; else echo 0; fi; }
# Waits until array task $1 runs and its shard folder $2 holds a finished run.
wait_midway() {
  local deadline=$((SECONDS + timeout_s))
  until [[ "$(state "$1")" == RUNNING ]] && (($(lines "$2/runs.jsonl") >= 1)); do
    ((SECONDS < deadline)) || fail "task $1 never got midway: $(state "$1"), $(lines "$2/runs.jsonl") runs"
    sleep 0.1
  done
}
compare_tables() {
  for f in runs.csv runs.parquet; do
    cmp "$1/$f" "$2/$f" || fail "$1/$f differs from $2/$f"
  done
}

# --- the unsharded sweep, with the binary the jobs use ---------------------
cd "$tmp/work"
ln -s "$root/scenarios" scenarios
ln -s "$root/scripts" scripts
cp "$root/target/release/mando" "$tmp/mando"
t0=$SECONDS
"$tmp/mando" sweep "$spec" --out "$tmp/unsharded" --quiet
say "unsharded sweep: $(($(wc -l <"$tmp/unsharded/runs.jsonl"))) runs in $((SECONDS - t0))s"

# A sweep folder as the page prepares it: logs/, the folder, a fixed mando.
prepare() {
  mkdir -p logs "$1"
  cp "$tmp/mando" "$1/mando"
}
# The page's submission, sized for this node (1 CPU, 256 MB per task).
submit_array() { # ARRAY DIR
  sbatch --parsable --array="$1" --cpus-per-task=1 --mem=256M \
    --export=ALL,SHARDS=$shards,SWEEP_DIR="$2",SWEEP_SPEC=$spec scripts/slurm/sweep-array.sbatch
}
submit_merge() { # DEPENDENCY DIR
  sbatch --parsable --dependency="$1" --kill-on-invalid-dep=yes --mem=256M \
    --export=ALL,SWEEP_DIR="$2" scripts/slurm/merge.sbatch
}

# The page's defaults (8 CPUs) ask more than a small node has: --test-only
# says so, and a real submission is taken and pends for good.
if ((cpus < 8)); then
  if sbatch --test-only --export=ALL,SWEEP_DIR=x scripts/slurm/sweep-array.sbatch 2>/dev/null; then
    fail "sbatch --test-only accepted --cpus-per-task=8 on a node of $cpus CPUs"
  fi
  big="$(sbatch --parsable --export=ALL,SWEEP_DIR="$tmp/none" scripts/slurm/sweep-array.sbatch)"
  deadline=$((SECONDS + timeout_s))
  until [[ "$(squeue -h -j "$big" -o %r | sort -u)" == PartitionConfig ]]; do
    ((SECONDS < deadline)) || fail "job $big: $(squeue -j "$big" 2>&1)"
    sleep 0.2
  done
  scancel "$big"
fi
sbatch --test-only --array=1-$shards --cpus-per-task=1 --mem=256M --export=ALL,SWEEP_DIR=x \
  scripts/slurm/sweep-array.sbatch 2>/dev/null || fail "sbatch --test-only refused the sized submission"

# --- 1. four shards, then the merge ----------------------------------------
t0=$SECONDS
out="$tmp/work/runs/plain"
prepare "$out"
jid="$(submit_array 1-$shards "$out")"
mid="$(submit_merge "afterok:$jid" "$out")"
wait_gone "$jid" "$mid"
for k in $(seq 1 $shards); do expect_state "${jid}_$k" COMPLETED; done
expect_state "$mid" COMPLETED
compare_tables "$out/merged" "$tmp/unsharded"
say "1. array $jid and merge $mid: merged tables byte-identical to the unsharded sweep ($((SECONDS - t0))s)"

# --- 2. a task killed, another cancelled, both resubmitted -----------------
t0=$SECONDS
out="$tmp/work/runs/killed"
prepare "$out"
jid="$(submit_array 1-$shards "$out")"
mid="$(submit_merge "afterok:$jid" "$out")"

wait_midway "${jid}_2" "$out/shard-2"
# The mando of task 2: the process running $out/mando on shard-2's folder.
victim=""
for d in /proc/[0-9]*; do
  if [[ "$(readlink "$d/exe" 2>/dev/null)" == "$out/mando" ]] &&
    tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -qF -- "--out $out/shard-2 "; then
    victim=${d#/proc/}
  fi
done
[[ -n "$victim" ]] || fail "no mando process found in task ${jid}_2"
kill -9 "$victim"
killed_runs=$(lines "$out/shard-2/runs.jsonl")

wait_midway "${jid}_3" "$out/shard-3"
scancel "${jid}_3"
cancelled_runs=$(lines "$out/shard-3/runs.jsonl")

wait_gone "$jid"
expect_state "${jid}_2" FAILED
expect_state "${jid}_3" CANCELLED
# The merge's dependency can no longer be met: Slurm cancels it.
deadline=$((SECONDS + timeout_s))
while [[ "$(state "$mid")" == PENDING ]]; do
  ((SECONDS < deadline)) || fail "merge $mid still pending: $(scontrol show job -o "$mid")"
  sleep 1
done
expect_state "$mid" CANCELLED
per_shard=$(($(wc -l <"$tmp/unsharded/runs.jsonl") / shards))
((killed_runs < per_shard && cancelled_runs < per_shard)) ||
  fail "the tasks were not stopped midway ($killed_runs and $cancelled_runs of $per_shard runs)"

# Resubmit only those tasks, with every override of the first submission,
# and the merge after them and after whatever is left of the first array.
jid2="$(submit_array 2,3 "$out")"
mid2="$(submit_merge "afterok:$jid2,afterany:$jid" "$out")"
wait_gone "$jid2" "$mid2"
for k in 2 3; do
  expect_state "${jid2}_$k" COMPLETED
  # Resumed: the log holds each of the shard's runs once.
  (($(lines "$out/shard-$k/runs.jsonl") == per_shard)) || fail "shard $k's log: $(lines "$out/shard-$k/runs.jsonl") lines"
done
expect_state "$mid2" COMPLETED
compare_tables "$out/merged" "$tmp/unsharded"
say "2. task 2 killed after $killed_runs of $per_shard runs, task 3 cancelled after $cancelled_runs;" \
  "resubmitted as $jid2, merge $mid2: merged tables byte-identical ($((SECONDS - t0))s)"
say "passed in ${SECONDS}s"
