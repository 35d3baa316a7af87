#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Side by side with will-it-scale (docs/real.md, "Side by side with
# will-it-scale").  A benchmark, not a test: it asserts nothing about time.
#
#   tests/peers/will_it_scale.sh WIS_DIR PAGEBENCH
#
# WIS_DIR: a built checkout of will-it-scale (github.com/antonblanchard/
# will-it-scale; `make` there builds page_fault{1,2,3}_{threads,processes}).
# will-it-scale is not a dependency of pagebench: this script only runs it.
# PAGEBENCH: the pagebench binary (build/pagebench).
#
# Interleaved, ROUNDS times (A B A B ...), for each of page_fault1/2/3 and
# threads / processes: will-it-scale at 1 task and at N tasks, then
# pagebench's equivalent kernel at --threads 1,N configured alike:
#   page_fault1 = fault-anon           (private anonymous, write each page)
#   page_fault2 = fault-cow            (MAP_PRIVATE file, write: COW)
#   page_fault3 = fault-shared-write   (MAP_SHARED file, write)
# 128 MiB per task mapped, one write per 4 KiB page, unmapped, in a loop;
# the files sparse as will-it-scale's (fill=none: ftruncate only), and each
# page touched also counted in a MAP_SHARED file page as will-it-scale's
# loop does (count=shared; about 85 ns per page here, 13% of page_fault3).
# will-it-scale counts one iteration per page; its "average:" line is the
# sum over tasks of iterations per second (after its 5 s warm-up), so
# pages/s per task = average / tasks.  pagebench: pages/s per task =
# 1e9 / median_ns_per_op of summary.csv's total row (summed thread time /
# summed pages, i.e. per task, mmap and munmap included), with
# PAGEBENCH_COUNTERS=rusage (no per-event counters in the timed passes).
# Prints the medians over rounds and the ratio pagebench / will-it-scale.
#
# CPU per page, beside the wall rates: on a machine shared with other
# tenants the wall rates measure who else held the CPU as much as the
# faults.  will-it-scale: the user + system time of it and its tasks from
# its first printed second to its end over the iterations it printed in
# that span (see wis_run).  pagebench: cpu_ns / pages of the measured
# repetitions (events.csv; the task's own getrusage around its passes).
# WIS_CPU=0 leaves the CPU columns out (NA).
#
# Environment: ROUNDS (default 5), WIS_SECONDS (will-it-scale's -s,
# default 3), TASKS (default "1 $(nproc)"), PB_REPS (default 6),
# PB_WIS_OUT (folder for the raw samples; default a temporary one),
# PB_OPS (pagebench --ops: pages per task per repetition; default 262144:
# eight 128 MiB passes, as will-it-scale loops; with procs=1 a repetition
# forks and reaps a process, about 8% of a single pass here),
# PB_COUNT (default shared; reg: pages counted in a register, as before
# 2026-12-02 14:00), PB_FILL (page_fault2/3's file; default none; map:
# stamped through a mapping and synced), WIS_TESTS (default "page_fault1 page_fault2 page_fault3"), WIS_MODES
# (default "threads processes"),
# PB_WIS_SUMMARY=FILE (print the table of a samples.csv and run nothing).
set -u
table() {
	echo "| test | mode | tasks | will-it-scale pages/s/task | pagebench pages/s/task | ratio of medians | median of round ratios | will-it-scale CPU ns/page | pagebench CPU ns/page | CPU: median of round ratios |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	awk -F, '
		function median(key,   k, i, j, v, x) {
			k = cnt[key]
			for (i = 1; i <= k; i++) v[i] = val[key, i]
			return med(v, k)
		}
		function med(v, k,   i, j, x) {
			for (i = 2; i <= k; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
			return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
		}
		NR > 1 {
			key = $2 SUBSEP $3 SUBSEP $4 SUBSEP $5
			val[key, ++cnt[key]] = $6
			byround[$1, $2 SUBSEP $3 SUBSEP $4, $5] = $6
			# CPU ns per page (a column older samples lack, or NA)
			if (NF >= 7 && $7 != "NA" && $7 > 0) {
				cval[key, ++ccnt[key]] = $7
				cround[$1, $2 SUBSEP $3 SUBSEP $4, $5] = $7
			}
			rounds[$1] = 1
			if (!(($2 SUBSEP $3 SUBSEP $4) in seen)) { seen[$2 SUBSEP $3 SUBSEP $4] = 1; order[++no] = $2 SUBSEP $3 SUBSEP $4 }
		}
		END {
			for (i = 1; i <= no; i++) {
				split(order[i], f, SUBSEP)
				w = median(order[i] SUBSEP "wis"); p = median(order[i] SUBSEP "pagebench")
				# The two of one round ran a few seconds apart: their ratio cancels slow load drift.
				nr = 0
				split("", rr)
				for (r in rounds)
					if (((r, order[i], "wis") in byround) && ((r, order[i], "pagebench") in byround) && byround[r, order[i], "wis"] > 0)
						rr[++nr] = byround[r, order[i], "pagebench"] / byround[r, order[i], "wis"]
				# CPU: will-it-scale ns/page over ours, so > 1 means ours is faster, as above.
				nc = 0
				split("", cr)
				for (r in rounds)
					if (((r, order[i], "wis") in cround) && ((r, order[i], "pagebench") in cround))
						cr[++nc] = cround[r, order[i], "wis"] / cround[r, order[i], "pagebench"]
				split("", v)
				k = ccnt[order[i] SUBSEP "wis"]
				for (j = 1; j <= k; j++) v[j] = cval[order[i] SUBSEP "wis", j]
				cw = k ? sprintf("%.0f", med(v, k)) : "NA"
				split("", v)
				k = ccnt[order[i] SUBSEP "pagebench"]
				for (j = 1; j <= k; j++) v[j] = cval[order[i] SUBSEP "pagebench", j]
				cp = k ? sprintf("%.0f", med(v, k)) : "NA"
				printf "| %s | %s | %s | %.0f | %.0f | %.2f | %.2f | %s | %s | %s |\n", f[1], f[2], f[3], w, p, w ? p / w : 0, nr ? med(rr, nr) : 0, cw, cp, nc ? sprintf("%.2f", med(cr, nc)) : "NA"
			}
		}' "$1"
}

if [ -n "${PB_WIS_SUMMARY:-}" ]; then # only the table of an earlier run's samples.csv
	table "$PB_WIS_SUMMARY"
	exit 0
fi
if [ $# -ne 2 ]; then
	echo "usage: $0 WIS_DIR PAGEBENCH" >&2
	exit 2
fi
wis=$1 pb=$2
rounds=${ROUNDS:-5} secs=${WIS_SECONDS:-3} reps=${PB_REPS:-6}
n=$(nproc 2>/dev/null || echo 1)
tasks=${TASKS:-"1 $n"}
[ "$n" -gt 1 ] || tasks=1
for b in page_fault1 page_fault2 page_fault3; do
	for m in threads processes; do
		if [ ! -x "$wis/${b}_$m" ]; then
			echo "$0: $wis/${b}_$m missing (run make in WIS_DIR)" >&2
			exit 2
		fi
	done
done
[ -x "$pb" ] || { echo "$0: $pb is not executable" >&2; exit 2; }
if [ "${WIS_CPU:-1}" = 1 ] && { [ ! -x /usr/bin/time ] || ! command -v stdbuf >/dev/null; }; then
	echo "$0: /usr/bin/time or stdbuf missing: no CPU columns (WIS_CPU=0)" >&2
	WIS_CPU=0
fi
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
out=${PB_WIS_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/pb-wis.XXXXXX")}
mkdir -p "$out/results"
samples=$out/samples.csv
echo "round,test,mode,tasks,tool,pages_per_s_per_task,cpu_ns_per_page" >"$samples"
tlist=$(echo "$tasks" | tr ' ' ',')
tests=${WIS_TESTS:-"page_fault1 page_fault2 page_fault3"} modes=${WIS_MODES:-"threads processes"}
ops="--ops ${PB_OPS:-262144}"

kernel_of() {
	case $1 in
	page_fault1) echo fault-anon ;;
	page_fault2) echo fault-cow ;;
	page_fault3) echo fault-shared-write ;;
	esac
}

# CPU ticks (user + system) of a process and its children, in ns.
tree_cpu() {
	local p t=0 f
	[ -r "/proc/$1/stat" ] || return # gone: no reading
	for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
		t=$((t + f[13] + f[14]))
	done
	echo $((t * 1000000000 / hz))
}

# will-it-scale once: "average pages cpu_ns".  With WIS_CPU=1 pages and
# cpu_ns cover its run from its first printed second to its end: the CPU
# of it and its tasks is read when that line appears (polled every 20 ms,
# line-buffered output) and at its end (/usr/bin/time: tasks reaped
# included), and pages are the per-second totals after the first.  So its
# setup and first (hole-filling) pass are left out, as pagebench's warm-up.
wis_run() {
	if [ "${WIS_CPU:-1}" != 1 ]; then
		"$wis/$1" -t "$2" -s "$3" 2>/dev/null | awk -F: '/^average:/ {print $2, "NA NA"}'
		return
	fi
	: >"$out/wis.txt"
	/usr/bin/time -f "%U %S" -o "$out/time.txt" stdbuf -oL "$wis/$1" -t "$2" -s "$3" \
		>"$out/wis.txt" 2>/dev/null &
	local tp=$! wp="" c0="" lines
	while kill -0 "$tp" 2>/dev/null; do
		[ -n "$wp" ] || { wp=$(cat /proc/"$tp"/task/*/children 2>/dev/null); wp=${wp%% *}; }
		if [ -z "$c0" ] && [ -n "$wp" ]; then
			mapfile -t lines <"$out/wis.txt"
			[ "${#lines[@]}" -ge 3 ] && c0=$(tree_cpu "$wp") # testcase:, warmup, min:
		fi
		sleep 0.02
	done
	wait "$tp"
	awk -v tf="$out/time.txt" -v c0="${c0:-NA}" '
		/^average:/ { split($0, x, ":"); a = x[2] }
		/total:/ { if (++n > 1) { split($0, x, "total:"); p += x[2] } }
		END {
			getline l < tf; split(l, u, " ")
			if (c0 == "NA") print a, "NA NA"; else printf "%s %.0f %.0f\n", a, p, (u[1] + u[2]) * 1e9 - c0
		}' "$out/wis.txt"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $n CPUs, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# THP: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null); ${TMPDIR:-/tmp} on $(df -T "${TMPDIR:-/tmp}" 2>/dev/null | awk 'NR==2 {print $2}')"
echo "# $rounds rounds; will-it-scale -s $secs; pagebench --reps $reps $ops count=${PB_COUNT:-shared} fill=${PB_FILL:-none}; tasks: $tasks"
for r in $(seq 1 "$rounds"); do
	for b in $tests; do
		k=$(kernel_of "$b")
		for m in $modes; do
			for t in $tasks; do
				read -r avg pg cpu < <(wis_run "${b}_$m" "$t" "$secs")
				[ -n "$avg" ] || { echo "$0: ${b}_$m -t $t gave no average" >&2; exit 1; }
				c=$(awk -v p="$pg" -v c="$cpu" 'BEGIN { if (p > 0 && c > 0) printf "%.0f", c / p; else print "NA" }')
				echo "$r,$b,$m,$t,wis,$(awk -v a="$avg" -v t="$t" 'BEGIN {printf "%.0f", a / t}'),$c" >>"$samples"
			done
			p="count=${PB_COUNT:-shared}"
			[ "$b" = page_fault1 ] || p="$p,fill=${PB_FILL:-none}"
			[ "$m" = processes ] && p="$p,procs=1"
			# shellcheck disable=SC2086
			PAGEBENCH_COUNTERS=rusage "$pb" run "$k" --threads "$tlist" --size 128M --param "$p" $ops \
				--no-baseline --reps "$reps" --results "$out/results" --label "wis-r$r" \
				>"$out/pb.log" 2>&1 || { cat "$out/pb.log" >&2; exit 1; }
			d=$(sed -n 's/^results: //p' "$out/pb.log" | tail -1)
			awk -F, -v r="$r" -v b="$b" -v m="$m" '
				# A quoted field (the experiment: kernel:params) may hold commas.
				function unquote(l,   o, q, i, ch) {
					o = ""; q = 0
					for (i = 1; i <= length(l); i++) {
						ch = substr(l, i, 1)
						if (ch == "\"") q = !q
						else o = o (q && ch == "," ? ";" : ch)
					}
					return o
				}
				{ $0 = unquote($0) }
				NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
				FILENAME ~ /events/ && FNR == 1 { delete c; for (i = 1; i <= NF; i++) c[$i] = i; next }
				FILENAME ~ /events/ {
					if ($c["rep"] != 0 && $c["thread"] == "total")
						ev[$c["threads"], $c["event"]] += $c["value"]
					next
				}
				FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
				$c["thread"] == "total" {
					t = $c["threads"]
					cpu = ev[t, "pages"] > 0 && ev[t, "cpu_ns"] > 0 ? sprintf("%.0f", ev[t, "cpu_ns"] / ev[t, "pages"]) : "NA"
					printf "%s,%s,%s,%s,pagebench,%.0f,%s\n", r, b, m, t,
					       1e9 / $c["median_ns_per_op"], cpu
				}' "$d/events.csv" "$d/summary.csv" >>"$samples"
		done
	done
	echo "# round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); samples: $samples"
echo
table "$samples"
