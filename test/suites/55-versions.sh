#!/usr/bin/env bash
#
# test/suites/55-versions.sh -- extension versions.  In scratch databases of
# the test cluster:
#
#   updated  CREATE EXTENSION retail_fdw VERSION '0.1', rows in its tables
#            (a real 0.1 sync, an AiFi event, a video export, a store), then
#            ALTER EXTENSION retail_fdw UPDATE TO '0.2'
#   fresh    CREATE EXTENSION retail_fdw (0.2)
#   pristine never had the extension
#   imported foreign tables imported under 0.1 (which had no comments),
#            then updated: they get the comments a 0.2 import gives
#
# updated and fresh must have the same catalog: pg_dump --schema-only of
# both, normalized (OIDs, relfilenodes, xids, the order of entries), must
# be identical, else the diff is printed.  pg_dump runs with
# --binary-upgrade: a plain dump shows an extension as one CREATE
# EXTENSION, this one shows every member object, its grants, its initial
# privileges and its membership.  The rows must survive the update, and
# DROP EXTENSION must leave nothing but the schema retail_fdw, which
# PostgreSQL creates from the control file outside the extension (it cannot
# be a member: it holds the extension); after DROP SCHEMA both databases
# dump exactly as the pristine one.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${RF_TMP:?run from test/run-tests.sh}" "${PGHOST:?}" "${PGPORT:?}"
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
DB=postgres
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"

DIR=$RF_TMP/versions
mkdir -p "$DIR"
UPDATED=rf_versions_updated
FRESH=rf_versions_fresh
PRISTINE=rf_versions_pristine
IMPORTED=rf_versions_imported

dropdbs() {
    local d
    for d in "$UPDATED" "$FRESH" "$PRISTINE" "$IMPORTED"; do
        dropdb --if-exists "$d" >/dev/null 2>&1 || true
    done
}
trap dropdbs EXIT
dropdbs
for d in "$UPDATED" "$FRESH" "$PRISTINE" "$IMPORTED"; do
    createdb "$d" || { echo "not ok - createdb $d"; exit 1; }
done

# qd DB SQL: one statement in DB, unaligned, tuples only
qd() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$1" -c "$2"; }

# The normalized dump of a database: entries sorted, the numbers that
# depend on when and where an object was created masked, the user's own
# schema vdata left out.  Then the extension's configuration tables by
# name (the dump gives their OIDs).
cat >"$DIR/normalize.py" <<'PY'
import re, sys
text = sys.stdin.read()
entries = []
for entry in re.split(r'\n(?=--\n-- (?:Name|Data for Name): )', text):
    lines = []
    for line in entry.splitlines():
        # OIDs, relfilenodes and the like that pg_upgrade would preserve
        if re.match(r"SELECT pg_catalog\.binary_upgrade_set_next_", line):
            continue
        # pg_dump's per-run key against psql meta-commands in the dump
        if re.match(r"\\(un)?restrict ", line):
            continue
        line = re.sub(r"(binary_upgrade_create_empty_extension\((?:'[^']*', ){2}\w+, '[^']*', )"
                      r"'\{[0-9,]*\}', '\{[^}]*\}'", r"\1'{config OIDs}', '{conditions}'", line)
        line = re.sub(r"relfrozenxid = '\d+', relminmxid = '\d+'",
                      "relfrozenxid = 'X', relminmxid = 'X'", line)
        line = re.sub(r"^WHERE oid = '\d+';$", "WHERE oid = 'OID';", line)
        # a sequence's position is data, not catalog
        line = re.sub(r"(pg_catalog\.setval\('[^']*'), \d+, (true|false)\)", r"\1, N)", line)
        lines.append(line)
    entries.append("\n".join(lines).strip("\n"))
print("\n\n".join(sorted(entries)))
PY
dump() {
    {
        pg_dump --schema-only --binary-upgrade --exclude-schema=vdata -d "$1" \
            | "$RF_PYTHON" "$DIR/normalize.py"
        echo "-- extension configuration tables (sorted):"
        psql -X -q -At -d "$1" -c "
          SELECT c.oid::regclass || ' ' || quote_literal(e.extcondition[c.n])
            FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY c(oid, n)
           WHERE e.extname = 'retail_fdw' ORDER BY 1"
    }
}

# ---------------------------------------------------------------- 0.1
AIFI_PAYLOAD='{"sessionId": "s-1", "storeId": 7, "timeOfOrigin": "2025-01-01T10:00:00Z",
  "timeOfIssue": "2025-01-01T10:00:01Z"}'
# 0.1's sync keeps the tables' names as text (qualified: it runs with
# search_path pg_catalog, pg_temp); a row written by hand may name them
# unqualified.  The update must find the tables again.
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v aifi="$AIFI_PAYLOAD" -d "$UPDATED" 2>&1 <<'SQL'
CREATE SCHEMA vdata;
CREATE TABLE vdata.src (k integer PRIMARY KEY, ts timestamptz, v text);
CREATE TABLE vdata.dst (k integer PRIMARY KEY, ts timestamptz, v text);
CREATE TABLE vdata."Mixed Case" (k integer PRIMARY KEY, ts timestamptz, v text);
CREATE TABLE vdata.gone (k integer PRIMARY KEY, ts timestamptz, v text);
INSERT INTO vdata.src VALUES (1, '2025-01-01 10:00+00', 'a'), (2, '2025-01-02 10:00+00', 'b');
CREATE EXTENSION retail_fdw VERSION '0.1';
SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'retail_fdw';
SELECT 'sync ' || rows_inserted FROM retail_fdw.sync('vdata.src', 'vdata.dst', '{k}', 'ts',
    since => '2025-01-01', until => '2025-01-02');
SELECT 'sync ' || rows_inserted FROM retail_fdw.sync('vdata."Mixed Case"', 'vdata.src', '{k}', 'ts',
    since => '2025-01-01', until => '2025-01-03');
SELECT 'sync ' || rows_inserted FROM retail_fdw.sync('vdata.gone', 'vdata.dst', '{k}', 'ts',
    since => '2025-01-01', until => '2025-01-04');
DROP TABLE vdata.gone;
INSERT INTO retail_fdw.sync_state (source, target, watermark_column, watermark, last_run_by)
VALUES ('src', '"Mixed Case"', 'ts', '2025-01-06', current_user);
SELECT 'state ' || source || ' ' || target FROM retail_fdw.sync_state ORDER BY 1;
SELECT 'aifi ' || deliveries FROM retail_fdw.aifi_ingest('checkout', :'aifi');
INSERT INTO retail_fdw.rn_video_exports (export_id, server, channels, start_at, end_at, options)
VALUES ('6f1c1a52-8d7e-4b1e-9a55-2b8f0b8c3d11', 'rn', '{6f1c1a52-8d7e-4b1e-9a55-2b8f0b8c3d12}',
        '2025-01-01 10:00+00', '2025-01-01 10:05+00', '{}');
INSERT INTO retail_fdw.store_map (store, journey_store_code, aifi_store_id, time_zone)
VALUES ('berlin-1', 'J-BER-1', 7, 'Europe/Berlin');
SQL
)
if has "$out" "version 0.1"; then
    ok "CREATE EXTENSION retail_fdw VERSION '0.1' (the frozen script) loads against today's library"
else
    notok "CREATE EXTENSION retail_fdw VERSION '0.1' failed"
    printf '%s\n' "$out" | sed 's/^/    /'
    echo "    (every C function the 0.1 script declares must still be exported by retail_fdw.so)"
    exit "$FAILS"
fi
check "0.1 keeps four sync states" \
    test "$(grep -c '^state ' <<<"$out")" = 4
pg_dump --schema-only --binary-upgrade --exclude-schema=vdata -d "$UPDATED" \
    | "$RF_PYTHON" "$DIR/normalize.py" >"$DIR/0.1.dump"

# ---------------------------------------------------------------- update
upd=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$UPDATED" \
    -c "ALTER EXTENSION retail_fdw UPDATE TO '0.2'" 2>&1)
check "ALTER EXTENSION retail_fdw UPDATE TO '0.2'" \
    test "$(qd "$UPDATED" "SELECT extversion FROM pg_extension WHERE extname = 'retail_fdw'")" = 0.2
check "the update warns about the one pair whose table is gone" \
    has "$upd" "WARNING:  retail_fdw 0.2 keeps no sync watermark for 1 pair(s)"
check "the warning names the pair and its old watermark" \
    has "$upd" "vdata.gone -> vdata.dst (watermark 2025-01-04"

psql -X -q -v ON_ERROR_STOP=1 -d "$FRESH" -c "CREATE EXTENSION retail_fdw" \
    || notok "CREATE EXTENSION retail_fdw in $FRESH"
check "a fresh CREATE EXTENSION is version 0.2" \
    test "$(qd "$FRESH" "SELECT extversion FROM pg_extension WHERE extname = 'retail_fdw'")" = 0.2

# ---------------------------------------------------------------- catalogs
dump "$UPDATED" >"$DIR/updated.dump"
dump "$FRESH" >"$DIR/fresh.dump"
if diff -u "$DIR/fresh.dump" "$DIR/updated.dump" >"$DIR/catalog.diff"; then
    ok "0.1 updated to 0.2 and a fresh 0.2 have identical catalogs (pg_dump --schema-only, $(grep -c '^ALTER EXTENSION retail_fdw ADD ' "$DIR/fresh.dump") members)"
else
    notok "0.1 updated to 0.2 and a fresh 0.2 differ (- fresh, + updated):"
    head -n 300 "$DIR/catalog.diff" | sed 's/^/    /'
fi
# the comparison sees what it must: members, grants, and a difference
check "the dump shows the members (the wrapper, the view sync_state, the schema grant)" \
    eval 'grep -q "^ALTER EXTENSION retail_fdw ADD FOREIGN DATA WRAPPER retail_fdw;" "$DIR/fresh.dump" &&
          grep -q "^ALTER EXTENSION retail_fdw ADD VIEW retail_fdw.sync_state;" "$DIR/fresh.dump" &&
          grep -q "^GRANT USAGE ON SCHEMA retail_fdw TO PUBLIC;" "$DIR/fresh.dump"'
pg_dump --schema-only --binary-upgrade --exclude-schema=vdata -d "$FRESH" \
    | "$RF_PYTHON" "$DIR/normalize.py" >"$DIR/0.2.dump"
check "the same comparison tells 0.1 from 0.2" \
    eval '! cmp -s "$DIR/0.1.dump" "$DIR/0.2.dump"'

# ---------------------------------------------------------------- data
check "sync watermarks survive, keyed by the tables (qualified and unqualified 0.1 names)" \
    test "$(qd "$UPDATED" "SELECT string_agg(source || ' ' || target || ' ' || watermark::date, ', '
                                             ORDER BY source COLLATE \"C\", target COLLATE \"C\")
                             FROM retail_fdw.sync_state")" \
         = 'vdata."Mixed Case" vdata.src 2025-01-03, vdata.src vdata."Mixed Case" 2025-01-06, vdata.src vdata.dst 2025-01-02'
check "0.2's sync goes on from a migrated watermark" \
    test "$(qd "$UPDATED" "SELECT window_from::date || ' ' || rows_inserted FROM retail_fdw.sync('vdata.src', 'vdata.dst', '{k}', 'ts', until => '2025-01-05')")" \
         = '2025-01-02 1'
aifi=$(psql -X -q -At -v ON_ERROR_STOP=1 -v aifi="$AIFI_PAYLOAD" -d "$UPDATED" <<'SQL'
SELECT deliveries FROM retail_fdw.aifi_ingest('checkout', :'aifi');
SELECT count(*) FROM retail_fdw.aifi_events;
SQL
)
check "the AiFi event survives; the same delivery again counts on its row" \
    test "${aifi//$'\n'/ }" = '2 1'
check "the video export survives" \
    test "$(qd "$UPDATED" "SELECT server || ' ' || status FROM retail_fdw.rn_video_exports")" = 'rn in_progress'
check "the store map survives" \
    test "$(qd "$UPDATED" "SELECT store || ' ' || journey_store_code || ' ' || time_zone FROM retail_fdw.store_map")" \
         = 'berlin-1 J-BER-1 Europe/Berlin'

# ---------------------------------------------------------------- comments
# 0.1's IMPORT FOREIGN SCHEMA left tables and columns without comments; the
# update gives them what a 0.2 import gives (compared with one, table by
# table and column by column), keeps the user's own, leaves other tables
# alone and warns about a table whose resource is unknown.
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$IMPORTED" 2>&1 <<'SQL'
CREATE EXTENSION retail_fdw VERSION '0.1';
CREATE SERVER jv FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url 'https://api.example.com');
CREATE SERVER icv FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'inspector', base_url 'https://api.example.com');
CREATE SCHEMA old;
IMPORT FOREIGN SCHEMA journey FROM SERVER jv INTO old;
IMPORT FOREIGN SCHEMA inspector FROM SERVER icv INTO old;
COMMENT ON FOREIGN TABLE old.ic_stores IS 'my stores';
COMMENT ON COLUMN old.visit_journey_events.store_code IS 'my store code';
CREATE FOREIGN TABLE old.broken (x text) SERVER jv OPTIONS (resource 'no_such_resource');
CREATE TABLE old.local (a integer);
SELECT 'comments ' || count(*) FROM pg_description d JOIN pg_class c ON c.oid = d.objoid
 WHERE d.classoid = 'pg_class'::regclass AND c.relnamespace = 'old'::regnamespace;
SQL
)
check "0.1 imports tables without comments (the user's two aside)" \
    has "$out" "comments 2"
upd=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$IMPORTED" \
    -c "ALTER EXTENSION retail_fdw UPDATE TO '0.2'" 2>&1)
check "the update warns about the table whose resource is unknown" \
    has "$upd" 'WARNING:  retail_fdw 0.2 leaves foreign table old.broken without the comments of its descriptor'
psql -X -q -v ON_ERROR_STOP=1 -d "$IMPORTED" >/dev/null <<'SQL' || notok "a 0.2 import next to the 0.1 tables"
CREATE SCHEMA new;
IMPORT FOREIGN SCHEMA journey FROM SERVER jv INTO new;
IMPORT FOREIGN SCHEMA inspector FROM SERVER icv INTO new;
SQL
cmp=$(qd "$IMPORTED" "
  WITH objs AS (
    SELECT c.relnamespace::regnamespace::text AS sch, c.relname::text AS what,
           obj_description(c.oid, 'pg_class') AS d
      FROM pg_class c WHERE c.relkind = 'f'
    UNION ALL
    SELECT c.relnamespace::regnamespace::text, c.relname || '.' || a.attname,
           col_description(c.oid, a.attnum)
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relkind = 'f')
  SELECT count(*) || ' compared, ' || count(n.d) || ' with a comment, differing: '
         || coalesce(string_agg(n.what, ', ') FILTER (WHERE o.d IS DISTINCT FROM n.d), 'none')
    FROM objs n LEFT JOIN objs o ON o.sch = 'old' AND o.what = n.what
   WHERE n.sch = 'new' AND n.what NOT IN ('ic_stores', 'visit_journey_events.store_code')")
if [[ $cmp =~ ^([0-9]+)\ compared,\ ([0-9]+)\ with\ a\ comment,\ differing:\ none$ ]] &&
   [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[1]}" -gt 50 ]; then
    ok "every table and column imported under 0.1 has the comment a 0.2 import gives ($cmp)"
else
    notok "tables imported under 0.1 and a 0.2 import differ in comments: $cmp"
fi
check "the user's comments stay" \
    test "$(qd "$IMPORTED" "SELECT obj_description('old.ic_stores'::regclass, 'pg_class') || ' / '
                             || col_description('old.visit_journey_events'::regclass,
                                                (SELECT attnum FROM pg_attribute
                                                  WHERE attrelid = 'old.visit_journey_events'::regclass
                                                    AND attname = 'store_code'))")" \
         = 'my stores / my store code'
check "a local table and a table without an endpoint get no comment" \
    test "$(qd "$IMPORTED" "SELECT count(*) FROM pg_description
                             WHERE objoid IN ('old.local'::regclass, 'old.broken'::regclass)")" = 0

# ---------------------------------------------------------------- DROP
pristine=$(dump "$PRISTINE")
for d in "$FRESH" "$UPDATED"; do
    psql -X -q -v ON_ERROR_STOP=1 -d "$d" -c "DROP EXTENSION retail_fdw" || notok "DROP EXTENSION in $d"
    check "$d: DROP EXTENSION takes the wrapper, the functions, tables, views and types" \
        test "$(qd "$d" "SELECT (SELECT count(*) FROM pg_foreign_data_wrapper WHERE fdwname = 'retail_fdw')
                              + (SELECT count(*) FROM pg_depend
                                  WHERE refclassid = 'pg_namespace'::regclass
                                    AND refobjid = 'retail_fdw'::regnamespace)")" = 0
    check "$d: what is left is the empty schema retail_fdw (DROP SCHEMA without CASCADE)" \
        psql -X -q -v ON_ERROR_STOP=1 -d "$d" -c "DROP SCHEMA retail_fdw"
    psql -X -q -d "$d" -c "DROP SCHEMA IF EXISTS vdata CASCADE" 2>/dev/null
    if diff -u <(echo "$pristine") <(dump "$d") >"$DIR/drop-$d.diff"; then
        ok "$d: then the database dumps as one that never had the extension"
    else
        notok "$d: the database keeps traces of the extension (- pristine, + $d):"
        head -n 100 "$DIR/drop-$d.diff" | sed 's/^/    /'
    fi
done

# DROP SCHEMA ... CASCADE takes the extension and its schema in one step
psql -X -q -v ON_ERROR_STOP=1 -d "$FRESH" -c "CREATE EXTENSION retail_fdw" \
    -c "DROP SCHEMA retail_fdw CASCADE" 2>/dev/null
dump "$FRESH" >"$DIR/cascade.dump"
if [ "$pristine" = "$(cat "$DIR/cascade.dump")" ]; then
    ok "DROP SCHEMA retail_fdw CASCADE removes the extension and leaves nothing"
else
    notok "DROP SCHEMA retail_fdw CASCADE leaves traces"
fi
check "pg_init_privs keeps no row of a dropped object" \
    test "$(qd "$FRESH" "SELECT count(*) FROM pg_init_privs i
                          WHERE NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = i.objoid)
                            AND NOT EXISTS (SELECT 1 FROM pg_proc WHERE oid = i.objoid)
                            AND NOT EXISTS (SELECT 1 FROM pg_type WHERE oid = i.objoid)
                            AND NOT EXISTS (SELECT 1 FROM pg_namespace WHERE oid = i.objoid)
                            AND NOT EXISTS (SELECT 1 FROM pg_foreign_data_wrapper WHERE oid = i.objoid)
                            AND NOT EXISTS (SELECT 1 FROM pg_language WHERE oid = i.objoid)")" = 0

exit "$FAILS"
