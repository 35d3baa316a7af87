#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# plots/plot.sh - a thin wrapper over `pagebench plot` (docs/plots.md).
#   plots/plot.sh RUN_DIR [OPTIONS]     figures into RUN_DIR/plots/ (PDF and PNG)
#   plots/plot.sh --latest [OPTIONS]    the newest run under $PAGEBENCH_RESULTS or results/
#   plots/plot.sh --print-sim RUN_DIR   a text table of RUN_DIR/sim.csv (used by run.sh)
# OPTIONS are those of `pagebench plot` (--kind, --width, --mono, --logy, ...).
# The binary: $PAGEBENCH, else build/pagebench next to this folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pb=${PAGEBENCH:-$here/../build/pagebench}
[ -x "$pb" ] || { echo "plot.sh: $pb not built (./run.sh build, or set PAGEBENCH)" >&2; exit 2; }
if [ "${1:-}" = "--print-sim" ]; then # policy, frames, faults, EAT: a quick look, not a figure
  run=${2:?usage: plots/plot.sh --print-sim RUN_DIR}
  [ -f "$run/sim.csv" ] || exit 0
  awk -f "$here/unquote.awk" "$run/sim.csv" |
    awk -F, 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i
                     printf "  %-9s %7s %10s %10s %9s %12s\n", "policy", "frames", "faults", "evictions", "eat_ns", "accesses/s"; next }
             { printf "  %-9s %7s %10s %10s %9.1f %12.4g\n", $c["policy"], $c["frames"], $c["faults"],
               $c["evictions"], $c["eat_ns"], $c["accesses_per_s"] }'
  exit 0
fi
if [ "${1:-}" = "--latest" ]; then
  shift
  # The newest run is the one whose meta.json was written last (a run writes it at its end), not
  # the last name: two runs of one second are named in the order of their random ids.
  root=${PAGEBENCH_RESULTS:-$here/../results}
  meta=$(ls -1t "$root"/*/meta.json 2>/dev/null | head -n 1 || true)
  [ -n "$meta" ] || { echo "plot.sh: no run folder with a meta.json under $root" >&2; exit 2; }
  exec "$pb" plot "$(dirname "$meta")" "$@"
fi
[ $# -ge 1 ] || { echo "usage: plots/plot.sh RUN_DIR [OPTIONS] | --latest [OPTIONS] | --print-sim RUN_DIR" >&2; exit 2; }
exec "$pb" plot "$@"
