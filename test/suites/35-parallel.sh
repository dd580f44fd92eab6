#!/usr/bin/env bash
#
# test/suites/35-parallel.sh -- parallel foreign scans: the same rows as the
# serial plan (journey over days, RetailNext datamine over stores and
# grains, AiFi sessions over stores), Gather + Parallel Foreign Scan in
# EXPLAIN when forced and at default settings for a long range only,
# four series shared out so that each of two workers reads some,
# max_concurrency and max_requests_per_second held across all workers of
# a query (counted from the simulator's record of when each request arrived
# and was answered), an error in a worker surfacing with its SQLSTATE and
# no secret, and statement_timeout ending a parallel scan within about a
# second.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIMCTL:?}" "${SIM_JOURNEY_URL:?}" \
    "${SIM_RETAILNEXT_URL:?}" "${SIM_AIFI_URL:?}" "${RF_TMP:?}" "${RF_PYTHON:?}"
DB=rf_parallel
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
$SIMCTL reset
"${PSQL[@]}" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION retail_fdw;
ALTER DATABASE $DB SET timezone = 'UTC';
CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (token 'journey-secret-token');
CREATE SCHEMA j;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO j;
-- small pages: several pages per series, fanned out
CREATE FOREIGN TABLE j.vje_small (session_id text, store_code text, zone_serial_code text,
  event_start timestamptz, dwell_time_seconds integer)
  SERVER journey OPTIONS (resource 'visit_journey_events', page_size '50');
CREATE SERVER journey2 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', max_concurrency '2');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey2 OPTIONS (token 'journey-secret-token');
CREATE FOREIGN TABLE j.vje_c2 (session_id text, event_start timestamptz)
  SERVER journey2 OPTIONS (resource 'visit_journey_events', page_size '100');
CREATE SERVER journey3 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', max_requests_per_second '8');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey3 OPTIONS (token 'journey-secret-token');
CREATE FOREIGN TABLE j.vje_r8 (session_id text, store_code text, event_start timestamptz)
  SERVER journey3 OPTIONS (resource 'visit_journey_events', page_size '50');
CREATE SERVER rn FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'retailnext', base_url '$SIM_RETAILNEXT_URL');
CREATE USER MAPPING FOR CURRENT_USER SERVER rn
  OPTIONS (access_key 'rn-access-key', secret_key 'rn-secret-key');
CREATE SCHEMA r;
IMPORT FOREIGN SCHEMA retailnext LIMIT TO (rn_datamine) FROM SERVER rn INTO r;
CREATE SERVER aifi FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'aifi', base_url '$SIM_AIFI_URL');
CREATE USER MAPPING FOR CURRENT_USER SERVER aifi
  OPTIONS (client_id 'aifi-client', client_secret 'aifi-client-secret');
CREATE SCHEMA a;
IMPORT FOREIGN SCHEMA aifi LIMIT TO (aifi_sessions) FROM SERVER aifi INTO a;
SQL

FORCE="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;"
SERIAL="SET max_parallel_workers_per_gather = 0;"

# same_rows NAME FROM-WHERE: every row (as text, sorted) of the forced
# parallel plan equals the serial plan's; EXPLAIN ANALYZE shows Gather,
# Parallel Foreign Scan and two workers launched
same_rows() {
    local name=$1 rel=$2 alias par ser plan
    alias=$(awk '{print $3}' <<<"$rel")
    par=$(q "$FORCE SELECT count(*) || ' ' || md5(coalesce(string_agg($alias::text, '|' ORDER BY $alias::text), '')) $rel")
    ser=$(q "$SERIAL SELECT count(*) || ' ' || md5(coalesce(string_agg($alias::text, '|' ORDER BY $alias::text), '')) $rel")
    plan=$(q "$FORCE EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * $rel")
    if has "$plan" "Gather" && has "$plan" "Parallel Foreign Scan" && has "$plan" "Workers Launched: 2"; then
        ok "$name: Gather over a Parallel Foreign Scan, 2 workers launched"
    else
        notok "$name: no parallel plan: $plan"
    fi
    if [ -n "$ser" ] && [ "$par" = "$ser" ] && [ "${ser%% *}" -gt 0 ]; then
        ok "$name: parallel rows = serial rows ($ser)"
    else
        notok "$name: parallel '$par' vs serial '$ser'"
    fi
}

same_rows "journey, 9 days x 3 stores" \
    "FROM j.visit_journey_events e WHERE event_start >= '2025-08-01' AND event_start < '2025-08-10'"
same_rows "journey, pages of 50 fanned out, 2 stores x 6 days" \
    "FROM j.vje_small e WHERE store_code IN ('SM-001', 'SM-003') AND event_start >= '2025-08-03 06:00' AND event_start < '2025-08-09'"
same_rows "retailnext datamine, 2 stores x 2 grains x 2 time zones" \
    "FROM r.rn_datamine d WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', '86b03ba2-a117-11ea-802c-c00010892d7a') AND metric IN ('traffic_in', 'traffic_out') AND grain IN ('day', 'hour') AND time_zone IN ('UTC', 'America/New_York') AND period_start >= '2021-02-01' AND period_start < '2021-02-08'"
same_rows "aifi sessions, 10 store ids" \
    "FROM a.aifi_sessions s WHERE store_id IN (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)"

# pages that arrive out of order: the first day's pages come 300 ms late,
# the ten later days' at once, so the queue fills with later series' first
# pages while the first day has yet to fan out.  Slots refill as transfers
# complete, yet rows come out series by series and a fanned-out series is
# read to its end before the next one.
R="FROM j.vje_small e WHERE event_start >= '2025-08-10' AND event_start < '2025-08-21'"
# the reference: pages of 1000, one per day, nothing to fan out
ref=$(q "$SERIAL SELECT count(*) || ' ' || md5(string_agg(e::text, '|' ORDER BY e::text))
           FROM (SELECT session_id, store_code, zone_serial_code, event_start, dwell_time_seconds
                   FROM j.visit_journey_events
                  WHERE event_start >= '2025-08-10' AND event_start < '2025-08-21') e")
$SIMCTL fault '{"vendor": "journey", "kind": "delay", "delay_ms": 300, "times": -1,
                "query_contains": "datetime_gte=2025-08-10"}' >/dev/null
for plan in "$SERIAL" "$FORCE"; do
    got=$(q "$plan SELECT count(*) || ' ' || md5(string_agg(e::text, '|' ORDER BY e::text)) $R")
    check "pages out of order (${plan:4:30}...): the rows of unfanned pages ($got; $ref)" \
        [ -n "$ref" -a "$got" = "$ref" ]
done
order=$(q "$SERIAL SELECT bool_and(ok) FROM (SELECT event_start >= lag(event_start) OVER ()
             OR date_trunc('day', event_start) > date_trunc('day', lag(event_start) OVER ())
             OR lag(event_start) OVER () IS NULL AS ok $R) s")
check "a serial scan returns the days in order, each in the vendor's order ($order)" [ "$order" = t ]
$SIMCTL reset >/dev/null

# an aggregate over a parallel scan gives the serial answer
par=$(q "$FORCE SELECT count(*), sum(dwell_time_seconds), count(DISTINCT session_id) FROM j.visit_journey_events WHERE event_start >= '2025-08-01' AND event_start < '2025-08-15'")
ser=$(q "$SERIAL SELECT count(*), sum(dwell_time_seconds), count(DISTINCT session_id) FROM j.visit_journey_events WHERE event_start >= '2025-08-01' AND event_start < '2025-08-15'")
check "partial aggregates over 14 days: $par = $ser" [ "$par" = "$ser" ]

# -- four series, two workers: a participant takes a series only when it
# can work on it now, so both workers read rows (the leader, which starts
# first, once took all four, as many as max_concurrency let it, and the
# workers read none).  Every page comes 500 ms late, so that the leader is
# still on its first series when the workers start; cpu_tuple_cost tips
# the planner, for which four series do not pay for two workers.
R4="FROM j.vje_small e WHERE store_code = 'SM-001' AND event_start >= '2025-08-03' AND event_start < '2025-08-07'"
ser=$(q "$SERIAL SELECT count(*) || ' ' || md5(string_agg(e::text, '|' ORDER BY e::text)) $R4")
$SIMCTL fault '{"vendor": "journey", "kind": "delay", "delay_ms": 500, "times": -1}' >/dev/null
par=$(q "$FORCE SET cpu_tuple_cost = 1; SELECT count(*) || ' ' || md5(string_agg(e::text, '|' ORDER BY e::text)) $R4")
plan=$(q "$FORCE SET cpu_tuple_cost = 1;
  EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) $R4")
$SIMCTL reset >/dev/null
check "4 series, 2 workers: the serial plan's rows ($par; $ser)" [ -n "$ser" -a "$par" = "$ser" ]
wrows=$(sed -n '/Parallel Foreign Scan/,$ s/^ *Worker [0-9]*:  actual rows=\([0-9]*\) .*/\1/p' <<<"$plan" | xargs)
check "4 series, 2 workers launched" has "$plan" "Workers Launched: 2"
check "4 series, 2 workers: each worker reads rows (rows per worker: ${wrows:-none})" \
    bash -c 'set -- $1; [ $# = 2 ] && [ "$1" -gt 0 ] && [ "$2" -gt 0 ]' _ "$wrows"

# -- what the planner chooses at default settings
plan=$(q "EXPLAIN (COSTS OFF) SELECT * FROM j.visit_journey_events WHERE event_start >= '2025-07-01' AND event_start < '2025-08-01'")
check "default settings, a month: Gather + Parallel Foreign Scan" has "$plan" "Parallel Foreign Scan"
plan=$(q "EXPLAIN (COSTS OFF) SELECT * FROM j.visit_journey_events WHERE event_start >= '2025-07-01' AND event_start < '2025-07-04'")
check "default settings, three days: a plain Foreign Scan" \
    bash -c 'grep -q "Foreign Scan" <<<"$1" && ! grep -q "Parallel\|Gather" <<<"$1"' _ "$plan"
plan=$(q "$FORCE EXPLAIN (COSTS OFF) SELECT * FROM j.visit_journey_events WHERE event_start >= '2025-07-01' AND event_start < '2025-07-02'")
check "one series: no partial path even when forced" \
    bash -c 'grep -q "Foreign Scan" <<<"$1" && ! grep -q "Parallel\|Gather" <<<"$1"' _ "$plan"
plan=$(q "$FORCE EXPLAIN (COSTS OFF) SELECT * FROM j.visit_journey_events WHERE event_start >= '2025-07-01' AND event_start < '2025-08-01' LIMIT 5")
check "a pushed LIMIT keeps the scan serial" \
    bash -c 'grep -q "Foreign Scan" <<<"$1" && ! grep -q "Parallel" <<<"$1"' _ "$plan"
plan=$(q "$FORCE EXPLAIN (COSTS OFF) SELECT * FROM a.aifi_sessions WHERE store_id IN (0, 1, 2) ORDER BY created_at")
check "a pushed ORDER BY is not under a Gather" \
    bash -c 'grep -q "Foreign Scan" <<<"$1" && { ! grep -q "Parallel Foreign Scan" <<<"$1" || grep -q "Sort" <<<"$1"; }' _ "$plan"

# -- max_concurrency 2 holds for the query, not per worker: every request
# answered after 150 ms, 3 participants that could each run 2 at once
$SIMCTL reset >/dev/null
$SIMCTL config '{"latency_ms": 150}' >/dev/null
plan=$(q "$FORCE EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT count(*) FROM j.vje_c2 WHERE event_start >= '2025-08-01' AND event_start < '2025-08-13'")
$SIMCTL requests --vendor journey >"$RF_TMP/parallel-requests.json"
$SIMCTL config '{"latency_ms": 0}' >/dev/null
peak=$("$RF_PYTHON" - "$RF_TMP/parallel-requests.json" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))
ev = sorted([(r["arrived"], 1) for r in recs] + [(r["time"], -1) for r in recs])
cur = peak = 0
for _, d in ev:
    cur += d
    peak = max(peak, cur)
print("%d %d" % (peak, len(recs)))
PY
)
check "workers launched for the concurrency case" has "$plan" "Workers Launched: 2"
check "max_concurrency 2 across leader and 2 workers: at most 2 in flight at the vendor (peak, requests: $peak)" \
    [ "${peak%% *}" -le 2 -a "${peak%% *}" -ge 2 -a "${peak##* }" -ge 12 ]
reqs=$(sed -n 's/^ *HTTP requests: //p' <<<"$plan")
check "EXPLAIN ANALYZE counts the workers' requests too ($reqs of ${peak##* })" [ "$reqs" = "${peak##* }" ]
has "$plan" "Workers' HTTP requests" && ok "EXPLAIN ANALYZE shows the workers' share" \
    || notok "no workers' share in: $plan"

# -- max_requests_per_second 8 holds for the query, not per participant:
# the requests of four series read by the leader and two workers start at
# least 125 ms apart, so that as the simulator saw them arrive, n requests
# span at least (n - 1) x 110 ms and no two come within 50 ms (the way
# there varies; three participants paced apart would make about three
# times the rate)
$SIMCTL reset >/dev/null
plan=$(q "$FORCE SET cpu_tuple_cost = 1; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT count(*) FROM j.vje_r8 WHERE store_code = 'SM-001' AND event_start >= '2025-08-03' AND event_start < '2025-08-07'")
$SIMCTL requests --vendor journey >"$RF_TMP/parallel-paced.json"
gaps=$("$RF_PYTHON" - "$RF_TMP/parallel-paced.json" <<'PY'
import json, sys
t = sorted(r["arrived"] for r in json.load(open(sys.argv[1])))
gaps = [int(1000 * (b - a)) for a, b in zip(t, t[1:])] or [0]
ok = len(t) >= 6 and min(gaps) >= 50 and 1000 * (t[-1] - t[0]) >= 110 * (len(t) - 1)
print("%s %d requests over %d ms, smallest gap %d ms" % ("t" if ok else "f", len(t),
      int(1000 * (t[-1] - t[0])), min(gaps)))
PY
)
wreqs=$(sed -n 's/^ *Workers. HTTP requests: //p' <<<"$plan")
check "max_requests_per_second 8 across leader and workers (${gaps#* }; the workers' requests: $wreqs)" \
    [ "${gaps%% *}" = t -a "${wreqs:-0}" -gt 0 ]

# -- an error in a worker: the leader does not scan (so a worker meets it),
# every request fails with 500; the leader reports HV000, no secret
$SIMCTL reset >/dev/null
$SIMCTL fault '{"vendor": "journey", "status": 500, "times": -1}' >/dev/null
out=$(psql -X -q -d "$DB" -v VERBOSITY=verbose 2>&1 <<SQL
\set VERBOSITY verbose
$FORCE
SET parallel_leader_participation = off;
SELECT count(*) FROM j.visit_journey_events WHERE event_start >= '2025-08-01' AND event_start < '2025-08-10';
SQL
)
$SIMCTL reset >/dev/null
check "a worker's failure surfaces as HV000" has "$out" "ERROR:  HV000: journey failed with HTTP 500"
check "...raised in a parallel worker" has "$out" "parallel worker"
check "...without the token" bash -c '! grep -q "journey-secret-token" <<<"$1"' _ "$out"

# -- statement_timeout ends a parallel scan of a vendor that stalls (for
# 4 s: the simulator records a request when it answers, so the suite waits
# for these answers before it ends, lest the next suite count them)
$SIMCTL fault '{"vendor": "journey", "kind": "delay", "delay_ms": 4000, "times": -1}' >/dev/null
start=$(date +%s%N)
out=$(psql -X -q -d "$DB" 2>&1 <<SQL
\set VERBOSITY verbose
$FORCE
SET statement_timeout = '1s';
SELECT count(*) FROM j.visit_journey_events WHERE event_start >= '2025-08-01' AND event_start < '2025-08-10';
SQL
)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
$SIMCTL reset >/dev/null
check "statement_timeout (1 s) cancels the parallel scan: 57014 after ${ms} ms" \
    bash -c 'grep -q "57014" <<<"$1" && [ "$2" -lt 2500 ]' _ "$out" "$ms"
sleep 0.5
left=$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker' AND datname = '$DB'")
check "no parallel worker is left behind ($left)" [ "$left" = 0 ]
check "the session's next query works" [ "$(q "SELECT count(*) > 0 FROM j.visit_journey_events WHERE event_start >= '2025-08-01' AND event_start < '2025-08-02'")" = t ]

# the stalled requests are answered 4 s after they started
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 4500 ] && sleep "$(awk "BEGIN {print (4500 - $elapsed) / 1000}")"
$SIMCTL reset >/dev/null
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
exit "$FAILS"
