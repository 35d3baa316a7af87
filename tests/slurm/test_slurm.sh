#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/slurm/test_slurm.sh PAGEBENCH - suites on a real one-node Slurm cluster, end to end:
#   a 4-task suite runs locally (--local) and as a job array (--slurm --wait, into a folder
#   whose path has a blank, quotes, # and %: the logs land in its tasks/); the merged
#   deterministic counts (sim faults, evictions, write-backs; mrc misses) are identical;
#   one array task is cancelled before it runs: merge reports it (exit 1, status partial,
#   its command), --resume resubmits only that task with the first job's options, and the
#   merged result is complete and equal again.
# Exit 77 (skip) when the cluster cannot start here (not root, packages missing).
set -u
PB=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pb_slurm_test.XXXXXX")
fails=0 passes=0
check() { # description, command...
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $what" >&2; fi
}
finish() {
  pb_cluster_stop "$T/cluster"
  rm -rf "$T"
}
trap finish EXIT
pb_cluster_start "$T/cluster"
rc=$?
[ $rc -eq 0 ] || exit $rc

cat > "$T/four.suite" <<'SUITE'
set WL=zipf:pages=3000,alpha=0.9,refs=50000,write=0.3,seed=5
sim --workload $WL --policy lru,fifo,clock --frames 200,800 --reps 1
sim --workload $WL --policy arc,lru --frames 300 --reps 1 --prepage readahead
run memtouch --threads 1 --reps 6 --size 1M
mrc --workload $WL --policy lru,arc --frames 100:1000:100
SUITE

# compare DIR_A DIR_B: deterministic columns of the merged sim.csv and mrc.csv are equal
same_counts() {
  python3 - "$1" "$2" <<'PY'
import csv, sys
def rows(d, name, keys, vals):
    with open(f"{d}/{name}", newline="") as f:
        return sorted(tuple(r[k] for k in keys + vals) for r in csv.DictReader(f))
ok = True
for name, keys, vals in [
    ("sim.csv", ["workload", "policy", "frames", "prepage", "rep"],
     ["refs", "faults", "evictions", "writebacks", "major_faults", "minor_faults"]),
    ("mrc.csv", ["workload", "policy", "frames"], ["refs", "misses"]),
]:
    a, b = rows(sys.argv[1], name, keys, vals), rows(sys.argv[2], name, keys, vals)
    if not a or a != b:
        print(f"{name}: {len(a)} vs {len(b)} rows, first difference:",
              next((x, y) for x, y in zip(a + [None], b + [None]) if x != y), file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
PY
}
status_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"]["suite_status"])' "$1/meta.json"; }

"$PB" suite "$T/four.suite" --local --results "$T/local" > "$T/local.log" 2>&1
check "local suite exits 0" [ $? -eq 0 ]
L=$(ls -d "$T"/local/*/)

# The same plan as a job array, into a folder whose path has a blank, ' " # and %: sbatch
# reads the script's #SBATCH --output as that path (its logs land in tasks/), sh its exec line.
SR="$T/slurm run's \"#1\" 50%"
"$PB" suite "$T/four.suite" --slurm --results "$SR" --wait --timeout 600 > "$T/slurm.log" 2>&1
check "slurm suite --wait exits 0" [ $? -eq 0 ]
S=$(ls -d "$SR"/*/)
check "sbatch script has --array=1-4" grep -q -- '--array=1-4' "$S/job-1.sbatch"
check "every task ran under Slurm" [ "$(grep -l '"array_task_id"' "$S"/tasks/*/task.json | wc -l)" -eq 4 ]
check "every array task's log is in the run folder's tasks/" [ "$(ls "$S"/tasks/slurm-*_[1-4].out | wc -l)" -eq 4 ]
check "merged counts equal the local run" same_counts "$L" "$S"
check "slurm suite complete" [ "$(status_of "$S")" = complete ]
check "merged figures rendered" test -s "$S/plots/mrc.pdf" -a -s "$S/plots/faults.png"

# Cancel task 4 before it runs (one array task at a time), then resume it.
"$PB" suite "$T/four.suite" --slurm --array-max 1 --label lab3 --results "$T/resume" > "$T/resume.log" 2>&1
check "submit exits 0" [ $? -eq 0 ]
R=$(ls -d "$T"/resume/*/)
JOB=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_job_id"])' "$R/slurm.json")
scancel "${JOB}_4"
"$PB" merge "$R" --wait --timeout 600 > "$T/merge1.log" 2>&1
check "merge of a cancelled task exits 1" [ $? -eq 1 ]
check "merge names the missing task" grep -q '1 without a result' "$T/merge1.log"
check "merge names its command" grep -q '^  task 4 (mrc --workload .*): no result' "$T/merge1.log"
check "suite marked partial" [ "$(status_of "$R")" = partial ]
"$PB" suite --resume "$R" --slurm --wait --timeout 600 > "$T/resume2.log" 2>&1
check "resume exits 0" [ $? -eq 0 ]
check "resume resubmitted only task 4, with the first job's --array-max" grep -q -- '--array=4%1$' "$R/job-2.sbatch"
check "resumed suite complete" [ "$(status_of "$R")" = complete ]
check "resumed counts equal the local run" same_counts "$L" "$R"
check "resumed task labelled as the others" python3 -c 'import csv,sys; rows=list(csv.DictReader(open(sys.argv[1], newline=""))); sys.exit(0 if rows and all(r["label"] == "lab3" for r in rows) else 1)' "$R/mrc.csv"
check "mrc rows not merged twice" [ "$(($(wc -l < "$R/mrc.csv") - 1))" -eq 20 ]

echo "$passes passed, $fails failed"
[ $fails -eq 0 ] || { for f in "$T"/*.log; do echo "== $f" >&2; tail -n 5 "$f" >&2; done; exit 1; }
