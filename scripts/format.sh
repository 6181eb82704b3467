#!/usr/bin/env bash
# scripts/format.sh [--check] [FILE...] - clang-format the C sources with the
# repository's .clang-format: the tracked *.c and *.h files (src/, cli/,
# include/, tests/, examples/, bench/) unless FILEs are given.
#   (no option)  rewrite the files in place
#   --check      change nothing; list each file that would change with the
#                number of its lines that would, and exit 1 if any would
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = "--check" ]; then
    check=1
    shift
fi
command -v clang-format >/dev/null || { echo "format.sh: clang-format not found" >&2; exit 2; }
if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(git ls-files '*.c' '*.h')
fi
if [ "$check" = 0 ]; then
    clang-format -i --style=file "${files[@]}"
    exit 0
fi
bad=0 lines=0
for f in "${files[@]}"; do
    n=$(clang-format --style=file "$f" | diff "$f" - | grep -c '^<' || true)
    if [ "$n" -gt 0 ]; then
        echo "$f: $n lines"
        bad=$((bad + 1)) lines=$((lines + n))
    fi
done
if [ "$bad" -gt 0 ]; then
    echo "format.sh: $bad of ${#files[@]} files not formatted ($lines lines); run scripts/format.sh" >&2
    exit 1
fi
echo "format.sh: ${#files[@]} files formatted"
