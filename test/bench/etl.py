#!/usr/bin/env python3
"""What a user might write without retail_fdw: a standard-library ETL script.

Fetches every page of the given journey request series with urllib (one
after the other, following the API's next links), decodes them with json,
and streams the rows as COPY text into a local table through psql; then
runs the benchmark's query on that table and prints "rows sum".

  etl.py --token T --table public.events_local URL...

Each URL is the first page of one series.  The table must exist with the
journey columns in JOURNEY_COLUMNS order.  psql connects with the PG*
environment.
"""

import argparse
import json
import subprocess
import sys
import urllib.request

JOURNEY_COLUMNS = ["session_id", "visit_id", "user_id", "device_id", "date_of_visit",
                   "store_name", "store_code", "zone_name", "zone_serial_code",
                   "zone_entered_from", "zone_exited_to", "dwell_time_seconds",
                   "event_start", "event_end", "source"]

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(v):
    if v is None:
        return "\\N"
    return str(v).translate(_ESCAPES)


def pages(url, token):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while url:
        req = urllib.request.Request(url, headers={"Authorization": "Token " + token})
        with opener.open(req, timeout=60) as resp:
            body = json.loads(resp.read())
        yield body["results"]
        url = body.get("next")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("urls", nargs="+")
    args = ap.parse_args(argv)

    copy = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
         "COPY %s (%s) FROM STDIN" % (args.table, ", ".join(JOURNEY_COLUMNS))],
        stdin=subprocess.PIPE, text=True)
    try:
        for url in args.urls:
            for rows in pages(url, args.token):
                copy.stdin.write("".join(
                    "\t".join(copy_field(r.get(c)) for c in JOURNEY_COLUMNS) + "\n"
                    for r in rows))
        copy.stdin.close()
    except BaseException:
        copy.kill()
        raise
    if copy.wait() != 0:
        sys.exit("etl: COPY failed")
    out = subprocess.run(
        ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-F", " ", "-c",
         "SELECT count(*), sum(dwell_time_seconds) FROM %s" % args.table],
        check=True, stdout=subprocess.PIPE, text=True).stdout
    print(out.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
