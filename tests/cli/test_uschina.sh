# test_uschina.sh - the US-China trade war on the bundled data: the generated
# tariff-wave scenarios, their wave-5 comparison, the README's first answer
# (`tradewar report`), the timeline, and the signs theory predicts.
source "$(dirname "$0")/lib.sh" "$@"
# the chart libraries keep memory after plend(): not ours (see the file)
export LSAN_OPTIONS="suppressions=$SRC/tests/cli/lsan-plplot.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
U=$SRC/scenarios/us-china

# 1. Regenerating the scenarios from the committed CSVs changes nothing.
run -q waves --tariffs "$SRC/data/us-china-tariffs" --data "$SRC/data/us-china-2017" --output "$T/gen"
expect_rc 0 "waves"
for f in waves-us.yaml waves-china.yaml waves-both.yaml list3-25.yaml subsidies.yaml \
         subsidies-introduced.yaml wave5-comparison.csv; do
    cmp -s "$T/gen/$f" "$U/$f" || fail "regenerated $f differs from scenarios/us-china/$f"
done
[ -z "$(ls -A "$T/gen" | grep '^\.')" ] || fail "waves left temporary files"

# scenarios/us-china-list3-25.yaml holds the rules of stage us-list3-25
python3 - "$U/waves-us.yaml" "$SRC/scenarios/us-china-list3-25.yaml" <<'PY' || fail "us-china-list3-25.yaml differs from stage us-list3-25"
import sys
stage = open(sys.argv[1]).read().split('# us-list3-25, series month')[1].split('  - name:')[0]
want = [l.strip() for l in stage.splitlines() if l.strip().startswith('- tariff')]
got = [l.strip() for l in open(sys.argv[2]) if l.strip().startswith('- tariff')]
sys.exit(0 if want == got and want else 1)
PY

# 2. The end state is within 10 points of the wave-5 files, except the gaps
#    docs/us-china.md explains (trade-weighted vs simple averages, unmapped 213, pharma in 325).
python3 - "$U/wave5-comparison.csv" <<'PY' || fail "wave-5 tolerance"
import csv, sys
rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith('#')))
assert len(rows) == 44
explained = {('US_on_CHN', s) for s in ['mining_nonenergy', 'mining_support', 'textiles', 'paper',
             'pharma', 'minerals', 'other_manufacturing']} | \
            {('CHN_on_US', s) for s in ['agriculture', 'fishing', 'mining_support', 'wood',
             'petroleum', 'basic_metals']}
big = {(r['side'], r['sector']) for r in rows if abs(float(r['gap_feb2020'])) > 0.10}
if big != explained:
    print('unexplained:', sorted(big - explained), 'now within:', sorted(explained - big))
    sys.exit(1)
PY

# 3. Bad inputs name the file.
mkdir -p "$T/bad"
cp "$SRC"/data/us-china-tariffs/*.csv "$T/bad/"
sed -i 's/^334,computers,1/334,computerz,1/' "$T/bad/naics3_to_sector.csv"
run -q waves --tariffs "$T/bad" --output "$T/gen2"
expect_rc 3 "waves: unknown sector"
expect_in "$T/err" "naics3_to_sector.csv:" "waves: message names the file"
[ ! -e "$T/gen2/waves-us.yaml" ] || fail "waves wrote files after an error"

# 4. The first answer: the README's command, with the output in a temporary directory.
run report -q "$U/list3-25.yaml" --output "$T/res/list3"
expect_rc 0 "report"
expect_in "$T/out" "List 3 at 25%, no retaliation" "report: first comparison"
expect_in "$T/out" "List 3 at 25% and China's retaliation" "report: second comparison"
expect_in "$T/out" "How much it hinges on elasticities" "report: sensitivity table"
for f in countries.csv sectors.csv trade.csv sensitivity.csv report.json welfare.png welfare.svg \
         sectors-1.png sectors-1.svg sectors-2.png sectors-2.svg; do
    [ -s "$T/res/list3/$f" ] || fail "report: $f missing"
done
head -c 8 "$T/res/list3/welfare.png" | od -An -c | grep -q 'P   N   G' || fail "welfare.png is a PNG"
grep -q '<svg' "$T/res/list3/welfare.svg" || fail "welfare.svg is SVG"
sed -n 2p "$T/res/list3/countries.csv" | grep -q '^stage,code,name,welfare_pct,ev,real_wage_pct' || fail "countries.csv header"
cp "$T/res/list3/report.json" "$T/out"
json_check 'd["tradewar"]["command"] == "report" and len(d["comparisons"]) == 2' "report.json header"
json_check 'all({"code","welfare_pct","ev","real_wage_pct","tariff_revenue_base","tariff_revenue"} <= set(c) for k in d["comparisons"] for c in k["countries"])' "country fields"
json_check 'all(len(k["countries"]) == 7 and len(k["top_sectors"]["USA"]) == 5 and len(k["top_sectors"]["CHN"]) == 5 for k in d["comparisons"])' "top sectors"
json_check '[v["variant"] for v in d["comparisons"][0]["sensitivity"]][:4] == ["central","psi0","theta_x0.5","theta_x1.5"]' "sensitivity variants"
json_check 'all(v["converged"] for k in d["comparisons"] for v in k["sensitivity"])' "sensitivity converged"
# signs: the higher US tariff raises US tariff revenue and lowers Chinese exports to the US
json_check '[c for c in d["comparisons"][0]["countries"] if c["code"]=="USA"][0]["tariff_revenue"] > [c for c in d["comparisons"][0]["countries"] if c["code"]=="USA"][0]["tariff_revenue_base"]' "US tariff revenue rises"
json_check '[t for t in d["comparisons"][0]["trade"] if t["exporter"]=="CHN"][0]["change_pct"] < 0' "Chinese exports to the US fall"
# retaliation lowers US exports to China (relative to no retaliation) and China loses
json_check '[t for t in d["comparisons"][1]["trade"] if t["exporter"]=="USA"][0]["flow"] < [t for t in d["comparisons"][0]["trade"] if t["exporter"]=="USA"][0]["flow"]' "retaliation lowers US exports to China"
json_check 'all([c for c in k["countries"] if c["code"]=="CHN"][0]["welfare_pct"] < 0 for k in d["comparisons"])' "China loses"
[ -z "$(ls -A "$T/res/list3" | grep '^\.')" ] || fail "report left temporary files"

# 5. A stage with no policy change leaves everything unchanged.
run report -q "$SRC/tests/data/scenarios/uschina-unchanged-stage.yaml" --format json --charts none
expect_rc 0 "unchanged stage"
json_check 'all(abs(v) < 1e-8 for s in d["comparisons"][0]["sensitivity"] for v in s["welfare_pct"].values())' "unchanged: welfare 0 under every variant"
json_check 'all(abs(t["change_pct"]) < 1e-8 for t in d["comparisons"][0]["trade"])' "unchanged: trade"
json_check 'all(abs(s["output_pct"]) < 1e-8 for l in d["comparisons"][0]["top_sectors"].values() for s in l)' "unchanged: output"

# 6. The timeline of the US waves: one row per stage, US revenue rising with the tariffs.
run timeline -q "$U/waves-us.yaml" --output "$T/tl"
expect_rc 0 "timeline"
for f in timeline.csv timeline.json welfare.png welfare.svg trade.png trade.svg revenue.png revenue.svg; do
    [ -s "$T/tl/$f" ] || fail "timeline: $f missing"
done
[ "$(grep -vc '^#' "$T/tl/timeline.csv")" -eq 8 ] || fail "timeline.csv: header, base and 6 stages"
cp "$T/tl/timeline.json" "$T/out"
json_check 'len(d["stages"]) == 6 and d["stages"][-1]["date"] == "2020-02-14"' "timeline stages"
json_check 'd["stages"][3]["tariff_revenue"]["USA"] > d["stages"][2]["tariff_revenue"]["USA"] > d["tariff_revenue_base"]["USA"]' "US revenue rises with List 3"

# 7. Usage errors.
run report
expect_rc 2 "report without a scenario"
run report "$U/list3-25.yaml" --from 3
expect_rc 2 "report from the last stage"
run report "$U/list3-25.yaml" --focus USA,XXX
expect_rc 3 "report with an unknown focus economy"
finish
