# test_elasticities.sh - --elasticities, --theta-scale and --psi-scale (issue 10): each changes
# the answer as it should, the scenario's options take the same keys, every output records what
# was used, and bad values fail with file, line and value.
source "$(dirname "$0")/lib.sh" "$@"
SC=$SRC/scenarios/us-china/list3-25.yaml
E=$SRC/data/us-china-2017/cal_elasticities.csv
# the bundled theta with psi = 0, and the bundled theta halved without a psi column
# (from `tradewar info`, which lists each sector's theta)
"$TW" info -q --format json >"$T/info.json" || fail "info"
python3 - "$T/info.json" "$E" "$T" <<'PY' || fail "elasticity files"
import csv, json, sys
info = json.load(open(sys.argv[1]))
codes = [s["code"] for s in info["sectors"]]
rows = [[s["code"], repr(s["theta"])] for s in info["sectors"]]
with open(sys.argv[3] + "/psi0.csv", "w") as f:
    f.write("sector,theta,psi\n")
    for c, r in zip(codes, rows):
        f.write("%s,%s,0\n" % (c, r[1].strip()))
with open(sys.argv[3] + "/half.csv", "w") as f:
    f.write("sector,theta\n")
    for c, r in zip(codes, rows):
        f.write("%s,%.17g\n" % (c, float(r[1]) / 2))
PY

welfare() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("%.12g" % c["welfare_pct"] for c in d["countries"]))' "$1"; }
same() { # same FILE1 FILE2 DESCRIPTION: welfare equal to 1e-9 relative
    python3 - "$1" "$2" <<'PY' || fail "$3"
import json, sys
a, b = (json.load(open(f))["countries"] for f in sys.argv[1:3])
bad = [(x["code"], x["welfare_pct"], y["welfare_pct"]) for x, y in zip(a, b)
       if abs(x["welfare_pct"] - y["welfare_pct"]) > 1e-9 * max(1e-6, abs(y["welfare_pct"]))
       or abs(x["real_gdp_pct"] - y["real_gdp_pct"]) > 1e-9 * max(1e-6, abs(y["real_gdp_pct"]))]
sys.exit(1 if bad else 0)
PY
}

run solve -q --format json "$SC"; expect_rc 0 "plain"; cp "$T/out" "$T/plain.json"
run solve -q --format json --theta-scale 1 --psi-scale 1 "$SC"; expect_rc 0 "scale 1"
cp "$T/out" "$T/one.json"
same "$T/one.json" "$T/plain.json" "theta-scale 1 and psi-scale 1 change nothing"
json_check 'd["tradewar"]["options"]["theta_scale"] == 1.0 and d["tradewar"]["options"]["elasticities"] is None' "scale 1 recorded"

# psi-scale 0 equals a data set with psi = 0
run solve -q --format json --psi-scale 0 "$SC"; expect_rc 0 "psi-scale 0"; cp "$T/out" "$T/ps0.json"
json_check 'd["tradewar"]["options"]["psi_scale"] == 0.0' "psi-scale recorded"
run solve -q --format json --elasticities "$T/psi0.csv" "$SC"; expect_rc 0 "psi = 0 file"
cp "$T/out" "$T/file0.json"
json_check 'd["tradewar"]["options"]["elasticities"].endswith("psi0.csv")' "file recorded"
same "$T/ps0.json" "$T/file0.json" "psi-scale 0 equals elasticities with psi = 0"
[ "$(welfare "$T/ps0.json")" != "$(welfare "$T/plain.json")" ] || fail "psi-scale 0 changes the answer"

# theta-scale 0.5 equals a file of halved theta (psi kept: the file has no psi column)
run solve -q --format json --theta-scale 0.5 "$SC"; expect_rc 0 "theta-scale 0.5"; cp "$T/out" "$T/th.json"
run solve -q --format json --elasticities "$T/half.csv" "$SC"; expect_rc 0 "half file"
same "$T/th.json" "$T/out" "theta-scale 0.5 equals a file of theta / 2"
# a lower trade elasticity: trade responds less (China's imports fall by less)
python3 -c 'import json,sys
a=json.load(open(sys.argv[1]))["countries"]; b=json.load(open(sys.argv[2]))["countries"]
m=lambda d:[c for c in d if c["code"]=="CHN"][0]
pct=lambda c: c["imports"] / c["imports_base"] - 1
sys.exit(0 if pct(m(b)) < pct(m(a)) < 0 else 1)' "$T/th.json" "$T/plain.json" || fail "theta / 2: smaller trade response"

# the scenario's options: same keys, the flags win
sed 's/^options:/options:\n  psi_scale: 0/' "$SC" >"$T/sc.yaml"
grep -q "psi_scale: 0" "$T/sc.yaml" || printf 'options:\n  psi_scale: 0\n' >>"$T/sc.yaml"
cp "$SRC"/scenarios/us-china/*.csv "$T/" 2>/dev/null
run solve -q --format json "$T/sc.yaml"; expect_rc 0 "scenario psi_scale"
same "$T/out" "$T/ps0.json" "options: psi_scale: 0 equals --psi-scale 0"
run solve -q --format json --psi-scale 1 "$T/sc.yaml"; expect_rc 0 "flag over scenario"
same "$T/out" "$T/plain.json" "--psi-scale 1 wins over the scenario's psi_scale: 0"

# recorded in CSV provenance and on other commands
run solve -q --format csv --psi-scale 0 "$SC"; expect_rc 0 "csv"
expect_in "$T/out" "elasticities=data,theta_scale=1,psi_scale=0" "csv provenance"
run report -q --format json --psi-scale 0 --charts none "$SC"; expect_rc 0 "report psi-scale"
json_check 'd["tradewar"]["options"]["psi_scale"] == 0.0' "report records psi_scale"

# errors: bad values, unknown sector, a sector twice, a missing sector, a bundled name
run solve -q --theta-scale 0 "$SC"; expect_rc 2 "theta-scale 0"; expect_in "$T/err" "theta-scale" "names the flag"
run solve -q --psi-scale -1 "$SC"; expect_rc 2 "psi-scale -1"
run optimal -q --country USA --psi-scale abc; expect_rc 2 "optimal psi-scale abc"
(cat "$T/psi0.csv"; echo "XX,3,0") >"$T/bad.csv"
run solve -q --elasticities "$T/bad.csv" "$SC"; expect_rc 3 "unknown sector"
expect_in "$T/err" "bad.csv:46: unknown sector 'XX'" "names file, line and value"
(cat "$T/psi0.csv"; echo "fishing,3,0") >"$T/dup.csv"
run solve -q --elasticities "$T/dup.csv" "$SC"; expect_rc 3 "sector twice"
expect_in "$T/err" "dup.csv:46: sector 'fishing' again (first on line 3)" "duplicate named"
head -40 "$T/psi0.csv" >"$T/short.csv"
run solve -q --elasticities "$T/short.csv" "$SC"; expect_rc 3 "missing sector"
expect_in "$T/err" "no row for sector" "missing sector named"
sed '2s/,[^,]*,0$/,-2,0/' "$T/psi0.csv" >"$T/neg.csv"
run solve -q --elasticities "$T/neg.csv" "$SC"; expect_rc 3 "negative theta"
expect_in "$T/err" "neg.csv:2: column 'theta': -2 is not positive" "negative theta named"
run solve -q --elasticities no_such_set "$SC"; expect_rc 3 "unknown set"
expect_in "$T/err" "no_such_set" "set named"
printf 'name: x\noptions:\n  theta_scale: -1\npolicies: []\n' >"$T/neg.yaml"
run solve -q "$T/neg.yaml"; expect_rc 3 "scenario theta_scale -1"
expect_in "$T/err" "neg.yaml:3" "scenario line"
finish
