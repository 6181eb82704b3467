# test_sweep.sh - tradewar sweep: usage errors, results independent of the thread
# count, grids and scenario lists, the central value equals `solve`, quantiles
# (type 7) of the draws, a known distribution (uniform theta), failed draws counted,
# a directory made by another command refused.
source "$(dirname "$0")/lib.sh" "$@"
D=$SRC/tests/data/sweep
# the chart libraries keep memory after plend(): not ours (see the file); the runs
# with --no-chart check our own code for leaks
export LSAN_OPTIONS="suppressions=$SRC/tests/cli/lsan-plplot.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# usage errors
run sweep "$D/war-fixed.yaml" --draws 3
expect_rc 2 "no --output"
expect_in "$T/err" "--output DIR is required" "no --output message"
run sweep "$D/war.yaml" --grid us=0:0.1 --output "$T/x"
expect_rc 2 "bad --grid"
run sweep "$D/war-fixed.yaml" --output "$T/x" --theta-se 0.1x --theta-range 1:2
expect_rc 2 "se and range"
run sweep "$D/war.yaml" --grid us=0,0.1 --output "$T/x" -q
expect_rc 3 "a placeholder that is no --grid parameter"
expect_in "$T/err" "war.yaml:13: '\${cn}' is not a --grid parameter" "placeholder message names file and line"

# the same draws on 1 and 2 threads: the same files, byte for byte
for t in 1 2; do
    run sweep -q "$D/war-fixed.yaml" --draws 12 --seed 2019 --theta-se 0.05x --quantiles 10,50,90 \
        --threads $t --output "$T/t$t" --format json --no-chart
    expect_rc 0 "sweep on $t threads"
    cp "$T/out" "$T/t$t.json"
done
for f in summary.json summary.csv draws.csv; do
    cmp -s "$T/t1/$f" "$T/t2/$f" || fail "$f differs between 1 and 2 threads"
done
cmp -s "$T/t1.json" "$T/t1/summary.json" || fail "--format json prints summary.json"
json_check 'd["solves"] == {"total": 13, "converged": 13, "retried": 0, "failed": 0}' "solve counts"
json_check 'd["quantiles"] == [0.1, 0.5, 0.9] and d["draws"] == 12' "quantiles and draws"
json_check 'set(d["points"][0]["countries"][0]["welfare_pct"]) == {"central","mean","sd","q10","q50","q90","n"}' "statistics keys"

# the central value is what `solve` gives
run solve -q "$D/war-fixed.yaml" --format json
python3 - "$T/out" "$T/t1/summary.json" <<'PY' || fail "central value equals solve"
import json, sys
solve, sweep = (json.load(open(p)) for p in sys.argv[1:])
for a, b in zip(solve["countries"], sweep["points"][0]["countries"]):
    assert a["code"] == b["code"]
    assert abs(a["welfare_pct"] - b["welfare_pct"]["central"]) < 1e-9, (a, b)
PY

# quantiles and means of the summary against draws.csv (type 7, computed here)
python3 - "$T/t1/draws.csv" "$T/t1/summary.csv" <<'PY' || fail "summary statistics from the draws"
import csv, sys, statistics
rows = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))]
summ = [r for r in csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith("#"))]
def q7(xs, p):
    xs = sorted(xs); h = (len(xs) - 1) * p; lo = int(h)
    return xs[lo] if lo + 1 >= len(xs) else xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])
for s in summ:
    if s["output"] != "welfare_pct":
        continue
    xs = [float(r["welfare_pct:" + s["country"]]) for r in rows if r["draw"] != "0"]
    assert len(xs) == 12 and int(s["n"]) == 12
    assert abs(statistics.mean(xs) - float(s["mean"])) < 1e-12 * max(1, abs(float(s["mean"])))
    assert abs(statistics.stdev(xs) - float(s["sd"])) < 1e-10
    for p, k in ((0.1, "q10"), (0.5, "q50"), (0.9, "q90")):
        assert abs(q7(xs, p) - float(s[k])) <= 1e-13 * max(1, abs(q7(xs, p))), (s, k)
PY

# a known distribution: theta uniform on [0.9, 1.1] x the data's; its summary rows
# (no bound, no stability condition: the draws are exactly uniform)
run sweep -q "$D/war-fixed.yaml" --draws 80 --seed 7 --theta-range 0.9x:1.1x --max-psi-theta none \
    --unstable keep --output "$T/u" --format json --no-chart
expect_rc 0 "uniform theta"
json_check 'all(abs(e["theta"]["q5"] - 6.23 * (0.9 + 0.2 * 0.05)) < 0.15 and abs(e["theta"]["q50"] - 6.23) < 0.15 and abs(e["theta"]["q95"] - 6.23 * (0.9 + 0.2 * 0.95)) < 0.15 for e in d["points"][0]["elasticities"] if e["sector"] == "agriculture")' "theta quantiles of a uniform draw"
json_check 'all(6.23 * 0.9 <= e["theta"]["q5"] and e["theta"]["q95"] <= 6.23 * 1.1 and e["psi"]["sd"] < 1e-12 for e in d["points"][0]["elasticities"] if e["sector"] == "agriculture")' "theta within its range, psi fixed"

# a grid: 3 x 2 points; no tariff change at us = cn = 0
run sweep -q "$D/war.yaml" --grid us=0:0.2:0.1 --grid cn=0,0.15 --output "$T/g" --format json
expect_rc 0 "grid"
json_check 'd["points_count"] == 6 and [p["label"] for p in d["points"]][:3] == ["us=0;cn=0", "us=0;cn=0.15", "us=0.1;cn=0"]' "grid points, first grid slowest"
json_check 'all(abs(c["welfare_pct"]["central"]) < 1e-8 for c in d["points"][0]["countries"])' "no change at the zero point"
json_check 'd["points"][5]["grid"] == {"us": 0.2, "cn": 0.15}' "grid values"
[ -s "$T/g/chart.png" ] || fail "grid chart"
head -2 "$T/g/summary.csv" | tail -1 | grep -q '^point,label,us,cn,country,sector,output,central,mean,sd,q5,q50,q95,n,failed$' || fail "summary.csv header with grid columns"

# a list of scenario files
run sweep -q "$D/war-fixed.yaml" "$SRC/scenarios/no-change.yaml" --output "$T/l" --format csv
expect_rc 0 "scenario list"
grep -q '^1,no-change.yaml,USA,,welfare_pct,' "$T/out" || fail "second scenario's rows"

# failed draws are counted, not averaged in
run sweep -q "$D/war-fixed.yaml" --draws-file "$D/fail-draws.csv" --max-iter 300 --fallback no --output "$T/f" --format json
expect_rc 0 "failed draw"
expect_in "$T/err" "1 of 4 solves failed" "failure reported on stderr"
json_check 'd["solves"]["failed"] == 1 and d["points"][0]["failed_draws"] == [2] and d["points"][0]["draws_failed"] == 1' "failed draw counted"
json_check 'all(c["welfare_pct"]["n"] == 2 for c in d["points"][0]["countries"])' "failed draw left out"
grep -q '^0,2,failed,' "$T/f/draws.csv" || fail "draws.csv marks the failed draw"
[ -s "$T/f/chart.png" ] || fail "one-point chart (ranges) with a failed draw"

# the model's domain (docs/sweeps.md): by default every draw has psi*theta < 1
# in each sector and a stable base economy; the draws that needed nothing
# redrawn are the unconditioned draws themselves
run sweep -q "$D/war-fixed.yaml" --draws 40 --seed 3 --theta-se 0.1x --psi-se 0.05x --output "$T/dom" --format json --no-chart
expect_rc 0 "default domain"
json_check 'd["truncation"]["max_psi_theta"] == 1 and d["truncation"]["unstable_redrawn"] and d["truncation"]["stability_checked"]' "domain recorded"
json_check 'd["truncation"]["unstable_set_aside"] > 0 and d["truncation"]["redrawn_sector_pairs"] > 0 and d["truncation"]["unstable_kept"] == 0' "domain counts"
json_check '0.8 < d["truncation"]["central_growth"] < 1' "central growth"
run sweep -q "$D/war-fixed.yaml" --draws 40 --seed 3 --theta-se 0.1x --psi-se 0.05x --output "$T/keep" --format json --no-chart \
    --unstable keep --max-psi-theta none
expect_rc 0 "no domain"
python3 - "$T/dom/draws.csv" "$T/keep/draws.csv" "$T/out" <<'PY' || fail "draws inside the domain"
import csv, json, sys
def rows(path):
    return [r for r in csv.DictReader(l for l in open(path) if not l.startswith("#"))]
dom, keep, summ = rows(sys.argv[1]), rows(sys.argv[2]), json.load(open(sys.argv[3]))
sectors = [k[6:] for k in dom[0] if k.startswith("theta:")]
assert len(sectors) == 44
for r in dom[1:]:
    assert float(r["base_growth"]) < 1, r["draw"]
    assert all(float(r["theta:" + s]) * float(r["psi:" + s]) < 1 for s in sectors), r["draw"]
unstable = [r for r in keep[1:] if float(r["base_growth"]) >= 1]
outside = [r for r in keep[1:] if any(float(r["theta:" + s]) * float(r["psi:" + s]) >= 1 for s in sectors)]
assert unstable and outside
assert summ["truncation"]["unstable_kept"] == len(unstable)
assert summ["truncation"]["redrawn_sector_pairs"] == 0 and summ["truncation"]["unstable_set_aside"] == 0
same = 0
for a, b in zip(dom[1:], keep[1:]):
    inside = float(b["base_growth"]) < 1 and b not in outside
    if inside:  # nothing to redraw: the very same draw
        assert all(a["theta:" + s] == b["theta:" + s] and a["psi:" + s] == b["psi:" + s] for s in sectors)
        same += 1
assert same > 0
PY
run sweep -q "$D/war-fixed.yaml" --draws 4 --max-psi-theta 0 --output "$T/bad"
expect_rc 2 "bound must be positive"
run sweep -q "$D/war-fixed.yaml" --draws 4 --unstable maybe --output "$T/bad"
expect_rc 2 "redraw or keep"
run sweep -q "$D/war-fixed.yaml" --draws 4 --theta-range 1.2x:1.5x --output "$T/bad"
expect_rc 3 "a spread that leaves almost nothing inside the domain"
expect_in "$T/err" "narrow the spread" "advice on a hopeless spread"
run sweep -q "$D/war-fixed.yaml" --draws 3 --theta-range 1.3x:1.35x --max-psi-theta none --no-chart --output "$T/bad2"
expect_rc 3 "every candidate unstable"
expect_in "$T/err" "1000 candidates in a row make the base economy unstable" "the stability condition named"

# the summary files are written all or none: a name taken by a directory stops
# them all, and the records stay for a rerun
mkdir -p "$T/blocked/summary.json"
run sweep -q "$D/war-fixed.yaml" --draws 3 --theta-se 0.05x --no-chart --output "$T/blocked"
expect_rc 4 "summary name taken"
expect_in "$T/err" "summary.json is a directory" "the blocked name named"
[ ! -e "$T/blocked/summary.csv" ] && [ ! -e "$T/blocked/draws.csv" ] || fail "half a summary written"
[ -z "$(ls -A "$T/blocked" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$T/blocked")"
[ -s "$T/blocked/records.twr" ] || fail "records kept"

# another command into the same directory is refused
run sweep -q "$D/war-fixed.yaml" --draws 12 --seed 2020 --theta-se 0.05x --output "$T/t1"
expect_rc 2 "another seed into the same directory"
expect_in "$T/err" "holds another sweep (seed" "refusal names the difference"
finish
