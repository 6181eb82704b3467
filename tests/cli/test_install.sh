# test_install.sh - the manual pages and shell completion, installed by
# `cmake --install` into a temporary prefix: `man tradewar-report` shows the
# page; every command has one, made from its --help (every option of
# `tradewar CMD --help` is in the page); bash completion gives commands,
# options and the data set's country and sector codes (lists too); the zsh
# script parses.
source "$(dirname "$0")/lib.sh" "$@"
BUILD=$(cd "$(dirname "$TW")" && pwd)
P=$T/prefix
if ! command -v help2man >/dev/null || [ ! -f "$BUILD/man/tradewar.1" ]; then
    echo "FAIL: no manual pages in $BUILD/man (help2man: scripts/setup.sh installs it)"
    exit 1
fi
cmake --install "$BUILD" --prefix "$P" >"$T/install" 2>&1 || { cat "$T/install"; fail "cmake --install"; }
export MANPATH=$P/share/man MANWIDTH=100
man tradewar-report >"$T/out" 2>"$T/err"
RC=$?
expect_rc 0 "man tradewar-report"
grep -qE "tradewar-report +- +compare +a +scenario" "$T/out" || fail "the page's NAME"
expect_in "$T/out" "--html FILE" "the page's OPTIONS (the --help text)"
man tradewar >"$T/out" 2>"$T/err"
RC=$?
expect_rc 0 "man tradewar"
expect_in "$T/out" "tradewar-sweep(1)" "SEE ALSO names the command pages"
for cmd in $("$TW" __complete commands); do
    [ "$cmd" = help ] && continue
    man "tradewar-$cmd" >/dev/null 2>"$T/err" || { fail "man tradewar-$cmd"; continue; }
    # the roff source, unescaped (the formatted page hyphenates long options)
    sed -e 's/\\-/-/g' -e 's/\\f[BIR]//g' -e 's/\\\///g' "$P/share/man/man1/tradewar-$cmd.1" >"$T/page"
    for flag in $("$TW" __complete flags "$cmd"); do
        grep -qF -- "$flag" "$T/page" || fail "tradewar-$cmd(1) lacks $flag of its --help"
    done
done
run __complete sectors /nonexistent
expect_rc 3 "__complete with a bad data set"
expect_empty "$T/out" "__complete prints no codes for a bad data set"
run __complete nonsense
expect_rc 2 "__complete nonsense"

# bash: COMPREPLY for a command line (the installed script, without bash-completion's helpers)
complete_line() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tradewar; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$P/share/bash-completion/completions/tradewar" "$TW" "$@" 2>&1
}
expect_words() { # DESCRIPTION EXPECTED -- WORDS...
    local what=$1 want=$2
    shift 3
    local got
    got=$(complete_line "$@" | sort | tr '\n' ' ')
    [ "$got" = "$want" ] || { echo "  got: '$got'"; fail "bash completion: $what (expected '$want')"; }
}
expect_words "a command" "report " -- rep
expect_words "commands starting with t" "talks tariffs timeline " -- t
expect_words "a report option" "--html " -- report --ht
expect_words "a country after --focus" "USA " -- report --focus US
expect_words "the next country of a list" "USA,CHN " -- war --players USA,CH
expect_words "a sector after --sectors" "agriculture " -- talks --sectors agri
expect_words "the codes of --data's data set" "Country1 Country2 Country3 Country4 Country5 Country6 Country7 " \
    -- optimal --data "$SRC/data/ossa2007/toy" --country Coun
expect_words "help COMMAND" "sweep " -- help sw
if command -v zsh >/dev/null; then
    zsh -n "$P/share/zsh/site-functions/_tradewar" || fail "the zsh completion parses"
else
    echo "note: zsh not installed; the zsh script is not checked"
fi
finish
