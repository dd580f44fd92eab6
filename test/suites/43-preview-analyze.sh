#!/usr/bin/env bash
#
# test/suites/43-preview-analyze.sh -- what depends on today's date:
#  - a LIMIT without a range (what BI tools and pandas send for a preview)
#    reads backwards from today, one day at a time, until the LIMIT has its
#    rows or retail_fdw.preview_days are read, and says so in a NOTICE;
#  - ANALYZE samples the whole days of a recent window, and the planner's
#    estimates then follow the rows per day it saw.
# The answers depend on the date, so this is a shell suite: the simulator's
# journey data is made to end three days ago (then far in the future), and
# the checks compute the expected days from the date.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIMCTL:?}" "${SIM_JOURNEY_URL:?}" "${RF_PYTHON:?}"
DB=rf_preview
export PGTZ=UTC
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"

day() { date -u -d "$1 days ago" +%F; }
today=$(day 0)
last=$(day 3)

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
$SIMCTL reset >/dev/null
$SIMCTL config "{\"journey\": {\"end\": \"$last\"}}" >/dev/null
"${PSQL[@]}" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION retail_fdw;
CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (token 'journey-secret-token');
CREATE SCHEMA j;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO j;
SQL

# The days the journey requests asked for, in order (datetime_gte's date)
asked_days() {
    $SIMCTL requests --vendor journey | "$RF_PYTHON" -c '
import json, sys, urllib.parse
for r in json.load(sys.stdin):
    print(urllib.parse.parse_qs(r["query"])["datetime_gte"][0][:10])'
}

# -- a preview of 5 rows: today, then each earlier day until rows come
$SIMCTL reset >/dev/null
out=$(psql -X -At -d "$DB" -c "SELECT count(*), min(event_start)::date, max(event_start)::date
                                 FROM (SELECT * FROM j.visit_journey_events LIMIT 5) s" 2>&1)
check "LIMIT 5 without a range gives 5 rows ($(head -c 300 <<<"$out"))" \
    grep -qE "^5\|" <<<"$out"
check "the NOTICE says it reads backwards from today and how far" \
    has "$out" "has no range on \"event_start\": the LIMIT reads backwards from today, one day at a time"
check "... naming the horizon ($today back to $(day 30))" has "$out" "Days from $today back to $(day 30) at most"
latest=$(grep -oE '^5\|[0-9-]+\|[0-9-]+' <<<"$out" | cut -d'|' -f3)
earliest=$(grep -oE '^5\|[0-9-]+\|[0-9-]+' <<<"$out" | cut -d'|' -f2)
check "no row is newer than the data ($latest <= $(day 2))" [ "${latest:-9999}" \< "$(day 1)" ]
# Visits that start late on the last day of data have events past midnight,
# so the day after it holds a few rows (fewer than 5 on some dates): the
# reading goes on until the LIMIT has its rows, and the last day asked for
# is the earliest day of the rows returned (a day read adds rows, or the
# reading would not have stopped there).
days=$(asked_days | tr '\n' ' ')
expected=""
for n in $(seq 0 31); do
    expected+="$(day "$n") "
    [ "$(day "$n")" = "$earliest" ] && break
done
check "one request per day, today first, down to the first day with rows ($days)" \
    [ "$days" = "$expected" ]

# -- a preview that needs several days holds every row of the later days
"${PSQL[@]}" -c "CREATE TABLE preview AS SELECT * FROM j.visit_journey_events LIMIT 600" 2>/dev/null
"${PSQL[@]}" -c "CREATE TABLE fenced AS SELECT * FROM j.visit_journey_events
                  WHERE event_start >= '$(day 30)'"
check "LIMIT 600 gives 600 rows" [ "$(q "SELECT count(*) FROM preview")" = 600 ]
check "every previewed row is a row of the table" \
    [ "$(q 'SELECT count(*) FROM (SELECT * FROM preview EXCEPT ALL SELECT * FROM fenced) x')" = 0 ]
check "the days after the earliest one read are whole (newest days first)" \
    [ "$(q "SELECT count(*) FROM (
              SELECT * FROM fenced WHERE event_start::date > (SELECT min(event_start)::date FROM preview)
              EXCEPT ALL SELECT * FROM preview) x")" = 0 ]
check "... and the preview spans more than one day" \
    [ "$(q 'SELECT count(DISTINCT event_start::date) > 1 FROM preview')" = t ]

# -- the horizon: fewer rows than the LIMIT, and a NOTICE that says so
$SIMCTL reset >/dev/null
out=$(psql -X -At -d "$DB" -c "SET retail_fdw.preview_days = 2" \
        -c "SELECT count(*) FROM (SELECT * FROM j.visit_journey_events LIMIT 5) s" 2>&1)
check "with preview_days = 2 nothing is found in today and yesterday" grep -qx 0 <<<"$out"
check "... the NOTICE names the horizon" \
    has "$out" "has fewer rows than the LIMIT in the last 2 days"
check "... and exactly those two days were asked for" \
    [ "$(asked_days | tr '\n' ' ')" = "$today $(day 1) " ]

# -- EXPLAIN shows the reading and today's request
plan=$(q "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM j.visit_journey_events LIMIT 10")
check "EXPLAIN shows the backwards reading" has "$plan" "Reading: no range on event_start: backwards from today"
check "EXPLAIN shows today's request" has "$plan" "datetime_gte=${today}T00:00:00Z"

# -- where a preview would change the answer, the range stays required
for sql in "SELECT * FROM j.visit_journey_events ORDER BY event_start LIMIT 5" \
           "SELECT count(*) FROM j.visit_journey_events LIMIT 5" \
           "SELECT DISTINCT store_code FROM j.visit_journey_events LIMIT 5" \
           "SELECT * FROM j.visit_journey_events WHERE event_start < now() LIMIT 5" \
           "SELECT * FROM j.visit_journey_events"; do
    out=$(psql -X -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$DB" -c "$sql" 2>&1)
    check "refused: $sql" grep -qE "ERROR:  HV[0-9A-Z]{3}: foreign table \"visit_journey_events\" needs a lower bound" <<<"$out"
done

# -- ANALYZE: a window of whole days before today, and estimates from it
$SIMCTL config '{"journey": {"end": null}}' >/dev/null
$SIMCTL reset >/dev/null
check "before ANALYZE the table has no statistics" \
    [ "$(q "SELECT reltuples FROM pg_class WHERE oid = 'j.visit_journey_events'::regclass")" = -1 ]
out=$(psql -X -At -d "$DB" -c "ANALYZE VERBOSE j.visit_journey_events" 2>&1)
seen=$(grep -oE 'read [0-9]+ rows \(7 days before today\)' <<<"$out" | grep -oE '[0-9]+' | head -1)
check "ANALYZE VERBOSE says what it read (${seen:-nothing})" [ "${seen:-0}" -gt 0 ]
check "... the seven whole days before today, and nothing else" \
    [ "$(asked_days | sort | tr '\n' ' ')" = "$(for n in 7 6 5 4 3 2 1; do printf '%s ' "$(day $n)"; done)" ]
check "pg_class keeps the rows it saw and the window's days" \
    [ "$(q "SELECT relpages || ' ' || reltuples FROM pg_class WHERE oid = 'j.visit_journey_events'::regclass")" = "7 $seen" ]
check "column statistics exist (store_code has 3 distinct values)" \
    [ "$(q "SELECT n_distinct FROM pg_stats WHERE schemaname = 'j' AND tablename = 'visit_journey_events' AND attname = 'store_code'")" = 3 ]
range="event_start >= '$(day 14)' AND event_start < '$(day 7)'"
for where in "$range" "$range AND store_code = 'SM-001'" "event_start >= '$(day 2)'"; do
    est=$(q "EXPLAIN (FORMAT JSON) SELECT * FROM j.visit_journey_events WHERE $where" |
          "$RF_PYTHON" -c 'import json,sys; print(int(json.load(sys.stdin)[0]["Plan"]["Plan Rows"]))')
    act=$(q "SELECT count(*) FROM j.visit_journey_events WHERE $where")
    check "estimate within 2x of the rows ($est estimated, $act returned): $where" \
        eval '[ "$act" -gt 0 ] && [ $((est * 2)) -ge "$act" ] && [ $((act * 2)) -ge "$est" ]'
done
out=$(psql -X -At -d "$DB" -c "CREATE SERVER rn FOREIGN DATA WRAPPER retail_fdw
                                  OPTIONS (vendor 'retailnext', base_url 'http://127.0.0.1:9')" \
        -c "CREATE FOREIGN TABLE j.dm (location_uuid uuid, value numeric)
              SERVER rn OPTIONS (resource 'rn_datamine')" \
        -c "ANALYZE j.dm" 2>&1)
check "a table no window can sample says why, without a request" \
    has "$out" "Resource rn_datamine needs filters that no window of days supplies."

$SIMCTL config '{"journey": {"end": null}}' >/dev/null
$SIMCTL reset >/dev/null
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
# The expectations use the date the suite started on: if midnight UTC came
# while it ran, the server's "today" moved under them.  Run it once more
# (the second run is far from midnight); its checks are the ones that count.
if [ "$(day 0)" != "$today" ] && [ -z "${RF_DAY_CHANGED:-}" ]; then
    echo "# the date changed during the suite ($today -> $(day 0)): running it again"
    RF_DAY_CHANGED=1 exec bash "$0"
fi
exit "$FAILS"
