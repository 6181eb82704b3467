# test_game_ossa.sh - `tradewar war` on Ossa (2014)'s data with every region a
# player reproduces the paper: median Nash tariffs average 58.1% (within 0.2: tariffs on tiny flows, where welfare is flat, set part of the median)
# and the war costs each region 2.4% of welfare on average (within 0.05); and
# the JSON contract of the issue. ~15 s in a Release build, over 5 minutes
# under the sanitizers: labelled `slow` and left out of that run
# (tests/CMakeLists.txt, scripts/test.sh).
source "$(dirname "$0")/lib.sh" "$@"
[ -f "$SRC/data/ossa2007/trade_ijs.csv" ] || { echo "SKIP: data/ossa2007 missing"; exit 0; }

run war --data "$SRC/data/ossa2007" --format json
expect_rc 0 "Ossa war"
expect_in "$T/err" "MFN war: round 1" "progress of the MFN war"
expect_in "$T/err" "war: round 2" "progress of the bilateral war"
json_check 'd["tradewar"]["command"] == "war" and d["tradewar"]["options"]["deficits"] == "balanced"' "provenance"
json_check 'set(d["solver"]) >= {"converged","iterations","residual"} and d["solver"]["converged"] is True' "solver: converged"
json_check 'len(d["countries"]) == 7 and all({"code","welfare_pct","median_tariff_pct"} <= set(c) for c in d["countries"])' "countries"
json_check 'sorted(c["code"] for c in d["countries"]) == ["BRA","CHN","EU","IND","JPN","ROW","USA"]' "region codes"
json_check 'len(d["instruments"]) == 7 * 6 * 33' "7 x 198 tariffs"
json_check 'abs(sum(c["median_tariff_pct"] for c in d["countries"]) / 7 - 58.1) <= 0.2' "mean median tariff 58.1 (Ossa)"
json_check 'abs(sum(c["welfare_pct"] for c in d["countries"]) / 7 + 2.4) <= 0.05' "mean welfare -2.4% (Ossa)"
json_check 'all(c["welfare_pct"] < 0 for c in d["countries"])' "every region loses"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("Ossa war: mean median tariff %.3f%%, mean welfare %.4f%%, %d rounds, %.1f s" % (sum(c["median_tariff_pct"] for c in d["countries"])/7, sum(c["welfare_pct"] for c in d["countries"])/7, d["solver"]["iterations"], d["solver"]["seconds"]))' "$T/out"
finish
