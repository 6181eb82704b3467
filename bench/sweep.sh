#!/usr/bin/env bash
# Benchmarks of `tradewar sweep` (bench/RESULTS.md, "Sweeps"): Monte Carlo draws of the
# 2018-19 US-China war, thread and MPI-rank speed-ups, and solve time against N and J
# on synthetic economies with the fitted exponents.
# Usage: bash bench/sweep.sh [build-dir]     (Release build; default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
TW=$B/tradewar
SCN=scenarios/us-china/waves-both.yaml
STAGE=12 # "China: 5-10% on $75 billion (first part)", September 2019: the war before the 2020 deal
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" -ne 0 ] || MPIRUN+=(--allow-run-as-root)

# seconds of one sweep run (fresh output directory)
timed() {
    local out=$T/run$RANDOM
    local t0 t1
    t0=$(date +%s.%N)
    "$@" --output "$out" >"$T/last.txt" 2>"$T/last.err"
    t1=$(date +%s.%N)
    python3 -c "print(f'{$t1 - $t0:.2f}')"
    python3 - "$out/summary.json" >>"$T/counts.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); print(d["solves"])
PY
}
SWEEP=(sweep -q "$SCN" --stage $STAGE --seed 1)

# 10,000 draws with the default options: theta ~ N(theta, 0.2 theta), psi*theta < 1,
# a stable base; summary and chart written
D=${DRAWS:-10000}
if [ "$D" -gt 0 ]; then
    s=$(timed "$TW" "${SWEEP[@]}" --draws "$D")
    echo "mc_draws: draws=$D options=default threads=2 seconds=$s target_s=60 ratio_to_target=$(python3 -c "print(f'{$s/60:.2f}')") solves=$(tail -1 "$T/counts.txt")"
fi
NARROW=${NARROW_DRAWS:-0} # e.g. NARROW_DRAWS=10000: theta's standard error 0.05 theta
if [ "$NARROW" -gt 0 ]; then
    s=$(timed "$TW" "${SWEEP[@]}" --draws "$NARROW" --theta-se 0.05x)
    echo "mc_draws_narrow: draws=$NARROW theta_se=0.05x threads=2 seconds=$s solves=$(tail -1 "$T/counts.txt")"
fi

# speed-ups, default options, no chart (the same serial tail in both)
S=${SPEEDUP_DRAWS:-4000}
t1=$(timed "$TW" "${SWEEP[@]}" --no-chart --draws "$S" --threads 1)
t2=$(timed "$TW" "${SWEEP[@]}" --no-chart --draws "$S" --threads 2)
echo "threads: draws=$S t1=$t1 t2=$t2 speedup=$(python3 -c "print(f'{$t1/$t2:.2f}')") target=1.8"
if "$TW" sweep --help | grep -q "MPI: built in"; then
    r1=$(timed "${MPIRUN[@]}" -np 1 "$TW" "${SWEEP[@]}" --no-chart --draws "$S" --threads 1)
    r2=$(timed "${MPIRUN[@]}" -np 2 "$TW" "${SWEEP[@]}" --no-chart --draws "$S" --threads 1)
    echo "mpi_ranks: draws=$S np1=$r1 np2=$r2 speedup=$(python3 -c "print(f'{$r1/$r2:.2f}')") target=1.8"
fi

# time per solve against N (J = 20) and J (N = 50): bench_solve's synthetic case
cmake --build "$B" --target bench_solve >/dev/null
ONE="taskset -c 0"
command -v taskset >/dev/null || ONE=""
for n in 10 20 50 100 200; do $ONE "$B/bench/bench_solve" synthetic "$n" 20 3; done | tee "$T/n.txt"
for j in 10 20 50 100; do $ONE "$B/bench/bench_solve" synthetic 50 "$j" 3; done | tee "$T/j.txt"
python3 - "$T/n.txt" "$T/j.txt" <<'PY'
import math, re, sys
def fit(path, key):
    pts = []
    for line in open(path):
        m = dict(re.findall(r"(\w+)=([0-9.e+-]+)", line))
        if "median_s" in m:
            pts.append((math.log(float(m[key])), math.log(float(m["median_s"]))))
    n = len(pts); mx = sum(x for x, _ in pts) / n; my = sum(y for _, y in pts) / n
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
print(f"fit: time ~ N^{fit(sys.argv[1], 'N'):.2f} (J = 20), time ~ J^{fit(sys.argv[2], 'J'):.2f} (N = 50)")
PY
