#!/usr/bin/env bash
# gen-man.sh TRADEWAR OUTDIR - the manual pages tradewar(1) and tradewar-CMD(1),
# made by help2man from `tradewar --help` and `tradewar CMD --help`: the same
# text the program prints, so the pages cannot drift from it. Run by the build
# (CMakeLists.txt, "manual pages and shell completion").
set -euo pipefail
TW=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
# "command|description" from the Commands: section of `tradewar --help`
# (first line of each; `help` is no page of its own)
mapfile -t COMMANDS < <("$TW" --help | awk '
  /^Commands:/ { on = 1; next }
  on && /^$/ { if (cmd != "" && cmd != "help") print cmd "|" text; exit }
  on && /^  [a-z]/ {
    if (cmd != "" && cmd != "help") print cmd "|" text
    cmd = $1; text = $0
    sub(/^  [a-z]+( [A-Z]+)? +/, "", text)
    next
  }
  on && /^    / { line = $0; sub(/^ +/, "", line); text = text " " line }')
[ ${#COMMANDS[@]} -gt 0 ] || { echo "gen-man.sh: no commands in $TW --help" >&2; exit 1; }
see_also="tradewar(1)"
for c in "${COMMANDS[@]}"; do see_also+=", tradewar-${c%%|*}(1)"; done
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
printf '[SEE ALSO]\n%s\n.PP\nThe user'"'"'s guide: docs/cli.md in the source tree.\n' "$see_also" >"$inc"
# help2man runs "$TW --help"; a fixed date keeps the pages reproducible
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}
help2man --no-info --no-discard-stderr --include="$inc" \
  --name="trade-war general-equilibrium model: counterfactuals, optimal policy, wars, talks" \
  --version-option=--version "$TW" >"$OUT/tradewar.1"
for c in "${COMMANDS[@]}"; do
  cmd=${c%%|*}
  name=${c#*|}
  page="tradewar-$cmd"
  help2man --no-info --no-discard-stderr --include="$inc" --name="$name" \
    --help-option="$cmd --help" --version-option=--version "$TW" |
    sed -e "s/^\.TH TRADEWAR /.TH ${page^^} /" -e "s/^tradewar \\\\- /$page \\\\- /" \
        >"$OUT/$page.1"
done
