#!/usr/bin/env bash
# bench/talks.sh - wall and CPU time of the issue-12 strategic commands, with the
# machine's load before and after each (the figures mean little without it):
#   talks    tradewar talks --players USA,CHN --sectors agriculture..other_manufacturing
#   enforce  tradewar enforce talks (the same) --delta 0.9
#   ossa     tradewar talks --data data/ossa2007 --cooperation equal-gains
# Usage: bash bench/talks.sh [TRADEWAR [CASE...]]   (default build/tradewar, all cases)
# Prints one key=value line per case and the ratio of its CPU time to the
# figure recorded before the changes (bench/RESULTS.md, "Trade talks").
set -uo pipefail
cd "$(dirname "$0")/.."
TW=${1:-build/tradewar}
shift || true
CASES=${*:-talks enforce ossa}
# CPU seconds of the same commands before issue 12, on the project's 2-core machine
declare -A BEFORE=([talks]=70.9 [enforce]=352.3 [ossa]=NA)
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
    out=$(tail -1 "$tf")
    rm -f "$tf"
    l1=$(cut -d' ' -f1 /proc/loadavg)
    wall=${out% *}
    cpu=${out#* }
    ratio=NA
    [ "${BEFORE[$c]}" != NA ] && ratio=$(python3 -c "print('%.3f' % ($cpu / ${BEFORE[$c]}))")
    echo "$c: wall_s=$wall cpu_s=$cpu load_before=$l0 load_after=$l1 cpu_before_s=${BEFORE[$c]} ratio_cpu=$ratio cores=$(nproc)"
done
