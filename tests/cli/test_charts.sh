# test_charts.sh - the charts as files: SVG with real <text> elements whose
# estimated extent lies inside the canvas (a coarse check without a browser;
# test_browser.sh measures them in Chromium), a PNG of the same size as its
# SVG, full economy and sector names, money in billions, the timeline's base
# point and one panel per focus economy, the sweep's subtitle and grid axis;
# --html's error paths leave nothing behind.
source "$(dirname "$0")/lib.sh" "$@"
export LSAN_OPTIONS="suppressions=$SRC/tests/cli/lsan-plplot.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
run report -q "$SRC/scenarios/us-china/list3-25.yaml" --output "$T/r"
expect_rc 0 "report --output"
# a report of many stages writes two charts per stage (more than the 24 files
# an output directory once held: it failed with "too many output files")
run report -q "$SRC/scenarios/us-china/waves-both.yaml" --output "$T/many"
expect_rc 0 "report --output of a 13-stage scenario"
n=$(ls "$T/many" | grep -c '^sectors-.*\.png$')
[ "$n" -ge 12 ] || fail "report of 13 stages wrote $n sector charts"
[ -z "$(ls -A "$T/many" | grep '^\.')" ] || fail "temporary files left in $T/many"
run timeline -q "$SRC/scenarios/us-china/waves-both.yaml" --output "$T/t"
expect_rc 0 "timeline --output"
sed 's/\${cn}/0.1/' "$SRC/tests/data/sweep/war.yaml" >"$T/war.yaml"
run sweep -q "$T/war.yaml" --grid us=0:0.2:0.1 --output "$T/g"
expect_rc 0 "sweep --grid"
# the sweep writes chart.png only; its SVG is the one in the --html page
python3 - "$T" <<'PY' || fail "chart files (above)"
import re, struct, sys, math
import xml.etree.ElementTree as ET
T = sys.argv[1]
NS = "{http://www.w3.org/2000/svg}"
bad = []
def texts(path):
    root = ET.parse(path).getroot()
    return root, [t for t in root.iter(NS + "text")]
def check(path):
    root, ts = texts(path)
    W, H = float(root.get("width")), float(root.get("height"))
    if not ts:
        bad.append(f"{path}: no <text> elements")
    for t in ts:
        s = "".join(t.itertext()); size = float(t.get("font-size"))
        x, y = float(t.get("x")), float(t.get("y"))
        # DejaVu Sans averages about 0.55 em a character over this text; the
        # browser test measures the real glyphs
        w = 0.55 * size * len(s)
        a = t.get("text-anchor", "start")
        x0 = x - (w if a == "end" else w / 2 if a == "middle" else 0)
        rot = t.get("transform")
        if rot:
            ang = math.radians(float(re.match(r"rotate\(([-\d.]+)", rot).group(1)))
            # the far end of the text along its direction
            d = w if a == "start" else -w if a == "end" else w / 2
            ends = [(x, y), (x + d * math.cos(ang), y + d * math.sin(ang))]
            if a == "middle":
                ends.append((x - d * math.cos(ang), y - d * math.sin(ang)))
        else:
            ends = [(x0, y), (x0 + w, y - size * 0.8)]
        for ex, ey in ends:
            if not (-2 <= ex <= W + 2 and -2 <= ey <= H + 2):
                bad.append(f"{path}: '{s}' reaches ({ex:.0f},{ey:.0f}) outside {W:.0f}x{H:.0f}")
    png = path[:-4] + ".png"
    with open(png, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        bad.append(f"{png}: not a PNG")
    elif struct.unpack(">II", head[16:24]) != (int(W), int(H)):
        bad.append(f"{png}: {struct.unpack('>II', head[16:24])} is not the SVG's {W}x{H}")
    return " | ".join("".join(t.itertext()) for t in ts)
import glob
all_text = {}
for p in sorted(glob.glob(T + "/r/*.svg") + glob.glob(T + "/t/*.svg")):
    all_text[p.split("/")[-2] + "/" + p.split("/")[-1]] = check(p)
def need(key, word):
    if word not in all_text.get(key, ""):
        bad.append(f"{key}: no '{word}'")
need("r/welfare.svg", "Brazil"); need("r/welfare.svg", "European")  # names, wrapped in two lines when long
need("r/sectors-1.svg", "Textiles, apparel, leather"); need("r/sectors-1.svg", "US List 3 from 10% to 25%")
need("t/revenue.svg", "billions of US dollars"); need("t/trade.svg", "billions of US dollars")
need("t/welfare.svg", "base economy")
for panel in ("United States", "China", "the other economies"):
    need("t/welfare.svg", panel)
for k, v in all_text.items():
    if "other_manufacturing" in v or "_" in v.replace("tradewar", ""):
        bad.append(f"{k}: a code with an underscore in a label")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
# --html: the page, and its error paths
run sweep -q "$T/war.yaml" --grid us=0:0.2:0.1 --output "$T/g" --html "$T/grid.html"
expect_rc 0 "sweep --html"
expect_in "$T/grid.html" "us: the value of \${us} in the scenario" "the grid axis says what the parameter is"
expect_in "$T/grid.html" "sweep test war (a one-stage scenario)" "the sweep subtitle names the scenario (and its one stage)"
run sweep -q "$SRC/scenarios/us-china/list3-25.yaml" --stage 2 --draws 3 --output "$T/s2" --html "$T/sweep-html-stage"
expect_rc 0 "sweep --stage 2 --html"
expect_in "$T/sweep-html-stage" "stage 2: List 3 at 25%, no retaliation" "the sweep subtitle names the scenario and stage"
run report -q "$SRC/scenarios/us-china/list3-25.yaml" --charts none --html "$T/dir/"
expect_rc 4 "--html naming a directory"
expect_in "$T/err" "--html names a file" "says --html names a file"
mkdir -p "$T/ro" && chmod 555 "$T/ro"
if [ ! -w "$T/ro" ]; then  # (root writes anywhere)
    run timeline -q "$SRC/scenarios/us-china/waves-both.yaml" --html "$T/ro/t.html"
    expect_rc 4 "--html into a read-only directory"
    [ -z "$(ls -A "$T/ro")" ] || fail "nothing left in the read-only directory"
fi
for cmd in report timeline; do
    run $cmd -q "$SRC/scenarios/us-china/list3-25.yaml" --html -
    expect_rc 2 "$cmd --html -"
    expect_in "$T/err" "--html names a file" "$cmd: says --html names a file"
done
run sweep -q "$SRC/scenarios/us-china/list3-25.yaml" --output "$T/s3" --html -
expect_rc 2 "sweep --html -"
run war -q --data "$SRC/data/ossa2007/toy" --html ""
expect_rc 2 "war --html ''"
mkdir -p "$T/page.html"
run optimal -q --data "$SRC/data/ossa2007/toy" --country Country3 --html "$T/page.html"
expect_rc 4 "--html onto a directory"
expect_in "$T/err" "nothing written to" "the error says nothing was written"
[ -z "$(ls -A "$T/page.html")" ] || fail "no temporary file left in $T/page.html"
ls -A "$T" | grep -q '^\.' && fail "a temporary file left in $T"
finish
