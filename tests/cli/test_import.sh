# test_import.sh - `tradewar import icio` and `tradewar tariffs aggregate` on fixture tables in
# the exact ICIO layout (tests/icio_fixture.py): independent aggregation, both editions, the
# CN1/CN2 split, maps, inventories, elasticities, provenance, every CLI error, coverage report.
source "$(dirname "$0")/lib.sh" "$@"
FIX="python3 $SRC/tests/icio_fixture.py"

# 2023 edition, China and Mexico split, one zero-output industry
$FIX table "$T/ICIO2023_2019.csv" --edition 2023 --economies USA,CHN,MEX,DEU,VNM --split \
    --zero DEU:B05_06 --seed 11 || fail "fixture 2023"
run import icio "$T/ICIO2023_2019.csv" --output "$T/ds"
expect_rc 0 "import icio 2023"
expect_in "$T/err" "5 regions, 45 sectors (edition 2023, 1 zero-output cells)" "summary"
$FIX aggregate "$T/ICIO2023_2019.csv" "$T/exp" >/dev/null || fail "independent aggregation"
$FIX compare "$T/ds" "$T/exp" >"$T/cmp" 2>&1 || fail "2023 import differs from the independent aggregation: $(head -5 "$T/cmp")"
m="$T/ds/manifest.yaml"
expect_in "$m" 'currency_unit: "millions of US dollars"' "manifest unit"
expect_in "$m" 'source_file: "ICIO2023_2019.csv"' "manifest file"
expect_in "$m" "source_sha256: \"$(sha256sum "$T/ICIO2023_2019.csv" | cut -c1-64)\"" "manifest checksum"
expect_in "$m" 'edition: "2023"' "manifest edition"
expect_in "$m" 'year: "2019"' "manifest year"
expect_in "$m" 'tradewar_version: "' "manifest version"
expect_in "$m" 'inventories: "keep"' "manifest inventories"
expect_in "$m" '{code: "A01_02", name: "A01_02", industries: "A01_02"}' "sector industries"
expect_in "$m" '{code: "CHN", name: "CHN"}' "CN1/CN2 merged into CHN"
run info -q --data "$T/ds"
expect_rc 0 "every command reads the imported data set"
expect_in "$T/out" "Valid: yes" "imported data set valid"

# 2021 edition, maps, year flag, inventories dropped, elasticities by name
$FIX table "$T/t2021.csv" --edition 2021 --economies USA,CHN,CAN,FRA,DEU --seed 5 || fail "fixture 2021"
printf 'economy,region\nUSA,USA\nCHN,CHN\nCAN,NAM\nFRA,EU\nDEU,EU\n' >"$T/regions.csv"
{ echo "industry,sector"; python3 - "$SRC" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1] + "/tests")
import icio_fixture as f
for k, i in enumerate(f.IND["2021"]):
    print("%s,%s" % (i, "goods" if k < 22 else "services"))
EOF
} >"$T/sectors.csv"
run import icio "$T/t2021.csv" --output "$T/ds21" --regions "$T/regions.csv" --sectors "$T/sectors.csv" \
    --year 2018 --inventories drop --elasticities cp2015
expect_rc 0 "import icio 2021 with maps"
expect_in "$T/ds21/manifest.yaml" 'edition: "2021"' "2021 edition detected"
expect_in "$T/ds21/manifest.yaml" 'year: "2018"' "--year"
expect_in "$T/ds21/manifest.yaml" 'regions_map: "regions.csv"' "manifest map"
expect_in "$T/ds21/manifest.yaml" "regions_map_sha256: \"$(sha256sum "$T/regions.csv" | cut -c1-64)\"" "map checksum"
expect_in "$T/ds21/manifest.yaml" "sectors_map_sha256: \"$(sha256sum "$T/sectors.csv" | cut -c1-64)\"" "sector map checksum"
expect_in "$T/ds21/manifest.yaml" 'elasticities: "cp2015"' "manifest elasticities"
$FIX aggregate "$T/t2021.csv" "$T/exp21" --regions "$T/regions.csv" --sectors "$T/sectors.csv" \
    --drop-inventories >/dev/null || fail "independent aggregation 2021"
$FIX compare "$T/ds21" "$T/exp21" >"$T/cmp" 2>&1 || fail "2021 import differs: $(head -5 "$T/cmp")"
# cp2015 on goods = the mean of CP's 22 goods industries' theta, services 8.22
python3 - "$T/ds21/elasticities.csv" "$SRC/data/elasticities/cp2015/elasticities.csv" <<'EOF' || fail "cp2015 mapped to merged sectors"
import csv, sys
got = {r["sector"]: float(r["theta"]) for r in csv.DictReader(open(sys.argv[1]))}
cp = [float(r["theta"]) for r in csv.DictReader(open(sys.argv[2]))]
assert abs(got["goods"] - sum(cp[:22]) / 22) < 1e-12, got
assert abs(got["services"] - 8.22) < 1e-12, got
EOF

# 2025 edition (50 industries): detected; a set keyed by the 45 reaches the split industries
$FIX table "$T/ICIO2025_2022.csv" --edition 2025 --economies USA,CHN,KOR --seed 8 || fail "fixture 2025"
run import icio "$T/ICIO2025_2022.csv" --output "$T/ds25" --elasticities cp2015 -q
expect_rc 0 "import icio 2025"
expect_in "$T/ds25/manifest.yaml" 'edition: "2025"' "2025 edition detected"
expect_in "$T/ds25/elasticities.csv" "A02,9.1099999999999994" "A02 takes A01_02's theta"
expect_in "$T/ds25/elasticities.csv" "C302T309,8.2200000000000006" "C302T309 takes C30's theta"

# the bundled trade-war map: every 2023 economy once
$FIX table "$T/full.csv" --edition 2023 --full --industries 2 --seed 3 || fail "fixture full economies"
run import icio "$T/full.csv" --output "$T/dsfull" --regions "$SRC/data/maps/icio-tradewar.csv" -q
expect_rc 0 "import with data/maps/icio-tradewar.csv"
python3 - "$T/dsfull/manifest.yaml" <<'EOF' || fail "trade-war regions"
import re, sys
codes = re.findall(r'- \{code: "([A-Z]+)"', open(sys.argv[1]).read())
assert codes[:0] == [] and sorted(codes) == sorted("USA CHN CAN MEX VNM KOR TWN JPN IND BRA EU ROW".split()), codes
EOF

# a negative flow (inventories) is an error naming the cell, unless inventories are dropped
$FIX table "$T/neg.csv" --economies USA,CHN --negative-inventory CHN:C26 --seed 4 || fail "fixture neg"
run import icio "$T/neg.csv" --output "$T/dsneg"
expect_rc 3 "negative flow"
expect_in "$T/err" "flow CHN -> " "negative flow names the cell"
expect_in "$T/err" "sector C26 is negative" "negative flow names the sector"
expect_in "$T/err" "try --inventories drop" "negative flow hint"
[ ! -e "$T/dsneg/manifest.yaml" ] || fail "no data set after an error"
run import icio "$T/neg.csv" --output "$T/dsneg" --inventories drop -q
expect_rc 0 "negative inventories dropped"

# usage and input errors
run import
expect_rc 2 "import without a source"
run import nosuch x
expect_rc 2 "unknown source"
expect_in "$T/err" "no source 'nosuch' (icio, gravity)" "unknown source message"
run import icio "$T/t2021.csv"
expect_rc 2 "no --output"
expect_in "$T/err" "--output DIR is required" "no --output message"
run import icio --output "$T/x"
expect_rc 2 "no file"
run import icio "$T/t2021.csv" --output "$T/x" --inventories maybe
expect_rc 2 "bad --inventories"
expect_in "$T/err" "--inventories 'maybe': expected keep or drop" "bad --inventories message"
run import icio "$T/t2021.csv" --output "$T/x" --year 20x8
expect_rc 2 "bad --year"
run import icio "$T/t2021.csv" --output "$T/x" --bogus
expect_rc 2 "unknown option"
run import icio "$T/nowhere.csv" --output "$T/x"
expect_rc 4 "missing file"
run import icio "$T/t2021.csv" --output "$T/x" --elasticities nosuchset
expect_rc 3 "unknown elasticity set"
expect_in "$T/err" "available: cp2015, ll2023, ossa2014" "set list"
printf 'economy,region\nUSA,USA\n' >"$T/short.csv"
run import icio "$T/t2021.csv" --output "$T/x" --regions "$T/short.csv"
expect_rc 3 "economy missing from the map"
expect_in "$T/err" "economy 'CHN' of" "missing economy named"
printf 'exporter,importer,sector,rate\nUSA,USA,goods,0.1\n' >"$T/tar.csv"
run import icio "$T/t2021.csv" --output "$T/x" --regions "$T/regions.csv" --sectors "$T/sectors.csv" --tariffs "$T/tar.csv"
expect_rc 3 "tariff on itself"
expect_in "$T/err" "tar.csv:2: tariff 0.10000000000000001 of USA on itself" "tariff message"
[ ! -e "$T/x/manifest.yaml" ] || fail "no data set after errors"
run import icio --help
expect_rc 0 "import icio --help"
expect_in "$T/out" "--inventories" "help text"

# tariffs aggregate: trade-weighted, coverage, unmapped codes
cat >"$T/lines.csv" <<'EOF'
importer,exporter,code,rate
USA,CHN,01011000,0.10
USA,CHN,01012000,0.30
USA,CHN,85171300,0.25
USA,CHN,99999999,0.50
CHN,USA,01011000,0.05
EOF
cat >"$T/conc.csv" <<'EOF'
code,sector,share
01011000,goods,1
01012000,goods,1
85171300,goods,1
02000000,goods,1
EOF
cat >"$T/trade.csv" <<'EOF'
importer,exporter,code,value
USA,CHN,01011000,300
USA,CHN,01012000,100
USA,CHN,85171300,0
USA,CHN,02000000,400
USA,CHN,99999999,50
CHN,USA,01011000,10
EOF
run tariffs aggregate --lines "$T/lines.csv" --concordance "$T/conc.csv" --weights "$T/trade.csv" \
    --output "$T/tariffs.csv" --coverage "$T/coverage.csv"
expect_rc 0 "tariffs aggregate"
expect_in "$T/tariffs.csv" "CHN,USA,goods,0.14999999999999999" "weighted rate (300*.1+100*.3)/400"
expect_in "$T/tariffs.csv" "USA,CHN,goods,0.050000000000000003" "the other direction"
expect_in "$T/coverage.csv" "USA,CHN,goods,0.14999999999999999,3,400,800,0.5" "coverage half the trade"
expect_in "$T/coverage.csv" "# unmapped,99999999,1,50" "unmapped code and its trade"
expect_in "$T/err" "unmapped 99999999: 1 line, trade 50" "unmapped on stderr"
run tariffs aggregate --lines "$T/lines.csv" --concordance "$T/conc.csv" --output "$T/simple.csv" -q
expect_rc 0 "simple average"
expect_in "$T/simple.csv" "CHN,USA,goods,0.21666666666666667" "simple mean of .1 .3 .25"
run tariffs aggregate --lines "$T/lines.csv" --output "$T/x.csv"
expect_rc 2 "tariffs aggregate without --concordance"
run tariffs nothing
expect_rc 2 "tariffs unknown subcommand"
printf 'code,sector\n01011000,goods\n' >"$T/conc2.csv"
printf 'importer,exporter,code,rate\nUSA,CHN,01011000,abc\n' >"$T/badlines.csv"
run tariffs aggregate --lines "$T/badlines.csv" --concordance "$T/conc2.csv" --output "$T/x.csv"
expect_rc 3 "bad rate"
expect_in "$T/err" "badlines.csv:2" "bad rate names file and line"
[ ! -e "$T/x.csv" ] || fail "no output after an error"

# the aggregated tariffs feed an import
printf 'code,sector\n01011000,goods\n01012000,goods\n' >"$T/conc3.csv"
printf 'importer,exporter,code,rate\nUSA,CHN,01011000,0.1\nUSA,CHN,01012000,0.2\n' >"$T/l3.csv"
run tariffs aggregate --lines "$T/l3.csv" --concordance "$T/conc3.csv" --output "$T/t3.csv" -q
expect_rc 0 "tariffs for the import"
run import icio "$T/t2021.csv" --output "$T/ds3" --regions "$T/regions.csv" --sectors "$T/sectors.csv" \
    --tariffs "$T/t3.csv" --elasticities ll2023 -q
expect_rc 0 "import with tariffs"
expect_in "$T/ds3/tariffs.csv" "CHN,USA,goods,0.15" "tariff in the data set"
finish
