#!/usr/bin/env bash
#
# test/demo.sh -- the one-command retail_fdw demo.
#
# Builds and installs the extension, starts the vendor simulator (all four
# vendors) and a throwaway PostgreSQL 15 cluster, runs test/demo.sql against
# them (servers and mappings from test/servers.sql, shared with
# test/sandbox.sh) and cleans everything up on exit (RF_KEEP=1 keeps the temp
# dir with the logs).  The simulator's RetailNext clock runs in real time here
# (retailnext.now=real; the tests freeze it at 2021-03-03), so that its
# traffic covers the days the other vendors have data for.

# shellcheck disable=SC2119  # lib functions take optional args
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/lib.sh
. test/lib.sh
cd "$RF_REPO"

rf_ensure_packages
rf_build_install
rf_tmp
rf_start_sim --seed 42 --option journey.stores=3 --option retailnext.now=real
rf_start_cluster

rf_log "running test/demo.sql"
rc=0
psql -X -v ON_ERROR_STOP=1 -v journey_url="$SIM_JOURNEY_URL" -v aifi_url="$SIM_AIFI_URL" \
    -v rn_url="$SIM_RETAILNEXT_URL" -v ic_url="$SIM_INSPECTOR_URL" -f test/demo.sql || rc=$?
sims="the vendor simulator at $SIM_JOURNEY_URL (journey), $SIM_AIFI_URL (aifi), $SIM_RETAILNEXT_URL (retailnext), $SIM_INSPECTOR_URL (inspector)"

echo
if [ "$rc" -eq 0 ]; then
    echo "Demo finished: PostgreSQL 15 ran in $RF_TMP (socket dir, port $PGPORT), $sims; both are being shut down now$([ "${RF_KEEP:-0}" = 1 ] && echo " ($RF_TMP is kept)" || echo " and $RF_TMP removed")."
else
    if [ "${RF_KEEP:-0}" = 1 ]; then
        hint="the logs are kept"
    else
        hint="re-run with RF_KEEP=1 to keep the logs"
    fi
    echo "Demo FAILED (psql exit $rc): PostgreSQL 15 ran in $RF_TMP (socket dir, port $PGPORT, log $RF_TMP/pg.log), $sims (log $RF_TMP/sim.log); $hint."
fi
exit "$rc"
