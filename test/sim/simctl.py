#!/usr/bin/env python3
"""Control the running vendor simulator (URL from $SIM_URL).

  simctl.py reset
  simctl.py log [--vendor V] [--contains S] [--bodies] [--raw]
  simctl.py count [--vendor V] [--contains S]
  simctl.py fault '<json rule>'    ('-' reads the rule from stdin)
  simctl.py config '<json>'
  simctl.py requests [--vendor V] [--contains S]     (JSON)

"log" prints one line per request, sorted (stable, so retries of one URL keep
their order) unless --raw asks for arrival order.
"""

import argparse
import json
import os
import sys
import urllib.parse
import urllib.request


def call(base, method, path, params=None, body=None):
    url = base.rstrip("/") + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.read().decode()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["reset", "log", "count", "fault", "config", "requests"])
    ap.add_argument("arg", nargs="?")
    ap.add_argument("--vendor")
    ap.add_argument("--contains")
    ap.add_argument("--bodies", action="store_true")
    ap.add_argument("--raw", action="store_true")
    args = ap.parse_args(argv)
    base = os.environ.get("SIM_URL")
    if not base:
        sys.exit("simctl: SIM_URL is not set")
    filt = {}
    if args.vendor:
        filt["vendor"] = args.vendor
    if args.contains:
        filt["contains"] = args.contains
    if args.command == "reset":
        call(base, "POST", "/_sim/reset", body={})
    elif args.command == "log":
        if args.bodies:
            filt["bodies"] = "1"
        if args.raw:
            filt["raw"] = "1"
        sys.stdout.write(call(base, "GET", "/_sim/requests.txt", filt))
    elif args.command == "count":
        print(len(json.loads(call(base, "GET", "/_sim/requests", filt))))
    elif args.command == "requests":
        print(call(base, "GET", "/_sim/requests", filt))
    elif args.command in ("fault", "config"):
        if not args.arg:
            sys.exit("simctl: %s needs a JSON argument" % args.command)
        if args.arg == "-":             # large rules come on stdin
            args.arg = sys.stdin.read()
        call(base, "POST", "/_sim/faults" if args.command == "fault" else "/_sim/config",
             body=json.loads(args.arg))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
