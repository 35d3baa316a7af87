#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/peers/libcachesim.sh end to end, without libCacheSim: a stand-in
# `cachesim` (LCS_DIR/bin/cachesim, written here) prints libCacheSim's
# result lines, its miss ratios computed by pagebench's policy layer with
# each policy's libCacheSim variant.  What is checked is the script: its
# single runs, its MRC and its sweep of every policy at every size in one
# invocation (the pairs in algorithm-major order, as cachesim prints them),
# the samples.csv it writes (read back with Python's csv module: every
# round, tool and phase present, counts that add up) and its table; then a
# stand-in whose ratio for one algorithm at one size is off by 0.01 must
# make the script print a MISMATCH line for that pair and exit 3.
#
#   tests/peers/test_peer_script.sh SOURCE_DIR PAGEBENCH
set -u
src=$1
pb=$(cd "$(dirname "$2")" && pwd -P)/$(basename "$2") # the stand-in runs elsewhere
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-peertest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lcs/bin"
cat >"$tmp/lcs/bin/cachesim" <<'EOF'
#!/usr/bin/env bash
# A stand-in for libCacheSim's cachesim: TRACE oracleGeneralBin ALGOS SIZES [options]
trace=$1 algos=$3 sizes=$4
for a in ${algos//,/ }; do
	case $a in
	s3fifo) p=s3fifo:move_threshold=2,lcs_ghost=1 ;;
	lirs) p=lirs:stack_bound=2 ;;
	*) p=$a ;;
	esac
	for n in ${sizes//,/ }; do
		m=$("$PB_FAKE_PB" sim --model policy --workload "trace:path=$trace,format=oracle" --policy "$p" \
			--frames "$n" --reps 1 --fixed-seed --csv --results "$PB_FAKE_RES" 2>/dev/null |
			python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(l for l in sys.stdin if not l.startswith("#"))]
print(rows[0]["faults"], rows[0]["refs"])') || exit 1
		set -- $m
		r=$(python3 -c "print('%.4f' % ($1 / $2 + (0.01 if '$a:$n' == '${PB_FAKE_SKEW:-}' else 0)))")
		echo "result/x $a-fake cache size $n, $2 req, miss ratio $r, byte miss ratio $r"
	done
done
EOF
chmod +x "$tmp/lcs/bin/cachesim"
export PB_FAKE_PB=$pb PB_FAKE_RES=$tmp/fres
run() {
	REFS=20000 PAGES=3000 ROUNDS=2 FRAMES="100 400" MRC_ROUNDS=1 MRC_SIZES=100:500:100 \
		SWEEP_ROUNDS=2 SWEEP_FRAMES="100 400" PB_LCS_OUT=$1 \
		bash "$src/tests/peers/libcachesim.sh" "$tmp/lcs" "$pb" >"$1.out" 2>"$1.err"
}
fail() {
	echo "FAIL: $*"
	exit 1
}

run "$tmp/ok"
rc=$?
[ $rc = 0 ] || { cat "$tmp/ok.out" "$tmp/ok.err"; fail "the script exited $rc with a faithful stand-in"; }
grep -q MISMATCH "$tmp/ok.err" && fail "MISMATCH with a faithful stand-in"
python3 - "$tmp/ok/samples.csv" "$tmp/ok.out" <<'EOF' || exit 1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def bad(msg):
    print("FAIL:", msg)
    sys.exit(1)
want = {"single": {"policy", "engine", "cachesim"}, "mrc-5": {"policy", "cachesim"},
        "sweep-14": {"policy", "engine", "cachesim"}}
for what, tools in want.items():
    for r in ("1", "2") if what != "mrc-5" else ("1",):
        got = {x["tool"] for x in rows if x["what"] == what and x["round"] == r}
        if got != tools:
            bad("round %s of %s: tools %s, expected %s" % (r, what, sorted(got), sorted(tools)))
single = [x for x in rows if x["what"] == "single"]
if len(single) != 2 * 6 * 2 * 3:
    bad("%d single samples, expected 72 (2 rounds x 6 policies x 2 sizes x 3 tools)" % len(single))
for x in rows:
    if float(x["wall_s"]) <= 0 or float(x["cpu_s"]) <= 0 or int(x["rss_kb"]) <= 0:
        bad("a sample without time or RSS: %s" % x)
sw = [x for x in rows if x["what"] == "sweep-14"]
if any(int(x["refs"]) != 14 * 20000 for x in sw):
    bad("sweep samples' refs are not 14 x 20000")
# the sweep's total = the sum of the single runs' counts at the sizes both have
tot = {int(x["misses"]) for x in sw if x["tool"] in ("policy", "engine")}
if len(tot) != 1:
    bad("the sweep's policy layer and engine totals differ: %s" % tot)
ratios = {round(float(x["misses"]), 6) for x in sw if x["tool"] == "cachesim"}
if len(ratios) != 1 or abs(ratios.pop() - tot.pop() / (14 * 20000)) > 0.00005:
    bad("the stand-in's mean ratio and pagebench's total disagree")
table = [l for l in open(sys.argv[2]) if l.startswith("| ")]
kinds = {l.split("|")[1].strip() for l in table[1:]}
if not {"single", "mrc-5", "sweep-14"} <= kinds:
    bad("table rows %s" % sorted(kinds))
if any("| no:" in l for l in table):
    bad("the table reports a disagreement")
EOF

export PB_FAKE_SKEW=arc:400
run "$tmp/skew"
rc=$?
[ $rc = 3 ] || { cat "$tmp/skew.err"; fail "the script exited $rc, not 3, with one ratio off by 0.01"; }
grep -q "^MISMATCH sweep arc at 400 frames" "$tmp/skew.err" || { cat "$tmp/skew.err"; fail "no MISMATCH line for the sweep's skewed pair"; }
grep -q "^MISMATCH arc at 400 frames" "$tmp/skew.err" || { cat "$tmp/skew.err"; fail "no MISMATCH line for the skewed single run"; }
[ "$(grep -c '^MISMATCH' "$tmp/skew.err")" = 2 ] || { cat "$tmp/skew.err"; fail "MISMATCH lines for pairs that were not skewed"; }
echo "PASS"
