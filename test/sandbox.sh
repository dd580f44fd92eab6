#!/usr/bin/env bash
#
# test/sandbox.sh -- a PostgreSQL 15 cluster and the vendor simulator that
# stay up, with a server, user mapping and imported schema for every vendor
# (test/servers.sql, the set-up test/demo.sh uses too), to try retail_fdw by
# hand.
#
#   bash test/sandbox.sh [--dir DIR]          build, install, start; print how to connect
#   bash test/sandbox.sh [--dir DIR] status   is it running? how to connect
#   bash test/sandbox.sh [--dir DIR] stop     stop the cluster and the simulator, remove
#                                             the sandbox directory
#
# Everything lives in one directory, by default ${TMPDIR:-/tmp}/retail_fdw-sandbox-<user>
# (one per OS user; --dir DIR or RF_SANDBOX=DIR for another): the data directory,
# the socket, the logs, sim.pid and sandbox.env (the variables to connect with:
# `. DIR/sandbox.env`).  A start while that sandbox runs only prints how to
# connect; a directory that is not a sandbox (no .retail_fdw-sandbox mark) is never
# removed.  The cluster listens on its Unix socket only, in that directory, which
# only its owner may enter (mode 0700): no TCP, so no one else connects as the
# superuser without a password.  pg_cron is preloaded as in the test command.
# Unlike demo.sh and run-tests.sh nothing is cleaned up when this script exits:
# the postmaster detaches itself (pg_ctl) and the simulator runs in a session of
# its own (setsid), so both outlive the shell that started them; `stop` ends them
# by the ids recorded here.  As root, PostgreSQL runs as the postgres OS user.

# shellcheck disable=SC2119  # lib functions take optional args
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/lib.sh
. test/lib.sh
cd "$RF_REPO"

SANDBOX=${RF_SANDBOX:-${TMPDIR:-/tmp}/retail_fdw-sandbox-$(id -un)}
if [ "${1:-}" = --dir ]; then
    [ -n "${2:-}" ] || { echo "usage: bash test/sandbox.sh [--dir DIR] [start|status|stop]" >&2; exit 2; }
    SANDBOX=$2
    shift 2
fi
case "$SANDBOX" in /*) ;; *) SANDBOX=$PWD/$SANDBOX ;; esac
MARK=$SANDBOX/.retail_fdw-sandbox
ENV_FILE=$SANDBOX/sandbox.env
SIM_PID_FILE=$SANDBOX/sim.pid

# The simulator process recorded in sim.pid, if it is still that process.
sim_pid() {
    local pid
    pid=$(cat "$SIM_PID_FILE" 2>/dev/null) || return 1
    case "$pid" in '' | *[!0-9]*) return 1 ;; esac
    _rf_alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'test/sim/simulator\.py' || return 1
    echo "$pid"
}

cluster_up() {
    [ -f "$SANDBOX/pgdata/postmaster.pid" ] &&
        _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$SANDBOX/pgdata" status >/dev/null 2>&1
}

do_stop() {
    local pid
    [ -d "$SANDBOX" ] || { rf_log "no sandbox in $SANDBOX"; return 0; }
    [ -f "$MARK" ] || rf_die "$SANDBOX is not a sandbox (no $MARK): not touched"
    RF_TMP=$SANDBOX
    if [ -f "$SANDBOX/pgdata/postmaster.pid" ]; then
        rf_log "stopping PostgreSQL ($SANDBOX/pgdata)"
        _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$SANDBOX/pgdata" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            _rf_stop_cluster "$SANDBOX/pgdata"
    fi
    if pid=$(sim_pid); then
        rf_log "stopping the simulator (pid $pid)"
        _rf_stop_sim "$pid"
    fi
    if cluster_up || sim_pid >/dev/null; then
        rf_die "the sandbox did not stop; see $SANDBOX"
    fi
    rm -rf -- "$SANDBOX"
    rf_log "sandbox stopped, $SANDBOX removed"
}

print_info() {
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    cat <<EOF

retail_fdw sandbox is running (state in $SANDBOX).

Connect (Unix socket only, in a directory only its owner may enter):
  psql -h $SANDBOX -p $PGPORT -U postgres -d postgres
  . $ENV_FILE && psql      # the same, with PGHOST etc. from the env file

Servers, user mappings and schemas (test/servers.sql), named as in README.md:
  journey -> schema journey   $SIM_JOURNEY_URL
  aifi    -> schema aifi      $SIM_AIFI_URL
  rn      -> schema rn        $SIM_RETAILNEXT_URL   (RetailNext; its clock is 2021-03-03)
  ic      -> schema ic        $SIM_INSPECTOR_URL   (Inspector Cloud)

Try (data: journey from 2025-08-01, AiFi 2025-08, Inspector 2025-08-01..20,
RetailNext 2019-01-01..2021-03-03):
  \\det+ journey.*
  SELECT store_code, count(DISTINCT visit_id) FROM journey.visit_journey_events
   WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13' GROUP BY 1;
  SELECT id, store_id, status, visitors, created_at FROM aifi.aifi_sessions
   WHERE store_id = 2 AND created_at >= '2025-08-10' AND created_at < '2025-08-11';
  SELECT location_name, period_start, value FROM rn.rn_datamine
   WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
     AND period_start >= '2021-02-22' AND period_start < '2021-03-01';
  SELECT id, store_id, created_at FROM ic.ic_visits WHERE created_at >= '2025-08-05';
  EXPLAIN (VERBOSE, COSTS OFF) <any of these>;     -- the requests retail_fdw sends
  SELECT * FROM retail_fdw.request_stats;
and the examples of README.md and docs/ (test/suites/50-readme.sh runs them all).
The simulator (after '. $ENV_FILE'): \$SIMCTL log prints the requests it got;
\$SIMCTL config '{"retailnext": {"now": "real"}}' runs RetailNext's clock in real
time, as the demo does (its data then reaches the days the other vendors have).

Stop and remove it: bash test/sandbox.sh --dir $SANDBOX stop
EOF
}

do_status() {
    if [ -f "$ENV_FILE" ] && cluster_up && sim_pid >/dev/null; then
        print_info
        return 0
    fi
    if [ -d "$SANDBOX" ]; then
        echo "sandbox in $SANDBOX is not (fully) running; 'bash test/sandbox.sh stop' removes it"
    else
        echo "no sandbox running"
    fi
    return 1
}

do_start() {
    if [ -e "$SANDBOX" ] && [ ! -f "$MARK" ]; then
        rf_die "$SANDBOX exists and is not a sandbox; choose another with --dir DIR"
    fi
    if [ -d "$SANDBOX" ]; then
        if do_status >/dev/null; then
            rf_log "the sandbox is already running"
            print_info
            return 0
        fi
        rf_log "a stale sandbox is in $SANDBOX: removing it first"
        do_stop
    fi

    rf_ensure_packages
    rf_ensure_pg_cron
    rf_build_install
    if _rf_is_root && ! id postgres >/dev/null 2>&1; then
        rf_die "no 'postgres' OS user (is postgresql-15 installed?)"
    fi
    mkdir -p -- "$(dirname "$SANDBOX")"
    mkdir -m 700 -- "$SANDBOX"
    : >"$MARK"
    if _rf_is_root; then chown -R postgres: "$SANDBOX"; fi
    RF_TMP=$SANDBOX
    export RF_TMP

    # Until the sandbox is complete, a failure (or Ctrl-C) takes down what
    # was started; afterwards nothing is cleaned up on exit.
    started=0
    trap '[ "$started" = 1 ] || { set +e; do_stop; }' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    rf_start_sim --seed 42 --option journey.stores=3
    echo "$RF_SIM_PID" >"$SIM_PID_FILE"
    # as the test command: retail_fdw and pg_cron preloaded; the socket only
    # (rf_start_cluster sets listen_addresses to '')
    # shellcheck disable=SC2054  # the commas are in the setting's value
    rf_start_cluster -c shared_preload_libraries=retail_fdw,pg_cron \
        -c cron.database_name=postgres -c cron.use_background_workers=on \
        -c unix_socket_permissions=0700

    rf_log "creating servers, user mappings and schemas (test/servers.sql)"
    psql -X -q -v ON_ERROR_STOP=1 -v journey_url="$SIM_JOURNEY_URL" -v aifi_url="$SIM_AIFI_URL" \
        -v rn_url="$SIM_RETAILNEXT_URL" -v ic_url="$SIM_INSPECTOR_URL" \
        -c "SET client_min_messages = warning" -f test/servers.sql

    {
        echo "# retail_fdw sandbox (test/sandbox.sh); source it to connect with psql"
        for v in PGHOST PGPORT PGUSER PGDATABASE SIM_JOURNEY_URL SIM_AIFI_URL \
            SIM_RETAILNEXT_URL SIM_INSPECTOR_URL SIM_URL SIM_PORTS_FILE; do
            printf 'export %s=%q\n' "$v" "${!v}"
        done
        printf 'export SIMCTL=%q\n' "$SIMCTL"
        # shellcheck disable=SC2016  # $PATH is expanded when the file is sourced
        printf 'export PATH=%q:"$PATH"\n' "$RF_PGBIN"
        # shellcheck disable=SC2154  # set by test/lib.sh
        printf 'export no_proxy=%q NO_PROXY=%q\n' "$no_proxy" "$NO_PROXY"
    } >"$ENV_FILE"
    started=1
    print_info
}

case "${1:-start}" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    *)
        echo "usage: bash test/sandbox.sh [--dir DIR] [start|status|stop]" >&2
        exit 2
        ;;
esac
