# test_game_ossa_optimal.sh - `tradewar optimal` for each of Ossa (2014)'s
# seven regions (6 partners x 33 sectors, after the MFN warm-up): the median
# optimal tariffs average 58.9% (within 0.1: the median is set partly by tariffs
# on tiny flows, where welfare is flat; see docs/strategy.md), as in the paper. ~10 s in a
# Release build, about 2 minutes under the sanitizers.
source "$(dirname "$0")/lib.sh" "$@"
[ -f "$SRC/data/ossa2007/trade_ijs.csv" ] || { echo "SKIP: data/ossa2007 missing"; exit 0; }

: >"$T/medians"
for c in BRA CHN EU IND JPN ROW USA; do
    run optimal -q --data "$SRC/data/ossa2007" --country "$c" --format json
    expect_rc 0 "optimal $c"
    json_check 'd["solver"]["converged"] is True and d["solver"]["variables"] == 198' "$c: 198 tariffs, converged"
    json_check 'd["welfare_gain_pct"] > 0' "$c gains"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([x["median_tariff_pct"] for x in d["countries"] if x["code"] == d["country"]][0])' "$T/out" >>"$T/medians"
done
python3 - "$T/medians" <<'PY' || fail "mean of the median optimal tariffs 58.9 (Ossa)"
import sys
m = [float(x) for x in open(sys.argv[1])]
print("Ossa optimal tariffs: medians", [round(x, 2) for x in m], "mean %.3f" % (sum(m) / len(m)))
assert len(m) == 7 and abs(sum(m) / 7 - 58.9) <= 0.1
PY
finish
