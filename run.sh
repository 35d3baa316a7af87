#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pagebench: the one entry point.
#   ./run.sh          install what is missing, build Release in build/, run the default suite
#                     (harness/suites/default.suite) and summarise each new run folder
#   ./run.sh build    install what the build needs, build Release in build/ (runs nothing)
#   ./run.sh test     install what the tests need, then every test stage (README: Trust):
#                     1 Release build with -Werror: unit, stress and fuzz (standalone driver)
#                       tests, then the Slurm tests on a one-node cluster in a temporary folder
#                     2 ThreadSanitizer build: stress tests
#                     3 libFuzzer build (clang, ASan+UBSan): every fuzz target for
#                       PB_FUZZ_SECONDS each (default 15), then the bad-input matrix against it
#   ./run.sh bench    build Release, run the performance benchmarks (not in CI)
#   ./run.sh fuzz [SECONDS]  every libFuzzer target for SECONDS each (default 300), ASan+UBSan
#   ./run.sh help     this list
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

# Debian packages: build and run, then what only the tests need.
PKGS_BUILD=(build-essential cmake pkg-config libhwloc-dev hwloc libpapi-dev papi-tools
            libjemalloc-dev libzstd-dev zstd zlib1g-dev liblzma-dev libjansson-dev libxxhash-dev libpng-dev xz-utils gnuplot-nox valgrind)
PKGS_TEST=(clang libclang-rt-dev python3 libxml2-utils slurmctld slurmd slurm-client munge poppler-utils)

log() { printf '== %s\n' "$*" >&2; }

ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "pagebench needs these Debian packages; install them as root, then run again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  log "installing: ${missing[*]}"
  if [ -z "${PB_APT_UPDATED:-}" ]; then
    apt-get update -qq >&2
    export PB_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

configure_build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S "$ROOT" -B "$ROOT/$dir" "$@" >"$ROOT/$dir.configure.log" 2>&1 ||
    { cat "$ROOT/$dir.configure.log" >&2; exit 1; }
  cmake --build "$ROOT/$dir" -j "$JOBS" >&2
}

build_release() {
  ensure_packages "${PKGS_BUILD[@]}"
  log "building Release in build/"
  configure_build build -DCMAKE_BUILD_TYPE=Release -DPAGEBENCH_WERROR=ON
}

summarise() { # run folder: a short table of what it measured, on stderr
  local d=$1
  if [ -f "$d/summary.csv" ]; then
    awk -f plots/unquote.awk "$d/summary.csv" | awk -F, 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
             $c["thread"] == "total" { printf "  %-26s %2s thr %12.2f ns/op %14.4g ops/s%s\n",
               $c["kernel"], $c["threads"], $c["median_ns_per_op"], $c["median_ops_per_s"],
               ($c["valid"] == "1" ? "" : "  INVALID") }' >&2
  fi
  if [ -f "$d/sim.csv" ]; then
    plots/plot.sh --print-sim "$d" >&2 || true
  fi
}

cmd_main() {
  build_release
  mkdir -p results
  local before after d
  before=$(ls -1d results/*/ 2>/dev/null || true)
  log "default suite (harness/suites/default.suite): every kernel on 1 and 2 pinned threads,"
  log "6 repetitions + warm-up; all 17 eviction policies on a zipf workload; miss-ratio curves"
  ./build/pagebench suite default --threads 1,2
  after=$(ls -1d results/*/ 2>/dev/null || true)
  log "summary"
  for d in $(comm -13 <(echo "$before" | sort) <(echo "$after" | sort)); do
    d=${d%/}
    echo "  $d" >&2
    summarise "$d"
    ls "$d"/plots/*.pdf 2>/dev/null | sed 's/^/  figure: /' >&2 || echo "  (no figures)" >&2
  done
  log "done: read results/README.md for the columns; plots are in each run's plots/ folder"
}

cmd_test() {
  ensure_packages "${PKGS_BUILD[@]}" "${PKGS_TEST[@]}"
  local fails=0
  log "1/3 Release build with -Werror: unit, stress and fuzz (standalone driver) tests"
  configure_build build -DCMAKE_BUILD_TYPE=Release -DPAGEBENCH_WERROR=ON
  ctest --test-dir build -L 'unit|stress|fuzz' --output-on-failure -j "$JOBS" || fails=1
  log "   a one-node Slurm cluster in a temporary folder: suites as job arrays, merge, resume"
  ctest --test-dir build -L slurm --output-on-failure || fails=1
  log "2/3 ThreadSanitizer build: stress tests"
  configure_build build-tsan -DCMAKE_BUILD_TYPE=TSan -DPAGEBENCH_WERROR=ON -DPAGEBENCH_WITH_OPENMP=OFF
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    ctest --test-dir build-tsan -L stress --output-on-failure -j "$JOBS" || fails=1
  log "3/3 libFuzzer build (clang, ASan+UBSan): fuzz targets, bounded time"
  CC=clang configure_build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAGEBENCH_LIBFUZZER=ON \
    -DPAGEBENCH_WITH_OPENMP=OFF -DPB_FUZZ_SECONDS="${PB_FUZZ_SECONDS:-15}"
  ctest --test-dir build-fuzz -L fuzz --output-on-failure || fails=1
  log "   the bad-input matrix against the ASan+UBSan binary (every command x option x bad value)"
  ctest --test-dir build-fuzz -L badinput --output-on-failure || fails=1
  if [ "$fails" -ne 0 ]; then
    log "TESTS FAILED"
    exit 1
  fi
  log "all test stages passed"
}

# Real paging (docs/real.md).  Fault counts come from getrusage inside the
# kernels, so the timed repetitions run without per-event perf counters
# (PAGEBENCH_COUNTERS=rusage); one run with the default counters shows what
# they cost.  page_fault1/2/3 are will-it-scale's, configured alike: 128 MiB
# per task, threads and processes.
bench_real() {
  local pb=$1 r=$2 ru="env PAGEBENCH_COUNTERS=rusage" k b
  local nt; nt=$(nproc 2>/dev/null || echo 2); [ "$nt" -gt 1 ] && nt="1,$nt"
  log "real faults: will-it-scale page_fault1/2/3 alike (threads, then processes)"
  # count=shared: the loop counts its pages in a shared file page, as
  # will-it-scale's; fill=none: a sparse file, as page_fault2/3's
  local p
  for k in fault-anon fault-cow fault-shared-write; do
    p=count=shared; [ $k = fault-anon ] || p=count=shared,fill=none
    $ru $pb run $k --threads "$nt" $r --size 128M --param $p --no-baseline
    $ru $pb run $k --threads "$nt" $r --size 128M --param procs=1,$p --no-baseline
  done
  # Side by side with will-it-scale (docs/real.md) when PB_WIS_DIR names a built checkout of it
  if [ -n "${PB_WIS_DIR:-}" ]; then tests/peers/will_it_scale.sh "$PB_WIS_DIR" "$pb"; fi
  log "real faults: the perf software counters' overhead (fault-anon with the default counters)"
  $pb run fault-anon --threads "$nt" $r --size 128M --no-baseline
  log "real faults: zero page, write after read, MAP_POPULATE baseline, fault-around, cold cache, THP"
  for k in fault-anon-read fault-anon-war fault-populate fault-file fault-file-cold; do
    $ru $pb run $k --threads "$nt" $r --size 32M --no-baseline
  done
  $ru $pb run fault-file --threads "$nt" $r --size 32M --param stride=16,fill=pwrite --no-baseline
  $ru $pb run fault-anon --threads 1 $r --size 128M --param thp=1 --no-baseline
  $ru $pb run fault-thp --threads "$nt" $r --no-baseline
  log "real zaps: munmap / MADV_DONTNEED / MADV_FREE per page by batch, alone and with a spinning thread"
  for k in zap-munmap zap-dontneed zap-free; do
    for b in 1 16 512; do
      $ru $pb run $k --threads 1 $r --size 32M --param batch=$b --no-baseline
      $ru $pb run $k --threads 1 $r --size 32M --param batch=$b,others=1 --no-baseline
    done
  done
  log "userfaultfd pager: work per fault and round trip (pager_work_ns, copy_ns, lat_* in events.csv)"
  $ru $pb run uffd-pager --threads 1 --reps 11 --param dirty=off --no-baseline
  $ru $pb run uffd-pager --threads 1 --reps 11 --param dirty=off,evict_batch=32 --no-baseline
  $ru $pb run uffd-pager --threads 1 --reps 11 --param dirty=auto,write=0.3 --no-baseline
  $ru $pb run uffd-pager --threads 1 --reps 11 --param dirty=wp,write=0.3 --no-baseline
  # every access a fault, with its floor (uffd-floor, the baseline: the kernel's round trip alone)
  for b in 1 32; do for io in copy move; do
    $ru $pb run uffd-pager --threads 1 --reps 11 --param pattern=loop,policy=fifo,latency=roundtrip,dirty=off,evict_batch=$b,io=$io ||
      [ $io = copy ] || log "io=move needs UFFDIO_MOVE (Linux 6.8+); the message above says why it did not run"
  done; done
  $ru $pb run uffd-pager --threads "$nt" --reps 11 --param handlers=0 --no-baseline
  $ru $pb run uffd-pager --threads "$nt" --reps 11 --param handlers=2 --no-baseline
  $ru $pb run uffd-pager --threads 1 --reps 5 --param prepage=readahead,pattern=loop --no-baseline
  $ru $pb run uffd-pager --threads 1 --reps 5 --param prepage=cluster,pattern=loop --no-baseline
  $ru $pb run uffd-pager --threads 1 --reps 5 --param "swap=${TMPDIR:-/tmp},write=0.3" --no-baseline
}

cmd_bench() {
  build_release
  local pb=./build/pagebench r="--reps 11"
  log "performance targets (README: Performance), medians of 11 repetitions"
  $pb run pt-lookup --threads 1,2 $r
  $pb run pt-lookup --threads 1,2 $r --param pt=hashed
  $pb run pt-lookup-cold --threads 1 $r
  $pb run pt-map-unmap --threads 1,2 $r
  $pb run frames-alloc-free --threads 1,2 $r --param pattern=repeat
  $pb run frames-alloc-free --threads 1,2 $r --param pattern=random,cross=50
  $pb run frames-alloc-free --threads 1,2 $r --param pattern=repeat,order=9
  $pb run frames-alloc-free --threads 1,2 $r --param pattern=repeat,order=9,path=global --no-baseline
  $pb run frames-alloc-free --threads 1,2 $r --param pattern=repeat,path=global --no-baseline
  $pb run trace-read --threads 1 $r
  $pb run trace-read --threads 1 $r --param format=lackey
  $pb run vm-engine --threads 1,2 $r
  $pb run vm-fault --threads 1,2 $r
  bench_real "$pb" "$r"
  log "policy replay speed (2M refs, zipf 0.9 over 100k pages, 20k frames)"
  ./build/tests/policy/bench_policy
  # Side by side with libCacheSim (README: Performance) when PB_LCS_DIR names a checkout of it
  # (exit 3: the miss counts differ somewhere; the table says where)
  if [ -n "${PB_LCS_DIR:-}" ]; then
    tests/peers/libcachesim.sh "$PB_LCS_DIR" "$pb" || { local rc=$?; [ "$rc" -eq 3 ] || exit "$rc"; }
  fi
  log "bench-only suite"
  $pb suite bench
}

cmd_fuzz() { # long fuzzing runs: every target, SECONDS each, corpora kept in build-fuzz
  local secs=${1:-300}
  case "$secs" in ''|*[!0-9]*) echo "run.sh fuzz: SECONDS must be a number" >&2; exit 2 ;; esac
  ensure_packages "${PKGS_BUILD[@]}" "${PKGS_TEST[@]}"
  log "libFuzzer build (clang, ASan+UBSan): every fuzz target for $secs s"
  CC=clang configure_build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAGEBENCH_LIBFUZZER=ON \
    -DPAGEBENCH_WITH_OPENMP=OFF -DPB_FUZZ_SECONDS="$secs"
  ctest --test-dir build-fuzz -L fuzz --output-on-failure --timeout $((secs + 120))
  log "crashes are saved as crash-* in build-fuzz/tests/*/: add each to the target's corpus folder"
}

case "${1:-main}" in
  main|"") cmd_main ;;
  test) cmd_test ;;
  bench) cmd_bench ;;
  fuzz) cmd_fuzz "${2:-}" ;;
  build) build_release ;;
  help|-h|--help)
    sed -n '3,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p' ;;
  *) echo "run.sh: unknown command '$1' (try ./run.sh help)" >&2; exit 2 ;;
esac
