# run.sh - representative CLI invocations under valgrind (ctest label
# `valgrind`, release build only: valgrind and the sanitizers exclude each
# other). A few commands on the small Ossa toy data keep it to about a
# minute of CPU: loading, a staged solve with charts (PLplot), a threaded
# sweep, and bad-input paths. Memory errors and definite leaks fail
# (--error-exitcode); third-party leaks are suppressed by library name in
# third-party.supp. Usage: bash run.sh /path/to/tradewar /path/to/source
set -u
TW=${1:?usage: bash run.sh /path/to/tradewar /path/to/source}
SRC=${2:?usage: bash run.sh /path/to/tradewar /path/to/source}
T=$(mktemp -d "${TMPDIR:-/tmp}/tradewar-vg-XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
TOY=$SRC/data/ossa2007/toy
VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99
    --suppressions="$SRC/tests/valgrind/third-party.supp")

# vg EXPECTED-EXIT DESCRIPTION ARGS...
vg() {
    local want=$1 what=$2
    shift 2
    OPENBLAS_NUM_THREADS=1 "${VG[@]}" "$TW" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: $what: exit $rc, expected $want"
        grep -E "==[0-9]+==|tradewar:" "$T/err" | head -40
        FAILS=$((FAILS + 1))
    fi
}

cat >"$T/toy.yaml" <<'EOF2'
groups:
  countries:
    pair: [Country1, Country2]
stages:
  - name: one
    policies:
      - tariff: {importer: pair, exporter: all, sectors: Sector1, add: 0.1}
  - name: two
    policies:
      - tariff: {importer: Country3, exporter: pair, add: 0.05}
EOF2
printf 'policies:\n  - tariff: {importer: pair, add: 0.1\n' >"$T/broken.yaml"
mkfifo "$T/fifo.yaml"
mkdir "$T/cp"
cp "$TOY"/*.csv "$T/cp/"
sed -i '3s/^[^,]*/-4/' "$T/cp/trade_ijs.csv"

vg 0 "info" info --data "$TOY"
vg 0 "solve --output" solve -q --data "$TOY" --stage one --output "$T/solve" "$T/toy.yaml"
vg 0 "timeline with charts" timeline -q --data "$TOY" --focus Country1,Country2 \
    --output "$T/tl" "$T/toy.yaml"
vg 0 "sweep, 2 threads" sweep -q --data "$TOY" --draws 3 --threads 2 --output "$T/sw" "$T/toy.yaml"
vg 3 "malformed scenario" solve -q --data "$TOY" "$T/broken.yaml"
vg 4 "a FIFO as the scenario" solve -q --data "$TOY" "$T/fifo.yaml"
vg 3 "a negative trade value" info --data "$T/cp"
vg 2 "sweep --draws 0" sweep --data "$TOY" --draws 0 --output "$T/sw0" "$T/toy.yaml"

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
