#!/usr/bin/env bash
#
# test/suites/41-partman.sh -- the pg_partman recipe of docs/operations.md
# ("Into a partitioned table"): daily partitions on event_start, retention,
# and retail_fdw.sync into them, against the shared cluster and simulator
# of test/run-tests.sh (which installs postgresql-15-partman if missing).
#
# The documentation's block itself runs (extracted by test/readme_blocks.py,
# the block that calls partman.create_parent), in a scratch database, after
# a preamble with what it assumes: the README's journey server and schema,
# and a stand-in cron.schedule() that records the commands (this suite runs
# them itself, where it can check what they did).  Then:
#
#   1. the partitions are a day each, a week back to four days ahead, and a
#      default one; the first sync counted every row as an insert, each in
#      its day's partition, and the table equals the vendor's rows
#   2. the same window again counts nothing; a changed row in each of two
#      partitions and a deleted one count as two updates and one insert
#   3. the scheduled commands run: maintenance, then a sync that goes on
#      from the watermark with a day of lookback
#   4. retention (tightened to 3 days) drops the old days' partitions when
#      pg_partman's maintenance runs, and keeps the default partition
#   5. a sync whose window reaches the dropped days puts their rows into the
#      default partition, counted as inserts, and partman.check_default()
#      says so; without a default partition the same sync fails whole
#      (23514, a hint, nothing written, the watermark kept)
#
# pg_partman's maintenance runs by CALL partman.run_maintenance_proc(): no
# background worker (pg_partman_bgw) is preloaded.
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks (0 = all passed).
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIMCTL:?}" "${SIM_JOURNEY_URL:?}"
cd "$(dirname "$0")/../.." || exit 2
DB=rf_partman
# shellcheck source=test/suite-lib.sh
. test/suite-lib.sh
WORK=$(mktemp -d "${RF_TMP:-/tmp}/partman.XXXXXX") || exit 2

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT

# the documentation's block: the one that calls partman.create_parent
manifest=$("${RF_PYTHON:-python3}" test/readme_blocks.py docs/operations.md "$WORK") || {
    notok "extracting the sql blocks of docs/operations.md"
    exit 1
}
BLOCK=
while IFS=$'\t' read -r n _where _mode _note; do
    if grep -q "partman.create_parent" "$WORK/$n.sql"; then BLOCK=$WORK/$n.sql; fi
done <<<"$manifest"
if [ -z "$BLOCK" ]; then
    notok "docs/operations.md has a block that calls partman.create_parent"
    exit 1
fi

# set_up: a fresh database with the preamble, then the block.  The block
# reads current_date; if the day changed while it ran, it runs once more.
set_up() {
    psql -X -q -d postgres -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || return 1
    "${PSQL[@]}" >/dev/null <<SQL || return 1
SET client_min_messages = warning;
CREATE EXTENSION retail_fdw;
CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '$SIM_JOURNEY_URL');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (token 'journey-secret-token');
CREATE SCHEMA journey;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO journey;
-- pg_cron's cron.schedule, standing in: records the job
CREATE SCHEMA cron;
CREATE TABLE cron.recorded (jobid bigserial, jobname text, schedule text, command text);
CREATE FUNCTION cron.schedule(job_name text, schedule text, command text) RETURNS bigint
LANGUAGE sql AS \$\$
  INSERT INTO cron.recorded (jobname, schedule, command) VALUES (\$1, \$2, \$3) RETURNING jobid
\$\$;
SQL
    DAY=$(q "SELECT current_date") || return 1
    BLOCK_OUT=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$BLOCK" 2>&1) || return 1
    [ "$(q "SELECT current_date")" = "$DAY" ] || return 2
}
set_up
rc=$?
if [ "$rc" -eq 2 ]; then set_up; rc=$?; fi
if [ "$rc" -ne 0 ]; then
    notok "the documented block runs"
    sed 's/^/    /' <<<"${BLOCK_OUT:-}" | tail -n 20
    exit 1
fi
ok "the documented block runs (docs/operations.md, pg_partman $(q "SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'"))"

D="'$DAY'::date"
SRC=journey.visit_journey_events
KEY="'{visit_id,zone_serial_code,event_start}', 'event_start'"
# the vendor's rows with event_start in [from, to)
vendor() { q "SELECT count(*) FROM $SRC WHERE event_start >= $1 AND event_start < $2"; }
# rows of the target and of the vendor in [from, to) that the other lacks
differences() {
    q "SELECT count(*) FROM (
         (SELECT * FROM events_daily WHERE event_start >= $1 AND event_start < $2
          EXCEPT ALL SELECT * FROM $SRC WHERE event_start >= $1 AND event_start < $2)
         UNION ALL
         (SELECT * FROM $SRC WHERE event_start >= $1 AND event_start < $2
          EXCEPT ALL SELECT * FROM events_daily WHERE event_start >= $1 AND event_start < $2)) d"
}
sync() { q "SELECT rows_inserted || '|' || rows_updated FROM retail_fdw.sync('$SRC', 'events_daily', $KEY, $1)"; }

# ---- 1. partitions, the first sync -----------------------------------------
PARTS="SELECT c.relname FROM pg_partition_tree('events_daily') t JOIN pg_class c ON c.oid = t.relid
        WHERE t.isleaf"
want=$(q "SELECT string_agg(n, ' ' ORDER BY n) FROM (
            SELECT 'events_daily_p' || to_char(d, 'YYYY_MM_DD') AS n
              FROM generate_series($D - 7, $D + 4, interval '1 day') d
            UNION ALL SELECT 'events_daily_default') s")
got=$(q "SELECT string_agg(relname, ' ' ORDER BY relname) FROM ($PARTS) p")
check "a partition a day from $DAY - 7 to + 4, and a default one" test "$got" = "$want"

W=$(q "SELECT last_to FROM retail_fdw.sync_state WHERE target = 'public.events_daily'")
first=$(q "SELECT last_inserted || '|' || last_updated FROM retail_fdw.sync_state
            WHERE target = 'public.events_daily'")
at_vendor=$(vendor "$D - 7" "'$W'")
check "the first sync counted the vendor's $at_vendor rows as inserts (got $first)" \
    test "$first" = "$at_vendor|0"
check "the table equals the vendor's rows of its window" \
    test "$(differences "$D - 7" "'$W'")" = 0
check "each row is in its day's partition, none in the default one" \
    test "$(q "SELECT count(*) FROM events_daily_default") $(q "SELECT count(*) FROM events_daily
              WHERE tableoid::regclass::text <> 'events_daily_p' || to_char(event_start, 'YYYY_MM_DD')")" = "0 0"

# ---- 2. repeated sync, changed and deleted rows ----------------------------
WINDOW="since => $D - 7, until => '$W'"
check "the same window again: nothing inserted, nothing updated" test "$(sync "$WINDOW")" = "0|0"
q "UPDATE events_daily SET dwell_time_seconds = -1
    WHERE (visit_id, zone_serial_code, event_start) IN (
          (SELECT visit_id, zone_serial_code, event_start FROM events_daily
            WHERE event_start >= $D - 7 AND event_start < $D - 6 ORDER BY 1, 2, 3 LIMIT 1)
          UNION ALL
          (SELECT visit_id, zone_serial_code, event_start FROM events_daily
            WHERE event_start >= $D - 5 AND event_start < $D - 4 ORDER BY 1, 2, 3 LIMIT 1))" >/dev/null
q "DELETE FROM events_daily WHERE (visit_id, zone_serial_code, event_start) =
    (SELECT visit_id, zone_serial_code, event_start FROM events_daily
      WHERE event_start >= $D - 3 AND event_start < $D - 2 ORDER BY 1, 2, 3 LIMIT 1)" >/dev/null
check "a row changed in each of two partitions and one deleted: 1 insert, 2 updates" \
    test "$(sync "$WINDOW")" = "1|2"
check "...and the table equals the vendor's rows again" test "$(differences "$D - 7" "'$W'")" = 0

# ---- 3. the scheduled commands ---------------------------------------------
check "the block scheduled the maintenance and the sync" \
    test "$(q "SELECT string_agg(jobname, ' ' ORDER BY jobid) FROM cron.recorded")" \
    = "events-daily-partitions sync-events-daily"
maintenance=$(q "SELECT command FROM cron.recorded WHERE jobname = 'events-daily-partitions'")
check "the scheduled maintenance runs" q "$maintenance"
scheduled=$(q "SELECT command FROM cron.recorded WHERE jobname = 'sync-events-daily'")
check "the scheduled sync runs" q "$scheduled"
st=$(q "SELECT last_from = '$W'::timestamptz - interval '1 day' FROM retail_fdw.sync_state
         WHERE target = 'public.events_daily'")
check "...from the watermark with a day of lookback" test "$st" = t
W=$(q "SELECT last_to FROM retail_fdw.sync_state WHERE target = 'public.events_daily'")
check "...and the table equals the vendor's rows up to its new watermark" \
    test "$(differences "$D - 7" "'$W'")" = 0

# ---- 4. retention ----------------------------------------------------------
q "UPDATE partman.part_config SET retention = '3 days' WHERE parent_table = 'public.events_daily'" >/dev/null
check "CALL partman.run_maintenance_proc() runs" q "CALL partman.run_maintenance_proc()"
# a day's partition goes once its end is 3 days past: days up to - 5 surely
# are, days from - 2 surely are not (whatever the hour, even across midnight)
gone=$(q "SELECT count(*) FROM generate_series($D - 7, $D - 5, interval '1 day') d
           WHERE to_regclass('events_daily_p' || to_char(d, 'YYYY_MM_DD')) IS NOT NULL")
kept=$(q "SELECT count(*) FROM generate_series($D - 2, $D + 4, interval '1 day') d
           WHERE to_regclass('events_daily_p' || to_char(d, 'YYYY_MM_DD')) IS NOT NULL")
check "retention dropped the partitions of $DAY - 7 to - 5 ($gone left)" test "$gone" = 0
check "...and kept those from - 2 on ($kept of 7) and the default one" \
    test "$kept $(q "SELECT to_regclass('events_daily_default') IS NOT NULL")" = "7 t"
oldest=$(q "SELECT min(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([^'']+)''\)')::timestamptz)
              FROM ($PARTS) p JOIN pg_class c USING (relname) WHERE relname <> 'events_daily_default'")
check "no row of the dropped days is left" \
    test "$(q "SELECT count(*) FROM events_daily WHERE event_start < '$oldest'")" = 0

# ---- 5. a window that reaches the dropped days -----------------------------
dropped=$(vendor "$D - 7" "'$oldest'")
check "a sync from $DAY - 7 again: the dropped days' $dropped rows are inserted, nothing updated" \
    test "$(sync "$WINDOW")" = "$dropped|0"
check "...into the default partition" \
    test "$(q "SELECT count(*) FROM events_daily_default")" = "$dropped"
check "...which partman.check_default() reports" \
    test "$(q "SELECT count FROM partman.check_default() WHERE default_table = 'public.events_daily_default'")" \
    = "$dropped"
q "DELETE FROM events_daily_default" >/dev/null
q "ALTER TABLE events_daily DETACH PARTITION events_daily_default" >/dev/null
rows_before=$(q "SELECT count(*) FROM events_daily")
wm_before=$(q "SELECT watermark FROM retail_fdw.sync_state WHERE target = 'public.events_daily'")
out=$(psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$DB" \
    -c "SELECT * FROM retail_fdw.sync('$SRC', 'events_daily', $KEY, $WINDOW)" 2>&1)
check "without a default partition the same sync fails: 23514, no partition found" \
    has "$out" 'ERROR:  23514: no partition of relation "events_daily" found for row'
check "...with a hint" has "$out" "HINT:  Create the partition of public.events_daily that holds the row"
check "...having written nothing and kept the watermark" \
    test "$(q "SELECT count(*) FROM events_daily") $(q "SELECT watermark FROM retail_fdw.sync_state
              WHERE target = 'public.events_daily'")" = "$rows_before $wm_before"

exit "$FAILS"
