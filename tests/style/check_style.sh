#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/style/check_style.sh SOURCE_DIR - the tree's hygiene, checked in ./run.sh test:
#   - every C file follows .clang-format (clang-format --dry-run --Werror);
#   - every C file, CMake file and script starts with an SPDX licence line;
#   - no absolute path of a machine (a work, home or root folder at the top) in the tree: shared
#     traces are found through PAGEBENCH_TRACES.
set -u
cd "$1" || exit 2
fails=0 passes=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
if command -v clang-format >/dev/null 2>&1; then
  bad=$(for f in $files; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
  if [ -n "$bad" ]; then
    echo "FAIL: not clang-formatted (run clang-format -i on them):"; echo "$bad" | sed 's/^/  /'
    fails=$((fails + 1))
  else passes=$((passes + 1)); fi
else
  echo "SKIP part: clang-format not installed"
fi
nospdx=$(for f in $files $(git ls-files 'CMakeLists.txt' '*/CMakeLists.txt' '*.cmake' '*.sh' '*.py' 'run.sh' '.ci/run' 2>/dev/null); do
  head -n 3 "$f" | grep -q 'SPDX-License-Identifier:' || echo "$f"; done)
if [ -n "$nospdx" ]; then
  echo "FAIL: no SPDX-License-Identifier line in the first 3 lines:"; echo "$nospdx" | sed 's/^/  /'
  fails=$((fails + 1))
else passes=$((passes + 1)); fi
abs=$(git grep -n -I -E '(^|[^A-Za-z0-9_.-])/(work|home|root|farm)/' -- ':!*.pbt' ':!tests/style/check_style.sh' 2>/dev/null | head)
if [ -n "$abs" ]; then
  echo "FAIL: absolute machine paths (use PAGEBENCH_TRACES or paths relative to the repository):"
  echo "$abs" | sed 's/^/  /'
  fails=$((fails + 1))
else passes=$((passes + 1)); fi
[ -f LICENSE ] && passes=$((passes + 1)) || { echo "FAIL: no LICENSE file"; fails=$((fails + 1)); }
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
