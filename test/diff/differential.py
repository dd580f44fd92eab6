#!/usr/bin/env python3
"""Differential test of retail_fdw's pushdown ("Truth").

A pushed-down query must return exactly what PostgreSQL returns for the same
query over a wider fetch behind an optimisation fence:

  pushed:  SELECT * FROM t WHERE P [ORDER BY ... LIMIT n]
  fenced:  WITH w AS MATERIALIZED (SELECT * FROM t WHERE W [UNION ALL ...])
           SELECT * FROM w WHERE P [ORDER BY ...]

W is wider than P and still satisfies the table's required quals.  Both
answers are compared as multisets of rows (values exactly as text), in order
where the ORDER BY is total, and rows with the same key must carry the same
values in both (a row's value never depends on the query's range).  With a
LIMIT only the count, the order keys and "a subset of the fenced rows" are
checked.  A pushed query may instead be refused before any request (SQLSTATE
class HV, 22 or 42 with a message, not a vendor's answer); anything else that
fails where the fenced query succeeds is a failure.

Ground truth: for the tables of tablespec.TRUTH the simulator serves every
row behind the table (GET /_sim/truth/<vendor>/<resource>, as the document
shapes it); the runner loads them into t.<table> with the foreign table's
columns, and each case's predicate over it is the expected answer, compared
with the pushed answer as above.  So a row lost by both the pushed and the
wider fetch fails.  Every table has one; rn_datamine's (too large for one
table) is asked per case: the whole periods of the case's locations,
metrics, grains and zones over its range (?location=&metric=&grain=&tz=
&from=&to=), inline in the truth query.  The truth is
built from the simulator's data, never from an API answer.  The journey knob
edges (set here, unset at the end) puts rows on the edges the extension cuts
at; ic_visits_paged, journey_paged and rn_users_paged get listings that end
exactly at a page end (the retailnext knob extra_users, set here and unset at
the end, makes the user counts whole pages of 9).

Which columns push, with which operators and domains, which are required
(and so the inspector generator's id column and visit time) come from
retail_fdw.key_columns, and the API's sorts from retail_fdw.sort_columns,
never from a copy (tablespec keeps generators, row keys, weights and the
sort keys PostgreSQL sorts); a generated case that does not give its table's
required filters, or a "local" sort the API does, fails the run.  Extra
case classes (--classes / DIFF_CLASSES: domain, nulls, collation, casts;
off by default) probe every pushable column with values
outside the API's domain, NULLs in lists, a nondeterministic ICU collation
and casts; a summary line per class ends the report.

The cases are generated (test/diff/tablespec.py) from a seed; RetailNext
cases are run again under the simulator's reading knobs, each with the server
option that names the same reading where there is one (KNOB_SERVER_OPTIONS:
z_reading).  Needs the
environment of test/run-tests.sh (PGHOST..., SIM_<VENDOR>_URL) and talks to
PostgreSQL through psql only.  The last line is "N passed, M failed"; the
exit status is 1 if anything failed.

  differential.py [--seed N] [--long] [--cases N] [--jobs N] [--only REGEX]
                  [--classes domain,nulls,collation,casts|all]
                  [--knob-set 'retailnext.k=v ...'|none]... [--knob-cases N]
"""

import argparse
import concurrent.futures as cf
import csv
import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tablespec as ts  # noqa: E402

NULL = "<NULL>"
DOMAINS_OF = {}     # resource -> {column: key_columns.domain}, if it has that column
TRUTH_TABLES = {}   # table of ts.TRUTH -> its local ground-truth table
SCHEMAS = {"j": "journey", "a": "aifi", "r": "retailnext", "i": "inspector"}
# the simulator's reading knobs (RetailNext); each value is one knob set
DEFAULT_KNOBS = {
    "gregorian_z": ["utc", "wall"],
    "range_to": ["exclusive", "inclusive"],
    "edge_labels": ["whole", "clipped"],
    "week_groups": ["calendar", "from_first_day"],
    "z_reading": ["wall", "utc"],       # with the matching server option
    "predicted_days": ["local", "utc"],
}
# knobs whose reading the extension does not detect but is told: the server
# option that must match the knob's value while its cases run (server, option)
KNOB_SERVER_OPTIONS = {
    "retailnext.z_reading": ("rn", "z_reading"),
}
# error messages that come from a vendor's answer, not from a refusal
VENDOR_ERROR = re.compile(r"\(HTTP \d+\)|answered|rejected the request|could not talk|"
                          r"throttled|failed with HTTP|unexpected HTTP")


class SqlError(Exception):
    def __init__(self, sqlstate, message, hint, detail, raw):
        super().__init__(message)
        self.sqlstate, self.message, self.hint, self.detail, self.raw = \
            sqlstate, message, hint, detail, raw

    def short(self):
        s = "%s: %s" % (self.sqlstate or "?????", self.message)
        if self.detail:
            s += " | DETAIL: " + self.detail
        return s[:400]


class Db:
    def __init__(self, dbname, timeout_ms=90000):
        self.dbname = dbname
        self.timeout_ms = timeout_ms

    def run(self, sql, timezone="UTC", db=None):
        """-> (header, rows) or raises SqlError."""
        env = dict(os.environ)
        env["PGTZ"] = timezone
        env["PGOPTIONS"] = "-c statement_timeout=%d" % self.timeout_ms
        if os.environ.get("DIFF_PARALLEL") == "1":
            # parallel plans wherever a partial path is offered
            env["PGOPTIONS"] += (" -c parallel_setup_cost=0 -c parallel_tuple_cost=0"
                                 " -c max_parallel_workers_per_gather=2")
        cmd = ["psql", "-X", "-q", "--csv", "-P", "null=" + NULL, "-v", "ON_ERROR_STOP=1",
               "-v", "VERBOSITY=verbose", "-d", db or self.dbname]
        # a long statement (a case's inline ground truth) goes on standard
        # input: one argument is limited to 128 kB
        big = len(sql) > 60000
        cmd += ["-f", "-"] if big else ["-c", sql]
        p = subprocess.run(cmd, capture_output=True, text=True, env=env,
                           input=sql + ";\n" if big else None)
        if p.returncode != 0:
            err = p.stderr
            m = re.search(r"ERROR:\s+([0-9A-Z]{5}):\s+(.*)", err)
            hint = re.search(r"HINT:\s+(.*)", err)
            detail = re.search(r"DETAIL:\s+(.*)", err)
            raise SqlError(m.group(1) if m else None,
                           m.group(2) if m else err.strip()[:300],
                           hint.group(1) if hint else None,
                           detail.group(1) if detail else None, err)
        rd = list(csv.reader(io.StringIO(p.stdout)))
        if not rd:
            return [], []
        return rd[0], [tuple(None if v == NULL else v for v in r) for r in rd[1:]]

    def copy_in(self, sql, data):
        """COPY ... FROM STDIN with data (a str) on psql's standard input."""
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.dbname,
                            "-c", sql], input=data, capture_output=True, text=True)
        if p.returncode != 0:
            raise SqlError(None, p.stderr.strip()[:300], None, None, p.stderr)

    def dicts(self, sql, timezone="UTC"):
        h, rows = self.run(sql, timezone)
        return [dict(zip(h, r)) for r in rows]


# ----------------------------------------------------------------------
# set-up and discovery
# ----------------------------------------------------------------------

def setup(db):
    env = os.environ
    need = ["SIM_JOURNEY_URL", "SIM_AIFI_URL", "SIM_RETAILNEXT_URL", "SIM_INSPECTOR_URL"]
    missing = [k for k in need if not env.get(k)]
    if missing:
        sys.exit("differential: %s not set (run from test/run-tests.sh)" % ", ".join(missing))
    db.run("DROP DATABASE IF EXISTS %s" % db.dbname, db="postgres")
    db.run("CREATE DATABASE %s" % db.dbname, db="postgres")
    opts = "max_retries '8', retry_max_wait_ms '50'"
    sql = """
SET client_min_messages = warning;
CREATE EXTENSION retail_fdw;
CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url '{j}', {o});
CREATE USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (token 'journey-secret-token');
CREATE SERVER aifi FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'aifi', base_url '{a}', {o}, max_requests_per_second '6');
CREATE USER MAPPING FOR CURRENT_USER SERVER aifi
  OPTIONS (client_id 'aifi-client', client_secret 'aifi-client-secret');
CREATE SERVER rn FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'retailnext', base_url '{r}', {o});
CREATE USER MAPPING FOR CURRENT_USER SERVER rn
  OPTIONS (access_key 'rn-access-key', secret_key 'rn-secret-key');
CREATE SERVER ic FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'inspector', base_url '{i}', {o});
CREATE USER MAPPING FOR CURRENT_USER SERVER ic OPTIONS (token 'ic-secret-token');
CREATE SCHEMA j; IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO j;
CREATE SCHEMA a; IMPORT FOREIGN SCHEMA aifi FROM SERVER aifi INTO a;
CREATE SCHEMA r; IMPORT FOREIGN SCHEMA retailnext FROM SERVER rn INTO r;
CREATE SCHEMA i; IMPORT FOREIGN SCHEMA inspector FROM SERVER ic INTO i;
CREATE SCHEMA v;
""".format(j=env["SIM_JOURNEY_URL"], a=env["SIM_AIFI_URL"], r=env["SIM_RETAILNEXT_URL"],
           i=env["SIM_INSPECTOR_URL"], o=opts)
    db.run(sql)
    # a local table of every RetailNext location, for semi-joins (IN (SELECT ...))
    db.run("CREATE TABLE v.rn_location_list AS SELECT uuid FROM r.rn_locations; "
           "ANALYZE v.rn_location_list")
    # paged variants: the imported table's columns, a small page_size
    for name, spec in ts.VARIANTS.items():
        schema, _, rel = spec["variant_of"].partition(".")
        h, rows = db.run("SELECT string_agg(format('%%I %%s', attname, "
                         "format_type(atttypid, atttypmod)), ', ' ORDER BY attnum) "
                         "FROM pg_attribute WHERE attrelid = '%s'::regclass AND attnum > 0 "
                         "AND NOT attisdropped" % spec["variant_of"])
        opts = ", ".join("%s '%s'" % (o, spec[o]) for o in ("resource", "page_size", "hours")
                         if o in spec)
        db.run("CREATE FOREIGN TABLE %s (%s) SERVER %s OPTIONS (%s)"
               % (name, rows[0][0], spec["server"], opts))


def key_columns(db):
    """retail_fdw.key_columns -> {resource: {column: (ops, required)}}, ops in
    tablespec's spelling (= in < <= > >=), required None or its text."""
    out = {}
    for r in db.dicts("SELECT * FROM retail_fdw.key_columns"):
        ops = tuple(o.strip().lower() for o in (r["operators"] or "").split(",") if o.strip())
        out.setdefault(r["resource"], {})[r["column_name"]] = (ops, r.get("required"))
        if r.get("domain"):
            # a value domain, where the extension declares one (issue 23)
            DOMAINS_OF.setdefault(r["resource"], {})[r["column_name"]] = r["domain"]
    return out


def table_resources(db):
    """foreign table "schema.name" -> its resource option (else its name)."""
    out = {}
    for r in db.dicts("SELECT n.nspname || '.' || c.relname AS t, "
                      "(SELECT substr(o, 10) FROM unnest(ft.ftoptions) o "
                      "  WHERE o LIKE 'resource=%' LIMIT 1) AS resource "
                      "FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid "
                      "JOIN pg_namespace n ON n.oid = c.relnamespace"):
        out[r["t"]] = r["resource"] or r["t"].split(".", 1)[1]
    return out


def required_alternatives(cols):
    """key_columns' required texts -> [[(column, kind)], ...], one list per
    alternative; kind "a value", "a bounded range" or "a lower bound"."""
    alts = {}
    for c, (_, req) in cols.items():
        for part in (req or "").split("; ") if req else []:
            m = re.match(r"(a value|a bounded range|a lower bound)"
                         r"(?: \(alternative (\d+) of \d+\))?$", part)
            if not m:
                raise ValueError("key_columns.required %r of %s" % (part, c))
            alts.setdefault(int(m.group(2) or 1), []).append((c, m.group(1)))
    return [sorted(alts[n]) for n in sorted(alts)]


def fill_push(db, specs, log):
    """The pushdown model of each spec, from the extension's views: push and
    domain (key_columns), sorts (sort_columns, then the spec's local_sorts),
    required (key_columns), and for the inspector generator its id column,
    the visit's time and own_time.  -> list of problems (a table without a
    spec, a resource without a table, a local sort the API does, ...)."""
    kc = key_columns(db)
    res = table_resources(db)
    api_sorts = {}
    for r in db.dicts("SELECT resource, column_name FROM retail_fdw.sort_columns"):
        api_sorts.setdefault(r["resource"], []).append(r["column_name"])
    columns = {}
    for r in db.dicts("SELECT attrelid::regclass::text AS t, attname FROM pg_attribute "
                      "WHERE attrelid IN (SELECT ftrelid FROM pg_foreign_table) "
                      "AND attnum > 0 AND NOT attisdropped"):
        columns.setdefault(r["t"], set()).add(r["attname"])
    bad = []
    used = set()
    for name, spec in specs.items():
        r = res.get(name)
        if r is None:
            bad.append("%s has a spec but no foreign table" % name)
            continue
        cols = kc.get(r, {})
        used.add(r)
        spec["push"] = {c: ops for c, (ops, _) in cols.items()}
        spec["domain"] = DOMAINS_OF.get(r, {})
        local = spec.get("local_sorts", [])
        for c in local:
            if c in api_sorts.get(r, []):
                bad.append("%s: %s is in local_sorts, but sort_columns says the API sorts it "
                           "(remove it from local_sorts)" % (name, c))
        spec["sorts"] = api_sorts.get(r, []) + [c for c in local if c not in api_sorts.get(r, [])]
        try:
            spec["required"] = required_alternatives(cols)
        except ValueError as e:
            bad.append("%s: %s is not understood" % (name, e))
            spec["required"] = []
        if spec["gen"] == "inspector":
            # the two ways to read a visit: its id, or the visits listed
            # from a lower bound on its time
            kinds = {k: c for alt in spec["required"] for c, k in alt}
            if len(spec["required"]) != 2 or set(kinds) != {"a value", "a lower bound"}:
                bad.append("%s: the inspector generator needs an id or a lower bound on the "
                           "visit's time; key_columns requires %s" % (name, spec["required"]))
                continue
            spec["id_column"] = kinds["a value"]
            spec["time"] = kinds["a lower bound"]
            spec["own_time"] = spec["time"] != "created_at" and \
                "created_at" in columns.get(name, set())
        if spec["gen"] != "generic" and not cols:
            bad.append("%s: a table-specific generator but no key columns" % name)
    for r in sorted(set(kc) - used):
        bad.append("key_columns resource %s has no table with a spec" % r)
    return bad


# "date_trunc(unit, col [, zone]) = v": a span, pushed like a bounded range
TRUNC = re.compile(r"^date_trunc\([^,]+,\s*\"?(\w+)\"?\s*[,)][^=]*=", re.I)
# a conjunct's column and operator: "col op ...", "col IN (...)", "col = ANY"
CONJUNCT = re.compile(r'^\(?"?(\w+)"?(?:::\w+)?\s*(?:COLLATE \S+\s*)?'
                      r'(=|<=|>=|<|>|IN\b|BETWEEN\b)', re.I)


def gives_required(case, alts):
    """Whether a case's predicate gives the required filters of one of its
    table's alternatives (a value: = or IN; a bounded range: a lower and an
    upper bound, or =; a lower bound: >, >= or =)."""
    ops = {}
    for conj in case.p:
        m = CONJUNCT.match(conj.strip())
        if m:
            ops.setdefault(m.group(1), set()).add(m.group(2).upper())
        m = TRUNC.match(conj.strip())
        if m:
            ops.setdefault(m.group(1), set()).add("=")
    lower, upper = {"=", ">", ">=", "BETWEEN"}, {"=", "<", "<=", "BETWEEN"}
    for alt in alts:
        if all(c in ops and (
                (k == "a value" and ops[c] & {"=", "IN"}) or
                (k == "a bounded range" and ops[c] & lower and ops[c] & upper) or
                (k == "a lower bound" and ops[c] & lower)) for c, k in alt):
            return True
    return not alts


def make_ci_collation(db, log):
    """A case-insensitive nondeterministic ICU collation v.ci, or None."""
    try:
        n = db.run("SELECT count(*) FROM pg_collation WHERE collprovider = 'i'")[1][0][0]
        if n == "0":
            log("collation class skipped: PostgreSQL has no ICU")
            return None
        db.run("CREATE COLLATION IF NOT EXISTS v.ci (provider = icu, "
               "locale = 'und-u-ks-level2', deterministic = false)")
        return "v.ci"
    except SqlError as e:
        log("collation class skipped: " + e.short())
        return None


def _camel(col):
    head, *rest = col.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def load_truth(db, specs, log):
    """Ground truth: for each table of ts.TRUTH, every row the simulator
    holds (GET /_sim/truth/...) in a local table t.<name> with the foreign
    table's columns.  -> {table: "t.<name>"} ({} entries for failures are
    reported and count as failures)."""
    out, failed = {}, {}
    db.run("CREATE SCHEMA IF NOT EXISTS t")
    for name, tr in sorted(ts.TRUTH.items()):
        if not any(ts.TRUTH_OF.get(s) == name for s in specs):
            continue
        local = "t." + name.split(".", 1)[1]
        url = os.environ["SIM_%s_URL" % tr["vendor"].upper()].rstrip("/") + \
            "/_sim/truth/%s/%s" % (tr["vendor"], tr["resource"])
        try:
            docs = []
            for win in tr.get("windows") or [None]:
                u = url + ("?from=%s&to=%s" % win if win else
                           "?" + tr["query"] if tr.get("query") else "")
                with urllib.request.urlopen(u, timeout=120) as r:
                    docs += json.loads(r.read().decode())
            cols = [row[0] for row in db.run(
                "SELECT attname FROM pg_attribute WHERE attrelid = '%s'::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum" % name)[1]]
            # the document's field of each column, as the descriptor names
            # it (its catalog description: "<vendor> field <name>")
            fields = {}
            for c in cols:
                desc = db.run("SELECT retail_fdw.describe_foreign_column('%s', '%s')"
                              % (name, c))[1][0][0] or ""
                m = re.search(r" field ([A-Za-z0-9_]+)(?:[,;]|$)", desc)
                if m:
                    fields[c] = m.group(1)
            buf = io.StringIO()
            w = csv.writer(buf)
            for d in docs:
                row = {}
                for c in cols:
                    f = fields.get(c) if fields.get(c) in d else \
                        (c if c in d else _camel(c))
                    row[c] = d.get(f)
                w.writerow([json.dumps(row)])
            db.run("DROP TABLE IF EXISTS %s; DROP TABLE IF EXISTS %s_raw; "
                   "CREATE TABLE %s (LIKE %s); CREATE TABLE %s_raw (j jsonb)"
                   % (local, local, local, name, local))
            db.copy_in("COPY %s_raw (j) FROM STDIN (FORMAT csv)" % local, buf.getvalue())
            db.run("INSERT INTO %s SELECT (jsonb_populate_record(NULL::%s, j)).* FROM %s_raw; "
                   "DROP TABLE %s_raw; ANALYZE %s" % (local, local, local, local, local))
            out[name] = local
            log("truth: %s, %d rows%s" % (local, len(docs), "".join(
                " [%s, %s]" % w for w in tr.get("windows") or [])))
        except (urllib.error.URLError, SqlError, ValueError, KeyError) as e:
            failed[name] = str(e)[:300]
    return out, failed


def datamine_truth(case):
    """rn_datamine's ground truth for one case, as a relation: the
    simulator's rows for every location, metric, grain, zone and time range
    the case names over its period_start range (an anchored grain: over
    its range_start..range_finish; whole periods, GET
    /_sim/truth/retailnext/rn_datamine), loaded into a materialized CTE-like
    subquery with the foreign table's row type (the same timestamptz input
    the extension builds: local text plus the zone name)."""
    tr = ts.TRUTH_PER_CASE[case.table]
    dm = case.dm_truth
    base = os.environ["SIM_%s_URL" % tr["vendor"].upper()].rstrip("/") + \
        "/_sim/truth/%s/%s" % (tr["vendor"], tr["resource"])
    frm = (dm["from"] - dt.timedelta(seconds=1)).astimezone(dt.timezone.utc)
    to = (dm["to"] + dt.timedelta(seconds=1)).astimezone(dt.timezone.utc)
    docs = []
    trs = dm.get("time_ranges") or [None]
    if trs == [None] and any(re.search(r"\btime_range\b", c) for c in case.p):
        trs = ts.DM_TIMES       # an extra class's condition names one of them
    for loc in dm["locations"]:
        for m in dm["metrics"]:
            for g in dm["grains"]:
                for z in dm["tzs"]:
                    for t in trs:
                        q = {"location": loc, "metric": m, "grain": g, "tz": z,
                             "hours": tr.get("hours", "store_hours"),
                             "from": frm.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             "to": to.strftime("%Y-%m-%dT%H:%M:%SZ")}
                        if t is not None:       # None: the table's hours
                            q["time_range"] = t
                        if dm.get("range"):
                            q["range_start"], q["range_finish"] = \
                                (d.isoformat() for d in dm["range"])
                        with urllib.request.urlopen(base + "?" + urllib.parse.urlencode(q),
                                                    timeout=120) as r:
                            docs += json.loads(r.read().decode())
    doc = json.dumps(docs).replace("'", "''")
    return ("(SELECT (jsonb_populate_record(NULL::%s, j)).* FROM "
            "jsonb_array_elements('%s'::jsonb) j) AS truth" % (case.table, doc))


class Domains:
    """Value domains found by wide fetches (never expected results)."""

    def __init__(self, db, specs, log):
        self.rows, self.types = {}, {}
        self.failed = {}
        for r in db.dicts("""SELECT n.nspname || '.' || c.relname AS t, a.attname AS c,
                                    format_type(a.atttypid, a.atttypmod) AS ty
                               FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                               JOIN pg_namespace n ON n.oid = c.relnamespace
                              WHERE c.relkind = 'f' AND a.attnum > 0 AND NOT a.attisdropped
                              ORDER BY n.nspname, c.relname, a.attnum"""):
            self.types.setdefault(r["t"], {})[r["c"]] = r["ty"]
        need = dict(specs)
        need.setdefault("r.rn_locations", ts.SPECS["r.rn_locations"])
        need.setdefault("r.rn_fpa_zones", ts.SPECS["r.rn_fpa_zones"])
        for name, spec in need.items():
            if spec["gen"] == "generic":
                try:
                    self.rows[name] = db.dicts("SELECT * FROM %s" % name)
                except SqlError as e:
                    self.failed[name] = e.short()
        locs = self.rows.get("r.rn_locations", [])
        self.rn_stores = [(r["uuid"], r["time_zone"]) for r in locs
                          if r["location_type"] == "store"]
        self.rn_regions = [r["uuid"] for r in locs if r["location_type"] == "region"]
        self.rn_fpa_stores = sorted({r["store_uuid"] for r in self.rows.get("r.rn_fpa_zones", [])
                                     if r["store_uuid"]})
        self.today = dt.date.fromisoformat(db.run("SELECT current_date")[1][0][0])
        # journey: store codes and event starts of a few days
        self.journey_stores, self.journey_events = [], {}
        self.journey_day_store = {}     # (day, store_code) -> every event_start
        try:
            for d in ts.JOURNEY_DAYS:
                nd = (dt.date.fromisoformat(d) + dt.timedelta(days=1)).isoformat()
                rows = db.dicts("SELECT store_code, event_start FROM j.visit_journey_events "
                                "WHERE event_start >= '%s' AND event_start < '%s'" % (d, nd))
                self.journey_stores = sorted({r["store_code"] for r in rows}
                                             | set(self.journey_stores))
                evs = sorted({ts.parse_ts(r["event_start"]) for r in rows})
                self.journey_events[d] = evs[::max(1, len(evs) // 40)]
                for r in rows:
                    self.journey_day_store.setdefault((d, r["store_code"]), []).append(
                        ts.parse_ts(r["event_start"]))
        except SqlError as e:
            self.failed["j.visit_journey_events"] = e.short()
        # rn_datamine: exact period starts of calendar grains, per time zone
        self.rn_period_starts = {}
        for g in ("day", "week", "month", "year"):
            for z in ts.RN_TZS:
                q = ("SELECT DISTINCT period_start FROM r.rn_datamine WHERE location_uuid = '%s' "
                     "AND metric = 'traffic_in' AND grain = '%s'%s AND period_start >= "
                     "'2019-01-01' AND period_start < '2021-03-04'"
                     % (ts.UNION_SQUARE, g, " AND time_zone = '%s'" % z if z else ""))
                if g == "day":
                    q = q.replace("'2019-01-01'", "'2020-02-15'")
                try:
                    self.rn_period_starts[(g, z)] = sorted(
                        ts.parse_ts(r[0]) for r in db.run(q)[1])
                except SqlError as e:
                    log("discovery: %s %s: %s" % (g, z, e.short()))
        # inspector visits
        try:
            self.ic_visits = db.dicts("SELECT id, created_at, cid, agent_id, current_agent_route "
                                      "FROM i.ic_visits WHERE created_at >= '2000-01-01'")
            for v in self.ic_visits:
                v["created_at"] = ts.parse_ts(v["created_at"])
        except SqlError as e:
            self.ic_visits = []
            for t in specs:
                if t.startswith("i.ic_visit"):
                    self.failed[t] = e.short()


# ----------------------------------------------------------------------
# comparison
# ----------------------------------------------------------------------

class Result:
    def __init__(self, case, status, lines=()):
        self.case, self.status, self.lines = case, status, list(lines)


def _ms(rows):
    out = {}
    for r in rows:
        out[r] = out.get(r, 0) + 1
    return out


def _ms_minus(a, b):
    out = []
    for r, n in a.items():
        k = n - b.get(r, 0)
        out += [r] * max(0, k)
    return sorted(out, key=lambda r: tuple("" if v is None else v for v in r))


def _fmt(r):
    return "(" + ", ".join("NULL" if v is None else v for v in r) + ")"


def compare(case, ph, prow, fh, frow):
    lines = []
    if ph != fh:
        return ["columns differ: %s vs %s" % (ph, fh)]
    idx = {c: i for i, c in enumerate(ph)}
    pm, fm = _ms(prow), _ms(frow)
    if case.limit is None:
        only_p, only_f = _ms_minus(pm, fm), _ms_minus(fm, pm)
        if only_p or only_f:
            lines.append("rows: pushed %d, fenced %d; %d only pushed, %d only fenced"
                         % (len(prow), len(frow), len(only_p), len(only_f)))
            lines += ["  + pushed " + _fmt(r) for r in only_p[:4]]
            lines += ["  - fenced " + _fmt(r) for r in only_f[:4]]
    else:
        want = min(case.limit, len(frow))
        if len(prow) != want:
            lines.append("LIMIT %d: pushed %d rows, fenced (no limit) %d"
                         % (case.limit, len(prow), len(frow)))
        extra = _ms_minus(pm, fm)
        if extra:
            lines.append("%d pushed row(s) not in the fenced answer" % len(extra))
            lines += ["  + pushed " + _fmt(r) for r in extra[:4]]
    if case.order:
        oi = [idx[c] for c, _ in case.order if c in idx]
        n = len(prow) if case.limit is not None else len(frow)
        pk = [tuple(r[i] for i in oi) for r in prow]
        fk = [tuple(r[i] for i in oi) for r in frow[:n]]
        if pk != fk:
            first = next((i for i in range(min(len(pk), len(fk))) if pk[i] != fk[i]),
                         min(len(pk), len(fk)))
            lines.append("ORDER BY %s: order differs at row %d: pushed %s, fenced %s"
                         % (", ".join("%s %s" % o for o in case.order), first + 1,
                            pk[first] if first < len(pk) else "-",
                            fk[first] if first < len(fk) else "-"))
        elif case.total_order and case.limit is None and prow != frow:
            lines.append("ORDER BY is total but the rows come in another order")
    # a row's value never depends on the query's range
    ki = [idx[c] for c in case.key if c in idx]
    if ki:
        def bykey(rows):
            d = {}
            for r in rows:
                d.setdefault(tuple(r[i] for i in ki), []).append(r)
            return d
        pk, fk = bykey(prow), bykey(frow)
        bad = [k for k in pk if k in fk and sorted(pk[k], key=str) != sorted(fk[k], key=str)]
        if bad:
            lines.append("%d key(s) with other values (key %s):" % (len(bad), ",".join(case.key)))
            for k in bad[:3]:
                lines.append("  pushed " + _fmt(pk[k][0]))
                lines.append("  fenced " + _fmt(fk[k][0]))
    return lines


def refusal_ok(e):
    """A documented refusal: HV/22/42 with a message, not a vendor's answer."""
    if not e.sqlstate or e.sqlstate[:2] not in ("HV", "22", "42"):
        return False
    if not e.message or VENDOR_ERROR.search(e.message) or \
            (e.detail and "Response:" in e.detail):
        return False
    return True


def run_case(db, case):
    t = time.time()
    res = _run_case(db, case)
    res.elapsed = time.time() - t
    return res


def _run_case(db, case):
    try:
        fh, frow = db.run(case.fenced_sql(with_limit=False), case.timezone)
        ferr = None
    except SqlError as e:
        ferr = e
    try:
        ph, prow = db.run(case.pushed_sql(), case.timezone)
        perr = None
    except SqlError as e:
        perr = e
    if ferr is not None:
        if perr is not None:
            return Result(case, "skipped", ["both refused: " + perr.short()])
        return Result(case, "skipped", ["the fenced query failed: " + ferr.short()])
    if perr is not None:
        if refusal_ok(perr):
            return Result(case, "refused", [perr.short() + (" | HINT: " + perr.hint
                                                           if perr.hint else "")])
        return Result(case, "failed", ["the pushed query failed, the fenced one did not: "
                                       + perr.short()])
    lines = compare(case, ph, prow, fh, frow)
    truth = TRUTH_TABLES.get(ts.TRUTH_OF.get(case.table))
    if getattr(case, "dm_truth", None) and case.table in ts.TRUTH_PER_CASE:
        try:
            truth = datamine_truth(case)
        except (urllib.error.URLError, ValueError) as e:
            lines.append("the ground truth could not be fetched: %s" % str(e)[:300])
            truth = None
    if truth:
        try:
            th, trow = db.run(case.truth_sql(truth), case.timezone)
            tl = compare(case, ph, prow, th, trow)
            if tl:
                shown = case.truth_sql(truth) if truth in TRUTH_TABLES.values() else \
                    case.truth_sql("<truth of %s>" % json.dumps(case.dm_truth, default=str))
                lines += ["ground truth: " + shown] + \
                    [l.replace("fenced", "truth") for l in tl]
        except SqlError as e:
            lines.append("the ground-truth query failed: " + e.short())
    return Result(case, "failed" if lines else "passed", lines)


# ----------------------------------------------------------------------
# simulator knobs
# ----------------------------------------------------------------------

def sim_post(path, body):
    base = os.environ.get("SIM_RETAILNEXT_URL") or os.environ.get("SIM_URL")
    req = urllib.request.Request(base.rstrip("/") + path, data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode()


def known_knobs(vendor):
    """The knobs a vendor module of the simulator declares (DEFAULTS), or None."""
    try:
        sys.path.insert(0, os.path.join(HERE, "..", "sim"))
        import importlib
        mod = importlib.import_module("vendors." + vendor)
        return set(getattr(mod, "DEFAULTS", {}))
    except Exception:
        return None


def apply_knobs(assign, log):
    """assign: {"retailnext.k": "v"}.  -> (ok, why)."""
    body = {}
    for k, v in assign.items():
        vendor, _, knob = k.partition(".")
        known = known_knobs(vendor)
        if known is not None and knob not in known:
            return False, "%s is not a knob of the simulator's %s" % (knob, vendor)
        body.setdefault(vendor, {})[knob] = v
    try:
        sim_post("/_sim/config", body)
    except urllib.error.HTTPError as e:
        return False, "the simulator rejected it (HTTP %d: %s)" % (
            e.code, e.read().decode(errors="replace")[:200])
    return True, ""


def server_options_for(db, assign, log, drop=False):
    """Set (or drop) the server options that must match a knob set's readings
    (KNOB_SERVER_OPTIONS): ALTER SERVER ... OPTIONS."""
    for k, v in sorted(assign.items()):
        if k not in KNOB_SERVER_OPTIONS:
            continue
        server, option = KNOB_SERVER_OPTIONS[k]
        try:
            db.run("ALTER SERVER %s OPTIONS (DROP %s)" % (server, option))
        except SqlError:
            pass            # not set
        if not drop:
            db.run("ALTER SERVER %s OPTIONS (ADD %s '%s')" % (server, option, v.replace("'", "''")))
            log("server %s: %s '%s' (matches the knob %s)" % (server, option, v, k))


def parse_knob_sets(values):
    if values is None:
        env = os.environ.get("DIFF_KNOBS")
        values = [s for s in env.split(";")] if env else None
    if values is None:
        return [{"retailnext." + k: v} for k, vs in DEFAULT_KNOBS.items() for v in vs]
    sets = []
    for v in values:
        v = v.strip()
        if not v or v == "none":
            continue
        sets.append(dict(a.split("=", 1) for a in v.split()))
    return sets


# ----------------------------------------------------------------------
# main
# ----------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description="pushed-down vs fenced differential test")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("DIFF_SEED", "1")))
    ap.add_argument("--long", action="store_true", default=os.environ.get("DIFF_LONG") == "1")
    ap.add_argument("--cases", type=int, help="cases before knob runs (default 450, long 4000)")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("DIFF_JOBS", "3")))
    ap.add_argument("--db", default="rf_differential")
    ap.add_argument("--only", default=os.environ.get("DIFF_ONLY") or None,
                    help="regex on table names (DIFF_ONLY)")
    ap.add_argument("--classes", default=os.environ.get("DIFF_CLASSES", ""),
                    help="extra case classes, comma-separated: %s or all (DIFF_CLASSES; "
                         "default none)" % ",".join(ts.CLASSES))
    ap.add_argument("--knob-set", action="append", dest="knob_sets",
                    help="'retailnext.knob=value ...' (repeatable); 'none' = no knob runs")
    ap.add_argument("--knob-cases", type=int,
                    help="RetailNext cases per knob set (default 8, long: all)")
    ap.add_argument("--no-setup", action="store_true", help="reuse the database")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)

    t0 = time.time()
    out = sys.stdout

    def log(msg):
        print(msg, file=out, flush=True)

    for v in ("JOURNEY", "AIFI", "RETAILNEXT", "INSPECTOR"):
        url = os.environ.get("SIM_%s_URL" % v, "")
        try:
            urllib.request.urlopen(url.rstrip("/") + "/_sim/health", timeout=10).read()
        except Exception as e:      # noqa: BLE001 - any failure means no simulator
            sys.exit("differential: the simulator does not answer at %r (%s)" % (url, e))
    db = Db(args.db)
    if not args.no_setup:
        setup(db)
    specs = {k: v for k, v in ts.SPECS.items() if not args.only or re.search(args.only, k)}

    failures = []       # (table, shape, lines)
    counts = {}         # table -> {status: n}
    shapes_failed = {}  # table -> {shape: (n, sample)}

    class_results = []  # (class, status) of the DIFF_CLASSES cases

    def record(res, tag=""):
        c = res.case
        if c.cls:
            class_results.append((c.cls, res.status))
        counts.setdefault(c.table, {}).setdefault(res.status, 0)
        counts[c.table][res.status] += 1
        counts[c.table]["seconds"] = counts[c.table].get("seconds", 0) + res.elapsed
        if res.status == "failed":
            key = c.shape + (" [%s]" % tag if tag else "")
            n, sample = shapes_failed.setdefault(c.table, {}).get(key, (0, c.pushed_sql()))
            shapes_failed[c.table][key] = (n + 1, sample)
            log("FAIL %s%s: %s" % (c.table, " [%s]" % tag if tag else "", c.shape))
            log("  pushed: " + c.pushed_sql())
            log("  fenced: " + c.fenced_sql())
            if c.timezone != "UTC":
                log("  (session TimeZone %s)" % c.timezone)
            for line in res.lines[:14]:
                log("  " + line)
        elif args.verbose:
            log("%s %s: %s %s" % (res.status, c.table, c.shape, res.lines[:1]))

    # 1. every table that IMPORT FOREIGN SCHEMA creates has a spec
    coverage_fail = 0
    imported = {r[0] for r in db.run(
        "SELECT foreign_table_schema || '.' || foreign_table_name "
        "FROM information_schema.foreign_tables WHERE foreign_table_schema IN ('j','a','r','i')")[1]}
    imported_specs = {t for t, sp in ts.SPECS.items() if "variant_of" not in sp}
    for t in sorted(imported - imported_specs):
        log("FAIL coverage: %s is imported but has no spec in test/diff/tablespec.py" % t)
        coverage_fail += 1
    for t in sorted(imported_specs - imported):
        log("FAIL coverage: %s has a spec but IMPORT FOREIGN SCHEMA did not create it" % t)
        coverage_fail += 1
    log("coverage: %d imported tables, %d specs (+%d paged variants)"
        % (len(imported), len(imported_specs), len(ts.VARIANTS)))
    # which columns push, and how: retail_fdw.key_columns, never a copy
    for why in fill_push(db, ts.SPECS, log):
        log("FAIL key_columns: " + why)
        coverage_fail += 1

    # rows on the edges the extension cuts at (journey: a day's first and
    # last microsecond); turned off again at the end
    # last microsecond); users that make listings end at a page end (13 more:
    # 90 local, 45 sso, 135 in all, whole pages of 9 for rn_users_paged)
    sim_post("/_sim/config", {"journey": {"edges": 1}})
    sim_post("/_sim/config", {"retailnext": {"extra_users": 13}})
    try:
        return _main(args, db, specs, t0, log, coverage_fail, record, counts, shapes_failed,
                     class_results)
    finally:
        sim_post("/_sim/config", {"journey": {"edges": 0}})
        sim_post("/_sim/config", {"retailnext": {"extra_users": 0}})


def _main(args, db, specs, t0, log, coverage_fail, record, counts, shapes_failed,
          class_results):
    # ground truth, then domains
    tt, tfailed = load_truth(db, specs, log)
    TRUTH_TABLES.update(tt)
    for t, why in sorted(tfailed.items()):
        log("FAIL ground truth of %s: %s" % (t, why))
        coverage_fail += 1
    dom = Domains(db, specs, log)
    for t, why in sorted(dom.failed.items()):
        log("FAIL discovery of %s: %s" % (t, why))
    log("discovery done in %.1fs" % (time.time() - t0))

    # 3. cases
    rng = random.Random(args.seed)
    total = args.cases or (4000 if args.long else 450)
    wsum = sum(s["weight"] for s in specs.values())
    cases = []
    for name in sorted(specs):
        spec = specs[name]
        if name in dom.failed:
            continue
        n = max(2, round(total * spec["weight"] / wsum))
        gen = ts.GENERATORS[spec["gen"]]
        cases += gen(spec, dom, random.Random("%d/%s" % (args.seed, name)), n)
    rng.shuffle(cases)
    log("seed %d: %d cases over %d tables" % (args.seed, len(cases), len(specs)))
    # every case gives its table's required filters (key_columns): a
    # generator that misses one would only test the refusal
    missing = {}
    for c in cases:
        if not gives_required(c, specs[c.table].get("required", [])):
            missing.setdefault(c.table, c)
    for t, c in sorted(missing.items()):
        log("FAIL key_columns: %s requires %s; the %s generator's cases do not give it, e.g. "
            "%s" % (t, " or ".join(" and ".join("%s (%s)" % ck for ck in alt)
                                    for alt in specs[t]["required"]),
                    specs[t]["gen"], c.pushed_sql()))
        coverage_fail += 1
    # extra classes (own random streams: the cases above stay the seed's)
    classes = set(ts.CLASSES) if args.classes.strip() == "all" else \
        {c.strip() for c in args.classes.split(",") if c.strip()}
    unknown = classes - set(ts.CLASSES)
    if unknown:
        sys.exit("differential: unknown case class(es) %s (known: %s)"
                 % (", ".join(sorted(unknown)), ", ".join(ts.CLASSES)))
    ci = None
    if "collation" in classes:
        ci = make_ci_collation(db, log)
    ncls = 0
    if classes:
        for name in sorted(specs):
            spec = specs[name]
            if name in dom.failed or name.startswith("v."):
                continue
            crng = random.Random("%d/classes/%s" % (args.seed, name))
            if spec["gen"] == "generic":
                more = ts.gen_classes(spec, dom, crng, classes, ci)
            elif spec["gen"] == "journey":
                more = ts.gen_classes_journey(spec, dom, crng, classes, ci)
            else:
                more = ts.gen_classes_required(spec, dom, crng, classes, ci)
            cases += more
            ncls += len(more)
        log("classes %s: %d more cases" % (",".join(sorted(classes)), ncls))

    def run_group(batch, tag):
        with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            for res in ex.map(lambda c: run_case(db, c), batch):
                record(res, tag)

    def run_all(batch, tag="", knobs=None):
        """Run the cases; those whose table needs a simulator config get it
        (together with the knobs) and a /_sim/reset afterwards."""
        groups = {}
        for c in batch:
            conf = specs[c.table].get("sim_config") if c.table in specs else None
            groups.setdefault(json.dumps(conf, sort_keys=True), []).append(c)
        for conf, group in sorted(groups.items()):
            conf = json.loads(conf)
            if conf:
                sim_post("/_sim/config", conf)
            if conf and knobs:
                apply_knobs(knobs, log)
            try:
                run_group(group, tag)
            finally:
                if conf:
                    sim_post("/_sim/reset", {})
                    if knobs:
                        apply_knobs(knobs, log)

    run_all(cases)

    # 4. RetailNext cases again under each knob set
    rn_cases = [c for c in cases if ts.SPECS[c.table].get("gen") == "datamine"
                or c.table in ("r.rn_store_hours", "r.rn_predicted_traffic",
                               "r.rn_health_alerts", "r.rn_zone_transitions")]
    per_set = args.knob_cases if args.knob_cases is not None else \
        (len(rn_cases) if args.long else 8)
    for ks in parse_knob_sets(args.knob_sets):
        tag = " ".join("%s=%s" % kv for kv in sorted(ks.items()))
        ok, why = apply_knobs(ks, log)
        if not ok:
            log("knob set %s skipped: %s" % (tag, why))
            sim_post("/_sim/reset", {})
            continue
        # a case that assumes a reading (Case.assumes) sits out the knob
        # sets that change it
        fits = [c for c in rn_cases
                if all(c.assumes.get(k, v) == v for k, v in ks.items())]
        batch = random.Random("%d/%s" % (args.seed, tag)).sample(fits, min(per_set, len(fits)))
        log("knob set %s: %d RetailNext cases" % (tag, len(batch)))
        try:
            server_options_for(db, ks, log)
            run_all(batch, tag, ks)
        finally:
            sim_post("/_sim/reset", {})
            server_options_for(db, ks, log, drop=True)

    # 5. report
    log("")
    log("%-26s %6s %6s %7s %7s %8s" % ("table", "passed", "failed", "refused", "skipped",
                                        "seconds"))
    npass = nfail = nskip = nref = 0
    for t in sorted(set(counts) | set(dom.failed)):
        c = counts.get(t, {})
        f = c.get("failed", 0) + (1 if t in dom.failed else 0)
        p = c.get("passed", 0) + c.get("refused", 0)
        nskip += c.get("skipped", 0)
        nref += c.get("refused", 0)
        npass += p
        nfail += f
        log("%-26s %6d %6d %7d %7d %8.1f" % (t, c.get("passed", 0), f, c.get("refused", 0),
                                              c.get("skipped", 0), c.get("seconds", 0)))
    if shapes_failed:
        log("")
        log("failing shapes:")
        for t in sorted(shapes_failed):
            for shape, (n, sample) in sorted(shapes_failed[t].items()):
                log("  %s [%s] x%d: %s" % (t, shape, n, sample))
    bycls = {}
    for res_cls, st in class_results:
        bycls.setdefault(res_cls, {}).setdefault(st, 0)
        bycls[res_cls][st] += 1
    for k in sorted(bycls):
        log("class %s: %s" % (k, ", ".join("%d %s" % (n, st) for st, n in sorted(bycls[k].items()))))
    nfail += coverage_fail
    log("runtime %.1fs, seed %d; %d refused before any request (counted as passed), "
        "%d skipped (the fenced query failed too)" % (time.time() - t0, args.seed, nref, nskip))
    log("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
