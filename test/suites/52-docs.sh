#!/usr/bin/env bash
#
# test/suites/52-docs.sh -- the generated table reference is not stale.
#
# docs/tables/<table>.md, docs/tables/README.md and README.md's table list
# (between "<!-- BEGIN generated: tables -->" and "<!-- END generated:
# tables -->") are generated from the descriptors by test/gen_docs.py,
# through the catalog comments IMPORT FOREIGN SCHEMA sets,
# retail_fdw.key_columns, retail_fdw.sort_columns and EXPLAIN.  This suite
# generates them again, in a scratch database of the shared cluster, and
# compares with the committed files: any difference fails, with the diff
# and the command that regenerates (bash test/gen-docs.sh).  Then it checks
# the check: a copy of the generated tree passes, and copies with a page
# edited by hand, a page missing, a page of no table, or README's list
# edited must each fail.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIM_JOURNEY_URL:?}"
cd "$(dirname "$0")/../.." || exit 2
DB=rf_docs
# shellcheck source=test/suite-lib.sh
. test/suite-lib.sh
WORK=$(mktemp -d "${RF_TMP:-/tmp}/docs.XXXXXX") || exit 2
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
PY=${RF_PYTHON:-python3}

out=$("$PY" test/gen_docs.py check --db "$DB" --out "$WORK/gen" 2>&1)
rc=$?
printf '%s\n' "$out"
check "the committed table reference is what the descriptors give (else: bash test/gen-docs.sh)" \
    [ "$rc" -eq 0 ]
if [ ! -f "$WORK/gen/docs/tables/README.md" ]; then
    notok "the table reference could not be generated: the check itself is not checked"
    exit "$FAILS"
fi

# a copy of the generated tree, then one change
fresh() {
    rm -rf "$WORK/copy"
    mkdir -p "$WORK/copy" && cp -r "$WORK/gen/." "$WORK/copy/"
}
# stale WHAT FILE: the check of $WORK/copy fails, naming FILE and the fix
stale() {
    local what=$1 file=$2 res
    res=$("$PY" test/gen_docs.py check --generated "$WORK/gen" --repo "$WORK/copy" 2>&1)
    if [ $? -eq 1 ] && has "$res" "STALE $file" && has "$res" "bash test/gen-docs.sh"; then
        ok "the check fails on $what"
    else
        notok "the check fails on $what"
        printf '%s\n' "$res" | head -n 20
    fi
}

fresh
check "the check passes on an unchanged copy" \
    "$PY" test/gen_docs.py check --generated "$WORK/gen" --repo "$WORK/copy"

fresh
sed -i 's/^One row per /One hand-edited row per /' "$WORK/copy/docs/tables/visit_journey_events.md"
stale "a page edited by hand" docs/tables/visit_journey_events.md

fresh
rm "$WORK/copy/docs/tables/rn_users.md"
stale "a missing page" docs/tables/rn_users.md

fresh
cp "$WORK/copy/docs/tables/rn_users.md" "$WORK/copy/docs/tables/rn_no_such_table.md"
stale "a page of no table" docs/tables/rn_no_such_table.md

fresh
sed -i 's/^| \[rn_users\].*/| [rn_users](docs\/tables\/rn_users.md) | retailnext | users |/' \
    "$WORK/copy/README.md"
stale "README's table list edited" README.md

exit "$FAILS"
