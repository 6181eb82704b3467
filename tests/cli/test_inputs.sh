# test_inputs.sh - inputs that are not regular files, oversized inputs,
# exponential group expansion and the scenario budgets, and the manifest's
# YAML checks (issue 14; limits in docs/data-format.md, "Limits"). Every
# command runs under `timeout`: before the fix these cases blocked or ran for
# minutes, so a hang is a failure here, not a stuck test.
source "$(dirname "$0")/lib.sh" "$@"

# trun SECONDS ARGS...: run with a time limit (exit 124 when it ran out)
trun() {
    local secs=$1
    shift
    timeout "$secs" "$TW" "$@" >"$T/out" 2>"$T/err"
    RC=$?
    [ "$RC" -ne 124 ] || fail "timed out after ${secs}s: $*"
}

cat >"$T/ok.yaml" <<'EOF2'
policies:
  - tariff: {importer: USA, exporter: CHN, sectors: computers, add: 0.25}
EOF2
printf 'policies:\n  - tariff: {importer: Country1, exporter: all, add: 0.1}\n' >"$T/toy.yaml"

# ---- 1. not a regular file: scenario, from_file, data table, manifest ------
mkfifo "$T/fifo.yaml"
trun 20 solve -q "$T/fifo.yaml"
expect_rc 4 "a FIFO as the scenario"
expect_in "$T/err" "$T/fifo.yaml: a FIFO (named pipe), not a regular file" "FIFO scenario"
trun 20 solve -q /dev/zero
expect_rc 4 "/dev/zero as the scenario"
expect_in "$T/err" "/dev/zero: a character device, not a regular file" "/dev/zero scenario"
mkdir "$T/dir.yaml"
trun 20 solve -q "$T/dir.yaml"
expect_rc 4 "a directory as the scenario"
expect_in "$T/err" "a directory, not a regular file" "directory scenario"
# standard input is still read with '-'
trun 60 solve -q - <"$T/ok.yaml"
expect_rc 0 "the scenario on standard input"

mkfifo "$T/rates.csv"
cat >"$T/from-fifo.yaml" <<'EOF2'
policies:
  - tariff: {importer: USA, exporter: CHN, from_file: rates.csv}
EOF2
trun 20 solve -q "$T/from-fifo.yaml"
expect_rc 4 "a FIFO as from_file"
expect_in "$T/err" "from-fifo.yaml:2: from_file: $T/rates.csv: a FIFO" "FIFO from_file"
cat >"$T/from-zero.yaml" <<'EOF2'
policies:
  - tariff: {importer: USA, exporter: CHN, from_file: /dev/zero}
EOF2
trun 20 solve -q "$T/from-zero.yaml"
expect_rc 4 "/dev/zero as from_file"
expect_in "$T/err" "/dev/zero: a character device" "/dev/zero from_file"

# raw layouts and the native format: one table replaced by a FIFO or a device
cp -r "$SRC/data/ossa2007/toy" "$T/ossa"
rm "$T/ossa/trade_ijs.csv" && mkfifo "$T/ossa/trade_ijs.csv"
trun 20 info --data "$T/ossa"
expect_rc 4 "a FIFO as an Ossa table"
expect_in "$T/err" "trade_ijs.csv: a FIFO" "FIFO table"
mkdir "$T/cp"
for f in "$SRC"/data/cp1993/balanced/*.txt; do cp "$f" "$T/cp/"; done
rm "$T/cp/GO.txt" && ln -s /dev/zero "$T/cp/GO.txt"
trun 20 info --data "$T/cp"
expect_rc 4 "/dev/zero as GO.txt"
expect_in "$T/err" "GO.txt: a character device" "device table"
rm "$T/cp/xbilat1993.txt" && mkfifo "$T/cp/xbilat1993.txt"
trun 20 info --data "$T/cp"
expect_rc 4 "a FIFO as xbilat1993.txt (the layout's probe)"

ds=$T/ds
mkdir "$ds"
printf 'format: tradewar-dataset\nversion: 1\nflows_basis: before_tariffs\ncountries:\n  - {code: AAA}\n  - {code: BBB}\nsectors:\n  - {code: g}\n' >"$T/manifest.good"
printf 'exporter,importer,sector,value\nAAA,AAA,g,7\nAAA,BBB,g,1\nBBB,AAA,g,2\nBBB,BBB,g,9\n' >"$ds/flows.csv"
printf 'country,sector,share\nAAA,g,0.4\nBBB,g,0.5\n' >"$ds/va_shares.csv"
printf 'country,input,sector,share\nAAA,g,g,1\nBBB,g,g,1\n' >"$ds/io_shares.csv"
printf 'country,sector,share\nAAA,g,1\nBBB,g,1\n' >"$ds/final_shares.csv"
printf 'sector,theta,psi\ng,4,0\n' >"$ds/elasticities.csv"
cp "$T/manifest.good" "$ds/manifest.yaml"
trun 30 info --data "$ds"
expect_rc 0 "the small native data set"
rm "$ds/manifest.yaml" && mkfifo "$ds/manifest.yaml"
trun 20 info --data "$ds"
expect_rc 4 "a FIFO as manifest.yaml"
expect_in "$T/err" "manifest.yaml: a FIFO" "FIFO manifest"
rm "$ds/manifest.yaml" && cp "$T/manifest.good" "$ds/manifest.yaml"
mv "$ds/va_shares.csv" "$T/va.keep" && mkfifo "$ds/va_shares.csv"
trun 20 info --data "$ds"
expect_rc 4 "a FIFO as a native table"
rm "$ds/va_shares.csv" && mv "$T/va.keep" "$ds/va_shares.csv"
# an optional table that is a FIFO (tariffs.csv, found by its default name)
mkfifo "$ds/tariffs.csv"
trun 20 info --data "$ds"
expect_rc 4 "a FIFO as an optional native table"
rm "$ds/tariffs.csv"

# a sweep's own files, read again when it resumes
mkdir "$T/sw-fifo" && mkfifo "$T/sw-fifo/records.twr"
trun 60 sweep -q --data "$SRC/data/ossa2007/toy" --draws 2 --output "$T/sw-fifo" "$T/toy.yaml"
expect_rc 4 "a FIFO as a sweep's records.twr"
expect_in "$T/err" "records.twr is not a regular file" "FIFO records"

# ---- size limits: refused before reading -----------------------------------
truncate -s 5M "$T/big.yaml"
trun 20 solve -q "$T/big.yaml"
expect_rc 3 "a 5 MiB scenario"
expect_in "$T/err" "big.yaml: larger than the 4194304-byte (4 MiB) limit for a scenario file" "scenario limit"
head -c 5000000 /dev/zero | tr '\0' '#' >"$T/big-stdin.yaml"
trun 20 solve -q - <"$T/big-stdin.yaml"
expect_rc 3 "a 5 MB scenario on standard input"
expect_in "$T/err" "<stdin>: larger than" "stdin limit"
cp "$T/manifest.good" "$ds/manifest.yaml"
truncate -s 2M "$ds/manifest.yaml"
trun 20 info --data "$ds"
expect_rc 3 "a 2 MiB manifest"
expect_in "$T/err" "limit for a manifest" "manifest limit"
# a manifest listing more countries than a model may hold (TW_LIMIT_CELLS)
python3 -c '
print("format: tradewar-dataset\nversion: 1\nflows_basis: before_tariffs\ncountries:")
for k in range(30000): print("  - {code: C%d}" % k)
print("sectors:\n  - {code: g}")' >"$ds/manifest.yaml"
trun 20 info --data "$ds"
expect_rc 3 "30000 countries"
expect_in "$T/err" "TW_LIMIT_CELLS" "model size limit"

# ---- 2. group expansion: exponential within the nesting limit --------------
# g0 lists g1 three times, g1 lists g2 three times, ... 25 levels: 3^25 paths.
python3 -c '
print("groups:\n  countries:")
for k in range(25): print("    g%d: [g%d, g%d, g%d]" % (k, k + 1, k + 1, k + 1))
print("    g25: [USA, CHN]\npolicies:\n  - tariff: {importer: g0, exporter: g0, add: 0.1}")' >"$T/expo.yaml"
trun 60 solve -q "$T/expo.yaml"
expect_rc 0 "groups expanding 3^25 times (each group expanded once per selector)"
# the budgets, each named in the message
python3 -c '
print("groups:\n  countries:")
for k in range(1001): print("    g%d: [USA]" % k)
print("policies: []")' >"$T/groups.yaml"
trun 20 solve -q "$T/groups.yaml"
expect_rc 3 "1001 groups"
expect_in "$T/err" "more than 1000 groups (TW_LIMIT_GROUPS)" "groups budget"
python3 -c '
print("groups:\n  countries:\n    big: [" + ", ".join(["USA"] * 99999) + "]")
print("policies:")
for k in range(11): print("  - tariff: {importer: big, exporter: CHN, add: 0.01}")' >"$T/visits.yaml"
trun 60 solve -q "$T/visits.yaml"
expect_rc 3 "11 rules over a group of 99999 names"
expect_in "$T/err" "(TW_LIMIT_GROUP_VISITS)" "visits budget"
python3 -c '
print("stages:")
for k in range(1001): print("  - policies: []")' >"$T/stages.yaml"
trun 20 solve -q "$T/stages.yaml"
expect_rc 3 "1001 stages"
expect_in "$T/err" "(TW_LIMIT_STAGES)" "stages budget"
python3 -c '
print("policies:")
for k in range(257): print("  - tariff: {importer: USA, exporter: CHN, from_file: r%d.csv}" % k)' >"$T/files.yaml"
trun 20 solve -q "$T/files.yaml"
expect_rc 3 "257 from_file rules"
expect_in "$T/err" "(TW_LIMIT_FILES)" "files budget"
python3 -c 'print("policies: " + "[" * 100000 + "]" * 100000)' >"$T/deep.yaml"
trun 20 solve -q "$T/deep.yaml"
expect_rc 3 "a scenario nested 100000 deep"
expect_in "$T/err" "deep.yaml:1: YAML nested more than 64 levels deep" "scenario depth"

# ---- 3. the manifest: deep nesting, duplicate keys, a second document -------
python3 -c '
print("format: tradewar-dataset\nversion: 1\nflows_basis: before_tariffs\ncountries:\n  - {code: AAA}\n  - {code: BBB}\nsectors:\n  - {code: g}")
print("title: " + "[" * 200000 + "]" * 200000)' >"$ds/manifest.yaml"
trun 20 info --data "$ds"
expect_rc 3 "a manifest nested 200000 deep"
expect_in "$T/err" "manifest.yaml:9: YAML nested more than 64 levels deep (TW_LIMIT_YAML_DEPTH)" "manifest depth"
{ cat "$T/manifest.good"; echo "version: 1"; } >"$ds/manifest.yaml"
trun 20 info --data "$ds"
expect_rc 3 "a manifest with version twice"
expect_in "$T/err" "manifest.yaml:9: duplicate key 'version' in the manifest" "manifest duplicate key"
sed 's/{code: BBB}/{code: BBB, code: CCC}/' "$T/manifest.good" >"$ds/manifest.yaml"
trun 20 info --data "$ds"
expect_rc 3 "a country with code twice"
expect_in "$T/err" "duplicate key 'code' in a country" "nested duplicate key"
{ cat "$T/manifest.good"; printf -- '---\nformat: other\n'; } >"$ds/manifest.yaml"
trun 20 info --data "$ds"
expect_rc 3 "a manifest with two documents"
expect_in "$T/err" "manifest.yaml:9: more than one YAML document" "second document"
cp "$T/manifest.good" "$ds/manifest.yaml"

# ---- counts that make no sense are usage errors -----------------------------
trun 20 sweep "$T/ok.yaml" --draws 0 --output "$T/sw"
expect_rc 2 "sweep --draws 0"
expect_in "$T/err" "bad value '0' for --draws" "draws 0"
[ ! -e "$T/sw" ] || fail "sweep --draws 0 created its output directory"
trun 20 sweep "$T/ok.yaml" --draws -3 --output "$T/sw"
expect_rc 2 "sweep --draws -3"
trun 20 sweep "$T/ok.yaml" --threads 0 --output "$T/sw"
expect_rc 2 "sweep --threads 0"
trun 20 war --threads 100000
expect_rc 2 "war --threads 100000"
finish
