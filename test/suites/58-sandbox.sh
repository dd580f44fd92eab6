#!/usr/bin/env bash
#
# test/suites/58-sandbox.sh -- test/sandbox.sh as a user meets it: a
# sandbox in a directory of its own (--dir), reachable through its Unix
# socket only, in a directory only its owner may enter, with retail_fdw and
# pg_cron preloaded; a second start while it runs leaves it alone; a
# directory that is not a sandbox is never stopped or removed; stop removes
# it.
#
# Each check prints "ok - ..." or "not ok - ..."; the exit status is the
# number of failed checks.
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${RF_TMP:?}"
DB=postgres
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"
cd "$(dirname "$0")/../.." || exit 2

SB=$RF_TMP/sandbox-under-test
NOT=$RF_TMP/not-a-sandbox
mkdir -p "$NOT"
echo keep >"$NOT/file"
sandbox() { bash test/sandbox.sh --dir "$SB" "$@"; }
cleanup() { sandbox stop >/dev/null 2>&1; }
trap cleanup EXIT

sandbox >"$RF_TMP/sandbox.out" 2>&1
check "the sandbox starts in the directory given (--dir)" [ -f "$SB/sandbox.env" ]
mode=$(stat -c %a "$SB" 2>/dev/null)
check "its directory is for its owner only (mode $mode)" [ "$mode" = 700 ]
sb_psql() { (. "$SB/sandbox.env" && psql -X -At -d postgres "$@"); }
settings=$(sb_psql -c "SELECT current_setting('listen_addresses') || '|' || current_setting('shared_preload_libraries') || '|' || current_setting('unix_socket_permissions')" 2>&1)
check "it listens on its socket only, with retail_fdw and pg_cron preloaded ($settings)" \
    [ "$settings" = "|retail_fdw,pg_cron|0700" ]
port=$(. "$SB/sandbox.env" && echo "$PGPORT")
tcp_refused() { ! psql -X -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'SELECT 1' >/dev/null 2>&1; }
check "no TCP connection is taken (port $port)" tcp_refused
imported=$(sb_psql -c "SELECT count(*) FROM pg_foreign_server WHERE srvname IN ('journey', 'aifi', 'rn', 'ic')")
check "its servers are made (4: $imported)" [ "$imported" = 4 ]
pid_before=$(head -1 "$SB/pgdata/postmaster.pid" 2>/dev/null)
sandbox >"$RF_TMP/sandbox2.out" 2>&1
pid_after=$(head -1 "$SB/pgdata/postmaster.pid" 2>/dev/null)
same_running() { grep -q "already running" "$RF_TMP/sandbox2.out" && [ -n "$pid_before" ] && [ "$pid_before" = "$pid_after" ]; }
check "a second start while it runs leaves it running (postmaster $pid_before, then $pid_after)" \
    same_running
bash test/sandbox.sh --dir "$NOT" stop >"$RF_TMP/not.out" 2>&1
rc_stop=$?
bash test/sandbox.sh --dir "$NOT" >>"$RF_TMP/not.out" 2>&1
rc_start=$?
untouched() { [ "$rc_stop" != 0 ] && [ "$rc_start" != 0 ] && [ "$(cat "$NOT/file")" = keep ] && grep -q "is not a sandbox" "$RF_TMP/not.out"; }
check "a directory that is not a sandbox is neither stopped nor taken (exit $rc_stop, $rc_start)" untouched
sandbox stop >"$RF_TMP/stop.out" 2>&1
# (a postmaster left a zombie by a parent that does not reap is gone too)
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${st:0:1}" != Z ]; }
gone() { [ ! -e "$SB" ] && ! alive "$pid_before"; }
check "stop ends it and removes its directory" gone

exit "$FAILS"
