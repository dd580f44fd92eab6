#!/usr/bin/env bash
#
# test/suites/56-dump.sh -- backup and restore: pg_dump / pg_restore of a
# database that uses the extension as the README does.  In scratch
# databases of the test cluster, against the simulator:
#
#   source   the four servers, user mappings and imported schemas of
#            test/servers.sql; the README's hand-declared visits_light
#            (column options: pg_dump gives them by a later ALTER FOREIGN
#            TABLE ... ALTER COLUMN ... OPTIONS); the "people in store"
#            recipe; received webhooks (aifi_events), a video export
#            (rn_video_exports), a store map, a sync and its watermark; a
#            materialized view over a foreign table; a column comment its
#            user removed
#   custom   pg_dump -Fc, then pg_restore into a new database, the
#            materialized view's data left out (pg_restore -L), so that the
#            restore reads no vendor
#   plain    pg_dump | psql into a new database, everything (the
#            materialized view is refreshed: the restore's only requests)
#   nosu     pg_restore by a database owner who is not a superuser, into a
#            database where a superuser created the extension
#
# Each restore must report no error; a normalized pg_dump (entries sorted,
# schema and data) of each must equal the source's, the rows of the
# extension's tables must be the same, the identity of aifi_events must go
# on after the restored rows, and the foreign tables must answer as the
# source's do.  The simulator's request record shows what a restore asked.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${RF_TMP:?run from test/run-tests.sh}" "${PGHOST:?}" "${PGPORT:?}" "${SIMCTL:?}" \
    "${SIM_JOURNEY_URL:?}" "${SIM_AIFI_URL:?}" "${SIM_RETAILNEXT_URL:?}" "${SIM_INSPECTOR_URL:?}"
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
SRC=rf_dump_src
CUSTOM=rf_dump_custom
PLAIN=rf_dump_plain
NOSU=rf_dump_nosu
OWNER=rf_dump_owner
DB=$SRC
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"

DIR=$RF_TMP/dump
mkdir -p "$DIR"
chmod 777 "$DIR"

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
    local d
    for d in "$SRC" "$CUSTOM" "$PLAIN" "$NOSU"; do
        dropdb --if-exists "$d" >/dev/null 2>&1 || true
    done
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $OWNER" >/dev/null 2>&1 || true
    $SIMCTL reset >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
createdb "$SRC" || { echo "not ok - createdb $SRC"; exit 1; }
psql -X -q -d postgres -c "CREATE ROLE $OWNER LOGIN" || { echo "not ok - CREATE ROLE $OWNER"; exit 1; }

# qd DB SQL: one statement in DB, unaligned, tuples only
qd() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$1" -c "$2"; }

# ---------------------------------------------------------------- source
$SIMCTL reset >/dev/null || exit 1
ENTERED=$(curl -sf "$SIM_AIFI_URL/_aifi/webhook-samples/entered") || {
    notok "the simulator's sample webhook payload"
    exit 1
}
out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$SRC" -v journey_url="$SIM_JOURNEY_URL" \
    -v aifi_url="$SIM_AIFI_URL" -v rn_url="$SIM_RETAILNEXT_URL" -v ic_url="$SIM_INSPECTOR_URL" \
    -f test/servers.sql 2>&1) || {
    notok "test/servers.sql in $SRC"
    printf '%s\n' "$out" | sed 's/^/    /'
    exit 1
}
if ! out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$SRC" -v entered="$ENTERED" 2>&1 <<'SQL'
-- another role's user mapping
CREATE USER MAPPING FOR rf_dump_owner SERVER journey OPTIONS (token 'journey-secret-token');

-- the README's hand-declared table
CREATE FOREIGN TABLE visits_light (
  event_start timestamptz,
  zone text OPTIONS (json_path 'zone_name'),
  dwell bigint OPTIONS (json_path 'dwell_time_seconds')
) SERVER journey OPTIONS (resource 'visit_journey_events', window '6 hours');

-- the README's "people in store" recipe
CREATE TABLE people_in_store (
  store_id bigint NOT NULL,
  session_id text NOT NULL,
  people integer NOT NULL,
  entered_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, session_id)
);
CREATE FUNCTION track_people() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $$
DECLARE
  n integer := NEW.deliveries - CASE TG_OP WHEN 'UPDATE' THEN OLD.deliveries ELSE 0 END;
BEGIN
  IF NEW.store_id IS NULL OR NEW.session_id IS NULL OR n <= 0 THEN
    RETURN NULL;
  END IF;
  IF NEW.kind = 'entered' THEN
    INSERT INTO people_in_store AS p VALUES (NEW.store_id, NEW.session_id, n, NEW.time_of_origin)
    ON CONFLICT (store_id, session_id) DO UPDATE SET people = p.people + n;
  ELSIF NEW.kind = 'left' THEN
    UPDATE people_in_store SET people = people - n
     WHERE store_id = NEW.store_id AND session_id = NEW.session_id;
    DELETE FROM people_in_store
     WHERE store_id = NEW.store_id AND session_id = NEW.session_id AND people <= 0;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER track_people AFTER INSERT OR UPDATE OF deliveries ON retail_fdw.aifi_events
  FOR EACH ROW EXECUTE FUNCTION track_people();

-- received webhooks: a repeated delivery counts on its row
SELECT retail_fdw.aifi_ingest('entered', :'entered');
SELECT retail_fdw.aifi_ingest('entered', :'entered');
-- tracking and checkout: the document defines no body for them
SELECT retail_fdw.aifi_ingest('checkout', '{}');
SELECT retail_fdw.aifi_ingest('tracking', NULL);

-- export history (the simulator's first export is the document's)
SELECT retail_fdw.rn_video_export_start('rn', ARRAY['f2b81aa0-8c90-11eb-9d08-c00017306bd8']::uuid[],
         '2021-03-17 13:00Z', '2021-03-17 13:05:08Z', analytics_overlay => true);
SELECT status FROM retail_fdw.rn_video_export_status('rn', '3ba9d435-8c91-11eb-9c23-0000d53335d2');

INSERT INTO retail_fdw.store_map
       (store, journey_store_code, aifi_store_id, retailnext_store_uuid,
        inspector_store_id, time_zone)
VALUES ('0042', 'SM-001', 1, 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 11020, 'America/Los_Angeles');

-- a sync and its watermark
CREATE TABLE events (LIKE journey.visit_journey_events);
CREATE UNIQUE INDEX ON events (visit_id, zone_serial_code, event_start);
SELECT * FROM retail_fdw.sync('journey.visit_journey_events', 'events',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-12', until => '2025-08-12 12:00Z');

-- a local copy of a foreign table
CREATE MATERIALIZED VIEW zone_dwell AS
  SELECT zone, count(*) AS events, sum(dwell) AS dwell
    FROM visits_light
   WHERE event_start >= '2025-08-12' AND event_start < '2025-08-12 12:00Z'
   GROUP BY zone;

-- a comment the user does not want stays away
COMMENT ON COLUMN journey.visit_journey_events.source IS NULL;
SQL
); then
    notok "building the source database"
    printf '%s\n' "$out" | sed 's/^/    /' | tail -n 30
    exit "$FAILS"
fi
ok "a source database with servers, mappings, imported and hand-declared tables, webhooks, exports, a sync"
check "the source holds the rows to keep" \
    test "$(qd "$SRC" "SELECT (SELECT count(*) FROM retail_fdw.aifi_events) || ' '
                            || (SELECT count(*) FROM retail_fdw.rn_video_exports) || ' '
                            || (SELECT count(*) FROM retail_fdw.sync_state) || ' '
                            || (SELECT count(*) FROM retail_fdw.store_map) || ' '
                            || (SELECT count(*) FROM people_in_store)")" = '3 1 1 1 1'

# The normalized dump of a database, schema and data: entries sorted; the
# session settings pg_dump writes between them (SET ...), its header and
# trailer and its per-run key against psql meta-commands left out
cat >"$DIR/normalize.py" <<'PY'
import re, sys
text = sys.stdin.read()
skip = re.compile(r"\\(un)?restrict |SET |SELECT pg_catalog\.set_config\('search_path'"
                  r"|-- PostgreSQL database dump|-- Dumped (from|by) ")
entries = []
for entry in re.split(r'\n(?=--\n-- (?:Name|Data for Name): )', text):
    lines = [l for l in entry.splitlines() if not skip.match(l)]
    entry = re.sub(r"\n\n+", "\n\n", "\n".join(lines))
    entry = re.sub(r"(\n--)+\s*$", "", entry).strip("\n")
    if entry.strip("-\n "):
        entries.append(entry)
print("\n\n".join(sorted(entries)))
PY
normdump() { pg_dump -d "$1" | "$RF_PYTHON" "$DIR/normalize.py"; }

# What a database holds, row for row: the extension's tables and the user's
ROWS_SQL="
SELECT 'aifi_events ' || count(*) || ' ' || md5(coalesce(string_agg(e::text, '|' ORDER BY id), ''))
  FROM retail_fdw.aifi_events e
UNION ALL
SELECT 'aifi_events_id_seq ' || last_value FROM retail_fdw.aifi_events_id_seq
UNION ALL
SELECT 'rn_video_exports ' || count(*) || ' ' || md5(coalesce(string_agg(x::text, '|' ORDER BY export_id), ''))
  FROM retail_fdw.rn_video_exports x
UNION ALL
SELECT 'sync_state ' || count(*) || ' ' || md5(coalesce(string_agg(s::text, '|' ORDER BY source, target), ''))
  FROM retail_fdw.sync_state s
UNION ALL
SELECT 'store_map ' || count(*) || ' ' || md5(coalesce(string_agg(m::text, '|' ORDER BY store), ''))
  FROM retail_fdw.store_map m
UNION ALL
SELECT 'events ' || count(*) || ' ' || md5(coalesce(string_agg(v::text, '|' ORDER BY v::text), ''))
  FROM events v
UNION ALL
SELECT 'people_in_store ' || count(*) FROM people_in_store
ORDER BY 1"
qd "$SRC" "$ROWS_SQL" >"$DIR/src.rows"

# What the foreign tables answer (requests to the simulator)
ANSWERS_SQL="
SELECT 'visits_light ' || count(*) || ' ' || sum(dwell) || ' ' || count(DISTINCT zone)
  FROM visits_light WHERE event_start >= '2025-08-12' AND event_start < '2025-08-12 06:00Z'
UNION ALL
SELECT 'visit_journey_events ' || count(*) || ' ' || sum(dwell_time_seconds)
  FROM journey.visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13'
UNION ALL
SELECT 'aifi_stores ' || count(*) FROM aifi.aifi_stores
UNION ALL
SELECT 'rn_locations ' || count(*) FROM rn.rn_locations
UNION ALL
SELECT 'ic_stores ' || count(*) FROM ic.ic_stores
UNION ALL
SELECT 'zone_dwell ' || count(*) || ' ' || sum(events) FROM zone_dwell
ORDER BY 1"
qd "$SRC" "$ANSWERS_SQL" >"$DIR/src.answers" 2>&1

# ---------------------------------------------------------------- dump
check "pg_dump -Fc of the source" pg_dump -Fc -f "$DIR/src.dump" -d "$SRC"
check "pg_dump (plain) of the source" pg_dump -f "$DIR/src.sql" -d "$SRC"
normdump "$SRC" >"$DIR/src.norm"
check "the dump holds the webhook events, the export history and the identity's position" \
    eval 'grep -q "^COPY retail_fdw.aifi_events " "$DIR/src.sql" &&
          grep -q "^COPY retail_fdw.rn_video_exports " "$DIR/src.sql" &&
          grep -q "setval(.retail_fdw.aifi_events_id_seq., " "$DIR/src.sql"'
check "the dump holds user mappings with their secrets, as docs/operations.md says" \
    grep -q "token 'journey-secret-token'" "$DIR/src.sql"

# compare NAME DB: rows, catalog and data, answers of DB against the source's
compare() {
    local name=$1 db=$2
    qd "$db" "$ROWS_SQL" >"$DIR/$name.rows" 2>&1
    if diff -u "$DIR/src.rows" "$DIR/$name.rows" >"$DIR/$name.rows.diff"; then
        ok "$name: the same rows in aifi_events, rn_video_exports, sync_state, store_map and the user's tables"
    else
        notok "$name: rows differ (- source, + $name):"
        sed 's/^/    /' "$DIR/$name.rows.diff"
    fi
    normdump "$db" >"$DIR/$name.norm"
    if diff -u "$DIR/src.norm" "$DIR/$name.norm" >"$DIR/$name.norm.diff"; then
        ok "$name: pg_dump of the restored database equals the source's (schema and data, $(grep -c '^-- \(Data for \)\?Name: ' "$DIR/src.norm") entries)"
    else
        notok "$name: pg_dump of the restored database differs (- source, + $name):"
        head -n 80 "$DIR/$name.norm.diff" | sed 's/^/    /'
    fi
    qd "$db" "$ANSWERS_SQL" >"$DIR/$name.answers" 2>&1
    if diff -u "$DIR/src.answers" "$DIR/$name.answers" >"$DIR/$name.answers.diff"; then
        ok "$name: the restored foreign tables (imported, hand-declared, materialized) answer as the source's"
    else
        notok "$name: the restored foreign tables answer otherwise (- source, + $name):"
        sed 's/^/    /' "$DIR/$name.answers.diff"
    fi
    check "$name: a new webhook gets an id after the restored ones" \
        test "$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -v p="$ENTERED" 2>&1 <<<"
                 SELECT id > $(qd "$SRC" "SELECT max(id) FROM retail_fdw.aifi_events")
                   FROM retail_fdw.aifi_ingest('left', :'p')")" = t
}

# restored NAME OUT RC: the restore's exit status was 0 and it said no ERROR
restored() {
    local name=$1 out=$2 rc=$3
    if [ "$rc" -eq 0 ] && ! grep -qi 'error' <<<"$out"; then
        ok "$name: the restore reports no error"
    else
        notok "$name: the restore failed (exit $rc) with $(grep -c 'ERROR' <<<"$out") error(s):"
        grep -i -A3 'error' <<<"$out" | head -n 60 | sed 's/^/    /'
    fi
}

# ---------------------------------------------------------------- pg_restore
createdb "$CUSTOM" || notok "createdb $CUSTOM"
pg_restore -l "$DIR/src.dump" | grep -v 'MATERIALIZED VIEW DATA' >"$DIR/custom.list"
$SIMCTL reset >/dev/null
out=$(pg_restore -L "$DIR/custom.list" -d "$CUSTOM" "$DIR/src.dump" 2>&1)
restored custom "$out" $?
check "custom: the restore sent no request to any vendor" \
    test "$($SIMCTL count)" = 0
check "custom: visits_light keeps its column options" \
    test "$(qd "$CUSTOM" "SELECT string_agg(attname || ' ' || coalesce(array_to_string(attfdwoptions, ','), '-'), '; ' ORDER BY attnum)
                            FROM pg_attribute WHERE attrelid = 'visits_light'::regclass AND attnum > 0")" \
         = 'event_start -; zone json_path=zone_name; dwell json_path=dwell_time_seconds'
qd "$CUSTOM" "REFRESH MATERIALIZED VIEW zone_dwell" || notok "custom: REFRESH MATERIALIZED VIEW"
compare custom "$CUSTOM"

# ---------------------------------------------------------------- psql
createdb "$PLAIN" || notok "createdb $PLAIN"
$SIMCTL reset >/dev/null
out=$(psql -X -q -d "$PLAIN" -f "$DIR/src.sql" 2>&1)
restored plain "$out" $?
check "plain: the restore's only requests are the materialized view's refresh (journey events)" \
    test "$($SIMCTL requests | "$RF_PYTHON" -c '
import json, sys
print(sorted({(r["vendor"], r["path"]) for r in json.load(sys.stdin)}))')" \
         = "[('journey', '/bi/visit-journey-events/')]"
compare plain "$PLAIN"

check "plain: a restored table gets no description its user had removed" \
    test "$(qd "$PLAIN" "SELECT count(*) FROM pg_description
                          WHERE objoid = 'journey.visit_journey_events'::regclass
                            AND objsubid = (SELECT attnum FROM pg_attribute
                                             WHERE attrelid = objoid AND attname = 'source')")" = 0

# ---------------------------------------------------------------- the recipe
# PostgreSQL dumps no trigger of an extension's table (pg_dump keeps
# config tables' rows, not their definition): README tells to create the
# "people in store" trigger again after a restore.
check "plain: the trigger on retail_fdw.aifi_events is not in the dump (README: create it again)" \
    test "$(qd "$PLAIN" "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'retail_fdw.aifi_events'::regclass")" = 0

# ---------------------------------------------------------------- DDL checks
# Restoring accepts the pg_dump sequence; a session still refuses the
# same statements, and a bad json_path arriving later is refused too.
err=$(psql -X -q -v ON_ERROR_STOP=1 -d "$PLAIN" 2>&1 <<'SQL'
CREATE FOREIGN TABLE bad_light (zone text) SERVER journey OPTIONS (resource 'visit_journey_events');
SQL
)
check "a session still refuses a column that matches no field, naming it" \
    has "$err" 'column "zone" of foreign table "bad_light" matches no field of visit_journey_events'
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$PLAIN" 2>&1 <<'SQL'
SET check_function_bodies = off;
CREATE FOREIGN TABLE later_light (event_start timestamptz, zone text, n integer,
                                  dwell_time_seconds integer)
  SERVER journey OPTIONS (resource 'visit_journey_events');
ALTER FOREIGN TABLE later_light ALTER COLUMN n OPTIONS (json_path 'dwell_time_seconds');
ALTER FOREIGN TABLE later_light ALTER COLUMN zone OPTIONS (json_path 'zone_name');
RESET check_function_bodies;
SELECT count(*) FILTER (WHERE n = dwell_time_seconds) = count(*) AND count(zone) = count(*)
  FROM later_light WHERE event_start >= '2025-08-12' AND event_start < '2025-08-12 06:00Z';
SQL
)
check "as in a restore, column options may come after CREATE (the table then reads its fields)" \
    test "$out" = t
err=$(psql -X -q -v ON_ERROR_STOP=1 -d "$PLAIN" 2>&1 <<'SQL'
SET check_function_bodies = off;
ALTER FOREIGN TABLE later_light ALTER COLUMN dwell_time_seconds TYPE date;
SQL
)
check "as in a restore, a type that cannot hold its field is still refused" \
    has "$err" 'column "dwell_time_seconds" of foreign table "later_light" has type date, which cannot hold'
err=$(psql -X -q -v ON_ERROR_STOP=1 -d "$PLAIN" 2>&1 <<'SQL'
SET check_function_bodies = off;
CREATE FOREIGN TABLE later_bad (zone text) SERVER journey OPTIONS (resource 'no_such_thing');
SQL
)
check "as in a restore, an unknown resource is still refused" \
    has "$err" 'vendor "journey" has no resource "no_such_thing"'

# ---------------------------------------------------------------- not a superuser
# retail_fdw is not a trusted extension (C code that makes network
# requests): a superuser creates it and lets the database owner use the
# wrapper; the owner restores everything but what is the superuser's (the
# schema and extension, its comment, the rows of the extension's tables),
# and the superuser those rows.  docs/operations.md: "Backup and restore".
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $NOSU OWNER $OWNER" \
    || notok "the non-superuser owner's database"
psql -X -q -v ON_ERROR_STOP=1 -d "$NOSU" -c "CREATE EXTENSION retail_fdw" \
    -c "GRANT USAGE ON FOREIGN DATA WRAPPER retail_fdw TO $OWNER" || notok "the superuser's part in $NOSU"
pg_restore -l "$DIR/src.dump" \
    | grep -v -E ' (SCHEMA - retail_fdw|EXTENSION - retail_fdw|COMMENT - EXTENSION retail_fdw|TABLE DATA retail_fdw|SEQUENCE SET retail_fdw|MATERIALIZED VIEW DATA)( |$)' \
    >"$DIR/owner.list"
$SIMCTL reset >/dev/null
out=$(pg_restore -U "$OWNER" --no-owner -L "$DIR/owner.list" -d "$NOSU" "$DIR/src.dump" 2>&1)
restored "nosu: the owner's part" "$out" $?
out=$(pg_restore --data-only --schema=retail_fdw -d "$NOSU" "$DIR/src.dump" 2>&1)
restored "nosu: the superuser's rows of the extension's tables" "$out" $?
check "nosu: the restores sent no request to any vendor" \
    test "$($SIMCTL count)" = 0
check "nosu: the owner owns what the owner restored" \
    test "$(qd "$NOSU" "SELECT string_agg(DISTINCT pg_get_userbyid(relowner)::text, ',')
                         FROM pg_class WHERE relname IN ('visits_light', 'events', 'zone_dwell')")" = "$OWNER"
qd "$NOSU" "$ROWS_SQL" >"$DIR/nosu.rows" 2>&1
check "nosu: the same rows as the source" diff -u "$DIR/src.rows" "$DIR/nosu.rows"
# (the simulator is plain http on loopback: allowed_hosts lets the owner reach it)
check "nosu: the owner's foreign tables answer with the owner's restored user mapping" \
    test "$(psql -X -q -At -d "$NOSU" -c "SET retail_fdw.allowed_hosts = '127.0.0.1'" \
              -c "SET ROLE $OWNER" -c "REFRESH MATERIALIZED VIEW zone_dwell" \
              -c "SELECT count(*) || ' ' || sum(events) FROM zone_dwell" 2>&1)" \
         = "$(qd "$SRC" "SELECT count(*) || ' ' || sum(events) FROM zone_dwell")"

exit "$FAILS"
