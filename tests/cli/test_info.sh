# test_info.sh - `tradewar info` on the bundled data and on cp1993.
source "$(dirname "$0")/lib.sh" "$@"

run info
if [ "$RC" -eq 4 ] && grep -q "not implemented" "$T/err"; then
    echo "SKIP: the data loaders are not in the library yet"; exit 0
fi
expect_rc 0 "info"
expect_in "$T/out" "Dimensions: 7 countries, 44 sectors" "info dimensions"
expect_in "$T/out" "Valid: yes" "info validity"
expect_in "$T/out" "Largest bilateral flows" "info flows"
expect_in "$T/err" "loading" "progress on stderr"
run info -q
expect_empty "$T/err" "info -q"

run info --format json -q
expect_rc 0 "info --format json"
json_check 'd["dimensions"] == {"countries": 7, "sectors": 44}' "json dimensions"
json_check 'd["valid"] is True and d["validation_error"] is None' "json validity"
json_check 'd["tradewar"]["command"] == "info" and len(d["tradewar"]["data_checksum"]) == 16' "json header"
json_check '[c["code"] for c in d["countries"]] == ["BRA","CHN","EU","IND","JPN","ROW","USA"]' "json countries"
json_check 'len(d["sectors"]) == 44 and all(s["theta"] > 0 for s in d["sectors"])' "json sectors"
json_check 'len(d["largest_flows"]) == 10 and all(a["flow"] >= b["flow"] for a, b in zip(d["largest_flows"], d["largest_flows"][1:]))' "json largest flows sorted"
json_check 'all(f["exporter"] != f["importer"] for f in d["largest_flows"])' "largest flows are international"
json_check 'abs(sum(c["trade_balance"] for c in d["countries"])) < 1e-6 * d["world"]["trade"]' "trade balances sum to zero"
json_check 'abs(sum(c["exports"] for c in d["countries"]) - d["world"]["trade"]) < 1e-9 * d["world"]["trade"]' "world trade"
# 2017 US deficit from the data README: 604.9 billion (flows in millions)
json_check 'abs(-[c for c in d["countries"] if c["code"] == "USA"][0]["trade_balance"] / 1000 - 604.9) < 0.1' "US deficit 2017"

if [ -d "$SRC/data/cp1993" ]; then
    run info -q --data "$SRC/data/cp1993" --format json
    expect_rc 0 "info cp1993"
    json_check 'd["dimensions"] == {"countries": 31, "sectors": 40}' "cp1993 dimensions"
    TRADEWAR_DATA="$SRC/data/cp1993" "$TW" info -q >"$T/out" 2>"$T/err"
    RC=$?
    expect_rc 0 "TRADEWAR_DATA"
    expect_in "$T/out" "31 countries, 40 sectors" "TRADEWAR_DATA picks the data"
fi
run info -q --data "$T/nowhere"
[ "$RC" -eq 3 ] || [ "$RC" -eq 4 ] || fail "info on a missing directory: exit $RC"
[ -s "$T/err" ] || fail "info on a missing directory: no message"
mkdir "$T/empty"
run info -q --data "$T/empty"
[ "$RC" -eq 3 ] || [ "$RC" -eq 4 ] || fail "info on an empty directory: exit $RC"
finish
