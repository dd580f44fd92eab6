#!/usr/bin/env bash
#
# test/suites/42-progress.sh -- retail_fdw.scan_progress: a slow scan in
# one session is seen from another while it runs (server, resource, series
# started of all, pages), and is gone once it ends.  The simulator answers
# each request after a delay so the scan takes a few seconds.
#
# Who sees what (production safety): a scan run by one role is seen by
# that role and by pg_read_all_stats, not by another role, whether or not
# it has USAGE on the server; request_stats shows a role only the servers
# it has USAGE on (no vendor error of another's server), and a second
# database sees none of the first's rows; request_stats_reset granted to a
# role forgets only what it may see.
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
# the workers name their leader; the share done is the whole scan's, alike on
# each of its rows, between 0 and 1
par=""
for _ in $(seq 1 50); do
    par=$(q "SELECT count(*) FILTER (WHERE leader_pid IS NOT NULL) || ' ' ||
                    count(*) FILTER (WHERE leader_pid IS NULL) || ' ' ||
                    bool_and(leader_pid IS NULL OR leader_pid IN
                             (SELECT pid FROM retail_fdw.scan_progress WHERE leader_pid IS NULL))
               FROM retail_fdw.scan_progress WHERE pid <> pg_backend_pid()
             HAVING count(*) FILTER (WHERE leader_pid IS NOT NULL) > 0")
    [ -n "$par" ] && break
    sleep 0.1
done
workers_named() { [ -n "$par" ] && [ "${par#* }" = "1 true" ]; }
check "a parallel worker's row names its leader (workers, leaders, all point at it: ${par:-none})" \
    workers_named
share=""
for _ in $(seq 1 80); do
    share=$(q "SELECT count(DISTINCT share_done) || ' ' || min(share_done)
                 FROM retail_fdw.scan_progress WHERE pid <> pg_backend_pid()
               HAVING min(share_done) > 0 AND max(share_done) < 1")
    [ -n "$share" ] && break
    sleep 0.1
done
share_alike() { [ -n "$share" ] && [ "${share%% *}" = 1 ]; }
check "the share done grows, the same on the leader's and the workers' rows (${share:-none})" share_alike

wait "$scan"
check "the scan itself completes" grep -qE '^[0-9]+$' "$RF_TMP/progress-scan.out"
check "a finished scan is no longer shown" [ "$(q 'SELECT count(*) FROM retail_fdw.scan_progress')" = 0 ]

# ---------------------------------------------------------------- who sees what
DB2=rf_progress_other
ROLES="rf_prog_a rf_prog_b rf_prog_c rf_prog_stats"
drop_roles() {
    for r in $ROLES; do
        psql -X -q -d "$DB" -c "DROP OWNED BY $r" >/dev/null 2>&1 || true
        psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
    done
}
drop_roles
$SIMCTL reset >/dev/null
"${PSQL[@]}" >/dev/null <<SQL
SET client_min_messages = warning;
SELECT retail_fdw.request_stats_reset() >= 0;
-- a: runs the scan (USAGE, a mapping, the table); b: no USAGE on journey;
-- c: USAGE on journey but not a's privileges; stats: pg_read_all_stats
CREATE ROLE rf_prog_a;
CREATE ROLE rf_prog_b;
CREATE ROLE rf_prog_c;
CREATE ROLE rf_prog_stats IN ROLE pg_read_all_stats;
GRANT USAGE ON SCHEMA retail_fdw TO rf_prog_a, rf_prog_b, rf_prog_c, rf_prog_stats;
GRANT USAGE ON FOREIGN SERVER journey TO rf_prog_a, rf_prog_c;
CREATE USER MAPPING FOR rf_prog_a SERVER journey OPTIONS (token 'journey-secret-token');
GRANT USAGE ON SCHEMA j TO rf_prog_a;
GRANT SELECT ON j.visit_journey_events TO rf_prog_a;
SQL
# as ROLE SQL: one statement as a role (the simulator is on loopback http,
# which the network policy opens for non-superusers only when listed)
as() {
    psql -X -q -At -d "${ASDB:-$DB}" -c "SET retail_fdw.allowed_hosts = '127.0.0.1'" \
        -c "SET ROLE $1" -c "$2" 2>&1
}

$SIMCTL config '{"latency_ms": 400}' >/dev/null
as rf_prog_a "SELECT count(*) FROM j.visit_journey_events
    WHERE event_start >= '2025-08-01' AND event_start < '2025-08-21'" >"$RF_TMP/progress-role.out" &
scan=$!
others="pid <> pg_backend_pid()"
seen=0
for _ in $(seq 1 50); do
    seen=$(q "SELECT count(*) FROM retail_fdw.scan_progress WHERE $others")
    [ "$seen" -gt 0 ] && break
    sleep 0.1
done
by_a=$(as rf_prog_a "SELECT count(*) FROM retail_fdw.scan_progress WHERE $others")
by_b=$(as rf_prog_b "SELECT count(*) FROM retail_fdw.scan_progress")
by_c=$(as rf_prog_c "SELECT count(*) FROM retail_fdw.scan_progress")
by_stats=$(as rf_prog_stats "SELECT count(*) FROM retail_fdw.scan_progress")
still=$(q "SELECT count(*) FROM retail_fdw.scan_progress WHERE $others")
echo "# progress rows: superuser $seen, a $by_a, b $by_b, c $by_c, pg_read_all_stats $by_stats, superuser after $still"
check "a superuser sees the scan of rf_prog_a ($seen rows)" [ "$seen" -gt 0 ]
check "rf_prog_a sees its own scan from another session ($by_a rows)" [ "$by_a" -gt 0 ] 2>/dev/null
check "a role without USAGE on the server sees none of it ($by_b rows)" [ "$by_b" = 0 ]
check "a role with USAGE but not rf_prog_a's privileges sees none of it ($by_c rows)" [ "$by_c" = 0 ]
check "a member of pg_read_all_stats sees it ($by_stats rows)" [ "$by_stats" -gt 0 ] 2>/dev/null
check "...all while the scan still ran ($still rows after)" [ "$still" -gt 0 ]
wait "$scan"
check "rf_prog_a's scan completes" grep -qE '^[0-9]+$' "$RF_TMP/progress-role.out"
$SIMCTL config '{"latency_ms": 0}' >/dev/null

# a vendor error on journey (last_error names the vendor and its answer)
$SIMCTL fault '{"path_contains": "/bi/", "status": 400, "body": {"detail": "vendor-detail-of-journey"}, "times": -1}' >/dev/null
q "SELECT count(*) FROM j.visit_journey_events
    WHERE event_start >= '2025-08-01' AND event_start < '2025-08-02'" >/dev/null 2>&1
$SIMCTL reset >/dev/null
stat="SELECT count(*) || ' rows ' || count(last_error) || ' errors '
              || count(*) FILTER (WHERE last_error LIKE '%HTTP 400%') || ' http400'
         FROM retail_fdw.request_stats WHERE server = 'journey'"
su_stats=$(q "$stat")
a_stats=$(as rf_prog_a "$stat")
b_stats=$(as rf_prog_b "$stat")
b_all=$(as rf_prog_b "SELECT count(*) FROM retail_fdw.request_stats")
st_stats=$(as rf_prog_stats "$stat")
echo "# request_stats of journey: superuser $su_stats; a $a_stats; b $b_stats ($b_all in all); pg_read_all_stats $st_stats"
check "the superuser sees journey's statistics and its vendor error ($su_stats)" \
    grep -qE '^[1-9][0-9]* rows [1-9][0-9]* errors 1 http400$' <<<"$su_stats"
check "rf_prog_a (USAGE) sees them too ($a_stats)" [ "$a_stats" = "$su_stats" ]
check "rf_prog_b (no USAGE) sees no row of journey, no error ($b_stats)" [ "$b_stats" = "0 rows 0 errors 0 http400" ]
check "rf_prog_b sees no row at all ($b_all)" [ "$b_all" = 0 ]
check "pg_read_all_stats sees them ($st_stats)" [ "$st_stats" = "$su_stats" ]

# a second database: none of the first's rows (server OIDs repeat there)
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2" -c "CREATE DATABASE $DB2" 2>/dev/null
psql -X -q -d "$DB2" -c "SET client_min_messages = warning" -c "CREATE EXTENSION retail_fdw"
other=$(psql -X -q -At -d "$DB2" -c "SELECT count(*) FROM retail_fdw.request_stats")
other_st=$(ASDB=$DB2 as rf_prog_stats "SELECT count(*) FROM retail_fdw.request_stats")
check "another database shows none of this one's rows (superuser $other, pg_read_all_stats $other_st)" \
    eval '[ "$other" = 0 ] && [ "$other_st" = 0 ]'
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2"

# request_stats_reset granted to a role forgets only servers it has USAGE on
q "GRANT EXECUTE ON FUNCTION retail_fdw.request_stats_reset() TO rf_prog_b, rf_prog_a" >/dev/null
by_b=$(as rf_prog_b "SELECT retail_fdw.request_stats_reset()")
left=$(q "SELECT count(*) FROM retail_fdw.request_stats WHERE server = 'journey'")
check "rf_prog_b's reset removes nothing of journey (removed $by_b, $left left)" \
    eval '[ "$by_b" = 0 ] && [ "$left" -gt 0 ]'
by_a=$(as rf_prog_a "SELECT retail_fdw.request_stats_reset()")
left=$(q "SELECT count(*) FROM retail_fdw.request_stats WHERE server = 'journey'")
check "rf_prog_a's reset removes journey's rows (removed $by_a, $left left)" \
    eval '[ "$by_a" -gt 0 ] && [ "$left" = 0 ]'

drop_roles
$SIMCTL reset >/dev/null
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
exit "$FAILS"
