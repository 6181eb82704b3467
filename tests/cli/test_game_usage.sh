# test_game_usage.sh - command-line errors of optimal, war, talks and enforce:
# each exits 2 (usage), 3 (bad data or scenario) or 4 (I/O) with a message on
# stderr and nothing on stdout; --help prints to stdout and exits 0.
source "$(dirname "$0")/lib.sh" "$@"
TOY=$SRC/data/ossa2007/toy

for c in optimal war talks enforce; do
    run $c --help
    expect_rc 0 "$c --help"
    expect_in "$T/out" "Usage: tradewar $c" "$c --help text"
    run help $c
    expect_rc 0 "help $c"
done
run --help
expect_in "$T/out" "enforce AGREEMENT" "main usage lists the strategic commands"

# usage: exit 2, nothing on stdout
usage() {
    run "$@"
    expect_rc 2 "$*"
    expect_empty "$T/out" "$*: stdout"
    [ -s "$T/err" ] || fail "$*: no message"
}
usage optimal --data "$TOY"
usage optimal --data "$TOY" --country NOPE
usage optimal --data "$TOY" --country Country1 --partners players
usage optimal --data "$TOY" --country Country1 extra
usage optimal --data "$TOY" --country Country1 --format xml
usage optimal --data "$TOY" --country Country1 --instruments quotas
usage optimal --data "$TOY" --country Country1 --lower -2
usage optimal --data "$TOY" --country Country1 --upper -0.5
usage optimal --data "$TOY" --country Country1 --sectors Sector9
usage optimal --data "$TOY" --country Country1 --sectors Sector3..Sector1
usage optimal --data "$TOY" --country Country1 --max-eval 0
usage optimal --data "$TOY" --country Country1 --output -
usage optimal --data "$TOY" --country Country1 --players Country2
usage optimal --data "$TOY" --country Country1 --stage 2
usage war --data "$TOY" --players Country1,Nowhere
usage war --data "$TOY" --players Country1,Country1
usage war --data "$TOY" --threads 0
usage war --data "$TOY" --war-tol nan
usage war --data "$TOY" --country Country1
usage war --data "$TOY" --delta 0.5
usage talks --data "$TOY" --players Country1
usage talks --data "$TOY" --weights 1,2
usage talks --data "$TOY" --players Country1,Country2 --weights Country3=2
usage talks --data "$TOY" --players Country1,Country2 --weights 1,-1
usage enforce --data "$TOY"
usage enforce --data "$TOY" talks cooperative
usage enforce --data "$TOY" talks --punishment snapback
usage enforce --data "$TOY" talks --snapback 0.3
usage enforce --data "$TOY" talks --punishment exile
usage enforce --data "$TOY" talks --delta 1
usage enforce --data "$TOY" talks --punishment snapback --snapback -0.1
usage enforce --data "$TOY" talks --scenario "$SRC/scenarios/no-change.yaml"
expect_in "$T/err" "Try 'tradewar enforce --help'" "usage errors point to --help"

# bad agreement files and data
run enforce --data "$TOY" "$T/missing.yaml"
expect_rc 4 "missing agreement file"
run enforce --data "$TOY" "$SCN/malformed.yaml"
expect_rc 3 "malformed agreement file"
expect_empty "$T/out" "malformed agreement: stdout"
run enforce --data "$TOY" "$SCN/unknown-country.yaml"
expect_rc 3 "agreement naming an unknown country"
run war --data "$T/nothing-here"
expect_rc 4 "no data set"
expect_in "$T/err" "trade_ijs.csv (ossa2007)" "the loader lists the Ossa layout"
finish
