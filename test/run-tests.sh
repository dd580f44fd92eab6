#!/usr/bin/env bash
#
# test/run-tests.sh -- build retail_fdw and run every test suite.
#
# One throwaway PostgreSQL 15 cluster and one vendor simulator are started and
# shared by all suites.  Each suite counts as one pass/fail; the last line of
# the summary is "N passed, M failed".  Exit status is 1 if anything failed.
#
# Suites:
#   0. lint of check statements  test/lint_checks.py (no "check MSG [ a ] && [ b ]")
#   1. simulator unit tests   python3 -m unittest discover -s test/sim
#   2. pg_regress             make installcheck (REGRESS from the Makefile)
#   3. test/suites/*.sh       every executable file, sorted, same environment
#
# Environment available to suites: PGHOST PGPORT PGUSER PGDATABASE PG_LOG
# RF_REPO RF_TMP RF_PGDATA RF_PGBIN RF_PYTHON PG_CONFIG SIM_URL
# SIM_<VENDOR>_URL SIM_<VENDOR>_PORT SIM_PORTS_FILE SIM_LOG SIMCTL.
#
# RF_KEEP=1 keeps the temp dir (logs, data directory) for post-mortems.
# RF_ONLY=REGEX runs only the suites whose name matches (an extended regular
# expression over "simulator unit tests", "pg_regress" and "test/suites/NN-x.sh"),
# e.g. RF_ONLY='pg_regress|25-hostile' bash test/run-tests.sh; RF_REGRESS="setup
# errors" narrows pg_regress to those tests (setup first).
# test/at-date.sh DATE runs this script as if the clock said DATE (the tests
# must pass on any date: month and year ends, leap days, DST, midnight UTC).

# shellcheck disable=SC2119  # lib functions take optional args
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/lib.sh
. test/lib.sh
cd "$RF_REPO"

rf_ensure_packages
rf_ensure_pg_cron
rf_ensure_test_packages
rf_build_install WERROR=1
rf_build_install_test_hooks
rf_tmp
rf_start_sim --seed 42 --option journey.stores=3
# retail_fdw preloaded: request_stats in shared memory; pg_cron for schedules
rf_start_cluster -c shared_preload_libraries=retail_fdw,pg_cron \
    -c cron.database_name=postgres -c cron.use_background_workers=on

declare -a RESULTS=()
PASSED=0
FAILED=0

# run_suite NAME CMD...: run one suite, record PASS/FAIL, never abort.
run_suite() {
    local name=$1 start rc log
    shift
    if [ -n "${RF_ONLY:-}" ] && ! grep -qE -- "$RF_ONLY" <<<"$name"; then
        return 0
    fi
    rf_log "suite: $name"
    start=$SECONDS
    log="$RF_TMP/suite-$(printf '%02d' "${#RESULTS[@]}").log"
    set +e
    # tee in a process substitution: a daemon a suite leaves running with
    # its output inherited must not hold the run up
    (cd "$RF_REPO" && "$@") > >(tee "$log") 2>&1
    rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then
        PASSED=$((PASSED + 1))
        RESULTS+=("PASS  $name ($((SECONDS - start))s)")
    else
        FAILED=$((FAILED + 1))
        RESULTS+=("FAIL  $name (exit $rc, $((SECONDS - start))s)")
        RESULTS+=("@$log")
    fi
    return "$rc"
}

suite_pg_regress() {
    local diffs
    rm -f regression.diffs regression.out
    if make PG_CONFIG="$RF_PG_CONFIG" ${RF_REGRESS:+REGRESS="$RF_REGRESS"} installcheck; then
        return 0
    fi
    diffs=$(find . -maxdepth 3 -name regression.diffs -print -quit 2>/dev/null || true)
    if [ -n "$diffs" ] && [ -s "$diffs" ]; then
        printf -- '---- %s (first 300 lines) ----\n' "$diffs"
        head -n 300 "$diffs"
        printf -- '---- end of %s ----\n' "$diffs"
    fi
    return 1
}

run_suite "lint of check statements" "$RF_PYTHON" test/lint_checks.py || true
run_suite "simulator unit tests" "$RF_PYTHON" -m unittest discover -s test/sim || true
run_suite "pg_regress" suite_pg_regress || true

if [ -d test/suites ]; then
    while IFS= read -r suite; do
        if [ ! -f "$suite" ] || [ ! -x "$suite" ]; then
            continue
        fi
        run_suite "${suite#./}" "$suite" || true
    done < <(find test/suites -maxdepth 1 -type f -name '*.sh' | LC_ALL=C sort)
fi

# Whatever suite caused it, a backend that died of a signal (or a PANIC)
# fails the run: no statement, vendor answer, cancel or timeout may crash one.
if [ -f "$RF_TMP/pg.log" ] && grep -qE 'terminated by signal|terminated by exception|PANIC' "$RF_TMP/pg.log"; then
    rf_log "the server log shows a backend crash or PANIC:"
    grep -E -B2 'terminated by signal|terminated by exception|PANIC' "$RF_TMP/pg.log" | head -n 40 >&2 || true
    FAILED=$((FAILED + 1))
    RESULTS+=("FAIL  server log: a backend was terminated by a signal (see above)")
else
    PASSED=$((PASSED + 1))
    RESULTS+=("PASS  server log: no backend terminated by a signal")
fi

echo
echo "==================== test summary ===================="
for line in "${RESULTS[@]}"; do
    if [ "${line:0:1}" = @ ]; then
        # the failed checks again, under their suite: CI keeps only the
        # head and the tail of a long output
        grep -E '^not ok| FAILED' "${line:1}" 2>/dev/null | head -n 10 | sed 's/^/        /' || true
    else
        echo "$line"
    fi
done
echo "$PASSED passed, $FAILED failed"

[ "$FAILED" -eq 0 ]
