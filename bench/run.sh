#!/usr/bin/env bash
# Run the benchmarks on one core (taskset) from a Release build and print figures.
# Usage: bash bench/run.sh     (after bash scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target bench_solve bench_waves -j"$(nproc)" >/dev/null
ONE="taskset -c 0"
command -v taskset >/dev/null || ONE=""
$ONE build/bench/bench_solve nafta 21
$ONE build/bench/bench_solve synthetic 141 65 3
$ONE build/bench/bench_waves 11
# the strategic layer on Ossa (2014)'s data; the war uses both cores (2 threads)
cmake --build build --target bench_game -j"$(nproc)" >/dev/null
$ONE build/bench/bench_game optimal USA
build/bench/bench_game war 2
# PPML with three high-dimensional fixed effects (1e6 observations)
cmake --build build --target bench_gravity -j"$(nproc)" >/dev/null
$ONE build/bench/bench_gravity 1000000 1000 3
# importing a full-size OECD ICIO table (generated; time and peak memory)
bash bench/icio.sh
