#!/usr/bin/env python3
"""Regenerate the elasticity sets of data/elasticities from the bundled source files.

    python3 data/elasticities/make_sets.py

Each set is one file <set>/elasticities.csv `industry,theta[,psi],source` keyed by the 45
OECD ICIO industries (2023 edition codes; the 2021 codes are accepted as the same industries).
The `source` column says which of the authors' sectors each value comes from. The README of
each set gives the source and the mapping; docs/import.md says how a set reaches a data set's
sectors.
"""
import csv, os, statistics

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ICIO = ["A01_02", "A03", "B05_06", "B07_08", "B09", "C10T12", "C13T15", "C16", "C17_18",
        "C19", "C20", "C21", "C22", "C23", "C24", "C25", "C26", "C27", "C28", "C29", "C30",
        "C31T33", "D", "E", "F", "G", "H49", "H50", "H51", "H52", "H53", "I", "J58T60", "J61",
        "J62_63", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T"]
SERVICES = ICIO[ICIO.index("D"):]


def write(name, rows, psi=False):
    os.makedirs(os.path.join(HERE, name), exist_ok=True)
    with open(os.path.join(HERE, name, "elasticities.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["industry", "theta"] + (["psi"] if psi else []) + ["source"])
        for ind in ICIO:
            r = rows[ind]
            w.writerow([ind, "%.10g" % r[0]] + (["%.10g" % r[1]] if psi else []) + [r[-1]])


def cp2015():
    with open(os.path.join(ROOT, "data/cp1993/balanced/T.txt")) as f:
        t = [float(x) for x in f.read().split()]
    names = ["Agriculture", "Mining", "Food", "Textile", "Wood", "Paper", "Petroleum",
             "Chemicals", "Plastic", "Minerals", "Basic metals", "Metal products",
             "Machinery n.e.c.", "Office", "Electrical", "Communication", "Medical", "Auto",
             "Other transport", "Other"]
    assert len(t) == 20
    cp = dict(zip(names, t))
    m = {"A01_02": ["Agriculture"], "A03": ["Agriculture"], "B05_06": ["Mining"],
         "B07_08": ["Mining"], "B09": ["Mining"], "C10T12": ["Food"], "C13T15": ["Textile"],
         "C16": ["Wood"], "C17_18": ["Paper"], "C19": ["Petroleum"], "C20": ["Chemicals"],
         "C21": ["Chemicals"], "C22": ["Plastic"], "C23": ["Minerals"], "C24": ["Basic metals"],
         "C25": ["Metal products"], "C26": ["Office", "Communication", "Medical"],
         "C27": ["Electrical"], "C28": ["Machinery n.e.c."], "C29": ["Auto"],
         "C30": ["Other transport"], "C31T33": ["Other"]}
    rows = {}
    for ind in ICIO:
        if ind in m:
            rows[ind] = (statistics.mean(cp[s] for s in m[ind]), "mean of " + "+".join(m[ind])
                         if len(m[ind]) > 1 else m[ind][0])
        else:
            rows[ind] = (8.22, "services: the authors' 8.22")
    write("cp2015", rows)


def ll2023():
    with open(os.path.join(ROOT, "data/us-china-2017/cal_elasticities.csv"), encoding="utf-8-sig") as f:
        r = list(csv.reader(f))[1:]
    vals = {int(a): (float(b), float(c)) for a, b, c in r}
    assert len(vals) == 44
    rows = {}
    for k, ind in enumerate(ICIO[:44]):
        rows[ind] = (vals[k + 1][0], vals[k + 1][1], "us-china-2017 sector %d" % (k + 1))
    rows["T"] = (vals[44][0], vals[44][1], "not in the source: sector 44's values")
    write("ll2023", rows, psi=True)


def ossa2014():
    with open(os.path.join(ROOT, "data/ossa2007/sigma_s.csv")) as f:
        sigma = [float(r[0]) for r in csv.reader(f)]
    assert len(sigma) == 33
    theta = [s - 1 for s in sigma]
    med = statistics.median(theta)
    g = {"A01_02": range(1, 14), "C10T12": range(14, 19), "C13T15": range(19, 22),
         "C16": [22], "C17_18": [23], "C20": [24], "C21": [24], "C22": [24], "C23": [25],
         "C24": [26, 27], "C25": [28], "C26": [31], "C27": [32], "C28": [32], "C29": [29],
         "C30": [30], "C31T33": [33]}
    rows = {}
    for ind in ICIO:
        if ind in g:
            ks = list(g[ind])
            rows[ind] = (statistics.mean(theta[k - 1] for k in ks),
                         "sigma-1, Ossa industr%s %s" % ("ies" if len(ks) > 1 else "y",
                                                         "+".join(str(k) for k in ks)))
        else:
            rows[ind] = (med, "not in Ossa's 33 industries: the median of his sigma-1")
    write("ossa2014", rows)


cp2015()
ll2023()
ossa2014()
