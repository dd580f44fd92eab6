#!/usr/bin/env python3
"""retail_fdw benchmarks: throughput, latency, memory, requests.

Run by test/bench/run.sh, which builds and installs retail_fdw, starts a
throwaway cluster (PG* variables) and the simulator (SIM_JOURNEY_URL, with
journey.response_cache=1 and the data size chosen here), builds jsonc_sum
and then calls:

  bench.py --jsonc PATH [--simdjson PATH] --workdir DIR [--out FILE]

Knobs (environment):
  BENCH_RUNS       medians of this many runs (default 5; 1 with BENCH_QUICK=1)
  BENCH_LAT_RUNS   latency and memory-vs-concurrency runs (default
                   min(BENCH_RUNS, 3): they wait on timers and vary little)
  BENCH_QUICK=1    smoke mode: a tenth of the data, page_size 1000 (so the
                   page counts stay those of the full run), 50 ms delays
  BENCH_DELAY_MS   the latency case's per-page delay (default 250)
  BENCH_PERF=1     perf record one more retail_fdw throughput run and the
                   json-c baseline, print self and inclusive times
  BENCH_ONLY       "parallel" or "anchors" (anchors.py: file_fdw, simdjson,
                   json-c, COPY + jsonb, retail_fdw network and cached, side
                   by side): that case alone

The data (see run.sh): 3 stores, ~100,000 events a day over all stores
(~10,000 quick).  The 1M-row set is the BIG_DAYS days from BIG_FIRST, the
100k-row set is the first of them.
"""

import argparse
import datetime as dt
import json
import math
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import anchors

ONLY = os.environ.get("BENCH_ONLY", "")   # "parallel" or "anchors": that case alone
QUICK = os.environ.get("BENCH_QUICK") == "1"
RUNS = int(os.environ.get("BENCH_RUNS") or (1 if QUICK else 5))
LAT_RUNS = int(os.environ.get("BENCH_LAT_RUNS") or min(RUNS, 3))
DELAY_MS = int(os.environ.get("BENCH_DELAY_MS") or (50 if QUICK else 250))
PERF = os.environ.get("BENCH_PERF") == "1"
TOKEN = "journey-secret-token"
SIM = os.environ["SIM_JOURNEY_URL"]
PATH = "/bi/visit-journey-events/"
HERE = os.path.dirname(os.path.abspath(__file__))

STORES = ["SM-001", "SM-002", "SM-003"]
BIG_FIRST = dt.date(2025, 8, 13)
BIG_DAYS = 10
BIG_PAGE = 1000 if QUICK else 10000    # quick: the same number of pages
LAT_A_DAY = dt.date(2025, 8, 25)      # one series of 40 pages
LAT_B_DAY = dt.date(2025, 8, 26)      # 40 half-hour windows of one page
LAT_B_FROM = 3                          # 03:00 to 23:00 UTC
LAT_PAGES = 40
CONCURRENCY = [1, 4, 8]
REQ_PAGE = 1000                         # the default page size
CACHE_SIZE = "512MB"                    # the session's response cache (not preloaded): the week fits
SWEEP_PAGES = [p for p in (1000, 10000) if p != BIG_PAGE]   # throughput, information

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def log(msg):
    sys.stderr.write("--> %s\n" % msg)
    sys.stderr.flush()


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def ts(t):
    """The FDW's spelling of a bound: 2025-08-13T00:00:00Z, fraction if any."""
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        s += ".%06d" % t.microsecond
    return s + "Z"


def day0(d):
    return dt.datetime(d.year, d.month, d.day)


def windows(lo, hi, width):
    """[(gte, lte)] of the FDW's windows over [lo, hi): aligned to multiples
    of width (from midnight), inclusive bounds (lte = end - 1 microsecond)."""
    out = []
    one = dt.timedelta(microseconds=1)
    start = lo
    while start < hi:
        base = day0(start.date())
        n = (start - base) // width
        end = min(base + (n + 1) * width, hi)
        out.append((start, end - one))
        start = end
    return out


def query_string(store, gte, lte, page_size, page=1):
    """The query string exactly as retail_fdw sends it."""
    q = "%sdatetime_gte=%s&datetime_lte=%s&page_size=%d" % (
        "store_code=%s&" % store if store else "", ts(gte), ts(lte), page_size)
    if page > 1:
        q += "&page=%d" % page
    return q


def api(query, path=PATH):
    req = urllib.request.Request(SIM + path + "?" + query,
                                 headers={"Authorization": "Token " + TOKEN})
    with OPENER.open(req, timeout=120) as resp:
        return json.loads(resp.read())


def api_count(store, gte, lte):
    return api(query_string(store, gte, lte, 1))["count"]


def sim_records(contains=None):
    q = "vendor=journey" + ("&contains=" + urllib.parse.quote(contains) if contains else "")
    with OPENER.open(SIM + "/_sim/requests?" + q, timeout=60) as resp:
        return json.loads(resp.read())


def sim_requests(contains=None):
    return len(sim_records(contains))


def refill_lags(recs, c, first_alone):
    """How late each request started after an in-flight slot became free.

    Sorted by arrival at the simulator, request i may start once i - c + 1
    of the earlier ones were answered (with first_alone, once the first one
    was: it gives the count the others depend on).  Returns the lags in
    seconds (0 for requests that could start at once)."""
    recs = sorted(recs, key=lambda r: r["arrived"])
    t0 = recs[0]["arrived"]
    lags = []
    for i, r in enumerate(recs):
        done = sorted(x["time"] for x in recs[:i])
        ready = t0
        if i >= c:
            ready = done[i - c]
        if first_alone and i >= 1:
            ready = max(ready, recs[0]["time"])
        lags.append(max(0.0, r["arrived"] - ready))
    return lags


def sim_post(path, body):
    req = urllib.request.Request(SIM + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with OPENER.open(req, timeout=60) as resp:
        resp.read()


def psql(script, check=True):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f", "-"],
                       input=script, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if check and r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("psql failed")
    return r.stdout


def timings(out):
    return [float(x) / 1000.0 for x in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]


def tagged(out, tag):
    for line in out.splitlines():
        parts = line.split("|")
        if parts[0] == tag:
            return parts[1:]
    raise SystemExit("no %r line in psql output:\n%s" % (tag, out))


HWM = "(regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\\s+(\\d+)'))[1]::bigint"


def med(xs):
    return statistics.median(xs)


def fmt_rate(r):
    return "{:,.0f}".format(r)


def fmt_s(s):
    return "%.2f s" % s if s >= 1 else "%.0f ms" % (s * 1000)


# --------------------------------------------------------------------------
# set-up
# --------------------------------------------------------------------------

def big_range():
    return day0(BIG_FIRST), day0(BIG_FIRST + dt.timedelta(days=BIG_DAYS))


def small_range():
    return day0(BIG_FIRST), day0(BIG_FIRST + dt.timedelta(days=1))


def where_range(lo, hi):
    return "event_start >= '%s+00' AND event_start < '%s+00'" % (lo, hi)


def setup_sql(lat_a_page):
    s = ["SET client_min_messages = warning;",
         "CREATE EXTENSION IF NOT EXISTS retail_fdw;"]

    def server(name, opts):
        s.append("CREATE SERVER %s FOREIGN DATA WRAPPER retail_fdw OPTIONS "
                 "(vendor 'journey', base_url '%s'%s);" % (name, SIM, opts))
        s.append("CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (token '%s');"
                 % (name, TOKEN))

    server("jdefault", "")
    server("jcache", ", cache_ttl '10 minutes'")
    server("jbig", ", page_size '%d'" % BIG_PAGE)
    s.append("CREATE SCHEMA jdefault; IMPORT FOREIGN SCHEMA journey FROM SERVER jdefault INTO jdefault;")
    s.append("CREATE SCHEMA jbig; IMPORT FOREIGN SCHEMA journey FROM SERVER jbig INTO jbig;")
    s.append("CREATE SCHEMA jcache; IMPORT FOREIGN SCHEMA journey FROM SERVER jcache INTO jcache;")
    for c in CONCURRENCY:
        server("lat%d" % c, ", max_concurrency '%d'" % c)
        cols = "(store_code text, event_start timestamptz, dwell_time_seconds integer)"
        s.append("CREATE FOREIGN TABLE lat_a_%d %s SERVER lat%d OPTIONS "
                 "(resource 'visit_journey_events', page_size '%d');" % (c, cols, c, lat_a_page))
        s.append("CREATE FOREIGN TABLE mem_%d %s SERVER lat%d OPTIONS "
                 "(resource 'visit_journey_events', page_size '%d');" % (c, cols, c, BIG_PAGE))
        s.append("CREATE FOREIGN TABLE lat_b_%d %s SERVER lat%d OPTIONS "
                 "(resource 'visit_journey_events', page_size '10000', window '30 minutes');"
                 % (c, cols, c))
    for p in SWEEP_PAGES:
        s.append("CREATE FOREIGN TABLE sweep_%d (store_code text, event_start timestamptz, "
                 "dwell_time_seconds integer) SERVER jbig OPTIONS "
                 "(resource 'visit_journey_events', page_size '%d');" % (p, p))
    s.append("CREATE UNLOGGED TABLE pages (doc jsonb);")
    s.append("CREATE UNLOGGED TABLE events_local (session_id text, visit_id text, user_id text, "
             "device_id text, date_of_visit date, store_name text, store_code text, "
             "zone_name text, zone_serial_code text, zone_entered_from text, "
             "zone_exited_to text, dwell_time_seconds integer, event_start timestamptz, "
             "event_end timestamptz, source text);")
    return "\n".join(s) + "\n"


# --------------------------------------------------------------------------
# throughput and memory
# --------------------------------------------------------------------------

FDW_QUERY = "SELECT count(*), sum(dwell_time_seconds) FROM %s WHERE %s"


def fdw_run(lo, hi, perf_file=None, table="jbig.visit_journey_events"):
    """One retail_fdw query in a fresh session: (seconds, rows, sum, hwm0, hwm)."""
    pre = ""
    post = ""
    if perf_file:
        pidfile = perf_file + ".pid"
        pre = ("SELECT pg_backend_pid() AS pid \\gset\n\\setenv BENCH_PID :pid\n"
               "\\! perf record -F 499 --call-graph dwarf,16384 -o %s -p $BENCH_PID >%s.log 2>&1 & echo $! > %s\n"
               "SELECT pg_sleep(1);\n" % (perf_file, perf_file, pidfile))
        post = ("\\! kill -INT $(cat %s); while kill -0 $(cat %s) 2>/dev/null; do sleep 0.1; done\n"
                % (pidfile, pidfile))
    out = psql("SELECT 'hwm0', %s;\n%s\\timing on\nSELECT 'q', count, sum FROM (%s) q;\n"
               "\\timing off\n%sSELECT 'hwm', %s;\n"
               % (HWM, pre, FDW_QUERY % (table, where_range(lo, hi)), post, HWM))
    t = timings(out)
    rows, total = tagged(out, "q")
    return t[-1], int(rows), int(total or 0), int(tagged(out, "hwm0")[0]), int(tagged(out, "hwm")[0])


def hwm_run(table, lo, hi):
    """Peak RSS (kB) of a fresh backend after one query on table."""
    out = psql("SELECT 'q', count(*) FROM %s WHERE %s;\nSELECT 'hwm', %s;\n"
               % (table, where_range(lo, hi), HWM))
    return int(tagged(out, "hwm")[0])


def page_urls(lo, hi, page_size):
    """Every page of every daily series over [lo, hi) (all stores)."""
    out = []
    for gte, lte in windows(lo, hi, dt.timedelta(days=1)):
        n = api_count(None, gte, lte)
        for p in range(1, max(1, math.ceil(n / page_size)) + 1):
            out.append(SIM + PATH + "?" + query_string(None, gte, lte, page_size, p))
    return out


def curl_config(path, urls, outputs=None):
    with open(path, "w") as f:
        f.write('header = "Authorization: Token %s"\nnoproxy = "*"\nsilent\nfail\n' % TOKEN)
        for i, u in enumerate(urls):
            f.write('url = "%s"\n' % u)
            if outputs:
                f.write('output = "%s"\n' % outputs[i])


def fetch_files(urls, workdir, sub="pages"):
    d = os.path.join(workdir, sub)
    os.makedirs(d, exist_ok=True)
    files = [os.path.join(d, "%04d.json" % i) for i in range(len(urls))]
    cfg = os.path.join(workdir, "curl-%s.cfg" % sub)
    curl_config(cfg, urls, files)
    subprocess.run(["curl", "-K", cfg], check=True)
    return files


def serving_rate(urls, workdir, parallel):
    cfg = os.path.join(workdir, "curl-null-%d.cfg" % parallel)
    curl_config(cfg, urls, ["/dev/null"] * len(urls))
    args = ["curl", "-s", "-K", cfg]
    if parallel > 1:
        args += ["-Z", "--parallel-max", str(parallel)]
    t0 = time.monotonic()
    subprocess.run(args, check=True)
    return time.monotonic() - t0


def jsonc_runs(binary, files, n):
    out = subprocess.run([binary, "-r", str(n)] + files, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    res = []
    for line in out.split("\n"):
        if line.strip():
            rows, total, secs = line.split()
            res.append((float(secs), int(rows), int(total)))
    return res


def pyjson_runs(files, n):
    """Python's json module alone on the same bytes (a reference for (c))."""
    bodies = [open(f, "rb").read() for f in files]
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        rows = total = 0
        for b in bodies:
            for r in json.loads(b)["results"]:
                rows += 1
                total += r["dwell_time_seconds"] or 0
        out.append((time.monotonic() - t0, rows, total))
        del b
    return out


def copy_run(workdir, urls):
    """COPY ... FROM PROGRAM 'curl ...' into jsonb, then jsonb_to_recordset."""
    cfg = os.path.join(workdir, "curl-copy.cfg")
    curl_config(cfg, urls)
    with open(cfg, "a") as f:
        f.write('write-out = "\\n"\n')
    os.chmod(cfg, 0o644)
    prog = "curl -K %s" % shlex.quote(cfg)
    out = psql("TRUNCATE pages;\n\\timing on\n"
               "COPY pages FROM PROGRAM '%s' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02');\n"
               "SELECT 'q', count(*), sum(r.dwell_time_seconds) FROM pages, "
               "jsonb_to_recordset(doc->'results') AS r(dwell_time_seconds integer);\n"
               % prog.replace("'", "''"))
    t = timings(out)
    rows, total = tagged(out, "q")
    return t[0] + t[1], int(rows), int(total or 0)


def etl_run(lo, hi):
    psql("TRUNCATE events_local;\n")
    firsts = [SIM + PATH + "?" + query_string(None, gte, lte, BIG_PAGE)
              for gte, lte in windows(lo, hi, dt.timedelta(days=1))]
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, os.path.join(HERE, "etl.py"), "--token", TOKEN,
                          "--table", "events_local"] + firsts,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    secs = time.monotonic() - t0
    rows, total = out.split()
    return secs, int(rows), int(total)


PERF_INCLUSIVE = ["retailIterateForeignScan", "main", "parse_body", "rf_http_wait", "parser_feed",
                  "json_tokener_parse_ex", "rf_page_free", "rf_page_row", "row_field",
                  "json_to_datum", "timestamptz_in", "malloc_consolidate",
                  "tcp_recvmsg", "ExecAgg", "advance_aggregates"]


def perf_report(perf_file):
    """Self time by symbol, then inclusive time of the FDW's main steps."""
    self_rep = subprocess.run(
        ["perf", "report", "-i", perf_file, "--no-children", "--stdio", "--sort", "dso,symbol",
         "-g", "none", "--percent-limit", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    lines = [l.rstrip(" -") for l in self_rep.splitlines() if l.strip() and not l.startswith("#")]
    out = ["self time (dso, symbol):"] + lines[:25]
    incl = subprocess.run(
        ["perf", "report", "-i", perf_file, "--children", "--stdio", "--sort", "symbol",
         "-g", "none"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    seen = set()
    out.append("")
    out.append("inclusive time (children, self, symbol):")
    for l in incl.splitlines():
        m = re.match(r"\s*([0-9.]+%)\s+([0-9.]+%)\s+\[.\]\s+(\S+)", l)
        if m and m.group(3) in PERF_INCLUSIVE and m.group(3) not in seen:
            seen.add(m.group(3))
            out.append("  %7s %7s  %s" % m.groups())
    return "\n".join(out)


# --------------------------------------------------------------------------
# parallel scan
# --------------------------------------------------------------------------

PAR_FIRST = dt.date(2025, 9, 1)         # days no other case reads
PAR_DAYS = 4
PAR_VISITS_FACTOR = 2                   # twice the visits: ~800k rows in 4 days
PAR_ONE_STORE = "SM-001"                # four daily series: one store
# (name, stores, target speed-up of 2 workers over the serial plan)
PAR_CASES = [("12 series", STORES, 1.7), ("4 series", [PAR_ONE_STORE], 1.2)]


def worker_rows(plan, rows):
    """Rows the leader and each worker read, from EXPLAIN (ANALYZE, VERBOSE)
    of the parallel plan: the node's "Worker N" lines, and the leader's as
    the rest of the query's rows."""
    node = plan[plan.index("Parallel Foreign Scan"):]
    workers = [int(r) for r in re.findall(r"Worker \d+:\s+actual rows=(\d+)", node)]
    return [rows - sum(workers)] + workers


def parallel_case():
    """Serial plan against 2 workers on the same rows, 12 series (four days
    x 3 stores, ~800k rows) and 4 series (four days of one store): medians
    of LAT_RUNS fresh sessions each, interleaved, and the rows each
    participant read in one more parallel run of each.  The simulator's
    journey data is regenerated with twice the visits (its caches are
    dropped), so this runs last."""
    visits = int(os.environ.get("BENCH_VISITS") or 6500)
    sim_post("/_sim/config", {"journey": {"visits_per_day": visits * PAR_VISITS_FACTOR,
                                          "response_cache": 1}})
    lo = day0(PAR_FIRST)
    hi = day0(PAR_FIRST + dt.timedelta(days=PAR_DAYS))
    serial = "SET max_parallel_workers_per_gather = 0;\n"
    # parallel plans forced: four series would not pay for two workers'
    # costed connections and first pages at default settings (cpu_tuple_cost
    # only tips the planner; the timings are the executor's)
    forced = ("SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; "
              "SET parallel_tuple_cost = 0; SET cpu_tuple_cost = 1;\n")
    log("parallel: generating four days of %d visits per store and day" % (visits * PAR_VISITS_FACTOR))
    out = []
    for name, stores, target in PAR_CASES:
        q = ("SELECT count(*), sum(dwell_time_seconds) FROM jbig.visit_journey_events "
             "WHERE store_code IN (%s) AND %s"
             % (", ".join("'%s'" % st for st in stores), where_range(lo, hi)))
        psql(serial + q + ";\n")          # the simulator generates and caches every page
        plan = psql("EXPLAIN (COSTS OFF) " + q + ";\n")
        fplan = psql(forced + "EXPLAIN (COSTS OFF) " + q + ";\n")
        if "Parallel Foreign Scan" not in fplan:
            raise SystemExit("no parallel plan even when forced:\n" + fplan)
        out.append({"name": name, "q": q, "stores": len(stores), "target": target,
                    "series": PAR_DAYS * len(stores), "serial_t": [], "parallel_t": [],
                    "res": set(), "default_parallel": "Parallel Foreign Scan" in plan})
    for r in range(LAT_RUNS):
        for c in out:
            for name, pre in (("serial", serial), ("parallel", forced)):
                res = psql(pre + "\\timing on\nSELECT 'q', count, sum FROM (%s) q;\n" % c["q"])
                c[name + "_t"].append(timings(res)[-1])
                c["res"].add(tuple(tagged(res, "q")))
            log("  run %d, %s: serial %.2f s, 2 workers %.2f s (load %s)"
                % (r + 1, c["name"], c["serial_t"][-1], c["parallel_t"][-1],
                   open("/proc/loadavg").read().split(" ")[0]))
    for c in out:
        if len(c["res"]) != 1:
            raise SystemExit("serial and parallel plans disagree (%s): %r" % (c["name"], c["res"]))
        c["rows"] = int(c["res"].pop()[0])
        c["serial"], c["parallel"] = med(c["serial_t"]), med(c["parallel_t"])
        plan = psql(forced + "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                    + c["q"] + ";\n")
        c["participants"] = worker_rows(plan, c["rows"])
        log("  %s: rows read by the leader and each worker: %s"
            % (c["name"], " / ".join("{:,}".format(n) for n in c["participants"])))
    return out


def parallel_rows(pars):
    """The parallel cases' rows of the results table (tuples)."""
    rows = []
    for par in pars:
        rows.append((
            "Parallel: %s rows, four days x %d store%s (%d series, page_size %d), `count(*), sum(dwell_time_seconds)`"
            % ("{:,}".format(par["rows"]), par["stores"], "s" if par["stores"] > 1 else "",
               par["series"], BIG_PAGE),
            "serial %s, 2 workers %s = %.2f× (rows read by the leader / each worker: %s; "
            "planner at default settings: %s)"
            % (fmt_s(par["serial"]), fmt_s(par["parallel"]), par["serial"] / par["parallel"],
               " / ".join("{:,}".format(n) for n in par["participants"]),
               "parallel" if par["default_parallel"] else "serial"),
            "≥ %.1f×" % par["target"],
            "met" if par["serial"] >= par["target"] * par["parallel"] else "**missed**"))
    return rows


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jsonc", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--simdjson", help="simdjson_sum (absent: its line says skipped)")
    ap.add_argument("--out")
    args = ap.parse_args()
    started = time.monotonic()
    if ONLY == "anchors":
        psql(setup_sql(1000))
        text = anchors.run(sys.modules[__name__], args.jsonc, args.simdjson, args.workdir)
        sys.stdout.write("\n" + text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text)
        return 0
    if ONLY == "parallel":
        psql(setup_sql(1000))
        for row in parallel_rows(parallel_case()):
            sys.stdout.write("| %s |\n" % " | ".join(row))
        return 0
    rows_table = []       # (case, figure, target, met)
    notes = []

    # -- the data, pre-generated: every page of the 1M-row set fetched once
    lo, hi = big_range()
    slo, shi = small_range()
    log("generating and caching the pages (%d days x %d stores)" % (BIG_DAYS, len(STORES)))
    t0 = time.monotonic()
    urls = page_urls(lo, hi, BIG_PAGE)
    files = fetch_files(urls, args.workdir)
    log("  %d pages in %.1f s" % (len(urls), time.monotonic() - t0))
    nbytes = sum(os.path.getsize(f) for f in files)

    a_count = api_count("SM-001", day0(LAT_A_DAY), day0(LAT_A_DAY + dt.timedelta(days=1))
                        - dt.timedelta(microseconds=1))
    lat_a_page = math.ceil(a_count / LAT_PAGES)
    assert math.ceil(a_count / lat_a_page) == LAT_PAGES, (a_count, lat_a_page)
    psql(setup_sql(lat_a_page))

    # -- the simulator's own serving rate (cached pages, curl to /dev/null)
    serve1 = med([serving_rate(urls, args.workdir, 1) for _ in range(max(1, min(RUNS, 3)))])
    serve4 = med([serving_rate(urls, args.workdir, 4) for _ in range(max(1, min(RUNS, 3)))])

    # -- throughput (+ memory of the 1M run), methods interleaved per run
    log("throughput: %d runs of each method" % RUNS)
    jc = jsonc_runs(args.jsonc, files, RUNS)
    ref = (jc[0][1], jc[0][2])
    fdw_run(lo, hi)                        # warm-up: connections, caches
    etl_run(lo, hi)                        # warm-up: the next-link URLs get cached
    res = {"fdw": [], "copy": [], "etl": []}
    hwm_big = []
    hwm_small = []
    hwm_base = []
    for r in range(RUNS):
        secs, n, total, h0, h = fdw_run(lo, hi)
        res["fdw"].append((secs, n, total))
        hwm_big.append(h)
        hwm_base.append(h0)
        res["copy"].append(copy_run(args.workdir, urls))
        res["etl"].append(etl_run(lo, hi))
        _, _, _, h0, h = fdw_run(slo, shi)
        hwm_small.append(h)
        log("  run %d: fdw %.2f s, copy %.2f s, etl %.2f s"
            % (r + 1, res["fdw"][-1][0], res["copy"][-1][0], res["etl"][-1][0]))
    res["jsonc"] = jc
    res["pyjson"] = pyjson_runs(files, RUNS)
    for name, runs in res.items():
        for secs, n, total in runs:
            if (n, total) != ref:
                raise SystemExit("%s returned %d rows, sum %d; json-c read %d rows, sum %d"
                                 % (name, n, total, ref[0], ref[1]))
    nrows = ref[0]
    rate = {k: nrows / med([x[0] for x in v]) for k, v in res.items()}
    small_rows = api_count(None, slo, shi - dt.timedelta(microseconds=1))

    sweep = {}
    for p in SWEEP_PAGES:
        log("throughput at page_size %d" % p)
        pfiles = fetch_files(page_urls(lo, hi, p), args.workdir, "pages-%d" % p)
        fdw_run(lo, hi, table="sweep_%d" % p)
        f_runs = [fdw_run(lo, hi, table="sweep_%d" % p)[:3] for _ in range(LAT_RUNS)]
        j_runs = jsonc_runs(args.jsonc, pfiles, LAT_RUNS)
        for secs, n, total in f_runs + j_runs:
            if (n, total) != ref:
                raise SystemExit("page_size %d: %d rows, sum %d; expected %d, %d"
                                 % (p, n, total, ref[0], ref[1]))
        sweep[p] = (nrows / med([x[0] for x in f_runs]), nrows / med([x[0] for x in j_runs]),
                    len(pfiles))
        shutil.rmtree(os.path.dirname(pfiles[0]))

    log("memory against max_concurrency")
    hwm_conc = {c: med([hwm_run("mem_%d" % c, slo, shi) for _ in range(LAT_RUNS)])
                for c in CONCURRENCY}

    perf_text = perf_jc = None
    if PERF:
        log("perf record of one more retail_fdw run")
        pf = os.path.join(args.workdir, "perf.data")
        fdw_run(lo, hi, perf_file=pf)
        perf_text = perf_report(pf)
        pj = os.path.join(args.workdir, "perf-jsonc.data")
        subprocess.run(["perf", "record", "-F", "499", "--call-graph", "dwarf,16384", "-o", pj,
                        args.jsonc, "-r", "1"] + files,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        perf_jc = perf_report(pj)

    # -- latency
    log("latency: %d pages delayed %d ms" % (LAT_PAGES, DELAY_MS))
    a_lo, a_hi = day0(LAT_A_DAY), day0(LAT_A_DAY + dt.timedelta(days=1))
    b_lo = day0(LAT_B_DAY) + dt.timedelta(hours=LAT_B_FROM)
    b_hi = b_lo + dt.timedelta(minutes=30 * LAT_PAGES)
    lat_q = {
        "a": "SELECT count(*) FROM lat_a_%%d WHERE store_code = 'SM-001' AND %s" % where_range(a_lo, a_hi),
        "b": "SELECT count(*) FROM lat_b_%%d WHERE store_code = 'SM-001' AND %s" % where_range(b_lo, b_hi),
    }
    lat_tag = {"a": "datetime_gte=%s" % LAT_A_DAY, "b": "datetime_gte=%s" % LAT_B_DAY}
    for v in "ab":                         # warm-up without delay
        psql(lat_q[v] % 8 + ";\n")
    for v in "ab":
        sim_post("/_sim/faults", {"vendor": "journey", "kind": "delay", "delay_ms": DELAY_MS,
                                  "times": -1, "query_contains": lat_tag[v]})
    lat = {}
    lat_reqs = {}
    lat_lag = {}
    for v in "ab":
        for c in CONCURRENCY:
            times = []
            for _ in range(LAT_RUNS):
                before = sim_records(lat_tag[v])
                out = psql("\\timing on\n" + lat_q[v] % c + ";\n")
                times.append(timings(out)[0])
                recs = sim_records(lat_tag[v])[len(before):]
                lat_reqs[v, c] = len(recs)
            lags = refill_lags(recs, c, v == "a")
            lat_lag[v, c] = (sum(lags), max(lags))
            lat[v, c] = med(times)
            log("  %s c=%d: %.2f s, %d requests, slots idle %.0f ms in all"
                % (v, c, lat[v, c], lat_reqs[v, c], 1000 * lat_lag[v, c][0]))

    # -- requests
    log("requests")
    sim_post("/_sim/reset", {})            # record and faults
    one = dt.timedelta(microseconds=1)

    def series_min(store_list, lo_, hi_, ps):
        total = 0
        for store in store_list:
            for gte, lte in windows(lo_, hi_, dt.timedelta(days=1)):
                total += max(1, math.ceil(api_count(store, gte, lte) / ps))
        return total

    d1 = day0(BIG_FIRST + dt.timedelta(days=1))
    wk = day0(BIG_FIRST)
    r_lo = day0(BIG_FIRST + dt.timedelta(days=3)) + dt.timedelta(hours=12)
    r_hi = day0(BIG_FIRST + dt.timedelta(days=5)) + dt.timedelta(hours=6)
    lim_day = day0(BIG_FIRST + dt.timedelta(days=2))
    req_cases = [
        ("one store, one day", "jdefault",
         "SELECT count(*) FROM jdefault.visit_journey_events WHERE store_code = 'SM-001' AND %s"
         % where_range(d1, d1 + dt.timedelta(days=1)),
         lambda: series_min(["SM-001"], d1, d1 + dt.timedelta(days=1), REQ_PAGE), REQ_PAGE),
        ("3 stores (IN), one week", "jdefault",
         "SELECT count(*) FROM jdefault.visit_journey_events WHERE store_code IN "
         "('SM-001', 'SM-002', 'SM-003') AND %s" % where_range(wk, wk + dt.timedelta(days=7)),
         lambda: series_min(STORES, wk, wk + dt.timedelta(days=7), REQ_PAGE), REQ_PAGE),
        ("one store, one day, LIMIT 10", "jdefault",
         "SELECT count(*) FROM (SELECT * FROM jdefault.visit_journey_events WHERE "
         "store_code = 'SM-002' AND %s LIMIT 10) s"
         % where_range(lim_day, lim_day + dt.timedelta(days=1)),
         lambda: 1, "10 (from LIMIT)"),
        ("event_start range, all stores (%s to %s)" % (r_lo.strftime("%m-%d %H:%M"),
                                                       r_hi.strftime("%m-%d %H:%M")),
         "jdefault",
         "SELECT count(*) FROM jdefault.visit_journey_events WHERE %s" % where_range(r_lo, r_hi),
         lambda: series_min([None], r_lo, r_hi, REQ_PAGE), REQ_PAGE),
        ("the throughput query (%d days, all stores)" % BIG_DAYS, "jbig",
         "SELECT count(*) FROM jbig.visit_journey_events WHERE %s" % where_range(lo, hi),
         lambda: series_min([None], lo, hi, BIG_PAGE), BIG_PAGE),
    ]
    req_res = []
    for name, _srv, q, minimum, ps in req_cases:
        before = sim_requests()
        out = psql("SELECT 'q', (%s);\n" % q)
        nreq = sim_requests() - before
        n = int(tagged(out, "q")[0])
        m = minimum()
        req_res.append((name, ps, n, nreq, m))
        log("  %s: %d rows, %d requests, minimum %d" % (name, n, nreq, m))

    # -- the response cache: the week query twice in one session (the
    # cache is the session's without preloading, sized here so that the
    # week's answers fit: a scan larger than the cache evicts, oldest
    # first, the answers its own repeat needs next), the simulator's
    # count read between the two
    log("response cache")
    q_week = ("SELECT count(*) || '|' || sum(dwell_time_seconds) FROM jcache.visit_journey_events "
              "WHERE store_code IN ('SM-001', 'SM-002', 'SM-003') AND %s"
              % where_range(wk, wk + dt.timedelta(days=7)))
    count_cmd = ("\\! curl -s '%s/_sim/requests?vendor=journey' | %s -c "
                 "'import json, sys; print(\"n|%%d\" %% len(json.load(sys.stdin)))'\n"
                 % (SIM, sys.executable))
    out = psql("SET retail_fdw.local_cache_size = '%s';\n\\timing on\n" % CACHE_SIZE + count_cmd + "SELECT 'first|' || (%s);\n" % q_week
               + count_cmd + "SELECT 'repeat|' || (%s);\n" % q_week + count_cmd)
    counts = [int(line.split("|")[1]) for line in out.splitlines() if line.startswith("n|")]
    c_times = timings(out)
    c_first, c_repeat = tagged(out, "first"), tagged(out, "repeat")
    cache_res = (counts[1] - counts[0], counts[2] - counts[1], c_first == c_repeat,
                 int(c_first[0]), c_times[0], c_times[1])
    log("  first %d requests, repeat %d requests, same rows %s, %.3f s vs %.3f s"
        % (cache_res[0], cache_res[1], cache_res[2], cache_res[4], cache_res[5]))

    # -- issue 26's anchors side by side: file_fdw, simdjson, json-c,
    # COPY + jsonb, retail_fdw network and cached (before the parallel
    # case, which regenerates the simulator's data)
    anchor_text = anchors.run(sys.modules[__name__], args.jsonc, args.simdjson, args.workdir)

    # -- parallel: four days of twice the visits, serial against 2 workers
    par = parallel_case()

    # -- the table
    met = lambda ok: "met" if ok else "**missed**"
    r_fdw, r_jc, r_copy, r_etl = rate["fdw"], rate["jsonc"], rate["copy"], rate["etl"]
    rows_table.append((
        "Throughput: retail_fdw, `count(*), sum(dwell_time_seconds)` over %s rows (page_size %d, max_concurrency 4)"
        % ("{:,}".format(nrows), BIG_PAGE),
        "%s rows/s (%s) = %.0f%% of json-c" % (fmt_rate(r_fdw), fmt_s(nrows / r_fdw), 100 * r_fdw / r_jc),
        "≥ 100%% of json-c's whole-page tree parse (%s rows/s)" % fmt_rate(r_jc),
        met(r_fdw >= r_jc)))
    rows_table.append((
        "Throughput vs (b) COPY FROM PROGRAM curl + jsonb_to_recordset",
        "%.2f× (%s rows/s)" % (r_fdw / r_copy, fmt_rate(r_copy)),
        "≥ 2.5×", met(r_fdw >= 2.5 * r_copy)))
    rows_table.append((
        "Throughput vs (c) Python urllib + json + COPY via psql",
        "%.1f× (%s rows/s)" % (r_fdw / r_etl, fmt_rate(r_etl)),
        "ahead (> 1×); aim 2×", "%s%s" % (met(r_fdw > r_etl), ", 2× met" if r_fdw >= 2 * r_etl else ", 2× missed")))
    for v, label in (("a", "one series of %d pages (page_size %d)" % (LAT_PAGES, lat_a_page)),
                     ("b", "%d one-page series (window '30 minutes')" % LAT_PAGES)):
        for c in CONCURRENCY:
            ideal = math.ceil(LAT_PAGES / c) * DELAY_MS / 1000.0
            extra = ""
            if v == "a":
                bound = (1 + math.ceil((LAT_PAGES - 1) / c)) * DELAY_MS / 1000.0
                extra = "; page 1 alone first: %s = %.2f×" % (fmt_s(bound), bound / ideal)
            rows_table.append((
                "Latency: %s, each delayed %d ms, max_concurrency %d" % (label, DELAY_MS, c),
                "%s = %.2f× ideal (%d requests; slots idle %.0f ms%s)"
                % (fmt_s(lat[v, c]), lat[v, c] / ideal, lat_reqs[v, c],
                   1000 * lat_lag[v, c][0], extra),
                "≤ 1.3 × %s" % fmt_s(ideal), met(lat[v, c] <= 1.3 * ideal)))
    for p, (rf, rj, npages) in sorted(sweep.items()):
        rows_table.append((
            "Throughput (information): the same query at page_size %d (%d pages), medians of %d"
            % (p, npages, LAT_RUNS),
            "retail_fdw %s rows/s, json-c %s rows/s: %.0f%% of json-c"
            % (fmt_rate(rf), fmt_rate(rj), 100 * rf / rj),
            "—", "information"))
    mb = lambda kb: "%.0f MiB" % (kb / 1024.0)
    h_small, h_big = med(hwm_small), med(hwm_big)
    rows_table.append((
        "Memory: peak backend RSS (VmHWM) for %s rows vs %s rows" % ("{:,}".format(nrows), "{:,}".format(small_rows)),
        "%s vs %s = %.2f× (fresh backend: %s)" % (mb(h_big), mb(h_small), h_big / h_small, mb(med(hwm_base))),
        "≤ 1.2×", met(h_big <= 1.2 * h_small)))
    # each slot of max_concurrency holds one page in flight: the growth
    # from 1 to 8 slots, over 7, is what one more page costs
    per_page = (hwm_conc[8] - hwm_conc[1]) / 7.0
    page_bytes = nbytes / len(files)
    rows_table.append((
        "Memory: peak RSS per page in flight, from the %s rows at max_concurrency %s, page_size %d"
        % ("{:,}".format(small_rows), ", ".join(str(c) for c in CONCURRENCY), BIG_PAGE),
        "%s: %s per page, %.2f× its %.1f MB of JSON"
        % (" / ".join(mb(hwm_conc[c]) for c in CONCURRENCY), mb(max(per_page, 0)),
           max(per_page, 0) * 1024 / page_bytes, page_bytes / 1e6),
        "≤ 2× the page's bytes", met(per_page * 1024 <= 2 * page_bytes)))
    for name, ps, n, nreq, m in req_res:
        rows_table.append((
            "Requests: %s; %s rows, page_size %s" % (name, "{:,}".format(n), ps),
            "%d (minimum %d)" % (nreq, m), "= minimum", met(nreq == m)))

    rows_table.append((
        "Response cache: the 3-store week query repeated within `cache_ttl` (%s rows, local_cache_size %s)"
        % ("{:,}".format(cache_res[3]), CACHE_SIZE),
        "%d requests (first run: %d), %s, %s vs %s"
        % (cache_res[1], cache_res[0], "same rows and sum" if cache_res[2] else "**different rows**",
           fmt_s(cache_res[5]), fmt_s(cache_res[4])),
        "0 requests", met(cache_res[1] == 0 and cache_res[2])))

    rows_table.extend(parallel_rows(par))

    md = []
    md.append("| Case | Figure | Target | Result |")
    md.append("|---|---|---|---|")
    for c, f, t, m in rows_table:
        md.append("| %s | %s | %s | %s |" % (c, f, t, m))
    md.append("")
    md.append("Throughput, medians of %d runs (same %s rows, same sum, %.0f MB of JSON in %d pages of %d rows):"
              % (RUNS, "{:,}".format(nrows), nbytes / 1e6, len(files), BIG_PAGE))
    md.append("")
    md.append("| Method | Median time | Rows/s | retail_fdw is |")
    md.append("|---|---|---|---|")
    names = [("fdw", "retail_fdw (one SQL query)"),
             ("jsonc", "(a) json-c alone: C program, pages already in memory, 16 KiB chunks"),
             ("copy", "(b) `COPY pages FROM PROGRAM 'curl ...'` + `jsonb_to_recordset`"),
             ("etl", "(c) Python urllib + json, COPY via psql, then the query"),
             ("pyjson", "(reference) Python `json.loads` alone, pages in memory")]
    for k, label in names:
        md.append("| %s | %s | %s | %s |" % (label, fmt_s(nrows / rate[k]), fmt_rate(rate[k]),
                                              "—" if k == "fdw" else "%.2f×" % (r_fdw / rate[k])))
    md.append("")
    md.append("Simulator serving the cached pages to curl (to /dev/null): %s rows/s (%.0f MB/s) "
              "sequentially, %s rows/s with 4 transfers at once."
              % (fmt_rate(nrows / serve1), nbytes / 1e6 / serve1, fmt_rate(nrows / serve4)))
    md.append("")
    md.append("Run: %s, %d runs per figure%s, %s, load average before/after: %s; total %.0f s."
              % (dt.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), RUNS,
                 " (BENCH_QUICK)" if QUICK else "", os.uname().nodename,
                 LOAD0 + " / " + open("/proc/loadavg").read().split(" ")[0],
                 time.monotonic() - started))
    text = "\n".join(md) + "\n\n" + anchor_text
    if perf_text:
        text += ("\nperf report of one more retail_fdw throughput run (the backend):\n\n"
                 "```\n%s\n```\n" % perf_text)
        text += ("\nperf report of jsonc_sum on the same pages (the baseline):\n\n"
                 "```\n%s\n```\n" % perf_jc)
    sys.stdout.write("\n" + text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


LOAD0 = open("/proc/loadavg").read().split(" ")[0]

if __name__ == "__main__":
    sys.exit(main())
