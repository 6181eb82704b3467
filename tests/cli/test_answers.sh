# test_answers.sh - issue 10 through the program: diagnostics and warnings (the subsidy
# scenario warns, NAFTA does not), real GDP in every format, units from the data, groups and
# ranges in scenarios, the warning for tariffs on untariffed sectors, `report` on a
# one-policy scenario, and the largest sector moves under `solve`'s table.
source "$(dirname "$0")/lib.sh" "$@"

# -- the subsidy scenario on the bundled data raises the documented warnings
run solve -q --format json --stage 1 "$SRC/scenarios/us-china/subsidies.yaml"
expect_rc 0 "subsidies"
json_check 'set(d["diagnostics"]) >= {"max_psi_theta","base_growth","largest_output_change"}' "diagnostics keys"
json_check 'set(d["diagnostics"]["largest_output_change"]) == {"country","sector","pct"}' "largest change keys"
json_check 'd["diagnostics"]["max_psi_theta"] > 0.8' "max psi theta of the bundled data"
json_check '0 < d["diagnostics"]["base_growth"] < 1' "base growth below 1"
json_check '"high-psi-theta" in [w["code"] for w in d["warnings"]]' "subsidies: high-psi-theta"
json_check '"large-output-change" in [w["code"] for w in d["warnings"]]' "subsidies: large-output-change"
json_check 'all("--psi-scale 0" in w["message"] for w in d["warnings"])' "each warning says what to try"
# the largest change is the largest |output_pct| of the sectors list
json_check 'abs(abs(d["diagnostics"]["largest_output_change"]["pct"]) - max(abs(s["output_pct"]) for s in d["sectors"] if s["output_base"] > 0)) < 1e-9' "largest change is the sectors' largest"
expect_in "$T/err" "tradewar: warning [high-psi-theta]" "warning on stderr"
run solve -q --stage 1 "$SRC/scenarios/us-china/subsidies.yaml"
expect_in "$T/out" "Warning [large-output-change]" "warning under the table"
expect_in "$T/out" "Largest sector output moves" "largest moves under the table"
expect_in "$T/out" "Diagnostics: max psi*theta" "diagnostics line"
# with constant returns the warnings tied to scale economies go away
run solve -q --format json --stage 1 --psi-scale 0 "$SRC/scenarios/us-china/subsidies.yaml"
expect_rc 0 "subsidies, psi 0"
json_check 'd["warnings"] == [] and d["diagnostics"]["max_psi_theta"] == 0' "psi-scale 0: no warnings"

# -- NAFTA on cp1993 raises none
if [ -f "$SRC/data/cp1993/balanced/xbilat1993.txt" ]; then
    run solve -q --format json --data "$SRC/data/cp1993" "$SRC/scenarios/cp2015-nafta.yaml"
    expect_rc 0 "nafta"
    json_check 'd["warnings"] == []' "NAFTA: no warnings"
    expect_empty "$T/err" "NAFTA: nothing on stderr"
    json_check 'd["tradewar"]["currency_unit"] == "US dollars"' "cp1993 unit"
fi

# -- real GDP and nominal GDP in every format
run solve -q --format json "$SRC/scenarios/us-china/list3-25.yaml"
json_check 'all({"gdp_base","gdp","real_gdp_pct"} <= set(c) for c in d["countries"])' "JSON real GDP"
json_check 'all(abs(c["gdp_base"] - (c["income_base"] + c["trade_balance_base"])) <= 1e-9 * c["gdp_base"] for c in d["countries"])' "nominal GDP = income + net exports"
json_check 'd["tradewar"]["currency_unit"] == "millions of US dollars"' "bundled unit in JSON"
run solve -q --format csv "$SRC/scenarios/us-china/list3-25.yaml"
expect_in "$T/out" ",gdp_base,gdp,real_gdp_pct" "CSV real GDP columns"
run solve -q "$SRC/scenarios/us-china/list3-25.yaml"
expect_in "$T/out" "real GDP %" "table real GDP column"
expect_in "$T/out" "Money (EV, revenue): millions of US dollars" "table unit"

# -- a small data set with its own unit and groups
good=$T/good
mkdir -p "$good"
cat >"$good/manifest.yaml" <<'YAML'
format: tradewar-dataset
version: 1
flows_basis: before_tariffs
currency_unit: EUR billion
countries:
  - {code: HOME, name: Home country}
  - {code: FOR, name: Foreign}
  - {code: ROW, name: Rest}
sectors:
  - {code: farm}
  - {code: mfg}
  - {code: serv}
groups:
  sectors:
    goods: [farm..mfg]
    services: [serv]
YAML
python3 - "$good" <<'PY'
import sys, itertools
d = sys.argv[1]
C, S = ["HOME", "FOR", "ROW"], ["farm", "mfg", "serv"]
with open(d + "/flows.csv", "w") as f:
    f.write("exporter,importer,sector,value\n")
    for i, n, j in itertools.product(range(3), range(3), range(3)):
        v = 0 if (j == 2 and i != n) else (60 + 7 * i + 3 * j if i == n else 5 + i + 2 * n + j)
        f.write("%s,%s,%s,%d\n" % (C[i], C[n], S[j], v))
with open(d + "/tariffs.csv", "w") as f:
    f.write("exporter,importer,sector,rate\n")
    for i, n in itertools.permutations(range(3), 2):
        for j in range(2):
            f.write("%s,%s,%s,0.05\n" % (C[i], C[n], S[j]))
with open(d + "/va_shares.csv", "w") as f:
    f.write("country,sector,share\n")
    for i, j in itertools.product(range(3), range(3)):
        f.write("%s,%s,0.5\n" % (C[i], S[j]))
with open(d + "/io_shares.csv", "w") as f:
    f.write("country,input,sector,share\n")
    for i, k, j in itertools.product(range(3), range(3), range(3)):
        f.write("%s,%s,%s,%.17g\n" % (C[i], S[k], S[j], 1 / 3))
with open(d + "/final_shares.csv", "w") as f:
    f.write("country,sector,share\n")
    for i, j in itertools.product(range(3), range(3)):
        f.write("%s,%s,%.17g\n" % (C[i], S[j], [0.2, 0.3, 0.5][j]))
with open(d + "/elasticities.csv", "w") as f:
    f.write("sector,theta,psi\nfarm,5,0\nmfg,4,0.1\nserv,6,0\n")
PY
run info -q --data "$good"
expect_rc 0 "small data set"
expect_in "$T/out" "Currency unit: EUR billion" "info shows the manifest's unit"
cat >"$T/goods.yaml" <<'YAML'
name: goods by group
policies:
  - tariff: {importer: HOME, exporter: FOR, sectors: goods, add: 0.1}
YAML
cat >"$T/range.yaml" <<'YAML'
name: goods by range
policies:
  - tariff: {importer: HOME, exporter: FOR, sectors: [farm..mfg], add: 0.1}
YAML
cat >"$T/all.yaml" <<'YAML'
name: every sector
policies:
  - tariff: {importer: HOME, exporter: FOR, add: 0.1}
YAML
cat >"$T/badrange.yaml" <<'YAML'
name: bad range
policies:
  - tariff: {importer: HOME, exporter: FOR, sectors: [mfg..farm], add: 0.1}
YAML
run solve -q --format json --data "$good" "$T/goods.yaml"; expect_rc 0 "group goods"; cp "$T/out" "$T/g.json"
json_check 'd["tradewar"]["currency_unit"] == "EUR billion"' "JSON unit from the manifest"
json_check 'd["warnings"] == []' "goods only: no warning"
run solve -q --format json --data "$good" "$T/range.yaml"; expect_rc 0 "range"
python3 -c 'import json,sys
a=json.load(open(sys.argv[1]))["countries"]; b=json.load(open(sys.argv[2]))["countries"]
sys.exit(0 if all(abs(x["welfare_pct"]-y["welfare_pct"]) < 1e-12 for x,y in zip(a,b)) else 1)' "$T/g.json" "$T/out" || fail "the range equals the group"
run solve -q --data "$good" "$T/goods.yaml"
expect_in "$T/out" "Money (EV, revenue): EUR billion" "table unit from the manifest"
# a rule reaching services warns (it has no tariff anywhere in the base)
run solve -q --format json --data "$good" "$T/all.yaml"; expect_rc 0 "every sector"
json_check '[w["code"] for w in d["warnings"]] == ["tariff-on-untariffed-sectors"]' "a rule reaching services warns"
json_check '"all.yaml:3" in d["warnings"][0]["message"] and "serv" in d["warnings"][0]["message"]' "warning names file, line, sector"
expect_in "$T/err" "warning [tariff-on-untariffed-sectors]" "on stderr"
run solve -q --data "$good" "$T/badrange.yaml"; expect_rc 3 "backward range"
expect_in "$T/err" "badrange.yaml:3" "range error names the line"
expect_in "$T/err" "mfg..farm" "range error names the value"
# the same on the bundled data, with its goods/services groups
cat >"$T/uc.yaml" <<'YAML'
name: US tariff on all Chinese sectors
policies:
  - tariff: {importer: USA, exporter: CHN, add: 0.1}
YAML
run solve -q --format json "$T/uc.yaml"; expect_rc 0 "bundled, every sector"
json_check '"tariff-on-untariffed-sectors" in [w["code"] for w in d["warnings"]]' "bundled: services warn"
sed 's/add: 0.1}/sectors: goods, add: 0.1}/' "$T/uc.yaml" >"$T/ucg.yaml"
run solve -q --format json "$T/ucg.yaml"; expect_rc 0 "bundled goods"
json_check '"tariff-on-untariffed-sectors" not in [w["code"] for w in d["warnings"]]' "bundled goods: no services warning"

# -- report on a one-policy scenario compares it with the base, and matches solve
run report -q --format json --charts none "$T/ucg.yaml"; expect_rc 0 "report one stage"
json_check 'len(d["comparisons"]) == 1 and d["comparisons"][0]["from_stage"] == "base"' "compared with the base"
json_check 'd["currency"] == "millions of US dollars"' "report currency from the data"
cp "$T/out" "$T/rep.json"
run solve -q --format json "$T/ucg.yaml"
python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))["comparisons"][0]["countries"]; s=json.load(open(sys.argv[2]))["countries"]
sys.exit(0 if all(abs(x["welfare_pct"]-y["welfare_pct"]) < 1e-7 and abs(x["real_gdp_pct"]-y["real_gdp_pct"]) < 1e-7 for x,y in zip(r,s)) else 1)' "$T/rep.json" "$T/out" || fail "report from the base equals solve"
run report -q --charts none --focus HOME,FOR --data "$good" "$T/goods.yaml"; expect_rc 0 "report table"
expect_in "$T/out" "compared with: the base economy" "table says the base"
expect_in "$T/out" "Money in EUR billion" "report unit"
run timeline -q --format json --charts none --focus HOME,FOR --data "$good" "$T/all.yaml"; expect_rc 0 "timeline"
json_check 'd["currency"] == "EUR billion" and "real_gdp_pct" in d["stages"][0]' "timeline unit and real GDP"
json_check '[w["code"] for w in d["stages"][0]["warnings"]] == ["tariff-on-untariffed-sectors"]' "timeline warning"
# a sweep's summary carries each point's central diagnostics and warnings; --output's parents made
run sweep -q "$T/uc.yaml" --draws 2 --seed 3 --no-chart --output "$T/runs/deep/sw"
expect_rc 0 "sweep"
python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))["points"][0]
sys.exit(0 if set(p["diagnostics"]) >= {"max_psi_theta","base_growth","largest_output_change"} and "tariff-on-untariffed-sectors" in [w["code"] for w in p["warnings"]] else 1)' "$T/runs/deep/sw/summary.json" || fail "sweep diagnostics"
expect_in "$T/err" "warning [tariff-on-untariffed-sectors]" "sweep warns on stderr"
finish
