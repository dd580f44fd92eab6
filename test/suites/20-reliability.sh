#!/usr/bin/env bash
#
# test/suites/20-reliability.sh -- faults, cancellation, secrets and TLS,
# against the shared cluster and simulator of test/run-tests.sh.
#
#   1. the same queries with ~20% of requests failing transiently (503,
#      connection reset, truncated body) give the same results as without
#   2. pg_cancel_backend and pg_terminate_backend end a scan of a stalled
#      vendor within 2 seconds; the session stays usable and keeps no
#      extra file descriptors (sockets) after repeated cancellations
#   3. no secret appears in EXPLAIN (any format), error messages, the
#      server log at debug5, or pg_stat_activity
#   4. TLS: a self-signed https vendor is refused, ca_file makes it pass,
#      verify_tls 'false' works for a superuser
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks (0 = all passed).
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIMCTL:?}" "${RF_TMP:?}"
DB=rf_reliability
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"
now_ms() { date +%s%3N; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
$SIMCTL reset

# Servers for every vendor; generous retries, short waits.
"${PSQL[@]}" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION retail_fdw;
CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL', max_retries '8', retry_max_wait_ms '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (token 'journey-secret-token');
CREATE SERVER aifi FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'aifi', base_url '$SIM_AIFI_URL', max_retries '8', retry_max_wait_ms '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER aifi
  OPTIONS (client_id 'aifi-client', client_secret 'aifi-client-secret');
CREATE SERVER rn FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'retailnext', base_url '$SIM_RETAILNEXT_URL', max_retries '8', retry_max_wait_ms '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER rn
  OPTIONS (access_key 'rn-access-key', secret_key 'rn-secret-key');
CREATE SERVER ic FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'inspector', base_url '$SIM_INSPECTOR_URL', max_retries '8', retry_max_wait_ms '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER ic OPTIONS (token 'ic-secret-token');
CREATE SCHEMA j; IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO j;
CREATE SCHEMA a; IMPORT FOREIGN SCHEMA aifi FROM SERVER aifi INTO a;
CREATE SCHEMA r; IMPORT FOREIGN SCHEMA retailnext FROM SERVER rn INTO r;
CREATE SCHEMA i; IMPORT FOREIGN SCHEMA inspector FROM SERVER ic INTO i;
CREATE FOREIGN TABLE j.small_pages (session_id text, visit_id text, zone_name text,
  dwell_time_seconds integer, event_start timestamptz, store_code text)
  SERVER journey OPTIONS (resource 'visit_journey_events', page_size '50');
SQL

# ---------------------------------------------------------------- 1. flaky
QUERIES=(
  "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM j.small_pages t WHERE event_start >= '2025-08-03' AND event_start < '2025-08-06'"
  "SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM (SELECT id, status, created_at FROM a.aifi_sessions) t"
  "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM r.rn_datamine t WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', '86b03ba2-a117-11ea-802c-c00010892d7a') AND metric IN ('traffic_in', 'traffic_out') AND grain = 'hour' AND period_start >= '2021-02-01' AND period_start < '2021-02-08'"
  "SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM (SELECT id, store_id, jsonb_array_length(prices) AS p FROM i.ic_visits WHERE created_at >= '2025-08-05') t"
  "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM r.rn_users t"
)
declare -a CLEAN=()
for qq in "${QUERIES[@]}"; do
    CLEAN+=("$(q "$qq")")
done
$SIMCTL reset
$SIMCTL fault '{"rate": 0.08, "seed": 7, "status": 503, "times": -1, "path_contains": "/"}'
$SIMCTL fault '{"rate": 0.07, "seed": 8, "kind": "reset", "times": -1, "path_contains": "/"}'
$SIMCTL fault '{"rate": 0.07, "seed": 9, "kind": "truncate", "times": -1, "path_contains": "/"}'
n=0
for qq in "${QUERIES[@]}"; do
    got=$(q "$qq" 2>&1)
    check "flaky vendor, query $n: same result as without faults" [ "$got" = "${CLEAN[$n]}" ]
    n=$((n + 1))
done
total=$($SIMCTL count)
failed=$(python3 -c 'import json,sys; r=json.load(sys.stdin); print(sum(1 for x in r if x["status"] >= 500))' \
         < <($SIMCTL requests))
echo "# $total requests, $failed answered 5xx (plus resets and truncations)"
check "faults were really injected" [ "$failed" -gt 0 ]
$SIMCTL reset

# ---------------------------------------------------------------- 2. cancel
STALL='{"path_contains": "/bi/", "kind": "stall", "stall_ms": 30000, "times": -1}'
SCAN="SELECT count(*) FROM j.visit_journey_events WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13'"
fds_sql="SELECT count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/fd')"

# one session: baseline, five cancelled scans, then a normal one
out=$RF_TMP/cancel.out
psql -X -At -d "$DB" >"$out" 2>&1 <<SQL
SELECT pg_backend_pid() AS pid \gset
$SCAN;
$fds_sql;
\! $SIMCTL fault '$STALL'
\setenv CANCEL_PID :pid
SELECT extract(epoch FROM clock_timestamp())::numeric(20,3) AS t0 \gset
\! (sleep 1; psql -X -q -d $DB -c "SELECT pg_cancel_backend(\$CANCEL_PID)" >/dev/null) &
$SCAN;
SELECT 'elapsed ' || (extract(epoch FROM clock_timestamp()) - :t0)::numeric(10,1);
SET statement_timeout = '300ms';
$SCAN;
$SCAN;
$SCAN;
$SCAN;
RESET statement_timeout;
\! $SIMCTL reset
$SCAN;
$fds_sql;
SQL
cat "$out" | sed 's/^/# /'
elapsed=$(grep '^elapsed' "$out" | awk '{print $2}')
check "pg_cancel_backend ends a stalled scan within 2 s (took ${elapsed}s)" \
    python3 -c "import sys; sys.exit(0 if 0 < float('$elapsed') < 3.0 else 1)"
check "the cancellation is reported as such" grep -q "canceling statement due to user request" "$out"
check "statement_timeout cancels repeatedly" [ "$(grep -c 'statement timeout' "$out")" -eq 4 ]
mapfile -t nums < <(grep -E '^[0-9]+$' "$out")
# nums: count, fds, count, fds
check "the session works after cancellations (same count)" [ "${nums[0]:-x}" = "${nums[2]:-y}" ]
check "no file descriptors leaked (${nums[1]:-?} before, ${nums[3]:-?} after)" \
    [ "${nums[1]:-x}" = "${nums[3]:-y}" ]

# terminate: the backend is gone within 2 s
$SIMCTL fault "$STALL"
start=$(now_ms)
(psql -X -q -d "$DB" -c "SET application_name = 'rf_victim'" -c "$SCAN" >/dev/null 2>&1 &)
sleep 0.7
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rf_victim'" >/dev/null
gone=0
for _ in $(seq 1 40); do
    if [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rf_victim'")" = 0 ]; then
        gone=1
        break
    fi
    sleep 0.05
done
took=$(( $(now_ms) - start - 700 ))
check "pg_terminate_backend ends the backend within 2 s (${took} ms)" eval '[ "$gone" -eq 1 ] && [ "$took" -lt 2000 ]'
$SIMCTL reset

# ---------------------------------------------------------------- 3. secrets
SECRETS=(journey-secret-token aifi-client-secret rn-secret-key ic-secret-token
         "$(printf 'rn-access-key:rn-secret-key' | base64)")
LOG_START=$(wc -c < "$PG_LOG")
out=$RF_TMP/secrets.out
psql -X -d "$DB" >"$out" 2>&1 <<'SQL'
SET log_min_messages = debug5;
SET client_min_messages = debug5;
SET log_error_verbosity = verbose;
\set VERBOSITY verbose
EXPLAIN (VERBOSE) SELECT * FROM j.visit_journey_events WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
EXPLAIN (VERBOSE, FORMAT JSON) SELECT * FROM a.aifi_sessions LIMIT 1;
EXPLAIN (VERBOSE, FORMAT YAML) SELECT * FROM r.rn_users;
EXPLAIN (ANALYZE, VERBOSE, FORMAT XML) SELECT * FROM i.ic_visits WHERE id = 324096;
SELECT count(*) FROM a.aifi_stores;
SELECT count(*) FROM r.rn_locations;
SELECT query FROM pg_stat_activity;
-- failures: the vendor's answers, never our credentials
ALTER USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (SET token 'journey-wrong-token');
SELECT count(*) FROM j.visit_journey_events WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
ALTER USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (SET token 'journey-secret-token');
ALTER USER MAPPING FOR CURRENT_USER SERVER rn OPTIONS (SET secret_key 'rn-wrong-key');
SELECT count(*) FROM r.rn_users;
ALTER USER MAPPING FOR CURRENT_USER SERVER rn OPTIONS (SET secret_key 'rn-secret-key');
SQL
tail -c +"$((LOG_START + 1))" "$PG_LOG" > "$RF_TMP/secrets.log"
check "the secrets run produced output and debug5 logging" \
    eval '[ -s "$out" ] && [ -s "$RF_TMP/secrets.log" ]'
for s in "${SECRETS[@]}"; do
    hits=$(cat "$out" "$RF_TMP/secrets.log" | grep -F -c -- "$s" || true)
    # the ALTER USER MAPPING statements themselves are the user's own text
    own=$(grep -F -- "$s" "$out" "$RF_TMP/secrets.log" | grep -c "USER MAPPING" || true)
    check "secret ${s:0:6}... appears nowhere but in the user's own statements" \
        [ "$((hits - own))" -eq 0 ]
done
check "redaction is visible in EXPLAIN" grep -q "<redacted>" "$out"

# ---------------------------------------------------------------- 4. TLS
TLS_DIR=$RF_TMP/tls
mkdir -p "$TLS_DIR"
rm -f "$TLS_DIR/ports.json"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" \
    -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    >/dev/null 2>&1
chmod 644 "$TLS_DIR/cert.pem"
"$RF_PYTHON" "$RF_REPO/test/sim/simulator.py" --ports-file "$TLS_DIR/ports.json" \
    --tls-cert "$TLS_DIR/cert.pem" --tls-key "$TLS_DIR/key.pem" --seed 42 --option journey.stores=3 \
    >"$TLS_DIR/sim.log" 2>&1 &
TLS_PID=$!
for _ in $(seq 1 100); do [ -s "$TLS_DIR/ports.json" ] && break; sleep 0.1; done
TLS_PORT=$("$RF_PYTHON" -c "import json; print(json.load(open('$TLS_DIR/ports.json'))['journey']['port'])")
out=$RF_TMP/tls.out
psql -X -d "$DB" >"$out" 2>&1 <<SQL
\set VERBOSITY default
CREATE SERVER tls FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'https://localhost:$TLS_PORT', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER tls OPTIONS (token 'journey-secret-token');
CREATE FOREIGN TABLE tls_events (session_id text, event_start timestamptz)
  SERVER tls OPTIONS (resource 'visit_journey_events');
SELECT 'self-signed: ' || count(*) FROM tls_events WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'check_server: ' || ok || ' | ' || hint FROM retail_fdw.check_server('tls');
ALTER SERVER tls OPTIONS (ADD ca_file '$TLS_DIR/cert.pem');
SELECT 'check_server with ca_file: ' || ok FROM retail_fdw.check_server('tls');
SELECT 'with ca_file: ' || count(*) FROM tls_events WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
ALTER SERVER tls OPTIONS (DROP ca_file, ADD verify_tls 'false');
SELECT 'unverified: ' || count(*) FROM tls_events WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
CREATE ROLE rf_tls_user;
GRANT USAGE ON FOREIGN DATA WRAPPER retail_fdw TO rf_tls_user;
SET ROLE rf_tls_user;
CREATE SERVER tls2 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'https://localhost:$TLS_PORT', verify_tls 'false');
CREATE SERVER tls3 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'file:///etc/passwd');
CREATE SERVER tls4 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'http://192.0.2.1:8080');
RESET ROLE;
REVOKE USAGE ON FOREIGN DATA WRAPPER retail_fdw FROM rf_tls_user;
DROP ROLE rf_tls_user;
DROP SERVER tls CASCADE;
SQL
kill "$TLS_PID" 2>/dev/null || true
sed 's/^/# /' "$out"
check "a self-signed vendor is refused" grep -q "SQLSTATE HV00N" "$out"
check "the refusal names the certificate problem" grep -q "SSL certificate problem" "$out"
check "check_server says it is TLS" grep -q "check_server: false | TLS: " "$out"
check "check_server passes with ca_file" grep -q "check_server with ca_file: true" "$out"
ref=$(q "SELECT count(*) FROM j.visit_journey_events WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13'")
check "ca_file makes it pass (same $ref rows as over http)" grep -q "with ca_file: $ref" "$out"
check "verify_tls 'false' works for a superuser" grep -q "unverified: $ref" "$out"
check "verify_tls 'false' is refused for others" grep -q 'only superusers may turn off "verify_tls"' "$out"
check "file:// is refused" grep -q 'base_url": "file:///etc/passwd"' "$out"
check "plain http to a non-loopback host is refused" grep -q "plain http is allowed only to a loopback host" "$out"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
echo "# $FAILS failed"
exit "$FAILS"
