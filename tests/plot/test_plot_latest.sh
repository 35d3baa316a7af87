#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# plots/plot.sh --latest picks the run written last, not the last name: two runs
# of one second are named in the order of their random ids (and PAGEBENCH_RESULTS
# is the results root, as for pagebench itself).
#   test_plot_latest.sh SOURCE_DIR PAGEBENCH
set -euo pipefail
src=$1 pb=$2
gp=${PAGEBENCH_GNUPLOT:-gnuplot}
for tool in "$gp" pdfinfo; do # as test_plot: skipped (77) where the figures cannot be drawn or read
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
PAGEBENCH_RESULTS=$t/one "$pb" run pt-lookup --threads 1 --reps 2 --ops 4096 >"$t/run" 2>&1 ||
  { cat "$t/run"; echo "FAIL: pagebench run failed"; exit 1; }
run=$(ls -d "$t"/one/*/)
mkdir -p "$t/root"
# same second, ids in the opposite order to the times
cp -r "$run" "$t/root/20261206T000000Z-vm-zzzzzz"
touch -d '2026-12-06 00:00:00' "$t/root/20261206T000000Z-vm-zzzzzz/meta.json"
cp -r "$run" "$t/root/20261206T000000Z-vm-aaaaaa"
touch -d '2026-12-06 00:00:01' "$t/root/20261206T000000Z-vm-aaaaaa/meta.json"
mkdir "$t/root/20261206T000001Z-vm-nometa" # an interrupted run: no meta.json
PAGEBENCH=$pb PAGEBENCH_RESULTS=$t/root bash "$src/plots/plot.sh" --latest >"$t/out" 2>&1 ||
  { cat "$t/out"; echo "FAIL: plot.sh --latest failed"; exit 1; }
[ -d "$t/root/20261206T000000Z-vm-aaaaaa/plots" ] ||
  { cat "$t/out"; echo "FAIL: the newest run (aaaaaa) was not plotted"; exit 1; }
[ ! -e "$t/root/20261206T000000Z-vm-zzzzzz/plots" ] ||
  { echo "FAIL: the older run (zzzzzz, last by name) was plotted"; exit 1; }
pdf=$(ls "$t/root/20261206T000000Z-vm-aaaaaa/plots/"*.pdf | head -n 1)
pdfinfo "$pdf" | grep -q '^Pages:' || { echo "FAIL: $pdf is not a PDF pdfinfo reads"; exit 1; }
if PAGEBENCH=$pb PAGEBENCH_RESULTS=$t/empty bash "$src/plots/plot.sh" --latest 2>"$t/err"; then
  echo "FAIL: --latest with no run succeeded"; exit 1
fi
grep -q 'no run folder' "$t/err" || { cat "$t/err"; echo "FAIL: no clear message"; exit 1; }
echo "ok"
