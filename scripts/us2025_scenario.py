#!/usr/bin/env python3
"""Write scenarios/us-2025/tariffs-2025.yaml: the US tariff actions of 2025 and
the partners' answers as dated, cumulative stages on data/us-china-2017.

    python3 scripts/us2025_scenario.py [--output FILE] [-q]

(default output: the committed file; tests/cli/test_us2025.sh checks that
regenerating it changes nothing).

Every rate below carries its public source; every weight or coverage share is
either measured from the project's data (said so) or a stated assumption.
docs/us-2025.md explains the choices and their limits. The script keeps,
for every instrument (a US order or a partner's answer), its rate per partner
after each stage, and each stage's rules add the change of the sum of
rate x coverage over instruments, so that the stages are cumulative as
tradewar applies them.
"""
import csv
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data", "us-china-2017")
OUT = os.path.join(ROOT, "scenarios", "us-2025", "tariffs-2025.yaml")

SECTORS = ["agriculture", "fishing", "mining_energy", "mining_nonenergy",
           "mining_support", "food", "textiles", "wood", "paper", "petroleum",
           "chemicals", "pharma", "rubber_plastics", "minerals", "basic_metals",
           "fabricated_metals", "computers", "electrical", "machinery",
           "motor_vehicles", "other_transport", "other_manufacturing"]
PARTNERS = ["BRA", "CHN", "EU", "IND", "JPN", "ROW"]


def cov(default=1.0, **kw):
    """Coverage share per goods sector: default, with named exceptions."""
    c = {s: default for s in SECTORS}
    for k, v in kw.items():
        assert k in c, k
        c[k] = v
    return c


# ---------------------------------------------------------------- coverage
# Section 232 steel and aluminium inside basic_metals (ICIO C24 = NAICS 331).
# Assumption: steel mill products about $29 bn and aluminium about $17 bn of
# 2017 US imports (the orders of magnitude in Commerce's 2018 Section 232
# reports), against the $85 bn of basic_metals imports in the data.
S_STEEL, S_ALU = 0.34, 0.20
# Section 232 autos (Proclamation 10908): passenger vehicles, light trucks and
# the listed parts. Assumption: 90% of motor_vehicles (ICIO C29) imports from
# partners outside USMCA; 50% for ROW, where Canada and Mexico pay only on the
# non-US content of USMCA vehicles and not on USMCA parts.
C_AUTO = {"BRA": 0.9, "CHN": 0.9, "EU": 0.9, "IND": 0.9, "JPN": 0.9, "ROW": 0.5}

# The reciprocal (IEEPA) tariffs' reach, EO 14257 Annex II and sec. 3(b):
# energy (mining_energy, petroleum) and pharmaceuticals exempt; semiconductors
# exempt and, from the 2025-04-11 CBP "clarification of exceptions",
# computers and smartphones (HTS 8471, 8517.13): assumption 70% of
# computers (C26) exempt; Section 232 goods do not stack (EO 14257 sec. 3(b)):
# basic_metals keeps 1 - steel - aluminium - copper/bullion (Annex II) = 0.2
# (assumption), motor_vehicles 1 - 0.9 = 0.1; critical minerals in Annex II:
# assumption 50% of mining_nonenergy exempt.
RECIP = cov(mining_energy=0.0, petroleum=0.0, pharma=0.0, computers=0.3,
            basic_metals=0.2, motor_vehicles=0.1, mining_nonenergy=0.5)
ALL = cov()
# Brazil's additional 40% (EO 14323, 2025-07-30): Annex I exempts civil
# aircraft, energy, orange juice, wood pulp, fertilisers, pig iron, silicon
# metal and ferroalloys; 232 goods exempt. Shares are assumptions.
BRA40 = cov(mining_energy=0.0, petroleum=0.0, other_transport=0.0,
            basic_metals=0.0, paper=0.3, food=0.7, chemicals=0.5,
            mining_nonenergy=0.5, motor_vehicles=0.1)

# ---------------------------------------------------------------- ROW weights
# 2017 US goods imports by country, $ bn (US Census Bureau, "U.S. imports by
# country", 2017, rounded; entered by hand, not re-checked against the Census
# table in this repository, which holds no country split). ROW is the world
# minus BRA CHN EU IND JPN; the EU of the data is taken as EU27 (the UK is
# counted in ROW: both face 10%).
ROW_IMP = {"MEX": 314.0, "CAN": 299.3, "KOR": 71.2, "GBR": 53.1, "VNM": 46.5,
           "TWN": 42.5, "MYS": 37.4, "CHE": 36.0, "THA": 31.0, "ISR": 22.0,
           "IDN": 20.2, "SGP": 19.1, "SAU": 18.7, "RUS": 17.0, "PHL": 12.0,
           "AUS": 10.2}
ROW_TOTAL = 1241.1   # 2342.9 total - CHN 505.5 - EU27 381.8 - JPN 136.5 - IND 48.6 - BRA 29.4
ROW_IMP["rest"] = ROW_TOTAL - sum(ROW_IMP.values())
CAMX = ("CAN", "MEX")
# Shares of imports from Canada and Mexico NOT entering under USMCA in 2025
# (and so paying the IEEPA "border" tariffs): about 12% for Canada (Bank of
# Canada: nearly 90% entered tariff-free in April 2025) and 16% for Mexico
# (Secretary Ebrard: over 84% avoids tariffs), as reported July-Aug 2025.
NON_USMCA = {"CAN": 0.12, "MEX": 0.16}

# Reciprocal rates for ROW members: EO 14257 Annex I (2025-04-02, in force
# 2025-04-09 for a day) and EO 14326 Annex I (2025-07-31, from 2025-08-07).
# Canada, Mexico and Russia are outside the reciprocal tariffs; "rest" is
# taken at the 10% default (understates: several small exporters were
# listed higher).
ROW_APR9 = {"KOR": .25, "GBR": .10, "VNM": .46, "TWN": .32, "MYS": .24,
            "CHE": .31, "THA": .36, "ISR": .17, "IDN": .32, "SGP": .10,
            "SAU": .10, "RUS": 0.0, "PHL": .17, "AUS": .10, "rest": .10}
ROW_AUG7 = {"KOR": .15, "GBR": .10, "VNM": .20, "TWN": .20, "MYS": .19,
            "CHE": .39, "THA": .19, "ISR": .15, "IDN": .19, "SGP": .10,
            "SAU": .10, "RUS": 0.0, "PHL": .19, "AUS": .10, "rest": .10}
ROW_BASE = {k: (0.0 if k == "RUS" else .10) for k in ROW_APR9}


def row_avg(rates):
    """Import-weighted ROW average of a rate given for non-USMCA members."""
    return sum(ROW_IMP[k] * rates[k] for k in rates) / ROW_TOTAL


def row_border(can, mex):
    """ROW average of the Canada/Mexico IEEPA tariff on non-USMCA goods."""
    return (ROW_IMP["CAN"] * can * NON_USMCA["CAN"]
            + ROW_IMP["MEX"] * mex * NON_USMCA["MEX"]) / ROW_TOTAL


# ---------------------------------------------------------------- data
def read_base():
    tar, flow = {}, {}
    with open(os.path.join(DATA, "tariff_prewar2017.csv"), encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            tar[(r["iso_o"], r["iso_d"], int(r["indcode"]))] = float(r["AHS_simple"])
    with open(os.path.join(DATA, "TradeFlow2017.csv"), encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            flow[(r["iso_o"], r["iso_d"], int(r["indcode"]))] = float(r["tradevalue"])
    return tar, flow


def war_2018_20():
    """Cumulative adds of scenarios/us-china/waves-both.yaml (all stages)."""
    path = os.path.join(ROOT, "scenarios", "us-china", "waves-both.yaml")
    pat = re.compile(r"tariff: \{importer: (\w+), exporter: (\w+), sectors: (\w+), add: (-?[0-9.]+)\}")
    acc = {}
    with open(path) as f:
        for line in f:
            m = pat.search(line)
            if m:
                k = (m.group(1), m.group(2), m.group(3))
                acc[k] = acc.get(k, 0.0) + float(m.group(4))
    return acc


# ---------------------------------------------------------------- instruments
# state[(importer, exporter, instrument)] = (rate, coverage dict, source)
class Book:
    def __init__(self):
        self.inst = {}

    def set(self, imp, exp, name, rate, coverage, source):
        self.inst[(imp, exp, name)] = (rate, coverage, source)

    def levels(self):
        lv = {}
        for (imp, exp, name), (rate, c, src) in self.inst.items():
            for s in SECTORS:
                lv[(imp, exp, s)] = lv.get((imp, exp, s), 0.0) + rate * c[s]
        return lv


def fmt(x):
    return ("%.6f" % x).rstrip("0").rstrip(".") if abs(x) >= 1e-6 else "0"


def main():
    global OUT
    args = sys.argv[1:]
    quiet = "-q" in args
    if "--output" in args:
        OUT = os.path.abspath(args[args.index("--output") + 1])
    tar, flow = read_base()
    book = Book()
    prev = {}
    out = []
    w = out.append
    w("# The 2025 US tariffs and the partners' answers, as dated cumulative stages")
    w("# GENERATED by scripts/us2025_scenario.py from its documented rates and weights")
    w("# (edit the script, not this file; copy this file to ask another question).")
    w("# Rates are additional tariffs (fractions) added to data/us-china-2017's 2017")
    w("# tariffs. Where an order reaches only part of a model sector, the rule adds")
    w("# rate x coverage; coverage shares and ROW weights are stated in the script and")
    w("# in docs/us-2025.md. Each stage's comments name the public source of its rates.")
    w("#")
    w("#   tradewar timeline scenarios/us-2025/tariffs-2025.yaml")
    w("#   tradewar report   scenarios/us-2025/tariffs-2025.yaml --output out/us2025")
    w("#")
    w("# `report` compares the first stage (January 2025) with each later stage.")
    w('name: "The 2025 US tariffs and the answers"')
    w("description: >-")
    w("  The US tariff actions of February-November 2025 (IEEPA tariffs on China,")
    w("  Canada and Mexico, the reciprocal tariffs, Section 232 on steel, aluminium")
    w("  and cars) and China's answers, from the tariffs in force in January 2025 (the")
    w("  2017 tariffs plus the 2018-20 US-China war and the 2018 steel and aluminium")
    w("  duties on China and India). Other partners did not retaliate in 2025.")
    w("stages:")

    table = []   # (stage, US add on goods imports, by partner, China's add)

    def emit(name, date, comments, only=None):
        lv = book.levels()
        if not table:
            emit.base = dict(lv)
        def avg(imp, exps):
            num = den = 0.0
            for e in exps:
                for i, s in enumerate(SECTORS):
                    f = flow[(e, imp, i + 1)]
                    num += f * (lv.get((imp, e, s), 0.0) - emit.base.get((imp, e, s), 0.0))
                    den += f
            return num / den
        table.append((name, avg("USA", PARTNERS), [avg("USA", [p]) for p in PARTNERS],
                      avg("CHN", ["USA"])))
        rules = []
        keys = sorted(set(lv) | set(prev),
                      key=lambda k: (k[0], k[1], SECTORS.index(k[2])))
        for k in keys:
            d = lv.get(k, 0.0) - prev.get(k, 0.0)
            if abs(d) >= 5e-7:
                rules.append((k, d))
        w('  - name: "%s"' % name)
        w('    date: "%s"' % date)
        for c in comments:
            w("    # " + c)
        if not rules:
            w("    policies: []")
        else:
            w("    policies:")
            for (imp, exp, s), d in rules:
                w("      - tariff: {importer: %s, exporter: %s, sectors: %s, add: %s}"
                  % (imp, exp, s, fmt(d)))
        prev.clear()
        prev.update(lv)

    # ---- stage 0: January 2025
    war = war_2018_20()
    for (imp, exp, s), v in war.items():
        c = cov(0.0)
        c[s] = 1.0
        book.set(imp, exp, "war2018:" + s, v, c, "waves-both")
    for p in ("CHN", "IND"):
        book.set("USA", p, "s232_metals", 1.0,
                 cov(0.0, basic_metals=0.25 * S_STEEL + 0.10 * S_ALU), "")
    emit("Before: January 2025", "2025-01-20", [
        "2017 tariffs + the 2018-20 US-China war: the sum of every stage of",
        "scenarios/us-china/waves-both.yaml (Section 301 Lists 1-4A after the Phase One",
        "cut, China's answers, from data/us-china-tariffs).",
        "Section 232 of 2018 on China and India: steel 25% (Proclamation 9705,",
        "2018-03-08), aluminium 10% (Proclamation 9704, 2018-03-08), on the steel",
        "(0.34) and aluminium (0.20) shares of basic_metals. Partners with 2018-24",
        "exemptions or quotas (EU and Japan TRQs, Brazil's quota, Canada, Mexico,",
        "Korea) are taken as paying nothing; Russia, Turkey, Taiwan, Vietnam paid:",
        "ROW's pre-2025 level is understated. The 2024 Section 301 increases (EVs,",
        "solar cells, semiconductors, batteries) are left out (small in 2017 trade).",
    ])

    # ---- 1: fentanyl 10% on China
    book.set("USA", "CHN", "fentanyl", 0.10, ALL, "")
    emit("US: 10% on China (fentanyl, IEEPA)", "2025-02-04", [
        "EO 14195 'Imposing Duties To Address the Synthetic Opioid Supply Chain in the",
        "PRC', 2025-02-01: +10% on all goods of China from 2025-02-04.",
    ])
    # ---- 2: China's answer, announcement 2025 No. 1
    # mining_energy: 15% on coal and LNG, 10% on crude oil, weighted by China's
    # 2024 imports from the US as reported with the announcement (crude $6.0 bn,
    # LNG $2.4 bn, coal $1.8 bn): (15*4.2 + 10*6.0)/10.2 = 12.06%.
    book.set("CHN", "USA", "cn_feb", 1.0,
             cov(0.0, mining_energy=(0.15 * 4.2 + 0.10 * 6.0) / 10.2,
                 motor_vehicles=0.10 * 0.5), "")
    emit("China answers: coal, LNG, oil, cars", "2025-02-10", [
        "State Council Tariff Commission announcement 2025 No. 1, 2025-02-04, from",
        "2025-02-10: +15% on coal and LNG, +10% on crude oil, agricultural machinery,",
        "large-displacement cars and pickups. mining_energy 12.06% (15% and 10%",
        "weighted by China's 2024 imports from the US: crude $6.0 bn, LNG $2.4 bn, coal",
        "$1.8 bn); motor_vehicles 10% on an assumed half of US vehicle exports to",
        "China; agricultural machinery (a small part of machinery) left out.",
    ])
    # ---- 3: fentanyl 20%
    book.set("USA", "CHN", "fentanyl", 0.20, ALL, "")
    emit("US: 20% on China (fentanyl)", "2025-03-04", [
        "EO 14228 'Further Amendment to Duties Addressing the Synthetic Opioid Supply",
        "Chain in the PRC', 2025-03-03: the 10% becomes 20% from 2025-03-04.",
    ])
    # ---- 4: Canada and Mexico (in ROW)
    border_cov = cov(basic_metals=1 - S_STEEL - S_ALU, motor_vehicles=1 - C_AUTO["ROW"])
    book.set("USA", "ROW", "border", row_border(0.25, 0.25), border_cov, "")
    emit("US: 25% on Canada and Mexico outside USMCA (ROW)", "2025-03-04", [
        "EO 14193 (Canada) and EO 14194 (Mexico), 2025-02-01, in force 2025-03-04:",
        "+25% (Canadian energy and potash 10%, left out); goods qualifying for USMCA",
        "exempt from 2025-03-07 (amending orders of 2025-03-06). ROW average: 25% x",
        "the non-USMCA share (Canada 12%, Mexico 16%, 2025 reports) x Canada's and",
        "Mexico's weight in 2017 US imports from ROW (613 of 1241 $ bn, Census):",
        "%.4f on all goods except 232-covered metals and cars (EO 14289, no stacking)."
        % row_border(0.25, 0.25),
    ])
    # ---- 5: China's answer, announcement 2025 No. 2
    book.set("CHN", "USA", "cn_mar", 1.0,
             cov(0.0, agriculture=0.10, fishing=0.10, food=0.075), "")
    emit("China answers: farm goods", "2025-03-10", [
        "State Council Tariff Commission announcement 2025 No. 2, 2025-03-04, from",
        "2025-03-10: +15% on chicken, wheat, corn, cotton; +10% on sorghum, soybeans,",
        "pork, beef, aquatic products, fruit, vegetables, dairy. agriculture 10%",
        "(soybeans and sorghum at 10% dominate US crop exports to China; corn, wheat,",
        "cotton at 15%; some crops not listed), fishing 10%, food 7.5% (meat and dairy",
        "about 70% of US food exports to China): weights are assumptions.",
    ])
    # ---- 6: 232 steel and aluminium 25%, all countries
    for p in PARTNERS:   # China and India: from their 2018 level (above)
        book.set("USA", p, "s232_metals", 1.0,
                 cov(0.0, basic_metals=0.25 * (S_STEEL + S_ALU)), "")
    emit("US: steel and aluminium 25%, no exemptions", "2025-03-12", [
        "Proclamation 10896 (steel) and 10895 (aluminium), 2025-02-10, from",
        "2025-03-12: 25% on steel and aluminium from all countries (exemptions,",
        "quotas and the EU/Japan TRQs ended; aluminium from 10% to 25%). On the",
        "steel (0.34) and aluminium (0.20) shares of basic_metals (assumption);",
        "the extended derivatives (fabricated_metals etc.) are left out.",
    ])
    # ---- 7: 232 autos 25%
    for p in PARTNERS:
        book.set("USA", p, "s232_autos", 0.25, cov(0.0, motor_vehicles=C_AUTO[p]), "")
    emit("US: cars and parts 25% (Section 232)", "2025-04-03", [
        "Proclamation 10908 'Adjusting Imports of Automobiles and Automobile Parts',",
        "2025-03-26 (FR Doc 2025-05930): 25% on cars from 2025-04-03, on parts from",
        "2025-05-03 (folded into this stage). Coverage of motor_vehicles 0.9, ROW 0.5",
        "(USMCA: non-US content of cars only, USMCA parts exempt) - assumptions.",
    ])
    # ---- 8: reciprocal 10% baseline
    for p in ("BRA", "CHN", "EU", "IND", "JPN"):
        book.set("USA", p, "reciprocal", 0.10, RECIP, "")
    book.set("USA", "ROW", "reciprocal", row_avg(ROW_BASE), RECIP, "")
    emit("US: 10% reciprocal baseline", "2025-04-05", [
        "EO 14257 'Regulating Imports With a Reciprocal Tariff...', 2025-04-02: +10% on",
        "all partners from 2025-04-05 (Canada, Mexico outside; Russia not listed).",
        "Annex II exemptions (energy, pharmaceuticals, semiconductors, certain",
        "minerals, copper, bullion) and 232 goods; from the 2025-04-11 CBP",
        "clarification also computers and smartphones: coverage 0 for mining_energy,",
        "petroleum, pharma; 0.3 computers, 0.2 basic_metals, 0.1 motor_vehicles,",
        "0.5 mining_nonenergy (assumptions). ROW: %.4f = 10%% on the 2017 imports from"
        % row_avg(ROW_BASE),
        "ROW outside Canada, Mexico and Russia (Census weights).",
    ])
    # ---- 9: country rates of April 9
    rates_apr9 = {"BRA": 0.10, "CHN": 0.84, "EU": 0.20, "IND": 0.26, "JPN": 0.24}
    for p, r in rates_apr9.items():
        book.set("USA", p, "reciprocal", r, RECIP, "")
    book.set("USA", "ROW", "reciprocal", row_avg(ROW_APR9), RECIP, "")
    emit("US: 'Liberation Day' country rates (one day)", "2025-04-09", [
        "EO 14257 Annex I, 2025-04-02, in force 2025-04-09: EU 20%, Japan 24%,",
        "India 26%, China 34% raised to 84% by the EO of 2025-04-08 ('Amendment to",
        "Reciprocal Tariffs and Updated Duties as Applied to Low-Value Imports from",
        "the PRC'); Brazil 10%%. ROW %.4f: Annex I rates (Korea 25, Vietnam 46, Taiwan"
        % row_avg(ROW_APR9),
        "32, Switzerland 31, Thailand 36, Malaysia 24, Indonesia 32, Israel 17,",
        "Philippines 17, UK, Singapore, Saudi Arabia, Australia, rest 10) weighted by",
        "2017 US imports (Census). Suspended after one day (next stages).",
    ])
    book.set("CHN", "USA", "cn_recip", 0.84, ALL, "")
    emit("China answers: 84% on all US goods", "2025-04-10", [
        "Tariff Commission announcement 2025 No. 4 (2025-04-04: 34% on all US goods",
        "from 2025-04-10) raised to 84% by announcement No. 5 (2025-04-09) before it",
        "took effect. China's later product exemptions are left out.",
    ])
    # ---- 10: pause
    for p in ("BRA", "EU", "IND", "JPN"):
        book.set("USA", p, "reciprocal", 0.10, RECIP, "")
    book.set("USA", "ROW", "reciprocal", row_avg(ROW_BASE), RECIP, "")
    book.set("USA", "CHN", "reciprocal", 1.25, RECIP, "")
    emit("US: 90-day pause at 10%, China 125% (145% with fentanyl)", "2025-04-10", [
        "EO 14266 'Modifying Reciprocal Tariff Rates To Reflect Trading Partner",
        "Retaliation and Alignment', 2025-04-09 (FR Doc 2025-06462): country rates",
        "suspended to 10% from 2025-04-10; China's reciprocal rate 125%, with the 20%",
        "fentanyl duty 145% (computers, smartphones, semiconductors: 20% only).",
    ])
    book.set("CHN", "USA", "cn_recip", 1.25, ALL, "")
    emit("China answers: 125%", "2025-04-12", [
        "Tariff Commission announcement 2025 No. 6, 2025-04-11: 125% on all US goods",
        "from 2025-04-12.",
    ])
    # ---- 11: Geneva
    book.set("USA", "CHN", "reciprocal", 0.10, RECIP, "")
    book.set("CHN", "USA", "cn_recip", 0.10, ALL, "")
    emit("Geneva truce: US 30% on China, China 10%", "2025-05-14", [
        "Joint Statement on the US-China Economic and Trade Meeting in Geneva,",
        "2025-05-12; EO 14298 'Modifying Reciprocal Tariff Rates To Reflect",
        "Discussions With the PRC', 2025-05-12 (FR Doc 2025-09297): China's rate 34% with 24",
        "points suspended = 10% from 2025-05-14 (30% with fentanyl); China: Tariff",
        "Commission announcement of 2025-05-13, 10% from 2025-05-14. China's",
        "February and March lists stay. Extended 2025-08-11 and 2025-11-04.",
    ])
    # ---- 12: metals 50%
    for p in PARTNERS:
        book.set("USA", p, "s232_metals", 1.0,
                 cov(0.0, basic_metals=0.50 * (S_STEEL + S_ALU)), "")
    emit("US: steel and aluminium 50%", "2025-06-04", [
        "Proclamation 10947 'Adjusting Imports of Aluminum and Steel Into the United",
        "States', 2025-06-03 (FR Doc 2025-10524): 50% from 2025-06-04 (the UK stays at",
        "25%: in ROW, left out).",
    ])
    # ---- 13: August rates
    for p in ("EU", "JPN"):
        # 15% all-in: reciprocal = 15% - MFN where MFN < 15% (data's 2017 tariff)
        c = {s: RECIP[s] * max(0.0, 0.15 - tar[(p, "USA", i + 1)]) for i, s in enumerate(SECTORS)}
        book.set("USA", p, "reciprocal", 1.0, c, "")
    book.set("USA", "IND", "reciprocal", 0.25, RECIP, "")
    book.set("USA", "BRA", "reciprocal", 0.10, RECIP, "")
    book.set("USA", "BRA", "brazil40", 0.40, BRA40, "")
    book.set("USA", "ROW", "reciprocal", row_avg(ROW_AUG7), RECIP, "")
    book.set("USA", "ROW", "border", row_border(0.35, 0.25), border_cov, "")
    emit("US: the August rates by partner", "2025-08-07", [
        "EO 14326 'Further Modifying the Reciprocal Tariff Rates', 2025-07-31, Annex",
        "I from 2025-08-07: EU 15% all-in (15% minus the MFN rate where that is below",
        "15%; the data's 2017 US tariff on the EU stands for MFN); Japan 15%, made",
        "all-in like the EU's by EO 14345 'Implementing the US-Japan Agreement'",
        "(2025-09-04, FR Doc 2025-17389, retroactive to 2025-08-07); India 25%%; Brazil 10%%; ROW %.4f"
        % row_avg(ROW_AUG7),
        "(Korea 15, Vietnam 20, Taiwan 20, Switzerland 39, Thailand 19, Malaysia 19,",
        "Indonesia 19, Israel 15, Philippines 19, others 10; 2017 Census weights).",
        "Brazil +40%: EO 14323 'Addressing Threats to the US by the Government of",
        "Brazil', 2025-07-30, from 2025-08-06, with its Annex I exemptions (aircraft,",
        "energy, orange juice, pulp, fertilisers, pig iron) - coverage assumed.",
        "Canada 35% outside USMCA from 2025-08-01 (EO of 2025-07-31 amending EO",
        "14193); Mexico stays at 25%. The EU's deal covers cars from 2025-08-01: see",
        "the stage of 2025-09-16.",
    ])
    # ---- 14: India Russian oil
    book.set("USA", "IND", "russia_oil", 0.25, RECIP, "")
    emit("US: India +25% (Russian oil)", "2025-08-27", [
        "EO 14329 'Addressing Threats to the US by the Government of the Russian",
        "Federation', 2025-08-06: +25% on India from 2025-08-27 (50% in all), with",
        "the reciprocal tariffs' exceptions (Annex II goods, 232 goods).",
    ])
    # ---- 15: EU and Japan cars at 15% all-in
    for p in ("EU", "JPN"):
        mv = tar[(p, "USA", SECTORS.index("motor_vehicles") + 1)]
        book.set("USA", p, "s232_autos", max(0.0, 0.15 - mv),
                 cov(0.0, motor_vehicles=C_AUTO[p]), "")
    emit("US: EU and Japanese cars at 15% all-in", "2025-09-16", [
        "EU: 'Implementing Certain Tariff-Related Elements of the US-EU Framework",
        "Agreement' (Commerce/USTR notice, 2025-09-25, retroactive to 2025-08-01);",
        "Japan: EO 14345, 2025-09-04, from 2025-09-16: cars and parts 15% including",
        "MFN, replacing 25% + MFN (the data's 2017 tariff stands for MFN).",
    ])
    # ---- 16: November arrangement
    book.set("USA", "CHN", "fentanyl", 0.10, ALL, "")
    book.set("CHN", "USA", "cn_mar", 0.0, ALL, "")
    emit("US-China arrangement: fentanyl 10%, China lifts farm tariffs", "2025-11-10", [
        "EO 'Modifying Duties Addressing the Synthetic Opioid Supply Chain in the PRC',",
        "2025-11-04: 20% to 10% from 2025-11-10; the reciprocal rate stays 10% to",
        "2026-11-10 (EO of the same day). China: Tariff Commission announcements of",
        "2025-11-05: announcement 2025 No. 2 (March farm tariffs) ends 2025-11-10; the",
        "10% stays, 24% suspended one more year; the February list (No. 1) stays.",
        "Not modelled: the US farm-product exemptions of 2025-11-14 and Brazil's of",
        "2025-11-20 (coffee, beef, fruit), and the 232 tariffs on copper (2025-08-01),",
        "lumber and furniture (2025-10-14) and heavy trucks (2025-11-01).",
    ])

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, OUT)

    if quiet:
        return 0
    # The added tariffs weighted by the data's 2017 flows ("pre-substitution"),
    # in percentage points since the first stage (printed, for the docs).
    print("added tariff since stage 1, pp, 2017 goods-flow weights:")
    print("%-3s %-55s %6s  %s  %6s" % ("#", "stage", "USA", " ".join("%5s" % p for p in PARTNERS), "CHN"))
    for k, (name, us, byp, cn) in enumerate(table):
        print("%-3d %-55s %6.1f  %s  %6.1f" % (k + 1, name[:55], 100 * us,
              " ".join("%5.1f" % (100 * v) for v in byp), 100 * cn))
    # Report measured coverage fractions (printed, for the docs).
    for name, c in (("reciprocal", RECIP), ("brazil40", BRA40)):
        for p in PARTNERS:
            tot = sum(flow[(p, "USA", i + 1)] for i in range(22))
            cv = sum(flow[(p, "USA", i + 1)] * c[s] for i, s in enumerate(SECTORS))
            print("%s coverage of %s goods exports to USA (2017 flows): %.3f" % (name, p, cv / tot))
    print("ROW reciprocal: base %.4f, Apr 9 %.4f, Aug 7 %.4f; border Mar %.4f, Aug %.4f"
          % (row_avg(ROW_BASE), row_avg(ROW_APR9), row_avg(ROW_AUG7),
             row_border(.25, .25), row_border(.35, .25)))
    print("wrote", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
