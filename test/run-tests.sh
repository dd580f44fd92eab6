#!/usr/bin/env bash
#
# test/run-tests.sh -- build retail_fdw and run its test suites.
#
#   bash test/run-tests.sh              every suite (what CI runs)
#   bash test/run-tests.sh NAME...      only the named suites and regression tests
#   bash test/run-tests.sh --list       the names there are
#
# One throwaway PostgreSQL 15 cluster and one vendor simulator are started and
# shared by all suites.  Each suite counts as one pass/fail; the last line of
# the summary is "N passed, M failed".  Exit status is 1 if anything failed,
# 2 if a NAME names nothing.
#
# Suites, in the order they run:
#   lint           lint of check statements: test/lint_checks.py
#   sim            simulator unit tests: python3 -m unittest discover -s test/sim
#   pg_regress     make installcheck: setup, then every test of REGRESS (Makefile)
#                  in one database, in that order
#   regress-alone  each regression test alone after setup, in a database of its
#                  own; fails if one fails alone, or leaves behind anything that
#                  setup did not make (test/regress-leftovers.sql)
#   test/suites/*.sh  every executable file, sorted, same environment
#   server-log     no backend terminated by a signal (or a PANIC) in any suite
#
# NAME is one of those suites (lint, sim, pg_regress, regress-alone,
# server-log), a suite of test/suites by its file name or number (45-webhooks,
# 45-webhooks.sh, test/suites/45-webhooks.sh, 45), or a regression test by its
# name in sql/ (aifi, pushdown, sql/aifi.sql).  The regression tests named run
# in one pg_regress run, setup first, then in the order given: each test needs
# only what sql/setup.sql makes.  The rest runs in the order above.  A run of
# lint and sim only builds nothing and starts no cluster.
#
# Environment available to suites: PGHOST PGPORT PGUSER PGDATABASE PG_LOG
# RF_REPO RF_TMP RF_PGDATA RF_PGBIN RF_PYTHON PG_CONFIG SIM_URL
# SIM_<VENDOR>_URL SIM_<VENDOR>_PORT SIM_PORTS_FILE SIM_LOG SIMCTL.
#
# RF_KEEP=1 keeps the temp dir (logs, data directory) for post-mortems.
# RF_ONLY=REGEX keeps only the suites whose name in the summary matches (an
# extended regular expression over "lint of check statements", "simulator
# unit tests", "pg_regress", "regress-alone" and "test/suites/NN-x.sh"; the
# server log check ignores it), e.g. RF_ONLY='pg_regress|25-hostile' bash
# test/run-tests.sh.  RF_REGRESS="setup errors" narrows pg_regress and
# regress-alone to those tests (setup first); tests named as arguments
# replace it.
# test/at-date.sh DATE runs this script as if the clock said DATE (the tests
# must pass on any date: month and year ends, leap days, DST, midnight UTC).

# shellcheck disable=SC2119  # lib functions take optional args
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/lib.sh
. test/lib.sh
cd "$RF_REPO"

# ------------------------------------------------------------------ names
# What can be named: the special suites, the executable files of
# test/suites (sorted) and the regression tests of sql/.
SPECIAL=(lint sim pg_regress regress-alone server-log)
ALL_SUITES=()
while IFS= read -r f; do
    if [ -f "$f" ] && [ -x "$f" ]; then
        ALL_SUITES+=("$f")
    fi
done < <(find test/suites -maxdepth 1 -type f -name '*.sh' 2>/dev/null | LC_ALL=C sort)
ALL_TESTS=()
for f in sql/*.sql; do
    [ -f "$f" ] && ALL_TESTS+=("$(basename "$f" .sql)")
done
# the ordered run's tests: REGRESS of the Makefile, or RF_REGRESS
MAKE_REGRESS=$(sed -n 's/^REGRESS *= *//p' Makefile)
REGRESS_TESTS=${RF_REGRESS:-$MAKE_REGRESS}

list_names() {
    local f
    echo "suites:            ${SPECIAL[*]}"
    echo "test/suites:"
    for f in "${ALL_SUITES[@]}"; do
        echo "  $(basename "$f" .sh)"
    done
    echo "regression tests:  ${ALL_TESTS[*]}"
}

# resolve NAME: sets KIND (special, suite or test) and WHAT (the special
# suite's name, the suite's path, the test's name); false if NAME names nothing
resolve() {
    local n=${1#./} f b
    for f in "${SPECIAL[@]}"; do
        if [ "$n" = "$f" ]; then KIND=special; WHAT=$f; return 0; fi
    done
    for f in "${ALL_SUITES[@]}"; do
        b=$(basename "$f" .sh)
        if [ "$n" = "$f" ] || [ "$n" = "$b" ] || [ "$n" = "$b.sh" ] \
            || { [[ $n =~ ^[0-9]+$ ]] && [ "${b%%-*}" = "$n" ]; }; then
            KIND=suite; WHAT=$f; return 0
        fi
    done
    n=${n#sql/}
    n=${n%.sql}
    for f in "${ALL_TESTS[@]}"; do
        if [ "$n" = "$f" ]; then KIND="test"; WHAT=$f; return 0; fi
    done
    return 1
}

declare -A WANT=()          # special suite -> 1
WANT_SUITES=()              # paths, as named
WANT_TESTS=()               # regression tests, as named (setup runs first anyway)
if [ $# -eq 0 ]; then
    for f in "${SPECIAL[@]}"; do WANT[$f]=1; done
    WANT_SUITES=("${ALL_SUITES[@]}")
fi
bad=()
for arg in "$@"; do
    case $arg in
        -h | --help)
            sed -n '3,/^$/{s/^# \{0,1\}//;p}' "$RF_REPO/test/run-tests.sh"
            exit 0 ;;
        -l | --list)
            list_names
            exit 0 ;;
    esac
    if ! resolve "$arg"; then
        bad+=("$arg")
        continue
    fi
    case $KIND in
        special) WANT[$WHAT]=1 ;;
        suite)
            if [[ " ${WANT_SUITES[*]-} " != *" $WHAT "* ]]; then WANT_SUITES+=("$WHAT"); fi ;;
        test)
            if [ "$WHAT" != setup ] && [[ " ${WANT_TESTS[*]-} " != *" $WHAT "* ]]; then
                WANT_TESTS+=("$WHAT")
            fi
            WANT[tests]=1 ;;
    esac
done
if [ "${#bad[@]}" -gt 0 ]; then
    {
        echo "run-tests.sh: no suite or regression test named: ${bad[*]}"
        echo "There are (a suite of test/suites also by its number, or as a path):"
        list_names
    } >&2
    exit 2
fi
# re-sorted: the suites of test/suites run in their order whatever the order named
if [ "${#WANT_SUITES[@]}" -gt 0 ]; then
    mapfile -t WANT_SUITES < <(printf '%s\n' "${WANT_SUITES[@]}" | LC_ALL=C sort)
fi

# ------------------------------------------------------------------ set-up
# Lint and the simulator's unit tests need no build, cluster or simulator.
NEED_CLUSTER=0
for f in pg_regress regress-alone server-log tests; do
    if [ -n "${WANT[$f]:-}" ]; then NEED_CLUSTER=1; fi
done
if [ "${#WANT_SUITES[@]}" -gt 0 ]; then NEED_CLUSTER=1; fi

if [ "$NEED_CLUSTER" = 1 ]; then
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
else
    rf_tmp
fi

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

# the regression.diffs of the last pg_regress run, if any
regress_diffs() {
    local diffs
    diffs=$(find . -maxdepth 3 -name regression.diffs -print -quit 2>/dev/null || true)
    if [ -n "$diffs" ] && [ -s "$diffs" ]; then
        echo "$diffs"
    fi
}

# suite_pg_regress TEST...: one pg_regress run of these tests, in this order
suite_pg_regress() {
    local diffs
    rm -f regression.diffs regression.out
    if make PG_CONFIG="$RF_PG_CONFIG" REGRESS="$*" installcheck; then
        return 0
    fi
    diffs=$(regress_diffs)
    if [ -n "$diffs" ]; then
        printf -- '---- %s (first 300 lines) ----\n' "$diffs"
        head -n 300 "$diffs"
        printf -- '---- end of %s ----\n' "$diffs"
    fi
    return 1
}

# regress_alone_run TEST...: pg_regress quietly (output in $out), the
# simulator reset first, as a run of these tests alone would find it
regress_alone_run() {
    $SIMCTL reset
    make -s PG_CONFIG="$RF_PG_CONFIG" REGRESS="$*" installcheck >"$out" 2>&1
}

# regress_leftovers: what the regression database holds beyond the system's
# and the extension's objects
regress_leftovers() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d contrib_regression -f test/regress-leftovers.sql
}

# suite_regress_alone TEST...: each test in a database of its own after
# setup alone: it must pass, and leave the database as setup left it
# (whatever it leaves, another test could come to depend on).  With the
# Makefile's list, every sql/ file must be in it (a file that is not never runs).
suite_regress_alone() {
    local t fails=0 start base now diffs out missing
    if [ -z "${RF_REGRESS:-}" ]; then
        # shellcheck disable=SC2086  # a list of names
        missing=$(comm -23 <(printf '%s\n' "${ALL_TESTS[@]}" | LC_ALL=C sort) \
                           <(printf '%s\n' $MAKE_REGRESS | LC_ALL=C sort) | tr '\n' ' ')
        if [ -n "$missing" ]; then
            echo "not ok - in sql/ but not in REGRESS of the Makefile: $missing"
            fails=$((fails + 1))
        fi
    fi
    out="$RF_TMP/regress-alone-setup.out"
    if ! regress_alone_run setup; then
        echo "not ok - setup alone"
        sed 's/^/    /' "$out"
        return 1
    fi
    base=$(regress_leftovers)
    echo "ok - setup alone"
    for t in "$@"; do
        [ "$t" = setup ] && continue
        start=$SECONDS
        out="$RF_TMP/regress-alone-$t.out"
        if ! regress_alone_run setup "$t"; then
            echo "not ok - $t alone after setup ($((SECONDS - start))s)"
            diffs=$(regress_diffs)
            if [ -n "$diffs" ]; then
                cp "$diffs" "$RF_TMP/regress-alone-$t.diffs"
                head -n 100 "$diffs" | sed 's/^/    /'
            else
                sed 's/^/    /' "$out"
            fi
            fails=$((fails + 1))
            continue
        fi
        now=$(regress_leftovers)
        if [ "$now" != "$base" ]; then
            echo "not ok - $t alone after setup: it leaves the database otherwise than setup did"
            diff <(printf '%s\n' "$base") <(printf '%s\n' "$now") | grep '^[<>]' \
                | sed 's/^</    setup left:/; s/^>/    the test left:/' || true
            fails=$((fails + 1))
            continue
        fi
        echo "ok - $t alone after setup ($((SECONDS - start))s)"
    done
    [ "$fails" -eq 0 ]
}

suite_server_log() {
    # Whatever suite caused it, a backend that died of a signal (or a PANIC)
    # fails the run: no statement, vendor answer, cancel or timeout may crash one.
    if [ -f "$RF_TMP/pg.log" ] && grep -qE 'terminated by signal|terminated by exception|PANIC' "$RF_TMP/pg.log"; then
        echo "the server log shows a backend crash or PANIC:"
        grep -E -B2 'terminated by signal|terminated by exception|PANIC' "$RF_TMP/pg.log" | head -n 40 || true
        return 1
    fi
}

if [ -n "${WANT[lint]:-}" ]; then
    run_suite "lint of check statements" "$RF_PYTHON" test/lint_checks.py || true
fi
if [ -n "${WANT[sim]:-}" ]; then
    run_suite "simulator unit tests" "$RF_PYTHON" -m unittest discover -s test/sim || true
fi
if [ -n "${WANT[pg_regress]:-}" ]; then
    # shellcheck disable=SC2086  # a list of names
    run_suite "pg_regress" suite_pg_regress $REGRESS_TESTS || true
fi
if [ -n "${WANT[tests]:-}" ]; then
    run_suite "pg_regress (setup${WANT_TESTS[*]:+ ${WANT_TESTS[*]}})" suite_pg_regress setup "${WANT_TESTS[@]}" || true
fi
if [ -n "${WANT[regress-alone]:-}" ]; then
    # shellcheck disable=SC2086  # a list of names
    run_suite "regress-alone" suite_regress_alone $REGRESS_TESTS || true
fi
for suite in "${WANT_SUITES[@]}"; do
    run_suite "$suite" "$suite" || true
done
if [ -n "${WANT[server-log]:-}" ]; then
    # not filtered by RF_ONLY: a crash in any suite fails the run
    RF_ONLY='' run_suite "server log: no backend terminated by a signal" suite_server_log || true
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
