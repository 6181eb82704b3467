# test_sweep_mpi.sh - tradewar sweep under mpirun with 2 local ranks gives the files of
# a run on one process, byte for byte. Skipped when the program was built without MPI,
# when mpirun is missing, and in sanitizer builds (OpenMPI's own leaks and races drown
# LeakSanitizer; the non-MPI paths are covered there by test_sweep and test_sweep_resume).
source "$(dirname "$0")/lib.sh" "$@"
D=$SRC/tests/data/sweep
if ! "$TW" sweep --help | grep -q "MPI: built in"; then
    echo "SKIP: tradewar built without MPI"; exit 0
fi
if ! command -v mpirun >/dev/null; then
    echo "SKIP: no mpirun"; exit 0
fi
if ldd "$TW" 2>/dev/null | grep -q libasan; then
    echo "SKIP: sanitizer build"; exit 0
fi
# as root (CI), in containers without a network: the flags OpenMPI needs
MPI=(mpirun --oversubscribe)
[ "$(id -u)" -ne 0 ] || MPI+=(--allow-run-as-root)
MPIRUN=("${MPI[@]}" -np 2)
export OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
ARGS=(sweep -q "$D/war-fixed.yaml" --draws 30 --seed 5 --theta-se 0.05x --no-chart)

run "${ARGS[@]}" --threads 2 --output "$T/one"
expect_rc 0 "one process, 2 threads"
"${MPIRUN[@]}" "$TW" "${ARGS[@]}" --threads 1 --output "$T/two" >"$T/out" 2>"$T/err"
RC=$?
expect_rc 0 "mpirun -np 2"
for f in summary.json summary.csv draws.csv; do
    cmp -s "$T/one/$f" "$T/two/$f" || fail "$f differs between 1 process and 2 ranks"
done
grep -q "^Sweep: 1 point" "$T/out" || fail "rank 0 prints the table once"
[ "$(grep -c '^Sweep:' "$T/out")" -eq 1 ] || fail "only rank 0 prints"

# resuming under MPI: more draws into the same directory
"${MPIRUN[@]}" "$TW" "${ARGS[@]}" --threads 1 --output "$T/two" >"$T/out" 2>"$T/err"
RC=$?
expect_rc 0 "mpirun rerun"
cmp -s "$T/one/summary.json" "$T/two/summary.json" || fail "rerun under MPI changed the summary"

# several points, the default domain (redrawn draws, uneven solve times), ranks
# with 2 threads each and 3 ranks: draws are handed out on request, and the files
# are still those of one process
GRID=(sweep -q "$D/war.yaml" --grid us=0.1,0.3 --grid cn=0.15 --seed 9 --no-chart)
G=("${GRID[@]}" --draws 25)
run "${G[@]}" --threads 1 --output "$T/g1"
expect_rc 0 "grid on one process"
for np in 2 3; do
    "${MPI[@]}" -np $np "$TW" "${G[@]}" --threads 2 --output "$T/g$np" >"$T/out" 2>"$T/err"
    RC=$?
    expect_rc 0 "grid under mpirun -np $np"
    for f in summary.json summary.csv draws.csv; do
        cmp -s "$T/g1/$f" "$T/g$np/$f" || fail "$f differs between 1 process and $np ranks"
    done
done
# more draws added to a finished run under MPI equal a fresh run with that many
"${MPI[@]}" -np 2 "$TW" "${GRID[@]}" --draws 40 --threads 1 --output "$T/g2" >"$T/out" 2>"$T/err"
RC=$?
expect_rc 0 "more draws under mpirun"
run "${GRID[@]}" --draws 40 --threads 2 --output "$T/g40"
cmp -s "$T/g2/summary.json" "$T/g40/summary.json" || fail "draws added under MPI differ from a fresh run"
finish
