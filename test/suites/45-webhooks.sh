#!/usr/bin/env bash
#
# test/suites/45-webhooks.sh -- the AiFi webhook receiver (fdw/vendors/aifi/webhook.c) in
# a small cluster of its own, started with the receiver's settings (the
# shared cluster of test/run-tests.sh keeps running untouched).
#
#   0. without retail_fdw.webhook_role, or with a superuser as that role,
#      the receiver refuses to start (a clear message, the port stays shut)
#   1. the worker runs, named in pg_stat_activity, as webhook_role; before
#      CREATE EXTENSION a delivery is answered 503 and nothing is stored;
#      the role has exactly the grants of docs/security.md (PUBLIC's defaults
#      revoked)
#   2. the document's example payload, posted with curl, is stored (201);
#      the same body again is a second delivery of the same row (200); a
#      NOTIFY carries kind and id; the README's "people in store" trigger
#      counts each person of a group (the same payload once per person)
#      through entered and left; a payload with only the top-level
#      sessionId is stored under it; tracking and checkout are routed too;
#      no field refuses a delivery (tracking without shopperId or without
#      a body, left without session or timeOfIssue: stored)
#   3. 401 (no token, wrong token), 400 (malformed JSON, an entered/left
#      body that is no object, invalid UTF-8, empty entered), 404 (unknown kind), 405 (GET), 413 (declared
#      and chunked bodies past the limit): each stores nothing; triggers on
#      aifi_events run as webhook_role
#   4. 40 concurrent deliveries from one address (30 distinct, 10 identical;
#      fewer than webhook_connections_per_address): all stored, none lost or doubled
#   5. a new token file content takes effect on reload; a token file
#      readable by group or others is refused (503, a WARNING)
#   6. a database that cannot take the delivery: a table locked past the
#      timeout (503 in bounded time; meanwhile other requests are answered
#      at once) and a read-only database (503); nothing stored
#   7. pg_terminate_backend: the postmaster starts the worker again; the
#      database owner's planted type and cast (ALTER DATABASE SET
#      search_path) are not used and escalate nothing
#  7b. slow clients: 50 connections trickling headers from one address are
#      limited per address and closed after webhook_connection_time; a real
#      delivery meanwhile is answered at once
#   8. TLS: with a certificate and key the receiver speaks HTTPS
#   9. server shut down while a delivery waits: 503, nothing stored; a
#      changed webhook_role restarts the worker as the new role
#  10. the token is in no setting and no log line
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks (0 = all passed).
set -uo pipefail

: "${RF_TMP:?run from test/run-tests.sh}" "${RF_PGBIN:?}"
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
DB=postgres
WH=$RF_TMP/webhooks
PGDATA_WH=$WH/pgdata
mkdir -p "$WH"
PGPORT=$(_rf_free_port) || { echo "not ok - no free port"; exit 1; }
HOOK_PORT=$(_rf_free_port) || { echo "not ok - no free port"; exit 1; }
export PGHOST=$WH PGPORT PGUSER=postgres PGDATABASE=postgres
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"
now_ms() { date +%s%3N; }

TOKEN="wh-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$TOKEN" >"$WH/token"
chmod 600 "$WH/token"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$WH"; fi

cleanup() {
    _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_WH" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_cluster() {
    if ! _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_WH" -w -t 60 -l "$WH/pg.log" start \
        >"$WH/pg_ctl.log" 2>&1; then
        cat "$WH/pg_ctl.log"
        _rf_tail "$WH/pg.log" 40
        echo "not ok - the webhook cluster did not start"
        exit 1
    fi
}

rf_init_small_cluster "$WH" "$PGDATA_WH" "$PGPORT" || exit 1
# no retail_fdw.webhook_role yet: see 0.
cat >>"$PGDATA_WH/postgresql.conf" <<CONF
shared_preload_libraries = 'retail_fdw'
retail_fdw.webhook_listen = '127.0.0.1:$HOOK_PORT'
retail_fdw.webhook_database = 'postgres'
retail_fdw.webhook_token_file = '$WH/token'
retail_fdw.webhook_max_body_size = '64kB'
retail_fdw.webhook_timeout = '1500ms'
CONF
start_cluster
restart_cluster() {
    _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_WH" -m fast -w -t 30 stop >/dev/null 2>&1
    start_cluster
}

URL=http://127.0.0.1:$HOOK_PORT/aifi/webhook
CURL_EXTRA=()
# post KIND BODYFILE [curl args...]: prints the status; the answer is in
# $WH/answer.  AUTH_HDR=... replaces the Authorization header's value.
post() {
    local kind=$1 file=$2
    shift 2
    curl -s --noproxy '*' -m 15 -o "$WH/answer.$BASHPID" -w '%{http_code}' \
        -H "Authorization: ${AUTH_HDR:-Bearer $TOKEN}" -H 'Content-Type: application/json' \
        --data-binary "@$file" "${CURL_EXTRA[@]}" "$@" "$URL/$kind"
    mv -f "$WH/answer.$BASHPID" "$WH/answer" 2>/dev/null
}
rows() { q "SELECT count(*) FROM retail_fdw.aifi_events"; }
worker_pid() {
    q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'retail_fdw webhook receiver'"
}
# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds
wait_for() {
    local deadline=$(($(now_ms) + $1 * 1000))
    shift
    until "$@"; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

# The document's example ("customer entered a store").
cat >"$WH/entered.json" <<'JSON'
{ "sessionId": "d3a00526-1864-4f6e-bb2d-46e3ab7fa780", "session": { "createdAt": "2019-08-24T14:15:22Z", "updatedAt": "2019-08-24T14:15:22Z", "id": 0, "customerId": 0, "code": "c69bb289-1190-4156-b9f6-bfb7f61e85db", "codeFirstSuccesfullyScannedAt": "2019-08-24T14:15:22Z", "codeLastSuccesfullyScannedAt": "2019-08-24T14:15:22Z", "customerFirstEnteredAt": "2019-08-24T14:15:22Z", "customerLastEnteredAt": "2019-08-24T14:15:22Z", "customerFirstExitedAt": "2019-08-24T14:15:22Z", "customerLastExitedAt": "2019-08-24T14:15:22Z", "customerPaymentInstrumentId": 0, "customerSatisfaction": 95, "customerSatisfactionSubmitted": false, "groupSize": 0, "visitors": 0, "locationId": "string", "priority": 0, "sessionToken": "d3a00526-1864-4f6e-bb2d-46e3ab7fa780", "sessionId": "d3a00526-1864-4f6e-bb2d-46e3ab7fa780", "referencedSessionId": null, "status": "active", "storeId": 0, "storeIdScannableAt": 0, "suspectedFraud": false, "metadata": { "events": [ { "eventId": "6bdbfb2d-65b2-491c-bc97-c0ac73338476", "metadata": { "key": "value" } } ], "exampleKey": "exampleValue" }, "expiresAt": "2019-08-24T14:15:22Z" }, "customer": { "externalId": "string", "metadata": { "arbitraryKey": "arbitraryValue" }, "id": "string", "role": "customer" }, "storeId": 0, "store": { "oasisApiStoreId": 0, "aifiUniqueStoreId": "string" }, "storeExternalId": "string", "timeOfOrigin": "2019-08-24T14:15:22Z", "timeOfIssue": "2019-08-24T14:15:22Z", "payment": { "paymentProvider": "NONE" }, "shopperId": "string", "shopper": { "shopperId": "string" } }
JSON
# entered.json for another session and time: SESSION ORIGIN
payload() {
    sed -e "s/d3a00526-1864-4f6e-bb2d-46e3ab7fa780/$1/g" \
        -e "s/\"timeOfOrigin\": \"[^\"]*\"/\"timeOfOrigin\": \"$2\"/" "$WH/entered.json"
}

# ---------------------------------------------------------------- 0. role required
in_log() { grep -qF -- "$1" "$WH/pg.log"; }
not_in_log() { ! in_log "$1"; }
port_shut() { [ "$(curl -s --noproxy '*' -m 3 -o /dev/null -w '%{http_code}' "$URL/entered")" = 000 ]; }
check "webhook_listen without webhook_role: the worker refuses to start with a clear message" \
    wait_for 8 in_log 'retail_fdw.webhook_listen is set but retail_fdw.webhook_role is not'
check "... and the port stays shut" port_shut
"${PSQL[@]}" >/dev/null <<'SQL'
-- the receiver's role: LOGIN (PostgreSQL 15 requires it of a background
-- worker's role too), no password, no other attribute
CREATE ROLE aifi_webhook LOGIN;
CREATE ROLE aifi_super LOGIN SUPERUSER;
ALTER SYSTEM SET retail_fdw.webhook_role = 'aifi_super';
SQL
restart_cluster
check "a superuser as webhook_role is refused with a clear message" \
    wait_for 8 in_log 'retail_fdw.webhook_role "aifi_super" is a superuser'
check "... and the port stays shut" port_shut
# the refused worker is tried again every 5 s: a reload is enough
q "ALTER SYSTEM SET retail_fdw.webhook_role = 'aifi_webhook'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

# ---------------------------------------------------------------- 1. worker
worker_user() {
    q "SELECT usename FROM pg_stat_activity WHERE backend_type = 'retail_fdw webhook receiver'"
}
worker_up() { [ -n "$(worker_pid)" ]; }
check "after a reload the worker shows in pg_stat_activity as 'retail_fdw webhook receiver'" \
    wait_for 10 worker_up
check "... connected as retail_fdw.webhook_role (got '$(worker_user)')" \
    [ "$(worker_user)" = aifi_webhook ]
code=$(post entered "$WH/entered.json")
check "before CREATE EXTENSION a delivery is answered 503 (got $code)" [ "$code" = 503 ]
check "... with the database's error in a JSON body" grep -q '"sqlstate": "3F000"' "$WH/answer"
q "SET client_min_messages = warning; CREATE EXTENSION retail_fdw" >/dev/null
check "... and nothing was stored" [ "$(rows)" = 0 ]
# exactly the grants of docs/security.md ("The webhook receiver's role"), with PUBLIC's
# defaults for them revoked so that nothing else lets the receiver work
"${PSQL[@]}" >/dev/null <<'SQL'
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE USAGE ON SCHEMA retail_fdw FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION retail_fdw.aifi_ingest(text, jsonb) FROM PUBLIC;
GRANT CONNECT ON DATABASE postgres TO aifi_webhook;
GRANT USAGE ON SCHEMA retail_fdw TO aifi_webhook;
GRANT EXECUTE ON FUNCTION retail_fdw.aifi_ingest(text, jsonb) TO aifi_webhook;
GRANT SELECT, INSERT, UPDATE (deliveries, last_received_at) ON retail_fdw.aifi_events TO aifi_webhook;
SQL

# ---------------------------------------------------------------- 2. deliveries
# the README's "people in store" recipe itself (its ```sql block), so that
# the counts below test what users copy
awk '/^```sql$/ { blk = ""; inb = 1; next }
     inb && /^```$/ { if (blk ~ /CREATE TABLE people_in_store/) printf "%s", blk; inb = 0; next }
     inb { blk = blk $0 "\n" }' "$(dirname "$0")/../../README.md" >"$WH/recipe.sql"
check "the README has the people-in-store recipe" grep -q 'CREATE TRIGGER track_people' "$WH/recipe.sql"
"${PSQL[@]}" -v ON_ERROR_STOP=1 -f "$WH/recipe.sql" >/dev/null
"${PSQL[@]}" >/dev/null <<'SQL'
-- the trigger runs as the receiver's role: it needs the table it writes
GRANT SELECT, INSERT, UPDATE, DELETE ON people_in_store TO aifi_webhook;
CREATE FUNCTION who_stores() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE LOG 'aifi_events trigger: current_user=%', current_user;
  RETURN NULL;
END
$$;
CREATE TRIGGER who_stores AFTER INSERT ON retail_fdw.aifi_events
  FOR EACH ROW EXECUTE FUNCTION public.who_stores();
SQL

# a listener that stays connected while the deliveries are posted
psql -X -d postgres -c "LISTEN retail_fdw_aifi_events" -c "SELECT pg_sleep(2)" -c "SELECT 1" \
    >"$WH/listen.out" 2>&1 &
listener=$!
sleep 0.5
code=$(post entered "$WH/entered.json")
check "the document's example is stored: 201 (got $code)" [ "$code" = 201 ]
check "... the answer names the row" grep -q '"deliveries": 1' "$WH/answer"
code=$(post entered "$WH/entered.json")
second_delivery_ok() { [ "$code" = 200 ] && [ "$(q "SELECT count(*) || ' ' || max(deliveries) FROM retail_fdw.aifi_events")" = "1 2" ]; }
check "the same body again: 200, one row with two deliveries" \
    second_delivery_ok
check "... session id, store and customer taken from the payload" \
    [ "$(q "SELECT session_id || '|' || store_id || '|' || customer_id FROM retail_fdw.aifi_events")" \
      = "d3a00526-1864-4f6e-bb2d-46e3ab7fa780|0|string" ]
wait "$listener"
id1=$(q "SELECT id FROM retail_fdw.aifi_events")
check "NOTIFY retail_fdw_aifi_events carries kind and id after each commit" \
    [ "$(grep -c "\"kind\" : \"entered\", \"id\" : $id1" "$WH/listen.out")" = 2 ]
# the document: entered fires "for every person from the group", the same
# payload each time; the two deliveries above are a group of two
check "the cookbook's recipe counts each person of a group of two (got $(q "SELECT coalesce(sum(people), 0) FROM people_in_store"))" \
    [ "$(q "SELECT coalesce(sum(people), 0) FROM people_in_store")" = 2 ]
trigger_users=$(grep -o 'aifi_events trigger: current_user=[a-z_]*' "$WH/pg.log" | sed 's/.*=//' | sort -u | tr '\n' ' ')
echo "# the trigger ran as: $trigger_users"
check "triggers on aifi_events run as webhook_role and no other role (ran as: $trigger_users)" \
    [ "$trigger_users" = "aifi_webhook " ]
payload d3a00526-1864-4f6e-bb2d-46e3ab7fa780 2019-08-24T14:45:00Z >"$WH/left.json"
code=$(post left "$WH/left.json")
left_ok() { [ "$code" = 201 ] && [ "$(q "SELECT coalesce(sum(people), 0) FROM people_in_store")" = 1 ]; }
check "'left' for the first of the group is stored (got $code): one person still in the store" \
    left_ok
code=$(post left "$WH/left.json")
left2_ok() { [ "$code" = 200 ] && [ "$(q "SELECT count(*) FROM people_in_store")" = 0 ]; }
check "'left' for the second (the same payload, got $code): nobody left in the store" \
    left2_ok
# only the deprecated top-level sessionId
sed -e 's/"sessionId": "d3a00526[^"]*", "status"/"status"/' \
    -e 's/d3a00526-1864-4f6e-bb2d-46e3ab7fa780/0000aaaa-top-level-only/g' \
    -e 's/"sessionToken": "[^"]*", //' "$WH/entered.json" >"$WH/toplevel.json"
code=$(post entered "$WH/toplevel.json" -H 'X-Forwarded-For: 203.0.113.9')
toplevel_ok() { [ "$code" = 201 ] && [ "$(q "SELECT count(*) FROM retail_fdw.aifi_events WHERE session_id = '0000aaaa-top-level-only'")" = 1 ]; }
check "a payload with only the top-level sessionId is stored under it (got $code)" \
    toplevel_ok
q "DELETE FROM retail_fdw.aifi_events WHERE session_id = '0000aaaa-top-level-only'" >/dev/null
# The document defines no body for tracking (and has no page for
# checkout) and marks no field of entered or left required: no field
# refuses a delivery, the payload keeps what came.
kind_rows() { q "SELECT count(*) FROM retail_fdw.aifi_events WHERE kind = '$kind'"; }
kind_ok() { [ "$code" = 201 ] && [ "$(kind_rows)" = 1 ]; }
for kind in tracking checkout; do
    code=$(post "$kind" "$WH/entered.json")
    check "'$kind' is routed to aifi_ingest and stored (got $code)" \
        kind_ok
done
q "DELETE FROM retail_fdw.aifi_events WHERE kind IN ('tracking', 'checkout')" >/dev/null
kind=tracking
printf '{"storeId": 5, "timeOfOrigin": "2019-08-24T14:15:22Z", "frame": {"id": 7}}' >"$WH/noshopper.json"
code=$(post tracking "$WH/noshopper.json")
noshopper_ok() {
    [ "$code" = 201 ] && [ "$(q "SELECT store_id || '|' || coalesce(shopper_id, 'none') || '|' || (payload -> 'frame' ->> 'id') FROM retail_fdw.aifi_events WHERE kind = 'tracking'")" = "5|none|7" ]
}
check "tracking without shopperId, with a field of its own: stored 201 (got $code), payload kept" \
    noshopper_ok
code=$(post tracking "$WH/noshopper.json")
noshopper_again_ok() { [ "$code" = 200 ] && [ "$(kind_rows)" = 1 ]; }
check "... the same again: 200, a second delivery of the row (got $code)" noshopper_again_ok
: >"$WH/nobody.json"
code=$(post tracking "$WH/nobody.json")
nobody_ok() { [ "$code" = 201 ] && [ "$(kind_rows)" = 2 ]; }
check "tracking with no body at all: stored 201 (got $code)" nobody_ok
q "DELETE FROM retail_fdw.aifi_events WHERE kind = 'tracking'" >/dev/null
kind=entered
printf '{"storeId": 1, "timeOfOrigin": "2019-08-24T14:15:22Z"}' >"$WH/thin.json"
code=$(post left "$WH/thin.json")
thin_ok() { [ "$code" = 201 ] && [ "$(q "SELECT count(*) FROM retail_fdw.aifi_events WHERE kind = 'left' AND session_id IS NULL AND store_id = 1")" = 1 ]; }
check "left without session, sessionId or timeOfIssue (none is required): stored 201 (got $code)" \
    thin_ok
q "DELETE FROM retail_fdw.aifi_events WHERE kind = 'left' AND session_id IS NULL" >/dev/null

# ---------------------------------------------------------------- 3. refusals
before=$(rows)
code=$(curl -s --noproxy '*' -m 10 -o "$WH/answer" -w '%{http_code}' \
       --data-binary "@$WH/entered.json" "$URL/entered")
check "no Authorization header: 401 (got $code)" [ "$code" = 401 ]
code=$(AUTH_HDR="Bearer ${TOKEN}x" post entered "$WH/entered.json")
check "a wrong token: 401 (got $code)" [ "$code" = 401 ]
code=$(AUTH_HDR="Bearer ${TOKEN:0:10}" post entered "$WH/entered.json")
check "a prefix of the token: 401 (got $code)" [ "$code" = 401 ]
code=$(AUTH_HDR="Basic $TOKEN" post entered "$WH/entered.json")
check "another scheme: 401 (got $code)" [ "$code" = 401 ]
printf '{"storeId": 1, "session": ' >"$WH/broken.json"
code=$(post entered "$WH/broken.json")
parser_error_ok() { [ "$code" = 400 ] && grep -q '"sqlstate": "22P02"' "$WH/answer"; }
check "malformed JSON: 400 (got $code) with the parser's error" \
    parser_error_ok
printf '[1, 2]' >"$WH/array.json"
code=$(post left "$WH/array.json")
not_object_ok() { [ "$code" = 400 ] && grep -q 'must be a JSON object' "$WH/answer"; }
check "an entered/left body that is not a JSON object: 400 (got $code)" \
    not_object_ok
printf '{"storeId": "\xff"}' >"$WH/latin.json"
code=$(post entered "$WH/latin.json")
check "a body that is not UTF-8: 400 (got $code)" [ "$code" = 400 ]
: >"$WH/empty.json"
code=$(post entered "$WH/empty.json")
check "an empty body for entered (whose document defines one): 400 (got $code)" [ "$code" = 400 ]
code=$(post arrived "$WH/entered.json")
check "an unknown kind: 404 (got $code)" [ "$code" = 404 ]
code=$(curl -s --noproxy '*' -m 10 -o /dev/null -D "$WH/headers" -w '%{http_code}' \
       -H "Authorization: Bearer $TOKEN" "$URL/entered")
get_405_ok() { [ "$code" = 405 ] && grep -qi '^Allow: POST' "$WH/headers"; }
check "GET: 405 (got $code) with Allow: POST" get_405_ok
head -c 70000 /dev/zero | tr '\0' 'x' >"$WH/big.json"
code=$(post entered "$WH/big.json")
check "a body declared past webhook_max_body_size: 413 (got $code)" [ "$code" = 413 ]
code=$(post entered "$WH/big.json" -H 'Transfer-Encoding: chunked')
check "a chunked body past webhook_max_body_size: 413 (got $code)" [ "$code" = 413 ]
check "nothing stored by any refusal" [ "$(rows)" = "$before" ]

# ---------------------------------------------------------------- 4. concurrency
before=$(rows)
for i in $(seq 1 30); do
    payload "$(printf 'cccccccc-0000-4000-8000-%012d' "$i")" 2019-08-25T10:00:00Z >"$WH/c$i.json"
done
payload dddddddd-0000-4000-8000-000000000000 2019-08-25T11:00:00Z >"$WH/group.json"
t0=$(now_ms)
for i in $(seq 1 40); do
    if [ "$i" -le 30 ]; then f=$WH/c$i.json; else f=$WH/group.json; fi
    { post entered "$f"; echo; } >"$WH/code$i" &
done
wait
t1=$(now_ms)
ok_count=$(cat "$WH"/code* | grep -c '^20[01]$')
other_codes=$(cat "$WH"/code* | grep -v '^20[01]$' | sort | uniq -c | tr -s ' \n' ' ')
echo "# 40 concurrent deliveries answered in $((t1 - t0)) ms"
# 40 from one address is below webhook_connections_per_address's default (64):
# none may be closed unanswered (curl's 000) or refused for the queue (503).
check "40 concurrent deliveries from one address: all answered 2xx (got $ok_count; others:${other_codes:- none})" \
    [ "$ok_count" = 40 ]
check "... 31 new rows, none lost or doubled" [ "$(rows)" = $((before + 31)) ]
check "... the 10 identical ones are one row with 10 deliveries" \
    [ "$(q "SELECT deliveries FROM retail_fdw.aifi_events WHERE session_id = 'dddddddd-0000-4000-8000-000000000000'")" = 10 ]
rm -f "$WH"/code*

# ---------------------------------------------------------------- 5. token reload
OLD=$TOKEN
TOKEN="wh-rotated-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$TOKEN" >"$WH/token.new"
chmod 600 "$WH/token.new"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$WH/token.new"; fi
mv "$WH/token.new" "$WH/token"
q "SELECT pg_reload_conf()" >/dev/null
payload eeeeeeee-0000-4000-8000-000000000001 2019-08-25T12:00:00Z >"$WH/rot.json"
new_ok() { [ "$(post entered "$WH/rot.json")" = 201 ]; }
check "after reload the new token is accepted" wait_for 5 new_ok
code=$(AUTH_HDR="Bearer $OLD" post entered "$WH/rot.json")
check "... and the old one refused: 401 (got $code)" [ "$code" = 401 ]
chmod 644 "$WH/token"
q "SELECT pg_reload_conf()" >/dev/null
no_token() { [ "$(post entered "$WH/rot.json")" = 503 ] && grep -q 'the receiver has no token' "$WH/answer"; }
check "a token file readable by others (0644) is refused: every delivery 503" wait_for 5 no_token
check "... with a clear message in the log" in_log 'has group or world access'
chmod 600 "$WH/token"
q "SELECT pg_reload_conf()" >/dev/null
token_back() { [ "$(post entered "$WH/rot.json")" = 200 ]; }
check "... chmod 600 and reload: deliveries are stored again" wait_for 5 token_back

# ---------------------------------------------------------------- 6. database unavailable
before=$(rows)
payload ffffffff-0000-4000-8000-000000000001 2019-08-25T13:00:00Z >"$WH/slow.json"
psql -X -q -d postgres -c "BEGIN; LOCK TABLE retail_fdw.aifi_events IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;" \
    >/dev/null 2>&1 &
locker=$!
sleep 0.5
t0=$(now_ms)
slow=()
for i in 1 2 3; do
    post entered "$WH/slow.json" >"$WH/slow$i" &
    slow+=($!)
done
sleep 0.2
t_wrong0=$(now_ms)
code=$(AUTH_HDR="Bearer nope" post entered "$WH/slow.json")
t_wrong1=$(now_ms)
wait "${slow[@]}"
t1=$(now_ms)
wrong_token_fast() { [ "$code" = 401 ] && [ $((t_wrong1 - t_wrong0)) -lt 500 ]; }
check "while the table is locked, a wrong token is still answered at once (401 in $((t_wrong1 - t_wrong0)) ms)" \
    wrong_token_fast
lock_503_bounded() { [ "$(cat "$WH"/slow1 "$WH"/slow2 "$WH"/slow3 | tr -d '\n')" = 503503503 ] && [ $((t1 - t0)) -lt 3500 ]; }
check "deliveries waiting on the lock: 503 after a bounded wait ($((t1 - t0)) ms; timeout 1500 ms)" \
    lock_503_bounded
wait "$locker"
check "... and none of them was stored once the lock was gone" [ "$(rows)" = "$before" ]
q "ALTER SYSTEM SET default_transaction_read_only = on" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
ro_503() { [ "$(post entered "$WH/slow.json")" = 503 ] && grep -q '"sqlstate": "25006"' "$WH/answer"; }
check "a read-only database: 503 (SQLSTATE 25006 in the answer)" wait_for 5 ro_503
PGOPTIONS='-c default_transaction_read_only=off' q "ALTER SYSTEM RESET default_transaction_read_only" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
check "... nothing stored" [ "$(rows)" = "$before" ]
ok_again() { [ "$(post entered "$WH/slow.json")" = 201 ]; }
check "writable again: the delivery is stored" wait_for 5 ok_again

# ---------------------------------------------------------------- 7. restart
# The owner of webhook_database (not a superuser) plants a type named like
# one the receiver's statement used unqualified (text), a cast into it that
# would make its owner a superuser, and a search_path that finds it first;
# the restarted worker picks the database's settings up.
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE ROLE shop_owner LOGIN;
ALTER DATABASE postgres OWNER TO shop_owner;
SQL
PGUSER=shop_owner "${PSQL[@]}" >/dev/null <<'SQL'
CREATE SCHEMA evil;
CREATE TYPE evil.text AS (t pg_catalog.text);
CREATE FUNCTION evil.pwn(pg_catalog.json) RETURNS evil.text LANGUAGE plpgsql AS $$
BEGIN
  RAISE LOG 'planted cast ran as %', current_user;
  ALTER ROLE shop_owner SUPERUSER;
  RETURN ROW($1::pg_catalog.text)::evil.text;
END
$$;
CREATE CAST (pg_catalog.json AS evil.text) WITH FUNCTION evil.pwn(pg_catalog.json);
CREATE FUNCTION evil.back(evil.text) RETURNS pg_catalog.text LANGUAGE sql AS 'SELECT ($1).t';
CREATE CAST (evil.text AS pg_catalog.text) WITH FUNCTION evil.back(evil.text) AS IMPLICIT;
ALTER DATABASE postgres SET search_path = evil, pg_catalog, public;
SQL
pid1=$(worker_pid)
q "SELECT pg_terminate_backend($pid1)" >/dev/null
t0=$(now_ms)
restarted() { local p; p=$(worker_pid); [ -n "$p" ] && [ "$p" != "$pid1" ]; }
check "pg_terminate_backend: the postmaster starts the worker again" wait_for 15 restarted
payload 11111111-0000-4000-8000-000000000001 2019-08-25T14:00:00Z >"$WH/after.json"
after_ok() { [ "$(post entered "$WH/after.json")" = 201 ]; }
check "... and it stores deliveries again" wait_for 10 after_ok
echo "# worker back and storing $(($(now_ms) - t0)) ms after pg_terminate_backend"
check "the database owner's planted type and cast in its search_path were not used" \
    not_in_log 'planted cast ran as'
check "... and its owner is still no superuser" \
    [ "$(q "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'shop_owner'")" = f ]
PGUSER=shop_owner "${PSQL[@]}" >/dev/null <<'SQL'
SET client_min_messages = warning;
ALTER DATABASE postgres RESET search_path;
DROP SCHEMA evil CASCADE;
SQL

# ---------------------------------------------------------------- 7b. slow clients
# 50 connections from a second loopback address that send a header line
# every 0.3 s and never finish their request: at most
# webhook_connections_per_address of them are kept, and those are closed
# after webhook_connection_time although they never fall idle.  Meanwhile a
# delivery from 127.0.0.1 is answered.  The second address is 127.0.0.2
# where a socket may be bound to it; where the machine allows loopback
# traffic on 127.0.0.1 and ::1 only, it is ::1 and the receiver listens on
# every address (dual stack).
q "ALTER SYSTEM SET retail_fdw.webhook_connections_per_address = 8" >/dev/null
q "ALTER SYSTEM SET retail_fdw.webhook_connection_time = '2s'" >/dev/null
cat >"$WH/srcprobe.py" <<'PY'
import socket, sys
fam, src, dst = {"4": socket.AF_INET, "6": socket.AF_INET6}[sys.argv[1]], sys.argv[2], sys.argv[3]
lis = socket.socket(fam)
lis.bind((dst, 0))
lis.listen(1)
c = socket.socket(fam)
c.settimeout(2)
c.bind((src, 0))
c.connect((dst, lis.getsockname()[1]))
peer = lis.accept()[1][0]
sys.exit(0 if peer == src else 1)
PY
if python3 "$WH/srcprobe.py" 4 127.0.0.2 127.0.0.1 2>/dev/null; then
    SLOW_SRC=127.0.0.2 SLOW_DST=127.0.0.1
elif python3 "$WH/srcprobe.py" 6 ::1 ::1 2>/dev/null; then
    SLOW_SRC=::1 SLOW_DST=::1
    sed -i "s/^retail_fdw.webhook_listen = .*/retail_fdw.webhook_listen = '*:$HOOK_PORT'/" \
        "$PGDATA_WH/postgresql.conf"
else
    SLOW_SRC= SLOW_DST=
fi
echo "# slow clients from ${SLOW_SRC:-(no second loopback address)} to ${SLOW_DST:-127.0.0.1}"
check "a second loopback address to send the slow clients from (127.0.0.2 or ::1)" [ -n "$SLOW_SRC" ]
restart_cluster
payload 44444444-0000-4000-8000-000000000001 2019-08-25T14:30:00Z >"$WH/slowloris.json"
up_again() { [ -n "$(worker_pid)" ] && [ "$(post entered "$WH/entered.json")" = 200 ]; }
wait_for 10 up_again
cat >"$WH/slowloris.py" <<'PY'
import json, select, socket, sys, time
host, port, src, n, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
t0 = time.monotonic()
opened = {}
failed = 0
for i in range(n):
    s = socket.socket(socket.AF_INET6 if ":" in src else socket.AF_INET)
    try:
        s.bind((src, 0))
        s.settimeout(2)
        s.connect((host, port))
        s.sendall(b"POST /aifi/webhook/entered HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        s.setblocking(False)
        opened[s] = time.monotonic()
    except OSError:
        failed += 1
        s.close()
lives = []
last = 0.0
def gone(s, now):
    lives.append(now - opened.pop(s))
    s.close()
while opened and time.monotonic() - t0 < secs:
    r, _, _ = select.select(list(opened), [], [], 0.05)
    now = time.monotonic()
    for s in r:
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            gone(s, now)
    if now - last >= 0.3:
        last = now
        for s in list(opened):
            try:
                s.send(b"X-Slow: 1\r\n")
            except OSError:
                gone(s, now)
kept = [x for x in lives if x >= 0.5]
print(json.dumps({"failed": failed, "refused": len(lives) - len(kept), "kept": len(kept) + len(opened),
                  "still_open": len(opened), "longest_ms": int(1000 * max(kept, default=0))}))
for s in opened:
    s.close()
PY
python3 "$WH/slowloris.py" "${SLOW_DST:-127.0.0.1}" "$HOOK_PORT" "${SLOW_SRC:-127.0.0.1}" 50 6 \
    >"$WH/slowloris.out" 2>&1 &
slowpid=$!
sleep 1
t0=$(now_ms)
code=$(post entered "$WH/slowloris.json")
t1=$(now_ms)
at_once() { [ "$code" = 201 ] && [ $((t1 - t0)) -lt 1000 ]; }
check "while 50 slow connections trickle from $SLOW_SRC, a delivery from 127.0.0.1 is stored at once ($code in $((t1 - t0)) ms)" \
    at_once
wait "$slowpid"
echo "# slow clients: $(cat "$WH/slowloris.out")"
slow_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WH/slowloris.out" "$1" 2>/dev/null; }
kept=$(slow_field kept)
longest=$(slow_field longest_ms)
still_open=$(slow_field still_open)
few_kept() { [ -n "$kept" ] && [ "$kept" -ge 1 ] && [ "$kept" -le 8 ]; }
cut_in_time() { [ "$still_open" = 0 ] && [ -n "$longest" ] && [ "$longest" -ge 1500 ] && [ "$longest" -lt 3500 ]; }
check "of 50 connections from one address at most 8 are kept (webhook_connections_per_address; kept $kept)" \
    few_kept
check "... and those are closed after webhook_connection_time (2 s) though they keep sending (longest ${longest} ms, $still_open open after 6 s)" \
    cut_in_time
q "ALTER SYSTEM RESET retail_fdw.webhook_connections_per_address" >/dev/null
q "ALTER SYSTEM RESET retail_fdw.webhook_connection_time" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

# ---------------------------------------------------------------- 8. TLS
if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$WH/key.pem" -out "$WH/cert.pem" >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$WH/key.pem" "$WH/cert.pem"; fi
    chmod 600 "$WH/key.pem"
    cat >>"$PGDATA_WH/postgresql.conf" <<CONF
retail_fdw.webhook_tls_cert_file = '$WH/cert.pem'
retail_fdw.webhook_tls_key_file = '$WH/key.pem'
CONF
    _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_WH" -m fast -w -t 30 stop >/dev/null 2>&1
    start_cluster
    payload 22222222-0000-4000-8000-000000000001 2019-08-25T15:00:00Z >"$WH/tls.json"
    code=$(curl -s --noproxy '*' -m 5 -o /dev/null -w '%{http_code}' \
           -H "Authorization: Bearer $TOKEN" --data-binary "@$WH/tls.json" "$URL/entered")
    URL=https://127.0.0.1:$HOOK_PORT/aifi/webhook
    CURL_EXTRA=(--cacert "$WH/cert.pem")
    tls_ok() { [ "$(post entered "$WH/tls.json")" = 201 ]; }
    check "TLS: an https delivery verified against the certificate is stored" wait_for 10 tls_ok
    check "... plain http to the TLS port stores nothing (got $code)" [ "$code" != 201 ]
else
    echo "# openssl missing: TLS not tested"
fi

# ---------------------------------------------------------------- 9. shutdown
before=$(rows)
payload 33333333-0000-4000-8000-000000000001 2019-08-25T16:00:00Z >"$WH/down.json"
q "ALTER SYSTEM SET retail_fdw.webhook_timeout = '20s'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
# a database that hangs: a trigger sleeps on this one delivery
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE FUNCTION hang() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.session_id LIKE '33333333-%' THEN PERFORM pg_catalog.pg_sleep(30); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER hang AFTER INSERT ON retail_fdw.aifi_events FOR EACH ROW EXECUTE FUNCTION public.hang();
SQL
sleep 0.5
post entered "$WH/down.json" >"$WH/down.code" &
poster=$!
sleep 0.7
t0=$(now_ms)
_rf_as_pg "$RF_PGBIN/pg_ctl" -D "$PGDATA_WH" -m fast -w -t 30 stop >/dev/null 2>&1
echo "# fast shutdown with a delivery in flight took $(($(now_ms) - t0)) ms"
wait "$poster"
check "server stopped while a delivery waits: 503 (got $(cat "$WH/down.code"))" \
    [ "$(cat "$WH/down.code")" = 503 ]
start_cluster
check "... and it was not stored" [ "$(rows)" = "$before" ]

# ---------------------------------------------------------------- 9b. role change
# a running worker cannot change its user: on reload it restarts as the new role
q "CREATE ROLE aifi_webhook2 LOGIN; GRANT CONNECT ON DATABASE postgres TO aifi_webhook2" >/dev/null
q "ALTER SYSTEM SET retail_fdw.webhook_role = 'aifi_webhook2'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
as_new_role() { [ "$(worker_user)" = aifi_webhook2 ]; }
check "webhook_role changed and reloaded: the worker restarts as the new role" wait_for 12 as_new_role
check "... saying so in the log" in_log 'retail_fdw.webhook_role changed from "aifi_webhook" to "aifi_webhook2"'

# ---------------------------------------------------------------- 10. secrets
check "the token is in no setting" \
    [ "$(q "SELECT count(*) FROM pg_settings WHERE setting LIKE '%$TOKEN%' OR setting LIKE '%$OLD%'")" = 0 ]
not_logged() { ! grep -qF -e "$TOKEN" -e "$OLD" "$WH/pg.log"; }
check "the token is in no log line" not_logged
if grep -qE 'terminated by signal|PANIC' "$WH/pg.log"; then
    notok "the webhook cluster's log shows a crash"
    grep -E 'terminated by signal|PANIC' "$WH/pg.log" | head -5
else
    ok "no crash in the webhook cluster's log"
fi

exit "$FAILS"
