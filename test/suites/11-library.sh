#!/usr/bin/env bash
#
# test/suites/11-library.sh -- what the shipped library shows the cluster
# it is loaded into (RTLD_GLOBAL: its exports share one namespace with
# every other library of the backend):
#   - every exported symbol carries the project's prefix (rf_, retail_fdw_,
#     or PostgreSQL's own: _PG_init, Pg_magic_func, pg_finfo_rf_*);
#   - no test hook is in it (they live in test/hooks);
#   - the GUC prefix is reserved: a misspelt retail_fdw.* setting is an
#     error, not a silent placeholder.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${RF_PG_CONFIG:?}"
DB=postgres
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"

so="$("$RF_PG_CONFIG" --pkglibdir)/retail_fdw.so"
check "the installed library is there ($so)" [ -f "$so" ]
exports=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}')
check "it exports symbols at all ($(wc -l <<<"$exports"))" [ "$(wc -l <<<"$exports")" -gt 20 ]
bare=$(grep -vE '^(rf_|retail_fdw_|pg_finfo_rf_|pg_finfo_retail_fdw_|_PG_init$|Pg_magic_func$|_init$|_fini$|_edata$|_end$|__bss_start$)' <<<"$exports" | tr '\n' ' ')
check "every exported symbol is prefixed${bare:+ (not: $bare)}" [ -z "$bare" ]
hooks=$(grep -E 'test|_check$' <<<"$exports" | tr '\n' ' ')
check "no test hook is exported${hooks:+ ($hooks)}" [ -z "$hooks" ]

out=$(psql -X -At -v VERBOSITY=verbose -d "$DB" -c "LOAD 'retail_fdw'" \
        -c "SET retail_fdw.preview_dayz = 3" 2>&1)
check "SET of a misspelt retail_fdw.* setting is an error ($(grep -m1 ERROR <<<"$out"))" \
    eval 'has "$out" "ERROR:  42602: invalid configuration parameter name \"retail_fdw.preview_dayz\"" && has "$out" "\"retail_fdw\" is a reserved prefix"'
exit "$FAILS"
