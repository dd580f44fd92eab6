#!/usr/bin/env bash
#
# test/suites/40-ecosystem.sh -- the habits around retail_fdw, with the real
# components they use, against the shared cluster and simulator of
# test/run-tests.sh (which preloads retail_fdw and pg_cron).
#
#   1. pg_cron refreshes a materialized view over a foreign table on a
#      schedule, and the refresh picks up new data from the vendor
#   2. pg_cron runs retail_fdw.sync on a schedule into a local table
#   3. request_stats is shared across sessions: the requests of pg_cron's
#      background workers show in the view read by another session
#
# pg_cron 1.4 schedules by the minute, so this suite waits up to ~75 s.
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks (0 = all passed).
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIMCTL:?}" "${SIM_JOURNEY_URL:?}"
# pg_cron works in the database named by cron.database_name
DB=postgres
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"

cleanup() {
    "${PSQL[@]}" -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE 'rf-%'" \
        >/dev/null 2>&1 || true
    "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS eco CASCADE" -c "DROP SERVER IF EXISTS eco_journey CASCADE" \
        >/dev/null 2>&1 || true
    $SIMCTL reset >/dev/null 2>&1 || true
    # /_sim/reset keeps data knobs: put back the run's default
    $SIMCTL config '{"journey": {"visits_per_day": 20}}' >/dev/null 2>&1 || true
}
trap cleanup EXIT

$SIMCTL reset
$SIMCTL config '{"journey": {"visits_per_day": 20}}' >/dev/null
if ! "${PSQL[@]}" >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS retail_fdw;
DROP SCHEMA IF EXISTS eco CASCADE;
DROP SERVER IF EXISTS eco_journey CASCADE;
CREATE SERVER eco_journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', max_retries '2', retry_max_wait_ms '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER eco_journey OPTIONS (token 'journey-secret-token');
CREATE SCHEMA eco;
IMPORT FOREIGN SCHEMA journey FROM SERVER eco_journey INTO eco;

-- daily traffic per store, refreshed by pg_cron
CREATE MATERIALIZED VIEW eco.daily_traffic AS
  SELECT store_code, (event_start AT TIME ZONE 'UTC')::date AS day,
         count(DISTINCT visit_id) AS visits, sum(dwell_time_seconds) AS dwell
    FROM eco.visit_journey_events
   WHERE event_start >= '2025-08-01 00:00+00' AND event_start < '2025-08-03 00:00+00'
   GROUP BY 1, 2;
CREATE UNIQUE INDEX ON eco.daily_traffic (store_code, day);

-- a local copy kept up to date by retail_fdw.sync
CREATE TABLE eco.events_local (LIKE eco.visit_journey_events);
CREATE UNIQUE INDEX ON eco.events_local (visit_id, zone_serial_code, event_start);
SELECT rows_inserted > 0 FROM retail_fdw.sync('eco.visit_journey_events', 'eco.events_local',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-01 00:00+00', until => '2025-08-03 00:00+00');
SQL
then
    notok "set-up (pg_cron, server, materialized view, first sync)"
    exit 1
fi

TOTALS="SELECT sum(visits) || '/' || sum(dwell)"
old_mv=$(q "$TOTALS FROM eco.daily_traffic")
# The vendor's data changes: twice as many visits a day from now on.
$SIMCTL config '{"journey": {"visits_per_day": 40}}' >/dev/null
new_direct=$(q "$TOTALS FROM (SELECT store_code, count(DISTINCT visit_id) AS visits,
                               sum(dwell_time_seconds) AS dwell
                          FROM eco.visit_journey_events
                         WHERE event_start >= '2025-08-01 00:00+00'
                           AND event_start < '2025-08-03 00:00+00'
                         GROUP BY store_code, (event_start AT TIME ZONE 'UTC')::date) t")
if [ -n "$old_mv" ] && [ "$old_mv" != "$new_direct" ]; then
    ok "the vendor's data changed ($old_mv -> $new_direct)"
else
    notok "the vendor's data did not change ($old_mv vs $new_direct)"
fi

stats_before=$(q "SELECT coalesce(sum(requests), 0) FROM retail_fdw.request_stats WHERE server = 'eco_journey'")
changed_at=$(q "SELECT now()")
$SIMCTL reset >/dev/null
$SIMCTL config '{"journey": {"visits_per_day": 40}}' >/dev/null

refresh_job=$(q "SELECT cron.schedule('rf-refresh-traffic', '* * * * *',
     'REFRESH MATERIALIZED VIEW CONCURRENTLY eco.daily_traffic')")
sync_job=$(q "SELECT cron.schedule('rf-sync-events', '* * * * *',
     \$\$SELECT retail_fdw.sync('eco.visit_journey_events', 'eco.events_local',
       '{visit_id,zone_serial_code,event_start}', 'event_start',
       until => '2025-08-03 00:00+00', lookback => '2 days')\$\$)")

# Wait for a run of each job that started after the change.
RUNS="SELECT count(DISTINCT jobid) FROM cron.job_run_details
       WHERE jobid IN ($refresh_job, $sync_job)
         AND status IN ('succeeded', 'failed') AND start_time > '$changed_at'"
deadline=$((SECONDS + 80))
while [ "$(q "$RUNS")" != 2 ] && [ $SECONDS -lt $deadline ]; do
    sleep 2
done
# No further runs while the results are checked.
q "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE 'rf-%'" >/dev/null
deadline=$((SECONDS + 30))
while [ "$(q "SELECT count(*) FROM cron.job_run_details WHERE status IN ('starting', 'running')
              AND jobid IN ($refresh_job, $sync_job)")" != 0 ] && [ $SECONDS -lt $deadline ]; do
    sleep 1
done
details=$(q "SELECT CASE jobid WHEN $refresh_job THEN 'refresh' ELSE 'sync' END
                      || ': ' || status || ' ' || coalesce(return_message, '')
               FROM cron.job_run_details WHERE jobid IN ($refresh_job, $sync_job)
              ORDER BY start_time")
echo "$details" | sed 's/^/# /'

status() {
    q "SELECT status FROM cron.job_run_details
        WHERE jobid = $1 AND start_time > '$changed_at' ORDER BY start_time LIMIT 1"
}
if [ "$(status "$refresh_job")" = succeeded ]; then
    ok "pg_cron ran the scheduled refresh"
else
    notok "pg_cron did not run the refresh within 80 s"
fi
new_mv=$(q "$TOTALS FROM eco.daily_traffic")
if [ "$new_mv" = "$new_direct" ]; then
    ok "the refreshed materialized view shows the vendor's new data ($new_mv)"
else
    notok "materialized view after refresh: $new_mv, vendor: $new_direct"
fi

if [ "$(status "$sync_job")" = succeeded ]; then
    ok "pg_cron ran the scheduled sync"
else
    notok "pg_cron did not run the sync within 80 s"
fi
missing=$(q "SELECT count(*) FROM (SELECT * FROM eco.visit_journey_events
              WHERE event_start >= '2025-08-01 00:00+00' AND event_start < '2025-08-03 00:00+00'
             EXCEPT SELECT * FROM eco.events_local) m")
if [ "$missing" = 0 ]; then
    ok "the scheduled sync copied every new row"
else
    notok "$missing rows of the vendor are missing from the local copy"
fi

# Requests made by pg_cron's workers (other backends) are in the shared view.
sim_requests=$($SIMCTL count --vendor journey)
stats_after=$(q "SELECT coalesce(sum(requests), 0) FROM retail_fdw.request_stats WHERE server = 'eco_journey'")
scope=$(q "SELECT DISTINCT scope FROM retail_fdw.request_stats WHERE server = 'eco_journey'")
if [ "$scope" = cluster ] && [ "$((stats_after - stats_before))" -ge "$sim_requests" ] \
    && [ "$sim_requests" -gt 0 ]; then
    ok "request_stats counts the workers' $sim_requests requests across sessions"
else
    notok "request_stats: scope '$scope', before $stats_before, after $stats_after, simulator saw $sim_requests"
fi

exit "$FAILS"
