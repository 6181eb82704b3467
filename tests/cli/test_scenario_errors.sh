# test_scenario_errors.sh - bad scenario files: exit 3 and a message naming file and line;
# nasty inputs never crash the program.
source "$(dirname "$0")/lib.sh" "$@"

# bad_scenario FILE EXIT TEXT: solve FILE on the bundled data
bad_scenario() {
    run solve -q "$1"
    expect_rc "$2" "$(basename "$1")"
    expect_in "$T/err" "$3" "$(basename "$1") message"
    expect_empty "$T/out" "$(basename "$1") prints no results"
}
bad_scenario "$SCN/unknown-country.yaml" 3 "unknown-country.yaml:5: unknown country 'CHX' in exporter"
bad_scenario "$SCN/malformed.yaml" 3 "malformed.yaml:5: malformed YAML"
bad_scenario "$SCN/names-nothing.yaml" 3 "names-nothing.yaml:7: tariff rule names nothing"
bad_scenario "$SCN/unknown-key.yaml" 3 "unknown-key.yaml:7: unknown key 'factor' in trade_cost"
bad_scenario "$T/missing.yaml" 4 "$T/missing.yaml: cannot open"
# errors are prefixed with the program name
run solve -q "$SCN/unknown-country.yaml"
expect_in "$T/err" "tradewar: $SCN/unknown-country.yaml:5:" "message format"

# a scenario from standard input
"$TW" solve -q - <"$SCN/unknown-country.yaml" >"$T/out" 2>"$T/err"
RC=$?
expect_rc 3 "stdin scenario"
expect_in "$T/err" "<stdin>:5: unknown country 'CHX'" "stdin scenario message"

# the scenario is checked before the data are loaded: a syntax error wins over bad data
run solve -q --data "$T/nowhere" "$SCN/unknown-key.yaml"
expect_rc 3 "syntax checked first"

# nasty inputs: each gives a clean error (exit 3 or 4), never a crash (exit > 128)
nasty() {
    printf '%b' "$2" >"$T/$1"
    run solve -q "$T/$1"
    if [ "$RC" -ne 3 ] && [ "$RC" -ne 4 ]; then fail "nasty input $1: exit $RC"; fi
    [ -s "$T/err" ] || fail "nasty input $1: no message"
}
nasty empty.yaml ''
nasty binary.yaml '\x00\x01\x02\xff\xfe\x00garbage'
nasty notutf8.yaml 'name: \xc3\x28\npolicies: []\n'
nasty list.yaml '- 1\n- 2\n'
nasty scalar.yaml 'just text\n'
nasty alias.yaml 'a: &x [*x]\npolicies: [*x]\n'
nasty selfref.yaml 'policies: &p\n  - tariff: *p\n'
nasty tab.yaml 'policies:\n\t- tariff: {}\n'
nasty twodocs.yaml 'policies: []\n---\npolicies: []\n'
nasty hugenum.yaml 'policies:\n  - tariff: {importer: USA, exporter: CHN, set: 1e400}\n'
nasty percent.yaml 'policies:\n  - tariff: {importer: USA, exporter: CHN, add: 25%}\n'
nasty nullrule.yaml 'policies:\n  - tariff:\n'
nasty emptystr.yaml 'policies:\n  - tariff: {importer: "", exporter: CHN, set: 0}\n'
python3 -c 'print("policies: " + "[" * 20000 + "]" * 20000)' >"$T/deep.yaml"
run solve -q "$T/deep.yaml"
[ "$RC" -eq 3 ] || [ "$RC" -eq 4 ] || fail "deeply nested YAML: exit $RC"
python3 -c '
print("groups:\n  countries:")
for k in range(500): print("    g%d: [g%d]" % (k, k + 1))
print("    g500: [USA]\npolicies:\n  - tariff: {importer: g0, exporter: CHN, add: 0.1}")' >"$T/chain.yaml"
run solve -q "$T/chain.yaml"
expect_rc 3 "groups nested 500 deep"
expect_in "$T/err" "nest more than" "groups nested 500 deep"
run solve -q "$T"
[ "$RC" -eq 4 ] || fail "a directory as scenario: exit $RC"
finish
