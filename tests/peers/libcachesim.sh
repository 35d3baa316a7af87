#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Side by side with libCacheSim (README.md, "Performance: targets and
# measured numbers").  A benchmark, not a test: it asserts nothing about time,
# only that the miss counts agree (exit 3 if they do not).
#
#   tests/peers/libcachesim.sh LCS_DIR PAGEBENCH
#
# LCS_DIR: a libCacheSim checkout (github.com/1a1a11a/libCacheSim) outside
# this repository.  Its `cachesim` is taken from LCS_DIR/_build/bin,
# LCS_DIR/build/bin or LCS_DIR/bin; when none is there and LCS_DIR has a
# CMakeLists.txt, it is built into LCS_DIR/_build (cmake, Release,
# -j$JOBS; needs the glib2 and zstd development packages).  libCacheSim is
# not a dependency of pagebench: this script only runs it.
# PAGEBENCH: the pagebench binary (build/pagebench).
#
# The trace: REFS references, Zipf ALPHA over PAGES pages (Python's
# random.choices with cumulative weights 1/k^ALPHA, seed SEED), written once
# in libCacheSim's oracleGeneral binary format (24-byte records: time =
# index, id, size 1, next access or -1).  Both tools read that same file:
# pagebench as --workload trace:path=FILE,format=oracle, cachesim as
# oracleGeneralBin with --ignore-obj-size 1 (a cache of N objects).
#
# Interleaved, ROUNDS times, for each policy and each of FRAMES:
#   policy  pagebench's policy layer alone: `sim --model policy` when this
#           pagebench has it, else `mrc --frames N:N:1` (policies alone; LRU
#           by stack distances, the others by one replay); the header says which;
#   engine  `pagebench sim` (the full engine: TLB, page walk, faults), --reps 1;
#   cachesim libCacheSim's `cachesim`.
# Each run is timed by wait4 (a few lines of Python around fork and exec):
# wall seconds, CPU seconds (user+sys, to the microsecond) and peak RSS.  Then one MRC: MRC_POLICY at 100 sizes (MRC_SIZES) by
# `pagebench mrc` and by cachesim with its size list and --num-thread
# (MRC_THREADS, default nproc), MRC_ROUNDS times.
#
# Miss counts: pagebench's policy layer and engine must report the same
# count; cachesim prints only a miss ratio to 4 decimals, so pagebench's
# count / REFS must lie within 0.00005 of it (+-100 misses of 2M); the
# table's `agree` column says so, or how many misses apart they are at
# least.  Exit 3 (after the table) when any of these checks fails; 1 or 2
# when the run itself failed or was misused.
# Policies are given as pagebench=libCacheSim name pairs; the pagebench
# side carries the parameters that make it libCacheSim's variant
# (docs/policies.md, "libCacheSim variants"; S3-FIFO's counts are
# libCacheSim's exactly with lcs_ghost=1, LIRS's differ slightly: 137
# misses of 2M at 20000 frames on the zipf trace).
#
# Environment: ROUNDS (5), FRAMES ("1000 20000"), REFS (2000000), PAGES
# (100000), ALPHA (0.9), SEED (1), POLICIES (the six below), MRC_POLICY
# (lru=lru), MRC_SIZES (1000:100000:1000), MRC_ROUNDS (3), MRC_THREADS,
# JOBS (2), SWEEP_ROUNDS (3), SWEEP_POLICIES (POLICIES and fifo=fifo),
# SWEEP_FRAMES ("1000 5000 20000"), SWEEP_WORKERS (MRC_THREADS), SAMPLE_RATE
# (unset: no sampled MRC; see the end), SAMPLE_REFS (10000000),
# SAMPLE_POLICY (arc=arc), SAMPLE_ROUNDS (1), PB_LCS_OUT (folder for the
# traces, the samples and the logs; default a temporary one),
# PB_LCS_SUMMARY=FILE (print the table of a samples.csv and run nothing).
#
# The sweep (issue 14's "7 policies x 3 sizes in one call"): every policy
# of SWEEP_POLICIES at every size of SWEEP_FRAMES in ONE invocation of each
# tool, SWEEP_WORKERS at once: `pagebench sim --model policy` and `pagebench
# sim` (the engine) with --workers, cachesim with its list of algorithms and
# sizes and --num-thread, SWEEP_ROUNDS times.  In the first round every
# (policy, size) pair is checked as the single runs are (MISMATCH lines); the
# table's sweep rows show the misses summed over the pairs, cachesim's mean
# ratio, and wall, CPU and peak RSS of the whole invocation.
set -u
POLICIES=${POLICIES:-"lru=lru clock=clock arc=arc sieve=sieve s3fifo:move_threshold=2,lcs_ghost=1=s3fifo lirs:stack_bound=2=lirs"}

# samples.csv: round,what,policy,frames,tool,wall_s,cpu_s,rss_kb,misses,refs
# (policy: the pagebench spec, its commas written as +: s3fifo:move_threshold=2+lcs_ghost=1)
# (misses: a count for pagebench, cachesim's ratio for cachesim; for an MRC
# those of its largest size).
table() {
	awk -F, '
		function med(v, k,   i, j, x) {
			for (i = 2; i <= k; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
			return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
		}
		function m(key, col,   k, v, i) {
			k = 0; split("", v)
			for (i = 1; i <= n[key]; i++) v[++k] = s[key, i, col]
			return k ? med(v, k) : -1
		}
		# median over rounds of (cachesim / tool) for column col
		function rr(cfg, tool, col,   k, v, r, a, b) {
			k = 0; split("", v)
			for (r in rounds) {
				a = byr[r, cfg, "cachesim", col]; b = byr[r, cfg, tool, col]
				if (a != "" && b > 0) v[++k] = a / b
			}
			return k ? sprintf("%.2f", med(v, k)) : "NA"
		}
		NR > 1 {
			cfg = $2 SUBSEP $3 SUBSEP $4; key = cfg SUBSEP $5
			n[key]++; s[key, n[key], 6] = $6; s[key, n[key], 7] = $7; s[key, n[key], 8] = $8
			byr[$1, cfg, $5, 6] = $6; byr[$1, cfg, $5, 7] = $7
			miss[key] = $9; refs[cfg] = $10; rounds[$1] = 1
			if (!(cfg in seen)) { seen[cfg] = 1; order[++no] = cfg }
		}
		END {
			print "| run | policy | frames | misses (pagebench) | cachesim miss ratio | agree | policy layer wall / CPU s | engine wall / CPU s | cachesim wall / CPU s | cachesim / policy (wall, CPU) | cachesim / engine (wall, CPU) | peak RSS MiB policy / engine / cachesim |"
			print "|---|---|---|---|---|---|---|---|---|---|---|---|"
			for (i = 1; i <= no; i++) {
				split(order[i], f, SUBSEP); c = order[i]
				pm = (c SUBSEP "policy") in n; em = (c SUBSEP "engine") in n
				pmiss = pm ? miss[c SUBSEP "policy"] : miss[c SUBSEP "engine"]
				# cachesim prints the ratio to 4 decimals: agreement is
				# the pagebench count / refs within half a unit of the last.
				d = pmiss / refs[c] - miss[c SUBSEP "cachesim"]; d = d < 0 ? -d : d
				ag = d <= 0.00005 + 1e-12 ? "yes" : sprintf("no: >= %d misses apart", (d - 0.00005) * refs[c])
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.3f / %.3f | %s | %s | %s / %s / %.0f |\n", f[1], f[2], f[3],
				       pmiss, miss[c SUBSEP "cachesim"], ag,
				       pm ? sprintf("%.3f / %.3f", m(c SUBSEP "policy", 6), m(c SUBSEP "policy", 7)) : "-",
				       em ? sprintf("%.3f / %.3f", m(c SUBSEP "engine", 6), m(c SUBSEP "engine", 7)) : "-",
				       m(c SUBSEP "cachesim", 6), m(c SUBSEP "cachesim", 7),
				       pm ? rr(c, "policy", 6) ", " rr(c, "policy", 7) : "-",
				       em ? rr(c, "engine", 6) ", " rr(c, "engine", 7) : "-",
				       pm ? sprintf("%.0f", m(c SUBSEP "policy", 8) / 1024) : "-",
				       em ? sprintf("%.0f", m(c SUBSEP "engine", 8) / 1024) : "-",
				       m(c SUBSEP "cachesim", 8) / 1024
			}
			print ""
			print "Medians over rounds; ratios are medians of the per-round ratios (> 1: pagebench is faster)."
		}' "$1"
}

if [ -n "${PB_LCS_SUMMARY:-}" ]; then # only the table of an earlier run's samples.csv
	table "$PB_LCS_SUMMARY"
	exit 0
fi
if [ $# -ne 2 ]; then
	echo "usage: $0 LCS_DIR PAGEBENCH" >&2
	exit 2
fi
lcs=$1 pb=$2
[ -x "$pb" ] || { echo "$0: $pb is not executable" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: needs python3 to write the trace" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
lcsabs=$(cd "$lcs" 2>/dev/null && pwd -P) || { echo "$0: $lcs: no such directory" >&2; exit 2; }
case "$lcsabs/" in "$repo"/*) echo "$0: $lcs is inside this repository; use a checkout outside it" >&2; exit 2 ;; esac
cs=""
for d in _build/bin build/bin bin; do
	[ -x "$lcsabs/$d/cachesim" ] && { cs=$lcsabs/$d/cachesim; break; }
done
if [ -z "$cs" ]; then
	[ -f "$lcsabs/CMakeLists.txt" ] || { echo "$0: no cachesim under $lcs and no CMakeLists.txt to build it" >&2; exit 2; }
	echo "# building libCacheSim's cachesim in $lcsabs/_build" >&2
	cmake -S "$lcsabs" -B "$lcsabs/_build" -DCMAKE_BUILD_TYPE=Release >"$lcsabs/_build.log" 2>&1 &&
		cmake --build "$lcsabs/_build" -j "${JOBS:-2}" --target cachesim >>"$lcsabs/_build.log" 2>&1 ||
		{ echo "$0: building libCacheSim failed, see $lcsabs/_build.log" >&2; exit 1; }
	cs=$lcsabs/_build/bin/cachesim
fi

rounds=${ROUNDS:-5} frames=${FRAMES:-"1000 20000"} refs=${REFS:-2000000} pages=${PAGES:-100000}
alpha=${ALPHA:-0.9} seed=${SEED:-1} mrc_rounds=${MRC_ROUNDS:-3} mrc_sizes=${MRC_SIZES:-1000:100000:1000}
mrc_policy=${MRC_POLICY:-lru=lru} mrc_threads=${MRC_THREADS:-$(nproc 2>/dev/null || echo 1)}
out=${PB_LCS_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/pb-lcs.XXXXXX")}
mkdir -p "$out/results" "$out/cachesim"
# write_trace REFS PATH: REFS references of the zipf trace, once.
write_trace() {
	[ -s "$2" ] && return 0
	python3 - "$1" "$pages" "$alpha" "$seed" "$2" <<'EOF' || { echo "$0: writing the trace failed" >&2; exit 1; }
import bisect, itertools, random, struct, sys
refs, pages, alpha, seed, path = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
cum = list(itertools.accumulate(1.0 / k ** alpha for k in range(1, pages + 1)))
ids = random.Random(seed).choices(range(pages), cum_weights=cum, k=refs)
nxt, last = [-1] * refs, {}
for i in range(refs - 1, -1, -1):
    nxt[i] = last.get(ids[i], -1)
    last[ids[i]] = i
rec, buf = struct.Struct('<IQIq'), bytearray(24 * refs)
for i in range(refs):
    rec.pack_into(buf, 24 * i, i, ids[i], 1, nxt[i])
with open(path + '.tmp', 'wb') as f:
    f.write(buf)
EOF
	mv "$2.tmp" "$2"
}
trace=$out/zipf-$refs-$pages-$alpha-$seed.oracleGeneral
write_trace "$refs" "$trace"
wl="trace:path=$trace,format=oracle"
if "$pb" sim --help 2>&1 | grep -q -- '--model'; then
	polcmd=model
	polwhat="pagebench sim --model policy"
else
	polcmd=mrc
	polwhat="pagebench mrc --frames N:N:1 (this pagebench has no sim --model)"
fi
samples=$out/samples.csv
echo "round,what,policy,frames,tool,wall_s,cpu_s,rss_kb,misses,refs" >"$samples"
fails=0

# timed LOG CMD...: runs CMD with stdout and stderr to LOG; prints
# "wall,cpu,rss_kb".  The child's own rusage (wait4: user + system to the
# microsecond, peak RSS) and the wall time from fork to reap: GNU time's
# %e, %U and %S have two decimals, and at the engine's 0.12-0.15 s a
# hundredth of a second moved a ratio by up to 8%.
timed() {
	local log=$1
	shift
	python3 -c '
import os, sys, time
log, argv = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        os.write(2, ("%s: %s\n" % (argv[0], e.strerror)).encode())
        os._exit(127)
_, st, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(st)
if code == 0:
    print("%.4f,%.4f,%d" % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss), end="")
sys.exit(1 if code else 0)' "$log" "$@" || { cat "$log" >&2; return 1; }
}
# Column `col` of the CSV rows in a pagebench --csv log (header by name;
# a real CSV parser: the workload column is quoted and holds commas).
pbcol() {
	python3 -c '
import csv, sys
col, hdr = sys.argv[2], None
for row in csv.reader(open(sys.argv[1])):
    if row and row[0] == "schema_version":
        hdr = row
    elif hdr and len(row) == len(hdr):
        print(row[hdr.index(col)])' "$1" "$2"
}
lcsratio() { sed -n 's/.*miss ratio \([0-9.]*\),.*/\1/p' "$1" | tail -1; }
# cachesim's result line, "... cache size N, R req, miss ratio X, ...": size
# and ratio, for the Python readers of a multi-size log (sweep, sampled MRC)
export PB_LCS_RESULT_RE='cache size\s+(\d+),\s+\d+ req, miss ratio ([0-9.]+)'

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# trace: $refs refs, zipf $alpha over $pages pages, seed $seed: $trace"
echo "# policy layer: $polwhat; engine: pagebench sim --reps 1; cachesim: $cs"
echo "# $rounds rounds, interleaved; MRC: $mrc_policy at $mrc_sizes, $mrc_rounds rounds, cachesim --num-thread $mrc_threads"
for r in $(seq 1 "$rounds"); do
	for pp in $POLICIES; do
		lp=${pp##*=} p=${pp%=*}
		for f in $frames; do
			if [ $polcmd = model ]; then
				t=$(timed "$out/p.log" "$pb" sim --model policy --workload "$wl" --policy "$p" --frames "$f" \
					--reps 1 --fixed-seed --csv --results "$out/results") || exit 1
				pm=$(pbcol "$out/p.log" faults)
			else
				t=$(timed "$out/p.log" "$pb" mrc --workload "$wl" --policy "$p" --frames "$f:$f:1" \
					--csv --results "$out/results") || exit 1
				pm=$(pbcol "$out/p.log" misses)
			fi
			echo "$r,single,${p//,/+},$f,policy,$t,$pm,$refs" >>"$samples"
			t=$(timed "$out/e.log" "$pb" sim --workload "$wl" --policy "$p" --frames "$f" --reps 1 \
				--fixed-seed --csv --results "$out/results") || exit 1
			em=$(pbcol "$out/e.log" faults)
			echo "$r,single,${p//,/+},$f,engine,$t,$em,$refs" >>"$samples"
			t=$( (cd "$out/cachesim" && timed "$out/c.log" "$cs" "$trace" oracleGeneralBin "$lp" "$f" \
				--ignore-obj-size 1 --report-interval 1000000000)) || exit 1
			cm=$(lcsratio "$out/c.log")
			echo "$r,single,${p//,/+},$f,cachesim,$t,$cm,$refs" >>"$samples"
			# pagebench's two paths must agree exactly; cachesim to its 4 decimals.
			if [ "$r" = 1 ] && { [ -z "$pm" ] || [ "$pm" != "$em" ] ||
				! awk -v m="$pm" -v n="$refs" -v c="$cm" 'BEGIN {d = m / n - c; exit !(d <= 0.00005 + 1e-12 && -d <= 0.00005 + 1e-12)}'; }; then
				echo "MISMATCH $p at $f frames: policy layer $pm, engine $em misses; cachesim miss ratio $cm" >&2
				fails=1
			fi
		done
	done
	echo "# round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

# The MRC: 100 sizes of one policy.
mp=${mrc_policy%=*} ml=${mrc_policy##*=}
lo=${mrc_sizes%%:*} rest=${mrc_sizes#*:}
hi=${rest%%:*} st=${rest#*:}
list=$(seq "$lo" "$st" "$hi" | paste -sd, -)
npts=$(seq "$lo" "$st" "$hi" | wc -l)
for r in $(seq 1 "$mrc_rounds"); do
	t=$(timed "$out/pm.log" "$pb" mrc --workload "$wl" --policy "$mp" --frames "$mrc_sizes" --csv \
		--results "$out/results") || exit 1
	echo "$r,mrc-$npts,$mp,$lo-$hi,policy,$t,$(pbcol "$out/pm.log" misses | tail -1),$refs" >>"$samples"
	t=$( (cd "$out/cachesim" && timed "$out/cm.log" "$cs" "$trace" oracleGeneralBin "$ml" "$list" \
		--ignore-obj-size 1 --num-thread "$mrc_threads")) || exit 1
	echo "$r,mrc-$npts,$mp,$lo-$hi,cachesim,$t,$(lcsratio "$out/cm.log"),$refs" >>"$samples"
	echo "# MRC round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
# The sweep: all policies x all sizes in one invocation of each tool.
sweep_pol=${SWEEP_POLICIES:-"$POLICIES fifo=fifo"}
sweep_frames=$(echo "${SWEEP_FRAMES:-1000 5000 20000}" | tr ' ' ',')
sweep_workers=${SWEEP_WORKERS:-$mrc_threads}
spl="" sll=""
for pp in $sweep_pol; do
	spl=${spl:+$spl,}${pp%=*} sll=${sll:+$sll,}${pp##*=}
done
npol=$(echo "$sweep_pol" | wc -w)
nsw=$((npol * $(echo "$sweep_frames" | tr ',' '\n' | wc -l)))
swrow="sweep-$nsw,$npol policies,${sweep_frames//,/+}" # samples.csv: what,policy,frames
# sweepsum PBLOG LCSLOG CHECK [SAMELOG]: "pagebench-misses,cachesim-mean-
# ratio" over the pairs (an engine or policy-layer log); CHECK=1: each
# pair's count against cachesim's ratio as the single runs are; SAMELOG:
# another pagebench log whose count must be the same for every pair.
# MISMATCH lines on stderr, exit 3.
sweepsum() {
	python3 - "$1" "$2" "$3" "$sweep_pol" "$sweep_frames" "$refs" "${4:-}" <<'EOF'
import csv, os, re, sys
pbl, lcl, check, pols, frames, refs, same = sys.argv[1:]
pols = [p.rsplit("=", 1)[0] for p in pols.split()]
frames = [int(f) for f in frames.split(",")]
refs = int(refs)
def faults(log):
    d, hdr = {}, None
    for row in csv.reader(open(log)):
        if row and row[0] == "schema_version":
            hdr = row
        elif hdr and len(row) == len(hdr):
            d[(row[hdr.index("policy")], int(row[hdr.index("frames")]))] = int(row[hdr.index("faults")])
    return d
pb = faults(pbl)
ref = faults(same) if same else None
lc = [(int(m.group(1)), float(m.group(2))) for m in
      re.finditer(os.environ["PB_LCS_RESULT_RE"], open(lcl, errors="replace").read())]
bad = 0
if len(lc) != len(pols) * len(frames):
    print("MISMATCH sweep: cachesim printed %d results for %d pairs" % (len(lc), len(pols) * len(frames)), file=sys.stderr)
    sys.exit(3)
tot, rsum = 0, 0.0
for i, p in enumerate(pols):
    for j, f in enumerate(frames):
        size, ratio = lc[i * len(frames) + j]  # cachesim: algorithm-major
        key = (p.split(":")[0], f)
        m = pb.get(key)
        if m is None or size != f:
            print("MISMATCH sweep %s at %d frames: no pagebench row or cachesim size %d" % (p, f, size), file=sys.stderr)
            bad = 1
            continue
        tot += m
        rsum += ratio
        if ref is not None and ref.get(key) != m:
            print("MISMATCH sweep %s at %d frames: policy layer %d, engine %s misses" % (p, f, m, ref.get(key)), file=sys.stderr)
            bad = 1
        if check == "1" and abs(m / refs - ratio) > 0.00005 + 1e-12:
            print("MISMATCH sweep %s at %d frames: pagebench %d misses; cachesim miss ratio %s" % (p, f, m, ratio), file=sys.stderr)
            bad = 1
print("%d,%.6f" % (tot, rsum / len(lc)), end="")
sys.exit(3 if bad else 0)
EOF
}
echo "# sweep: $spl x $sweep_frames in one invocation each, ${SWEEP_ROUNDS:-3} rounds, --workers / --num-thread $sweep_workers"
for r in $(seq 1 "${SWEEP_ROUNDS:-3}"); do
	if [ $polcmd = model ]; then
		t=$(timed "$out/swp.log" "$pb" sim --model policy --workload "$wl" --policy "$spl" \
			--frames "$sweep_frames" --reps 1 --fixed-seed --workers "$sweep_workers" --csv \
			--results "$out/results") || exit 1
	fi
	u=$(timed "$out/swe.log" "$pb" sim --workload "$wl" --policy "$spl" --frames "$sweep_frames" \
		--reps 1 --fixed-seed --workers "$sweep_workers" --csv --results "$out/results") || exit 1
	v=$( (cd "$out/cachesim" && timed "$out/swc.log" "$cs" "$trace" oracleGeneralBin "$sll" \
		"$sweep_frames" --ignore-obj-size 1 --num-thread "$sweep_workers")) || exit 1
	chk=$([ "$r" = 1 ] && echo 1 || echo 0)
	se=$(sweepsum "$out/swe.log" "$out/swc.log" "$chk") || { rc=$?; [ $rc = 3 ] || exit 1; fails=1; }
	if [ $polcmd = model ]; then
		sp=$(sweepsum "$out/swp.log" "$out/swc.log" 0 "$out/swe.log") || { rc=$?; [ $rc = 3 ] || exit 1; fails=1; }
		echo "$r,$swrow,policy,$t,${sp%,*},$((refs * nsw))" >>"$samples"
	fi
	echo "$r,$swrow,engine,$u,${se%,*},$((refs * nsw))" >>"$samples"
	echo "$r,$swrow,cachesim,$v,${se#*,},$((refs * nsw))" >>"$samples"
	echo "# sweep round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); samples: $samples"
echo
table "$samples"

# The sampled MRC (issue 14): every pagebench policy at the MRC's sizes by
# SHARDS-sampled miniature simulations (mrc --sample SAMPLE_RATE --policy
# all) against cachesim's exact curve of ONE policy (SAMPLE_POLICY, default
# arc=arc) at the same sizes, on a SAMPLE_REFS-reference trace (default 10M),
# SAMPLE_ROUNDS times (default 1).  Skipped unless SAMPLE_RATE is set.  The
# accuracy check: pagebench's sampled curve of that policy against
# cachesim's exact one, mean and largest absolute miss-ratio difference
# (exit 3 when the mean exceeds 0.01).
sfails=0
if [ -n "${SAMPLE_RATE:-}" ]; then
	srefs=${SAMPLE_REFS:-10000000} sp=${SAMPLE_POLICY:-arc=arc}
	spb=${sp%=*} slc=${sp##*=}
	strace=$out/zipf-$srefs-$pages-$alpha-$seed.oracleGeneral
	write_trace "$srefs" "$strace"
	echo
	echo "Sampled MRC, $srefs references: pagebench \`mrc --sample $SAMPLE_RATE --policy all --frames $mrc_sizes\` ($npts sizes, every policy) vs cachesim \`$slc\` at the same sizes (--num-thread $mrc_threads):"
	echo
	echo "| round | pagebench, all policies: wall / CPU s / RSS MiB | cachesim, $slc: wall / CPU s / RSS MiB | cachesim / pagebench (wall, CPU) | $spb sampled vs exact: mean / max abs. miss-ratio difference |"
	echo "|---|---|---|---|---|"
	for r in $(seq 1 "${SAMPLE_ROUNDS:-1}"); do
		t=$(timed "$out/sm.log" "$pb" mrc --workload "trace:path=$strace,format=oracle" --policy all \
			--sample "$SAMPLE_RATE" --frames "$mrc_sizes" --csv --results "$out/results") || exit 1
		u=$( (cd "$out/cachesim" && timed "$out/sc.log" "$cs" "$strace" oracleGeneralBin "$slc" "$list" \
			--ignore-obj-size 1 --num-thread "$mrc_threads")) || exit 1
		python3 - "$out/sm.log" "$out/sc.log" "$spb" "$t" "$u" "$r" <<'EOF' || sfails=$((sfails + 1))
import csv, os, re, sys
pm, cl, pol, t, u, r = sys.argv[1:]
pb, hdr = {}, None
for row in csv.reader(open(pm)):
    if row and row[0] == "schema_version":
        hdr = row
    elif hdr and len(row) == len(hdr) and row[hdr.index("policy")] == pol.split(":")[0]:
        if row[hdr.index("miss_ratio")] != "NA":
            pb[int(row[hdr.index("frames")])] = float(row[hdr.index("miss_ratio")])
lc = {int(m.group(1)): float(m.group(2)) for m in
      re.finditer(os.environ["PB_LCS_RESULT_RE"], open(cl, errors="replace").read())}
both = sorted(set(pb) & set(lc))
tw, tc, tr = (float(x) for x in t.split(","))
uw, uc, ur = (float(x) for x in u.split(","))
d = [abs(pb[f] - lc[f]) for f in both]
acc = "%.4f / %.4f (%d sizes)" % (sum(d) / len(d), max(d), len(d)) if d else "NA (no common sizes)"
print("| %s | %.2f / %.2f / %.0f | %.2f / %.2f / %.0f | %.2f, %.2f | %s |" % (
    r, tw, tc, tr / 1024, uw, uc, ur / 1024, uw / tw if tw else 0, uc / tc if tc else 0, acc))
sys.exit(0 if d and sum(d) / len(d) <= 0.01 else 1)
EOF
	done
fi
[ $fails = 0 ] || echo "miss counts DIFFER (see MISMATCH lines above)" >&2
[ $sfails = 0 ] || echo "the sampled curve is more than 0.01 from cachesim's exact one (mean)" >&2
[ $fails = 0 ] && [ $sfails = 0 ] || exit 3
