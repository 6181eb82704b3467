#!/usr/bin/env bash
# bench/talks.sh - wall and CPU time of the issue-12 strategic commands, with the
# machine's load before and after each (the figures mean little without it):
#   talks    tradewar talks --players USA,CHN --sectors agriculture..other_manufacturing
#   enforce  tradewar enforce talks (the same) --delta 0.9
#   ossa     tradewar talks --data data/ossa2007 --cooperation equal-gains
# Usage: bash bench/talks.sh [TRADEWAR [CASE...]]   (default build/tradewar, all cases)
# Prints one key=value line per case, its exit status, and the ratios of its
# CPU and wall time to the figures of the same commands on main at 07:08 UTC
# on 2026-12-01 (load about 1; bench/RESULTS.md, "Trade talks"). The first
# "before" of issue 12 (commit d87689e: talks 70.9 s CPU, enforce 352.3 s) is
# kept in RESULTS.md.
set -uo pipefail
cd "$(dirname "$0")/.."
TW=${1:-build/tradewar}
shift || true
CASES=${*:-talks enforce ossa}
# CPU and wall seconds of the same commands on main (8ec4344) on the project's
# 2-core machine at load ~1, before the exact adjoint gradient
declare -A BEFORE=([talks]=12.05 [enforce]=35.6 [ossa]=NA)
declare -A BEFORE_WALL=([talks]=9.14 [enforce]=32.7 [ossa]=NA)
UC="--players USA,CHN --sectors agriculture..other_manufacturing"
for c in $CASES; do
    case $c in
    talks) cmd="$TW talks -q $UC" ;;
    enforce) cmd="$TW enforce talks -q $UC --delta 0.9" ;;
    ossa) cmd="$TW talks -q --data data/ossa2007 --cooperation equal-gains" ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
    esac
    l0=$(cut -d' ' -f1 /proc/loadavg)
    tf=$(mktemp)
    /usr/bin/time -o "$tf" -f "%e %U" $cmd >/dev/null 2>&1
    rc=$?
    out=$(tail -1 "$tf")
    rm -f "$tf"
    l1=$(cut -d' ' -f1 /proc/loadavg)
    wall=${out% *}
    cpu=${out#* }
    ratio=NA
    rwall=NA
    [ "${BEFORE[$c]}" != NA ] && ratio=$(python3 -c "print('%.3f' % ($cpu / ${BEFORE[$c]}))")
    [ "${BEFORE_WALL[$c]}" != NA ] && rwall=$(python3 -c "print('%.3f' % ($wall / ${BEFORE_WALL[$c]}))")
    echo "$c: exit=$rc wall_s=$wall cpu_s=$cpu load_before=$l0 load_after=$l1 cpu_before_s=${BEFORE[$c]} ratio_cpu=$ratio wall_before_s=${BEFORE_WALL[$c]} ratio_wall=$rwall cores=$(nproc)"
done
