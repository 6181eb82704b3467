# test_game_interrupt.sh - no lost work (issue 12): `optimal`, `war`, `talks`
# and `enforce` stopped by --time-limit or SIGINT write what they have,
# marked incomplete in every format (JSON "incomplete", a "# INCOMPLETE" line
# in the CSV files, a line in the table), exit 5 and leave
# OUTPUT/checkpoint.json; a rerun with the same options and --output resumes
# and gives the uninterrupted run's answer (welfare to 1e-5 percentage
# points: a resumed optimisation restarts from the point it had reached).
source "$(dirname "$0")/lib.sh" "$@"
TOY=$SRC/data/ossa2007/toy
[ -f "$TOY/trade_ijs.csv" ] || { echo "SKIP: data/ossa2007/toy missing"; exit 0; }

same_welfare() { # same_welfare A.json B.json KEY DESCRIPTION
    python3 - "$1" "$2" "$3" <<'PY' || fail "$4"
import json, math, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); k = sys.argv[3]
ca = {c["code"]: c for c in a["countries"]}; cb = {c["code"]: c for c in b["countries"]}
bad = [c for c in ca if c in cb and ca[c].get(k) is not None and
       not (abs(ca[c][k] - cb[c][k]) <= 1e-5)]
assert not bad, (k, bad, [(ca[c][k], cb[c][k]) for c in bad])
assert set(ca) == set(cb)
PY
}

check_case() { # check_case NAME KEY ARGS...
    local name=$1 key=$2
    shift 2
    local t0 t1
    t0=$(date +%s.%N)
    run "$@" -q --format json --output "$T/$name-full"
    expect_rc 0 "$name: uninterrupted run"
    t1=$(date +%s.%N)
    [ ! -e "$T/$name-full/checkpoint.json" ] || fail "$name: a finished run leaves no checkpoint"
    # a stop at the first progress report: every format marked incomplete
    run "$@" -q --format json --output "$T/$name-stop" --time-limit 0.001
    expect_rc 5 "$name: stopped by --time-limit"
    json_check 'd["incomplete"]["reason"].startswith("time limit") and d["solver"]["converged"] is False' "$name: JSON marked incomplete"
    expect_in "$T/$name-stop/countries.csv" "# INCOMPLETE: time limit" "$name: countries.csv marked"
    expect_in "$T/$name-stop/result.json" '"incomplete"' "$name: result.json marked"
    [ -s "$T/$name-stop/checkpoint.json" ] || fail "$name: checkpoint.json written"
    run "$@" -q --format csv --time-limit 0.001
    expect_rc 5 "$name: csv"
    expect_in "$T/out" "# INCOMPLETE" "$name: CSV on stdout marked"
    run "$@" -q --time-limit 0.001
    expect_rc 5 "$name: table"
    expect_in "$T/out" "INCOMPLETE (time limit" "$name: table marked"
    # resumed: the uninterrupted answer, no checkpoint left
    run "$@" --format json --output "$T/$name-stop"
    expect_rc 0 "$name: resumed"
    expect_in "$T/err" "resuming" "$name: says it resumes"
    [ ! -e "$T/$name-stop/checkpoint.json" ] || fail "$name: checkpoint removed when done"
    same_welfare "$T/$name-full/result.json" "$T/$name-stop/result.json" "$key" "$name: resumed = uninterrupted"
    # a stop half-way (when the machine is fast enough to get there), then resume
    local half
    half=$(python3 -c "print(max(0.05, ($t1 - $t0) / 2))")
    run "$@" -q --format json --output "$T/$name-half" --time-limit "$half"
    if [ "$RC" -eq 5 ]; then
        run "$@" -q --format json --output "$T/$name-half"
        expect_rc 0 "$name: resumed after a stop half-way"
        same_welfare "$T/$name-full/result.json" "$T/$name-half/result.json" "$key" "$name: resumed half-way = uninterrupted"
    else
        expect_rc 0 "$name: half-way run"
    fi
}

check_case optimal welfare_pct optimal --data "$TOY" --country Country2
check_case war welfare_pct war --data "$TOY" --players Country1,Country2,Country3 --partners players
check_case talks bargaining_welfare_pct talks --data "$TOY" --players Country1,Country2,Country3
check_case enforce welfare_pct enforce cooperative --data "$TOY" --players Country1,Country2

# another options' checkpoint is not resumed
run war -q --data "$TOY" --players Country1,Country2 --partners players --output "$T/other" --time-limit 0.001
expect_rc 5 "war stopped"
run war --data "$TOY" --players Country1,Country3 --partners players --output "$T/other"
expect_rc 0 "war with other players"
expect_in "$T/err" "not resumed" "a checkpoint of other options is not resumed"

# SIGINT: the same as a time limit, with its reason
"$TW" talks --data "$TOY" --players Country1,Country2,Country3 --format json --output "$T/sig" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.3
kill -INT "$pid" 2>/dev/null
wait "$pid"
RC=$?
if [ "$RC" -eq 5 ]; then
    json_check 'd["incomplete"]["reason"] == "interrupted (SIGINT)"' "SIGINT: reason"
    [ -s "$T/sig/checkpoint.json" ] || fail "SIGINT: checkpoint written"
else
    expect_rc 0 "SIGINT after the run finished"
fi
run talks --data "$TOY" --players Country1 --time-limit -1
expect_rc 2 "bad --time-limit"
finish
