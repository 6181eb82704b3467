# test_usage.sh - help, version and usage errors (exit codes 0, 0, 2).
source "$(dirname "$0")/lib.sh" "$@"

run --help
expect_rc 0 "--help"
expect_in "$T/out" "Usage: tradewar" "--help on stdout"
expect_in "$T/out" "3  bad data or scenario" "--help documents exit codes"
expect_empty "$T/err" "--help"
run -h
expect_rc 0 "-h"
run --version
expect_rc 0 "--version"
expect_in "$T/out" "tradewar 0.2.0" "--version"
run help solve
expect_rc 0 "help solve"
expect_in "$T/out" "Usage: tradewar solve" "help solve"
run solve --help
expect_rc 0 "solve --help"
expect_in "$T/out" "--max-iter" "solve --help lists flags"
run info -h
expect_rc 0 "info -h"
expect_in "$T/out" "Usage: tradewar info" "info --help"

# usage errors: stderr, exit 2, nothing on stdout
usage_error() {
    run "$@"
    expect_rc 2 "usage error: $*"
    expect_empty "$T/out" "usage error $*"
    [ -s "$T/err" ] || fail "usage error $*: no message"
}
usage_error
usage_error frobnicate
usage_error --frobnicate
usage_error help frobnicate
usage_error solve
usage_error solve a.yaml b.yaml
usage_error solve --bogus "$SRC/scenarios/no-change.yaml"
usage_error solve --format xml "$SRC/scenarios/no-change.yaml"
usage_error solve --tol abc "$SRC/scenarios/no-change.yaml"
usage_error solve --tol -1 "$SRC/scenarios/no-change.yaml"
usage_error solve --max-iter 0 "$SRC/scenarios/no-change.yaml"
usage_error solve --max_iter 2.5 "$SRC/scenarios/no-change.yaml"
usage_error solve --method simplex "$SRC/scenarios/no-change.yaml"
usage_error solve --deficits none "$SRC/scenarios/no-change.yaml"
usage_error solve --damping 2 "$SRC/scenarios/no-change.yaml"
usage_error solve --fallback maybe "$SRC/scenarios/no-change.yaml"
usage_error solve --output - "$SRC/scenarios/no-change.yaml"
usage_error solve --stage 2 "$SRC/scenarios/no-change.yaml"
usage_error solve "$SRC/scenarios/no-change.yaml" --max-iter
usage_error solve --quiet=yes "$SRC/scenarios/no-change.yaml"
usage_error info extra
usage_error info --format csv
usage_error info --data
run solve --bogus x.yaml
expect_in "$T/err" "unknown option '--bogus'" "names the bad option"
expect_in "$T/err" "tradewar solve --help" "points to help"
finish
