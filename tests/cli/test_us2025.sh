# test_us2025.sh - the 2025 US tariffs on the bundled data (scenarios/us-2025):
# the file is what its generator writes, every stage is dated, in order and
# sourced, the timeline runs, and the signs that the economics requires hold.
source "$(dirname "$0")/lib.sh" "$@"
export LSAN_OPTIONS="suppressions=$SRC/tests/cli/lsan-plplot.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
Y=$SRC/scenarios/us-2025/tariffs-2025.yaml

# 1. Regenerating the scenario from scripts/us2025_scenario.py changes nothing
#    (the YAML is not edited by hand out of step with its documented weights).
python3 "$SRC/scripts/us2025_scenario.py" -q --output "$T/gen.yaml" \
    || fail "the generator failed"
cmp -s "$T/gen.yaml" "$Y" || fail "regenerated tariffs-2025.yaml differs from the committed one"

# 2. Every stage has an ISO date, the dates never go back, and every stage
#    names a public source (an executive order, a proclamation, an official
#    announcement or statement, or the 2018-20 scenario it sums) in its comments.
python3 - "$Y" <<'PY' || fail "stages not dated, ordered and sourced"
import re, sys
text = open(sys.argv[1]).read()
stages = text.split('\n  - name: ')[1:]
assert len(stages) >= 15, len(stages)
dates = []
for st in stages:
    m = re.search(r'^    date: "(\d{4}-\d{2}-\d{2})"$', st, re.M)
    assert m, st[:60]
    dates.append(m.group(1))
    comments = ' '.join(l for l in st.splitlines() if l.strip().startswith('#'))
    assert re.search(r'EO \d{5}|EO of|Proclamation \d{4,5}|announcement|Statement|notice|waves-both', comments), st[:60]
assert dates == sorted(dates), dates
assert dates[0] < '2025-02-01' and dates[-1] >= '2025-11-01', dates
PY

# 2b. The stages add up to the November 2025 rates the orders give, in sectors
#     that no exemption or partial coverage touches (textiles, agriculture):
#     China 10% fentanyl + 10% reciprocal; India 25% + 25%; Brazil 10% + 40%;
#     the EU 15% all-in (15% minus the data's 2017 US tariff on EU textiles);
#     China's answer 10% on US farm goods (the March list ended). Summed
#     independently of the generator, from the YAML rules of stages 2 onwards.
python3 - "$Y" "$SRC/data/us-china-2017/tariff_prewar2017.csv" <<'PY' || fail "the stages do not add up to the November rates"
import csv, re, sys
stages = open(sys.argv[1]).read().split('\n  - name: ')[2:]
add = {}
for st in stages:
    for m in re.finditer(r'importer: (\w+), exporter: (\w+), sectors: (\w+), add: (-?[0-9.]+)\}', st):
        k = m.group(1, 2, 3)
        add[k] = add.get(k, 0.0) + float(m.group(4))
mfn = {}
with open(sys.argv[2], encoding='utf-8-sig') as f:
    for r in csv.DictReader(f):
        mfn[(r['iso_d'], r['iso_o'], int(r['indcode']))] = float(r['AHS_simple'])
want = {('USA', 'CHN', 'textiles'): 0.20, ('USA', 'IND', 'textiles'): 0.50,
        ('USA', 'BRA', 'textiles'): 0.50, ('USA', 'EU', 'textiles'): 0.15 - mfn[('USA', 'EU', 7)],
        ('CHN', 'USA', 'agriculture'): 0.10, ('USA', 'JPN', 'textiles'): 0.15 - mfn[('USA', 'JPN', 7)]}
bad = [(k, add.get(k), v) for k, v in want.items() if abs(add.get(k, 0.0) - v) > 2e-6]
if bad: print(bad)
sys.exit(1 if bad else 0)
PY

# 3. The timeline runs and converges at every stage.
run timeline "$Y" --format json
expect_rc 0 "timeline"
cp "$T/out" "$T/timeline.json"
json_check 'len(d["stages"]) >= 15 and all(s["solver"]["converged"] for s in d["stages"])' \
    "every stage converged"

# 4. Signs and identities (K = the stage named; flows are before tariffs):
#  - the 10% baseline of April 5 raises US tariff revenue;
#  - US-China trade (both ways) is lowest at 125%/145% of all the stages, and
#    higher after the Geneva truce than before it;
#  - November's cuts (US fentanyl duty, China's farm tariffs) raise both flows;
#  - India's extra 25% of August 27 lowers India's welfare; the April pause
#    (country rates back to 10%) raises the EU's and Japan's;
#  - the Geneva truce raises China's welfare.
python3 - "$T/timeline.json" <<'PY' || fail "signs of the 2025 stages"
import json, sys
d = json.load(open(sys.argv[1]))
S = d["stages"]
def k(prefix):
    i = [j for j, s in enumerate(S) if s["stage"].startswith(prefix)]
    assert len(i) == 1, (prefix, i)
    return i[0]
def flow(s, e, i):
    return [t["flow"] for t in s["trade"] if t["exporter"] == e and t["importer"] == i][0]
def both(s):
    return flow(s, "USA", "CHN") + flow(s, "CHN", "USA")
bad = []
a = k("US: 10% reciprocal baseline")
if not S[a]["tariff_revenue"]["USA"] > S[a - 1]["tariff_revenue"]["USA"]:
    bad.append("US revenue does not rise with the April 5 baseline")
w = k("China answers: 125%")
if min(range(len(S)), key=lambda j: both(S[j])) != w:
    bad.append("US-China trade is not lowest at 125%/145%")
g = k("Geneva truce")
if not both(S[g]) > both(S[g - 1]):
    bad.append("US-China trade does not recover after Geneva")
if not S[g]["welfare_pct"]["CHN"] > S[g - 1]["welfare_pct"]["CHN"]:
    bad.append("Geneva does not raise China's welfare")
n = k("US-China arrangement")
if not (flow(S[n], "USA", "CHN") > flow(S[n - 1], "USA", "CHN")
        and flow(S[n], "CHN", "USA") > flow(S[n - 1], "CHN", "USA")):
    bad.append("November's cuts do not raise both flows")
i = k("US: India +25%")
if not S[i]["welfare_pct"]["IND"] < S[i - 1]["welfare_pct"]["IND"]:
    bad.append("India's extra 25% does not lower India's welfare")
p = k("US: 90-day pause")
for c in ("EU", "JPN"):
    if not S[p]["welfare_pct"][c] > S[p - 1]["welfare_pct"][c]:
        bad.append("the pause does not raise %s's welfare" % c)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

# 5. The timeline's cumulative stage is the policy `solve --stage` builds: the
#    final stage solved from the base alone gives the same welfare (1e-6).
run solve "$Y" --format json
expect_rc 0 "solve the last stage"
python3 - "$T/out" "$T/timeline.json" <<'PY' || fail "solve and timeline disagree on the last stage"
import json, sys
s = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
last = t["stages"][-1]["welfare_pct"]
got = {c["code"]: c["welfare_pct"] for c in s["countries"]}
sys.exit(0 if all(abs(got[c] - last[c]) < 1e-6 for c in last) else 1)
PY
finish
