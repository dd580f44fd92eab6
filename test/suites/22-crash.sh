#!/usr/bin/env bash
#
# test/suites/22-crash.sh -- no statement, vendor answer, cancel or timeout
# may take a backend down.  Against the shared cluster and the simulator of
# test/run-tests.sh, in a database of its own with every vendor's tables
# (test/servers.sql), this drives:
#
#   writes     INSERT, INSERT ... SELECT, UPDATE, DELETE, MERGE, TRUNCATE,
#              COPY FROM, ON CONFLICT, SELECT ... FOR UPDATE, EXPLAIN of each,
#              tuple routing into a retail_fdw partition -- on every table
#   ANALYZE    every table, plain, then under each failure of the vendor
#              (HTTP 500, malformed, wrong shape, cut, reset, a type error),
#              under statement_timeout on a stalled vendor, and cancelled
#   timeouts   statement_timeout at several points of a scan (connect,
#              token, first page, later pages), a write and the actions
#   hostile    every table's query against bodies no document allows
#
# Each statement must end in a result or an error with its own SQLSTATE
# (never XX000, never a lost connection), and the suite fails if the server
# log shows a backend terminated by a signal since it started.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${PG_LOG:-}" "${RF_TMP:?}" "${SIMCTL:?}" \
    "${SIM_JOURNEY_URL:?}" "${SIM_AIFI_URL:?}" "${SIM_RETAILNEXT_URL:?}" "${SIM_INSPECTOR_URL:?}"
DB=rf_crash
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"
LOG=${PG_LOG:-$RF_TMP/pg.log}
LOG_START=$(wc -c <"$LOG" 2>/dev/null || echo 0)
OUT=$RF_TMP/crash
mkdir -p "$OUT"

# the simulator's control, by curl (a python start per call would make the
# hostile loop below slow): sreset forgets faults, sfault RULE adds one
sreset() { curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{}' "$SIM_URL/_sim/reset"; }
sfault() { curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "$1" "$SIM_URL/_sim/faults"; }

cleanup() {
    $SIMCTL reset >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS rf_crash_smith" >/dev/null 2>&1 || true
}
trap cleanup EXIT

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" \
    -v journey_url="$SIM_JOURNEY_URL" -v aifi_url="$SIM_AIFI_URL" \
    -v rn_url="$SIM_RETAILNEXT_URL" -v ic_url="$SIM_INSPECTOR_URL" \
    -c "SET client_min_messages = warning" -f "$RF_REPO/test/servers.sql" >/dev/null \
    || { notok "set-up"; exit "$FAILS"; }
# no retries: every injected failure is the answer, at once
for s in journey aifi rn ic; do
    q "ALTER SERVER $s OPTIONS (ADD max_retries '0')" >/dev/null
done
$SIMCTL reset >/dev/null

# A query per table that the API can answer: its required filters, values
# from the simulator's fixtures.  rn_locations (the one table that can be
# written) is asked for a uuid that does not exist, so that no write below
# ever reaches the vendor.
declare -A WHERE=(
    [journey.visit_journey_events]="event_start >= '2025-08-12' AND event_start < '2025-08-13' AND store_code = 'SM-001'"
    [aifi.aifi_sessions]="store_id = 2 AND created_at >= '2025-08-10' AND created_at < '2025-08-11'"
    [aifi.aifi_customers]="true"
    [aifi.aifi_orders]="true"
    [aifi.aifi_products]="true"
    [aifi.aifi_stores]="true"
    [rn.rn_locations]="uuid = '00000000-0000-0000-0000-000000000000'"
    [rn.rn_datamine]="location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in' AND period_start >= '2021-02-22' AND period_start < '2021-02-23'"
    [rn.rn_predicted_traffic]="store_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND time >= current_date + 1 AND time < current_date + 2"
    [rn.rn_store_hours]="store_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND effective_day >= '2021-02-05' AND effective_day < '2021-02-08'"
    [rn.rn_zone_transitions]="location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9' AND start_date = '2021-02-15' AND finish_date = '2021-02-22'"
    [ic.ic_visits]="created_at >= '2025-08-05' AND created_at < '2025-08-06'"
    [ic.ic_visit_answers]="visit_created_at >= '2025-08-05' AND visit_created_at < '2025-08-06'"
    [ic.ic_visit_dqi]="visit_created_at >= '2025-08-05' AND visit_created_at < '2025-08-06'"
)
tables=$(q "SELECT foreign_table_schema || '.' || foreign_table_name
              FROM information_schema.foreign_tables ORDER BY 1")
check "every vendor's tables are there ($(wc -w <<<"$tables") tables)" [ "$(wc -w <<<"$tables")" -ge 29 ]

# where_of T: the table's query filter (the ic_ children: created_at)
where_of() {
    local t=$1
    if [ -n "${WHERE[$t]:-}" ]; then
        echo "${WHERE[$t]}"
    elif [ "${t%%.*}" = ic ]; then
        echo "created_at >= '2025-08-05' AND created_at < '2025-08-06'"
    else
        echo "true"
    fi
}

# judge WHAT FILE: the output of a psql run must show no lost connection and
# no internal error (XX000); the statements' own errors are fine
judge() {
    local what=$1 file=$2 bad
    bad=$(grep -E 'server closed the connection|connection to server was lost|terminated abnormally|ERROR:  XX000|PANIC' "$file" | head -n 3)
    if [ -z "$bad" ]; then
        ok "$what"
    else
        notok "$what: $bad"
    fi
}

# -------------------------------------------------------------- writes
for t in $tables; do
    w=$(where_of "$t")
    col=$(q "SELECT quote_ident(attname) FROM pg_attribute
              WHERE attrelid = '$t'::regclass AND attnum > 0 AND NOT attisdropped
              ORDER BY attnum LIMIT 1")
    f=$OUT/write-${t//./_}.out
    psql -X -At -d "$DB" -v VERBOSITY=verbose >"$f" 2>&1 <<SQL
INSERT INTO $t DEFAULT VALUES;
INSERT INTO $t SELECT * FROM $t WHERE $w;
INSERT INTO $t DEFAULT VALUES ON CONFLICT DO NOTHING;
UPDATE $t SET $col = $col WHERE $w;
UPDATE $t SET $col = $col WHERE $w RETURNING *;
DELETE FROM $t WHERE $w;
MERGE INTO $t USING (SELECT 1) s ON false WHEN NOT MATCHED THEN DO NOTHING;
TRUNCATE $t;
COPY $t ($col) FROM stdin;
\\N
\\.
SELECT * FROM $t WHERE $w FOR UPDATE;
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO $t DEFAULT VALUES;
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO $t SELECT * FROM $t WHERE $w;
EXPLAIN (VERBOSE, COSTS OFF) UPDATE $t SET $col = $col WHERE $w;
EXPLAIN (VERBOSE, COSTS OFF) DELETE FROM $t WHERE $w;
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF) INSERT INTO $t SELECT * FROM $t WHERE $w;
CREATE TEMP TABLE parent (LIKE $t) PARTITION BY LIST ($col);
CREATE FOREIGN TABLE pg_temp.part PARTITION OF parent DEFAULT
    SERVER ${t%%.*} OPTIONS (resource '${t#*.}');
INSERT INTO parent DEFAULT VALUES;
SELECT 'alive';
SQL
    judge "writes, COPY and EXPLAIN of writes on $t" "$f"
    check "... the session lived to the end" grep -qx alive "$f"
done
out=$(psql -X -At -d "$DB" -v VERBOSITY=verbose \
        -c "INSERT INTO journey.visit_journey_events (visit_id) VALUES ('x')" 2>&1)
check "INSERT into a read-only table: 42809 naming the table ($(head -c 160 <<<"$out"))" \
    has "$out" 'ERROR:  42809: cannot insert into foreign table "visit_journey_events"'
out=$(psql -X -At -d "$DB" -v VERBOSITY=verbose \
        -c "UPDATE rn.rn_user_profiles SET name = 'x' WHERE true" 2>&1)
check "UPDATE of a read-only table: 42809 ($(head -c 160 <<<"$out"))" \
    has "$out" 'ERROR:  42809: cannot update foreign table "rn_user_profiles"'
out=$(psql -X -At -d "$DB" -v VERBOSITY=verbose -c "COPY rn.rn_locations (name) FROM stdin" 2>&1 <<<"x")
check "COPY into rn_locations says which column the API needs, no request ($(head -c 160 <<<"$out"))" \
    has "$out" 'ERROR:  23502: a new row of foreign table "rn_locations" needs'
check "... and no write reached the vendor" [ "$($SIMCTL count --vendor retailnext --contains /v2/location/create 2>/dev/null || echo 0)" = 0 ]

# -------------------------------------------------------------- functions
# every function of the extension with NULL arguments, then with empty or
# odd ones: a C function that is not STRICT must look at its NULLs
f=$OUT/functions.out
q "SELECT format('SELECT %s.%I(%s);', n.nspname, p.proname,
                 string_agg('NULL::' || format_type(t.oid, NULL), ', ' ORDER BY a.i))
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     LEFT JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i) ON true
     LEFT JOIN pg_type t ON t.oid = a.t
    WHERE n.nspname = 'retail_fdw' AND p.prokind = 'f'
      AND p.prorettype NOT IN ('event_trigger'::regtype, 'fdw_handler'::regtype, 'trigger'::regtype)
    GROUP BY n.nspname, p.proname, p.oid
   UNION ALL
   SELECT format('SELECT %s.%I(%s);', n.nspname, p.proname,
                 string_agg(CASE format_type(t.oid, NULL)
                              WHEN 'text' THEN quote_literal('')
                              WHEN 'text[]' THEN quote_literal('{=,x,=y,\"\"}') || '::text[]'
                              WHEN 'integer' THEN '-2147483648'
                              WHEN 'bigint' THEN '-9223372036854775808'
                              WHEN 'interval' THEN quote_literal('-1 us') || '::interval'
                              WHEN 'oid' THEN '0'
                              WHEN 'regclass' THEN quote_literal('pg_class') || '::regclass'
                              WHEN 'name' THEN quote_literal('')
                              WHEN 'uuid[]' THEN quote_literal('{}') || '::uuid[]'
                              ELSE 'NULL::' || format_type(t.oid, NULL) END, ', ' ORDER BY a.i))
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     LEFT JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i) ON true
     LEFT JOIN pg_type t ON t.oid = a.t
    WHERE n.nspname = 'retail_fdw' AND p.prokind = 'f' AND p.pronargs > 0
      AND p.prorettype NOT IN ('event_trigger'::regtype, 'fdw_handler'::regtype, 'trigger'::regtype)
    GROUP BY n.nspname, p.proname, p.oid" >"$OUT/functions.sql"
for opts in "{vendor=journey}" "{novalue}" "{=}" "{vendor=journey,base_url=http://127.0.0.1:9/?a#b}" \
            "{resource=rn_datamine,json_path=}" "{\"token=a b\",max_retries=-1}"; do
    for cat in 0 1259 1417 1418 2328; do
        echo "SELECT retail_fdw.retail_fdw_validator('$opts'::text[], $cat);" >>"$OUT/functions.sql"
    done
done
echo "SELECT 'alive';" >>"$OUT/functions.sql"
check "... $(grep -c '^SELECT' "$OUT/functions.sql") calls generated" [ "$(grep -c '^SELECT' "$OUT/functions.sql")" -gt 60 ]
PGOPTIONS="-c statement_timeout=5s" psql -X -At -d "$DB" -v VERBOSITY=verbose -f "$OUT/functions.sql" >"$f" 2>&1
judge "every function of the extension with NULL and odd arguments" "$f"
check "... the session lived" grep -qx alive "$f"

# -------------------------------------------------------------- ANALYZE
f=$OUT/analyze-plain.out
psql -X -At -d "$DB" -v VERBOSITY=verbose -c "ANALYZE" -c "SELECT 'alive'" >"$f" 2>&1
judge "ANALYZE of every table" "$f"
check "... the session lived" grep -qx alive "$f"

analyze_under() {
    local what=$1 rule=$2 pre=${3:-} t f
    f=$OUT/analyze-${what// /_}.out
    : >"$f"
    for t in journey.visit_journey_events aifi.aifi_sessions aifi.aifi_stores \
             rn.rn_locations rn.rn_users ic.ic_visits ic.ic_visit_scenes; do
        sreset
        sfault "$rule"
        psql -X -At -d "$DB" -v VERBOSITY=verbose ${pre:+-c "$pre"} \
            -c "ANALYZE $t" -c "RESET statement_timeout" -c "SELECT 'alive'" >>"$f" 2>&1
    done
    sreset
    judge "ANALYZE with $what" "$f"
    check "... every session lived ($(grep -cx alive "$f") of 7)" [ "$(grep -cx alive "$f")" = 7 ]
}
analyze_under "HTTP 500" '{"status": 500, "times": -1}'
analyze_under "malformed JSON" '{"kind": "malformed", "times": -1}'
analyze_under "a wrong shape" '{"kind": "wrong_shape", "times": -1}'
analyze_under "a cut body" '{"kind": "truncate", "times": -1}'
analyze_under "a reset connection" '{"kind": "reset", "times": -1}'
analyze_under "a type error" '{"kind": "body", "status": 200, "times": -1, "body": {"count": 1, "next": null, "results": [{"event_start": "not a time", "id": "x", "created_at": [1], "uuid": {"a": 1}, "name": {"b": 2}}], "data": [{"id": "x", "created_at": [1]}], "items": [{"id": {}}]}}'
analyze_under "statement_timeout on a stalled vendor" '{"kind": "stall", "stall_ms": 3000, "times": -1}' \
    "SET statement_timeout = '300ms'"

# a cancel from another session while ANALYZE waits
sreset
sfault '{"kind": "stall", "stall_ms": 4000, "times": -1}'
f=$OUT/analyze-cancel.out
psql -X -At -d "$DB" -v VERBOSITY=verbose -c "SET application_name = 'rf_crash_analyze'" \
    -c "ANALYZE journey.visit_journey_events" -c "SELECT 'alive'" >"$f" 2>&1 &
apid=$!
for _ in $(seq 1 40); do
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rf_crash_analyze' AND query LIKE 'ANALYZE%'")" = 1 ] && break
    sleep 0.1
done
sleep 0.3
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'rf_crash_analyze'"
wait "$apid"
sreset
judge "a cancelled ANALYZE" "$f"
check "... ends in 57014 and the session lives" eval 'grep -q "57014" "$f" && grep -qx alive "$f"'

# -------------------------------------------------------------- timeouts
# every request answers late: a timeout lands at a different point of the
# scan (connect, token, first page, later pages, parse) for each value
f=$OUT/timeouts.out
: >"$f"
sreset
sfault '{"kind": "delay", "delay_ms": 120, "times": -1}'
for ms in 1 5 20 60 130 250 400; do
    for t in journey.visit_journey_events aifi.aifi_sessions rn.rn_datamine ic.ic_visits; do
        psql -X -At -d "$DB" -v VERBOSITY=verbose -c "SET statement_timeout = '${ms}ms'" \
            -c "SELECT count(*) FROM $t WHERE $(where_of "$t")" \
            -c "RESET statement_timeout" -c "SELECT 'alive'" >>"$f" 2>&1
    done
    psql -X -At -d "$DB" -v VERBOSITY=verbose -c "SET statement_timeout = '${ms}ms'" \
        -c "INSERT INTO rn.rn_locations (name, parent_uuid, location_type)
              VALUES ('crash', '00000000-0000-0000-0000-000000000000', 'entrance')" \
        -c "RESET statement_timeout" -c "SELECT 'alive'" >>"$f" 2>&1
    psql -X -At -d "$DB" -v VERBOSITY=verbose -c "SET statement_timeout = '${ms}ms'" \
        -c "SELECT ok FROM retail_fdw.check_server('aifi')" \
        -c "RESET statement_timeout" -c "SELECT 'alive'" >>"$f" 2>&1
done
sreset
judge "statement_timeout at each point of scans, a write and check_server" "$f"
check "... every session lived ($(grep -cx alive "$f") of 42)" [ "$(grep -cx alive "$f")" = 42 ]
check "... and some statements did time out" grep -q 57014 "$f"

# -------------------------------------------------------------- transactions
# scans left half-read by a cursor, a savepoint, an error in a
# subtransaction, a prepared statement's generic plan, a rescan of a
# lateral join, a WITH HOLD cursor, then a failure in the middle of each
J="journey.visit_journey_events"
JW="event_start >= '2025-08-12' AND event_start < '2025-08-14'"
f=$OUT/transactions.out
sreset
sfault '{"vendor": "journey", "status": 500, "skip": 3, "every": 4, "times": -1}'
psql -X -At -d "$DB" -v VERBOSITY=verbose >"$f" 2>&1 <<SQL
ALTER SERVER journey OPTIONS (ADD page_size '50');
BEGIN;
DECLARE c1 CURSOR FOR SELECT * FROM $J WHERE $JW;
FETCH 5 FROM c1;
SAVEPOINT s1;
DECLARE c2 CURSOR FOR SELECT * FROM $J WHERE $JW;
FETCH 500 FROM c2;
ROLLBACK TO SAVEPOINT s1;
FETCH 500 FROM c1;
FETCH 500 FROM c1;
ROLLBACK;
BEGIN;
DECLARE h CURSOR WITH HOLD FOR SELECT visit_id FROM $J WHERE $JW;
COMMIT;
FETCH 3 FROM h;
CLOSE h;
PREPARE p(timestamptz) AS SELECT count(*) FROM $J WHERE event_start >= \$1 AND event_start < \$1 + interval '1 day';
EXECUTE p('2025-08-12'); EXECUTE p('2025-08-13'); EXECUTE p('2025-08-14');
EXECUTE p('2025-08-15'); EXECUTE p('2025-08-16'); EXECUTE p('2025-08-17'); EXECUTE p('2025-08-18');
SELECT count(*) FROM generate_series(0, 5) d,
  LATERAL (SELECT * FROM $J WHERE event_start >= '2025-08-12'::date + d
                             AND event_start < '2025-08-12'::date + d + 1 LIMIT 70) x;
DO \$\$ BEGIN
  FOR i IN 1..4 LOOP
    BEGIN
      PERFORM count(*) FROM $J WHERE $JW;
    EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'caught %', SQLSTATE;
    END;
  END LOOP;
END \$\$;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SELECT count(*) FROM $J WHERE event_start >= '2025-08-12' AND event_start < '2025-08-20';
RESET ALL;
ALTER SERVER journey OPTIONS (DROP page_size);
SELECT 'alive';
SQL
sreset
judge "cursors, savepoints, WITH HOLD, generic plans, lateral rescans and parallel scans failing midway" "$f"
check "... the session lived" grep -qx alive "$f"
check "... and the failures were the vendor's (HTTP 500)" grep -q "HTTP 500" "$f"

# a backend terminated in the middle of a scan exits cleanly
sreset
sfault '{"kind": "stall", "stall_ms": 3000, "times": -1}'
psql -X -At -d "$DB" -c "SET application_name = 'rf_crash_term'" \
    -c "SELECT count(*) FROM $J WHERE $JW" >/dev/null 2>&1 &
tpid=$!
for _ in $(seq 1 40); do
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rf_crash_term' AND query LIKE 'SELECT count%'")" = 1 ] && break
    sleep 0.1
done
sleep 0.3
check "pg_terminate_backend during a scan" \
    [ "$(q "SELECT bool_and(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE application_name = 'rf_crash_term'")" = t ]
wait "$tpid"
sreset

# -------------------------------------------------------------- hostile
# bodies no document allows, through every table's query
BODIES=(
    'null' '[]' '{}' '"x"' '0' '{"results": {}}' '{"results": [1, "a", null, []]}'
    '{"count": -1, "next": null, "results": []}' '{"count": 2, "next": 7, "results": [{}]}'
    '{"results": [{"event_start": {"x": []}, "id": [], "created_at": "", "uuid": "", "value": "1e999999"}]}'
    '{"data": null, "items": 5, "locations": "", "results": [{"start": [], "visits": {}}]}'
)
for t in $tables; do
    f=$OUT/hostile-${t//./_}.out
    : >"$f"
    w=$(where_of "$t")
    for b in "${BODIES[@]}" deep; do
        sreset
        if [ "$b" = deep ]; then
            sfault "{\"kind\": \"body\", \"status\": 200, \"times\": -1, \"content_type\": \"application/json\", \"body\": \"$(printf '[%.0s' $(seq 1 3000))\"}"
        else
            sfault "{\"kind\": \"body\", \"status\": 200, \"times\": -1, \"body\": $b}"
        fi
        psql -X -At -d "$DB" -v VERBOSITY=verbose -c "SET statement_timeout = '10s'" \
            -c "SELECT count(*) FROM (SELECT * FROM $t WHERE $w) s" \
            -c "RESET statement_timeout" -c "SELECT 'alive'" >>"$f" 2>&1
    done
    for k in malformed wrong_shape truncate huge; do
        sreset
        sfault "{\"kind\": \"$k\", \"size_bytes\": 2000000, \"times\": -1}"
        psql -X -At -d "$DB" -v VERBOSITY=verbose -c "SET statement_timeout = '10s'" \
            -c "SELECT count(*) FROM (SELECT * FROM $t WHERE $w) s" \
            -c "RESET statement_timeout" -c "SELECT 'alive'" >>"$f" 2>&1
    done
    judge "hostile answers through $t" "$f"
    check "... every session lived" [ "$(grep -cx alive "$f")" = $((${#BODIES[@]} + 5)) ]
done
sreset

# -------------------------------------------------------------- sqlsmith
# Random SQL over every table (Debian's sqlsmith, bounded by a seed and a
# count), as an ordinary role that may read every foreign table and write
# none: writes are driven above, and none of sqlsmith's may reach the
# simulator that later suites share.
SMITH_SEED=${RF_SMITH_SEED:-1}
SMITH_COUNT=${RF_SMITH_COUNT:-1500}
psql -X -q -d postgres -c "DROP ROLE IF EXISTS rf_crash_smith" -c "CREATE ROLE rf_crash_smith LOGIN" >/dev/null
for s in journey aifi rn ic; do
    q "GRANT USAGE ON SCHEMA $s TO rf_crash_smith; GRANT SELECT ON ALL TABLES IN SCHEMA $s TO rf_crash_smith;
       GRANT USAGE ON FOREIGN SERVER $s TO rf_crash_smith" >/dev/null
done
q "CREATE USER MAPPING FOR rf_crash_smith SERVER journey OPTIONS (token 'journey-secret-token');
   CREATE USER MAPPING FOR rf_crash_smith SERVER aifi OPTIONS (client_id 'aifi-client', client_secret 'aifi-client-secret');
   CREATE USER MAPPING FOR rf_crash_smith SERVER rn OPTIONS (access_key 'rn-access-key', secret_key 'rn-secret-key');
   CREATE USER MAPPING FOR rf_crash_smith SERVER ic OPTIONS (token 'ic-secret-token')" >/dev/null
q "ALTER ROLE rf_crash_smith SET retail_fdw.allowed_hosts = '127.0.0.1'" >/dev/null
if command -v sqlsmith >/dev/null 2>&1; then
    f=$OUT/sqlsmith.out
    PGOPTIONS="-c statement_timeout=2s" timeout 300 sqlsmith --exclude-catalog \
        --target="host=$PGHOST port=$PGPORT dbname=$DB user=rf_crash_smith" \
        --seed="$SMITH_SEED" --max-queries="$SMITH_COUNT" --verbose >"$f" 2>&1
    rc=$?
    ran=$(grep -oE '^queries: [0-9]+' "$f" | tail -n 1 | grep -oE '[0-9]+')
    check "sqlsmith: $SMITH_COUNT random queries (seed $SMITH_SEED) ran to the end (exit $rc, ${ran:-0} queries)" \
        eval '[ "$rc" = 0 ] && [ "${ran:-0}" -ge "$SMITH_COUNT" ]'
    check "... none lost the connection or raised XX000" \
        eval '! grep -qE "XX000|server closed the connection|terminated abnormally|connection to server was lost" "$f"'
else
    notok "sqlsmith is not installed (test/lib.sh rf_ensure_test_packages installs it)"
fi
q "DROP OWNED BY rf_crash_smith" >/dev/null

# -------------------------------------------------------------- the log
crashes=$(tail -c +"$((LOG_START + 1))" "$LOG" 2>/dev/null | grep -E 'terminated by signal|PANIC|was terminated by exception' | head -n 5)
check "the server log shows no backend terminated by a signal${crashes:+: $crashes}" [ -z "$crashes" ]
exit "$FAILS"
