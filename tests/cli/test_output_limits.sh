# test_output_limits.sh - output directories all or none when writing fails
# part-way (issue 14): a file-size limit (ulimit -f: SIGXFSZ is an I/O error,
# not a kill), a full file system (a 64 KiB tmpfs, when this runs as root) and
# a full standard output (/dev/full). Each gives exit 4 and leaves neither a
# result nor a hidden temporary file; timeline and report include their charts.
source "$(dirname "$0")/lib.sh" "$@"
# the charts' libraries keep allocations LeakSanitizer reports (ASan build)
export LSAN_OPTIONS="suppressions=$SRC/tests/cli/lsan-plplot.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
SC=$SCN/staged.yaml

# nothing_in DIR WHAT: DIR is absent or empty (hidden files included)
nothing_in() {
    [ ! -e "$1" ] || [ -z "$(ls -A "$1")" ] || fail "$2 left files: $(ls -A "$1" | head -5 | tr '\n' ' ')"
}

# limited KBYTES ARGS...: run under a file-size limit of KBYTES (1024-byte blocks)
limited() {
    local kb=$1
    shift
    (ulimit -f "$kb" && exec "$TW" "$@") >"$T/out" 2>"$T/err"
    RC=$?
}

# The charts are larger than 20 KiB, the CSV and JSON files smaller: the limit
# strikes after some files of the batch are complete.
for cmd in report timeline; do
    limited 20 $cmd -q "$SC" --output "$T/$cmd-f"
    expect_rc 4 "$cmd under ulimit -f 20"
    nothing_in "$T/$cmd-f" "$cmd under ulimit -f 20"
done
# timeline's CSV and JSON files fit: the limit strikes in a chart
expect_in "$T/err" "welfare.png" "timeline: the chart hit the limit"
limited 2 waves -q --tariffs "$SRC/data/us-china-tariffs" --data "$SRC/data/us-china-2017" \
    --output "$T/waves-f"
expect_rc 4 "waves under ulimit -f 2"
nothing_in "$T/waves-f" "waves under ulimit -f 2"
limited 1 solve -q "$SC" --output "$T/solve-f"
expect_rc 4 "solve under ulimit -f 1"
nothing_in "$T/solve-f" "solve under ulimit -f 1"
# without charts the same commands fit and succeed
limited 20 timeline -q "$SC" --charts none --output "$T/tl-ok"
expect_rc 0 "timeline --charts none under ulimit -f 20"
[ -s "$T/tl-ok/timeline.csv" ] || fail "timeline --charts none: no timeline.csv"

# a sweep cut by the limit while appending its records: exit 4, then a rerun
# without the limit resumes to the same summary as an uncut run
TOY=$SRC/data/ossa2007/toy
printf 'policies:\n  - tariff: {importer: Country1, exporter: all, add: 0.1}\n' >"$T/toy.yaml"
limited 4 sweep -q --data "$TOY" --draws 40 --threads 1 --output "$T/sw-cut" "$T/toy.yaml"
expect_rc 4 "sweep under ulimit -f 4"
expect_in "$T/err" "File too large" "sweep under ulimit -f 4"
run sweep -q --data "$TOY" --draws 40 --threads 1 --output "$T/sw-cut" "$T/toy.yaml"
expect_rc 0 "sweep resumed without the limit"
run sweep -q --data "$TOY" --draws 40 --threads 1 --output "$T/sw-whole" "$T/toy.yaml"
cmp -s "$T/sw-cut/summary.csv" "$T/sw-whole/summary.csv" ||
    fail "the resumed sweep's summary differs from an uncut run's"
[ -z "$(ls -A "$T/sw-cut" | grep '^\.')" ] || fail "sweep left temporary files"

# standard output that cannot be written
"$TW" solve -q "$SC" >/dev/full 2>"$T/err"
RC=$?
expect_rc 4 "solve to /dev/full"
"$TW" timeline -q "$SC" --format json >/dev/full 2>"$T/err"
RC=$?
expect_rc 4 "timeline to /dev/full"

# a full file system: needs mount (root); skipped otherwise
mkdir "$T/small"
if mount -t tmpfs -o size=64k tmpfs "$T/small" 2>/dev/null; then
    trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
    for cmd in timeline report; do
        run $cmd -q "$SC" --output "$T/small/$cmd"
        expect_rc 4 "$cmd on a full 64 KiB file system"
        nothing_in "$T/small/$cmd" "$cmd on a full file system"
    done
    umount "$T/small"
else
    echo "note: no tmpfs mount (not root): the full-disk case is skipped"
fi
finish
