#!/usr/bin/env bash
#
# test/at-date.sh -- run test/run-tests.sh as if the wall clock said DATE.
#
#   bash test/at-date.sh '2027-12-31 23:50:00' [run-tests.sh args...]
#   RF_ONLY='pg_regress|43-preview' bash test/at-date.sh '2028-02-29 00:20'
#
# The environment passes through to run-tests.sh as it is (RF_PGBIN,
# RF_ONLY, RF_REGRESS, RF_KEEP).  Packages should already be installed:
# apt refuses Release files from "the future".
#
# CI runs the tests on whatever date it happens to be; this checks a given
# one (month and year ends, leap days, DST changes, a few minutes before
# midnight UTC).  DATE is read as UTC.  Every process of the run -- make,
# the simulator, PostgreSQL and its backends, psql, date(1) -- sees the
# clock moved by the same offset, so they agree on "now", and the clock
# goes on running from there.
#
# How: a small LD_PRELOAD library (compiled here with cc) adds the offset
# to CLOCK_REALTIME (clock_gettime, gettimeofday, time, timespec_get) and
# to nothing else.  libfaketime is not used: with Python 3.11 it either
# hangs timed waits (monotonic clock faked: threading.Event.wait never
# returns) or makes time.sleep fail with EINVAL (FAKETIME_DONT_FAKE_MONOTONIC),
# and its "@date" form restarts the clock in every process.
set -euo pipefail

if [ $# -lt 1 ]; then
    sed -n '3,5p' "$0" >&2
    exit 2
fi
when=$1
shift
target=$(date -u -d "$when UTC" +%s) || { echo "at-date: bad date: $when" >&2; exit 2; }

dir=$(mktemp -d /tmp/rf-at-date.XXXXXX)
trap 'rm -rf -- "$dir"' EXIT
cat >"$dir/clock.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long offset;
static int (*real_clock_gettime)(clockid_t, struct timespec *);
static int (*real_gettimeofday)(struct timeval *, void *);

static void
init(void)
{
	const char *s;

	if (real_clock_gettime)
		return;
	real_gettimeofday = dlsym(RTLD_NEXT, "gettimeofday");
	s = getenv("RF_CLOCK_OFFSET");
	offset = s ? atoll(s) : 0;
	real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
}

int
clock_gettime(clockid_t c, struct timespec *ts)
{
	int			r;

	init();
	r = real_clock_gettime(c, ts);
	if (r == 0 && (c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE))
		ts->tv_sec += offset;
	return r;
}

int
gettimeofday(struct timeval *tv, void *tz)
{
	int			r;

	init();
	r = real_gettimeofday(tv, tz);
	if (r == 0 && tv)
		tv->tv_sec += offset;
	return r;
}

time_t
time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int
timespec_get(struct timespec *ts, int base)
{
	if (base != TIME_UTC)
		return 0;
	clock_gettime(CLOCK_REALTIME, ts);
	return base;
}
EOF
"${CC:-cc}" -O2 -shared -fPIC -o "$dir/clock.so" "$dir/clock.c" -ldl
chmod 755 "$dir" "$dir/clock.so"        # the postgres OS user loads it too

export RF_CLOCK_OFFSET=$((target - $(date -u +%s)))
export LD_PRELOAD="$dir/clock.so${LD_PRELOAD:+ $LD_PRELOAD}"
echo "at-date: the clock says $(date -u '+%F %T UTC')" >&2
set +e
bash "$(dirname "$0")/run-tests.sh" "$@"
rc=$?
unset LD_PRELOAD
exit "$rc"
