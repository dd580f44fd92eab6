"""Retail calendars for datamine's date groups and relative dates: NRF 4-5-4
(the default) and gregorian with a configurable week start."""

import datetime as dt
import re

from vendors.retailnext.fixtures import DAY_NAMES, fail


NRF_WEEKS = [4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 4]
WEEKDAY = {n: i for i, n in enumerate(DAY_NAMES)}


def _nrf_fy_end(y):
    """Last day of NRF fiscal year y: the Saturday nearest January 31 of y+1."""
    d = dt.date(y + 1, 1, 31)
    delta = 5 - d.weekday()
    if delta > 3:
        delta -= 7
    elif delta < -3:
        delta += 7
    return d + dt.timedelta(days=delta)


class Calendar:
    def __init__(self, kind, week_start):
        self.kind = kind
        self.week_start = 6 if kind == "nrf454" else week_start

    # -- years and months ------------------------------------------------
    def fy_start(self, y):
        if self.kind == "nrf454":
            return _nrf_fy_end(y - 1) + dt.timedelta(days=1)
        return dt.date(y, 1, 1)

    def year_of(self, d):
        y = d.year
        if d < self.fy_start(y):
            return y - 1
        if d >= self.fy_start(y + 1):
            return y + 1
        return y

    def month_start(self, idx):
        """First day of month index idx (year*12 + month-1)."""
        y, m = divmod(idx, 12)
        if self.kind == "nrf454":
            weeks = sum(NRF_WEEKS[:m])
            return self.fy_start(y) + dt.timedelta(weeks=weeks)
        return dt.date(y, m + 1, 1)

    def month_index(self, d):
        if self.kind == "nrf454":
            y = self.year_of(d)
            idx = y * 12 + 11
            while self.month_start(idx) > d:
                idx -= 1
            return idx
        return d.year * 12 + d.month - 1

    def repr(self, d):
        idx = self.month_index(d)
        y, m = divmod(idx, 12)
        return {"gregorian": d.isoformat(), "year": y, "month": m + 1,
                "day": (d - self.month_start(idx)).days + 1}

    def week_start_of(self, d):
        return d - dt.timedelta(days=(d.weekday() - self.week_start) % 7)

    # -- date arithmetic ---------------------------------------------------
    def add_months(self, t, n):
        d = t.date()
        idx = self.month_index(d)
        day = (d - self.month_start(idx)).days
        new = idx + n
        length = (self.month_start(new + 1) - self.month_start(new)).days
        nd = self.month_start(new) + dt.timedelta(days=min(day, length - 1))
        return dt.datetime.combine(nd, t.time())

    def truncate(self, t, unit):
        d = t.date()
        if unit == "second":
            return t.replace(microsecond=0)
        if unit == "minute":
            return t.replace(second=0, microsecond=0)
        if unit == "hour":
            return t.replace(minute=0, second=0, microsecond=0)
        if unit == "day":
            nd = d
        elif unit == "week":
            nd = self.week_start_of(d)
        elif unit == "month":
            nd = self.month_start(self.month_index(d))
        elif unit == "quarter":
            idx = self.month_index(d)
            nd = self.month_start(idx - (idx % 12) % 3)
        elif unit == "year":
            nd = self.fy_start(self.year_of(d))
        else:
            fail(400, "truncate_to must be one of year, quarter, month, week, day, hour, minute, second")
        return dt.datetime.combine(nd, dt.time())

    def absolute(self, spec):
        allowed = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
        for k, v in spec.items():
            if k not in allowed:
                fail(400, "unsupported key %r in absolute date" % k)
            if not isinstance(v, int) or isinstance(v, bool):
                fail(400, "absolute %s must be an integer" % k)
            if k in ("quarter", "month", "week", "day") and v < 1:
                fail(400, "absolute %s starts from 1" % k)
            if k in ("hour", "minute", "second") and v < 0:
                fail(400, "absolute %s starts from 0" % k)
        if "year" not in spec:
            fail(400, "absolute date requires year")
        y = spec["year"]
        if not 1900 <= y <= 2200:
            fail(400, "absolute year out of range")
        base_idx = y * 12
        cur = self.fy_start(y)
        if "quarter" in spec:
            base_idx += 3 * (spec["quarter"] - 1)
            cur = self.month_start(base_idx)
        if "month" in spec:
            cur = self.month_start(base_idx + spec["month"] - 1)
        if "week" in spec:
            if self.kind != "nrf454":
                cur = cur + dt.timedelta(days=(self.week_start - cur.weekday()) % 7)
            cur = cur + dt.timedelta(weeks=spec["week"] - 1)
        if "day" in spec:
            cur = cur + dt.timedelta(days=spec["day"] - 1)
        return dt.datetime.combine(cur, dt.time()) + dt.timedelta(
            hours=spec.get("hour", 0), minutes=spec.get("minute", 0), seconds=spec.get("second", 0))


TINY = dt.timedelta(microseconds=1)
DAY_LABEL_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T00:00(?::00(?:\.0{1,6})?)?(?:Z|z|\+00:?00)?)?$")
# the request form the doc asks for outside datamine: yyyy-mm-ddThh:mm:ssZ (ISO 8601;
# fractional seconds and a numeric offset are ISO 8601 too); a date alone is not
FULL_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|z|[+-]\d{2}:?\d{2})$")
GREG_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
                      r"(Z|z|[+-]\d{2}:?\d{2})?)?$")


def add_years(t, n):
    try:
        return t.replace(year=t.year + n)
    except ValueError:
        return t.replace(year=t.year + n, day=28)
