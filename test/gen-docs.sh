#!/usr/bin/env bash
#
# test/gen-docs.sh -- regenerate the table reference from the descriptors:
# docs/tables/<table>.md, docs/tables/README.md and the table list in
# README.md (between "<!-- BEGIN generated: tables -->" and "<!-- END
# generated: tables -->").  Builds and installs retail_fdw, starts a
# throwaway cluster and the vendor simulator (as test/run-tests.sh does)
# and runs test/gen_docs.py write.  Commit what it changes;
# test/suites/52-docs.sh fails while a generated file is stale.
#
#   bash test/gen-docs.sh          (RF_PGBIN=... for another PostgreSQL 15)

# shellcheck disable=SC2119  # lib functions take optional args
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/lib.sh
. test/lib.sh
cd "$RF_REPO"

rf_ensure_packages
rf_build_install WERROR=1
rf_tmp
rf_start_sim --seed 42 --option journey.stores=3
rf_start_cluster -c shared_preload_libraries=retail_fdw
"$RF_PYTHON" test/gen_docs.py write
