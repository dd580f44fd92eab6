#!/usr/bin/env bash
#
# test/suites/50-readme.sh -- every ```sql block of the documentation runs
# (README.md, every markdown file under docs/, CONTRIBUTING.md), so the
# documentation cannot drift from the code.
#
# README.md comes first: its cookbook creates the servers, user mappings and
# schemas the other pages use; then docs/ in name order, then
# CONTRIBUTING.md.  A block may rely on README.md's set-up and on the
# blocks before it in its own file.
#
# test/readme_blocks.py extracts the blocks in order and rewrites the few
# placeholders that cannot work here (server addresses, credentials, a
# webhook body, CREATE EXTENSION pg_cron; its docstring lists them).  They
# run one psql session each, in order, in a scratch database of the shared
# test cluster, against the shared simulator, after a preamble with what the
# documentation assumes but does not create: the local tables it joins or
# syncs into (my_stores, my_rn_stores, sales_daily, sessions, traffic) and a
# stand-in cron.schedule() (pg_cron lives in cron.database_name only; the
# stand-in runs the scheduled command once, so its SQL is checked too).  The
# servers, user mappings and schemas are the README's own.
#
# A block passes if it runs without ERROR; one marked "<!-- error: why -->"
# passes if it ends in an ERROR; "<!-- not run: why -->" skips it.  Prints
# ok / not ok per block; the exit status is the number of failures.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIMCTL:?}" "${SIM_JOURNEY_URL:?}" \
    "${SIM_AIFI_URL:?}" "${SIM_RETAILNEXT_URL:?}" "${SIM_INSPECTOR_URL:?}"
cd "$(dirname "$0")/../.." || exit 2
DB=rf_readme
# shellcheck source=test/suite-lib.sh
. test/suite-lib.sh
WORK=$(mktemp -d "${RF_TMP:-/tmp}/readme.XXXXXX") || exit 2

# shellcheck disable=SC2317  # run by the EXIT trap
ROLES=()
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    for r in "${ROLES[@]}"; do
        psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
    done
    # acknowledged visits, video exports: back to the simulator's start
    $SIMCTL reset >/dev/null 2>&1 || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" \
    -c "CREATE DATABASE $DB" || exit 1
# the action examples use the vendor documentation's ids (the first video
# export of a fresh simulator is the document's 3ba9d435-...)
$SIMCTL reset >/dev/null || exit 1
ENTERED=$(curl -sf "$SIM_AIFI_URL/_aifi/webhook-samples/entered") || {
    notok "the simulator's sample webhook payload"
    exit 1
}

if ! "${PSQL[@]}" >/dev/null <<'SQL'; then
CREATE TABLE my_stores (code text PRIMARY KEY, manager text);
INSERT INTO my_stores VALUES ('SM-001', 'Alex'), ('SM-002', 'Dana'), ('SM-003', 'Ravi');
CREATE TABLE my_rn_stores (uuid uuid PRIMARY KEY);
INSERT INTO my_rn_stores VALUES ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'),
                                ('aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9');
CREATE TABLE sales_daily (store text, day date, revenue numeric, PRIMARY KEY (store, day));
INSERT INTO sales_daily SELECT '0042', d, 1000 + extract(day FROM d) * 10
  FROM generate_series('2025-08-01'::date, '2025-08-07', '1 day') d;
-- sync targets: the columns wanted, a unique index on the key
CREATE TABLE sessions (id text PRIMARY KEY, store_id bigint, status text,
                       visitors integer, created_at timestamptz, updated_at timestamptz);
CREATE TABLE traffic (location_uuid uuid, metric text, grain text, period_start timestamptz,
                      value numeric, UNIQUE (location_uuid, metric, grain, period_start));
-- pg_cron's cron.schedule, standing in: runs the command once, returns a job id
CREATE SCHEMA cron;
CREATE FUNCTION cron.schedule(job_name text, schedule text, command text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE command;
  RETURN 1;
END
$$;
-- and its schedule_in_database, standing in: checks that the database and the
-- role exist and that the role may log in there, runs nothing (pg_cron would
-- connect as that role, with its settings)
CREATE FUNCTION cron.schedule_in_database(job_name text, schedule text, command text,
                                          database text, username text DEFAULT NULL,
                                          active boolean DEFAULT true) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_database WHERE datname = database) THEN
    RAISE EXCEPTION 'database "%" does not exist', database;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = username AND rolcanlogin)
     OR NOT has_database_privilege(username, database, 'CONNECT') THEN
    RAISE EXCEPTION 'role "%" cannot log in to "%"', username, database;
  END IF;
  RETURN 2;
END
$$;
SQL
    notok "preamble"
    exit 1
fi

# README.md first (it sets up the servers), then docs/ in name order, then
# CONTRIBUTING.md
DOCS=(README.md)
while IFS= read -r f; do
    DOCS+=("$f")
done < <(find docs -name '*.md' -type f 2>/dev/null | LC_ALL=C sort)
DOCS+=(CONTRIBUTING.md)
manifest=$("${RF_PYTHON:-python3}" test/readme_blocks.py "${DOCS[@]}" "$WORK") || {
    notok "extracting the documentation's sql blocks"
    exit 1
}
# the simulator's hosts, for a block's retail_fdw.allowed_hosts
SIM_HOSTS=$(for u in "$SIM_JOURNEY_URL" "$SIM_AIFI_URL" "$SIM_RETAILNEXT_URL" "$SIM_INSPECTOR_URL"; do
    u=${u#*://}
    echo "${u%%/*}"
done | paste -sd, -)
# roles a block runs as are the documentation's own: dropped at the end
while IFS=$'\t' read -r _ _ mode _; do
    case "$mode" in role:*) ROLES+=("${mode#role:}") ;; esac
done <<<"$manifest"
total=0 ran=0 skipped=0
while IFS=$'\t' read -r n where mode note; do
    total=$((total + 1))
    file=$WORK/$n.sql
    what="$where (block $n${note:+; $note})"
    if [ "$mode" = skip ]; then
        skipped=$((skipped + 1))
        ok "$what # SKIP"
        continue
    fi
    # a placeholder left over would reach a vendor host or carry no secret
    if grep -qE "example-vendor\.com|your-api-token|api\.aifi\.com|<instance>|<token>|'[0-9a-f]{8}-\.\.\.'" "$file"; then
        notok "$what: a placeholder is left in the block"
        sed 's/^/    /' "$file"
        continue
    fi
    ran=$((ran + 1))
    who=()
    case "$mode" in role:*) who=(-U "${mode#role:}") ;; esac
    out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "${who[@]}" -v sim_hosts="$SIM_HOSTS" \
        -v journey_url="$SIM_JOURNEY_URL" \
        -v aifi_url="$SIM_AIFI_URL" -v rn_url="$SIM_RETAILNEXT_URL" \
        -v ic_url="$SIM_INSPECTOR_URL" -v aifi_entered="$ENTERED" -f "$file" 2>&1)
    rc=$?
    if [ "$mode" = error ]; then
        if [ "$rc" -ne 0 ] && grep -q 'ERROR:' <<<"$out"; then
            ok "$what ends in an error, as shown"
        else
            notok "$what should end in an error"
            sed 's/^/    /' <<<"$out" | tail -n 20
        fi
    elif [ "$rc" -eq 0 ] && ! grep -q 'ERROR:' <<<"$out"; then
        ok "$what"
    else
        notok "$what"
        sed 's/^/    /' "$file"
        echo "  ---- psql:"
        sed 's/^/    /' <<<"$out" | tail -n 20
    fi
done <<<"$manifest"

check "README.md has sql blocks" grep -q "README.md:" <<<"$manifest"
echo "# $total sql blocks in ${#DOCS[@]} files: $ran run, $skipped not run (marked)"
exit "$FAILS"
