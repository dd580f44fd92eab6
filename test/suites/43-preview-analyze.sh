#!/usr/bin/env bash
#
# test/suites/43-preview-analyze.sh -- what depends on today's date:
#  - a lone SELECT without a range (a LIMIT, a cursor's FETCH, a protocol
#    row limit as JDBC's setMaxRows sends: how BI tools preview a table)
#    reads backwards from today, one day at a time, only as far as rows are
#    fetched, and says so in a NOTICE; with a LIMIT it stops at
#    retail_fdw.preview_days with fewer rows, without one it fails there;
#    ORDER BY the range DESC sorts each day;
#  - ANALYZE samples the whole days of a recent window, and the planner's
#    estimates then follow the rows per day it saw.
# The answers depend on the date, so this is a shell suite: the simulator's
# journey data is made to end three days ago (then at the simulator's start), and
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

# The days from today down to $1 (a date), as asked_days prints them
days_down_to() {
    local n
    for n in $(seq 0 31); do
        printf '%s ' "$(day "$n")"
        [ "$(day "$n")" = "$1" ] && break
    done
}
stamps() { grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' <<<"$1"; }

# -- a cursor without LIMIT: FETCH reads only as many days as its rows need
$SIMCTL reset >/dev/null
out=$(psql -X -At -d "$DB" 2>&1 <<'SQL'
BEGIN;
DECLARE c CURSOR FOR SELECT event_start FROM j.visit_journey_events;
FETCH 100 FROM c;
CLOSE c;
COMMIT;
SQL
)
n=$(stamps "$out" | wc -l)
first=$(stamps "$out" | sort | head -1 | cut -c1-10)
check "a cursor's FETCH 100 without a range or LIMIT gives 100 rows (got $n)" [ "$n" = 100 ]
check "... the NOTICE says the days are read as far as rows are fetched" \
    has "$out" "rows are read backwards from today, one day at a time, as far as they are fetched"
check "... one request per day, today first, down to the earliest day of its rows only ($(asked_days | tr '\n' ' '))" \
    [ "$(asked_days | tr '\n' ' ')" = "$(days_down_to "$first")" ]
check "... every row is a row of the table" \
    [ "$(q "SELECT count(*) FROM fenced WHERE event_start IN ($(stamps "$out" | sed "s/.*/'&'/" | paste -sd,))") " != "0 " ]

# -- a protocol row limit (what JDBC's setMaxRows and drivers' fetch sizes send)
$SIMCTL reset >/dev/null
out=$(PGDATABASE=$DB "$RF_PYTHON" "$(dirname "$0")/../pgwire.py" 50 \
        "SELECT event_start FROM j.visit_journey_events" 2>&1)
n=$(grep -c '^row ' <<<"$out")
first=$(grep '^row ' <<<"$out" | cut -c5- | sort | head -1 | cut -c1-10)
rowlimit_ok() { [ "$n" = 50 ] && grep -qx suspended <<<"$out" && ! grep -q '^error' <<<"$out"; }
check "Execute with a row limit of 50 and no range: 50 rows, the portal suspended, no error ($(grep -m1 '^error' <<<"$out"))" \
    rowlimit_ok
check "... only the days down to the earliest day of its rows were asked for ($(asked_days | tr '\n' ' '))" \
    [ "$(asked_days | tr '\n' ' ')" = "$(days_down_to "$first")" ]

# -- ORDER BY the range DESC with a LIMIT: the latest rows, each day sorted
$SIMCTL reset >/dev/null
out=$(psql -X -At -d "$DB" -c "SELECT event_start FROM j.visit_journey_events
                                ORDER BY event_start DESC LIMIT 7" 2>&1)
want=$(q "SELECT event_start FROM fenced ORDER BY event_start DESC LIMIT 7")
latest_ok() { [ "$(stamps "$out" | wc -l)" = 7 ] && [ "$(stamps "$out")" = "$want" ]; }
check "ORDER BY event_start DESC LIMIT 7 without a range: the 7 latest rows of the table, in order" \
    latest_ok
check "... the NOTICE says each day is sorted" has "$out" "one day at a time, each day sorted"
check "... only the days down to the day of its 7th row were asked for ($(asked_days | tr '\n' ' '))" \
    [ "$(asked_days | tr '\n' ' ')" = "$(days_down_to "$(tail -1 <<<"$want" | cut -c1-10)")" ]
plan=$(q "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM j.visit_journey_events ORDER BY event_start DESC LIMIT 7")
sorted_plan_ok() { ! grep -q 'Sort' <<<"$plan" && has "$plan" "each day sorted descending, until the LIMIT has its rows"; }
check "... EXPLAIN: no Sort node, the scan keeps the order" sorted_plan_ok
# a cursor over ORDER BY ... DESC without LIMIT: the same order, as far as fetched
out=$(psql -X -At -d "$DB" 2>&1 <<'SQL'
BEGIN;
DECLARE c CURSOR FOR SELECT event_start FROM j.visit_journey_events ORDER BY event_start DESC;
FETCH 7 FROM c;
COMMIT;
SQL
)
check "a cursor over ORDER BY event_start DESC: FETCH 7 gives the same 7 rows" latest_ok

# -- without LIMIT, a client that wants more than the horizon holds: an error
$SIMCTL reset >/dev/null
out=$(psql -X -At -v VERBOSITY=verbose -d "$DB" -c "SET retail_fdw.preview_days = 3" \
        -c "SELECT * FROM j.visit_journey_events" 2>&1)
check "SELECT * without a range or LIMIT, read whole: an error past preview_days, no rows" \
    grep -q 'ERROR:  HV002: foreign table "visit_journey_events" needs a lower bound on "event_start" to be read past the last 3 days' <<<"$out"
check "... after exactly those three days" \
    [ "$(asked_days | tr '\n' ' ')" = "$today $(day 1) $(day 2) " ]

# -- commands that read every row never stop early: refused before any request
for sql in "CREATE TABLE whole AS SELECT * FROM j.visit_journey_events" \
           "CREATE MATERIALIZED VIEW whole AS SELECT * FROM j.visit_journey_events" \
           "COPY (SELECT * FROM j.visit_journey_events) TO STDOUT" \
           "EXPLAIN (ANALYZE) SELECT * FROM j.visit_journey_events"; do
    $SIMCTL reset >/dev/null
    out=$(psql -X -At -v VERBOSITY=verbose -d "$DB" -c "$sql" 2>&1)
    whole_ok() { has "$out" 'ERROR:  HV002: foreign table "visit_journey_events" needs a lower bound on "event_start" to be read whole' &&
                 [ -z "$(asked_days)" ]; }
    check "refused before any request, naming the command: $sql" whole_ok
done

# -- where a preview would change the answer, the range stays required
for sql in "SELECT * FROM j.visit_journey_events ORDER BY event_start LIMIT 5" \
           "SELECT count(*) FROM j.visit_journey_events LIMIT 5" \
           "SELECT DISTINCT store_code FROM j.visit_journey_events LIMIT 5" \
           "SELECT * FROM j.visit_journey_events WHERE event_start < now() LIMIT 5" \
           "INSERT INTO preview SELECT * FROM j.visit_journey_events"; do
    $SIMCTL reset >/dev/null
    out=$(psql -X -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$DB" -c "$sql" 2>&1)
    refused_ok() { grep -qE "ERROR:  HV[0-9A-Z]{3}: foreign table \"visit_journey_events\" needs a lower bound" <<<"$out" &&
                   [ -z "$(asked_days)" ]; }
    check "refused before any request: $sql" refused_ok
done
out=$(psql -X -At -d "$DB" -c "SELECT * FROM j.visit_journey_events ORDER BY event_start LIMIT 5" 2>&1)
check "... the detail says why no preview: the ORDER BY" \
    has "$out" 'only a preview reads recent days (a lone-table SELECT, no aggregate, DISTINCT or ORDER BY but the range DESC); here its ORDER BY is not "event_start" DESC alone.'

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
