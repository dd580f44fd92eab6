#!/usr/bin/env bash
#
# test/suites/42-progress.sh -- retail_fdw.scan_progress: a slow scan in
# one session is seen from another while it runs (server, resource, series
# started of all, pages), and is gone once it ends.  The simulator answers
# each request after a delay so the scan takes a few seconds.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIMCTL:?}" "${SIM_JOURNEY_URL:?}" "${RF_TMP:?}"
DB=rf_progress
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
$SIMCTL reset
"${PSQL[@]}" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION retail_fdw;
CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', max_concurrency '2');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (token 'journey-secret-token');
CREATE SCHEMA j;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO j;
SQL

check "nothing is shown while no scan runs" [ "$(q 'SELECT count(*) FROM retail_fdw.scan_progress')" = 0 ]

$SIMCTL config '{"latency_ms": 400}' >/dev/null
psql -X -q -At -d "$DB" -c "SELECT count(*) FROM j.visit_journey_events
    WHERE event_start >= '2025-08-01' AND event_start < '2025-08-21'" >"$RF_TMP/progress-scan.out" 2>&1 &
scan=$!

seen=""
for _ in $(seq 1 50); do
    # a parallel plan (20 days) shows the leader and each worker, alike
    seen=$(q "SELECT DISTINCT server || ' ' || resource || ' ' || series_total
                FROM retail_fdw.scan_progress WHERE pid <> pg_backend_pid()")
    [ -n "$seen" ] && break
    sleep 0.1
done
check "another session sees the running scan ($seen)" [ "$seen" = "journey visit_journey_events 20" ]
moved=""
for _ in $(seq 1 50); do
    moved=$(q "SELECT sum(series_started) || ' ' || sum(pages) FROM retail_fdw.scan_progress
                WHERE pid <> pg_backend_pid() AND series_started > 0 AND pages > 0
                HAVING count(*) > 0")
    [ -n "$moved" ] && break
    sleep 0.1
done
check "its series and pages grow while it runs (${moved:-none})" [ -n "$moved" ]

wait "$scan"
check "the scan itself completes" grep -qE '^[0-9]+$' "$RF_TMP/progress-scan.out"
check "a finished scan is no longer shown" [ "$(q 'SELECT count(*) FROM retail_fdw.scan_progress')" = 0 ]

$SIMCTL reset >/dev/null
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
exit "$FAILS"
