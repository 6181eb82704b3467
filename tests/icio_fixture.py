#!/usr/bin/env python3
"""Fixture tables in the exact OECD ICIO CSV layout, and an independent aggregation.

No real OECD file can be used offline (and the tables may not be redistributed with the
tests), so the tests generate tables that follow the published layout (docs/import.md):

  header:  <corner>, COUNTRY_INDUSTRY x (economies x 45 industries), then for each economy
           COUNTRY_HFCE, _NPISH, _GGFC, _GFCF, _INVNT, _DPABR, then OUT
  rows:    COUNTRY_INDUSTRY (same order), then TLS, VA, OUT

Industry codes are the 2021 (D01T02 ...), 2023 (A01_02 ...) or 2025 (A01, A02 ...) edition's. With --split, China
and Mexico appear as CN1/CN2 and MX1/MX2 in the industry rows and columns and as CHN/MEX in the
final-demand columns (the editions that split them). Values are seeded pseudo-random numbers
written with 8 significant digits (--digits); OUT is the row total; VA makes every column add up to it.
--full writes the full-size table of the benchmark (77 economies x 45 industries).
Splitting an economy into two halves is done in tests/test_icio.c.

  icio_fixture.py table OUT.csv [--edition 2021|2023] [--economies A,B,..] [--seed N]
                  [--split] [--zero ECON:IND] [--negative-inventory ECON:IND]
                  [--full] [--industries N]
  icio_fixture.py aggregate TABLE.csv OUTDIR [--regions MAP] [--sectors MAP] [--drop-inventories]
      writes flows.csv, va_shares.csv, io_shares.csv, final_shares.csv as the importer should
  icio_fixture.py compare DATASET EXPECTED [--rtol 1e-12]
      compares an imported data set with `aggregate`'s files (exit 1 on a difference)

The round trip of us-china-2017 through the ICIO layout is in tests/test_icio.c (it needs the
model's baseline equilibrium, which only the library computes).
"""
import argparse, csv, math, os, random, sys

IND = {
    "2021": ["D01T02", "D03", "D05T06", "D07T08", "D09", "D10T12", "D13T15", "D16", "D17T18",
             "D19", "D20", "D21", "D22", "D23", "D24", "D25", "D26", "D27", "D28", "D29", "D30",
             "D31T33", "D35", "D36T39", "D41T43", "D45T47", "D49", "D50", "D51", "D52", "D53",
             "D55T56", "D58T60", "D61", "D62T63", "D64T66", "D68", "D69T75", "D77T82", "D84",
             "D85", "D86T88", "D90T93", "D94T96", "D97T98"],
    "2023": ["A01_02", "A03", "B05_06", "B07_08", "B09", "C10T12", "C13T15", "C16", "C17_18",
             "C19", "C20", "C21", "C22", "C23", "C24", "C25", "C26", "C27", "C28", "C29", "C30",
             "C31T33", "D", "E", "F", "G", "H49", "H50", "H51", "H52", "H53", "I", "J58T60", "J61",
             "J62_63", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T"],
    # the 2025 edition: 50 industries (agriculture, mining, basic metals, other transport split)
    "2025": ["A01", "A02", "A03", "B05", "B06", "B07", "B08", "B09", "C10T12", "C13T15", "C16",
             "C17_18", "C19", "C20", "C21", "C22", "C23", "C241_2431", "C242_2432", "C25", "C26",
             "C27", "C28", "C29", "C301", "C302T309", "C31T33", "D", "E", "F", "G", "H49", "H50",
             "H51", "H52", "H53", "I", "J58T60", "J61", "J62_63", "K", "L", "M", "N", "O", "P",
             "Q", "R", "S", "T"],
}
FD = ["HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"]
# 77 economies of the 2023 edition (76 + ROW), for the full-size benchmark table
FULL = ("AUS AUT BEL CAN CHL COL CRI CZE DNK EST FIN FRA DEU GRC HUN ISL IRL ISR ITA JPN KOR LVA "
        "LTU LUX MEX NLD NZL NOR POL PRT SVK SVN ESP SWE CHE TUR GBR USA ARG BGD BLR BRA BRN BGR "
        "KHM CMR CHN CIV HRV CYP EGY IND IDN JOR KAZ LAO MYS MLT MAR MMR NGA PAK PER PHL ROU RUS "
        "SAU SEN SGP ZAF TWN THA TUN UKR VNM HKG ROW").split()


DIGITS = 8


def fmt(v):
    return "0" if v == 0 else "%.*g" % (DIGITS, v)


def cmd_table(a):
    """Write the table row by row (a full-size table never sits in memory)."""
    global DIGITS
    DIGITS = a.digits
    rnd = random.Random(a.seed)
    inds = IND[a.edition][: a.industries]
    econs = FULL if a.full else a.economies.split(",")
    # industry blocks: CHN/MEX split into CN1/CN2, MX1/MX2 when asked
    blocks = []
    for e in econs:
        if a.split and e in ("CHN", "MEX"):
            blocks += ["CN1", "CN2"] if e == "CHN" else ["MX1", "MX2"]
        else:
            blocks.append(e)
    rows = [(b, i) for b in blocks for i in inds]
    nr = len(rows)
    fdcols = [(e, c) for e in econs for c in FD]
    zero = set(tuple(z.split(":", 1)) for z in a.zero)
    neg = set(tuple(z.split(":", 1)) for z in a.negative_inventory)
    alive = [r not in zero for r in rows]
    inv = [k for k, (e, cat) in enumerate(fdcols) if cat == "INVNT"]
    colsum, out = [0.0] * nr, [0.0] * nr
    fdmax = nr / len(econs)
    with open(a.out, "w") as f:
        f.write(",".join([""] + ["%s_%s" % r for r in rows] + ["%s_%s" % c for c in fdcols] + ["OUT"]) + "\n")
        for r in range(nr):
            Zr, Fr = [0.0] * nr, [0.0] * len(fdcols)
            if alive[r]:
                for c in range(nr):
                    if alive[c]:
                        Zr[c] = float(fmt(rnd.uniform(0, 10)))
                for c, (e, cat) in enumerate(fdcols):
                    v = rnd.uniform(-2, 2) if cat == "INVNT" else rnd.uniform(0, fdmax)
                    Fr[c] = float(fmt(v))
            total = sum(Zr) + sum(Fr)
            # value added is computed from the output without a --negative-inventory run-down
            out[r] = total
            if rows[r] in neg:
                # a large inventory run-down in the row's own economy: that flow comes out at -1
                own = rows[r][0] if rows[r][0] in econs else {"CN": "CHN", "MX": "MEX"}[rows[r][0][:2]]
                c = fdcols.index((own, "INVNT"))
                rest = sum(Zr[k] for k in range(nr) if rows[k][0] == rows[r][0])
                rest += sum(Fr[k] for k, (e, cat) in enumerate(fdcols) if e == own and cat != "INVNT")
                Fr[c] = float(fmt(-rest - 1))
                total = sum(Zr) + sum(Fr)
                out[r] = total - sum(Fr[k] for k in inv)
            for c in range(nr):
                colsum[c] += Zr[c]
            f.write(",".join(["%s_%s" % rows[r]] + [fmt(v) for v in Zr] + [fmt(v) for v in Fr]
                             + [fmt(total)]) + "\n")
        tls = [float(fmt(0.02 * out[c])) if alive[c] else 0.0 for c in range(nr)]
        va = [float(fmt(out[c] - colsum[c] - tls[c])) if alive[c] else 0.0 for c in range(nr)]
        for c in range(nr):
            if va[c] < 0:
                sys.exit("fixture: negative value added at %s_%s; use another seed" % rows[c])
        colout = [colsum[c] + tls[c] + va[c] for c in range(nr)]
        nf = ["0"] * len(fdcols)
        for lab, vals in (("TLS", tls), ("VA", va), ("OUT", colout)):
            f.write(",".join([lab] + [fmt(v) for v in vals] + nf + [fmt(sum(vals))]) + "\n")


# ---- independent aggregation ---------------------------------------------------------

def read_map(path, key, val):
    if not path:
        return None
    with open(path) as f:
        return {r[key]: r[val] for r in csv.DictReader(f)}


def canon(e):
    return {"CN": "CHN", "MX": "MEX"}.get(e[:2], e) if len(e) == 3 and e[2].isdigit() and e[:2] in ("CN", "MX") else e


def cmd_aggregate(a):
    rmap, smap = read_map(a.regions, "economy", "region"), read_map(a.sectors, "industry", "sector")
    R = lambda e: rmap[canon(e)] if rmap else canon(e)
    S = lambda i: smap[i] if smap else i
    flows, zio, zcol, vat, fd = {}, {}, {}, {}, {}
    regions, sectors = [], []
    with open(a.table) as f:
        rd = csv.reader(f)
        head = next(rd)
        cols = []
        for h in head[1:]:
            if h == "OUT":
                cols.append(None)
                continue
            e, rest = h.split("_", 1)
            if rest in FD:
                cols.append(("F", R(e), rest))
            else:
                cols.append(("Z", R(e), S(rest)))
                for lst, v in ((regions, R(e)), (sectors, S(rest))):
                    if v not in lst:
                        lst.append(v)
        for row in rd:
            lab = row[0]
            if lab == "OUT":
                continue
            if lab in ("TLS", "VA"):
                for c, v in zip(cols, row[1:]):
                    if c and c[0] == "Z":
                        vat[(c[1], c[2])] = vat.get((c[1], c[2]), 0.0) + float(v)
                continue
            e, i = lab.split("_", 1)
            ri, sk = R(e), S(i)
            for c, v in zip(cols, row[1:]):
                if not c:
                    continue
                x = float(v)
                if c[0] == "F":
                    if c[2] == "INVNT" and a.drop_inventories:
                        continue
                    fd[(c[1], sk)] = fd.get((c[1], sk), 0.0) + x
                else:
                    zio[(c[1], sk, c[2])] = zio.get((c[1], sk, c[2]), 0.0) + x
                    zcol[(c[1], c[2])] = zcol.get((c[1], c[2]), 0.0) + x
                flows[(ri, c[1], sk)] = flows.get((ri, c[1], sk), 0.0) + x
    if rmap:
        regions = list(dict.fromkeys(rmap.values()))
    if smap:
        sectors = list(dict.fromkeys(smap.values()))
    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, "flows.csv"), "w") as f:
        f.write("exporter,importer,sector,value\n")
        for i in regions:
            for n in regions:
                for j in sectors:
                    f.write("%s,%s,%s,%r\n" % (i, n, j, flows.get((i, n, j), 0.0)))
    with open(os.path.join(a.outdir, "va_shares.csv"), "w") as f, \
         open(os.path.join(a.outdir, "io_shares.csv"), "w") as g, \
         open(os.path.join(a.outdir, "final_shares.csv"), "w") as h:
        f.write("country,sector,share\n")
        g.write("country,input,sector,share\n")
        h.write("country,sector,share\n")
        for n in regions:
            tot = sum(fd.get((n, j), 0.0) for j in sectors)
            for j in sectors:
                h.write("%s,%s,%r\n" % (n, j, fd.get((n, j), 0.0) / tot))
                z, v = zcol.get((n, j), 0.0), vat.get((n, j), 0.0)
                if z + v <= 0 or z == 0:
                    f.write("%s,%s,1\n" % (n, j))
                    continue
                f.write("%s,%s,%r\n" % (n, j, v / (z + v)))
                for k in sectors:
                    s = zio.get((n, k, j), 0.0) / z
                    if s != 0:
                        g.write("%s,%s,%s,%r\n" % (n, k, j, s))


def load_long(path, nkeys):
    d = {}
    with open(path) as f:
        rd = csv.reader(f)
        next(rd)
        for r in rd:
            d[tuple(r[:nkeys])] = float(r[nkeys])
    return d


def cmd_compare(a):
    bad = 0
    for name, nk in (("flows.csv", 3), ("va_shares.csv", 2), ("io_shares.csv", 3), ("final_shares.csv", 2)):
        got, want = load_long(os.path.join(a.dataset, name), nk), load_long(os.path.join(a.expected, name), nk)
        for k in set(got) | set(want):
            g, w = got.get(k, 0.0), want.get(k, 0.0)
            if abs(g - w) > a.rtol * max(abs(w), 1e-300) and abs(g - w) > a.atol:
                print("%s %s: imported %r, independent %r" % (name, ",".join(k), g, w))
                bad += 1
    if bad:
        sys.exit(1)
    print("same")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table")
    t.add_argument("out")
    t.add_argument("--edition", default="2023", choices=["2021", "2023", "2025"])
    t.add_argument("--economies", default="USA,CHN,CAN,DEU")
    t.add_argument("--seed", type=int, default=2385)
    t.add_argument("--split", action="store_true")
    t.add_argument("--zero", action="append", default=[])
    t.add_argument("--negative-inventory", action="append", default=[])
    t.add_argument("--full", action="store_true")
    t.add_argument("--industries", type=int, default=None)
    t.add_argument("--digits", type=int, default=8)
    g = sub.add_parser("aggregate")
    g.add_argument("table")
    g.add_argument("outdir")
    g.add_argument("--regions")
    g.add_argument("--sectors")
    g.add_argument("--drop-inventories", action="store_true")
    c = sub.add_parser("compare")
    c.add_argument("dataset")
    c.add_argument("expected")
    c.add_argument("--rtol", type=float, default=1e-12)
    c.add_argument("--atol", type=float, default=1e-15)
    a = p.parse_args()
    {"table": cmd_table, "aggregate": cmd_aggregate, "compare": cmd_compare}[a.cmd](a)


if __name__ == "__main__":
    main()
