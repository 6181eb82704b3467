#!/usr/bin/env bash
# scripts/compare_outputs.sh - run a fixed set of tradewar commands on the bundled data
# and keep their outputs, so that a refactoring can be shown not to change what the
# program writes (issue 11: "the CLI's own outputs are unchanged by the move").
#
# Usage: bash scripts/compare_outputs.sh TRADEWAR OUTDIR        # run and keep outputs
#        bash scripts/compare_outputs.sh --diff OLDDIR NEWDIR   # compare two such runs
#
# Timings, versions and paths differ between runs by design; --diff removes them
# (JSON keys named *seconds*, *time*, version, created, command, output_dir; the
# matching CSV/terminal lines) before comparing with `diff -r`.
set -uo pipefail

normalise() { # copy DIR to a normalised twin
    local src=$1 dst=$2
    rm -rf "$dst"
    cp -r "$src" "$dst"
    # charts are drawn from the compared tables; a sweep's binary record store is in
    # completion order (threads), its draws are compared through the CSV files
    find "$dst" -type f \( -name '*.png' -o -name '*.svg' -o -name '*.html' -o -name '*.twr' \) -delete
    find "$dst" -type f -name '*.json' | while read -r f; do
        python3 - "$f" <<'PY'
import json, re, sys
p = sys.argv[1]
try:
    d = json.load(open(p))
except Exception:
    sys.exit(0)
DROP = re.compile(r"(seconds|time|version|created|command|output_dir|path|elapsed|load|^tradewar$)", re.I)
def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items() if not DROP.search(k)}
    if isinstance(x, list):
        return [clean(v) for v in x]
    return x
json.dump(clean(d), open(p, "w"), indent=1, sort_keys=True)
PY
    done
    # CSV columns of timings
    find "$dst" -type f -name '*.csv' -exec sed -E -i 's/^# tradewar [0-9.]+ /# tradewar VERSION /' {} +
    find "$dst" -type f -name '*.csv' | while read -r f; do
        python3 - "$f" <<'PY'
import csv, re, sys
p = sys.argv[1]
rows = list(csv.reader(open(p, newline="")))
if rows:
    keep = [k for k, h in enumerate(rows[0]) if not re.search(r"seconds|time", h, re.I)]
    with open(p, "w", newline="") as f:
        w = csv.writer(f)
        for r in rows:
            w.writerow([r[k] for k in keep if k < len(r)])
PY
    done
    # the timeline's table ends each stage's line with its solve time
    find "$dst" -type f -name 'timeline*.out' -exec sed -E -i 's/ +[0-9]+\.[0-9]+$/ T/' {} +
    find "$dst" -type f \( -name '*.txt' -o -name '*.out' -o -name '*.err' \) | while read -r f; do
        # progress lines depend on timing (when a message is due), not on results
        sed -E -i '/evaluations|round [0-9]|summary in|about .* left|checkpoint/d;
                   s/[0-9]+(\.[0-9]+)? ?(s|ms)\b/T/g; /tradewar [0-9]+\.[0-9]+/d; /version/d' "$f"
    done
}

if [ "${1:-}" = "--diff" ]; then
    a=$(mktemp -d) b=$(mktemp -d)
    normalise "$2" "$a/x"
    normalise "$3" "$b/x"
    diff -r "$a/x" "$b/x"
    rc=$?
    rm -rf "$a" "$b"
    [ $rc -eq 0 ] && echo "compare_outputs: no difference" >&2
    exit $rc
fi

TW=${1:?usage: compare_outputs.sh TRADEWAR OUTDIR}
OUT=${2:?usage: compare_outputs.sh TRADEWAR OUTDIR}
cd "$(dirname "$0")/.."
mkdir -p "$OUT"
run() { # NAME ARGS...: stdout, stderr and exit code of one command
    local name=$1
    shift
    "$TW" "$@" --output "$OUT/$name" >"$OUT/$name.out" 2>"$OUT/$name.err"
    echo "exit=$?" >>"$OUT/$name.out"
}
run solve-list3 solve scenarios/us-china/list3-25.yaml
run solve-nafta solve scenarios/cp2015-nafta.yaml --data data/cp1993
run report-list3 report scenarios/us-china/list3-25.yaml
run report-waves report scenarios/us-china/waves-both.yaml
run timeline-waves timeline scenarios/us-china/waves-both.yaml
run optimal-usa optimal --country USA
run war-usa-chn war --players USA,CHN
run talks-usa-chn talks --players USA,CHN --sectors agriculture..other_manufacturing
run enforce-free-trade enforce scenarios/strategy/us-china-free-trade.yaml --players USA,CHN
run sweep-mc sweep scenarios/us-china/waves-both.yaml --stage 12 --seed 1 --draws 200 --threads 2 --no-chart
run sweep-mc-1thread sweep scenarios/us-china/waves-both.yaml --stage 12 --seed 1 --draws 50 --threads 1 --no-chart
