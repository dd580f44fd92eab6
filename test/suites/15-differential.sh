#!/usr/bin/env bash
#
# test/suites/15-differential.sh -- "Truth": a pushed-down query returns
# exactly what PostgreSQL returns for the same query over a wider fetch behind
# an optimisation fence, for every foreign table (generated cases, seeded),
# and, for the tables the simulator serves a ground truth of (every table
# but rn_datamine, and the paged copies), exactly what the same
# query returns over all of the simulator's rows loaded into a local table.
#
# Runs test/diff/differential.py against the shared cluster and simulator of
# test/run-tests.sh, in its own database.  Knobs (environment):
#   DIFF_SEED=N      seed (default 1; the same seed gives the same queries)
#   DIFF_LONG=1      thousands of cases instead of a few hundred
#   DIFF_JOBS=N      queries in flight (default 3)
#   DIFF_KNOBS='retailnext.k=v ...;...'   simulator knob sets for the
#                    RetailNext re-runs ('none': no re-runs)
#   DIFF_ONLY=REGEX  only the tables whose name matches
#   DIFF_CLASSES=domain,nulls,collation,casts (or all)   extra case classes
#                    per pushable column: values outside the API's domain,
#                    NULLs in lists, a nondeterministic ICU collation, casts;
#                    OFF by default until the extension handles them
#   DIFF_PARALLEL=1  every session costs parallel plans as free, so cases
#                    of several request series run as parallel scans
# Prints every mismatch (query, fenced query, row diff) and ends with
# "N passed, M failed"; exits non-zero if any case failed.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${SIM_RETAILNEXT_URL:?}"
cd "$(dirname "$0")/../.." || exit 2
# the extra case classes (values outside the API's domain, NULLs in lists,
# collations, casts) run by default; DIFF_CLASSES= (empty) leaves them out
exec "${RF_PYTHON:-python3}" test/diff/differential.py --db rf_differential \
    --classes "${DIFF_CLASSES-all}" "$@"
