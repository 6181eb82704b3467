# test_game_ossa_smoke.sh - the strategic commands on Ossa (2014)'s data, small
# enough for the sanitizer build: one region's MFN optimum and an MFN war of
# two regions on each other (the full war, test_game_ossa.sh, is labelled
# `slow` and left out of the sanitizer run).
source "$(dirname "$0")/lib.sh" "$@"
[ -f "$SRC/data/ossa2007/trade_ijs.csv" ] || { echo "SKIP: data/ossa2007 missing"; exit 0; }
OSSA=$SRC/data/ossa2007

run optimal -q --data "$OSSA" --country USA --mfn --format json
expect_rc 0 "Ossa: MFN optimum of the US"
json_check 'd["solver"]["converged"] is True and d["solver"]["variables"] == 33' "33 MFN rates"
json_check 'd["tradewar"]["data_checksum"] and d["baseline"]["balanced"] is True' "balanced Ossa baseline"
json_check 'len(d["countries"]) == 7 and all({"code","name","welfare_pct","median_tariff_pct"} <= set(c) for c in d["countries"])' "countries"
json_check 'd["welfare_gain_pct"] > 1 and 40 < [c for c in d["countries"] if c["code"] == "USA"][0]["median_tariff_pct"] < 80' "US optimal MFN tariffs and gain"
json_check 'len(d["instruments"]) == 198' "198 cells at 33 rates"

run war --data "$OSSA" --players USA,CHN --partners players --mfn --war-tol 1e-5 --format json
expect_rc 0 "Ossa: US-China MFN war"
expect_in "$T/err" "MFN war: round 1" "progress"
json_check 'd["solver"]["converged"] is True and d["solver"]["iterations"] >= 2' "war settled"
json_check 'd["tradewar"]["game"]["players"] == ["USA","CHN"] and d["tradewar"]["game"]["partners"] == "players"' "players and partners"
json_check 'len(d["instruments"]) == 2 * 33 and all({i["importer"], i["exporter"]} == {"USA","CHN"} for i in d["instruments"])' "US and Chinese tariffs on each other"
json_check 'all(c["median_tariff_pct"] > 20 for c in d["countries"] if c["player"])' "war tariffs"
finish
