# test_solve.sh - end-to-end solves: no change gives zero welfare, the JSON contract,
# option precedence, stages, non-convergence, and Caliendo-Parro (2015) Table 2.
source "$(dirname "$0")/lib.sh" "$@"

run solve -q "$SRC/scenarios/no-change.yaml" --format json
if [ "$RC" -eq 4 ] && grep -q "not implemented" "$T/err"; then
    echo "SKIP: the solver or the loaders are not in the library yet (stderr: $(cat "$T/err"))"
    exit 0
fi
expect_rc 0 "no change"
expect_empty "$T/err" "no change -q"
json_check 'all(abs(c["welfare_pct"]) < 1e-8 and abs(c["cp_welfare_pct"]) < 1e-8 for c in d["countries"])' "no change: welfare 0"
json_check 'all(abs(c["real_wage_pct"]) < 1e-8 for c in d["countries"])' "no change: real wages 0"
json_check 'all(abs(b["change_pct"]) < 1e-8 for b in d["bilateral"])' "no change: flows unchanged"
json_check 'd["solver"]["converged"] is True and d["solver"]["outcome"] == "converged"' "solver block"
json_check 'set(d["solver"]) == {"converged","iterations","residual","method","outcome","seconds","evaluations"}' "solver keys"
json_check 'set(d["tradewar"]) >= {"version","command","data","data_checksum","scenario","options"}' "tradewar keys"
json_check 'd["tradewar"]["command"] == "solve" and d["tradewar"]["version"] == "0.2.0"' "tradewar header"
json_check 'd["tradewar"]["options"] == {"deficits":"fixed","method":"anderson","tol":1e-10,"max_iter":2000,"anderson_depth":8,"damping":1.0,"fallback":True,"elasticities":None,"theta_scale":1.0,"psi_scale":1.0}' "default options"
json_check 'set(d["baseline"]) >= {"calibrated","calibration_gap","balanced"}' "baseline keys"
json_check 'len(d["countries"]) == 7 and all({"code","name","welfare_pct","ev","cp_welfare_pct","tot_pct","vot_pct","real_wage_pct","tariff_revenue","exports"} <= set(c) for c in d["countries"])' "country keys"
json_check 'len(d["sectors"]) == 7 * 44 and all({"country","sector","output_pct","exports"} <= set(s) for s in d["sectors"])' "sector rows"
json_check 'len(d["bilateral"]) == 7 * 6 and set(d["bilateral"][0]) == {"exporter","importer","flow_base","flow","change_pct"}' "bilateral rows"

# the table and CSV formats
run solve "$SRC/scenarios/no-change.yaml"
expect_rc 0 "table"
expect_in "$T/out" "welfare %" "table header"
expect_in "$T/out" "Solver: converged" "table solver line"
expect_in "$T/err" "solving" "progress on stderr"
run solve -q --format csv "$SRC/scenarios/no-change.yaml"
expect_rc 0 "csv"
head -1 "$T/out" | grep -q '^# tradewar 0.2.0 data=.* checksum=[0-9a-f]\{16\} ' || fail "csv provenance line"
sed -n 2p "$T/out" | grep -q '^code,name,welfare_pct,ev,' || fail "csv header"
[ "$(wc -l <"$T/out")" -eq 9 ] || fail "csv rows"

# options: defaults < scenario file < command line
run solve -q --format json "$SCN/balanced-no-change.yaml"
expect_rc 0 "balanced no change"
json_check 'd["tradewar"]["options"]["deficits"] == "balanced" and d["baseline"]["balanced"]' "scenario option"
json_check 'all(abs(c["welfare_pct"]) < 1e-8 for c in d["countries"])' "balanced no change: welfare 0"
run solve -q --format json --deficits fixed --tol 1e-9 --max_iter 999 --method newton "$SCN/balanced-no-change.yaml"
expect_rc 0 "flags override"
json_check 'd["tradewar"]["options"]["deficits"] == "fixed" and not d["baseline"]["balanced"]' "flag beats file"
json_check 'd["tradewar"]["options"]["tol"] == 1e-9 and d["tradewar"]["options"]["max_iter"] == 999' "numeric flags"
json_check 'd["tradewar"]["options"]["method"] == "newton"' "method flag"

# stages: cumulative; --stage picks one
run solve -q --format json "$SCN/staged.yaml"
expect_rc 0 "staged, last stage"
json_check 'd["tradewar"]["stage"] == "wave 2" and d["tradewar"]["options"]["tol"] == 1e-11' "last stage and file options"
cp "$T/out" "$T/wave2.json"
run solve -q --format json --stage "wave 1" "$SCN/staged.yaml"
expect_rc 0 "staged, --stage name"
json_check 'd["tradewar"]["stage_index"] == 0' "--stage by name"
python3 - "$T/out" "$T/wave2.json" <<'PY' || fail "stage 2 adds China's retaliation to stage 1"
import json, sys
w1, w2 = (json.load(open(p)) for p in sys.argv[1:])
flow = lambda d, e, i: [b for b in d["bilateral"] if b["exporter"] == e and b["importer"] == i][0]["change_pct"]
assert flow(w1, "CHN", "USA") < 0 and flow(w2, "CHN", "USA") < 0
assert flow(w2, "USA", "CHN") < flow(w1, "USA", "CHN")
PY

# a policy change moves things the expected way
run solve -q --format json "$SRC/scenarios/us-china-list3-25.yaml"
expect_rc 0 "list 3"
json_check '[b for b in d["bilateral"] if b["exporter"] == "CHN" and b["importer"] == "USA"][0]["change_pct"] < -5' "US imports from China fall"
json_check '[c for c in d["countries"] if c["code"] == "CHN"][0]["welfare_pct"] < 0' "China loses"

# non-convergence of the counterfactual: results still printed, exit 1, stderr says so.
# hard.yaml needs ~400 iterations, the baseline ~90: --max-iter 150 separates them.
run solve --format json --max-iter 150 --fallback no "$SCN/hard.yaml"
expect_rc 1 "non-convergence"
expect_in "$T/err" "did not converge" "non-convergence message"
json_check 'd["solver"]["converged"] is False and d["solver"]["outcome"] == "iteration-limit"' "non-convergence in JSON"
run solve -q --max-iter 150 --fallback no "$SCN/hard.yaml"
expect_rc 1 "non-convergence, table"
expect_in "$T/out" "DID NOT CONVERGE" "non-convergence in the table"
expect_in "$T/err" "did not converge" "-q keeps the non-convergence message"
# non-convergence of the baseline: nothing to report, exit 1
run solve -q --format json --max-iter 2 --fallback no "$SRC/scenarios/no-change.yaml"
expect_rc 1 "baseline non-convergence"
expect_in "$T/err" "the baseline could not be built" "baseline non-convergence message"
expect_empty "$T/out" "baseline non-convergence prints no results"

# Caliendo & Parro (2015), Table 2: Mexico +1.31%, Canada -0.06%, USA +0.08%
if [ -d "$SRC/data/cp1993/balanced" ]; then
    run solve -q --data "$SRC/data/cp1993" "$SRC/scenarios/cp2015-nafta.yaml" --format json
    expect_rc 0 "cp2015-nafta"
    json_check '{c["code"]: round(c["cp_welfare_pct"], 2) for c in d["countries"] if c["code"] in ("CAN","MEX","USA")} == {"CAN": -0.06, "MEX": 1.31, "USA": 0.08}' "Caliendo-Parro Table 2"
    json_check 'd["baseline"]["balanced"] and d["tradewar"]["options"]["deficits"] == "balanced"' "cp2015 balanced baseline"
else
    echo "note: data/cp1993 missing, Table 2 check skipped"
fi
finish
