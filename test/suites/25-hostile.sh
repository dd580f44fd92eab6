#!/usr/bin/env bash
#
# test/suites/25-hostile.sh -- hostile input and rights, against the shared
# cluster of test/run-tests.sh and the hostile vendor of test/hostile/.
#
# Each item of the issue "Hostile input and rights" is checked for the
# behaviour it asks for:
#
#    1. request_stats stays inside its fixed table: 5,000 vendor_call paths
#       are one endpoint name, overflow folds into one row per server,
#       shared memory does not move, a reset gives the entries back; the
#       rows of a full table stay with their server and database (1b.)
#    2. invalid UTF-8 from the vendor: 22021 naming the column
#    3. numbers past every native type: 22003 with the vendor's value,
#       numeric keeps the vendor's digits, NaN / Infinity refused
#    4. count/rows mismatch, huge counts, cycling or repeated next links:
#       an error at once, never a short or endless answer
#    5. sync watermarks: only sync moves them, for targets the caller may
#       write; a dropped target breaks nothing for others (two roles)
#    6. network policy: roles that are not superusers reach only public
#       https hosts (checked at connect time), vendor_call paths stay under
#       base_url, retail_fdw.allowed_hosts opens hosts again
#    7. no pushed value can add a query parameter; EXPLAIN shows $1
#    8. control characters never reach a header: refused in user mappings
#       and in tokens from a token endpoint
#    9. 3 MB of {}: bounded memory, not retried; deep nesting refused
#   10. relative next links followed; deterministic parse failures not
#       retried; pagination and type failures count as errors
#   production safety (its own block at the end): servers owned by roles
#       that are not superusers are restricted whoever uses them; no query
#       in base_url / token_url; auth_header framing headers refused; kept
#       response headers whole, bounded and UTF-8-checked
#
# Every request goes to 127.0.0.1; addresses elsewhere appear only in
# checks that must be refused before any connection is attempted.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${RF_TMP:?}" "${RF_REPO:?}"
DB=rf_hostile
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"
PY=${RF_PYTHON:-python3}

# ---------------------------------------------------------------- set-up
HDIR=$RF_TMP/hostile
mkdir -p "$HDIR"
rm -f "$HDIR/port"
"$PY" "$RF_REPO/test/hostile/server.py" --port-file "$HDIR/port" >"$HDIR/server.log" 2>&1 &
HPID=$!
cleanup() {
    kill "$HPID" 2>/dev/null || true
    psql -X -q -d "$DB" -c "SELECT retail_fdw.request_stats_reset()" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    for r in hostile_alice hostile_bob hostile_mallory hostile_flood; do
        psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT
for _ in $(seq 1 100); do [ -s "$HDIR/port" ] && break; sleep 0.1; done
PORT=$(cat "$HDIR/port")
H=http://127.0.0.1:$PORT
echo "# hostile vendor at $H"

# hlog: the hostile server's request record; hcount S: requests whose path
# contains S; hheader S: requests carrying a header line containing S
hreset() { "$PY" -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('$H/_hostile/reset', method='POST'))"; }
hcount() {
    "$PY" -c "
import json, sys, urllib.request
log = json.load(urllib.request.urlopen('$H/_hostile/log'))
print(sum(1 for r in log if sys.argv[1] in r['path']))" "$1"
}
hheader() {
    "$PY" -c "
import json, sys, urllib.request
log = json.load(urllib.request.urlopen('$H/_hostile/log'))
print(sum(1 for r in log for k, v in r['headers'] if sys.argv[1].lower() in (k + ': ' + v).lower()))" "$1"
}
# hparams NAME S: the values of query parameter NAME in requests containing S
hparams() {
    "$PY" -c "
import json, sys, urllib.parse, urllib.request
log = json.load(urllib.request.urlopen('$H/_hostile/log'))
for r in log:
    if sys.argv[2] in r['path']:
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(r['path']).query)
        print(len(q.get(sys.argv[1], [])))" "$1" "$2"
}

# run SQL...: statements in $DB, errors with their SQLSTATE, never aborting
run() { psql -X -q -At -d "$DB" -v VERBOSITY=verbose "$@" 2>&1; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
for r in hostile_alice hostile_bob hostile_mallory hostile_flood; do
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1
done

RANGE="event_start >= '2025-08-12' AND event_start < '2025-08-13'"
COLS="session_id text, visit_id text, store_code text, zone_serial_code text,
      dwell_time_seconds integer, event_start timestamptz"

# server NAME [VENDOR]: a server on /h/NAME, a mapping and, for journey, a table
server() {
    local name=$1 vendor=${2:-journey} s
    s=h_${name//-/_}
    echo "CREATE SERVER $s FOREIGN DATA WRAPPER retail_fdw
            OPTIONS (vendor '$vendor', base_url '$H/h/$name', max_retries '3', retry_max_wait_ms '10');"
    if [ "$vendor" = journey ]; then
        echo "CREATE USER MAPPING FOR CURRENT_USER SERVER $s OPTIONS (token 'hostile-token');
              CREATE FOREIGN TABLE ${s}_ev ($COLS) SERVER $s OPTIONS (resource 'visit_journey_events');"
    fi
}
{
    echo "SET client_min_messages = warning; CREATE EXTENSION retail_fdw;"
    for n in plain stats echo count-mismatch count-huge cycle repeat big-empties deep \
             relnext relnext-query relnext-other type-error local-service redirect-metadata \
             head-invalid head-cut; do
        server "$n"
    done
    for k in overlong surrogate past-max lead-f5 lead-ff escaped-high escaped-low; do
        server "utf8-$k"
    done
    for k in huge u64max exp400 nan infinity negzero; do
        s=h_num_$k
        echo "CREATE SERVER $s FOREIGN DATA WRAPPER retail_fdw
                OPTIONS (vendor 'journey', base_url '$H/h/num-$k', max_retries '0');
              CREATE USER MAPPING FOR CURRENT_USER SERVER $s OPTIONS (token 'hostile-token');
              CREATE FOREIGN TABLE ${s}_ev (event_start timestamptz,
                v_numeric numeric OPTIONS (json_path 'value'),
                v_int8 bigint OPTIONS (json_path 'value'),
                v_int4 integer OPTIONS (json_path 'value'),
                v_float8 float8 OPTIONS (json_path 'value'),
                v_text text OPTIONS (json_path 'value'))
                SERVER $s OPTIONS (resource 'visit_journey_events');"
    done
    server token-crlf aifi
    server token-ctl aifi
} | "${PSQL[@]}" >/dev/null || { echo "not ok - set-up failed"; exit 1; }
hreset

# ---------------------------------------------------------------- 1. stats
q "SELECT retail_fdw.request_stats_reset()" >/dev/null
free_before=$(q "SELECT coalesce(sum(size), 0) FROM pg_shmem_allocations WHERE name IS NULL")
mine_before=$(q "SELECT coalesce(sum(allocated_size), 0) FROM pg_shmem_allocations WHERE name LIKE 'retail_fdw%'")
out=$(run <<SQL
CREATE ROLE hostile_flood;
GRANT USAGE ON SCHEMA retail_fdw TO hostile_flood;
GRANT USAGE ON FOREIGN SERVER h_stats TO hostile_flood;
CREATE USER MAPPING FOR hostile_flood SERVER h_stats OPTIONS (token 'flood-token');
SET retail_fdw.allowed_hosts = '127.0.0.1:$PORT';
SET ROLE hostile_flood;
SELECT 'answered ' || count(*) FROM generate_series(1, 5000) g,
       LATERAL retail_fdw.vendor_call('h_stats', 'GET', '/flood/p' || g || '/' || md5(g::text)) c
 WHERE c.status = 200;
RESET ROLE;
SQL
)
check "5,000 vendor_call paths were answered" has "$out" "answered 5000"
names=$(q "SELECT string_agg(endpoint || ' ' || requests, ', ') FROM retail_fdw.request_stats WHERE server = 'h_stats'")
check "5,000 distinct paths are one endpoint name in request_stats (${names:0:120})" \
    [ "$names" = "GET (other) 5000" ]
free_after=$(q "SELECT coalesce(sum(size), 0) FROM pg_shmem_allocations WHERE name IS NULL")
mine_after=$(q "SELECT coalesce(sum(allocated_size), 0) FROM pg_shmem_allocations WHERE name LIKE 'retail_fdw%'")
check "no spare shared memory was taken (free $free_before -> $free_after bytes)" \
    [ "$free_after" -ge "$free_before" ]
check "retail_fdw's shared memory did not grow ($mine_before -> $mine_after bytes)" \
    [ "$mine_after" = "$mine_before" ]
out=$(run -c "SELECT status FROM retail_fdw.vendor_call('h_stats', 'GET', '/bi/visit-journey-events/?page_size=1')" \
          -c "SELECT endpoint FROM retail_fdw.request_stats WHERE server = 'h_stats' AND endpoint LIKE 'GET /%'")
check "a path that fits the vendor's template is recorded under it" has "$out" "GET /bi/visit-journey-events/"

# overflow: more endpoint names than entries fold into one row
max=$(q "SELECT current_setting('retail_fdw.stats_max_entries', true)")
check "retail_fdw.stats_max_entries exists (${max:-missing})" [ -n "$max" ]
max=${max:-1024}
nservers=$(( max / 4 + 16 ))
{
    echo "SET client_min_messages = warning;"
    for i in $(seq 1 "$nservers"); do
        echo "CREATE SERVER h_many_$i FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url '$H/h/stats');
              CREATE USER MAPPING FOR CURRENT_USER SERVER h_many_$i OPTIONS (token 't');"
    done
} | "${PSQL[@]}" >/dev/null
out=$(run <<SQL
SELECT 'calls ' || count(*) FROM generate_series(1, $nservers) i,
       unnest(ARRAY['GET', 'POST', 'PUT', 'DELETE']) m,
       LATERAL retail_fdw.vendor_call('h_many_' || i, m, '/any/' || i) c;
SELECT 'rows ' || count(*) FROM retail_fdw.request_stats;
SELECT 'overflow ' || requests FROM retail_fdw.request_stats WHERE endpoint = '(other endpoints)';
SELECT 'total ' || sum(requests) FROM retail_fdw.request_stats WHERE server LIKE 'h_many_%' OR endpoint = '(other endpoints)';
SQL
)
calls=$((nservers * 4))
rows=$(sed -n 's/^rows //p' <<<"$out")
check "request_stats never holds more than stats_max_entries + 1 rows (${rows:-?} <= $((max + 1)))" \
    [ "${rows:-999999}" -le $((max + 1)) ]
check "names past the table's size fold into '(other endpoints)'" grep -q '^overflow [1-9]' <<<"$out"
check "no request is lost to the overflow ($calls calls)" has "$out" "total $calls"
free_after=$(q "SELECT coalesce(sum(size), 0) FROM pg_shmem_allocations WHERE name IS NULL")
check "a full table took no spare shared memory ($free_before -> $free_after)" \
    [ "$free_after" -ge "$free_before" ]

# ---- 1b. (h-stats) who sees the statistics of a full table: an overflow
# row is one server's of one database, seen by whom sees that server; the
# spill row "(all databases)" only by superusers and pg_read_all_stats
flood_sees=$(run -c "SET ROLE hostile_flood" \
    -c "SELECT count(*) FROM retail_fdw.request_stats WHERE server <> 'h_stats'")
check "a role sees no row, overflow included, of servers it has no USAGE on ($flood_sees)" \
    [ "$flood_sees" = 0 ]
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_other" -c "CREATE DATABASE ${DB}_other" >/dev/null
psql -X -q -d "${DB}_other" -c "SET client_min_messages = warning" -c "CREATE EXTENSION retail_fdw" >/dev/null
other=$(psql -X -q -At -d "${DB}_other" \
    -c "SELECT count(*) FROM retail_fdw.request_stats WHERE server <> '(all databases)'")
other_flood=$(psql -X -q -At -d "${DB}_other" -c "SET ROLE hostile_flood" \
    -c "SELECT count(*) FROM retail_fdw.request_stats")
check "another database sees none of this one's rows, overflow included ($other, $other_flood)" \
    eval '[ "$other" = 0 ] && [ "$other_flood" = 0 ]'
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_other" >/dev/null
# ---- end of 1b.

removed=$(q "SELECT retail_fdw.request_stats_reset()")
left=$(q "SELECT count(*) FROM retail_fdw.request_stats")
check "request_stats_reset gives the entries back ($removed removed of $rows, $left left)" \
    eval '[ "$left" = 0 ] && [ "$removed" -ge "${rows:-1}" ] && [ "$removed" -gt $((max / 2)) ]'
out=$(run -c "SELECT 'after reset ' || c.status FROM retail_fdw.vendor_call('h_stats', 'GET', '/again') c" \
          -c "SELECT endpoint FROM retail_fdw.request_stats")
check "after a reset new endpoints get their own row again" has "$out" "GET (other)"
q "SELECT retail_fdw.request_stats_reset()" >/dev/null

# ---------------------------------------------------------------- 2. UTF-8
for k in overlong surrogate past-max lead-f5 lead-ff escaped-high escaped-low; do
    out=$(run -c "SELECT session_id FROM h_utf8_${k//-/_}_ev WHERE $RANGE")
    check "invalid UTF-8 ($k) is 22021 naming the column" \
        eval 'has "$out" "ERROR:  22021" && has "$out" session_id'
done

# answers read as text: vendor_call's body_head (and the action reasons and
# error details built from it) never carry invalid or cut characters
out=$(run -c "SELECT status FROM retail_fdw.vendor_call('h_head_invalid', 'GET', '/x')")
check "an answer with invalid UTF-8 is 22021 in vendor_call" has "$out" "ERROR:  22021"
raw_ff() { LC_ALL=C grep -q $'\xff' <<<"$1"; }
check "...and its detail shows the byte escaped, not raw" \
    eval 'has "$out" "\\xff" && ! raw_ff "$out"'
out=$(run -c "SELECT octet_length(body_head) || '|' || right(body_head, 1) FROM retail_fdw.vendor_call('h_head_cut', 'GET', '/x')")
check "body_head is cut back to a whole character (510 bytes)" has "$out" "510|x"

# ---------------------------------------------------------------- 3. numbers
num() { run -c "SELECT $2 FROM h_num_$1_ev WHERE $RANGE"; }
out=$(num huge v_numeric)
check "numeric keeps 99999999999999999999999999 exactly" has "$out" "99999999999999999999999999"
out=$(num huge v_int8)
check "99999999999999999999999999 into bigint is 22003 with the vendor's value" \
    eval 'has "$out" "ERROR:  22003" && has "$out" 99999999999999999999999999'
out=$(num u64max v_numeric)
check "numeric keeps 18446744073709551615 exactly" has "$out" "18446744073709551615"
out=$(num u64max v_int8)
check "18446744073709551615 into bigint is 22003 with the vendor's value" \
    eval 'has "$out" "ERROR:  22003" && has "$out" 18446744073709551615'
out=$(num u64max v_int4)
check "18446744073709551615 into integer is 22003" has "$out" "ERROR:  22003"
out=$(num exp400 "v_numeric = 1e400")
check "numeric keeps 1e400 exactly" eval '[ "$out" = t ]'
out=$(num exp400 v_float8)
check "1e400 into float8 is 22003" has "$out" "ERROR:  22003"
out=$(num u64max v_text)
check "text keeps the vendor's digits" eval '[ "$out" = 18446744073709551615 ]'
for k in nan infinity; do
    for c in v_numeric v_float8 v_text; do
        out=$(num "$k" "$c")
        check "$k into $c is refused" has "$out" "ERROR:  "
    done
done
out=$(num negzero "v_numeric, v_int4, v_float8")
check "-0 reads as a zero in numeric, integer and float8 ($out)" eval '[ "$out" = "0|0|-0" ] || [ "$out" = "0|0|0" ]'

# ---------------------------------------------------------------- 4. pages
out=$(run -c "SELECT count(*) FROM h_count_mismatch_ev WHERE $RANGE")
check "count 1 with 2 rows and a next link is an error, not a short answer" has "$out" "ERROR:  "
out=$(run -c "SELECT count(*) FROM h_count_huge_ev WHERE $RANGE")
check "a count past 2^31 on a one-row last page is an error" has "$out" "ERROR:  "
for k in cycle repeat; do
    t0=$(date +%s%3N)
    out=$(run -c "SET statement_timeout = '3s'" -c "SELECT count(*) FROM h_${k}_ev WHERE $RANGE")
    ms=$(( $(date +%s%3N) - t0 ))
    check "next links that $k are an error at once (${ms} ms)" \
        eval 'has "$out" "ERROR:  " && ! has "$out" "statement timeout" && [ "$ms" -lt 1000 ]'
done

# ---------------------------------------------------------------- 5. sync
out=$(run <<'SQL'
CREATE ROLE hostile_alice;
CREATE ROLE hostile_bob;
GRANT USAGE ON SCHEMA retail_fdw TO hostile_alice, hostile_bob;
CREATE SCHEMA alice AUTHORIZATION hostile_alice;
CREATE SCHEMA bob AUTHORIZATION hostile_bob;
GRANT USAGE ON SCHEMA alice TO hostile_bob;
SET ROLE hostile_alice;
CREATE TABLE alice.src (id int PRIMARY KEY, ts timestamptz, v text);
INSERT INTO alice.src SELECT g, '2025-01-01'::timestamptz + g * interval '1 day', 'v' || g
  FROM generate_series(0, 19) g;
CREATE TABLE alice.events (id int PRIMARY KEY, ts timestamptz, v text);
GRANT SELECT ON alice.src, alice.events TO hostile_bob;
SELECT 'alice first ' || rows_inserted FROM retail_fdw.sync('alice.src', 'alice.events', '{id}', 'ts',
  since => '2025-01-01', until => '2025-01-10');
RESET ROLE;
SET ROLE hostile_bob;
INSERT INTO retail_fdw.sync_watermarks VALUES ('alice.src', 'alice.events', 'ts', '2030-01-01');
INSERT INTO retail_fdw.sync_state (source, target, watermark_column, watermark)
  VALUES ('alice.src', 'alice.events', 'ts', '2030-01-01');
UPDATE retail_fdw.sync_state SET watermark = '2030-01-01';
SELECT retail_fdw.sync_state_save('alice.src', 'alice.events', 'ts', '2030-01-01', NULL, NULL, 0, 0);
SELECT 'bob sees ' || count(*) FROM retail_fdw.sync_state;
-- a look-alike in bob's own schema, first on bob's search_path
CREATE TABLE bob.events (id int PRIMARY KEY, ts timestamptz, v text);
SET search_path = bob, alice;
SELECT 'bob own ' || rows_inserted FROM retail_fdw.sync('alice.src', 'events', '{id}', 'ts',
  since => '2020-01-01', until => '2030-01-01');
RESET search_path;
-- a state whose target is then dropped
CREATE TABLE bob.gone (id int PRIMARY KEY, ts timestamptz, v text);
SELECT 'bob gone ' || rows_inserted FROM retail_fdw.sync('alice.src', 'bob.gone', '{id}', 'ts',
  since => '2025-01-01', until => '2025-01-03');
DROP TABLE bob.gone;
RESET ROLE;
SET ROLE hostile_alice;
SELECT 'alice state ' || target || ' ' || watermark FROM retail_fdw.sync_state ORDER BY 1;
SELECT 'alice next from ' || window_from || ' inserted ' || rows_inserted
  FROM retail_fdw.sync('alice.src', 'alice.events', '{id}', 'ts', until => '2025-01-30');
SELECT 'alice copied ' || count(*) FROM alice.events;
RESET ROLE;
SELECT 'superuser sees ' || count(*) FROM retail_fdw.sync_state;
SQL
)
echo "$out" | grep -E "^(alice|bob|superuser)|ERROR" | sed 's/^/# /'
check "alice's first sync copies her rows" has "$out" "alice first 9"
check "bob cannot write the watermarks table" grep -q "ERROR:  42501: permission denied for table sync_watermarks" <<<"$out"
check "bob cannot insert or update through the sync_state view" \
    [ "$(grep -c 'ERROR:  .*sync_state' <<<"$out")" -ge 2 ]
check "sync_state_save refuses a target bob may not write" \
    grep -q "ERROR:  42501: permission denied for table events" <<<"$out"
check "bob sees no state of alice's" has "$out" "bob sees 0"
check "bob's look-alike table gets its own state" has "$out" "bob own 20"
check "a dropped target does not break sync_state for alice" has "$out" "alice state alice.events 2025-01-10"
check "nor for a superuser" grep -q "^superuser sees" <<<"$out"
check "alice's next sync starts from her own watermark" has "$out" "alice next from 2025-01-10 00:00:00+00 inserted 11"
check "alice's copy is complete" has "$out" "alice copied 20"

# ---------------------------------------------------------------- 6. network
out=$(run <<SQL
CREATE ROLE hostile_mallory;
GRANT USAGE ON FOREIGN DATA WRAPPER retail_fdw TO hostile_mallory;
GRANT USAGE ON SCHEMA retail_fdw TO hostile_mallory;
GRANT CREATE ON DATABASE $DB TO hostile_mallory;
SET ROLE hostile_mallory;
CREATE SCHEMA mallory;
CREATE SERVER m_local FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$H/h/local-service', max_retries '3');
CREATE USER MAPPING FOR CURRENT_USER SERVER m_local OPTIONS (token 't');
CREATE FOREIGN TABLE mallory.ev ($COLS) SERVER m_local OPTIONS (resource 'visit_journey_events');
SELECT 'local call ' || status FROM retail_fdw.vendor_call('m_local', 'POST', '/admin/delete', '{"all": true}');
SELECT 'local scan ' || count(*) FROM mallory.ev WHERE $RANGE;
SET retail_fdw.allowed_hosts = '127.0.0.1';
CREATE SERVER m_rebind FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'https://rebind.localhost:$PORT/h/local-service', max_retries '3');
CREATE USER MAPPING FOR CURRENT_USER SERVER m_rebind OPTIONS (token 't');
SELECT 'rebind ' || status FROM retail_fdw.vendor_call('m_rebind', 'GET', '/x');
SQL
)
echo "$out" | grep ERROR | sed 's/^/# /'
check "a role that is not a superuser cannot call a loopback service" \
    has "$out" 'ERROR:  42501: retail_fdw refuses to send a request to 127.0.0.1: only https is allowed'
check "...nor scan it" [ "$(grep -c 'ERROR:  42501: retail_fdw refuses' <<<"$out")" -ge 2 ]
check "only a superuser may set retail_fdw.allowed_hosts" \
    has "$out" 'permission denied to set parameter "retail_fdw.allowed_hosts"'
check "a name that resolves to loopback is refused when connecting" \
    grep -qE 'ERROR:  42501: retail_fdw refuses to connect to (127\.0\.0\.1|::1): not a public address' <<<"$out"
check "the local service never heard from her" [ "$(hcount /h/local-service)" = 0 ]
for url in https://169.254.169.254 'https://169.254.169.254:443/latest' https://10.1.2.3 https://172.16.0.9 \
           https://192.168.1.1 https://100.64.0.1 https://0.0.0.0 https://224.0.0.1 https://127.0.0.1:$PORT \
           'https://[::1]' 'https://[::ffff:127.0.0.1]' 'https://[::ffff:169.254.169.254]' \
           'https://[fe80::1]' 'https://[fc00::1]' 'https://[ff02::1]' 'https://[64:ff9b::a9fe:a9fe]'; do
    out=$(run <<SQL
SET ROLE hostile_mallory;
CREATE SERVER m_probe FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url '$url');
CREATE USER MAPPING FOR CURRENT_USER SERVER m_probe OPTIONS (token 't');
SELECT 'probe ' || status FROM retail_fdw.vendor_call('m_probe', 'GET', '/');
DROP SERVER m_probe CASCADE;
SQL
)
    check "$url is refused before connecting" \
        has "$out" "its address is not public"
done
out=$(run <<SQL
SET retail_fdw.allowed_hosts = 'other.example, 127.0.0.1:$PORT';
SET ROLE hostile_mallory;
SELECT 'listed ' || status FROM retail_fdw.vendor_call('m_local', 'GET', '/x');
SELECT 'listed scan ' || count(*) FROM mallory.ev WHERE $RANGE;
RESET ROLE;
SET retail_fdw.allowed_hosts = '127.0.0.1:1';
SET ROLE hostile_mallory;
SELECT 'other port ' || status FROM retail_fdw.vendor_call('m_local', 'GET', '/x');
SQL
)
check "retail_fdw.allowed_hosts lets her reach a listed host" has "$out" "listed 200"
check "...scans included" has "$out" "listed scan 0"
check "...but only on the listed port" has "$out" "refuses to send a request"
# a mapping FOR PUBLIC: the superuser's connection never serves another role
out=$(run <<SQL
CREATE SERVER h_shared FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url '$H/h/local-service');
CREATE USER MAPPING FOR PUBLIC SERVER h_shared OPTIONS (token 't');
GRANT USAGE ON FOREIGN SERVER h_shared TO hostile_mallory;
SELECT 'superuser ' || status FROM retail_fdw.vendor_call('h_shared', 'GET', '/x');
SET ROLE hostile_mallory;
SELECT 'shared ' || status FROM retail_fdw.vendor_call('h_shared', 'GET', '/x');
SQL
)
check "a superuser still reaches loopback http" has "$out" "superuser 200"
check "a connection opened for a superuser does not serve another role" \
    has "$out" "ERROR:  42501: retail_fdw refuses to send a request"
hreset
for p in '/../x' '/a/../../x' '/%2e%2e/x' '/a/%2E%2e/x' '/.%2e/x' '/./x' '//other.example/x' \
         'http://other.example/x' 'x' '/a%2fb' '/a%5c..' '/a/%00' '/a b' '/a#b' '/%zz'; do
    out=$(run -c "SELECT status FROM retail_fdw.vendor_call('h_plain', 'GET', '$p')")
    check "vendor_call path '$p' is refused" has "$out" "ERROR:  22023: invalid path"
done
check "no refused path reached the vendor" [ "$(hcount /h/plain)" = 0 ]
out=$(run -c "SELECT status || ' ' || location FROM retail_fdw.vendor_call('h_redirect_metadata', 'GET', '/x')")
check "a redirect to the metadata address is returned, not followed" \
    has "$out" "302 http://169.254.169.254/latest/meta-data/"

# ---------------------------------------------------------------- 7. escaping
hreset
out=$(run <<SQL
CREATE TABLE stores (code text, region text);
INSERT INTO stores SELECT 'SM-' || g, CASE WHEN g = 1 THEN 'north' ELSE 'south' END
  FROM generate_series(1, 50) g;
ANALYZE stores;
SET enable_hashjoin = off; SET enable_mergejoin = off;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM stores s JOIN h_echo_ev v ON v.store_code = s.code
 WHERE v.$RANGE AND s.region = 'north';
SQL
)
check "EXPLAIN shows a join parameter as \$1" grep -q 'Request: GET .*store_code=\$1&' <<<"$out"
check "...and no control character" eval '! grep -qi "u0001\|\\\\x01" <<<"$out"'
out=$(run -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM h_echo_ev WHERE store_code = E'\\x01SM-002&store_code=SM-003' AND $RANGE")
check "a value starting with \\x01 is percent-encoded in EXPLAIN" \
    has "$out" "store_code=%01SM-002%26store_code%3DSM-003&"
out=$(run -c "SELECT 'echoed ' || count(*) FROM h_echo_ev WHERE store_code = E'\\x01SM-002&store_code=SM-003' AND $RANGE")
check "the vendor receives it as one value of one parameter" \
    eval 'has "$out" "echoed 1" && [ "$(hparams store_code /h/echo)" = 1 ]'

# ---------------------------------------------------------------- 8. headers
out=$(run <<SQL
CREATE SERVER h_hdr FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url '$H/h/plain');
CREATE USER MAPPING FOR CURRENT_USER SERVER h_hdr OPTIONS (token E'abc\\r\\nX-Injected: yes');
SQL
)
check "a token with CR/LF is refused in CREATE USER MAPPING" \
    has "$out" 'invalid value for option "token": it contains a control character'
check "...without showing the token" eval '! has "$out" "X-Injected"'
out=$(run <<'SQL'
ALTER USER MAPPING FOR CURRENT_USER SERVER h_plain OPTIONS (SET token E'abc\nX-Injected: yes');
ALTER USER MAPPING FOR CURRENT_USER SERVER h_plain OPTIONS (ADD auth_scheme E'Bearer\r\nX-Injected: yes');
ALTER USER MAPPING FOR CURRENT_USER SERVER h_plain OPTIONS (ADD auth_header E'Authorization\r\nX-Injected');
ALTER USER MAPPING FOR CURRENT_USER SERVER h_plain OPTIONS (ADD auth_scheme E'Bearer\x01');
SQL
)
check "token, auth_scheme and auth_header with control characters are refused in ALTER USER MAPPING" \
    [ "$(grep -c 'it contains a control character' <<<"$out")" = 4 ]
hreset
for k in crlf ctl; do
    out=$(run <<SQL
CREATE USER MAPPING FOR CURRENT_USER SERVER h_token_$k OPTIONS (client_id 'c', client_secret 's');
CREATE FOREIGN TABLE h_token_${k}_stores (id bigint) SERVER h_token_$k OPTIONS (resource 'aifi_stores');
SELECT count(*) FROM h_token_${k}_stores;
SQL
)
    check "an access_token with control characters ($k) is refused" \
        has "$out" "sent an access_token with control characters"
done
check "the token endpoints were asked" [ "$(hcount /oauth/token)" = 2 ]
check "no request carried the token or an injected header" \
    eval '[ "$(hheader x-injected)" = 0 ] && [ "$(hcount /api/admin)" = 0 ]'

# ---------------------------------------------------------------- 9. big bodies
hreset
out=$(run <<SQL
SELECT pg_backend_pid() AS pid \gset
SELECT count(*) FROM h_big_empties_ev WHERE $RANGE;
SELECT 'hwm ' || (regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmHWM:\s+(\d+)'))[1];
SQL
)
hwm=$(sed -n 's/^hwm //p' <<<"$out")
check "3 MB of {} is refused (${hwm:-?} kB peak)" eval 'has "$out" "ERROR:  " && [ "${hwm:-999999}" -lt 204800 ]'
check "...and not retried" eval '[ "$(hcount /h/big-empties)" = 1 ]'
out=$(run -c "SELECT count(*) FROM h_deep_ev WHERE $RANGE")
check "a body nested 100,000 deep is refused (54000, past the parser's limit)" has "$out" "ERROR:  54000"

# ---------------------------------------------------------------- 10. pages
hreset
q "SELECT retail_fdw.request_stats_reset()" >/dev/null
out=$(run -c "SELECT 'rows ' || string_agg(session_id, ',' ORDER BY session_id) FROM h_relnext_ev WHERE $RANGE")
check "a relative next link (path) is followed" eval 'has "$out" "rows a,b,c" && [ "$(hcount /h/relnext/)" = 2 ]'
out=$(run -c "SELECT 'rows ' || string_agg(session_id, ',' ORDER BY session_id) FROM h_relnext_query_ev WHERE $RANGE")
check "a relative next link (query only) is followed" eval 'has "$out" "rows a,b,c" && [ "$(hcount /h/relnext-query/)" = 2 ]'
out=$(run -c "SELECT count(*) FROM h_relnext_other_ev WHERE $RANGE")
check "a protocol-relative link to another host is refused" has "$out" "the next page is on another host"
check "...before any request to it" [ "$(hcount page=2)" = 2 ]
out=$(run -c "SELECT count(*) FROM h_deep_ev WHERE $RANGE")
check "nesting past the parser's depth says so" has "$out" "nests deeper than the parser's limit"
check "...and is not retried (max_retries 3)" [ "$(hcount /h/deep/)" = 1 ]
out=$(run -c "SELECT session_id, dwell_time_seconds FROM h_type_error_ev WHERE $RANGE")
check "a value of the wrong type fails the query" has "$out" "ERROR:  22P02"
stats=$(q "SELECT server || ' pages ' || pages || ' errors ' || errors || ' ' || coalesce(last_error, '')
             FROM retail_fdw.request_stats WHERE server IN ('h_type_error', 'h_relnext_other') ORDER BY 1")
echo "$stats" | sed 's/^/# /'
check "a type failure counts as an error, not a page" \
    grep -q '^h_type_error pages 0 errors 1 invalid input syntax for type integer: "lots"' <<<"$stats"
check "a pagination failure counts the failed page as an error" \
    grep -q '^h_relnext_other pages 0 errors 1 inconsistent pagination' <<<"$stats"
q "SELECT retail_fdw.request_stats_reset()" >/dev/null

# ================================================================ pager
# (production safety: the pager.)  With a total, next links must name the
# pages in order.  Each
# behaviour is read twice: page_size 2 makes the pages fan out by number
# (the links are then only checked), the default size follows the links.
{
    echo "SET client_min_messages = warning;"
    for n in count-loop count-cachebust count-cycle-bust count-skip count-last-next count-good \
             onerow-100 onerow-1000 onerow-1; do
        server "$n"
        s=h_${n//-/_}
        ps=2
        case $n in onerow-*) ps=1 ;; esac
        echo "CREATE FOREIGN TABLE ${s}_fan_ev ($COLS) SERVER $s
                OPTIONS (resource 'visit_journey_events', page_size '$ps');"
    done
} | "${PSQL[@]}" >/dev/null || notok "pager set-up failed"
for k in count-loop count-cachebust count-cycle-bust count-skip count-last-next; do
    for mode in fan follow; do
        t=h_${k//-/_}_ev
        [ "$mode" = fan ] && t=h_${k//-/_}_fan_ev
        out=$(run -c "SET statement_timeout = '5s'" -c "SELECT 'rows ' || count(*) FROM $t WHERE $RANGE")
        check "$k ($mode): next links that disagree with the total's pages are an error" \
            eval 'has "$out" "ERROR:  HV00M: inconsistent pagination" && ! has "$out" "rows "'
    done
done
out=$(run -c "SELECT count(*) FROM h_count_skip_fan_ev WHERE $RANGE")
echo "$out" | sed 's/^/# /'
check "...the error names the page and its link" \
    eval 'has "$out" "DETAIL:  Endpoint GET /bi/visit-journey-events/" && has "$out" "links to /h/count-skip/" && has "$out" "page=3"'
check "...says what is wrong and hints" \
    eval 'has "$out" "skipping pages (expected 2)" && has "$out" "HINT:  "'
out=$(run -c "SELECT count(*) FROM h_count_loop_fan_ev WHERE $RANGE")
check "a link back to a page already fetched says so" has "$out" "a page already fetched (expected 3)"
out=$(run -c "SELECT count(*) FROM h_count_last_next_ev WHERE $RANGE")
check "a last page (by the total) with a next link says so" has "$out" "the last page by the total (page 2) links to a next one"

# A scan's memory does not grow with its requests: 1,000 one-row pages cost
# what 100 do.  Each size runs in a session of its own, read along the
# links and fanned out (page_size 1): the scan's own figure (EXPLAIN
# ANALYZE's "Scan memory peak", the pager's memory contexts) and the
# backend's peak RSS (VmHWM, everything: libcurl, json-c, the executor).
# Pages held at once (up to twice max_concurrency while the scan waits)
# vary by tens of kB between runs; the old growth was 16 kB per request.
# mem TABLE [WHERE [SETTINGS [RUNS]]]: "hwm-kB pages kB-peak" of RUNS scans
# (default 1) in a new session, the most of each
most() { awk '$2 + 0 > m[$1] + 0 { m[$1] = $2 } END { printf "%s %s %s ", m["hwm"], m["pages"], m["peak"] }'; }
mem() {
    run <<SQL | sed -n 's/.*plan  *Pages: \([0-9]*\)$/pages \1/p; s/.*plan  *Scan memory peak: \([0-9]*\) kB$/peak \1/p; s/^hwm /hwm /p' | most
SELECT pg_backend_pid() AS pid \gset
${3:-}
DO \$\$
DECLARE l text;
BEGIN
  FOR i IN 1..${4:-1} LOOP
    FOR l IN EXECUTE \$q\$EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM $1 WHERE ${2:-$RANGE}\$q\$ LOOP
        IF l ~ 'Pages:|Scan memory peak' THEN RAISE NOTICE 'plan %', l; END IF;
    END LOOP;
  END LOOP;
END \$\$;
SELECT 'hwm ' || (regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmHWM:\s+(\d+)'))[1];
SQL
}
for mode in follow fan; do
    t=h_onerow_100_ev; u=h_onerow_1000_ev
    [ "$mode" = fan ] && { t=h_onerow_100_fan_ev; u=h_onerow_1000_fan_ev; }
    read -r hwm1 pages1 peak1 <<<"$(mem $t)"
    read -r hwm2 pages2 peak2 <<<"$(mem $u)"
    echo "# $mode: 100 pages: scan peak ${peak1:-?} kB, VmHWM ${hwm1:-?} kB; 1000 pages: ${peak2:-?} kB, ${hwm2:-?} kB"
    check "$mode: 100 and 1,000 one-row pages were read ($pages1, $pages2)" \
        eval '[ "$pages1" = 100 ] && [ "$pages2" = 1000 ]'
    check "$mode: 1,000 requests take the scan's memory no higher than 100 do (${peak1:-?} -> ${peak2:-?} kB, at most +128)" \
        eval '[ -n "$peak1" ] && [ -n "$peak2" ] && [ "$peak2" -le $((peak1 + 128)) ]'
    check "$mode: ...nor the backend's peak RSS (${hwm1:-?} -> ${hwm2:-?} kB, at most +1024)" \
        eval '[ -n "$hwm1" ] && [ -n "$hwm2" ] && [ "$hwm2" -le $((hwm1 + 1024)) ]'
done
# Nor with its request series: a scan of 1,000 daily windows (journey's
# default window; one row each) takes what one of 100 takes, and so does
# the leader of a parallel scan of 1,000 (its figure is its own: workers
# page series of their own).  Series are made one at a time as the pager
# reaches them; the old growth was 0.6 kB per window (every series planned
# up front), 2 kB in a parallel scan's leader.  The figure is the most of
# three scans: the pages held when a page is read vary between runs, the
# more so in a parallel scan, whose vendor slots its workers share.
# "Pages" counts the leader's and its workers' requests: one per window.
W100="event_start >= '2025-08-12 00:00+00' AND event_start < '2025-11-20 00:00+00'"
W1000="event_start >= '2025-08-12 00:00+00' AND event_start < '2028-05-08 00:00+00'"
SERIAL="SET max_parallel_workers_per_gather = 0;"
PAR="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
     SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;"
read -r _ pages1 peak1 <<<"$(mem h_onerow_1_ev "$W100" "$SERIAL" 3)"
read -r _ pages2 peak2 <<<"$(mem h_onerow_1_ev "$W1000" "$SERIAL" 3)"
read -r _ pages3 peak3 <<<"$(mem h_onerow_1_ev "$W1000" "$PAR" 3)"
echo "# windows: scan peak of 100 ${peak1:-?} kB, of 1,000 ${peak2:-?} kB, the leader's of a parallel 1,000 ${peak3:-?} kB"
check "windows: 100, 1,000 and 1,000 in parallel one-row windows were read ($pages1, $pages2, $pages3)" \
    eval '[ "$pages1" = 100 ] && [ "$pages2" = 1000 ] && [ "$pages3" = 1000 ]'
check "windows: 1,000 windows take the scan's memory no higher than 100 do (${peak1:-?} -> ${peak2:-?} kB, at most +16)" \
    eval '[ -n "$peak1" ] && [ -n "$peak2" ] && [ "$peak2" -le $((peak1 + 16)) ]'
check "windows: ...nor the leader's of a parallel scan (${peak1:-?} -> ${peak3:-?} kB, at most +16)" \
    eval '[ -n "$peak1" ] && [ -n "$peak3" ] && [ "$peak3" -le $((peak1 + 16)) ]'
plan=$(run -c "$SERIAL" -c "EXPLAIN (COSTS OFF) SELECT * FROM h_onerow_1_ev WHERE $W1000")
plan3=$(run -c "$PAR" -c "EXPLAIN (COSTS OFF) SELECT * FROM h_onerow_1_ev WHERE $W1000")
check "windows: the plans are serial and parallel" \
    eval '! has "$plan" "Parallel" && has "$plan3" "Parallel Foreign Scan"'

# The event loop keeps its wait set (an epoll file) instead of making a new
# one per turn: after a scan the backend holds one epoll file more than
# before, the same one after a second scan of 100 requests.
out=$(run <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! echo "epoll before \$(find /proc/\$BPID/fd -lname 'anon_inode:\[eventpoll\]' -printf '%f\n' | wc -l)"
SELECT 'rows ' || count(*) FROM h_onerow_100_ev WHERE $RANGE;
\! echo "epoll after" \$(find /proc/\$BPID/fd -lname 'anon_inode:\[eventpoll\]' -printf '%f\n' | sort -n)
SELECT 'rows ' || count(*) FROM h_onerow_100_fan_ev WHERE $RANGE;
\! echo "epoll again" \$(find /proc/\$BPID/fd -lname 'anon_inode:\[eventpoll\]' -printf '%f\n' | sort -n)
SQL
)
echo "$out" | grep '^epoll' | sed 's/^/# /'
before=$(sed -n 's/^epoll before //p' <<<"$out")
after=$(sed -n 's/^epoll after //p' <<<"$out")
again=$(sed -n 's/^epoll again //p' <<<"$out")
check "the event loop keeps its wait set (epoll files: $before before, '$after' after, '$again' after another scan)" \
    eval '[ "$(wc -w <<<"$after")" = $((before + 1)) ] && [ "$after" = "$again" ] && [ "$(grep -c "^rows 100" <<<"$out")" = 2 ]'
for mode in fan follow; do
    t=h_count_good_ev
    [ "$mode" = fan ] && t=h_count_good_fan_ev
    out=$(run -c "SELECT 'rows ' || count(DISTINCT session_id) || '/' || count(*) FROM $t WHERE $RANGE")
    check "links in order (parameters reordered, an extra one) are read ($mode: $out)" has "$out" "rows 5/5"
done

# ================================================================ production safety
# (branch h-netpol) A. the confused deputy: a server owned by a role that is
# not a superuser is restricted whoever uses it; B. base_url / token_url hold
# no query or fragment, token_url under the same policy; C. auth_header
# refuses framing and routing headers; D. kept headers (Location,
# X-Page-Next) are whole up to 64 kB, refused past it, and UTF-8-checked.

# ---------------------------------------------------------------- A. deputy
hreset
out=$(run <<SQL
SET ROLE hostile_mallory;
CREATE SERVER m_deputy FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$H/h/deputy', max_retries '0');
CREATE USER MAPPING FOR PUBLIC SERVER m_deputy OPTIONS (token 't');
CREATE FOREIGN TABLE mallory.deputy_ev ($COLS) SERVER m_deputy OPTIONS (resource 'visit_journey_events');
GRANT USAGE ON SCHEMA mallory TO PUBLIC;
GRANT SELECT ON mallory.deputy_ev TO PUBLIC;
CREATE SERVER m_deputy_oauth FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'aifi', base_url 'https://aifi.example.com', max_retries '0');
CREATE USER MAPPING FOR PUBLIC SERVER m_deputy_oauth
  OPTIONS (client_id 'c', client_secret 's', token_url '$H/h/deputy/oauth/token');
RESET ROLE;
-- the check loop of docs/operations.md, run by a superuser
SELECT 'loop ' || s.srvname || ' ' || c.ok || ' ' || c.message
  FROM pg_foreign_server s, retail_fdw.check_server(s.srvname) c
 WHERE s.srvname IN ('m_deputy', 'm_deputy_oauth') ORDER BY 1;
SELECT 'loophint ' || c.hint FROM retail_fdw.check_server('m_deputy') c;
SELECT 'scan ' || count(*) FROM mallory.deputy_ev WHERE $RANGE;
SELECT 'call ' || status FROM retail_fdw.vendor_call('m_deputy', 'POST', '/admin/delete', '{"all": true}');
SQL
)
echo "$out" | grep -E '^loop|ERROR|DETAIL|HINT' | sed 's/^/# /'
check "a superuser's check_server on a server owned by a non-superuser is refused" \
    has "$out" "loop m_deputy false retail_fdw refuses to send a request to 127.0.0.1: only https is allowed"
check "...and so is its token fetch (token_url on a mapping FOR PUBLIC)" \
    has "$out" "loop m_deputy_oauth false retail_fdw refuses to send a request to 127.0.0.1: only https is allowed"
check "...and check_server's hint says why (the owner) and what to do" \
    eval 'has "$out" "loophint Network policy: Server \"m_deputy\" is owned by role \"hostile_mallory\"" && has "$out" "OWNER TO"'
check "a superuser's scan of it is refused (42501)" \
    grep -q '^ERROR:  42501: retail_fdw refuses to send a request to 127.0.0.1' <<<"$out"
check "...and vendor_call" [ "$(grep -c '^ERROR:  42501: retail_fdw refuses' <<<"$out")" = 2 ]
check "the error says why: the owner is not a superuser" \
    has "$out" 'is owned by role "hostile_mallory", which is not a superuser'
check "...with a hint: a superuser may own it, or allowed_hosts" \
    eval 'has "$out" "ALTER SERVER m_deputy OWNER TO" && has "$out" "retail_fdw.allowed_hosts"'
check "no request reached the service the server points at" [ "$(hcount /h/deputy)" = 0 ]
out=$(run <<SQL
ALTER SERVER m_deputy OWNER TO CURRENT_USER;
GRANT USAGE ON FOREIGN SERVER m_deputy TO hostile_mallory;
SELECT 'owned scan ' || count(*) FROM mallory.deputy_ev WHERE $RANGE;
SET ROLE hostile_mallory;
SELECT 'mallory ' || status FROM retail_fdw.vendor_call('m_deputy', 'GET', '/x');
SQL
)
check "once a superuser owns the server, a superuser's scan goes out" \
    eval 'has "$out" "owned scan 0" && [ "$(hcount /h/deputy)" = 1 ]'
check "...and it stays restricted for other roles" \
    grep -q '^ERROR:  42501: retail_fdw refuses' <<<"$out"

# ---------------------------------------------------------------- B. URLs
out=$(run <<SQL
SET ROLE hostile_mallory;
CREATE SERVER m_query FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$H/h/deputy?next=http://169.254.169.254/');
CREATE SERVER m_frag FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$H/h/deputy#');
ALTER SERVER m_deputy_oauth OPTIONS (SET base_url 'https://aifi.example.com/?x=1');
SQL
)
check "base_url with a query, a fragment, or an ALTER adding one: refused (HV024)" \
    [ "$(grep -c "ERROR:  HV024: .*base_url" <<<"$out")" = 3 ]
check "...saying why" has "$out" "it holds a query or a fragment"
hreset
out=$(run <<SQL
CREATE SERVER h_np_aifi FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'aifi', base_url 'https://aifi.example.com', max_retries '0');
GRANT USAGE ON FOREIGN SERVER h_np_aifi TO hostile_mallory;
SET ROLE hostile_mallory;
CREATE USER MAPPING FOR CURRENT_USER SERVER h_np_aifi
  OPTIONS (client_id 'c', client_secret 's', token_url '$H/h/deputy/oauth/token?grant=x');
CREATE USER MAPPING FOR CURRENT_USER SERVER h_np_aifi
  OPTIONS (client_id 'c', client_secret 's', token_url '$H/h/deputy/oauth/token');
SELECT 'token ' || status FROM retail_fdw.vendor_call('h_np_aifi', 'GET', '/x');
ALTER USER MAPPING FOR CURRENT_USER SERVER h_np_aifi
  OPTIONS (SET token_url 'https://127.0.0.1:$PORT/h/deputy/oauth/token');
SELECT 'token ' || status FROM retail_fdw.vendor_call('h_np_aifi', 'GET', '/x');
SQL
)
check "token_url with a query is refused (HV024)" grep -q 'ERROR:  HV024: invalid value for option "token_url"' <<<"$out"
check "a restricted connection cannot reach loopback through token_url" \
    has "$out" "refuses to send a request to 127.0.0.1: only https is allowed"
check "...nor a private address over https" has "$out" "its address is not public"
check "...and nothing reached it" [ "$(hcount /h/deputy)" = 0 ]

# ---------------------------------------------------------------- C. auth_header
out=$(run <<SQL
CREATE SERVER h_np_hdr FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url '$H/h/plain');
SQL
)
n=0
for hname in Host content-length Transfer-Encoding CONNECTION Upgrade te Trailer Expect Keep-Alive \
             Proxy-Authorization proxy-connection; do
    out=$(run -c "CREATE USER MAPPING FOR CURRENT_USER SERVER h_np_hdr OPTIONS (token 't', auth_header '$hname')")
    has "$out" "frames or routes the request" && n=$((n + 1))
done
check "auth_header refuses framing and routing headers ($n of 11)" [ "$n" = 11 ]
out=$(run -c "CREATE USER MAPPING FOR CURRENT_USER SERVER h_np_hdr OPTIONS (token 't', auth_header 'X-Api-Key')" \
          -c "ALTER USER MAPPING FOR CURRENT_USER SERVER h_np_hdr OPTIONS (SET auth_header 'Host')")
check "...while a token header is fine, and ALTER is checked too" \
    eval '! grep -q "ERROR.*X-Api-Key" <<<"$out" && has "$out" "frames or routes the request"'

# ---------------------------------------------------------------- D. headers
for n in long-location huge-location bad-location; do server "$n"; done | "${PSQL[@]}" >/dev/null
hreset
out=$(run <<SQL
SELECT 'long ' || status || ' ' || length(location) || ' ' || right(location, 16)
  FROM retail_fdw.vendor_call('h_long_location', 'GET', '/v1/video/export/task/x');
CREATE SERVER h_rn_long FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'retailnext', base_url '$H/h/long-location', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER h_rn_long OPTIONS (access_key 'k', secret_key 's');
INSERT INTO retail_fdw.rn_video_exports (export_id, server, channels, start_at, end_at, options)
  VALUES ('0f8fad5b-d9cb-469f-a165-70867728950e', 'h_rn_long',
          '{6ba7b810-9dad-11d1-80b4-00c04fd430c8}', '2025-08-12', '2025-08-12 00:10', '{}');
SELECT 'export ' || status || ' ' || length(download_url)
  FROM retail_fdw.rn_video_export_status('h_rn_long', '0f8fad5b-d9cb-469f-a165-70867728950e');
SELECT 'stored ' || length(download_url) || ' ' || right(download_url, 16)
  FROM retail_fdw.rn_video_exports WHERE export_id = '0f8fad5b-d9cb-469f-a165-70867728950e';
SQL
)
check "a 1,436-character Location is returned whole by vendor_call" has "$out" "long 302 1436 0123456789abcdef"
check "...and a video export stores it whole in rn_video_exports" \
    eval 'has "$out" "export ready 1436" && has "$out" "stored 1436 0123456789abcdef"'
out=$(run -c "SELECT status FROM retail_fdw.vendor_call('h_huge_location', 'GET', '/x')")
check "a Location past 64 kB is an error (54000), not cut short" \
    eval 'has "$out" "ERROR:  54000" && has "$out" "Location header longer than"'
out=$(run -c "SELECT location FROM retail_fdw.vendor_call('h_bad_location', 'GET', '/x')")
check "a Location with invalid UTF-8 is 22021 naming the header" \
    eval 'has "$out" "ERROR:  22021" && has "$out" "the Location header of a response of journey is not valid UTF-8"'
check "...shown escaped" eval 'has "$out" "\\xff" && ! raw_ff "$out"'
out=$(run <<SQL
CREATE SERVER h_rn_pages FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'retailnext', base_url '$H/h/long-page-next', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER h_rn_pages OPTIONS (access_key 'k', secret_key 's');
CREATE FOREIGN TABLE h_rn_pages_profiles (id uuid, name text)
  SERVER h_rn_pages OPTIONS (resource 'rn_user_profiles');
SELECT 'pages ' || string_agg(name, ',' ORDER BY name) FROM h_rn_pages_profiles;
CREATE SERVER h_rn_badpages FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'retailnext', base_url '$H/h/bad-page-next', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER h_rn_badpages OPTIONS (access_key 'k', secret_key 's');
CREATE FOREIGN TABLE h_rn_badpages_profiles (id uuid, name text)
  SERVER h_rn_badpages OPTIONS (resource 'rn_user_profiles');
SELECT 'badpages ' || count(*) FROM h_rn_badpages_profiles;
SQL
)
echo "$out" | grep -E 'ERROR' | cut -c1-200 | sed 's/^/# /'
check "a 2,000-character X-Page-Next goes back whole (both pages read)" has "$out" "pages p1,p2"
check "an X-Page-Next with invalid UTF-8 is 22021 naming the header" \
    eval 'has "$out" "ERROR:  22021" && has "$out" "the X-Page-Next header of a response of retailnext is not valid UTF-8"'
check "...and its page was never asked for" [ "$(hcount /h/bad-page-next)" = 1 ]
# ================================================================ end of production safety

echo "# $FAILS failed"
exit "$FAILS"
