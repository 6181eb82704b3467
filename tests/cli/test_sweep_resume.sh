# test_sweep_resume.sh - a sweep killed with SIGKILL and run again with the same
# command computes only what is missing and ends with the files of an
# uninterrupted run, byte for byte; a torn last record is cut off and redone.
source "$(dirname "$0")/lib.sh" "$@"
D=$SRC/tests/data/sweep
ARGS=(sweep -q "$D/war-fixed.yaml" --draws 150 --seed 11 --theta-se 0.05x --threads 2 --no-chart)

run "${ARGS[@]}" --output "$T/whole"
expect_rc 0 "uninterrupted run"

# start, wait for some records (header 16 bytes + records), kill -9
"$TW" "${ARGS[@]}" --output "$T/cut" >/dev/null 2>&1 &
pid=$!
# bytes per record for us-china-2017 (header 48): 23 per-country outputs (TW_C_COUNT) x 7,
# theta and psi x 44
rec=$(( 48 + (23 * 7 + 2 * 44) * 8 + 8 ))
for _ in $(seq 1 600); do
    size=$(stat -c %s "$T/cut/records.twr" 2>/dev/null || echo 0)
    [ "$size" -ge $((16 + 20 * rec)) ] && break
    sleep 0.05
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
size=$(stat -c %s "$T/cut/records.twr")
n_before=$(( (size - 16) / rec ))
[ "$n_before" -ge 20 ] || fail "records before the kill ($n_before)"
echo "killed after $n_before of 151 records"
if [ "$n_before" -ge 151 ]; then
    echo "note: the run finished before it was killed; the resume below redoes nothing"
fi
[ ! -e "$T/cut/summary.json" ] || [ "$n_before" -ge 151 ] || fail "no summary from a killed run"

# a torn record at the end, as a crash mid-write would leave
head -c 100 /dev/urandom >>"$T/cut/records.twr"

run "${ARGS[@]}" -v --output "$T/cut"
expect_rc 0 "resumed run"
expect_in "$T/err" "resuming: $n_before of 151 solves already in" "resume note"
expect_in "$T/err" "$((151 - n_before)) solves to do" "only the missing solves"
for f in summary.json summary.csv draws.csv; do
    cmp -s "$T/whole/$f" "$T/cut/$f" || fail "$f differs from the uninterrupted run's"
done
size=$(stat -c %s "$T/cut/records.twr")
[ $(( (size - 16) % rec )) -eq 0 ] && [ $(( (size - 16) / rec )) -eq 151 ] || fail "records file: $size bytes"

# a third run finds everything done and solves nothing
run "${ARGS[@]}" -v --output "$T/cut"
expect_rc 0 "complete run"
expect_in "$T/err" "0 solves to do" "nothing left"
cmp -s "$T/whole/summary.json" "$T/cut/summary.json" || fail "summary after a no-op run"
finish
