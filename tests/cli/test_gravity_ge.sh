#!/usr/bin/env bash
# tradewar gravity counterfactual / gravity scenario / import gravity: gegravity's
# documented Canada-Japan PTA example (Canada's GDP +0.418261%), from its published
# coefficients and from tradewar's own PPML estimates; the one-sector data set and
# the scenario solved by the engine; error paths.
source "$(dirname "$0")/lib.sh" "$@"
D=$SRC/data/gegravity-sample/sample_data_set.dlm
COEF="lndist=-0.3898623,contiguity=0.891577,common_language=0.0326249,pta=0.4711383,international=-3.412584"
CF=(gravity counterfactual "$D" --set pta=1 --pairs CAN:JPN,JPN:CAN --sigma 5 --reference DEU)

run "${CF[@]}" --coef "$COEF" --format json
expect_rc 0 "gegravity example"
json_check 'abs([c for c in d["countries"] if c["country"] == "CAN"][0]["gdp_pct"] - 0.418261) < 5e-7' "Canada GDP +0.418261% (gegravity's documentation)"
json_check 'd["converged"] and d["provenance"]["convention"] == "gegravity"' "converged, convention recorded"
json_check 'abs([c for c in d["countries"] if c["country"] == "DEU"][0]["imr_pct"]) < 1e-10' "reference importer's P fixed"

# the same from tradewar's own estimates: PPML with exporter and importer effects
run gravity estimate "$D" --formula "trade ~ lndist + contiguity + common_language + pta + international | exporter + importer" --output "$T/est" --format json -q
expect_rc 0 "estimate on gegravity's sample"
json_check 'abs(d["coefficients"][0]["estimate"] + 0.3898623) < 5e-8 and abs(d["coefficients"][3]["estimate"] - 0.4711383) < 5e-8 and abs(d["coefficients"][4]["estimate"] + 3.412584) < 5e-7' "gegravity's published coefficients reproduced"
run "${CF[@]}" --coef "$T/est/estimate.json" --format csv
expect_rc 0 "counterfactual from estimate.json"
grep -q '^CAN,0\.41826' "$T/out" || fail "Canada +0.41826 from our own estimates"
run "${CF[@]}" --coef "$T/est/coefficients.csv" --format csv --output "$T/cf"
expect_rc 0 "counterfactual from coefficients.csv"
grep -q '^CAN,0\.41826' "$T/cf/countries.csv" || fail "countries.csv written"
[ -s "$T/cf/counterfactual.json" ] || fail "counterfactual.json written"

# the engine: a one-sector data set plus a scenario of trade-cost changes
run gravity scenario "$D" --coef "$COEF" --set pta=1 --pairs CAN:JPN,JPN:CAN --sigma 5 --output "$T/pta.yaml"
expect_rc 0 "scenario from coefficients"
python3 - "$T/pta.yaml" <<'PY' || fail "scenario: two pairs, factor exp(-0.4711383/4)"
import math, re, sys
t = open(sys.argv[1]).read()
v = [float(x) for x in re.findall(r"set: ([0-9.eE+-]+)", t)]
assert len(v) == 2 and all(abs(x - math.exp(-0.4711383 / 4)) < 1e-12 for x in v), v
PY
run import gravity "$D" --output-col Y --expenditure-col E --sigma 5 --output "$T/ds"
expect_rc 0 "import gravity"
expect_in "$T/err" "expenditure of" "expenditure gap reported"
run info --data "$T/ds" --format json
expect_rc 0 "the imported data set is valid"
json_check 'd["countries"] == 30 or len(d.get("country_codes", d.get("countries_list", []))) in (0, 30)' "30 countries"
run solve "$T/pta.yaml" --data "$T/ds" --format json
expect_rc 0 "solve the PTA on the imported data"
json_check '0.2 < [c for c in d["countries"] if c["code"] == "CAN"][0]["welfare_pct"] < 0.6' "Canada gains under tradewar's convention too"
run gravity scenario "$D" --coef "$COEF" --set pta=0 --pairs CAN:JPN --sigma 5
expect_rc 0 "a scenario that changes nothing"
expect_in "$T/out" "policies: []" "explicitly empty"
# domestic flows filled from output when the table has none
python3 - "$D" "$T/intl.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w") as f:
    w = csv.DictWriter(f, fieldnames=rows[0].keys())
    w.writeheader()
    for r in rows:
        if r["exporter"] != r["importer"]:
            w.writerow(r)
PY
run import gravity "$T/intl.csv" --output-col Y --output "$T/ds2" -q
expect_rc 0 "domestic sales from output"
python3 - "$D" "$T/ds2/flows.csv" <<'PY' || fail "domestic sales are output minus exports"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
Y = {r["exporter"]: float(r["Y"]) for r in rows}
ex = {}
for r in rows:
    if r["exporter"] != r["importer"]:
        ex[r["exporter"]] = ex.get(r["exporter"], 0) + float(r["trade"])
lines = [l for l in open(sys.argv[2]) if not l.startswith("#")]
f = list(csv.reader(lines))
h = f[0]
got = {}
for r in f[1:]:
    d = dict(zip(h, r))
    e = d.get("exporter"); i = d.get("importer")
    if e == i:
        got[e] = float(d.get("value", d.get("flow", "nan")))
assert len(got) == 30, (h, len(got))
assert all(abs(got[c] - (Y[c] - ex[c])) <= 1e-9 * Y[c] for c in got)
PY
run import gravity "$T/intl.csv" --output "$T/ds3"
expect_rc 3 "no domestic sales and no output column"
expect_in "$T/err" "give --output-col" "hint"

# errors
run "${CF[@]}"
expect_rc 2 "missing --coef"
run gravity counterfactual "$D" --coef "$COEF" --set pta=1 --sigma 5
expect_rc 2 "missing --reference"
run "${CF[@]}" --coef "$COEF" --sigma 0.5
expect_rc 2 "sigma below 1"
run "${CF[@]}" --coef "lndist"
expect_rc 3 "coefficient without value: read as a file"
expect_in "$T/err" "cannot open" "no such coefficient file"
run gravity counterfactual "$D" --coef "$COEF" --set nosuch=1 --sigma 5 --reference DEU
expect_rc 3 "--set of a column without a coefficient"
run gravity counterfactual "$D" --coef "$COEF" --set pta=1 --pairs CAN:XXX --sigma 5 --reference DEU
expect_rc 3 "unknown country in --pairs"
run gravity counterfactual "$D" --coef "$COEF" --set pta=1 --pairs CANJPN --sigma 5 --reference DEU
expect_rc 2 "malformed --pairs"
run gravity counterfactual "$D" --coef "$COEF" --set pta=1 --sigma 5 --reference XXX
expect_rc 3 "unknown reference"
head -50 "$D" >"$T/short.csv"
run gravity counterfactual "$T/short.csv" --coef "$COEF" --set pta=1 --sigma 5 --reference AUS
expect_rc 3 "not square"
run gravity counterfactual "$D" --coef "$T/none.json" --set pta=1 --sigma 5 --reference DEU
expect_rc 3 "missing coefficient file"
run import gravity "$D"
expect_rc 2 "import without --output"
run import gravity "$D" --output "$T/x" --sigma 2 --theta 3
expect_rc 2 "sigma and theta"
run import gravity "$D" --output "$T/x" --trade nosuch
expect_rc 3 "missing trade column"
run import frobnicate
expect_rc 2 "unknown import source"
# the guide's "trade without borders" (chapter 2, application 1) under its GEPPML
# convention, against the R solutions manual of the guide (tradepolicy, Pacha Vargas:
# the same procedure iterated to 1e-5): real GDP, factory-gate price and the change
# of international exports, conditional and full, for Germany (the reference, ZZZ in
# the guide's file), Argentina and Australia, to 2e-3 percentage points
Y16=$SRC/data/yotov2016/1_TradeWithoutBorder.dta
run gravity estimate "$Y16" --formula "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer" --output "$T/twb" -q
expect_rc 0 "estimate trade without borders"
run gravity counterfactual "$Y16" --convention guide --coef "$T/twb/estimate.json" --set INTL_BRDR=0 --sigma 7 --reference ZZZ --tol 1e-5 --format json
expect_rc 0 "guide convention"
python3 - "$T/out" <<'PY' || fail "the R solutions manual's trade-without-borders figures"
import json, sys
d = {c["country"]: c for c in json.load(open(sys.argv[1]))["countries"]}
want = {  # gdp, price, exports conditional, exports full (percent)
    "ZZZ": (24.36149230232745, 24.36149230232745, 133.3884682418705, 190.7961199741184),
    "ARG": (48.98525105793352, 32.1522097201747, 65.524101609352, 118.1201521846502),
    "AUS": (28.60991113049349, 21.35733721260036, 229.559083728267, 300.2246068434678),
}
for c, (g, p, xc, xf) in want.items():
    got = d[c]
    for k, v in (("gdp_pct", g), ("price_pct", p), ("exports_cdl_pct", xc), ("exports_full_pct", xf)):
        assert abs(got[k] - v) < 2e-3, (c, k, got[k], v)
assert d["ARG"]["imr_pct"] < 0 and abs(d["ARG"]["imr_pct"] + 11.29846157134925) < 2e-3
PY
run gravity counterfactual "$Y16" --convention guide --coef "$T/twb/estimate.json" --set INTL_BRDR=1 --pairs ARG:AUS --sigma 7 --reference ZZZ --format json
expect_rc 0 "guide convention, no change"
json_check 'all(abs(c["gdp_pct"]) < 1e-9 and abs(c["exports_full_pct"]) < 1e-9 for c in d["countries"])' "no change: nothing moves"
run gravity counterfactual "$Y16" --convention best --coef "$T/twb/estimate.json" --set INTL_BRDR=0 --sigma 7 --reference ZZZ
expect_rc 2 "unknown convention"
finish
