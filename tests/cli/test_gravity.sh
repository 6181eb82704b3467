#!/usr/bin/env bash
# tradewar gravity estimate: the guide's trade-without-borders estimates from
# the bundled .dta file (Stata's printed digits), CSV input, formats, output
# directory, and every error path of the command.
source "$(dirname "$0")/lib.sh" "$@"
DTA=$SRC/data/yotov2016/1_TradeWithoutBorder.dta
F="trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"

run gravity estimate "$DTA" --formula "$F" --format json
expect_rc 0 "trade without borders"
json_check 'd["converged"] and d["observations"] == 4761' "all 4761 observations, converged"
json_check 'abs(d["coefficients"][0]["estimate"] - -.7912879) < 5e-8' "ln_DIST as Stata prints"
json_check 'abs(d["coefficients"][0]["std_error"] - .0501494) < 5e-8' "ln_DIST SE as Stata prints"
json_check 'abs(d["coefficients"][1]["estimate"] - .6736456) < 5e-8' "CNTG as Stata prints"
json_check 'abs(d["coefficients"][1]["std_error"] - .1073719) < 5e-8' "CNTG SE as Stata prints"
json_check 'abs(d["coefficients"][2]["estimate"] - -2.47445) < 5e-6' "INTL_BRDR as Stata prints"
json_check 'abs(d["coefficients"][2]["std_error"] - .1193816) < 5e-8' "INTL_BRDR SE as Stata prints"
json_check 'd["provenance"]["command"] == "gravity estimate" and len(d["provenance"]["data_checksum"]) == 16' "provenance"
json_check '[f["levels"] for f in d["fixed_effects"]] == [69, 69]' "69 exporters and importers"

# the guide's Table 1 (chapter 1, application 1), PPML column: 1986-2006 every four
# years, international flows, exporter-year and importer-year effects, clustered by
# pair: ln DIST -0.841 (0.032), CNTG 0.437 (0.083), LANG 0.247 (0.077), CLNY -0.222
# (0.116); 28,152 observations (its R solutions manual prints a fourth digit:
# -0.8409 (0.0317), 0.4374 (0.0832), 0.2475 (0.0765), -0.2225 (0.1162))
P=$SRC/data/yotov2016/Chapter2Application1.dta
run gravity estimate "$P" --formula "trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + importer^year" \
    --cluster pair_id --subset "year=1986|1990|1994|1998|2002|2006, exporter!=@importer" --format json
expect_rc 0 "the guide's Table 1 PPML"
python3 - "$T/out" <<'PY' || fail "Table 1 PPML estimates and clustered SEs to the printed digits"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["observations"] == 28152 and d["dropped"]["outside_subset"] == 99981 - 28152, d["dropped"]
assert [f["levels"] for f in d["fixed_effects"]] == [414, 414]
want = [(-0.8409, 0.0317), (0.4374, 0.0832), (0.2475, 0.0765), (-0.2225, 0.1162)]
for c, (b, s) in zip(d["coefficients"], want):
    assert abs(c["estimate"] - b) <= 0.5e-4 and abs(c["std_error"] - s) <= 0.5e-4, (c, b, s)
PY

# the same data as CSV give the same numbers; a table and a CSV on request
run gravity estimate "$DTA" --formula "$F" --format csv
expect_rc 0 "csv format"
expect_in "$T/out" "# tradewar" "csv provenance line"
expect_in "$T/out" "term,estimate,std_error,z,p_value" "csv header"
cp "$T/out" "$T/coef.csv"
run gravity estimate "$DTA" --formula "$F"
expect_rc 0 "table format"
expect_in "$T/out" "ln_DIST" "table row"
expect_in "$T/out" "-0.791288" "table estimate"
expect_in "$T/out" "converged" "table convergence line"

# a long CSV file: simulated flows with a zero-only exporter (separated)
python3 - "$T/sim.csv" <<'PY'
import math, random, sys
random.seed(2385)
ex = ["E%02d" % k for k in range(12)]
im = ["I%02d" % k for k in range(10)]
a = {e: random.gauss(0, 0.5) for e in ex}
b = {i: random.gauss(0, 0.5) for i in im}
with open(sys.argv[1], "w") as f:
    f.write("exporter,importer,trade,ldist,pair\n")
    for e in ex:
        for i in im:
            d = random.uniform(1, 3)
            mu = math.exp(2 + a[e] + b[i] - 0.8 * d)
            # Poisson draw (Knuth)
            L, k, p = math.exp(-mu), 0, 1.0
            while True:
                k += 1
                p *= random.random()
                if p <= L:
                    break
            y = 0 if e == "E11" else k - 1
            f.write("%s,%s,%d,%.6f,%s-%s\n" % (e, i, y, d, min(e, i), max(e, i)))
PY
run gravity estimate "$T/sim.csv" --formula "trade ~ ldist | exporter + importer" --format json
expect_rc 0 "simulated csv"
json_check 'd["dropped"]["separated_fe"] == 10' "the zero-only exporter's 10 rows dropped"
json_check 'abs(d["coefficients"][0]["estimate"] + 0.8) < 4 * d["coefficients"][0]["std_error"]' "distance recovered within sampling error"
expect_in "$T/err" "dropped 10 observations" "separation reported on stderr"
run gravity estimate "$T/sim.csv" --formula "trade ~ ldist | exporter + importer" --cluster "exporter + importer" --format json
expect_rc 0 "two-way clustering"
json_check 'd["vcov"] == "cluster" and d["clusters"] == [11, 10]' "two-way cluster counts"
run gravity estimate "$T/sim.csv" --formula "trade ~ ldist | exporter^importer" --format json
expect_rc 0 "interaction FE absorbs a pair regressor"
json_check 'd["coefficients"][0]["estimate"] is None and d["omitted_collinear"] == 1' "ldist omitted"

# --output: both files, all or none
run gravity estimate "$DTA" --formula "$F" --output "$T/outdir" -q
expect_rc 0 "output directory"
[ -s "$T/outdir/coefficients.csv" ] && [ -s "$T/outdir/estimate.json" ] || fail "output files written"
touch "$T/blocker"
run gravity estimate "$DTA" --formula "$F" --output "$T/blocker/sub" -q
expect_rc 4 "output under a file"

# --subset
run gravity estimate "$DTA" --formula "$F" --subset "exporter=ZZZ" --format json
expect_rc 0 "subset"
json_check 'd["rows"] == 4761 and d["observations"] < 100' "subset keeps one exporter"
run gravity estimate "$DTA" --formula "$F" --subset "year=abc"
expect_rc 3 "subset: a number expected"
run gravity estimate "$DTA" --formula "$F" --subset "exporter!=@nosuch"
expect_rc 3 "subset: no such column to compare"

# errors: usage (2), bad data (3), I/O (4)
run gravity estimate "$DTA"
expect_rc 2 "missing formula"
run gravity estimate --formula "$F"
expect_rc 2 "missing data"
run gravity estimate "$DTA" --formula "trade ln_DIST"
expect_rc 2 "formula without ~"
expect_in "$T/err" "needs one '~'" "formula message"
run gravity estimate "$DTA" --formula "trade ~ ln_DIST | exporter | importer"
expect_rc 2 "two bars"
run gravity estimate "$DTA" --formula "trade ~ exp(ln_DIST)"
expect_rc 2 "unknown function"
run gravity estimate "$DTA" --formula "$F" --vcov sandwich
expect_rc 2 "bad vcov"
run gravity estimate "$DTA" --formula "$F" --vcov cluster
expect_rc 2 "cluster vcov without clusters"
run gravity estimate "$DTA" --formula "$F" --format xml
expect_rc 2 "bad format"
run gravity estimate "$DTA" --formula "$F" --tol -1
expect_rc 2 "bad tolerance"
run gravity frobnicate
expect_rc 2 "unknown subcommand"
run gravity estimate "$DTA" --formula "trade ~ nosuch | exporter"
expect_rc 3 "missing column"
expect_in "$T/err" "no column 'nosuch'" "missing column named"
run gravity estimate "$DTA" --formula "trade ~ exporter | importer"
expect_rc 3 "text regressor"
expect_in "$T/err" "not numeric" "text column named"
printf 'exporter,importer,trade,x\nA,B,1,2\nB,A,-3,4\n' >"$T/neg.csv"
run gravity estimate "$T/neg.csv" --formula "trade ~ x | exporter"
expect_rc 3 "negative outcome"
expect_in "$T/err" "row 2" "negative outcome row named"
printf 'exporter,importer,trade,x\nA,B,1,0\n' >"$T/log0.csv"
run gravity estimate "$T/log0.csv" --formula "trade ~ log(x)"
expect_rc 3 "log of zero"
run gravity estimate "$T/none.dta" --formula "$F"
expect_rc 4 "missing file"
printf 'not a stata file' >"$T/bad.dta"
run gravity estimate "$T/bad.dta" --formula "$F"
expect_rc 3 "not a Stata file"
run gravity estimate "$DTA" --formula "$F" --subset "nosuch=1"
expect_rc 3 "subset column missing"
run gravity estimate "$DTA" --formula "$F" --max-iter 1
expect_rc 1 "iteration limit: not converged"
expect_in "$T/out" "iteration-limit after" "non-convergence shown (the outcome key)"
run gravity --help
expect_rc 0 "help"
# ---- gravity elasticities: simulated sectoral flows with known theta -------
python3 - "$T/el.csv" "$T/elpct.csv" <<'PY'
import math, random, sys
random.seed(7)
C = ["C%02d" % k for k in range(15)]
S = {"agri": 4.0, "manuf": 6.5, "mining": 9.0}
ex = {(c, s): random.gauss(0, 0.7) for c in C for s in S}
im = {(c, s): random.gauss(0, 0.7) for c in C for s in S}
pair = {(a, b): random.gauss(0, 0.8) for a in C for b in C}
def pois(mu):
    if mu > 50:
        return max(0, round(random.gauss(mu, math.sqrt(mu))))
    L, k, p = math.exp(-mu), 0, 1.0
    while True:
        k += 1; p *= random.random()
        if p <= L: return k - 1
with open(sys.argv[1], "w") as f, open(sys.argv[2], "w") as g:
    f.write("exporter,importer,sector,trade,tariff\n")
    g.write("exporter,importer,sector,trade,tariff\n")
    for a in C:
        for b in C:
            for s, th in S.items():
                t = 0 if a == b else random.choice([0, 0, 0.05, 0.1, 0.2, 0.35])
                y = pois(math.exp(5 + ex[(a, s)] + im[(b, s)] + pair[(a, b)] - th * math.log1p(t)))
                f.write("%s,%s,%s,%d,%.4f\n" % (a, b, s, y, t))
                g.write("%s,%s,%s,%d,%.2f\n" % (a, b, s, y, 100 * t))
PY
EL=(gravity elasticities --exporter exporter --importer importer --sector sector --trade trade --tariff tariff)
run "${EL[@]}" "$T/el.csv" --format json
expect_rc 0 "elasticities by sector"
json_check 'all(abs(e["theta"] - {"agri": 4.0, "manuf": 6.5, "mining": 9.0}[e["sector"]]) < 4 * e["theta_se"] for e in d["elasticities"])' "theta recovered within 4 SE in every sector"
json_check 'all(0 < e["theta_se"] < 0.5 for e in d["elasticities"])' "plausible standard errors"
run "${EL[@]}" "$T/el.csv" --output "$T/theta.csv" -q
expect_rc 0 "elasticity file"
head -1 "$T/theta.csv" | grep -qx "sector,theta,theta_se" || fail "elasticity file header"
[ "$(wc -l <"$T/theta.csv")" -eq 4 ] || fail "one row per sector"
cmp -s "$T/out" "$T/theta.csv" || fail "stdout is the elasticity file"
run "${EL[@]}" "$T/elpct.csv" --tariff-unit percent -q
expect_rc 0 "tariffs in percent"
python3 - "$T/theta.csv" "$T/out" <<'PY' || fail "percent and rate give the same theta"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
assert [r["sector"] for r in a] == [r["sector"] for r in b]
assert all(abs(float(x["theta"]) - float(y["theta"])) < 1e-6 for x, y in zip(a, b))
PY
run "${EL[@]}" "$T/el.csv" --pooled --format json
expect_rc 0 "pooled"
json_check 'len({e["theta"] for e in d["elasticities"]}) == 1 and 4 < d["elasticities"][0]["theta"] < 9' "one pooled theta between the sectors' values"
run gravity elasticities "$T/el.csv" --exporter exporter --importer importer --sector sector --trade trade
expect_rc 2 "missing --tariff"
run "${EL[@]}" "$T/el.csv" --tariff-unit basis
expect_rc 2 "bad tariff unit"
run gravity elasticities "$T/el.csv" --exporter exporter --importer importer --sector nosuch --trade trade --tariff tariff
expect_rc 3 "missing sector column"
touch "$T/afile"
run "${EL[@]}" "$T/el.csv" --output "$T/afile/theta.csv"
expect_rc 4 "output under a file"

# sweep draws theta with the estimated standard errors (sector codes of its data)
printf 'sector,theta,theta_se\nagriculture,4.5,0.75\nmining_energy,6,1.25\n' >"$T/se.csv"
run sweep -q "$SRC/tests/data/sweep/war-fixed.yaml" --draws 2 --theta-se "$T/se.csv" --output "$T/sw" --no-chart --format json
expect_rc 0 "sweep --theta-se elasticity file"
json_check 'd["tradewar"]["identity"]["theta"]["dist"] == "normal" and d["tradewar"]["identity"]["theta"]["b"][:3] == [0.75, 0, 1.25]' "theta_se column used"
printf 'sector,theta,theta_se\nnosuch,4.5,0.75\n' >"$T/se-bad.csv"
run sweep -q "$SRC/tests/data/sweep/war-fixed.yaml" --draws 2 --theta-se "$T/se-bad.csv" --output "$T/sw2" --no-chart
expect_rc 3 "unknown sector in an SE file"
finish
