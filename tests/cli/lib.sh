# lib.sh - helpers for the CLI tests (sourced; not a test itself).
# Usage in a test: source "$(dirname "$0")/lib.sh" "$@"
set -u
TW=${1:?usage: bash test_x.sh /path/to/tradewar /path/to/source}
SRC=${2:?usage: bash test_x.sh /path/to/tradewar /path/to/source}
SCN=$SRC/tests/data/scenarios
T=$(mktemp -d "${TMPDIR:-/tmp}/tradewar-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
# Run the program: stdout in $T/out, stderr in $T/err, exit code in $RC.
run() {
    "$TW" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}
fail() {
    echo "FAIL: $*"
    echo "  command exit code: ${RC:-?}"
    echo "  stdout: $(head -c 600 "$T/out" 2>/dev/null)"
    echo "  stderr: $(head -c 600 "$T/err" 2>/dev/null)"
    FAILS=$((FAILS + 1))
}
# expect_rc CODE DESCRIPTION -- after run
expect_rc() { [ "$RC" -eq "$1" ] || fail "$2: exit $RC, expected $1"; }
# expect_in FILE TEXT DESCRIPTION (fixed string)
expect_in() { grep -qF -- "$2" "$1" || fail "$3: '$2' not in $(basename "$1")"; }
expect_empty() { [ ! -s "$1" ] || fail "$2: $(basename "$1") not empty"; }
# json_check PYTHON-EXPRESSION DESCRIPTION: evaluated with d = the JSON in $T/out
json_check() {
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$1" 2>>"$T/pyerr" || fail "$2: $1"
}
finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
}
