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
expect_in "$T/out" "iteration limit" "non-convergence shown"
run gravity --help
expect_rc 0 "help"
finish
