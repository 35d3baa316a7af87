#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `./run.sh help` names every subcommand run.sh dispatches (it left out
# `build`, which plots/plot.sh tells the user to run), and its `test` lines
# name every stage cmd_test runs (the Slurm and bad-input ones were missing).
# $1: the source tree.
set -u
src=$1
help=$(bash "$src/run.sh" help) || { echo "run.sh help failed"; exit 1; }
fail=0
# the dispatch: the lines "  word) ..." between `case "${1:-main}"` and `esac`
cmds=$(sed -n '/^case "\${1:-main}" in/,/^esac/p' "$src/run.sh" |
       sed -n 's/^  \([a-z][a-z]*\)[|)].*/\1/p')
[ -n "$cmds" ] || { echo "no subcommands found in run.sh"; exit 1; }
for c in $cmds; do
  if [ "$c" = main ]; then pat='^  \./run\.sh  '; else pat="^  \./run\.sh $c( |\$)"; fi
  if ! grep -Eq "$pat" <<<"$help"; then echo "run.sh help does not list '$c'"; fail=1; fi
done
# every stage of cmd_test, as its log lines name them
for w in Werror Slurm ThreadSanitizer libFuzzer bad-input; do
  if ! grep -q -- "$w" <<<"$help"; then echo "run.sh help: the test stages omit '$w'"; fail=1; fi
  if ! sed -n '/^cmd_test()/,/^}/p' "$src/run.sh" | grep -qi -- "${w%-input}"; then
    echo "cmd_test has no '$w' stage (the help's list is stale)"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "run.sh help lists: $(echo $cmds)"
exit $fail
