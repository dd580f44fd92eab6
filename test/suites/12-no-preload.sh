#!/usr/bin/env bash
#
# test/suites/12-no-preload.sh -- retail_fdw in a cluster that does NOT
# preload it, as test/demo.sh runs it and as many users will: CREATE
# EXTENSION loads the library in a running server, where PostgreSQL refuses
# settings fixed at server start.  The library must load, query the
# simulator, and keep its request statistics per session.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${RF_TMP:?run from test/run-tests.sh}" "${RF_PGBIN:?}" "${SIM_JOURNEY_URL:?}"
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
DB=postgres
NP=$RF_TMP/no-preload
PGDATA_NP=$NP/pgdata
mkdir -p "$NP"
PGPORT=$(_rf_free_port) || { echo "not ok - no free port"; exit 1; }
export PGHOST=$NP PGPORT PGUSER=postgres PGDATABASE=postgres
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$NP"; fi

cleanup() {
    _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_NP" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

rf_init_small_cluster "$NP" "$PGDATA_NP" "$PGPORT" || exit 1
if ! _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_NP" -w -t 60 -l "$NP/pg.log" start \
    >"$NP/pg_ctl.log" 2>&1; then
    cat "$NP/pg_ctl.log"
    echo "not ok - the cluster without preloading did not start"
    exit 1
fi

out=$(psql -X -q -At -v ON_ERROR_STOP=1 2>&1 <<SQL
CREATE EXTENSION retail_fdw;
CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (token 'journey-secret-token');
CREATE SCHEMA j;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO j;
SELECT 'rows ' || (count(*) > 0) FROM j.visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
SELECT 'stats ' || scope || ' ' || (requests > 0) FROM retail_fdw.request_stats WHERE server = 'journey';
SQL
)
check "CREATE EXTENSION loads the library in a running server" eval '! has "$out" "FATAL" && ! has "$out" "ERROR"'
check "a pushed-down query answers" has "$out" "rows true"
check "request statistics are kept per session" has "$out" "stats session true"
check "the server log shows no crash" eval '! grep -qE "terminated by signal|PANIC|FATAL" "$NP/pg.log"'
[ "$FAILS" -eq 0 ] || { echo "$out"; tail -n 20 "$NP/pg.log"; }
exit "$FAILS"
