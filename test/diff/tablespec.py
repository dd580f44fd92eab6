"""Table specs and query generators for the differential suite.

Every foreign table that IMPORT FOREIGN SCHEMA creates has an entry in
SPECS, keyed "<schema>.<table>" with the schemas the runner imports into
(j = journey, a = aifi, r = retailnext, i = inspector).  An entry says

  key     the columns that identify a row (the "a row's value never depends
          on the query's range" check compares rows with equal keys)
  gen     the generator: "generic" (no required quals: domains come from a
          full fetch) or a table-specific one (required quals, RfRequired)
  weight  share of the generated cases
  local_sorts  text columns the vendor's document lists as sort keys but
          PostgreSQL sorts (their API order is not a collation): ORDER BY
          cases of their own (the runner fails if the API sorts one)

Nothing of the pushdown model is written here: the runner fills in, from
the extension's views over the descriptors,
  push    retail_fdw.key_columns: pushable column -> operators (a subset of
          = in < <= > >=); domain: its key_columns.domain
  sorts   retail_fdw.sort_columns (the API's ORDER BY), then local_sorts
  required  the required filters (retail_fdw.key_columns.required), one
          list of (column, kind) per alternative; the runner fails when a
          generated case does not give them
  id_column, time, own_time   (the inspector generator) the id column and
          the visit's time: the two alternatives of the required filters,
          and whether the table has a created_at of its own beside it

A generator returns Case objects: the predicate P, one or more wider fetch
predicates W (several are joined with UNION ALL: used when a request-shaping
parameter such as grain or a zone-transition location must stay an
equality), ORDER BY / LIMIT, the session time zone and a short "shape"
label that groups failures in the report.

Values come from the simulator's fixtures (docstrings of test/sim/vendors)
or from wide fetches made by the runner (Domains); expected results are
never written down here.
"""

import datetime as dt
import random
import re
import zoneinfo

UTC = dt.timezone.utc

ALL_OPS = ("=", "in", "<", "<=", ">", ">=")
EQIN = ("=", "in")
RANGE = ("=", "<", "<=", ">", ">=")
EQINRANGE = ALL_OPS

# RetailNext metrics (test/sim/vendors/retailnext/, DATAMINE)
RN_METRICS = ["traffic_in", "traffic_out", "total_occupancy", "passby_traffic",
              "dwell_count", "avg_dwell_duration", "net_sales",
              "sales_transactions_count", "conversion_rate", "staff_count",
              "group_traffic_in", "individual_traffic_in"]
RN_GRAINS = ["15 minutes", "30 minutes", "hour", "day", "week", "month", "year"]
# None = no time_zone qual (the table's default)
RN_TZS = [None, "UTC", "America/New_York", "America/Los_Angeles", "Europe/London"]
UNION_SQUARE = "2512a786-a117-11ea-874c-8000df845ed7"
FIFTH_AVENUE = "aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9"
# days worth a look: DST changes (US and UK, both directions), Union
# Square's Fri/Sat past midnight, Black Friday (Fifth Avenue opens the day
# before), Christmas / New Year closures, NRF and calendar year starts,
# Covent Garden's opening, the last day of data
RN_DAYS = ["2020-03-06", "2020-03-08", "2020-03-29", "2020-10-25", "2020-11-01",
           "2020-11-26", "2020-11-27", "2020-12-25", "2021-01-01", "2021-01-29",
           "2021-01-31", "2021-02-05", "2021-02-06", "2021-02-15", "2021-02-28",
           "2021-03-03", "2019-12-31", "2020-02-01", "2020-06-01", "2020-08-14"]
RN_DATA_END = dt.datetime(2021, 3, 3, 18, 0, tzinfo=UTC)

# rn_datamine's time_range values cases ask for (the default when none)
DM_TIMES = ["store_hours", "10:00-14:00", "00:00-24:00", "18:30-23:45"]
# grains whose rows depend on the range asked (range_start, range_finish)
DM_ANCHORED = ["day_of_week", "2 weeks", "3 weeks", "4 weeks"]

# per grain: longest P range (days) and the margin W adds on each side (days)
GRAIN_SPAN = {"15 minutes": (2, 1), "30 minutes": (3, 1), "hour": (4, 1), "day": (20, 3), "week": (50, 15),
              "month": (150, 70), "year": (500, 400)}


# ----------------------------------------------------------------------
# literals
# ----------------------------------------------------------------------

def lit(v):
    return "'" + str(v).replace("'", "''") + "'"


def ts(d, zone=None):
    """A timestamptz literal for aware datetime d, written in zone (a name)."""
    if zone and zone != "UTC":
        local = d.astimezone(zoneinfo.ZoneInfo(zone))
        return lit(local.strftime("%Y-%m-%d %H:%M:%S") + " " + zone)
    return lit(d.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00"))


def parse_ts(s):
    """psql's timestamptz text (session TimeZone UTC) -> aware datetime."""
    s = s.strip()
    if s.endswith("+00"):
        s = s + ":00"
    return dt.datetime.fromisoformat(s)


def day(s):
    return dt.date.fromisoformat(s)


def local_midnight(d, zone):
    z = zoneinfo.ZoneInfo(zone or "UTC")
    return dt.datetime(d.year, d.month, d.day, tzinfo=z).astimezone(UTC)


def in_list(col, vals):
    return "%s IN (%s)" % (col, ", ".join(lit(v) for v in vals))


def eq_or_in(rng, col, vals, allow_in=True):
    if len(vals) == 1 or not allow_in:
        return "%s = %s" % (col, lit(vals[0]))
    return in_list(col, vals)


class Case:
    def __init__(self, table, shape, p, w=None, order=None, limit=None,
                 timezone="UTC", key=None, total_order=False, cls=None):
        self.cls = cls                  # an extra case class (DIFF_CLASSES) or None
        self.table = table
        self.shape = shape
        self.p = p                      # list of conjuncts
        self.w = w if w is not None else [[]]  # list of fetches, each a conjunct list
        self.order = order or []        # list of (column, "ASC"|"DESC")
        self.limit = limit
        self.timezone = timezone
        self.key = key or []
        self.total_order = total_order
        self.knobs = None
        # the simulator readings the case's truth holds under only
        # ({"retailnext.knob": value}): knob sets that change one skip it
        self.assumes = {}

    @staticmethod
    def where(conj):
        return (" WHERE " + " AND ".join(conj)) if conj else ""

    def tail(self, with_limit=True):
        s = ""
        if self.order:
            s += " ORDER BY " + ", ".join("%s %s" % o for o in self.order)
        if with_limit and self.limit is not None:
            s += " LIMIT %d" % self.limit
        return s

    def pushed_sql(self):
        return "SELECT * FROM %s%s%s" % (self.table, self.where(self.p), self.tail())

    def truth_sql(self, truth_table):
        """The same predicate over the ground-truth table, without LIMIT.  A
        request-shaping column the predicate does not name is at the API's
        default there (SHAPE_DEFAULTS): the truth holds every shape."""
        extra = [cond for col, cond in SHAPE_DEFAULTS.get(self.table, {}).items()
                 if not any(re.search(r"\b%s\b" % col, c) for c in self.p)]
        return "SELECT * FROM %s%s%s" % (truth_table, self.where(self.p + extra),
                                         self.tail(with_limit=False))

    def fenced_sql(self, with_limit=True):
        inner = " UNION ALL ".join("SELECT * FROM %s%s" % (self.table, self.where(w))
                                   for w in self.w)
        return ("WITH w AS MATERIALIZED (%s) SELECT * FROM w%s%s"
                % (inner, self.where(self.p), self.tail(with_limit)))


# ----------------------------------------------------------------------
# generic tables: no required quals; domains from a full fetch
# ----------------------------------------------------------------------

NUMERIC_TYPES = ("integer", "bigint", "smallint", "numeric", "double precision")
ORDERED_TYPES = NUMERIC_TYPES + ("timestamp with time zone", "timestamp without time zone",
                                 "date", "text", "uuid")


def _sort_key(typ):
    if typ in NUMERIC_TYPES:
        return lambda v: float(v)
    return lambda v: v


def _missing(typ, vals):
    """A value the table does not hold, shaped like the ones it does (None:
    the column is an enumeration or an id the vendor would look up)."""
    if typ in NUMERIC_TYPES:
        return "0" if "0" not in vals else "987654"
    if typ.startswith("timestamp"):
        return "1999-01-01 00:00:00"
    if typ == "date":
        return "1999-01-01"
    if typ == "text" and vals and len(set(vals)) > 8:
        if all(v.isdigit() for v in vals):
            return "9" * max(len(v) for v in vals)
        return "no-such-value"
    return None


def _range_pivot(rng, typ, vals):
    v = rng.choice(vals)
    r = rng.random()
    if typ in ("integer", "bigint", "smallint") and r < 0.4:
        # edges: zero, one, the smallest and largest value, one off a value
        return str(rng.choice([0, 0, 1, int(float(vals[0])), int(float(vals[-1])),
                               int(float(v)) + 1, int(float(v)) - 1]))
    if typ.startswith("timestamp") and r < 0.3:
        d = v[:10]
        return rng.choice([d + " 00:00:00", d + " 12:00:00"]) + \
            ("+00" if "with time zone" in typ else "")
    return v


def _pred(rng, col, op, typ, vals):
    if op == "=":
        miss = _missing(typ, vals)
        if typ in ("integer", "bigint", "smallint") and vals and rng.random() < 0.3:
            v = _range_pivot(rng, typ, vals)
        else:
            v = rng.choice(vals) if vals and (miss is None or rng.random() < 0.9) else miss
        return "%s = %s" % (col, lit(v)), ("eq", col, [v])
    if op == "in":
        k = min(len(vals), rng.randint(2, 4))
        vs = rng.sample(vals, k) if vals else []
        miss = _missing(typ, vals)
        if miss is not None and (rng.random() < 0.3 or not vs):
            vs.append(miss)
        return in_list(col, vs), ("in", col, vs)
    v = _range_pivot(rng, typ, vals)
    return "%s %s %s" % (col, op, lit(v)), ("range", col, op, v)


def gen_generic(spec, dom, rng, n):
    """Domains: dom.rows[table] (list of dict), dom.types[table] (col -> type)."""
    table = spec["table"]
    rows = dom.rows[table]
    types = dom.types[table]
    push = spec.get("push", {})
    sorts = spec.get("sorts", [])
    key = spec["key"]
    cols = [c for c in types]
    vals = {}
    for c in cols:
        vs = sorted({r[c] for r in rows if r[c] is not None}, key=_sort_key(types[c])) \
            if types[c] in ORDERED_TYPES else sorted({r[c] for r in rows if r[c] is not None})
        vals[c] = vs
    local_cols = [c for c in cols if c not in push and types[c] in ORDERED_TYPES + ("boolean",)
                  and vals[c]]
    # every pushable column with every operator it takes, every sort key:
    # once each, then random combinations
    forced = [(c, o) for c in sorted(push) for o in push[c] if vals[c]] + \
        [("ORDER BY", s) for s in sorts] if spec.get("systematic", True) else []
    n = max(n, len(forced) + 2)
    cases = []
    for i in range(n):
        p, info, shape = [], [], []
        force = forced[i] if i < len(forced) else None
        npred = rng.choice([1, 1, 2]) if push else 0
        pcols = rng.sample(sorted(push), min(npred, len(push)))
        if force and force[0] != "ORDER BY":
            pcols = [force[0]] + [c for c in pcols if c != force[0]][:rng.choice([0, 0, 1])]
        elif force:
            pcols = pcols[:rng.choice([0, 1])]
        for c in pcols:
            if not vals[c]:
                continue
            ops = [o for o in push[c] if o in ALL_OPS]
            op = force[1] if force and force[0] == c else rng.choice(ops)
            if force and force[0] == c and types[c] in ("integer", "bigint", "smallint") \
                    and op in ("=", "<", "<=", ">="):
                # the systematic case of an integer bound sits on the edge: 0 or 1
                v = rng.choice(["0", "1"]) if op != "<" else "1"
                text, inf = "%s %s %s" % (c, op, lit(v)), ("range", c, op, v)
            else:
                text, inf = _pred(rng, c, op, types[c], vals[c])
            p.append(text)
            info.append(inf)
            shape.append("%s %s" % (c, op))
            rops = [o for o in ops if o in ("<", "<=", ">", ">=")]
            if inf[0] == "range" and rng.random() < 0.3 and len(rops) > 1:
                other = [o for o in rops if (o[0] != op[0])]
                if other:
                    o2 = rng.choice(other)
                    t2, i2 = _pred(rng, c, o2, types[c], vals[c])
                    p.append(t2)
                    info.append(i2)
                    shape.append("%s %s" % (c, o2))
        if local_cols and (not push or rng.random() < 0.2):
            c = rng.choice(local_cols)
            if types[c] == "boolean":
                p.append("%s IS %s" % (c, rng.choice(["TRUE", "FALSE", "NOT TRUE"])))
            else:
                p.append("%s %s %s" % (c, rng.choice(["=", "<=", ">"]),
                                       lit(rng.choice(vals[c]))))
            shape.append("local")
        # the wider fetch: everything, or a loosened pushed predicate
        w = []
        if info and rng.random() < 0.4:
            inf = rng.choice(info)
            c = inf[1]
            if inf[0] in ("eq", "in") and "in" in push[c] and vals[c]:
                extra = rng.sample(vals[c], min(len(vals[c]), 2))
                w = [in_list(c, sorted(set(inf[2]) | set(extra)))]
            elif inf[0] == "range":
                op, v = inf[2], inf[3]
                ordered = vals[c]
                key_f = _sort_key(types[c])
                try:
                    kv = key_f(v)
                    if op in (">", ">="):
                        lower = [x for x in ordered if key_f(x) < kv]
                        if lower and ">=" in push[c]:
                            w = ["%s >= %s" % (c, lit(rng.choice(lower)))]
                    elif op in ("<", "<="):
                        higher = [x for x in ordered if key_f(x) > kv]
                        if higher and "<=" in push[c]:
                            w = ["%s <= %s" % (c, lit(rng.choice(higher)))]
                except ValueError:
                    w = []
        order, limit, total = [], None, False
        if (force and force[0] == "ORDER BY") or rng.random() < (0.3 if sorts else 0.15):
            oc = force[1] if force and force[0] == "ORDER BY" else rng.choice(sorts) if sorts \
                else rng.choice(
                [c for c in cols if types[c] in ORDERED_TYPES])
            d = rng.choice(["ASC", "DESC"])
            order = [(oc, d)]
            if rng.random() < 0.5 and oc not in key:
                order += [(k, d) for k in key]
                total = True
            elif oc in key and len(key) == 1:
                total = True
            if rng.random() < 0.7:
                limit = rng.choice([1, 3, 5, 10, 50, 250])
            shape.append("ORDER BY %s %s%s%s" % (oc, d, "+key" if len(order) > 1 else "",
                                                 " LIMIT" if limit is not None else ""))
        elif rng.random() < 0.15:
            limit = rng.choice([1, 5, 20])
            shape.append("LIMIT")
        cases.append(Case(table, "; ".join(shape) or "all rows", p, [w], order, limit,
                          key=key, total_order=total))
    if spec.get("page_size") and spec.get("variant_of") == "r.rn_users":
        # listings that end exactly at a page end: every user and each type
        # whose count fills whole pages (the simulator's knob extra_users,
        # set by the runner, makes all three do)
        size = int(spec["page_size"])
        for typ in (None, "local", "sso"):
            cnt = sum(1 for r in rows if typ is None or r["type"] == typ)
            if cnt and cnt % size == 0:
                cases.append(Case(table, "%s; %d whole pages" % (
                    "type =" if typ else "all rows", cnt // size),
                    ["type = %s" % lit(typ)] if typ else [], [[]], key=key))
    return cases


# ----------------------------------------------------------------------
# case classes beyond the documented values (DIFF_CLASSES): for every
# pushable column (retail_fdw.key_columns), values the API may refuse or
# read otherwise.  PostgreSQL's answer over the fenced fetch is the truth:
# a refused value must give that answer (usually no rows), not an error.
# ----------------------------------------------------------------------

CLASSES = ("domain", "nulls", "collation", "casts")
INT_TYPES = ("integer", "bigint", "smallint")


def _looks_enum(vals):
    return 0 < len(vals) <= 8 and all(v and len(v) < 40 for v in vals)


def class_preds(table, col, ops, typ, vals, rng, classes, ci, domain=None):
    """-> [(class, predicate)] for one pushable column (domain: the text of
    key_columns.domain where the extension declares one)."""
    out = []
    intlike = bool(vals) and all(x.isdigit() for x in vals) or \
        "integer" in (domain or "").lower()
    v = rng.choice(vals) if vals else None
    eq, inl = "=" in ops, "in" in ops
    text = typ == "text"
    if "domain" in classes:
        if text and eq:
            out.append(("domain", "%s = ''" % col))
            if v is not None and intlike:
                # an id the document types as an integer
                out.append(("domain", "%s = 'abc'" % col))
                if inl:
                    out.append(("domain", "%s IN (%s, 'S-1')" % (col, lit(v))))
            elif v is not None and _looks_enum(vals):
                out.append(("domain", "%s = 'admin'" % col))
                if inl:
                    out.append(("domain", "%s IN ('', %s)" % (col, lit(v))))
            elif v is not None and inl:
                out.append(("domain", "%s IN ('', %s)" % (col, lit(v))))
        if typ in INT_TYPES:
            if eq:
                out.append(("domain", "%s = 1.5" % col))
                out.append(("domain", "%s = -1" % col))
            if ">=" in ops:
                out.append(("domain", "%s >= -5" % col))
            if "<" in ops:
                out.append(("domain", "%s < 99999999999" % col))
        if typ.startswith("timestamp") and ("<" in ops or "<=" in ops):
            op = "<=" if "<=" in ops else "<"
            out.append(("domain", "%s %s 'infinity'" % (col, op)))
            if ">=" in ops:
                out.append(("domain", "%s >= '-infinity'" % col))
                out.append(("domain", "%s >= '0001-01-01 00:00:00+00'" % col))
    if "nulls" in classes and v is not None:
        if inl:
            out.append(("nulls", "%s IN (%s, NULL)" % (col, lit(v))))
            out.append(("nulls", "%s = ANY (ARRAY[NULL, %s]::%s[])" % (col, lit(v), typ)))
        if eq:
            out.append(("nulls", "%s = NULL::%s" % (col, typ)))
    if "collation" in classes and ci and text and eq and v is not None:
        mixed = "".join(ch.upper() if i % 2 else ch.lower() for i, ch in enumerate(v))
        out.append(("collation", "%s = %s COLLATE %s" % (col, lit(mixed), ci)))
        out.append(("collation", "%s COLLATE %s = %s" % (col, ci, lit(v.upper()))))
        if inl:
            out.append(("collation", "%s COLLATE %s IN (%s, 'x')" % (col, ci, lit(v.lower()))))
    if "casts" in classes and v is not None:
        if typ in INT_TYPES and eq:
            out.append(("casts", "%s::text = 'abc'" % col))
            out.append(("casts", "%s::text = %s" % (col, lit(v))))
            out.append(("casts", "%s = %s::text::%s" % (col, lit(v), typ)))
            if inl:
                out.append(("casts", "%s::text = ANY ('{%s,S-1}'::text[])" % (col, v)))
        if text and eq:
            out.append(("casts", "%s = 1001::text" % col))
            if inl:
                out.append(("casts", "%s = ANY ('{%s,S-1}'::text[])" % (col, v)))
            out.append(("casts", "%s::varchar = %s::varchar" % (col, lit(v))))
        if typ.startswith("timestamp") and eq:
            out.append(("casts", "%s::date = %s" % (col, lit(v[:10]))))
            out.append(("casts", "%s::text = 'abc'" % col))
    return out


def gen_classes(spec, dom, rng, classes, ci):
    """Cases of the extra classes for a generic table (no required quals:
    the fenced side fetches everything)."""
    table = spec["table"]
    rows = dom.rows[table]
    types = dom.types[table]
    cases = []
    for col in sorted(spec.get("push", {})):
        if col not in types:
            continue
        typ = types[col]
        vals = sorted({r[col] for r in rows if r[col] is not None})
        for cls, pred in class_preds(table, col, spec["push"][col], typ, vals, rng,
                                     classes, ci, spec.get("domain", {}).get(col)):
            cases.append(Case(table, "%s: %s" % (cls, pred), [pred], [[]], key=spec["key"],
                              cls=cls))
    return cases


def gen_classes_journey(spec, dom, rng, classes, ci):
    """store_code under the extra classes, inside one day of event_start."""
    table = spec["table"]
    d0 = day(JOURNEY_DAYS[0])
    rng_pred = ["event_start >= %s" % ts(local_midnight(d0, None)),
                "event_start < %s" % ts(local_midnight(d0 + dt.timedelta(days=1), None))]
    cases = []
    for cls, pred in class_preds(table, "store_code", spec.get("push", {}).get(
            "store_code", ()), "text", dom.journey_stores, rng, classes, ci):
        w = ["event_start >= %s" % ts(local_midnight(d0, None) - dt.timedelta(days=1)),
             "event_start <= %s" % ts(local_midnight(d0, None) + dt.timedelta(days=2))]
        cases.append(Case(table, "%s: %s" % (cls, pred), rng_pred + [pred], [w],
                          key=spec["key"], cls=cls))
    return cases


def _class_values(spec, dom):
    """Known values of the pushable columns of a table with required quals."""
    gen = spec["gen"]
    stores = [u for u, _ in dom.rn_stores]
    if gen == "datamine":
        return {"metric": RN_METRICS, "location_uuid": stores, "grain": RN_GRAINS + DM_ANCHORED,
                "time_zone": [z for z in RN_TZS if z], "time_range": DM_TIMES}
    if gen in ("store_hours", "predicted"):
        return {"store_uuid": stores}
    if gen == "zone_transitions":
        return {"location_uuid": dom.rn_fpa_stores}
    if gen == "occupancy":
        return {"location_uuid": stores + dom.rn_regions}
    if gen == "inspector":
        ids = sorted({str(v["id"]) for v in dom.ic_visits})
        out = {"id": ids, "visit_id": ids}
        for c in ("cid", "agent_id", "current_agent_route"):
            out[c] = sorted({v[c] for v in dom.ic_visits if v[c] is not None})
        return out
    return {}


def gen_classes_required(spec, dom, rng, classes, ci):
    """The extra classes on a table with required quals: a case of the
    table's own generator (it gives the required quals and a wider fetch)
    with one more conjunct; P only narrows, so the fenced answer stays the
    truth (a cast or NULL-list conjunct on a shaping column, which is sent,
    goes into each wider fetch too)."""
    table = spec["table"]
    types = dom.types.get(table, {})
    values = _class_values(spec, dom)
    gen = GENERATORS[spec["gen"]]
    cases = []
    for col in sorted(spec.get("push", {})):
        typ = types.get(col)
        if typ is None:
            continue
        for cls, pred in class_preds(table, col, spec["push"][col], typ,
                                     values.get(col, []), rng, classes, ci,
                                     spec.get("domain", {}).get(col)):
            base = gen(spec, dom, random.Random("%s/%s" % (table, pred)), 1)[0]
            base.p = base.p + [pred]
            if col in spec.get("shaping", ()) and cls in ("casts", "nulls"):
                # a request parameter sent: the wider fetches ask for the
                # same (a value outside the domain matches nothing either
                # way; a refused condition must stay out of them)
                base.w = [w + [pred] for w in base.w]
            base.shape = "%s: %s; %s" % (cls, pred, base.shape)
            base.cls = cls
            base.limit = None
            cases.append(base)
    return cases


# ----------------------------------------------------------------------
# journey
# ----------------------------------------------------------------------

# the first day of data, a Sunday, the documentation's example day, and the
# EU and US DST changes (the session zones include Berlin and New York)
JOURNEY_DAYS = ["2025-08-01", "2025-08-03", "2025-08-12", "2025-08-20", "2025-10-26",
                "2025-11-02"]


def _bound(rng, d0, zone_choices, event_times):
    """A bound on or off a day edge near day d0 (a date)."""
    kind = rng.choice(["midnight", "midnight", "midday", "event", "random", "zone"])
    if kind == "event" and event_times:
        return rng.choice(event_times), "event"
    if kind == "midday":
        return local_midnight(d0, None) + dt.timedelta(hours=12), "midday"
    if kind == "random":
        return local_midnight(d0, None) + dt.timedelta(seconds=rng.randrange(86400)), "random"
    if kind == "zone":
        return local_midnight(d0, rng.choice(zone_choices)), "zone midnight"
    return local_midnight(d0, None), "midnight"


def gen_journey(spec, dom, rng, n):
    table = spec["table"]
    stores = dom.journey_stores
    zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]
    cases = []
    for _ in range(n):
        d0 = day(rng.choice(JOURNEY_DAYS))
        ev = dom.journey_events.get(d0.isoformat(), [])
        lo, lk = _bound(rng, d0, zones, ev)
        if rng.random() < 0.12:
            # the local day of event_start in the session's zone, pushed as
            # that day's exact bounds
            p = ["event_start::date = %s" % lit(d0.isoformat())]
            shape = ["event_start::date ="]
            wlo = local_midnight(d0, None) - dt.timedelta(days=2)
            whi = local_midnight(d0, None) + dt.timedelta(days=3)
        elif rng.random() < 0.12:
            # date_trunc(unit, event_start [, zone]) = v: pushed as the span
            # [v, v + 1 unit) in that calendar; a v that is not the start of
            # a period matches nothing (and asks for nothing)
            unit = rng.choice(["hour", "day", "day", "week"])
            start = d0 - dt.timedelta(days=d0.weekday()) if unit == "week" else d0
            v = "%s %02d:%s" % (start.isoformat(),
                                rng.randrange(24) if unit == "hour" else 0,
                                rng.choice(["00", "00", "00", "17"]))
            zone = rng.choice([None, None, "Asia/Kolkata", "America/New_York"])
            if zone:
                p = ["date_trunc(%s, event_start, %s) = (%s::timestamp AT TIME ZONE %s)"
                     % (lit(unit), lit(zone), lit(v), lit(zone))]
            else:
                p = ["date_trunc(%s, event_start) = %s" % (lit(unit), lit(v))]
            shape = ["date_trunc(%s%s) =" % (unit, ", zone" if zone else "")]
            wlo = local_midnight(start, None) - dt.timedelta(days=2)
            whi = local_midnight(start, None) + dt.timedelta(days=10)
        elif rng.random() < 0.15 and ev:
            # = on an exact event start
            t = rng.choice(ev)
            p = ["event_start = %s" % ts(t)]
            shape = ["event_start ="]
            wlo, whi = t - dt.timedelta(hours=6), t + dt.timedelta(hours=6)
        else:
            span = rng.choice([0, 0, 1, 2, 3])
            hi, hk = _bound(rng, d0 + dt.timedelta(days=span), zones,
                            dom.journey_events.get((d0 + dt.timedelta(days=span)).isoformat(), []))
            if hi < lo:
                lo, hi = hi, lo
            lop, hop = rng.choice([">=", ">"]), rng.choice(["<", "<="])
            zone = rng.choice([None, None, rng.choice(zones)])
            if rng.random() < 0.15:
                p = ["event_start BETWEEN %s AND %s" % (ts(lo, zone), ts(hi, zone))]
                shape = ["event_start BETWEEN %s/%s" % (lk, hk)]
            else:
                p = ["event_start %s %s" % (lop, ts(lo, zone)),
                     "event_start %s %s" % (hop, ts(hi, zone))]
                shape = ["event_start %s %s, %s %s" % (lop, lk, hop, hk)]
            wlo, whi = lo - dt.timedelta(days=1), hi + dt.timedelta(days=1)
        w = ["event_start >= %s" % ts(wlo), "event_start <= %s" % ts(whi)]
        r = rng.random()
        if r < 0.3:
            s = rng.choice(stores)
            p.append("store_code = %s" % lit(s))
            shape.append("store_code =")
            if rng.random() < 0.5:
                w.append(in_list("store_code", sorted({s, rng.choice(stores)})))
        elif r < 0.55:
            ss = rng.sample(stores, min(2, len(stores)))
            p.append(in_list("store_code", ss))
            shape.append("store_code IN")
        order, limit, total = [], None, False
        if rng.random() < 0.2:
            order = [("event_start", rng.choice(["ASC", "DESC"]))]
            limit = rng.choice([None, 5, 50])
            shape.append("ORDER BY event_start" + (" LIMIT" if limit else ""))
        cases.append(Case(table, "; ".join(shape), p, [w], order, limit,
                          timezone=rng.choice(["UTC", "UTC", "Europe/Berlin",
                                               "America/New_York"]),
                          key=spec["key"], total_order=total))
    if spec.get("page_size"):
        cases += _journey_page_ends(spec, dom, int(spec["page_size"]))
    return cases


def _journey_page_ends(spec, dom, size, most=4):
    """Listings that end exactly at a page end: one store from a whole second
    to the end of its UTC day (one daily window, one request series) whose
    events fill whole pages, the most pages first, on a few (day, store)."""
    cases = []
    for (d, store), evs in sorted(dom.journey_day_store.items()):
        if len(cases) >= most:
            break
        evs = sorted(evs)
        end = local_midnight(day(d) + dt.timedelta(days=1), None)
        best = None
        for b in sorted({e.replace(microsecond=0) for e in evs}):
            cnt = sum(1 for e in evs if e >= b)
            if cnt % size == 0:
                best = (b, cnt)
                break
        if best is None:
            continue
        b, cnt = best
        w = ["event_start >= %s" % ts(b - dt.timedelta(days=1)),
             "event_start <= %s" % ts(end + dt.timedelta(days=1)), "store_code = %s" % lit(store)]
        cases.append(Case(spec["table"], "event_start >= second, < midnight; store_code =; "
                          "%d whole pages" % (cnt // size),
                          ["event_start >= %s" % ts(b), "event_start < %s" % ts(end),
                           "store_code = %s" % lit(store)], [w], key=spec["key"]))
    return cases


# ----------------------------------------------------------------------
# RetailNext datamine
# ----------------------------------------------------------------------

def gen_datamine(spec, dom, rng, n):
    table = spec["table"]
    stores = dom.rn_stores          # [(uuid, tz)]
    regions = dom.rn_regions
    cases = []
    # an eighth of the cases ask for an anchored grain (own random stream)
    n_anchored = n // 8
    for i in range(n - n_anchored):
        grain = RN_GRAINS[i % len(RN_GRAINS)] if i < 2 * len(RN_GRAINS) else rng.choice(RN_GRAINS)
        tz = rng.choice(RN_TZS)
        span, margin = GRAIN_SPAN[grain]
        d0 = day(rng.choice(RN_DAYS))
        if rng.random() < 0.3:
            d0 = d0 + dt.timedelta(days=rng.randint(-10, 10))
        # bounds
        zone = tz or "UTC"
        starts = dom.rn_period_starts.get((grain, tz), [])
        near = [s for s in starts if abs((s.date() - d0).days) <= span + 40]

        def bound(dd):
            kind = rng.choice(["midnight", "midnight", "period", "period", "midday", "utc", "minute"])
            if kind == "period" and near:
                return rng.choice(near), "period start"
            if kind == "midday":
                return local_midnight(dd, zone) + dt.timedelta(hours=12), "midday"
            if kind == "utc":
                return local_midnight(dd, "UTC"), "UTC midnight"
            if kind == "minute":
                return local_midnight(dd, zone) + dt.timedelta(minutes=rng.randrange(0, 1440, 15)), \
                    "quarter-hour"
            return local_midnight(dd, zone), "local midnight"

        lo, lk = bound(d0)
        hi, hk = bound(d0 + dt.timedelta(days=rng.randint(1, span)))
        if hi < lo:
            lo, hi = hi, lo
            lk, hk = hk, lk
        if hi == lo:
            hi = hi + dt.timedelta(days=1)
        lop, hop = rng.choice([(">=", "<"), (">=", "<="), (">", "<"), (">", "<=")])
        shape = ["grain=%s" % grain, "tz=%s" % (tz or "-"),
                 "period_start %s %s, %s %s" % (lop, lk, hop, hk)]
        # locations and metrics
        r = rng.random()
        if r < 0.15:
            locs = [UNION_SQUARE]
        elif r < 0.3:
            locs = [FIFTH_AVENUE]
        elif r < 0.85:
            locs = [s for s, _ in rng.sample(stores, rng.randint(1, 3))]
        else:
            locs = [rng.choice(regions)] + [rng.choice(stores)[0]]
        locs = sorted(set(locs))
        mets = sorted(set(rng.sample(RN_METRICS[:4], rng.randint(1, 2))
                          if rng.random() < 0.8 else [rng.choice(RN_METRICS)]))
        p = [eq_or_in(rng, "location_uuid", locs), eq_or_in(rng, "metric", mets),
             "period_start %s %s" % (lop, ts(lo, zone if rng.random() < 0.5 else None)),
             "period_start %s %s" % (hop, ts(hi, zone if rng.random() < 0.5 else None))]
        shape.append("%d location(s), %d metric(s)" % (len(locs), len(mets)))
        # a quarter of the cases take their locations from a local table
        # (IN (SELECT ...), a semi-join: the id prefetch's batches); own
        # random stream, so the other cases stay those of the seed
        if random.Random("semijoin %d %s" % (i, locs)).random() < 0.25:
            p[0] = "location_uuid IN (SELECT uuid FROM v.rn_location_list WHERE %s)" % \
                in_list("uuid", locs)
            shape.append("IN (SELECT ...)")
        shaping = []
        grains = [grain]
        if rng.random() < 0.07:
            grains = sorted({grain, rng.choice(RN_GRAINS[1:4])})
        if len(grains) > 1:
            p.append(in_list("grain", grains))
            shape[0] = "grain IN (%s)" % ",".join(grains)
        elif grain != "day" or rng.random() < 0.7:
            p.append("grain = %s" % lit(grain))
        p_has_grain = any(c.startswith("grain") for c in p)
        tzs = [tz]
        if tz is not None:
            if rng.random() < 0.07:
                other = rng.choice([z for z in RN_TZS[1:] if z != tz])
                tzs = sorted([tz, other])
                p.append(in_list("time_zone", tzs))
                shape[1] = "time_zone IN"
            else:
                p.append("time_zone = %s" % lit(tz))
        # a time range (own random stream: the other cases stay the seed's)
        trs = _dm_time_ranges(random.Random("time_range %d %s" % (i, locs)), p, shape)
        # wider fetches: one per request-shaping value (grain, time_zone,
        # time_range)
        wl = lo - dt.timedelta(days=margin)
        wh = hi + dt.timedelta(days=margin)
        wlocs = sorted(set(locs) | ({rng.choice(stores)[0]} if rng.random() < 0.4 else set()))
        wmets = sorted(set(mets) | ({rng.choice(RN_METRICS[:4])} if rng.random() < 0.3 else set()))
        ws = []
        for g in grains:
            for z in tzs:
                for t in trs:
                    w = [in_list("location_uuid", wlocs), in_list("metric", wmets),
                         "period_start >= %s" % ts(wl), "period_start < %s" % ts(wh)]
                    if p_has_grain:
                        w.append("grain = %s" % lit(g))
                    if z is not None:
                        w.append("time_zone = %s" % lit(z))
                    if t is not None:
                        w.append("time_range = %s" % lit(t))
                    ws.append(w)
        order, limit = [], None
        if rng.random() < 0.1:
            order = [("period_start", "DESC"), ("location_uuid", "ASC"), ("metric", "ASC")]
            limit = rng.choice([None, 7])
            shape.append("ORDER BY" + (" LIMIT" if limit else ""))
        c = Case(table, "; ".join(shape), p, ws, order, limit,
                 timezone=rng.choice(["UTC", zone]), key=spec["key"],
                 total_order=len(grains) == 1 and len(tzs) == 1 and len(trs) == 1)
        # what its ground truth is asked for (a request per location, metric,
        # grain, zone and time range; None = the table's default zone, UTC,
        # and hours)
        c.dm_truth = {"locations": locs, "metrics": mets, "grains": grains,
                      "tzs": [z or "UTC" for z in tzs], "time_ranges": trs,
                      "from": lo, "to": hi}
        cases.append(c)
    for i in range(n_anchored):
        cases.append(_dm_anchored_case(spec, dom, random.Random("anchored %d" % i)))
    return cases


def _dm_time_ranges(rng, p, shape):
    """A case's time_range values ([None]: no condition, the table's hours),
    its condition appended to p."""
    r = rng.random()
    if r < 0.6:
        return [None]
    if r < 0.85:
        trs = [rng.choice(DM_TIMES)]
    else:
        trs = sorted(rng.sample(DM_TIMES, 2))
    p.append(eq_or_in(rng, "time_range", trs))
    shape.append("time_range %s" % ("=" if len(trs) == 1 else "IN"))
    return trs


def _dm_anchored_case(spec, dom, rng):
    """A case of an anchored grain: range_start and range_finish are
    equalities in P and in every wider fetch W (they shape the request, the
    rows show them), which only widens locations, metrics and the
    period_start bounds."""
    table = spec["table"]
    stores = dom.rn_stores
    grain = rng.choice(DM_ANCHORED)
    tz = rng.choice(RN_TZS)
    zone = tz or "UTC"
    rs = day(rng.choice(RN_DAYS)) + dt.timedelta(days=rng.randint(-3, 3))
    rf = rs + dt.timedelta(days=rng.choice([0, 1, 6, 13, 20, 27, 45]))
    if rf > RN_DATA_END.date() + dt.timedelta(days=2):
        rs, rf = rs - dt.timedelta(days=60), rf - dt.timedelta(days=60)
    locs = sorted({s for s, _ in rng.sample(stores, rng.randint(1, 3))} |
                  ({UNION_SQUARE} if rng.random() < 0.3 else set()))
    mets = sorted(set(rng.sample(RN_METRICS[:4], rng.randint(1, 2))))
    # period_start: a lower bound around the range's first week, an upper
    # bound past the range or near its end
    lo = local_midnight(rs - dt.timedelta(days=rng.choice([0, 0, 3, 10])), zone)
    if rng.random() < 0.2:
        lo += dt.timedelta(days=1)       # past a weekday row's period_start
    p = [eq_or_in(rng, "location_uuid", locs), eq_or_in(rng, "metric", mets),
         "grain = %s" % lit(grain), "range_start = %s" % lit(rs.isoformat()),
         "range_finish = %s" % lit(rf.isoformat()), "period_start >= %s" % ts(lo)]
    shape = ["grain=%s" % grain, "tz=%s" % (tz or "-"), "range of %d days" % ((rf - rs).days + 1)]
    if rng.random() < 0.4:
        hi = max(local_midnight(rf - dt.timedelta(days=rng.randint(0, 10)), zone),
                 lo + dt.timedelta(days=1))
        shape.append("period_start < near the end")
    else:
        hi = local_midnight(rf + dt.timedelta(days=rng.randint(1, 30)), zone)
    p.append("period_start < %s" % ts(hi))
    if tz is not None:
        p.append("time_zone = %s" % lit(tz))
    trs = _dm_time_ranges(rng, p, shape)
    wlocs = sorted(set(locs) | {rng.choice(stores)[0]})
    ws = []
    for t in trs:
        w = [in_list("location_uuid", wlocs), in_list("metric", sorted(set(mets) | {"traffic_in"})),
             "grain = %s" % lit(grain), "range_start = %s" % lit(rs.isoformat()),
             "range_finish = %s" % lit(rf.isoformat()),
             "period_start >= %s" % ts(lo - dt.timedelta(days=60))]
        if tz is not None:
            w.append("time_zone = %s" % lit(tz))
        if t is not None:
            w.append("time_range = %s" % lit(t))
        ws.append(w)
    c = Case(table, "; ".join(shape), p, ws, timezone=rng.choice(["UTC", zone]),
             key=spec["key"], total_order=len(trs) == 1)
    # the range is sent once, exactly, as the document reads a gregorian
    # (Z is UTC): an API reading the wall clock would count other hours,
    # and one labelling a cut period by its days in the range other
    # periods; the extension cannot widen the range to absorb either
    c.assumes = {"retailnext.gregorian_z": "utc", "retailnext.edge_labels": "whole"}
    c.dm_truth = {"locations": locs, "metrics": mets, "grains": [grain], "tzs": [zone],
                  "time_ranges": trs, "range": (rs, rf), "from": lo, "to": hi}
    return c


# ----------------------------------------------------------------------
# RetailNext tables with required quals
# ----------------------------------------------------------------------

def gen_store_hours(spec, dom, rng, n):
    table = spec["table"]
    stores = [s for s, _ in dom.rn_stores]
    cases = []
    for _ in range(n):
        d0 = day(rng.choice(RN_DAYS))
        span = rng.randint(0, 14)
        lo = dt.datetime.combine(d0, dt.time())
        hi = dt.datetime.combine(d0 + dt.timedelta(days=span), dt.time())
        lk = hk = "midnight"
        if rng.random() < 0.3:
            lo += dt.timedelta(hours=12)
            lk = "midday"
        if rng.random() < 0.3:
            hi += dt.timedelta(hours=rng.choice([2, 12]))
            hk = "off midnight"
        f = "%Y-%m-%d %H:%M:%S"
        if rng.random() < 0.15:
            p = ["effective_day = %s" % lit(lo.strftime(f))]
            shape = ["effective_day = %s" % lk]
        else:
            lop, hop = rng.choice([">=", ">"]), rng.choice(["<", "<="])
            p = ["effective_day %s %s" % (lop, lit(lo.strftime(f))),
                 "effective_day %s %s" % (hop, lit(hi.strftime(f)))]
            shape = ["effective_day %s %s, %s %s" % (lop, lk, hop, hk)]
        ss = rng.sample(stores, rng.choice([1, 1, 2, 3]))
        if UNION_SQUARE not in ss and rng.random() < 0.3:
            ss[0] = UNION_SQUARE
        p.append(eq_or_in(rng, "store_uuid", ss))
        shape.append("store_uuid %s" % ("=" if len(ss) == 1 else "IN"))
        w = [in_list("store_uuid", sorted(set(ss) | {rng.choice(stores)})),
             "effective_day >= %s" % lit((lo - dt.timedelta(days=7)).strftime(f)),
             "effective_day <= %s" % lit((hi + dt.timedelta(days=7)).strftime(f))]
        cases.append(Case(table, "; ".join(shape), p, [w], key=spec["key"]))
    return cases


# Columns that shape a request and read NULL at the API's default: a case
# that names none of them is compared with the truth's default rows only
SHAPE_DEFAULTS = {
    "r.rn_zone_transitions": {"day_of_week": "day_of_week IS NULL",
                              "time_start": "time_start IS NULL"},
}

# the weekdays and hours zone transition cases ask for ("": the API's default)
ZT_DOWS = ["", "friday"]
ZT_TIMES = ["", "10:30-13:00"]


def gen_zone_transitions(spec, dom, rng, n):
    table = spec["table"]
    # stores with floorplans first, then any store (no floorplan: no rows)
    locs = dom.rn_fpa_stores + [s for s, _ in dom.rn_stores if s not in dom.rn_fpa_stores]
    cases = []
    for _ in range(n):
        d0 = day(rng.choice(RN_DAYS[:16]))
        d1 = d0 + dt.timedelta(days=rng.choice([0, 1, 6, 30]))
        pool = locs[:len(dom.rn_fpa_stores)] if rng.random() < 0.7 and dom.rn_fpa_stores else locs
        ls = sorted(rng.sample(pool, rng.choice([1, 1, 2]) if len(pool) > 1 else 1))
        p = [eq_or_in(rng, "location_uuid", ls), "start_date = %s" % lit(d0.isoformat()),
             "finish_date = %s" % lit(d1.isoformat())]
        shape = ["location_uuid %s" % ("=" if len(ls) == 1 else "IN (2)"),
                 "%d day(s)" % ((d1 - d0).days + 1)]
        if rng.random() < 0.2:
            p.append("metric = %s" % lit(rng.choice(["all", "zone_transitions"])))
            shape.append("metric (local)")
        # a weekday and hours shape the request: equalities in W too
        shaping = []
        dow = rng.choice(ZT_DOWS + [""])
        if dow:
            shaping.append("day_of_week = %s" % lit(dow))
            shape.append("day_of_week")
        hours = rng.choice(ZT_TIMES + [""])
        if hours:
            shaping += ["time_start = %s" % lit(hours.split("-")[0]),
                        "time_finish = %s" % lit(hours.split("-")[1])]
            shape.append("time range")
        p += shaping
        ws = [["location_uuid = %s" % lit(l), "start_date = %s" % lit(d0.isoformat()),
               "finish_date = %s" % lit(d1.isoformat())] + shaping for l in ls]
        cases.append(Case(table, "; ".join(shape), p, ws, key=spec["key"]))
    return cases


def gen_predicted(spec, dom, rng, n):
    table = spec["table"]
    stores = [s for s, _ in dom.rn_stores]
    today = dom.today
    cases = []
    for _ in range(n):
        a = rng.randint(1, 20)
        b = a + rng.randint(0, 8)
        zone = rng.choice(["UTC", "America/New_York", "Europe/London"])
        lo = local_midnight(today + dt.timedelta(days=a), zone)
        hi = local_midnight(today + dt.timedelta(days=b), zone)
        lk = hk = "%s midnight" % zone
        if rng.random() < 0.3:
            lo += dt.timedelta(hours=rng.choice([1, 12, 13]))
            lk = "off midnight"
        if rng.random() < 0.3 or hi <= lo:
            hi += dt.timedelta(hours=rng.choice([12, 18]))
            hk = "off midnight"
        # never before UTC's tomorrow, where the fenced fetch starts (London's
        # midnight is UTC's 23:00 in summer)
        lo = max(lo, local_midnight(today + dt.timedelta(days=1), "UTC"))
        lop, hop = rng.choice([">=", ">"]), rng.choice(["<", "<="])
        ss = rng.sample(stores, rng.choice([1, 1, 2]))
        p = [eq_or_in(rng, "store_uuid", ss), "time %s %s" % (lop, ts(lo, zone)),
             "time %s %s" % (hop, ts(hi, zone))]
        shape = ["time %s %s, %s %s" % (lop, lk, hop, hk),
                 "store_uuid %s" % ("=" if len(ss) == 1 else "IN")]
        wlo = max(local_midnight(today + dt.timedelta(days=1), "UTC"),
                  lo - dt.timedelta(days=2))
        whi = min(local_midnight(today + dt.timedelta(days=30), "UTC"),
                  hi + dt.timedelta(days=3))
        w = [in_list("store_uuid", sorted(set(ss) | {rng.choice(stores)})),
             "time >= %s" % ts(wlo), "time < %s" % ts(whi)]
        cases.append(Case(table, "; ".join(shape), p, [w], key=spec["key"],
                          timezone=rng.choice(["UTC", zone])))
    return cases


def gen_occupancy(spec, dom, rng, n):
    """rn_occupancy_now: stores and regions (a region sums its stores); the
    metric and value are PostgreSQL's to filter"""
    table = spec["table"]
    locs = [s for s, _ in dom.rn_stores] + dom.rn_regions
    cases = []
    for _ in range(n):
        ls = sorted(rng.sample(locs, rng.choice([1, 1, 2, 3])))
        p = [eq_or_in(rng, "location_uuid", ls)]
        shape = ["location_uuid %s" % ("=" if len(ls) == 1 else "IN")]
        r = rng.random()
        if r < 0.3:
            p.append("metric = %s" % lit(rng.choice(["total_occupancy", "occupancy_limit"])))
            shape.append("metric (local)")
        elif r < 0.5:
            p.append("value %s %d" % (rng.choice([">", "<=", ">="]), rng.choice([0, 20, 50, 180])))
            shape.append("value (local)")
        w = [in_list("location_uuid", sorted(set(ls) | {rng.choice(locs)}))]
        cases.append(Case(table, "; ".join(shape), p, [w], key=spec["key"]))
    return cases


# ----------------------------------------------------------------------
# Inspector visits and their children
# ----------------------------------------------------------------------

def gen_inspector(spec, dom, rng, n):
    table = spec["table"]
    visits = dom.ic_visits          # list of dict: id, created_at (datetime), cid, ...
    idcol = spec["id_column"]
    is_visits = idcol == "id"
    tcol = spec["time"]     # the visit's time as this table names it
    ids = [v["id"] for v in visits]
    cases = []
    for _ in range(n):
        r = rng.random()
        shape = []
        if r < 0.4:
            k = rng.choice([1, 1, 2, 4])
            vs = rng.sample(ids, k)
            if rng.random() < 0.2:
                vs.append("500002")     # between generated ids: 404 = no row
            p = [eq_or_in(rng, idcol, vs)]
            shape.append("%s %s" % (idcol, "=" if len(vs) == 1 else "IN"))
            if rng.random() < 0.3:
                t = rng.choice(visits)["created_at"]
                p.append("%s >= %s" % (tcol, ts(t)))
                shape.append(tcol + " >=")
            w = [in_list(idcol, sorted(set(vs) | set(rng.sample(ids, 3))))] \
                if rng.random() < 0.5 else ["%s >= '2000-01-01'" % tcol]
        else:
            v = rng.choice(visits)
            kind = rng.choice(["visit", "visit", "midnight", "second"])
            t = v["created_at"]
            if kind == "midnight":
                t = local_midnight(t.date(), None)
            elif kind == "second":
                t = t + dt.timedelta(seconds=1)
            op = rng.choice([">=", ">", ">=", "="]) if kind == "visit" else rng.choice([">=", ">"])
            p = ["%s %s %s" % (tcol, op, ts(t))]
            shape.append("%s %s %s" % (tcol, op, kind))
            if is_visits and rng.random() < 0.5:
                c = rng.choice(["cid", "agent_id", "current_agent_route"])
                val = rng.choice(visits)[c]
                if val is not None:
                    p.append("%s = %s" % (c, lit(val)))
                    shape.append(c + " =")
            earlier = [x["created_at"] for x in visits if x["created_at"] < t]
            if earlier and rng.random() < 0.6:
                w = ["%s >= %s" % (tcol, ts(rng.choice(earlier)))]
            else:
                w = ["%s >= '2000-01-01'" % tcol]
        if is_visits and rng.random() < 0.3:
            # is_new: "WHERE is_new" (and "= true", folded to it) lists only
            # the new visits; the other spellings are PostgreSQL's to filter
            b = rng.choice(["is_new", "is_new", "is_new = true", "NOT is_new",
                            "is_new = false", "is_new IS TRUE", "is_new IS NOT FALSE"])
            p.append(b)
            shape.append(b)
        if spec.get("own_time") and rng.random() < 0.4:
            # the element's own created_at: never a visit bound, checked
            # locally; near a visit's time, where the two readings differ
            t = rng.choice(visits)["created_at"] + dt.timedelta(minutes=rng.choice([0, 4, 6, 90]))
            op = rng.choice([">=", ">", "<", "<="])
            p.append("created_at %s %s" % (op, ts(t)))
            shape.append("created_at %s (own)" % op)
        order, limit = [], None
        if rng.random() < 0.15:
            order = [(idcol, "ASC")]
            limit = rng.choice([None, 3])
            shape.append("ORDER BY" + (" LIMIT" if limit else ""))
        cases.append(Case(table, "; ".join(shape), p, [w], order, limit, key=spec["key"]))
    if spec.get("page_size") and is_visits:
        # a listing that ends exactly at a page end: from the midnights whose
        # visits fill whole pages (the last row is a page's last)
        size = int(spec["page_size"])
        for d in sorted({v["created_at"].date() for v in visits}):
            t = local_midnight(d, None)
            n = sum(1 for v in visits if v["created_at"] >= t)
            if n and n % size == 0:
                cases.append(Case(table, "%s >= midnight; %d whole pages" % (tcol, n // size),
                                  ["%s >= %s" % (tcol, ts(t))],
                                  [["%s >= '2000-01-01'" % tcol]], key=spec["key"]))
    return cases


GENERATORS = {
    "generic": gen_generic,
    "journey": gen_journey,
    "datamine": gen_datamine,
    "store_hours": gen_store_hours,
    "zone_transitions": gen_zone_transitions,
    "predicted": gen_predicted,
    "occupancy": gen_occupancy,
    "inspector": gen_inspector,
}


def _ic(child_key, weight=8):
    return {"gen": "inspector", "key": ["visit_id"] + child_key, "weight": weight}


# What the descriptors cannot say: generators, row keys, weights, the
# sort keys PostgreSQL sorts.  The pushdown model (push, domain, sorts,
# required, id_column, time, own_time) is filled in by the runner from
# retail_fdw.key_columns and retail_fdw.sort_columns.
SPECS = {
    # journey
    "j.visit_journey_events": {
        "gen": "journey", "weight": 40,
        "key": ["visit_id", "zone_serial_code", "event_start"]},
    # aifi: the document's orderBy keys id, code and customerId are strings
    # the API sorts as numbers (or by no collation PostgreSQL knows)
    "a.aifi_sessions": {
        "gen": "generic", "weight": 30, "key": ["id"],
        "local_sorts": ["id", "code", "customer_id"]},
    "a.aifi_stores": {
        "gen": "generic", "weight": 8, "key": ["id"], "local_sorts": ["id", "name"]},
    "a.aifi_orders": {"gen": "generic", "weight": 20, "key": ["id"]},
    "a.aifi_products": {"gen": "generic", "weight": 15, "key": ["id"]},
    "a.aifi_customers": {"gen": "generic", "weight": 10, "key": ["id"]},
    # retailnext
    "r.rn_locations": {"gen": "generic", "weight": 10, "key": ["uuid"]},
    "r.rn_datamine": {
        "gen": "datamine", "weight": 110,
        "key": ["location_uuid", "metric", "grain", "time_zone", "time_range", "range_start",
                "day_of_week", "period_start"],
        # columns whose conditions shape the request: a class case's extra
        # condition on one goes into the wider fetches too
        "shaping": ["grain", "time_zone", "time_range", "range_start", "range_finish"]},
    "r.rn_store_hours": {
        "gen": "store_hours", "weight": 20,
        "key": ["store_uuid", "effective_day"]},
    "r.rn_zone_transitions": {
        "gen": "zone_transitions", "weight": 12,
        "key": ["location_uuid", "start_date", "finish_date", "day_of_week", "time_start",
                "time_finish", "metric", "floorplan_uuid", "from_zone_uuid", "to_zone_uuid"]},
    "r.rn_fpa_zones": {"gen": "generic", "weight": 8, "key": ["zone_uuid"]},
    "r.rn_fpa_zone_points": {"gen": "generic", "weight": 4, "key": ["zone_uuid", "point_index"]},
    "r.rn_health_alerts": {"gen": "generic", "weight": 14, "key": ["uuid"]},
    # the FDW takes "future days" from PostgreSQL's clock; the simulator's
    # clock is frozen in 2021 unless its knob now=real
    "r.rn_predicted_traffic": {
        "gen": "predicted", "weight": 10,
        "key": ["store_uuid", "time"],
        "sim_config": {"retailnext": {"now": "real"}}},
    "r.rn_occupancy_now": {"gen": "occupancy", "weight": 4, "key": ["location_uuid", "metric"]},
    "r.rn_users": {"gen": "generic", "weight": 8, "key": ["id"]},
    "r.rn_user_profiles": {"gen": "generic", "weight": 3, "key": ["id"]},
    "r.rn_location_profiles": {"gen": "generic", "weight": 3, "key": ["id"]},
    "r.rn_cameras": {"gen": "generic", "weight": 8, "key": ["device_id"]},
    "r.rn_channels": {"gen": "generic", "weight": 3, "key": ["channel_uuid"]},
    "r.rn_appliances": {"gen": "generic", "weight": 3, "key": ["appliance_id"]},
    # inspector
    "i.ic_visits": {"gen": "inspector", "key": ["id"], "weight": 15},
    # scenes, images, questions and DQI entries have a created_at of their
    # own: the visit's time is visit_created_at (key_columns says so), and
    # own_time adds a local bound on the element's created_at to some cases
    "i.ic_visit_scenes": _ic(["scene_id"]),
    "i.ic_visit_images": _ic(["scene_id", "image_id"]),
    "i.ic_visit_answers": _ic(["scene_id", "question_group_id", "question_id"]),
    "i.ic_visit_answer_options": _ic(["scene_id", "question_group_id", "question_id",
                                      "option_id"]),
    "i.ic_visit_image_quality": _ic(["scene_id", "image_quality_id"]),
    "i.ic_visit_assortment": _ic(["scene_id", "sku_id"]),
    "i.ic_visit_facing_counts": _ic(["scene_id", "sku_id"]),
    "i.ic_visit_prices": _ic(["price_id"]),
    "i.ic_visit_oos_reasons": _ic(["oos_id"]),
    "i.ic_visit_kpis": _ic(["kpi_value_id"]),
    "i.ic_visit_dqi": _ic(["dqi_id"]),
    "i.ic_visit_list": {"gen": "generic", "weight": 3, "key": ["id"]},
    "i.ic_stores": {"gen": "generic", "weight": 3, "key": ["id"]},
    "i.ic_skus": {"gen": "generic", "weight": 3, "key": ["id"]},
}

# Ground truth: tables whose every row the simulator serves at
# GET /_sim/truth/<vendor>/<resource> (as the document shapes them; each
# column read from the document field its catalog description names, else
# its name or camelCase;
# "windows": the event_start ranges asked for, which hold every row any
# generated predicate of the table can select).  The runner loads each into
# a local table t.<name> with the foreign table's columns, and every case of
# the table (and of its paged variant) is also compared with the same
# predicate over it.
TRUTH = {
    "j.visit_journey_events": {"vendor": "journey", "resource": "visit_journey_events",
                               "windows": [("2025-07-20T00:00:00Z", "2025-09-10T00:00:00Z"),
                                           ("2025-10-15T00:00:00Z", "2025-11-20T00:00:00Z")]},
    "a.aifi_sessions": {"vendor": "aifi", "resource": "aifi_sessions"},
    "a.aifi_stores": {"vendor": "aifi", "resource": "aifi_stores"},
    "a.aifi_orders": {"vendor": "aifi", "resource": "aifi_orders"},
    "a.aifi_products": {"vendor": "aifi", "resource": "aifi_products"},
    "a.aifi_customers": {"vendor": "aifi", "resource": "aifi_customers"},
    "i.ic_visits": {"vendor": "inspector", "resource": "ic_visits"},
}
# Inspector's children, stores and skus: rows keyed by column name
TRUTH.update({"i." + _t: {"vendor": "inspector", "resource": _t} for _t in (
    "ic_visit_scenes", "ic_visit_images", "ic_visit_answers", "ic_visit_answer_options",
    "ic_visit_image_quality", "ic_visit_assortment", "ic_visit_facing_counts", "ic_visit_prices",
    "ic_visit_oos_reasons", "ic_visit_kpis", "ic_visit_dqi", "ic_stores", "ic_skus",
    "ic_visit_list")})

# RetailNext tables without aggregation
TRUTH.update({"r." + _t: {"vendor": "retailnext", "resource": _t} for _t in (
    "rn_locations", "rn_users", "rn_user_profiles", "rn_location_profiles", "rn_cameras",
    "rn_appliances", "rn_health_alerts", "rn_fpa_zones", "rn_fpa_zone_points")})
# store hours: every day any generated case can select (RN_DAYS, their spans)
TRUTH["r.rn_store_hours"] = {"vendor": "retailnext", "resource": "rn_store_hours",
                             "windows": [("2019-12-01", "2021-04-01")]}
TRUTH["r.rn_channels"] = {"vendor": "retailnext", "resource": "rn_channels"}

# zone transitions: each store alone, for every range gen_zone_transitions makes
TRUTH["r.rn_zone_transitions"] = {
    "vendor": "retailnext", "resource": "rn_zone_transitions",
    "query": "starts=%s&spans=0,1,6,30&dows=%s&times=%s" % (
        ",".join(RN_DAYS[:16]), ",".join(ZT_DOWS), ",".join(ZT_TIMES))}

# predicted traffic: every slot of the coming 31 days (the real clock)
TRUTH["r.rn_predicted_traffic"] = {"vendor": "retailnext", "resource": "rn_predicted_traffic"}

# Hand-declared tables over the same endpoints with small pages (paging is
# where rows get lost or repeated); schema v, created by the runner.
VARIANTS = {
    "v.journey_paged": dict(SPECS["j.visit_journey_events"], weight=6,
                            variant_of="j.visit_journey_events", server="journey",
                            resource="visit_journey_events", page_size="13"),
    "v.aifi_sessions_paged": dict(SPECS["a.aifi_sessions"], weight=8, systematic=False,
                                  variant_of="a.aifi_sessions", server="aifi",
                                  resource="aifi_sessions", page_size="70"),
    "v.ic_visits_paged": dict(SPECS["i.ic_visits"], weight=5, variant_of="i.ic_visits",
                              server="ic", resource="ic_visits", page_size="7"),
    "v.rn_users_paged": dict(SPECS["r.rn_users"], weight=4, variant_of="r.rn_users",
                             server="rn", resource="rn_users", page_size="9"),
}
# rn_datamine under the table option hours 'all_day' (a 00:00-24:00 time
# range instead of store hours: other periods, other values)
VARIANTS["v.rn_datamine_all_day"] = dict(SPECS["r.rn_datamine"], weight=25,
                                         variant_of="r.rn_datamine", server="rn",
                                         resource="rn_datamine", hours="all_day")
SPECS.update(VARIANTS)
# rn_datamine: no table of all rows (too large); each generated case asks
# GET /_sim/truth/retailnext/rn_datamine?location=&metric=&grain=&tz=&from=&to=
# (&hours=all_day for that variant) for the whole periods of its own range
# (Case.dm_truth), loaded per case
TRUTH_PER_CASE = {"r.rn_datamine": {"vendor": "retailnext", "resource": "rn_datamine"},
                  "v.rn_datamine_all_day": {"vendor": "retailnext", "resource": "rn_datamine",
                                            "hours": "all_day"}}
TRUTH_OF = {name: name for name in TRUTH}
TRUTH_OF.update({name: sp["variant_of"] for name, sp in VARIANTS.items()
                 if sp["variant_of"] in TRUTH})

for _name, _spec in SPECS.items():
    _spec["table"] = _name
