#!/usr/bin/env bash
#
# test/memcheck.sh -- the regression suite (pg_regress, as in run-tests.sh)
# against a PostgreSQL 15 server running under valgrind memcheck.
#
# The postmaster and every backend run under
#   valgrind --trace-children=yes --leak-check=no --track-origins=yes
# with test/valgrind.supp (PostgreSQL's own known reports, which a server
# built without USE_VALGRIND makes).  Afterwards every error report is
# sorted: reports with a frame in retail_fdw.so are ours and fail the run;
# (by its name, or our sources' paths when it has debug information); the
# others are listed and counted, but do not fail it.  Regression diffs
# (timing-dependent output is slower under valgrind) are shown too and do
# not fail the run either: this checks memory safety, run-tests.sh checks
# results.
#
#   RF_KEEP=1           keep $RF_TMP (valgrind logs in $RF_TMP/valgrind)
#   MEMCHECK_TESTS="a b" run only these regression tests (setup first)
#   MEMCHECK_SUPP=FILE  suppressions instead of test/valgrind.supp
#
# Takes 2-3 minutes (the suite runs about 6 times slower than without
# valgrind).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/lib.sh
. test/lib.sh
cd "$RF_REPO"

command -v valgrind >/dev/null 2>&1 || rf_die "valgrind is not installed"

rf_ensure_packages
rf_build_install WERROR=1
rf_tmp
rf_start_sim --seed 42 --option journey.stores=3

pgdata="$RF_TMP/pgdata"
vglogs="$RF_TMP/valgrind"
mkdir -p "$pgdata" "$vglogs"
chmod 700 "$pgdata"
if _rf_is_root; then
    chown postgres: "$pgdata" "$vglogs"
fi
rf_log "initdb in $pgdata"
_rf_as_pg "$RF_PGBIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 \
    --locale=C -N >"$RF_TMP/initdb.log" 2>&1 || { _rf_tail "$RF_TMP/initdb.log"; rf_die "initdb failed"; }
RF_PGDATA="$pgdata"
export RF_PGDATA
port=$(_rf_free_port) || rf_die "no free TCP port found"

rf_log "starting PostgreSQL under valgrind (port $port)"
_rf_as_pg valgrind --trace-children=yes --leak-check=no --track-origins=yes \
    --num-callers=40 --error-markers=VG-ERROR-BEGIN,VG-ERROR-END --fullpath-after= \
    --suppressions="${MEMCHECK_SUPP:-$RF_REPO/test/valgrind.supp}" \
    --log-file="$vglogs/%p.log" \
    "$RF_PGBIN/postgres" -D "$pgdata" -p "$port" -k "$RF_TMP" \
    -c listen_addresses= -c fsync=off -c jit=off -c max_connections=20 \
    -c shared_buffers=16MB -c autovacuum=off -c log_min_messages=warning \
    -c statement_timeout=0 -c shared_preload_libraries=retail_fdw \
    >"$RF_TMP/pg.log" 2>&1 &

for _ in $(seq 1 600); do
    if "$RF_PGBIN/pg_isready" -q -h "$RF_TMP" -p "$port" -U postgres; then
        break
    fi
    sleep 0.5
done
"$RF_PGBIN/pg_isready" -q -h "$RF_TMP" -p "$port" -U postgres \
    || { _rf_tail "$RF_TMP/pg.log"; rf_die "PostgreSQL under valgrind did not start"; }
export PGHOST="$RF_TMP" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
export PG_LOG="$RF_TMP/pg.log"

make_args=()
if [ -n "${MEMCHECK_TESTS:-}" ]; then
    make_args=(REGRESS="setup ${MEMCHECK_TESTS}")
fi
rf_log "pg_regress under valgrind"
rm -f regression.diffs regression.out
start=$SECONDS
set +e
make PG_CONFIG="$RF_PG_CONFIG" "${make_args[@]}" installcheck >"$RF_TMP/regress.log" 2>&1
regress_rc=$?
set -e
regress_secs=$((SECONDS - start))
grep -E '^(ok|not ok|test |     [a-z_]+ +\.\.\.)|^#|tests (passed|failed)' "$RF_TMP/regress.log" || tail -n 30 "$RF_TMP/regress.log"

rf_log "stopping the server"
_rf_as_pg "$RF_PGBIN/pg_ctl" -D "$pgdata" -m fast -w -t 300 stop >/dev/null 2>&1 || true

# Sort the error reports
ours=0
others=0
report="$RF_TMP/memcheck-ours.txt"
: >"$report"
for log in "$vglogs"/*.log; do
    [ -s "$log" ] || continue
    while IFS= read -r -d $'\x1e' block; do
        [ -n "$block" ] || continue
        if grep -qF -e 'retail_fdw.so' -e "$RF_REPO/fdw/" <<<"$block"; then
            ours=$((ours + 1))
            printf '%s\n%s\n\n' "---- $(basename "$log")" "$block" >>"$report"
        else
            others=$((others + 1))
            printf '%s\n%s\n\n' "---- $(basename "$log")" "$block" >>"$RF_TMP/memcheck-others.txt"
        fi
    done < <(awk '/VG-ERROR-BEGIN/ {inblk = 1; blk = ""; next}
                  /VG-ERROR-END/ {if (inblk) printf "%s\x1e", blk; inblk = 0; next}
                  inblk {sub(/^==[0-9]+== ?/, ""); blk = blk $0 "\n"}' "$log")
done
nprocs=$(find "$vglogs" -name '*.log' | wc -l)

echo
echo "==================== memcheck summary ===================="
echo "pg_regress: exit $regress_rc after ${regress_secs}s (diffs under valgrind are informational)"
if [ "$regress_rc" -ne 0 ] && [ -s regression.diffs ]; then
    echo "---- regression.diffs (first 60 lines) ----"
    head -n 60 regression.diffs
fi
echo "valgrind: $nprocs processes; $ours error reports with a frame in retail_fdw.so, $others elsewhere"
if [ "$others" -gt 0 ]; then
    echo "---- reports outside retail_fdw.so (first 40 lines; all in $RF_TMP/memcheck-others.txt) ----"
    head -n 40 "$RF_TMP/memcheck-others.txt"
fi
if [ "$ours" -gt 0 ]; then
    echo "---- reports in retail_fdw.so ----"
    cat "$report"
    echo "memcheck FAILED"
    exit 1
fi
echo "memcheck passed"
