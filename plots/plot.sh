#!/usr/bin/env bash
# plots/plot.sh - render a run folder's figures with gnuplot.
#   plots/plot.sh RUN_DIR      figures into RUN_DIR/plots/ (PDF for papers, PNG to look at)
#   plots/plot.sh --latest     the newest folder under results/
# What is drawn depends on the files present:
#   summary.csv -> scaling.{pdf,png}: median throughput vs threads per kernel, 95% CI bars
#                  overhead.{pdf,png}: median ns/op per kernel at each thread count
#   mrc.csv     -> mrc.{pdf,png}: miss ratio vs frames, one line per policy
#   sim.csv     -> sim_faults.{pdf,png}: fault rate per policy, one bar per frame count
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
unquote() { awk -f "$here/unquote.awk" "$1"; }
print_sim=0
if [ "${1:-}" = "--print-sim" ]; then print_sim=1; shift; fi
if [ "${1:-}" = "--latest" ]; then
  run=$(ls -1d "$here"/../results/*/ 2>/dev/null | sort | tail -n 1)
  [ -n "$run" ] || { echo "plot.sh: no run folder under results/" >&2; exit 2; }
else
  run=${1:?usage: plots/plot.sh RUN_DIR | --latest}
fi
run=${run%/}
[ -d "$run" ] || { echo "plot.sh: '$run' is not a folder" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot not installed (apt-get install gnuplot-nox)" >&2; exit 1; }
if [ "$print_sim" = 1 ]; then # a text table of sim.csv (policy, frames, faults, EAT)
  [ -f "$run/sim.csv" ] || exit 0
  t=$(mktemp)
  unquote "$run/sim.csv" > "$t"
  awk -F, 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i
                   printf "  %-9s %7s %10s %10s %9s %12s\n", "policy", "frames", "faults", "evictions", "eat_ns", "accesses/s"; next }
           { printf "  %-9s %7s %10s %10s %9.1f %12.4g\n", $c["policy"], $c["frames"], $c["faults"],
             $c["evictions"], $c["eat_ns"], $c["accesses_per_s"] }' "$t"
  rm -f "$t"
  exit 0
fi
out="$run/plots"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# CSV fields may be quoted with commas inside (workload specs): rewrite each
# file once so that commas inside quotes become ';' and quotes go, then
# plain awk -F, is safe.
# col FILE NAME -> 1-based column index of NAME in FILE's header
col() { head -n 1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }

render() { # NAME BODY: the gnuplot BODY drawn to NAME.pdf and NAME.png
  local name=$1 body=$2
  gnuplot <<GP
set terminal pdfcairo size 5in,3.2in font "Helvetica,10" noenhanced
set output "$out/$name.pdf"
$body
set terminal pngcairo size 1000,640 font "Helvetica,11" noenhanced
set output "$out/$name.png"
replot
GP
  echo "  $out/$name.pdf" >&2
}

if [ -f "$run/summary.csv" ]; then
  s="$tmp/summary.csv"; unquote "$run/summary.csv" > "$s"
  ck=$(col "$s" kernel); ct=$(col "$s" threads); cth=$(col "$s" thread)
  cm=$(col "$s" median_ops_per_s); cl=$(col "$s" ci95_lo_ops_per_s); ch=$(col "$s" ci95_hi_ops_per_s)
  cn=$(col "$s" median_ns_per_op)
  kernels=$(awk -F, -v k="$ck" -v t="$cth" 'NR>1 && $t=="total" {print $k}' "$s" | sort -u)
  plot="plot"
  for k in $kernels; do
    awk -F, -v k="$ck" -v kk="$k" -v t="$cth" -v n="$ct" -v m="$cm" -v l="$cl" -v h="$ch" \
      'NR>1 && $k==kk && $t=="total" {print $n, $m/1e6, $l/1e6, $h/1e6}' "$s" > "$tmp/$k.dat"
    plot="$plot '$tmp/$k.dat' using 1:2:3:4 with yerrorlines title '$k',"
  done
  render scaling "set title 'Throughput vs threads (median, 95% CI)'
set xlabel 'threads'; set ylabel 'M ops/s'; set key outside right; set grid
set xtics 1; set yrange [0:*]; set offsets graph 0.05, graph 0.05, 0, 0
${plot%,}"
  awk -F, -v k="$ck" -v t="$cth" -v n="$ct" -v m="$cn" \
    'NR>1 && $t=="total" {print "\""$k" x"$n"\"", $m}' "$s" > "$tmp/ns.dat"
  render overhead "set title 'Cost per operation (median; kernel x threads)'
set ylabel 'ns per op'; set style data histograms; set style fill solid 0.6; set boxwidth 0.8
set xtics rotate by -40; set logscale y; set grid y; unset key; set rmargin 8
plot '$tmp/ns.dat' using 2:xtic(1)"
fi

policy_lines() { # file, xcol, ycol -> plot clause per policy
  local f=$1 x=$2 y=$3 cp plot="plot"
  cp=$(col "$f" policy)
  for p in $(awk -F, -v c="$cp" 'NR>1 {print $c}' "$f" | sort -u); do
    awk -F, -v c="$cp" -v p="$p" -v x="$x" -v y="$y" 'NR>1 && $c==p {print $x, $y}' "$f" | sort -n > "$tmp/p_$p.dat"
    plot="$plot '$tmp/p_$p.dat' using 1:2 with linespoints title '$p',"
  done
  echo "${plot%,}"
}

if [ -f "$run/mrc.csv" ]; then
  f="$tmp/mrc.csv"; unquote "$run/mrc.csv" > "$f"
  render mrc "set title 'Miss-ratio curves'; set xlabel 'frames'; set ylabel 'miss ratio'
set key outside right; set grid; set yrange [0:*]
$(policy_lines "$f" "$(col "$f" frames)" "$(col "$f" miss_ratio)")"
fi
if [ -f "$run/sim.csv" ]; then
  f="$tmp/sim.csv"; unquote "$run/sim.csv" > "$f"
  # One cluster per policy, one bar per frame count (rep 0): fault rate.
  cp=$(col "$f" policy); cf=$(col "$f" frames); cr=$(col "$f" fault_rate); crep=$(col "$f" rep)
  awk -F, -v p="$cp" -v fr="$cf" -v r="$cr" -v rep="$crep" '
    NR > 1 && $rep == 0 {
      if (!($p in seenp)) { seenp[$p] = 1; pol[++np] = $p }
      if (!($fr in seenf)) { seenf[$fr] = 1; fs[++nf] = $fr }
      v[$p, $fr] = $r }
    END { printf "policy"; for (j = 1; j <= nf; j++) printf " \"%s frames\"", fs[j]; print ""
          for (i = 1; i <= np; i++) { printf "%s", pol[i]
            for (j = 1; j <= nf; j++) printf " %s", ((pol[i], fs[j]) in v) ? v[pol[i], fs[j]] : "NaN"
            print "" } }' "$f" > "$tmp/sim.dat"
  ncol=$(head -n 1 "$tmp/sim.dat" | awk -F'"' '{print (NF - 1) / 2}')
  render sim_faults "set title 'Fault rate by policy and memory size'; set ylabel 'faults / references'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.7
set boxwidth 0.9; set xtics rotate by -40; set grid y; set yrange [0:*]; set key top right
plot for [i=2:$((ncol + 1))] '$tmp/sim.dat' using i:xtic(1) title columnhead"
fi
