# shellcheck shell=bash
#
# test/lib.sh -- shared helpers for the retail_fdw test harness and demo.
#
# Source it from bash (set -euo pipefail friendly):
#
#     . "$(dirname "$0")/lib.sh"
#
# Functions:
#   rf_log MSG...            progress line "==> MSG" on stderr
#   rf_die MSG...            error message on stderr, exit 1
#   rf_ensure_packages       install build dependencies via apt if missing
#   rf_ensure_pg_cron        install postgresql-15-cron via apt if missing
#   rf_build_install [ARGS]  make + make install (extra make ARGS passed on)
#   rf_tmp                   create $RF_TMP and register the cleanup EXIT trap
#   rf_cleanup               stop cluster + simulator, remove $RF_TMP
#   rf_start_sim [ARGS]      start test/sim/simulator.py, export SIM_* vars
#   rf_start_cluster [GUCS]  initdb + start a throwaway PostgreSQL 15 cluster
#
# Environment knobs:
#   RF_KEEP=1                keep $RF_TMP (logs, data dir) after exit
#   RF_SIM_TIMEOUT=N         seconds to wait for the simulator (default 20)

# --------------------------------------------------------------------------
# Globals
# --------------------------------------------------------------------------

RF_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
RF_PGBIN="${RF_PGBIN:-/usr/lib/postgresql/15/bin}"
RF_PG_CONFIG="${RF_PG_CONFIG:-$RF_PGBIN/pg_config}"
RF_PGXS_MK="/usr/lib/postgresql/15/lib/pgxs/src/makefiles/pgxs.mk"
if [ -x /usr/bin/python3 ]; then
    RF_PYTHON=/usr/bin/python3
else
    RF_PYTHON="$(command -v python3 || echo python3)"
fi
export RF_REPO RF_PGBIN RF_PG_CONFIG RF_PYTHON
export PG_CONFIG="$RF_PG_CONFIG"

# PostgreSQL 15 client tools first (avoid Debian's pg_wrapper guessing).
case ":$PATH:" in
    *":$RF_PGBIN:"*) ;;
    *) export PATH="$RF_PGBIN:$PATH" ;;
esac

# Everything we talk to lives on loopback: never send it through a proxy
# (libcurl inside the backend and Python's urllib both honour no_proxy).
_rf_np="127.0.0.1,localhost,::1"
export no_proxy="${no_proxy:+$no_proxy,}$_rf_np"
export NO_PROXY="${NO_PROXY:+$NO_PROXY,}$_rf_np"
unset _rf_np

RF_TMP="${RF_TMP:-}"
RF_SIM_PID="${RF_SIM_PID:-}"
RF_PGDATA="${RF_PGDATA:-}"
_RF_CLEANED=0

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

rf_log() {
    printf '==> %s\n' "$*" >&2
}

rf_die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

_rf_is_root() {
    [ "$(id -u)" -eq 0 ]
}

# Run a command with root privileges (directly, or via sudo).
_rf_as_root() {
    if _rf_is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        rf_die "need root privileges for: $* (run as root or install sudo)"
    fi
}

# Run a command as the PostgreSQL owner (postgres when we are root, else us),
# from a directory that user can read (the caller's cwd may be under /root).
_rf_as_pg() {
    if _rf_is_root; then
        (cd "${RF_TMP:-/tmp}" && runuser -u postgres -- "$@")
    else
        (cd "${RF_TMP:-/tmp}" && "$@")
    fi
}

# Single-quote a word for /bin/sh (pg_ctl -o goes through the shell).
_rf_shquote() {
    local s=$1
    printf "'%s'" "${s//\'/\'\\\'\'}"
}

# Last lines of a log file, framed, on stderr.
_rf_tail() {
    local file=$1 n=${2:-40}
    if [ -s "$file" ]; then
        printf -- '---- last %s lines of %s ----\n' "$n" "$file" >&2
        tail -n "$n" "$file" >&2 || true
        printf -- '---- end of %s ----\n' "$file" >&2
    else
        printf -- '(%s is empty or missing)\n' "$file" >&2
    fi
}

# True if process $1 exists and is not a zombie.
_rf_alive() {
    local st
    st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    st=${st##*) }
    [ -n "$st" ] && [ "${st:0:1}" != Z ]
}

# --------------------------------------------------------------------------
# rf_ensure_packages
# --------------------------------------------------------------------------

_rf_have_header() {
    local hdr=$1
    if command -v cc >/dev/null 2>&1; then
        printf '#include <%s>\n' "$hdr" | cc -E -x c - >/dev/null 2>&1
    else
        [ -f "/usr/include/$hdr" ] || [ -f "/usr/include/x86_64-linux-gnu/$hdr" ] \
            || [ -f "/usr/include/$(uname -m)-linux-gnu/$hdr" ]
    fi
}

rf_ensure_packages() {
    local pkgs=()

    if ! command -v make >/dev/null 2>&1; then pkgs+=(make); fi
    if ! command -v gcc >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
        pkgs+=(gcc libc6-dev)
    fi
    if [ ! -f "$RF_PGXS_MK" ] || [ ! -x "$RF_PG_CONFIG" ] \
        || ! _rf_have_header curl/curl.h || ! _rf_have_header json-c/json.h; then
        pkgs+=(postgresql-server-dev-15 libcurl4-openssl-dev libjson-c-dev)
    fi
    # the webhook receiver's HTTP server (fdw/vendors/aifi/webhook.c)
    if ! _rf_have_header microhttpd.h; then pkgs+=(libmicrohttpd-dev); fi
    if [ "${#pkgs[@]}" -eq 0 ]; then
        return 0
    fi

    rf_log "installing build dependencies: ${pkgs[*]}"
    if ! _rf_is_root && ! command -v sudo >/dev/null 2>&1; then
        rf_die "missing build dependencies (${pkgs[*]}); run as root or install them: apt-get install -y ${pkgs[*]}"
    fi
    _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get update \
        || rf_die "apt-get update failed"
    _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${pkgs[@]}" \
        || rf_die "apt-get install ${pkgs[*]} failed"

    [ -f "$RF_PGXS_MK" ] || rf_die "PGXS still missing after install: $RF_PGXS_MK"
    _rf_have_header curl/curl.h || rf_die "curl/curl.h still not found after install"
    _rf_have_header json-c/json.h || rf_die "json-c/json.h still not found after install"
    _rf_have_header microhttpd.h || rf_die "microhttpd.h still not found after install"
}

# rf_ensure_test_packages: what only the test command needs: Debian's
# sqlsmith (random SQL over every table in the crash suite) and pg_partman
# (the partitioned sync recipe of docs/operations.md, test/suites/41-partman.sh).
rf_ensure_test_packages() {
    local pkgs=() partman
    partman="$("$RF_PG_CONFIG" --sharedir)/extension/pg_partman.control"
    command -v sqlsmith >/dev/null 2>&1 || pkgs+=(sqlsmith)
    [ -f "$partman" ] || pkgs+=(postgresql-15-partman)
    [ "${#pkgs[@]}" -eq 0 ] && return 0
    rf_log "installing test tools: ${pkgs[*]}"
    _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${pkgs[@]}" >/dev/null 2>&1 \
        || { _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 \
             && _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${pkgs[@]}"; } \
        || rf_die "apt-get install ${pkgs[*]} failed"
    # Debian's package installs into Debian's PostgreSQL only
    [ -f "$partman" ] \
        || rf_die "pg_partman is not in $(dirname "$partman") (the PostgreSQL of $RF_PG_CONFIG is not Debian's postgresql-15): install pg_partman 4 for it"
}

# rf_ensure_pg_cron: Debian's pg_cron for PostgreSQL 15 (the ecosystem suite
# schedules materialized view refreshes and syncs with it).
rf_ensure_pg_cron() {
    if [ -f "$("$RF_PG_CONFIG" --pkglibdir)/pg_cron.so" ]; then
        return 0
    fi
    rf_log "installing postgresql-15-cron"
    if ! _rf_is_root && ! command -v sudo >/dev/null 2>&1; then
        rf_die "pg_cron is missing; run as root or install it: apt-get install -y postgresql-15-cron"
    fi
    _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15-cron \
        || { _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get update \
             && _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15-cron; } \
        || rf_die "apt-get install postgresql-15-cron failed"
}

# --------------------------------------------------------------------------
# rf_build_install [extra make args...]
# --------------------------------------------------------------------------

rf_build_install() {
    local jobs=()
    case " ${MAKEFLAGS:-} " in
        *-j*) ;;
        *) jobs=(-j"$(nproc 2>/dev/null || echo 2)") ;;
    esac

    rf_log "building retail_fdw${*:+ ($*)}"
    make -C "$RF_REPO" "${jobs[@]}" PG_CONFIG="$RF_PG_CONFIG" "$@" \
        || rf_die "build failed"
    rf_log "installing retail_fdw"
    _rf_as_root make -C "$RF_REPO" PG_CONFIG="$RF_PG_CONFIG" "$@" install \
        || rf_die "make install failed"
}

# rf_build_install_test_hooks: test/hooks, the test-only module (never
# shipped) that sql/fastpath.sql loads
rf_build_install_test_hooks() {
    make -C "$RF_REPO/test/hooks" PG_CONFIG="$RF_PG_CONFIG" \
        || rf_die "build of test/hooks failed"
    _rf_as_root make -C "$RF_REPO/test/hooks" PG_CONFIG="$RF_PG_CONFIG" install \
        || rf_die "make install of test/hooks failed"
}

# --------------------------------------------------------------------------
# rf_tmp / rf_cleanup
# --------------------------------------------------------------------------

_rf_on_exit() {
    local rc=$?
    set +e
    rf_cleanup
    exit "$rc"
}

rf_tmp() {
    if [ -n "$RF_TMP" ] && [ -d "$RF_TMP" ]; then
        return 0
    fi
    if _rf_is_root && ! id postgres >/dev/null 2>&1; then
        rf_die "no 'postgres' OS user (is postgresql-15 installed?)"
    fi
    # Traps first, so a signal right after mktemp still cleans up.
    _RF_CLEANED=0
    trap _rf_on_exit EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    RF_TMP="$(mktemp -d /tmp/retail_fdw.XXXXXX)" || rf_die "mktemp failed"
    export RF_TMP
    chmod 755 "$RF_TMP"
    if _rf_is_root; then
        chown postgres: "$RF_TMP"
    fi
}

_rf_stop_cluster() {
    local pgdata=$1 pid _
    [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ] || return 0
    _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$pgdata" -m immediate -w -t 30 stop >/dev/null 2>&1 && return 0
    # pg_ctl failed: kill the postmaster by hand.
    pid=$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null) || return 0
    case "$pid" in '' | *[!0-9]*) return 0 ;; esac
    kill -QUIT "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do
        _rf_alive "$pid" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

_rf_stop_sim() {
    local pid=$1 _
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        _rf_alive "$pid" || break
        sleep 0.1
    done
    # Whatever is left of the group (children, a stuck main process) dies now.
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

rf_cleanup() {
    [ "$_RF_CLEANED" = 1 ] && return 0
    _RF_CLEANED=1

    if [ -n "$RF_PGDATA" ]; then
        _rf_stop_cluster "$RF_PGDATA"
    fi
    if [ -n "$RF_SIM_PID" ]; then
        _rf_stop_sim "$RF_SIM_PID"
        RF_SIM_PID=
    fi
    if [ -n "$RF_TMP" ] && [ -d "$RF_TMP" ]; then
        if [ "${RF_KEEP:-0}" = 1 ]; then
            rf_log "keeping $RF_TMP (RF_KEEP=1)"
        else
            case "$RF_TMP" in
                /tmp/retail_fdw.*) rm -rf -- "$RF_TMP" ;;
            esac
        fi
    fi
    return 0
}

# --------------------------------------------------------------------------
# rf_start_sim [extra simulator args...]
# --------------------------------------------------------------------------

# rf_init_small_cluster DIR PGDATA PORT: initdb a small cluster of a suite's
# own (socket in DIR, loopback-free, fsync off); the caller appends its
# settings to PGDATA/postgresql.conf and starts it.
rf_init_small_cluster() {
    local dir=$1 pgdata=$2 port=$3
    _rf_as_pg "$RF_PGBIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 \
        --locale=C -N >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
    cat >>"$pgdata/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$dir'
listen_addresses = ''
fsync = off
log_min_messages = warning
CONF
}

rf_start_sim() {
    [ -n "$RF_TMP" ] || rf_tmp
    local sim="$RF_REPO/test/sim/simulator.py"
    local ports="$RF_TMP/sim-ports.json"
    local log="$RF_TMP/sim.log"
    local timeout="${RF_SIM_TIMEOUT:-20}"
    local deadline out line

    [ -f "$sim" ] || rf_die "simulator not found: $sim"
    rm -f "$ports"

    rf_log "starting vendor simulator"
    # Own process group (and session) so cleanup can kill everything it spawns.
    # Under job control (set -m) bash already gives the job its own group, and
    # setsid would fork, so only use setsid without it.
    if [[ $- == *m* ]]; then
        "$RF_PYTHON" "$sim" --ports-file "$ports" "$@" </dev/null >"$log" 2>&1 &
    else
        setsid "$RF_PYTHON" "$sim" --ports-file "$ports" "$@" </dev/null >"$log" 2>&1 &
    fi
    RF_SIM_PID=$!
    export RF_SIM_PID

    deadline=$((SECONDS + timeout))
    while :; do
        if [ -s "$ports" ]; then
            # Parse (retry on a half-written file).
            if out=$("$RF_PYTHON" - "$ports" 2>/dev/null <<'PYEOF'
import json, re, sys
with open(sys.argv[1]) as f:
    data = json.load(f)
if not isinstance(data, dict) or "journey" not in data:
    sys.exit(1)
for key, val in data.items():
    if not isinstance(val, dict):
        continue
    name = re.sub(r"[^A-Za-z0-9]", "_", str(key)).upper()
    port = val.get("port")
    url = val.get("url") or ("http://127.0.0.1:%d" % int(port) if port else None)
    if url:
        print("SIM_%s_URL=%s" % (name, url))
    if port:
        print("SIM_%s_PORT=%s" % (name, int(port)))
PYEOF
            ); then
                break
            fi
        fi
        if ! _rf_alive "$RF_SIM_PID"; then
            _rf_tail "$log"
            rf_die "simulator exited before writing $ports"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            _rf_tail "$log"
            rf_die "simulator did not write a valid $ports within ${timeout}s"
        fi
        sleep 0.1
    done

    while IFS= read -r line; do
        [ -n "$line" ] && export "${line?}"
    done <<<"$out"
    export SIM_URL="$SIM_JOURNEY_URL"
    export SIM_PORTS_FILE="$ports"
    export SIM_LOG="$log"
    # Unquoted on purpose: meant to be word-split by a shell (e.g. psql's
    # "\! $SIMCTL log").
    export SIMCTL="$RF_PYTHON $RF_REPO/test/sim/simctl.py"
    rf_log "simulator up: journey at $SIM_JOURNEY_URL (pid $RF_SIM_PID)"
}

# --------------------------------------------------------------------------
# rf_start_cluster [extra GUCs: "-c name=value" pairs, or bare "name=value"]
# --------------------------------------------------------------------------

_rf_free_port() {
    local p
    if p=$("$RF_PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null) && [ -n "$p" ]; then
        echo "$p"
        return 0
    fi
    for p in $(seq 54330 54429); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

rf_start_cluster() {
    [ -n "$RF_TMP" ] || rf_tmp
    local pgdata="$RF_TMP/pgdata" port locale opts arg

    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale=C.UTF-8
    else
        locale=C
    fi

    mkdir -p "$pgdata"
    chmod 700 "$pgdata"
    if _rf_is_root; then
        chown postgres: "$pgdata"
    fi

    rf_log "initdb ($locale) in $pgdata"
    if ! _rf_as_pg "$RF_PGBIN/initdb" -D "$pgdata" -U postgres --auth=trust \
        -E UTF8 --locale="$locale" -N >"$RF_TMP/initdb.log" 2>&1; then
        _rf_tail "$RF_TMP/initdb.log"
        rf_die "initdb failed"
    fi
    RF_PGDATA="$pgdata"
    export RF_PGDATA

    port=$(_rf_free_port) || rf_die "no free TCP port found"

    opts="-p $port -k $(_rf_shquote "$RF_TMP") -c listen_addresses='' -c fsync=off"
    opts+=" -c log_min_messages=warning"
    while [ $# -gt 0 ]; do
        arg=$1
        shift
        case "$arg" in
            -c)
                [ $# -gt 0 ] || rf_die "rf_start_cluster: -c needs an argument"
                opts+=" -c $(_rf_shquote "$1")"
                shift
                ;;
            -*) opts+=" $(_rf_shquote "$arg")" ;;
            *=*) opts+=" -c $(_rf_shquote "$arg")" ;;
            *) rf_die "rf_start_cluster: unexpected argument '$arg' (want -c name=value)" ;;
        esac
    done

    rf_log "starting PostgreSQL 15 (socket $RF_TMP, port $port)"
    if ! _rf_as_pg "$RF_PGBIN/pg_ctl" -D "$pgdata" -w -t 60 -l "$RF_TMP/pg.log" \
        -o "$opts" start >"$RF_TMP/pg_ctl.log" 2>&1; then
        cat "$RF_TMP/pg_ctl.log" >&2 || true
        _rf_tail "$RF_TMP/pg.log" 60
        rf_die "could not start PostgreSQL"
    fi

    export PGHOST="$RF_TMP" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
    export PG_LOG="$RF_TMP/pg.log"
}
