# test_game_smoke.sh - optimal, war, talks and enforce end to end on the small
# Ossa-layout economy (data/ossa2007/toy: 7 countries, 3 sectors): the JSON
# contract, the formats, small-economy properties of the answers, output
# directories whose tariffs.csv replays as a scenario, and enforcement.
source "$(dirname "$0")/lib.sh" "$@"
TOY=$SRC/data/ossa2007/toy

# ---- optimal ----
run optimal -q --data "$TOY" --country Country3 --format json
expect_rc 0 "optimal"
expect_empty "$T/err" "optimal -q"
json_check 'd["tradewar"]["command"] == "optimal" and d["tradewar"]["version"] == "0.2.0"' "provenance"
json_check 'set(d["tradewar"]) >= {"version","command","data","data_checksum","base_checksum","options","game"}' "tradewar keys"
json_check 'd["tradewar"]["options"]["deficits"] == "balanced" and d["baseline"]["balanced"]' "balanced deficits by default"
json_check 'd["tradewar"]["game"]["country"] == "Country3" and d["tradewar"]["game"]["warmup"] is True' "game options"
json_check 'set(d["solver"]) >= {"converged","iterations","residual","evaluations","seconds","warmup"}' "solver keys"
json_check 'd["solver"]["converged"] is True and d["solver"]["residual"] <= d["tradewar"]["game"]["gtol"]' "optimiser converged"
json_check 'len(d["countries"]) == 7 and all({"code","name","welfare_pct","median_tariff_pct"} <= set(c) for c in d["countries"])' "country keys"
json_check 'd["country"] == "Country3" and d["welfare_gain_pct"] > 0' "the optimiser gains"
json_check 'sum(c["welfare_pct"] for c in d["countries"] if c["code"] != "Country3") < 0' "the others lose on the whole"
json_check 'len(d["instruments"]) == 18 and all(i["importer"] == "Country3" and i["instrument"] == "tariff" for i in d["instruments"])' "18 tariffs of Country3"
json_check 'all(0 < i["rate"] < 10 for i in d["instruments"])' "interior optimal tariffs"
cp "$T/out" "$T/optimal.json"

# MFN: one rate per sector
run optimal -q --data "$TOY" --country Country3 --mfn --format json
expect_rc 0 "optimal --mfn"
json_check 'all(len({round(i["rate"], 12) for i in d["instruments"] if i["sector"] == s}) == 1 for s in ("Sector1","Sector2","Sector3"))' "MFN rates"
json_check 'd["tradewar"]["game"]["mfn"] and d["solver"]["warmup"] is None' "no warm-up under MFN"
python3 - "$T/out" "$T/optimal.json" <<'PY' || fail "bilateral tariffs do at least as well as MFN"
import json, sys
m, b = (json.load(open(p)) for p in sys.argv[1:])
assert b["welfare_gain_pct"] >= m["welfare_gain_pct"] - 1e-9
PY
# bounds and sectors: only Sector2 moves, within [0, 0.1]
run optimal -q --data "$TOY" --country Country3 --sectors Sector2 --upper 0.1 --format json
expect_rc 0 "optimal --sectors --upper"
json_check 'len(d["instruments"]) == 6 and all(i["sector"] == "Sector2" and i["rate"] <= 0.1 + 1e-12 for i in d["instruments"])' "sector mask and upper bound"
# export taxes as well
run optimal -q --data "$TOY" --country Country3 --instruments tariffs,export-taxes --format json
expect_rc 0 "optimal with export taxes"
json_check 'sum(i["instrument"] == "export_tax" for i in d["instruments"]) == 18' "export-tax instruments"
# table and CSV
run optimal --data "$TOY" --country Country3
expect_rc 0 "optimal table"
expect_in "$T/out" "Import tariffs of Country3" "tariff matrix"
expect_in "$T/out" "Optimiser: converged" "optimiser line"
expect_in "$T/err" "optimising the policy of Country3" "progress on stderr"
run optimal -q --data "$TOY" --country Country3 --format csv
sed -n 2p "$T/out" | grep -q '^code,name,player,welfare_pct,' || fail "countries csv header"
[ "$(wc -l <"$T/out")" -eq 9 ] || fail "countries csv rows"

# ---- war ----
run war -q --data "$TOY" --format json --output "$T/war"
expect_rc 0 "war"
json_check 'd["tradewar"]["command"] == "war" and d["solver"]["converged"] is True' "war settled"
json_check 'd["solver"]["iterations"] >= 2 and d["solver"]["residual"] <= 1e-6' "rounds and last change"
json_check 'all(c["player"] and c["median_tariff_pct"] > 10 for c in d["countries"])' "war tariffs"
json_check 'sum(c["welfare_pct"] for c in d["countries"]) < 0' "the war costs the world"
json_check 'len(d["instruments"]) == 7 * 18' "every player's tariffs"
for f in result.json countries.csv tariffs.csv; do [ -s "$T/war/$f" ] || fail "war --output: $f"; done
ls -a "$T/war" | grep -q '^\.' && ls -a "$T/war" | grep -q '\.XXXX' && fail "temporary files left"
head -1 "$T/war/tariffs.csv" | grep -q '^# tradewar 0.2.0 war data=' || fail "tariffs.csv provenance"
sed -n 2p "$T/war/tariffs.csv" | grep -q '^exporter,importer,sector,base,rate$' || fail "tariffs.csv header"
cp "$T/out" "$T/war.json"
# the equilibrium tariffs replay as a scenario: same welfare
cat >"$T/replay.yaml" <<YAML
name: replay of the war
policies:
  - tariff: {importer: all, exporter: all, from_file: $T/war/tariffs.csv}
YAML
run solve -q --data "$TOY" --deficits balanced "$T/replay.yaml" --format json
expect_rc 0 "replay the war tariffs"
python3 - "$T/out" "$T/war.json" <<'PY' || fail "replayed war: same welfare"
import json, sys
s, w = (json.load(open(p)) for p in sys.argv[1:])
ws = {c["code"]: c["welfare_pct"] for c in s["countries"]}
assert all(abs(ws[c["code"]] - c["welfare_pct"]) < 1e-6 for c in w["countries"]), (ws, w["countries"])
PY
# progress on stderr, one line per round
run war --data "$TOY" --players Country1,Country2 --no-warmup
expect_rc 0 "two-player war"
expect_in "$T/err" "war: round 1" "round progress"
grep -q "MFN war" "$T/err" && fail "--no-warmup skips the MFN war"
expect_in "$T/out" "War: settled" "war table"
# a war that cannot settle in one round: exit 1, results still printed
run war --data "$TOY" --max-rounds 1 --format json
expect_rc 1 "war, one round"
json_check 'd["solver"]["converged"] is False' "unsettled war in JSON"
expect_in "$T/err" "did not settle" "unsettled war message"
# output directory that cannot be made: exit 4, stdout empty
: >"$T/afile"
run war -q --data "$TOY" --players Country1,Country2 --output "$T/afile/sub"
expect_rc 4 "unwritable --output"
expect_empty "$T/out" "unwritable --output: stdout"

# ---- talks ----
run talks -q --data "$TOY" --players Country1,Country2,Country4 --format json
expect_rc 0 "talks"
json_check 'd["tradewar"]["command"] == "talks" and d["solver"]["converged"] is True' "talks converged"
json_check 'all({"war_welfare_pct","cooperative_welfare_pct","bargaining_welfare_pct","gain_vs_war_pct","gain_vs_status_quo_pct"} <= set(c) for c in d["countries"])' "talks keys"
# real GDP beside welfare under each outcome: none moves at the status quo (the base)
json_check 'all(abs(c["status_quo_real_gdp_pct"]) < 1e-9 and c["real_gdp_pct"] == c["bargaining_real_gdp_pct"] for c in d["countries"])' "talks real GDP"
json_check 'any(abs(c["war_real_gdp_pct"]) > 1e-4 for c in d["countries"])' "the war moves real GDP"
json_check 'all(c["gain_vs_war_pct"] > 0 for c in d["countries"] if c["player"])' "bargaining beats the war"
json_check 'sum(c["cooperative_welfare_pct"] for c in d["countries"] if c["player"]) >= sum(c["bargaining_welfare_pct"] for c in d["countries"] if c["player"]) - 1e-6' "cooperation maximises the sum"
json_check 'all(i["importer"] in ("Country1","Country2","Country4") and i["exporter"] in ("Country1","Country2","Country4") for i in d["instruments"])' "talks: tariffs among players"
json_check 'all(c["median_tariff_pct"] == c["war_median_tariff_pct"] for c in d["countries"] if not c["player"])' "non-players keep their tariffs"
# all seven: the bargaining start is found by reweighting
run talks -q --data "$TOY" --format csv
expect_rc 0 "talks, all players"
sed -n 2p "$T/out" | grep -q '^code,name,player,welfare_pct,median_tariff_pct,status_quo_welfare_pct,war_welfare_pct' || fail "talks csv header"
# cooperation weighted so heavily that no start beats the war for everyone: no
# bargain (the library's outcome "infeasible"), exit 1, the rest reported
run talks -q --data "$TOY" --weights Country3=50 --format json
expect_rc 1 "talks without a bargaining start"
expect_in "$T/err" "no bargaining: no policy found" "no bargaining start: message"
json_check 'd["solver"]["bargaining"] is None and d["solver"]["cooperative"]["outcome"] == "converged" and d["solver"]["war"]["outcome"] == "converged"' "no bargaining start: war and cooperation reported"

# ---- enforce ----
run enforce -q --data "$TOY" talks --players Country1,Country2 --delta 0.9 --format json
expect_rc 0 "enforce talks"
json_check 'd["tradewar"]["command"] == "enforce" and d["agreement"]["source"] == "talks" and d["punishment"]["kind"] == "war"' "enforce blocks"
json_check 'all(0 < c["critical_discount"] < 1 and c["deviation_gain_pct"] > 0 and c["punishment_loss_pct"] > 0 for c in d["countries"] if c["player"])' "critical discount factors"
json_check 'all(abs(c["critical_discount"] - c["deviation_gain_pct"] / (c["deviation_gain_pct"] + c["punishment_loss_pct"])) < 1e-9 for c in d["countries"] if c["player"])' "critical discount = gain / (gain + loss)"
json_check 'all(c["self_enforcing"] == (0.9 >= c["critical_discount"]) and c["min_snapback_pct"] >= 0 for c in d["countries"] if c["player"])' "self-enforcing at delta, smallest snapback"
cp "$T/out" "$T/enforce.json"
# the smallest snapback deters deviation at delta: gain <= delta/(1-delta) loss
python3 - "$T/enforce.json" >"$T/snaps" <<'PY' || fail "snapback list"
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["countries"]:
    if c["player"]:
        print(c["code"], c["min_snapback_pct"] / 100)
PY
while read -r code snap; do
    run enforce -q --data "$TOY" talks --players Country1,Country2 --punishment snapback --snapback "$(python3 -c "print($snap + 0.002)")" --format json
    expect_rc 0 "enforce with the smallest snapback of $code"
    json_check "[c for c in d['countries'] if c['code'] == '$code'][0]['critical_discount'] <= 0.9 + 1e-6" "snapback $snap deters $code at 0.9"
done <"$T/snaps"
# a scenario file as the agreement; free trade and no deviation gain under the status quo's war
run enforce -q --data "$TOY" "$SRC/scenarios/strategy/world-free-trade.yaml" --players Country1,Country2 --format json
expect_rc 0 "enforce a scenario"
json_check 'd["agreement"]["source"] == "scenario" and d["tradewar"]["scenario_name"] == "World free trade"' "agreement from a file"
json_check 'all(c["median_tariff_pct"] == 0 for c in d["countries"])' "free trade tariffs"
run enforce --data "$TOY" cooperative --players Country1,Country2 --output "$T/enf"
expect_rc 0 "enforce cooperative, table"
expect_in "$T/out" "critical d" "enforce table"
for f in result.json countries.csv tariffs.csv; do [ -s "$T/enf/$f" ] || fail "enforce --output: $f"; done
finish
