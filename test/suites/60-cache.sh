#!/usr/bin/env bash
#
# test/suites/60-cache.sh -- the response cache (cache_ttl, cache_ttl_past,
# retail_fdw.cache_clear()), counted by the simulator, which records every
# request it is sent:
#
#   1. preloaded (the test cluster: one cache in shared memory), in a
#      database of its own: a repeat within the TTL makes no request and
#      returns the same rows; EXPLAIN ANALYZE and request_stats show the
#      hits; another role's mapping is not served the cached answers; an
#      entry expires after its TTL; cache_clear() of an ordinary role
#      clears its own answers only, a superuser's all; failed exchanges
#      (HTTP 500, a malformed body, a body of the wrong shape) are not
#      kept; a window that ended in the past lives for cache_ttl_past, one
#      that has not for cache_ttl; a series read only in part is not
#      served later (a whole series or nothing); options are validated.
#   2. not preloaded (a small cluster of the suite's own): each session
#      has its own cache, bounded by retail_fdw.local_cache_size, and the
#      oldest answers are evicted first.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${RF_TMP:?run from test/run-tests.sh}" "${RF_PGBIN:?}" "${SIMCTL:?}" "${SIM_JOURNEY_URL:?}"
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
DB=rf_cache
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"

NP=$RF_TMP/cache-no-preload
PGDATA_NP=$NP/pgdata
cleanup() {
    $SIMCTL reset >/dev/null 2>&1 || true
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS rf_cache_other" \
        -c "DROP ROLE IF EXISTS rf_cache_third" >/dev/null 2>&1 || true
    if [ -f "$PGDATA_NP/postmaster.pid" ]; then
        _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_NP" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
cleanup
$SIMCTL reset

# requests the simulator saw whose path and query contain one of the
# (space-separated) strings
sim_count() {
    local n=0 w
    for w in $1; do
        n=$((n + $($SIMCTL count --vendor journey --contains "$w")))
    done
    echo "$n"
}

# run SQL in $DB (as postgres unless a SET ROLE says otherwise)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# delta COUNT_STRING SQL: requests made by running SQL, and its output
delta() {
    local before after
    before=$(sim_count "$1")
    OUT=$(sql -c "SET timezone = 'UTC'" -c "$2" 2>&1)
    after=$(sim_count "$1")
    DELTA=$((after - before))
}

createdb "$DB" || { echo "not ok - createdb $DB"; exit 1; }
setup=$(sql 2>&1 <<SQL
CREATE EXTENSION retail_fdw;
CREATE SERVER jc FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', cache_ttl '10 minutes');
CREATE USER MAPPING FOR CURRENT_USER SERVER jc OPTIONS (token 'journey-secret-token');
CREATE SCHEMA j;
IMPORT FOREIGN SCHEMA journey FROM SERVER jc INTO j;
-- the same endpoint with a one-second TTL, with one only for past windows,
-- and with small pages
CREATE FOREIGN TABLE j.short (session_id text, zone_serial_code text, event_start timestamptz)
  SERVER jc OPTIONS (resource 'visit_journey_events', cache_ttl '1 second');
CREATE FOREIGN TABLE j.past (session_id text, zone_serial_code text, event_start timestamptz)
  SERVER jc OPTIONS (resource 'visit_journey_events', window 'none',
                     cache_ttl '0', cache_ttl_past '1 hour');
CREATE FOREIGN TABLE j.small (session_id text, zone_serial_code text, event_start timestamptz)
  SERVER jc OPTIONS (resource 'visit_journey_events', page_size '20');
CREATE FOREIGN TABLE j.small_nocache (session_id text, zone_serial_code text, event_start timestamptz)
  SERVER jc OPTIONS (resource 'visit_journey_events', page_size '20', cache_ttl '0');
-- failures: no retries, so that one injected fault fails the query
CREATE SERVER jc_err FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', cache_ttl '10 minutes', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER jc_err OPTIONS (token 'journey-secret-token');
CREATE FOREIGN TABLE j.err (session_id text, zone_serial_code text, event_start timestamptz)
  SERVER jc_err OPTIONS (resource 'visit_journey_events');
-- two more roles, each with a mapping of its own, made in one transaction
-- (so that the mappings' rows differ only by their OIDs)
CREATE ROLE rf_cache_other NOLOGIN;
CREATE ROLE rf_cache_third NOLOGIN;
GRANT USAGE ON FOREIGN SERVER jc TO rf_cache_other, rf_cache_third;
BEGIN;
CREATE USER MAPPING FOR rf_cache_other SERVER jc OPTIONS (token 'journey-secret-token');
CREATE USER MAPPING FOR rf_cache_third SERVER jc OPTIONS (token 'journey-secret-token');
COMMIT;
GRANT USAGE ON SCHEMA j TO rf_cache_other, rf_cache_third;
GRANT SELECT ON ALL TABLES IN SCHEMA j TO rf_cache_other, rf_cache_third;
SQL
)
check "set-up" eval '! has "$setup" "ERROR"'
[ "$FAILS" -eq 0 ] || { echo "$setup"; exit "$FAILS"; }

AS_OTHER="SET retail_fdw.allowed_hosts = '127.0.0.1'; SET ROLE rf_cache_other;"
# the rows of a query, as one fingerprint (and their number)
rows_of() {
    echo "SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t::text))
            FROM (SELECT session_id, zone_serial_code, event_start, dwell_time_seconds
                    FROM j.visit_journey_events
                   WHERE event_start >= '$1' AND event_start < '$2') t"
}

# ---- 1. a repeat within the TTL: no request, the same rows
A_DAYS="datetime_gte=2025-08-01 datetime_gte=2025-08-02"
delta "$A_DAYS" "$(rows_of 2025-08-01 2025-08-02T12:00)"
first=$OUT first_n=$DELTA
delta "$A_DAYS" "$(rows_of 2025-08-01 2025-08-02T12:00)"
check "the first query asks the vendor ($first_n requests, rows ${first%% *})" \
    eval '[ "$first_n" -ge 2 ] && [ "${first%% *}" -gt 0 ]'
check "a repeat within cache_ttl, in another session (one shared cache), makes 0 requests ($DELTA)" [ "$DELTA" -eq 0 ]
check "the repeat returns the same rows ($OUT)" [ "$OUT" = "$first" ]

# shellcheck disable=SC2034  # read by the check's eval
plan=$(sql -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT count(*) FROM j.visit_journey_events
   WHERE event_start >= '2025-08-01' AND event_start < '2025-08-02T12:00'")
check "EXPLAIN ANALYZE shows the hits and no request" \
    eval 'has "$plan" "HTTP requests: 0" && has "$plan" "Cache hits: 2"'
hits=$(sql -c "SELECT cache_hits FROM retail_fdw.request_stats WHERE server = 'jc'")
check "request_stats counts the hits (cache_hits $hits)" eval '[ "${hits:-0}" -ge 4 ]'

# ---- 2. another role's mapping is not served these answers
delta "$A_DAYS" "$AS_OTHER $(rows_of 2025-08-01 2025-08-02T12:00)"
check "another user mapping asks the vendor itself ($DELTA requests)" [ "$DELTA" -ge 2 ]
check "...and gets the same rows" [ "$OUT" = "$first" ]
delta "$A_DAYS" "$AS_OTHER $(rows_of 2025-08-01 2025-08-02T12:00)"
check "...then its own repeat makes 0 requests ($DELTA)" [ "$DELTA" -eq 0 ]
AS_THIRD="SET retail_fdw.allowed_hosts = '127.0.0.1'; SET ROLE rf_cache_third;"
delta "$A_DAYS" "$AS_THIRD $(rows_of 2025-08-01 2025-08-02T12:00)"
check "a third role, like the second but for its mapping, asks the vendor itself ($DELTA requests)" \
    eval '[ "$DELTA" -ge 2 ] && [ "$OUT" = "$first" ]'

# ---- 3. cache_clear(): an ordinary role clears its own answers only
cleared=$(sql -c "$AS_OTHER SELECT retail_fdw.cache_clear()" | tail -n 1)
check "cache_clear() as an ordinary role removes its own answers ($cleared)" [ "$cleared" = 2 ]
delta "$A_DAYS" "$AS_THIRD $(rows_of 2025-08-01 2025-08-02T12:00)"
check "...not those of another ordinary role (its repeat: $DELTA requests)" [ "$DELTA" -eq 0 ]
delta "$A_DAYS" "$(rows_of 2025-08-01 2025-08-02T12:00)"
check "...and leaves the superuser's (repeat: $DELTA requests)" [ "$DELTA" -eq 0 ]
cleared=$(sql -c "SELECT retail_fdw.cache_clear()")
check "cache_clear() as a superuser removes every answer ($cleared)" eval '[ "$cleared" -ge 2 ]'
delta "$A_DAYS" "$(rows_of 2025-08-01 2025-08-02T12:00)"
check "after cache_clear() the repeat asks the vendor ($DELTA requests)" [ "$DELTA" -ge 2 ]
check "...for the same rows" [ "$OUT" = "$first" ]

# ---- 4. an answer expires after its TTL
Q_SHORT="SELECT count(*) FROM j.short WHERE event_start >= '2025-08-03' AND event_start < '2025-08-04'"
delta "datetime_gte=2025-08-03" "$Q_SHORT"
delta "datetime_gte=2025-08-03" "$Q_SHORT"
check "within a table's cache_ttl of 1 second: 0 requests ($DELTA)" [ "$DELTA" -eq 0 ]
sleep 1.5
delta "datetime_gte=2025-08-03" "$Q_SHORT"
check "after it expired: a request ($DELTA)" [ "$DELTA" -ge 1 ]

# ---- 5. failures are not kept
Q_ERR="SELECT count(*) FROM j.err WHERE event_start >= '2025-08-05' AND event_start < '2025-08-06'"
for kind in status malformed wrong_shape; do
    $SIMCTL fault "{\"vendor\": \"journey\", \"kind\": \"$kind\", \"status\": 500, \"query_contains\": \"2025-08-05\"}"
    delta "datetime_gte=2025-08-05" "$Q_ERR"
    check "a failed answer ($kind) fails the query" has "$OUT" "ERROR"
    delta "datetime_gte=2025-08-05" "$Q_ERR"
    check "...and is not kept: the repeat asks again ($DELTA) and answers" \
        eval '[ "$DELTA" -ge 1 ] && ! has "$OUT" "ERROR"'
    good=$OUT
    delta "datetime_gte=2025-08-05" "$Q_ERR"
    check "...then the good answer is kept ($DELTA requests, $OUT = $good)" \
        eval '[ "$DELTA" -eq 0 ] && [ "$OUT" = "$good" ]'
    sql -c "SELECT retail_fdw.cache_clear()" >/dev/null
done

# ---- 6. cache_ttl_past: windows that ended before now, and those that did not
Q_PAST="SELECT count(*) FROM j.past WHERE event_start >= '2025-08-06' AND event_start < '2025-08-07'"
delta "datetime_gte=2025-08-06" "$Q_PAST"
delta "datetime_gte=2025-08-06" "$Q_PAST"
check "a window in the past is kept for cache_ttl_past (repeat: $DELTA requests)" [ "$DELTA" -eq 0 ]
# the lower bound is fixed here, once: a query computing now() - 2 hours
# itself could fall on the day after $gte_day (a run at 01:59:59 UTC)
gte=$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)
gte_day=${gte%%T*}
Q_NOW="SELECT count(*) FROM j.past WHERE event_start >= '$gte' AND event_start < now() + interval '1 day'"
delta "datetime_gte=$gte_day" "$Q_NOW"
delta "datetime_gte=$gte_day" "$Q_NOW"
check "a window that has not ended uses cache_ttl (0: the repeat makes $DELTA requests)" [ "$DELTA" -ge 1 ]
cleared=$(sql -c "SELECT retail_fdw.cache_clear()")

# ---- 7. a series read only in part is never served: whole series or network
Q_PART="SELECT count(*) FROM (SELECT * FROM j.small WHERE event_start >= '2025-08-07' AND event_start < '2025-08-08' AND zone_serial_code <> '' LIMIT 1) t"
Q_FULL="SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM j.small t WHERE event_start >= '2025-08-07' AND event_start < '2025-08-08'"
delta "datetime_gte=2025-08-07" "${Q_FULL//j.small/j.small_nocache}"
pages=$DELTA
delta "datetime_gte=2025-08-07" "$Q_PART"
part_n=$DELTA
delta "datetime_gte=2025-08-07" "$Q_FULL"
full=$OUT full_n=$DELTA
check "a partly read series ($part_n requests) serves nothing: the full scan asks for all $pages pages ($full_n)" \
    eval '[ "$part_n" -ge 1 ] && [ "$part_n" -lt "$pages" ] && [ "$full_n" -eq "$pages" ]'
delta "datetime_gte=2025-08-07" "$Q_FULL"
check "the full series is then kept: 0 requests ($DELTA), same rows" \
    eval '[ "$DELTA" -eq 0 ] && [ "$OUT" = "$full" ]'
truth=$(sql -c "SET timezone = 'UTC'" -c "SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT session_id, zone_serial_code, event_start FROM j.visit_journey_events WHERE event_start >= '2025-08-07' AND event_start < '2025-08-08') t")
check "...and they are the rows of a scan with large pages ($full)" [ "$full" = "$truth" ]

# ---- 8. options
bad=$(sql -c "ALTER SERVER jc OPTIONS (SET cache_ttl 'forever')" 2>&1)
check "a bad cache_ttl is refused with a hint" \
    eval 'has "$bad" "invalid value for option \"cache_ttl\"" && has "$bad" "HINT:"'
bad=$(sql -c "ALTER FOREIGN TABLE j.past OPTIONS (SET cache_ttl_past '-1 hour')" 2>&1)
check "a negative cache_ttl_past is refused" has "$bad" "invalid value for option \"cache_ttl_past\""
good=$(sql -c "CREATE SERVER aic FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'aifi', base_url 'http://127.0.0.1:9', cache_ttl '1 day', cache_ttl_past '30 days')" \
           -c "CREATE FOREIGN TABLE j.ai (id text) SERVER aic OPTIONS (resource 'aifi_sessions', cache_ttl '0')" 2>&1)
check "cache_ttl and cache_ttl_past are options of every vendor's servers and tables" eval '! has "$good" "ERROR"'
bad=$(sql -c "CREATE FOREIGN TABLE j.ai2 (id text) SERVER aic OPTIONS (resource 'aifi_sessions', grain 'day')" 2>&1)
check "an aifi table still refuses a retailnext option" has "$bad" "ERROR"

# ---- 9. not preloaded: a cache per session, bounded, oldest evicted first
mkdir -p "$NP"
PGPORT_NP=$(_rf_free_port) || { notok "no free port"; exit "$FAILS"; }
if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$NP"; fi
rf_init_small_cluster "$NP" "$PGDATA_NP" "$PGPORT_NP" || exit 1
if ! _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_NP" -w -t 60 -l "$NP/pg.log" start \
    >"$NP/pg_ctl.log" 2>&1; then
    cat "$NP/pg_ctl.log"
    notok "the cluster without preloading did not start"
    exit "$FAILS"
fi
np() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$NP" -p "$PGPORT_NP" -U postgres -d postgres "$@"; }
np >/dev/null <<SQL
CREATE EXTENSION retail_fdw;
CREATE SERVER jc FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', cache_ttl '10 minutes');
CREATE USER MAPPING FOR CURRENT_USER SERVER jc OPTIONS (token 'journey-secret-token');
CREATE SCHEMA j;
IMPORT FOREIGN SCHEMA journey FROM SERVER jc INTO j;
SQL
# one session: 12 one-hour answers (3 to 12 kB each, about 100 kB in all),
# then the last and the first again, in a cache of 64 kB (an answer may
# take at most a quarter of it)
hour() { printf "SELECT count(*) FROM j.visit_journey_events WHERE event_start >= '2025-08-08T%02d:00Z' AND event_start < '2025-08-08T%02d:00Z'::timestamptz + interval '1 hour';\n" "$1" "$1"; }
{
    echo "SET retail_fdw.local_cache_size = '64kB';"
    for h in $(seq 12 23); do hour "$h"; done
} >"$NP/fill.sql"
script=$NP/evict.sql
{
    cat "$NP/fill.sql"
    echo "\\! $SIMCTL count --vendor journey --contains datetime_gte=2025-08-08T23 > $NP/last.before"
    hour 23
    echo "\\! $SIMCTL count --vendor journey --contains datetime_gte=2025-08-08T23 > $NP/last.after"
    echo "\\! $SIMCTL count --vendor journey --contains datetime_gte=2025-08-08T12 > $NP/first.before"
    hour 12
    echo "\\! $SIMCTL count --vendor journey --contains datetime_gte=2025-08-08T12 > $NP/first.after"
    echo "SELECT 'stats ' || scope || ' ' || cache_hits FROM retail_fdw.request_stats WHERE server = 'jc';"
} >"$script"
out=$(np -f "$script" 2>&1)
last=$(( $(cat "$NP/last.after") - $(cat "$NP/last.before") ))
firsth=$(( $(cat "$NP/first.after") - $(cat "$NP/first.before") ))
check "not preloaded: queries answer" eval '! has "$out" "ERROR"'
check "not preloaded: the newest answer is served from the session's cache ($last requests)" [ "$last" -eq 0 ]
check "not preloaded: the oldest answer was evicted from the bounded cache ($firsth requests)" [ "$firsth" -ge 1 ]
check "not preloaded: request_stats counts the session's hits" has "$out" "stats session 1"
# another session does not see this one's cache
delta_np() {
    local before after
    before=$(sim_count datetime_gte=2025-08-08T23)
    np -c "$(hour 23)" >/dev/null
    after=$(sim_count datetime_gte=2025-08-08T23)
    echo $((after - before))
}
n=$(delta_np)
check "not preloaded: a new session has a cache of its own ($n requests)" [ "$n" -ge 1 ]
# a scan of many series that would go parallel stays in the session that
# owns the cache: workers' per-session caches would die with them
par="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
     SET max_parallel_workers_per_gather = 2;"
month="SELECT count(*) FROM j.visit_journey_events WHERE event_start >= '2025-08-01' AND event_start < '2025-08-21'"
plan=$(np -c "$par EXPLAIN (COSTS OFF) $month" 2>&1)
check "not preloaded: a scan with cache_ttl is not planned parallel" eval '! has "$plan" "Gather"'
before=$(sim_count datetime_gte=2025-08-)
np -c "$par" -c "$month" -c "$month" >/dev/null
after=$(sim_count datetime_gte=2025-08-)
first20=$(np -c "$month" >/dev/null; sim_count datetime_gte=2025-08-)
check "not preloaded: its repeat in the same session makes 0 requests ($((after - before)) for two runs, a new session $((first20 - after)))" \
    eval '[ $((first20 - after)) -gt 0 ] && [ $((after - before)) -eq $((first20 - after)) ]'
check "not preloaded: the server log shows no crash" \
    eval '! grep -qE "terminated by signal|PANIC" "$NP/pg.log"'
exit "$FAILS"
