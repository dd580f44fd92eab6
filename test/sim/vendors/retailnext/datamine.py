"""POST /v2/datamine: date ranges, time ranges, group_bys, the accumulation of slot
values into buckets and the nested answer."""

import datetime as dt
import zoneinfo

from vendors.base import Response, UTC
from vendors.retailnext.calendar import GREG_RE, TINY, add_years
from vendors.retailnext.engine import METRICS, NSLOT, NV, VALIDITY, Engine, wall_clock
from vendors.retailnext.fixtures import DAY_NAMES, LOCATION_PROFILES, SLOT_OVERRIDES, fail


def _hm(m):
    return "%02d:%02d" % (m // 60, m % 60)


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except Exception:
        return None


class Datamine:
    """The datamine handler, mixed into the RetailNext vendor."""

    # ==================================================================
    # datamine
    # ==================================================================
    def _gregorian(self, v, zone):
        """(store-local naive datetime in zone, aware instant or None, its offset).

        Date-only values and values without a designator are local wall clock
        in zone.  Under gregorian_z=utc a "Z" or a +hh:mm / -hh:mm offset makes
        the value an instant, converted to zone (the doc: "Z" implies UTC);
        under gregorian_z=wall "Z" is dropped and the value is read as local
        wall clock (numeric offsets refused)."""
        m = GREG_RE.match(v.strip()) if isinstance(v, str) else None
        if m is None:
            fail(400, "gregorian must be yyyy-mm-ddThh:mm:ssZ or yyyy-mm-dd, got %r" % (v,))
        date, hh, mi, ss, frac, des = m.groups()
        if str(self.c("gregorian_forms")) == "documented" and \
                (ss is None or frac is not None or des not in ("Z", "z")):
            fail(400, "gregorian must be yyyy-mm-ddThh:mm:ssZ (ISO 8601, the document's form), "
                 "got %r" % (v,))
        try:
            d = dt.date.fromisoformat(date)
            t = dt.datetime(d.year, d.month, d.day, int(hh or 0), int(mi or 0), int(ss or 0),
                            int((frac or "0").ljust(6, "0")))
        except ValueError:
            fail(400, "gregorian must be yyyy-mm-ddThh:mm:ssZ or yyyy-mm-dd, got %r" % (v,))
        if not des:
            return t, None, None
        if str(self.c("gregorian_z")) == "wall":
            if des not in ("Z", "z"):
                fail(400, "gregorian_z=wall: gregorian takes local wall clock with a Z, not %r" % (v,))
            return t, None, None
        off = dt.timedelta(0)
        if des not in ("Z", "z"):
            digits = des[1:].replace(":", "")
            off = (1 if des[0] == "+" else -1) * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if abs(off) >= dt.timedelta(hours=24):
                fail(400, "gregorian offset out of range in %r" % (v,))
        inst = t.replace(tzinfo=dt.timezone(off))
        return inst.astimezone(zone).replace(tzinfo=None), inst, off

    def _resolve(self, spec, other, now_local, cal, zone, depth=0):
        if depth > 5:
            fail(400, "date specification nested too deeply")
        if not isinstance(spec, dict) or len(spec) != 1:
            fail(400, "a date takes exactly one of name, gregorian, absolute, relative")
        (kind, v), = spec.items()
        if kind == "name":
            if now_local is None:
                fail(400, "a time_zone is required when using name in date_ranges")
            if v == "now":
                return now_local
            day = dt.datetime.combine(now_local.date(), dt.time())
            # the doc names "now" and "today" ("such as"); date_names=extended also
            # takes yesterday and tomorrow
            offs = {"today": 0}
            if str(self.c("date_names")) == "extended":
                offs.update(yesterday=-1, tomorrow=1)
            if v not in offs:
                fail(400, "unsupported date name %r; supported: now, %s" % (v, ", ".join(offs)))
            return day + dt.timedelta(days=offs[v])
        if kind == "gregorian":
            return self._gregorian(v, zone)[0]
        if kind == "absolute":
            if not isinstance(v, dict):
                fail(400, "absolute must be an object")
            return cal.absolute(v)
        if kind == "relative":
            if not isinstance(v, dict):
                fail(400, "relative must be an object")
            adds = ("add_years", "add_quarters", "add_months", "add_weeks", "add_days",
                    "add_hours", "add_minutes", "add_seconds")
            for k, x in v.items():
                if k not in adds + ("base", "truncate_to"):
                    fail(400, "unsupported key %r in relative date" % k)
                if k in adds and (not isinstance(x, int) or isinstance(x, bool)):
                    fail(400, "%s must be an integer" % k)
            if "base" in v:
                base = self._resolve(v["base"], None, now_local, cal, zone, depth + 1)
            elif other is None:
                fail(400, "relative dates need a base when both from and to are relative")
            else:
                base = other
            if "truncate_to" in v:
                base = cal.truncate(base, v["truncate_to"])
            months = 12 * v.get("add_years", 0) + 3 * v.get("add_quarters", 0) + v.get("add_months", 0)
            if months:
                base = cal.add_months(base, months)
            try:
                return base + dt.timedelta(weeks=v.get("add_weeks", 0), days=v.get("add_days", 0),
                                           hours=v.get("add_hours", 0), minutes=v.get("add_minutes", 0),
                                           seconds=v.get("add_seconds", 0))
            except OverflowError:
                fail(400, "relative date out of range")
        fail(400, "a date takes exactly one of name, gregorian, absolute, relative")

    def _range(self, dr, now_local, cal, zone):
        """(from, to as given, exclusive end): store-local naive datetimes in zone.

        range_to=exclusive: [from, to).  range_to=inclusive: a "to" at midnight
        (date-only, or 00:00:00 in the frame it is written in: UTC for a "Z"
        under gregorian_z=utc) includes that whole day; any other "to" includes
        the 15-minute slot that starts at that instant."""
        if not isinstance(dr, dict) or "from" not in dr or "to" not in dr:
            fail(400, "each date range needs from and to")
        f, t = dr["from"], dr["to"]
        f_rel = isinstance(f, dict) and "relative" in f and isinstance(f["relative"], dict) \
            and "base" not in f["relative"]
        t_rel = isinstance(t, dict) and "relative" in t and isinstance(t["relative"], dict) \
            and "base" not in t["relative"]
        if f_rel and t_rel:
            fail(400, "relative dates need a base when both from and to are relative")
        try:
            if f_rel:
                to = self._resolve(t, None, now_local, cal, zone)
                frm = self._resolve(f, to, now_local, cal, zone)
            else:
                frm = self._resolve(f, None, now_local, cal, zone)
                to = self._resolve(t, frm, now_local, cal, zone)
            end = to
            if str(self.c("range_to")) == "inclusive":
                inst = None
                if isinstance(t, dict) and isinstance(t.get("gregorian"), str) and len(t) == 1:
                    inst = self._gregorian(t["gregorian"], zone)[1]
                if inst is not None:
                    # midnight in the frame the value is written in (UTC or its offset)
                    if inst.time() == dt.time():
                        end = (inst + dt.timedelta(days=1)).astimezone(zone).replace(tzinfo=None)
                    else:
                        end = to + TINY
                elif to.time() == dt.time():
                    end = to + dt.timedelta(days=1)
                else:
                    end = to + TINY
        except (ValueError, OverflowError):
            fail(400, "date out of range")
        return frm, to, end

    def _time_ranges(self, trs):
        if not isinstance(trs, list) or not trs:
            fail(400, "time_ranges must be a non-empty list")
        store_hours, spans = False, []
        for tr in trs:
            if not isinstance(tr, dict):
                fail(400, "each time range must be an object")
            if tr.get("type") == "store_hours":
                store_hours = True
                continue
            if "type" in tr:
                fail(400, "unsupported time range type %r" % (tr["type"],))
            f = self._hhmm(tr.get("from"), "from", False)
            u = self._hhmm(tr.get("until"), "until", True)
            if u <= f:
                fail(400, "time range until must be after from")
            spans.append((f, u))
        if store_hours and spans:
            fail(400, "store_hours cannot be combined with from/until time ranges")
        return "store_hours" if store_hours else spans

    @staticmethod
    def _hhmm(v, key, allow24):
        if not isinstance(v, str) or len(v) != 5 or v[2] != ":" or not (v[:2] + v[3:]).isdigit():
            fail(400, "time range %s must be hh:mm" % key)
        h, m = int(v[:2]), int(v[3:])
        if m > 59 or h > 24 or (h == 24 and (m or not allow24)):
            fail(400, "time range %s must be hh:mm between 00:00 and 24:00" % key)
        return h * 60 + m

    @staticmethod
    def _groups(gbs):
        if not isinstance(gbs, list) or not gbs:
            fail(400, "group_bys must be a non-empty list")
        out, seen = [], set()
        for g in gbs:
            if not isinstance(g, dict):
                fail(400, "each group_by must be an object")
            kind = g.get("group")
            if kind not in ("time", "date", "location", "day_of_week"):
                fail(400, "unsupported group %r; supported: time, date, location, day_of_week" % (kind,))
            if kind in seen:
                fail(400, "group %r given twice" % kind)
            seen.add(kind)
            unit, val = g.get("unit", ""), g.get("value")
            if kind in ("location", "day_of_week"):
                if unit not in ("", None):
                    fail(400, "unit must be blank when grouping by %s" % kind)
                if val is not None and (not isinstance(val, int) or isinstance(val, bool) or val < 0):
                    fail(400, "group value must be an integer")
                out.append((kind, None, 1))
                continue
            units = ("days", "weeks", "months", "years") if kind == "date" else ("hours", "minutes")
            if unit not in units:
                fail(400, "unit for %s must be one of %s" % (kind, ", ".join(units)))
            if not isinstance(val, int) or isinstance(val, bool) or val < 1:
                fail(400, "value for %s must be a positive integer" % kind)
            if kind == "time":
                length = val * (60 if unit == "hours" else 1)
                if length % 15 or length > 1440:
                    fail(400, "time groups must be multiples of 15 minutes up to 24 hours")
                out.append((kind, "minutes", length))
            else:
                out.append((kind, unit, val))
        return out

    def _permitted(self):
        lp = str(self.c("token_location_profile") or "")
        if not lp:
            return None
        prof = next((p for p in LOCATION_PROFILES if p["id"] == lp), None)
        if prof is None:
            return set()
        ch = self.children()
        ok = set()
        for u in prof["location_ids"]:
            ok.add(u)
            ok.update(d["uuid"] for d in self.descendants(u, ch))
        return ok

    def datamine(self, req, parts):
        b = self.body(req)
        for k in ("locations", "metrics", "date_ranges", "time_ranges", "group_bys"):
            if k not in b:
                fail(400, "%s is required" % k)
        locs, metrics = b["locations"], b["metrics"]
        if not isinstance(locs, list) or not locs or not all(isinstance(x, str) for x in locs):
            fail(400, "locations must be a non-empty list of location uuids")
        if not isinstance(metrics, list) or not metrics or not all(isinstance(x, str) for x in metrics):
            fail(400, "metrics must be a non-empty list of metric ids")
        if not isinstance(b["date_ranges"], list) or not b["date_ranges"]:
            fail(400, "date_ranges must be a non-empty list")
        tzname = b.get("time_zone")
        if tzname is not None and (not isinstance(tzname, str) or
                                   (tzname != "local" and _zone(tzname) is None)):
            fail(400, "unknown time_zone %r" % (tzname,))
        time_mode = self._time_ranges(b["time_ranges"])
        groups = self._groups(b["group_bys"])
        uniq = []
        for u in locs:
            if u not in uniq:
                uniq.append(u)
        cal = self.calendar()
        now = self.now()
        if tzname == "local":
            return self._datamine_local(b, uniq, metrics, groups, time_mode)
        zone = _zone(tzname) if tzname else None
        years = 5 if len(uniq) == 1 else 2
        inclusive = str(self.c("range_to")) == "inclusive"
        by_zone = {}

        def ranges_for(z):
            """[(from, exclusive end)] as store-local naive datetimes of zone z."""
            key = getattr(z, "key", "UTC")
            hit = by_zone.get(key)
            if hit is not None:
                return hit
            now_local = wall_clock(int(now.timestamp()) // 60, zone) if zone else None
            out = []
            for dr in b["date_ranges"]:
                frm, to, end = self._range(dr, now_local, cal, z)
                if to < frm or (to == frm and not inclusive):
                    fail(400, "date range 'to' must be after 'from'")
                if to > add_years(frm, years):
                    fail(400, "the date range exceeds %d years, the limit when querying %s"
                          % (years, "one location" if years == 5 else "several locations"))
                out.append((frm, end))
            by_zone[key] = out
            return out
        # without time_zone every store reads the ranges in its own zone; UTC checks them up front
        ranges_for(zone or UTC)
        with self.lock:
            found = [self.locs.get(u) for u in uniq]
            ch = self.children()
            permitted = self._permitted()
            loc_err = None
            for u, l in zip(uniq, found):
                if l is None or (permitted is not None and u not in permitted):
                    loc_err = "location %s is not included in the location profile of this API token" % u
                    break
            plan = []
            if loc_err is None:
                for l in found:
                    if l["kind"] == "sub":
                        srcs = [self.source(l)] if self.source(l) else []
                    else:
                        srcs = [self.source(s) for s in self.stores_under(l, ch)]
                    plan.append((l, srcs))
        need_limit = "occupancy_limit" in metrics
        acc = {}
        if loc_err is None:
            cut = (int(now.timestamp()) // 60) // 15 * 15
            self._accumulate(acc, plan, groups, ranges_for, time_mode, zone, cal, cut, need_limit)
        return self._datamine_response(acc, plan, groups, metrics, loc_err, cal)

    def _accumulate(self, acc, plan, groups, ranges_for, time_mode, zone, cal, cut, need_limit):
        eng = self.engine
        has_time = any(g[0] == "time" for g in groups)
        full_day = time_mode == [(0, 1440)]
        clipped = str(self.c("edge_labels")) == "clipped"
        from_first = str(self.c("week_groups")) == "from_first_day"
        contexts = {}

        class Ctx:
            """The date ranges as seen from one time zone."""

            def __init__(self, ranges):
                self.ranges = ranges
                self.min_from = min(f for f, _ in ranges).date()
                self.first_day = self.min_from - dt.timedelta(days=1)
                self.last_day = max(t for _, t in ranges).date() + dt.timedelta(days=1)
                self.keys = {}

            def date_key(self, d, unit, n):
                k = self.keys.get(d)
                if k is not None:
                    return k
                min_from = self.min_from
                if unit == "days":
                    i = (d - min_from).days // n
                    s = min_from + dt.timedelta(days=i * n)
                    e = s + dt.timedelta(days=n - 1)
                elif unit == "weeks" and n > 1 and from_first:
                    # week_groups=from_first_day: n weeks from the range's first day
                    i = (d - min_from).days // (7 * n)
                    s = min_from + dt.timedelta(days=7 * n * i)
                    e = s + dt.timedelta(days=7 * n - 1)
                elif unit == "weeks":
                    a = cal.week_start_of(min_from)
                    i = (cal.week_start_of(d) - a).days // (7 * n)
                    s = a + dt.timedelta(days=7 * n * i)
                    e = s + dt.timedelta(days=7 * n - 1)
                elif unit == "months":
                    a = cal.month_index(min_from)
                    i = a + (cal.month_index(d) - a) // n * n
                    s = cal.month_start(i)
                    e = cal.month_start(i + n) - dt.timedelta(days=1)
                else:
                    a = cal.year_of(min_from)
                    y = a + (cal.year_of(d) - a) // n * n
                    s = cal.fy_start(y)
                    e = cal.fy_start(y + n) - dt.timedelta(days=1)
                if clipped:
                    # only the days of the bucket that some range touches
                    cov = [(max(s, f.date()), min(e, (t - TINY).date())) for f, t in self.ranges
                           if f.date() <= e and (t - TINY).date() >= s]
                    if cov:
                        s, e = min(c[0] for c in cov), max(c[1] for c in cov)
                self.keys[d] = k = (s, e)
                return k

            def in_ranges(self, x):
                for f, t in self.ranges:
                    if f <= x < t:
                        return True
                return False

            def whole_day(self, d):
                s = dt.datetime.combine(d, dt.time())
                e = s + dt.timedelta(days=1)
                for f, t in self.ranges:
                    if f <= s and e <= t:
                        return True
                return False

        def ctx_for(z):
            key = getattr(z, "key", "UTC")
            c = contexts.get(key)
            if c is None:
                c = contexts[key] = Ctx(ranges_for(z))
            return c

        def emit(ctx, li, rdate, tkey, vals, rank, store_uuid):
            path = []
            for kind, unit, n in groups:
                if kind == "location":
                    path.append(li)
                elif kind == "date":
                    path.append(ctx.date_key(rdate, unit, n))
                elif kind == "time":
                    path.append((tkey[0], tkey[1] // n * n, n))
                else:
                    path.append((rdate.weekday() - cal.week_start) % 7)
            path = tuple(path)
            a = acc.get(path)
            if a is None:
                a = acc[path] = [0] * NV + [0, set()]
            for k in range(NV):
                a[k] += vals[k]
            if rank > a[NV]:
                a[NV] = rank
            if need_limit:
                a[NV + 1].add(store_uuid)

        loc_first = groups[0][0] == "location"
        cap = self.ci("cap")
        for li, (loc, srcs) in enumerate(plan):
            if loc_first and len(acc) > cap:
                break           # everything from here on would be trimmed
            for src in srcs:
                su = src.store["uuid"]
                same_zone = zone is None or zone.key == src.store["time_zone"]
                ezone = zone or src.tz
                ctx = ctx_for(ezone)
                in_ranges, whole_day = ctx.in_ranges, ctx.whole_day
                d = ctx.first_day
                while d <= ctx.last_day:
                    if d < src.start or (src.archive and d >= src.archive):
                        d += dt.timedelta(days=1)
                        continue
                    dd = eng.day(src, d)
                    slot_ov = (src.uuid, d) in SLOT_OVERRIDES
                    if time_mode == "store_hours":
                        if not dd.n_open:
                            d += dt.timedelta(days=1)
                            continue
                        if (same_zone and not has_time and not slot_ov and dd.c_utc <= cut
                                and whole_day(d)):
                            emit(ctx, li, d, None, dd.vec, dd.rank, su)
                        else:
                            dD = dt.datetime.combine(d, dt.time())
                            for m, lst, vals, rank in eng.business_slots(src, d):
                                if m + 15 > cut:
                                    break
                                L = lst if same_zone else wall_clock(m, ezone)
                                off = (L - dD).total_seconds() // 60
                                B = dD + dt.timedelta(minutes=min(max(off, 0), 1439))
                                if not in_ranges(B):
                                    continue
                                ld = L.date()
                                sign = (ld > d) - (ld < d)
                                emit(ctx, li, d, (sign, L.hour * 60 + L.minute), vals, rank, su)
                    else:
                        prev = eng.day(src, d - dt.timedelta(days=1))
                        nxt = eng.day(src, d + dt.timedelta(days=1))
                        hours_ok = ((not dd.n_open or (Engine.hours(src.store, d)[0] >= 0
                                                       and Engine.hours(src.store, d)[1] <= 1440))
                                    and (not prev.n_open or Engine.hours(src.store, d - dt.timedelta(days=1))[1] <= 1440)
                                    and (not nxt.n_open or Engine.hours(src.store, d + dt.timedelta(days=1))[0] >= 0))
                        q0, q1 = eng.day_quarters(src, d)
                        if (same_zone and full_day and not has_time and not slot_ov and hours_ok
                                and q1 <= cut and whole_day(d)):
                            vals = [x + y for x, y in zip(dd.vec, dd.after)]
                            vals[NSLOT] = (q1 - q0) // 15
                            emit(ctx, li, d, None, vals, dd.rank, su)
                        else:
                            slots = []
                            for k in (-1, 0, 1):
                                bd = d + dt.timedelta(days=k)
                                if bd < src.start or (src.archive and bd >= src.archive):
                                    continue
                                for s in eng.business_slots(src, bd):
                                    if s[1].date() == d:
                                        slots.append(s)
                            slots.extend(eng.after_slots(src, d))
                            for m, lst, vals, rank in slots:
                                if m + 15 > cut:
                                    continue
                                L = lst if same_zone else wall_clock(m, ezone)
                                if not in_ranges(L):
                                    continue
                                tm = L.hour * 60 + L.minute
                                for f, u in time_mode:
                                    if f <= tm < u:
                                        break
                                else:
                                    continue
                                emit(ctx, li, L.date(), (0, tm), vals, rank, su)
                    d += dt.timedelta(days=1)

    def _qualified_name(self, l):
        """A location's qualified_name: a sublocation under its store's name."""
        if l["kind"] == "sub":
            st = self.store_of(l)
            if st:
                return "%s > %s" % (st["name"], l["name"])
        return l["name"]

    def _group_obj(self, kind, key, plan, cal):
        if kind == "location":
            l = plan[key][0]
            return {"name": l["name"], "qualified_name": self._qualified_name(l),
                    "type": "location", "uuid": l["uuid"]}
        if kind == "date":
            return {"type": "date", "from": cal.repr(key[0]), "through": cal.repr(key[1])}
        if kind == "time":
            sign, start, n = key
            p = {-1: "-", 0: "", 1: "+"}[sign]
            return {"type": "time", "from": p + _hm(start), "until": p + _hm(min(start + n, 1440))}
        wd = (key + cal.week_start) % 7
        return {"type": "day_of_week", "name": DAY_NAMES[wd]}

    def _datamine_response(self, acc, plan, groups, metrics, loc_err, cal):
        # a tree of keys, sorted at each level
        tree = {}
        for path, a in acc.items():
            node = tree
            for k in path[:-1]:
                node = node.setdefault(k, {})
            node[path[-1]] = a
        objs = {}
        cap = self.ci("cap")
        out_metrics = []
        total = [0]
        trimmed = [False]

        def limit_of(a):
            vals = [self.locs[u].get("occupancy_limit") for u in a[NV + 1] if u in self.locs]
            vals = [v for v in vals if v is not None]
            return sum(vals) if vals else None

        def render(node, level, fn, validity):
            kind = groups[level][0]
            out = []
            for key in sorted(node):
                ok = (kind, key)
                if ok not in objs:
                    objs[ok] = self._group_obj(kind, key, plan, cal)
                if level == len(groups) - 1:
                    if total[0] >= cap:
                        trimmed[0] = True
                        break
                    a = node[key]
                    ent = {"value": limit_of(a) if fn is None else fn(a)}
                    if validity:
                        ent["validity"] = VALIDITY[a[NV]]
                    ent["group"] = objs[ok]
                    ent["index"] = len(out)
                    out.append(ent)
                    total[0] += 1
                else:
                    sub = render(node[key], level + 1, fn, validity)
                    if sub:
                        out.append({"group": objs[ok], "index": len(out), "data": sub})
            return out

        for m in metrics:
            if loc_err:
                out_metrics.append({"name": m, "ok": False, "error": loc_err, "data": []})
                continue
            spec = METRICS.get(m)
            if spec is None:
                out_metrics.append({"name": m, "ok": False, "error": "unknown metric %r" % m, "data": []})
                continue
            out_metrics.append({"name": m, "ok": True, "data": render(tree, 0, spec[0], spec[1]) if tree else []})
        if trimmed[0] and str(self.c("cap_mode")) == "error":
            fail(400, "the response exceeds %d entries; query fewer locations or shorter date ranges" % cap)
        return Response(200, {"ok": all(x["ok"] for x in out_metrics), "metrics": out_metrics})

    def _datamine_local(self, b, locs, metrics, groups, time_mode):
        drs = b["date_ranges"]
        if (set(metrics) - {"total_occupancy", "occupancy_limit"} or [g[0] for g in groups] != ["location"]
                or len(drs) != 1 or not isinstance(drs[0], dict)
                or drs[0].get("from") != {"name": "today"} or drs[0].get("to") != {"name": "now"}
                or time_mode != "store_hours" or len(b["time_ranges"]) != 1):
            fail(400, 'time_zone "local" requires only total_occupancy and occupancy_limit, a group by '
                       'location, one date range from today to now and one store_hours time range')
        with self.lock:
            found = [self.locs.get(u) for u in locs]
            permitted = self._permitted()
            ch = self.children()
            err = None
            for u, l in zip(locs, found):
                if l is None or (permitted is not None and u not in permitted):
                    err = "location %s is not included in the location profile of this API token" % u
                    break
            rows = []
            if err is None:
                for l in found:
                    stores = self.stores_under(l, ch)
                    occ = [max(0, s["live"] + self.occ_adjust.get(s["uuid"], 0)) for s in stores]
                    lim = [s["occupancy_limit"] for s in stores if s["occupancy_limit"] is not None]
                    rows.append((l, sum(occ) if stores else None, sum(lim) if lim else None))
        out = []
        for m in metrics:
            if err:
                out.append({"name": m, "ok": False, "error": err, "data": []})
                continue
            data = []
            for i, (l, occ, lim) in enumerate(rows):
                data.append({"value": occ if m == "total_occupancy" else lim, "validity": "complete",
                             "group": self._group_obj("location", i, [(r[0], None) for r in rows], None),
                             "index": i})
            out.append({"name": m, "ok": True, "data": data})
        return Response(200, {"ok": all(x["ok"] for x in out), "metrics": out})

    # ==================================================================
    # ground truth of rn_datamine (per case)
    # ==================================================================
    def dm_truth(self, params):
        """Ground truth of rn_datamine for one location, metric, grain and
        time zone over [from, to) (ISO instants): every whole period of the
        grain that any business day (or, below a day, any slot) in that range
        falls in, as the extension's table shows it (hours store_hours: the
        table's default).  Built from the per-day / per-slot values of the
        engine, not from the request path: no date ranges, no clipping, no
        cut at a range's edge; a day-or-longer period holds the whole
        calendar period (days of the subscription's calendar), a sub-day
        period is keyed by the wall clock of tz.  period_start/period_end are
        local "yyyy-mm-dd hh:mm:00" texts (the zone in time_zone), as the
        extension builds its input from the document's from/through/until.
        hours=all_day (the table option hours 'all_day', a 00:00-24:00 time
        range): every slot of the calendar day, open or not, and a day is the
        calendar day of tz's wall clock, not a business day.  time_range
        ("store_hours" or "hh:mm-hh:mm", overriding hours): the slots of
        those calendar days whose wall clock in tz lies in [from, until).

        Anchored grains (day_of_week, "2 weeks" ... "4 weeks") take
        range_start and range_finish (dates, both included; from and to are
        ignored): their rows are those of that range asked of the API, as
        the document's grouping defines them -- a weekday summed over every
        such day of the range (store hours: business days; a time range:
        wall-clock days of tz), or periods of n calendar weeks from the week
        holding range_start (week_groups=from_first_day: from range_start),
        each summing only its days inside the range and labelled whole."""
        try:
            u, m = params["location"], params["metric"]
            grain, tzname = params["grain"], params["tz"]
            frm = dt.datetime.fromisoformat(params["from"].replace("Z", "+00:00"))
            to = dt.datetime.fromisoformat(params["to"].replace("Z", "+00:00"))
        except (KeyError, ValueError):
            raise ValueError("truth: location, metric, grain, tz, from, to (ISO instants)")
        hours = params.get("hours") or "store_hours"
        tr = params.get("time_range") or ("00:00-24:00" if hours == "all_day" else "store_hours")
        zone = _zone(tzname)
        sub = {"15 minutes": 15, "30 minutes": 30, "hour": 60}.get(grain)
        nweeks = {"2 weeks": 2, "3 weeks": 3, "4 weeks": 4}.get(grain)
        anchored = grain == "day_of_week" or nweeks is not None
        try:
            span = None if tr == "store_hours" else \
                (self._hhmm(tr[:5], "from", False), self._hhmm(tr[6:], "until", True))
            if span is not None and (len(tr) != 11 or tr[5] != "-" or span[1] <= span[0]):
                raise ValueError
            rs = dt.date.fromisoformat(params["range_start"]) if anchored else None
            rf = dt.date.fromisoformat(params["range_finish"]) if anchored else None
        except Exception:
            raise ValueError("truth: time_range store_hours or hh:mm-hh:mm; anchored grains "
                             "take range_start and range_finish (dates)")
        if zone is None or (sub is None and not anchored
                            and grain not in ("day", "week", "month", "year")) \
                or m not in METRICS or to < frm or (to - frm).days > 2000 \
                or hours not in ("store_hours", "all_day"):
            raise ValueError("truth: bad location/metric/grain/tz/range/hours")
        cal = self.calendar()
        cut = (int(self.now().timestamp()) // 60) // 15 * 15
        with self.lock:
            loc = self.locs.get(u)
            if loc is None:
                raise ValueError("truth: unknown location %s" % u)
            srcs = [self.source(loc)] if loc["kind"] == "sub" else \
                [self.source(s) for s in self.stores_under(loc, self.children())]
        srcs = [s for s in srcs if s]

        def period(d):
            if anchored:
                if nweeks is None:
                    return rs, rf, d.weekday()
                if str(self.c("week_groups")) == "from_first_day":
                    s = rs + dt.timedelta(days=(d - rs).days // (7 * nweeks) * 7 * nweeks)
                    return s, s + dt.timedelta(days=7 * nweeks - 1)
                a = cal.week_start_of(rs)
                i = (cal.week_start_of(d) - a).days // (7 * nweeks)
                s = a + dt.timedelta(days=7 * nweeks * i)
                return s, s + dt.timedelta(days=7 * nweeks - 1)
            if grain == "day":
                return d, d
            if grain == "week":
                s = cal.week_start_of(d)
                return s, s + dt.timedelta(days=6)
            if grain == "month":
                i = cal.month_index(d)
                return cal.month_start(i), cal.month_start(i + 1) - dt.timedelta(days=1)
            y = cal.year_of(d)
            return cal.fy_start(y), cal.fy_start(y + 1) - dt.timedelta(days=1)

        acc = {}
        labels = {}             # key -> the day whose calendar labels the row shows
        eng = self.engine

        def add(key, vals, rank, src, day):
            labels.setdefault(key, day)
            a = acc.get(key)
            if a is None:
                a = acc[key] = [0] * NV + [0, set()]
            for k in range(NV):
                a[k] += vals[k]
            a[NV] = max(a[NV], rank)
            a[NV + 1].add(src.store["uuid"])

        def valid(src, d):
            return not (d < src.start or (src.archive and d >= src.archive))

        def inside(d):
            """An anchored grain counts the days of its range only."""
            return not anchored or rs <= d <= rf

        if span is not None:
            for src in srcs:
                # every slot of each store-local calendar day: the business
                # slots that fall on it and the slots outside business hours
                if anchored:
                    c0, c1 = rs - dt.timedelta(days=2), rf + dt.timedelta(days=2)
                else:
                    c0 = min(frm.astimezone(src.tz).date(), frm.astimezone(zone).date()) - dt.timedelta(days=2)
                    c1 = max(to.astimezone(src.tz).date(), to.astimezone(zone).date()) + dt.timedelta(days=2)
                if sub is None and not anchored:
                    c0, c1 = period(c0)[0] - dt.timedelta(days=1), period(c1)[1] + dt.timedelta(days=1)
                c = c0
                while c <= c1:
                    if valid(src, c):
                        slots = [s for k in (-1, 0, 1) if valid(src, c + dt.timedelta(days=k))
                                 for s in eng.business_slots(src, c + dt.timedelta(days=k))
                                 if s[1].date() == c]
                        slots.extend(eng.after_slots(src, c))
                        for mm, lst, vals, rank in slots:
                            if mm + 15 > cut:
                                continue
                            L = wall_clock(mm, zone)
                            tm = L.hour * 60 + L.minute
                            if not (span[0] <= tm < span[1]) or not inside(L.date()):
                                continue
                            if sub is None:
                                key = period(L.date())
                            else:
                                key = (L.date(), tm // sub * sub)
                            add(key, vals, rank, src, key[0])
                    c += dt.timedelta(days=1)
            srcs = []
        for src in srcs:
            # business days: every day whose periods meet [from, to), whole
            # periods (an anchored grain: the days of its range)
            if anchored:
                d0, d1 = rs, rf
            else:
                d0 = min(frm.astimezone(src.tz).date(), frm.astimezone(zone).date()) - dt.timedelta(days=1)
                d1 = max(to.astimezone(src.tz).date(), to.astimezone(zone).date()) + dt.timedelta(days=1)
            if sub is None and not anchored:
                d0, d1 = period(d0)[0], period(d1)[1]
            d = d0
            while d <= d1:
                if not valid(src, d):
                    d += dt.timedelta(days=1)
                    continue
                for mm, lst, vals, rank in eng.business_slots(src, d):
                    if mm + 15 > cut:
                        continue
                    if sub is None:
                        key = period(d)
                    else:
                        L = wall_clock(mm, zone)
                        tm = (L.hour * 60 + L.minute) // sub * sub
                        key = (L.date(), tm)
                    # a sub-day period is grouped under its business day
                    add(key, vals, rank, src, key[0] if sub is None else d)
                d += dt.timedelta(days=1)
        fn, has_validity = METRICS[m]
        with self.lock:
            qname = self._qualified_name(loc)
        out = []
        for key in sorted(acc):
            a = acc[key]
            # the calendar's labels of the period's first day (a sub-day
            # period's: the day it is grouped under)
            label = cal.repr(labels[key])
            # ...and of its last day (a sub-day period's: the same day)
            last = cal.repr(key[1] if sub is None else labels[key])
            if sub is None:
                s, e = key[:2]
                ps = "%s 00:00:00" % s.isoformat()
                pe = "%s 00:00:00" % (e + dt.timedelta(days=1)).isoformat()
            else:
                day, tm = key
                ps = "%s %s:00" % (day.isoformat(), _hm(tm))
                end = tm + sub
                pe = "%s %s:00" % ((day + dt.timedelta(days=end // 1440)).isoformat(), _hm(end % 1440))
            if fn is None:
                lim = [self.locs[x].get("occupancy_limit") for x in a[NV + 1] if x in self.locs]
                lim = [v for v in lim if v is not None]
                value = sum(lim) if lim else None
            else:
                value = fn(a)
            out.append({"location_uuid": u, "location_name": loc["name"],
                        "location_qualified_name": qname,
                        "period_year": label["year"], "period_month": label["month"],
                        "period_day": label["day"], "period_end_year": last["year"],
                        "period_end_month": last["month"], "period_end_day": last["day"],
                        "metric": m,
                        "period_start": "%s %s" % (ps, tzname), "period_end": "%s %s" % (pe, tzname),
                        "grain": grain, "time_zone": tzname, "value": value,
                        "validity": VALIDITY[a[NV]] if has_validity else None,
                        "time_range": tr,
                        "range_start": rs.isoformat() if anchored else None,
                        "range_finish": rf.isoformat() if anchored else None,
                        "day_of_week": DAY_NAMES[key[2]] if grain == "day_of_week" else None})
        return out
