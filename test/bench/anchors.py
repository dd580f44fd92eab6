"""The anchors of issue 26, side by side in one run: the same ~200,000
journey rows read by

  - PostgreSQL's file_fdw from a local CSV of those rows,
  - retail_fdw over the network (serial, and 2 workers forced),
  - retail_fdw from its response cache (the pages already in memory,
    same session as file_fdw),
  - COPY FROM PROGRAM curl + jsonb_to_recordset,
  - json-c's whole-tree parse of the same pages (jsonc_sum.c) and
    simdjson's on-demand walk of them (simdjson_sum.cpp, the parse limit),

with two queries: `count(*), count(DISTINCT visit_id), max(event_end),
sum(dwell_time_seconds)` (Q4) and `count(*), sum(dwell_time_seconds)` (Q2);
and the peak memory of a fresh backend against the number of requests.

bench.py calls run(B, jsonc, simdjson, workdir) with itself as B (its
helpers: psql, timings, med, the data's dates); simdjson is None when the
helper could not be built (run.sh says why).
"""

import datetime as dt
import os
import time

ANCHOR_DAYS = 2                  # ~190,000 events (all three stores)
MEM_DAYS = [1, 3, 10]            # peak memory against requests (page_size 1000)
CACHE_SIZE = "512MB"

COLS = ("session_id text, visit_id text, user_id text, device_id text, date_of_visit date, "
        "store_name text, store_code text, zone_name text, zone_serial_code text, "
        "zone_entered_from text, zone_exited_to text, dwell_time_seconds integer, "
        "event_start timestamptz, event_end timestamptz, source text")
COLNAMES = [c.split(" ")[0] for c in COLS.split(", ")]

Q4 = ("SELECT count(*) || '|' || count(DISTINCT visit_id) || '|' || max(event_end) || '|' "
      "|| sum(dwell_time_seconds) FROM %s WHERE %s")
Q2 = "SELECT count(*) || '|' || sum(dwell_time_seconds) FROM %s WHERE %s"


def setup(B, lo, hi, csv):
    """The servers and tables of the case, and the CSV of the same rows."""
    sim = B.SIM
    B.psql("SET client_min_messages = warning;\n"
           "CREATE EXTENSION IF NOT EXISTS file_fdw;\n"
           "DROP SERVER IF EXISTS anchor_csv CASCADE;\n"
           "CREATE SERVER anchor_csv FOREIGN DATA WRAPPER file_fdw;\n"
           "DROP SERVER IF EXISTS janc CASCADE;\n"
           "CREATE SERVER janc FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', "
           "base_url '%s', page_size '%d', cache_ttl '1 hour');\n"
           "CREATE USER MAPPING FOR CURRENT_USER SERVER janc OPTIONS (token '%s');\n"
           "DROP SCHEMA IF EXISTS janc CASCADE; CREATE SCHEMA janc;\n"
           "IMPORT FOREIGN SCHEMA journey LIMIT TO (visit_journey_events) FROM SERVER janc INTO janc;\n"
           % (sim, B.BIG_PAGE, B.TOKEN))
    # the CSV: the rows as retail_fdw reads them, every column
    B.psql("\\copy (SELECT %s FROM jbig.visit_journey_events WHERE %s) TO '%s' WITH (FORMAT csv)\n"
           % (", ".join(COLNAMES), B.where_range(lo, hi), csv))
    os.chmod(csv, 0o644)
    B.psql("CREATE FOREIGN TABLE anchor_csv (%s) SERVER anchor_csv "
           "OPTIONS (filename '%s', format 'csv');\n" % (COLS, csv))


def timed(B, pre, queries, tag):
    """Run queries (one session), return [(seconds, result)] of each."""
    script = pre + "\\timing on\n" + "".join("SELECT '%s|' || (%s);\n" % (tag, q) for q in queries)
    out = B.psql(script)
    t = B.timings(out)[-len(queries):]
    res = [line.split("|", 1)[1] for line in out.splitlines() if line.startswith(tag + "|")]
    return list(zip(t, res))


def copy_jsonb(B, workdir, urls):
    """COPY FROM PROGRAM curl into jsonb, then Q4 and Q2 over jsonb_to_recordset."""
    cfg = os.path.join(workdir, "curl-anchor.cfg")
    B.curl_config(cfg, urls)
    with open(cfg, "a") as f:
        f.write('write-out = "\\n"\n')
    os.chmod(cfg, 0o644)
    prog = "curl -K %s" % cfg
    rec = ("(SELECT r.* FROM pages, jsonb_to_recordset(doc->'results') AS "
           "r(visit_id text, event_end timestamptz, dwell_time_seconds integer)) s")
    out = B.psql("TRUNCATE pages;\n\\timing on\n"
                 "COPY pages FROM PROGRAM '%s' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02');\n"
                 "SELECT 'q4|' || (%s);\nSELECT 'q2|' || (%s);\n"
                 % (prog.replace("'", "''"), Q4 % (rec, "true"), Q2 % (rec, "true")))
    t = B.timings(out)
    res = {line.split("|", 1)[0]: line.split("|", 1)[1] for line in out.splitlines()
           if line.startswith("q4|") or line.startswith("q2|")}
    return (t[0] + t[1], res["q4"]), (t[0] + t[2], res["q2"])


def memory(B, lo):
    """Peak RSS (VmHWM, kB) of a fresh backend after Q2 over 1, 3, 10 days at
    page_size 1000 (jdefault), with the requests each made."""
    out = []
    for days in MEM_DAYS:
        hi = lo + dt.timedelta(days=days)
        q = Q2 % ("jdefault.visit_journey_events", B.where_range(lo, hi))
        B.psql("SELECT (%s);\n" % q)        # the simulator generates and keeps the pages
        hwm = []
        for _ in range(B.LAT_RUNS):
            before = B.sim_requests()
            res = B.psql("SELECT 'q|' || (%s);\nSELECT 'hwm', %s;\n" % (q, B.HWM))
            nreq = B.sim_requests() - before
            hwm.append(int(B.tagged(res, "hwm")[0]))
        rows = int(B.tagged(res, "q")[0])
        out.append((days, rows, nreq, B.med(hwm)))
        B.log("  memory: %d days, %d rows, %d requests, peak %d kB" % (days, rows, nreq, B.med(hwm)))
    return out


def run(B, jsonc, simdjson, workdir):
    """Measure, check that every method read the same rows, return Markdown."""
    lo = B.day0(B.BIG_FIRST)
    hi = lo + dt.timedelta(days=ANCHOR_DAYS)
    where = B.where_range(lo, hi)
    runs = B.RUNS
    load = [open("/proc/loadavg").read().split(" ")[0]]
    B.log("anchors: %d days of journey events, side by side" % ANCHOR_DAYS)
    urls = B.page_urls(lo, hi, B.BIG_PAGE)
    files = B.fetch_files(urls, workdir, "anchor-pages")
    nbytes = sum(os.path.getsize(f) for f in files)
    csv = os.path.join(workdir, "anchor.csv")
    setup(B, lo, hi, csv)

    serial = "SET max_parallel_workers_per_gather = 0;\n"
    forced = ("SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; "
              "SET parallel_tuple_cost = 0; SET cpu_tuple_cost = 1;\n")
    fdw_q = [Q4 % ("jbig.visit_journey_events", where), Q2 % ("jbig.visit_journey_events", where)]
    csv_q = [Q4 % ("anchor_csv", where), Q2 % ("anchor_csv", where)]
    cache_q = [Q4 % ("janc.visit_journey_events", where), Q2 % ("janc.visit_journey_events", where)]
    res = {k: ([], []) for k in ("file_fdw", "cached", "network", "parallel", "copy")}
    results = {}

    def add(name, pairs):
        for i, (secs, r) in enumerate(pairs):
            res[name][i].append(secs)
            results.setdefault((i, r), set()).add(name)

    timed(B, serial, fdw_q, "w")                       # warm-up: connections, pages
    for r in range(runs):
        add("network", timed(B, serial, fdw_q, "n"))
        add("parallel", timed(B, forced, fdw_q, "p"))
        add("copy", copy_jsonb(B, workdir, urls))
        # cached and file_fdw in one session: the first cached scan fills
        # the cache (untimed), then each query alternately, file_fdw first
        script_q = cache_q[:1] + [x for pair in zip(csv_q, cache_q) for x in pair]
        both = timed(B, serial + "SET retail_fdw.local_cache_size = '%s';\n" % CACHE_SIZE,
                     script_q, "c")[1:]
        add("file_fdw", [both[0], both[2]])
        add("cached", [both[1], both[3]])
        B.log("  run %d: file_fdw %.3f / %.3f s, cached %.3f / %.3f s, network %.3f / %.3f s, "
              "2 workers %.3f / %.3f s, copy+jsonb %.3f / %.3f s"
              % ((r + 1,) + tuple(res[k][i][-1] for k in ("file_fdw", "cached", "network",
                                                          "parallel", "copy") for i in (0, 1))))
    load.append(open("/proc/loadavg").read().split(" ")[0])
    for i in (0, 1):
        answers = {rr for (j, rr) in results if j == i}
        if len(answers) != 1:
            raise SystemExit("the methods disagree on query %d: %r"
                             % (i, {rr: sorted(results[(i, rr)]) for rr in answers}))
    rows, total = int(list(a for (j, a) in results if j == 1)[0].split("|")[0]), \
        int(list(a for (j, a) in results if j == 1)[0].split("|")[1])

    parse = {}
    for name, binary in (("json-c", jsonc), ("simdjson", simdjson)):
        if binary is None:
            continue
        pr = B.jsonc_runs(binary, files, runs)    # the same output: rows sum seconds
        for _secs, n, s in pr:
            if (n, s) != (rows, total):
                raise SystemExit("%s read %d rows, sum %d; the queries %d, %d" % (name, n, s, rows, total))
        parse[name] = B.med([x[0] for x in pr])

    mem = memory(B, lo)
    load.append(open("/proc/loadavg").read().split(" ")[0])

    m = {k: (B.med(v[0]), B.med(v[1])) for k, v in res.items()}
    fmt = lambda s: "%.0f ms" % (s * 1000) if s < 1 else "%.2f s" % s
    md = ["Side by side (issue 26): %s rows, %s of JSON in %d pages of %d rows; medians of %d runs."
          % ("{:,}".format(rows), "%.0f MB" % (nbytes / 1e6), len(files), B.BIG_PAGE, runs),
          "Q4 = `count(*), count(DISTINCT visit_id), max(event_end), sum(dwell_time_seconds)`, "
          "Q2 = `count(*), sum(dwell_time_seconds)`, both with the same `event_start` range. "
          "file_fdw and the cached scans run in one session, alternately.",
          "",
          "| Method | Q4 | Q2 | Q4 rows/s | file_fdw's time ÷ this (Q4, Q2) |",
          "|---|---|---|---|---|"]
    labels = [("file_fdw", "file_fdw, local CSV of the same rows"),
              ("cached", "retail_fdw cached (response cache, same session)"),
              ("network", "retail_fdw network, serial"),
              ("parallel", "retail_fdw network, 2 workers forced"),
              ("copy", "COPY FROM PROGRAM curl + jsonb_to_recordset")]
    for k, label in labels:
        q4, q2 = m[k]
        md.append("| %s | %s | %s | %s | %.2f×, %.2f× |"
                  % (label, fmt(q4), fmt(q2), "{:,.0f}".format(rows / q4),
                     m["file_fdw"][0] / q4, m["file_fdw"][1] / q2))
    for name in ("json-c", "simdjson"):
        if name in parse:
            what = ("json-c whole-tree parse (jsonc_sum, pages in memory)" if name == "json-c"
                    else "simdjson on-demand walk (simdjson_sum, pages in memory; the parse limit)")
            md.append("| %s | %s | — | %s | — |" % (what, fmt(parse[name]),
                                                   "{:,.0f}".format(rows / parse[name])))
        else:
            md.append("| simdjson on-demand walk | skipped: libsimdjson-dev could not be installed or built | — | — | — |")
    md.append("")
    targets = [
        ("cached Q4 at least as fast as file_fdw", m["cached"][0] <= m["file_fdw"][0],
         "%.2f× file_fdw's speed" % (m["file_fdw"][0] / m["cached"][0])),
        ("cached Q2 at least as fast as file_fdw", m["cached"][1] <= m["file_fdw"][1],
         "%.2f× file_fdw's speed" % (m["file_fdw"][1] / m["cached"][1])),
    ]
    if "json-c" in parse:
        targets.append(("network Q2, one backend, ≥ 3× json-c's whole-tree parse",
                        m["network"][1] * 3 <= parse["json-c"],
                        "%.2f×" % (parse["json-c"] / m["network"][1])))
    md.append("| Target | Figure | Result |")
    md.append("|---|---|---|")
    for what, ok, fig in targets:
        md.append("| %s | %s | %s |" % (what, fig, "met" if ok else "**missed**"))
    md.append("")
    md.append("Peak memory of a fresh backend against the number of requests "
              "(Q2, page_size 1000, max_concurrency 4):")
    md.append("")
    md.append("| Days | Rows | Requests | Peak RSS (VmHWM) |")
    md.append("|---|---|---|---|")
    for days, n, nreq, hwm in mem:
        md.append("| %d | %s | %d | %.1f MiB |" % (days, "{:,}".format(n), nreq, hwm / 1024.0))
    md.append("")
    md.append("Load average at the start / after the timed runs / at the end: %s."
              % " / ".join(load))
    return "\n".join(md) + "\n"
