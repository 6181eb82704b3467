# test_browser.sh - every kind of HTML page (report, timeline, sweep, optimal,
# war, talks, enforce) and the report's, timeline's and sweep's SVG charts
# opened in Debian's headless Chromium through puppeteer-core
# (tests/browser/pages.js): charts and tables present, no text overflowing
# its box on a desktop or a phone, no console errors, no network, every chart
# text inside its canvas. Screenshots are kept in BUILD/test-artifacts/browser.
# Skips (exit 77) only when chromium is not installed; scripts/setup.sh
# installs it. puppeteer-core comes from npm (tests/browser/package-lock.json)
# into BUILD/browser-node, once.
source "$(dirname "$0")/lib.sh" "$@"
export LSAN_OPTIONS="suppressions=$SRC/tests/cli/lsan-plplot.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
    echo "SKIP: chromium is not installed (bash scripts/setup.sh installs it)"
    exit 77
fi
BUILD=$(cd "$(dirname "$TW")" && pwd)
NODE_DIR=$BUILD/browser-node
ART=$BUILD/test-artifacts/browser
rm -rf "$ART" && mkdir -p "$ART"
if ! cmp -s "$SRC/tests/browser/package-lock.json" "$NODE_DIR/package-lock.json" ||
   [ ! -d "$NODE_DIR/node_modules/puppeteer-core" ]; then
    rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
    cp "$SRC/tests/browser/package.json" "$SRC/tests/browser/package-lock.json" "$NODE_DIR/"
    # puppeteer-core downloads no browser; the environment variable says so twice
    (cd "$NODE_DIR" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) \
        >"$T/npm" 2>&1 || { cat "$T/npm"; echo "FAIL: npm ci of tests/browser"; exit 1; }
fi
TOY=$SRC/data/ossa2007/toy
H=$T/pages
mkdir -p "$H"
run report -q "$SRC/scenarios/us-china/list3-25.yaml" --output "$T/report" --html "$H/report.html"
expect_rc 0 "report --html"
run timeline -q "$SRC/scenarios/us-china/waves-both.yaml" --output "$T/timeline" --html "$H/timeline.html"
expect_rc 0 "timeline --html"
run sweep -q "$SRC/scenarios/us-china/list3-25.yaml" --draws 6 --seed 11 --output "$T/sweep" --html "$H/sweep.html"
expect_rc 0 "sweep --html"
sed 's/\${cn}/0.1/' "$SRC/tests/data/sweep/war.yaml" >"$T/war.yaml"
run sweep -q "$T/war.yaml" --grid us=0:0.2:0.1 --draws 4 --seed 5 --output "$T/grid" --html "$H/sweep-grid.html"
expect_rc 0 "sweep --grid --html"
run optimal -q --data "$TOY" --country Country3 --html "$H/optimal.html"
expect_rc 0 "optimal --html"
run war -q --data "$TOY" --html "$H/war.html"
expect_rc 0 "war --html"
run talks -q --data "$TOY" --html "$H/talks.html"
expect_rc 0 "talks --html"
run enforce -q --data "$TOY" talks --html "$H/enforce.html"
expect_rc 0 "enforce --html"
cp "$H"/*.html "$ART/"
# PAGE:CHARTS:TABLES -- report: welfare + one sector chart per stage (2);
# timeline: welfare, trade, revenue; sweep: its chart; strategic: welfare bars
NODE_PATH=$NODE_DIR/node_modules node "$SRC/tests/browser/pages.js" "$CHROMIUM" "$ART" \
    "$H/report.html:3:8" "$H/timeline.html:3:3" "$H/sweep.html:1:3" "$H/sweep-grid.html:1:3" \
    "$H/optimal.html:1:3" "$H/war.html:1:3" "$H/talks.html:1:3" "$H/enforce.html:1:3" \
    -- "$T"/report/*.svg "$T"/timeline/*.svg \
    >"$T/node.out" 2>&1
NODE_RC=$?
cat "$T/node.out"
[ "$NODE_RC" -eq 0 ] || { RC=$NODE_RC; fail "the pages in Chromium (above)"; }
ls "$ART"/report-desktop.png "$ART"/report-phone.png >/dev/null 2>&1 || fail "screenshots kept in $ART"
finish
