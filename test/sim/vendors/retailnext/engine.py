"""The deterministic data engine: values per (seed, location, day, 15-minute slot)
and the metrics computed from them."""

import datetime as dt
import math

from vendors.base import rng_for
from vendors.retailnext.fixtures import DAY_OVERRIDES, SLOT_OVERRIDES, VENDOR


NV = 11
IN, OUT, PASSBY, DWELLS, DWELL_SECS, TX, SALES, STAFFQ, INDIV, GROUPS, NSLOT = range(NV)
COMP = {"IN": IN, "OUT": OUT}
TRAFFIC_COMPS = (IN, OUT, PASSBY, DWELLS, DWELL_SECS, INDIV, GROUPS)
WEEKDAY_FACTOR = [0.8, 0.8, 0.85, 0.9, 1.1, 1.35, 1.0]
SEASON = {1: 0.85, 2: 0.85, 3: 0.95, 4: 1.0, 5: 1.0, 6: 1.0, 7: 1.05, 8: 1.05, 9: 0.95,
          10: 1.0, 11: 1.15, 12: 1.4}
VALIDITY = ["complete", "imputed", "incomplete"]


def _split(total, weights):
    """Integers proportional to weights summing exactly to total."""
    n = len(weights)
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * n
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    if rest:
        order = sorted(range(n), key=lambda i: (out[i] - raw[i], i))
        for i in order[:rest]:
            out[i] += 1
    return out


def traffic_profile(hour):
    return 0.35 + math.exp(-((hour - 13.0) ** 2) / 6.0) + 0.9 * math.exp(-((hour - 18.0) ** 2) / 5.0)


def _thanksgiving(y):
    d = dt.date(y, 11, 1)
    return d + dt.timedelta(days=(3 - d.weekday()) % 7 + 21)


def _epoch_min(naive, tz):
    return int(naive.replace(tzinfo=tz).timestamp()) // 60


def wall_clock(m, tz):
    return dt.datetime.fromtimestamp(m * 60, tz).replace(tzinfo=None)


class Source:
    """A location that has its own data: a store or a sublocation."""
    __slots__ = ("uuid", "store", "scale", "is_store", "start", "archive", "tz")

    def __init__(self, uuid, store, scale, is_store, start, archive):
        self.uuid = uuid
        self.store = store
        self.scale = scale
        self.is_store = is_store
        self.start = start
        self.archive = archive
        self.tz = store["tzinfo"]


class DayData:
    __slots__ = ("n_open", "o_utc", "c_utc", "vec", "after", "rank", "outage")


class Engine:
    """Deterministic data per (seed, location, day); caches are never stale
    because nothing that feeds them can change at run time (store hours and
    time zones are not editable through the API)."""

    def __init__(self, seed):
        self.seed = seed
        self.days = {}
        self.bslots = {}
        self.aslots = {}

    def _trim_caches(self):
        for c in (self.days, self.bslots, self.aslots):
            if len(c) > 300000:
                c.clear()

    @staticmethod
    def hours(store, d):
        """(open, close) minutes from local midnight of d (may be < 0 or > 1440)."""
        if store["opened"] and d < store["opened"]:
            return None
        us = store["time_zone"].startswith("America/")
        if d.month == 12 and d.day == 25:
            return None
        if us:
            tg = _thanksgiving(d.year)
            if d == tg:
                return None
            if d == tg + dt.timedelta(days=1) and store["black_friday"]:
                return (-120, 23 * 60)
            if d.month == 1 and d.day == 1:
                return (11 * 60, 18 * 60)
        elif d.month == 1 and d.day == 1:
            return None
        return store["hours"][d.weekday()]

    def day(self, src, d):
        key = (src.uuid, src.store["uuid"], d)
        hit = self.days.get(key)
        if hit is not None:
            return hit
        self._trim_caches()
        store = src.store
        tz = src.tz
        r = rng_for(self.seed, VENDOR, "day", src.uuid, d.toordinal())
        h = self.hours(store, d)
        dd = DayData()
        base = dt.datetime.combine(d, dt.time())
        dd.vec = [0] * NV
        dd.after = [0] * NV
        dd.rank = 0
        dd.outage = None
        if h:
            dd.o_utc = _epoch_min(base + dt.timedelta(minutes=h[0]), tz)
            dd.c_utc = _epoch_min(base + dt.timedelta(minutes=h[1]), tz)
            dd.n_open = max(0, (dd.c_utc - dd.o_utc) // 15)
        else:
            dd.o_utc = dd.c_utc = None
            dd.n_open = 0
        n = dd.n_open
        if n:
            v = dd.vec
            expected = src.scale * WEEKDAY_FACTOR[d.weekday()] * SEASON[d.month] * n / 4.0
            tin = int(round(expected * r.uniform(0.85, 1.15)))
            v[IN] = tin
            v[OUT] = max(0, tin + r.randint(-3, 3))
            v[PASSBY] = int(tin * r.uniform(3.0, 6.0))
            v[DWELLS] = int(tin * r.uniform(0.4, 0.7))
            v[DWELL_SECS] = v[DWELLS] * r.randint(120, 600)
            v[INDIV] = int(tin * r.uniform(0.5, 0.7))
            v[GROUPS] = int((tin - v[INDIV]) / r.uniform(2.0, 3.0))
            if src.is_store:
                v[TX] = int(tin * r.uniform(0.15, 0.35))
                v[SALES] = v[TX] * r.randint(2500, 9000)
                v[STAFFQ] = n * r.randint(2, 6)
            v[NSLOT] = n
            u = r.random()
            if u < 0.05:
                dd.rank = 2 if u < 0.03 else 1
                a = r.randrange(n)
                dd.outage = (a, min(n, a + r.randint(2, 8)))
                if dd.rank == 2:
                    keep = 1.0 - (dd.outage[1] - dd.outage[0]) / n
                    for k in TRAFFIC_COMPS:
                        v[k] = int(v[k] * keep)
        a = dd.after
        a[IN] = r.randint(0, 6)
        a[OUT] = max(0, a[IN] + r.randint(-1, 1))
        a[PASSBY] = r.randint(20, 120)
        if src.is_store:
            a[STAFFQ] = r.randint(0, 8)
        ov = DAY_OVERRIDES.get((src.uuid, d))
        if ov or (src.uuid, d) in SLOT_OVERRIDES:
            dd.rank = 0
            dd.outage = None
            for k, val in (ov or {}).items():
                dd.vec[COMP[k]] = val
        self.days[key] = dd
        return dd

    def business_slots(self, src, d):
        """[(utc minute, store-local naive, values, rank)] of business day d."""
        key = (src.uuid, src.store["uuid"], d)
        hit = self.bslots.get(key)
        if hit is not None:
            return hit
        dd = self.day(src, d)
        n = dd.n_open
        out = []
        if n:
            r = rng_for(self.seed, VENDOR, "slots", src.uuid, d.toordinal())
            tz = src.tz
            locs = [wall_clock(dd.o_utc + 15 * i, tz) for i in range(n)]
            w = [traffic_profile(t.hour + t.minute / 60.0) * (0.75 + 0.5 * r.random()) for t in locs]
            ranks = [0] * n
            if dd.outage:
                for i in range(*dd.outage):
                    ranks[i] = dd.rank
                    if dd.rank == 2:
                        w[i] = 0.0
            cols = {}
            for k in range(NV):
                if k == NSLOT:
                    cols[k] = [1] * n
                elif k == STAFFQ:
                    cols[k] = _split(dd.vec[k], [1.0] * n)
                else:
                    cols[k] = _split(dd.vec[k], w)
            ov = SLOT_OVERRIDES.get((src.uuid, d), {})
            for i in range(n):
                vals = [cols[k][i] for k in range(NV)]
                for name, val in ov.get(i, {}).items():
                    vals[COMP[name]] = val
                out.append((dd.o_utc + 15 * i, locs[i], vals, ranks[i]))
        self.bslots[key] = out
        return out

    def after_slots(self, src, c):
        """Slots of store-local calendar day c outside any business day."""
        key = (src.uuid, src.store["uuid"], c)
        hit = self.aslots.get(key)
        if hit is not None:
            return hit
        tz = src.tz
        dd = self.day(src, c)
        start = _epoch_min(dt.datetime.combine(c, dt.time()), tz)
        end = _epoch_min(dt.datetime.combine(c + dt.timedelta(days=1), dt.time()), tz)
        busy = []
        for k in (-1, 0, 1):
            o = self.day(src, c + dt.timedelta(days=k))
            if o.n_open:
                busy.append((o.o_utc, o.c_utc))
        mins = [m for m in range(start, end, 15) if not any(a <= m < b for a, b in busy)]
        r = rng_for(self.seed, VENDOR, "after", src.uuid, c.toordinal())
        w = [0.3 + r.random() for _ in mins]
        cols = {}
        for k in range(NV):
            if k == NSLOT:
                cols[k] = [1] * len(mins)
            else:
                cols[k] = _split(dd.after[k], w)
        out = [(m, wall_clock(m, tz), [cols[k][i] for k in range(NV)], 0) for i, m in enumerate(mins)]
        self.aslots[key] = out
        return out

    def day_quarters(self, src, c):
        tz = src.tz
        a = _epoch_min(dt.datetime.combine(c, dt.time()), tz)
        b = _epoch_min(dt.datetime.combine(c + dt.timedelta(days=1), dt.time()), tz)
        return (a, b)


# ======================================================================
# metrics
# ======================================================================

def _ratio(a, b, scale=1.0, nd=2):
    if not b:
        return None
    return round(scale * a / b, nd)


METRICS = {
    # name: (function of components, carries validity)
    "traffic_in": (lambda a: a[IN], True),
    "traffic_out": (lambda a: a[OUT], True),
    "total_occupancy": (lambda a: a[IN] - a[OUT], True),
    "occupancy_limit": (None, True),
    "individual_traffic_in": (lambda a: a[INDIV], True),
    "group_traffic_in": (lambda a: a[GROUPS], True),
    "passby_traffic": (lambda a: a[PASSBY], True),
    "passby_capture_rate": (lambda a: _ratio(a[IN], a[PASSBY], 100.0), True),
    "conversion_rate": (lambda a: _ratio(a[TX], a[IN], 100.0), True),
    "dwell_count": (lambda a: a[DWELLS], False),
    "avg_dwell_duration": (lambda a: _ratio(a[DWELL_SECS], a[DWELLS], 1.0, 1), False),
    "net_sales": (lambda a: round(a[SALES] / 100.0, 2), False),
    "sales_transactions_count": (lambda a: a[TX], False),
    "avg_transaction_value": (lambda a: _ratio(a[SALES], a[TX] * 100, 1.0), False),
    "staff_count": (lambda a: _ratio(a[STAFFQ], a[NSLOT], 1.0, 1), False),
    "labor_hours": (lambda a: round(a[STAFFQ] / 4.0, 2), False),
}
