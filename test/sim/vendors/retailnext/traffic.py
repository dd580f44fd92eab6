"""Store hours, predicted traffic, FPA floorplans and zone transitions."""

import datetime as dt

from vendors.base import HttpError, Response, UTC, parse_iso, rng_for
from vendors.retailnext.calendar import DAY_LABEL_RE, FULL_RE, GREG_RE, WEEKDAY
from vendors.retailnext.engine import SEASON, WEEKDAY_FACTOR, Engine, traffic_profile
from vendors.retailnext.fixtures import (DAY_NAMES, DOC_TABLE1_POINTS, DOC_ZT_KEY, DOC_ZT_VALUES,
                                        FLOORPLANS, PRED_OVERRIDES, VENDOR, fail)


class Traffic:
    """Store hours, predicted traffic and FPA handlers, mixed into the RetailNext vendor."""

    # ==================================================================
    # store hours
    # ==================================================================
    def _z_out(self, local, tz):
        """A store-local naive time written "yyyy-mm-ddThh:mm:ssZ": the UTC instant
        (z_reading=utc, the doc's "Z") or the local wall clock (z_reading=wall)."""
        if str(self.c("z_reading")) != "wall":
            local = local.replace(tzinfo=tz).astimezone(UTC)
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _z_in(self, v, key):
        """A time parameter: (aware instant or None, naive wall clock or None).
        z_reading=utc: Z, no designator and date-only are UTC; z_reading=wall: they
        are the store's local wall clock (returned naive).  A numeric offset is an
        instant under both; fractional seconds are accepted."""
        if not isinstance(v, str) or not FULL_RE.match(v.strip()) or not GREG_RE.match(v.strip()):
            fail(400, "%s must be ISO 8601 (yyyy-mm-ddThh:mm:ssZ)" % key)
        des = GREG_RE.match(v.strip()).group(6)
        try:
            t = parse_iso(v, key)
        except HttpError:
            fail(400, "%s must be ISO 8601 (yyyy-mm-ddThh:mm:ssZ)" % key)
        if str(self.c("z_reading")) == "wall" and des in (None, "Z", "z"):
            return None, t.replace(tzinfo=None)
        return t, None

    def _date_arg(self, b, key):
        """A day label like effective_day, in the doc's form yyyy-mm-ddThh:mm:ssZ at
        midnight (yyyy-mm-ddT00:00:00Z); a date alone is not the doc's form (400)."""
        v = b.get(key)
        if v is None:
            fail(400, "%s is required" % key)
        m = DAY_LABEL_RE.match(v) if isinstance(v, str) and FULL_RE.match(v) else None
        try:
            if m is None:
                raise ValueError
            return dt.date.fromisoformat(m.group(1))
        except ValueError:
            fail(400, "%s must be ISO 8601 (yyyy-mm-ddThh:mm:ssZ), a day's midnight like effective_day" % key)

    def _stores_arg(self, val, key):
        if isinstance(val, str):
            val = [val]
        if not isinstance(val, list) or not val or not all(isinstance(x, str) for x in val):
            fail(400, "%s must be a store uuid or a non-empty list of them" % key)
        out = []
        for u in val:
            l = self.locs.get(u)
            if l is None or l["kind"] != "store":
                fail(400, "store %s not found" % u)
            if l not in out:
                out.append(l)
        return out

    def store_hours(self, req, parts):
        b = self.body(req)
        if "stores" not in b:
            fail(400, "stores is required")
        stores = self._stores_arg(b["stores"], "stores")
        first = self._date_arg(b, "start_date")
        last = self._date_arg(b, "end_date")
        if last < first:
            fail(400, "end_date is before start_date")
        if (last - first).days > 3660:
            fail(400, "the date range is limited to 10 years")
        entries = []
        for s in stores:
            d = first
            while d <= last:
                h = Engine.hours(s, d)
                if h:
                    base = dt.datetime.combine(d, dt.time())
                    entries.append((s["uuid"], {
                        "store_uuid": s["uuid"],
                        "effective_day": d.isoformat() + "T00:00:00Z",
                        "open": self._z_out(base + dt.timedelta(minutes=h[0]), s["tzinfo"]),
                        "close": self._z_out(base + dt.timedelta(minutes=h[1]), s["tzinfo"])}))
                d += dt.timedelta(days=1)

        def build(chunk):
            res = {}
            for su, e in chunk:
                res.setdefault(su, {})[e["effective_day"]] = e
            return {"result": res}
        return self.paged(req, entries, build)

    # ==================================================================
    # predicted traffic
    # ==================================================================
    def predicted_traffic(self, req, parts):
        with self.limited("predictedtraffic"):
            return self._predicted(req)

    def _predicted(self, req):
        b = self.body(req)
        for k in ("store_uuid", "first_day", "last_day"):
            if k not in b:
                fail(400, "%s is required" % k)
        if not isinstance(b["store_uuid"], str):
            fail(400, "store_uuid must be one store uuid")
        with self.lock:
            s = self.locs.get(b["store_uuid"])
        if s is None or s["kind"] != "store":
            fail(400, "store %s not found" % b["store_uuid"])
        days = []
        for k in ("first_day", "last_day"):
            try:
                days.append(dt.date.fromisoformat(b[k]) if isinstance(b[k], str) and len(b[k]) == 10 else None)
            except ValueError:
                days.append(None)
            if days[-1] is None:
                fail(400, "%s must be yyyy-mm-dd" % k)
        first, last = days
        tz = s["tzinfo"]
        utc_days = str(self.c("predicted_days")) == "utc"
        today = self.now().astimezone(UTC if utc_days else tz).date()
        if first <= today:
            fail(400, "first_day must be in the future")
        if last < first:
            fail(400, "last_day is before first_day")
        if (last - first).days + 1 > 7:
            fail(400, "up to 7 days can be requested in one query")
        if last > today + dt.timedelta(days=31):
            fail(400, "predicted traffic is available for the upcoming 31 days only")
        start = self.data_start()
        if s["opened"] and s["opened"] > start:
            start = s["opened"]
        if (today - start).days < 28:
            return Response(200, {"ok": False, "error": "insufficient historical data for traffic prediction",
                                  "predictions": []})
        preds = []
        # every business day's slots are generated whole (values never depend on the
        # request), then kept by store-local business day or by UTC date
        d = first - dt.timedelta(days=1) if utc_days else first
        end = last + dt.timedelta(days=1) if utc_days else last
        while d <= end:
            for t, v in self.pred_slots(s, d):
                if utc_days and not first <= t.replace(tzinfo=tz).astimezone(UTC).date() <= last:
                    continue
                if not utc_days and not first <= d <= last:
                    continue
                preds.append({"time": self._z_out(t, tz), "value": v})
            d += dt.timedelta(days=1)
        return Response(200, {"ok": True, "error": "", "predictions": preds})

    def pred_slots(self, s, d):
        """[(store-local naive time, value)] of store s's business day d."""
        h = Engine.hours(s, d)
        if not h:
            return []
        r = rng_for(self.sim.seed, VENDOR, "pred", s["uuid"], d.toordinal())
        base = dt.datetime.combine(d, dt.time())
        per_q = s["scale"] * WEEKDAY_FACTOR[d.weekday()] * SEASON[d.month] / 4.0
        out = []
        for m in range(h[0], h[1], 15):
            t = base + dt.timedelta(minutes=m)
            w = traffic_profile((m % 1440) / 60.0) / 1.4
            v = PRED_OVERRIDES.get((s["uuid"], t.strftime("%Y-%m-%dT%H:%M")))
            if v is None:
                v = max(0, int(round(per_q * w * r.uniform(0.85, 1.15))))
            out.append((t, v))
        return out

    def pred_truth(self, params):
        """Ground truth of rn_predicted_traffic under the real clock (the
        differential runs its cases with now=real): every store's slots of
        its business days after its local today, up to today + 31, as
        instants of the store's wall clock; a store with less than 28 days
        of history has none."""
        now = dt.datetime.now(UTC)
        with self.lock:
            stores = [l for l in self.locs.values() if l["kind"] == "store"]
        out = []
        for s in stores:
            tz = s["tzinfo"]
            today = now.astimezone(tz).date()
            start = self.data_start()
            if s["opened"] and s["opened"] > start:
                start = s["opened"]
            if (today - start).days < 28:
                continue
            for k in range(1, 32):
                for t, v in self.pred_slots(s, today + dt.timedelta(days=k)):
                    out.append({"store_uuid": s["uuid"], "value": v,
                                "time": t.replace(tzinfo=tz).isoformat()})
        return out

    # ==================================================================
    # FPA floorplans and zone transitions
    # ==================================================================
    def _zone_area(self, zid):
        r = rng_for("retailnext-fixture", "zone", zid)
        return r, round(r.uniform(20000, 90000), 8)

    def floorplan_out(self, fp):
        fid, name, store, sname, zones = fp
        out = []
        with self.lock:
            locs = dict(self.locs)
        for zid, zname, ztype, lid in zones:
            if ztype == "mask":
                continue
            loc = locs.get(lid)
            if zid == "f64b51ac-546f-11eb-9441-8000514932de":
                area, pts = 46907.55844251474, DOC_TABLE1_POINTS
                dwell, thr = 10, 1000
            else:
                r, area = self._zone_area(zid)
                x, y = r.uniform(0, 3000), r.uniform(0, 2000)
                w, h = r.uniform(150, 400), r.uniform(150, 400)
                pts = [{"x": x, "y": y}, {"x": x + w, "y": y}, {"x": x + w, "y": y + h},
                       {"x": x, "y": y + h}, {"x": x, "y": y}]
                area = w * h
                dwell, thr = r.choice([10, 500, 1000, 3000]), r.choice([500, 1000])
            out.append({"id": zid, "name": zname, "type": ztype, "location_id": lid,
                        "location_name": loc["name"] if loc else None, "area": area,
                        "dwell_time_threshold_ms": dwell, "zone_threshold_mm": thr, "points": pts})
        return {"id": fid, "name": name, "store_id": store, "store_name": sname, "zones": out}

    def floorplans(self, req, parts):
        if parts[1] == "stores":
            with self.lock:
                s = self.locs.get(parts[2])
            if s is None or s["kind"] != "store":
                fail(404, "store %s not found" % parts[2])
            fps = [self.floorplan_out(fp) for fp in FLOORPLANS if fp[2] == parts[2]]
            return self.paged(req, fps, lambda chunk: chunk)
        if len(parts) == 3:
            fp = next((f for f in FLOORPLANS if f[0] == parts[2]), None)
            if fp is None:
                fail(404, "floorplan %s not found" % parts[2])
            return Response(200, self.floorplan_out(fp))
        return self.paged(req, [self.floorplan_out(fp) for fp in FLOORPLANS], lambda chunk: chunk)

    def zone_transitions(self, req, parts):
        b = self.body(req)
        for k in ("locations", "date_ranges"):
            if k not in b:
                fail(400, "%s is required" % k)
        locs = b["locations"]
        if isinstance(locs, str):
            locs = [locs]
        if not isinstance(locs, list) or not locs or not all(isinstance(x, str) for x in locs):
            fail(400, "locations must be a non-empty list of location uuids")
        drs = b["date_ranges"]
        if not isinstance(drs, list) or not drs:
            fail(400, "date_ranges must be a non-empty list")
        ranges = []
        for dr in drs:
            if not isinstance(dr, dict) or "start" not in dr or "finish" not in dr:
                fail(400, "each date range needs start and finish")
            try:
                a = dt.date.fromisoformat(dr["start"])
                z = dt.date.fromisoformat(dr["finish"])
            except (TypeError, ValueError):
                fail(400, "date range start and finish must be yyyy-mm-dd")
            if z < a:
                fail(400, "date range finish is before start")
            if (z - a).days > 5 * 366:
                fail(400, "the date range is limited to 5 years")
            ranges.append((a, z))
        metrics = b.get("metrics", ["all"])
        if isinstance(metrics, str):
            metrics = [metrics]
        if not isinstance(metrics, list) or not metrics or any(m not in ("all", "employee", "customer")
                                                               for m in metrics):
            fail(400, 'metrics must be a list of "all", "employee", "customer"')
        trans = b.get("transitions", "direct_only")
        if trans not in ("direct_only", "direct_and_indirect", "directionless"):
            fail(400, 'transitions must be "direct_only", "direct_and_indirect" or "directionless"')
        dwells = b.get("dwells", "dwells_only")
        if dwells not in ("dwells_only", "non_dwells", "all_traffic"):
            fail(400, 'dwells must be "dwells_only", "non_dwells" or "all_traffic"')
        trs = b.get("time_ranges", [{"type": "store_hours"}])
        if not isinstance(trs, list) or not trs:
            fail(400, "time_ranges must be a non-empty list")
        spans = []
        for tr in trs:
            if not isinstance(tr, dict):
                fail(400, "each time range must be an object")
            if tr.get("type") == "store_hours":
                continue
            f = self._hhmm(tr.get("start"), "start", False)
            u = self._hhmm(tr.get("finish"), "finish", True)
            if u <= f:
                fail(400, "time range finish must be after start")
            spans.append((f, u))
        dows = b.get("days_of_week", DAY_NAMES)
        if isinstance(dows, str):
            dows = [dows]
        if not isinstance(dows, list) or not dows or any(d not in WEEKDAY for d in dows):
            fail(400, "days_of_week must be a list of monday ... sunday")
        return Response(200, {"metrics": self.zt_metrics(locs, ranges, metrics, trans, dwells,
                                                         spans, dows)})

    def zt_metrics(self, locs, ranges, metrics=("all",), trans="direct_only",
                   dwells="dwells_only", spans=(), dows=DAY_NAMES):
        """The "metrics" of a zone transitions answer for valid parameters."""
        with self.lock:
            for u in locs:
                if u not in self.locs:
                    fail(400, "location %s not found" % u)
            kinds = {u: self.locs[u]["kind"] for u in locs}
            stores = {fp[2]: self.locs.get(fp[2]) for fp in FLOORPLANS}
        selected = []
        for fp in FLOORPLANS:
            zs = [z for z in fp[4] if z[2] != "mask" and
                  (z[3] in locs or (fp[2] in locs and kinds.get(fp[2]) == "store"))]
            if zs:
                selected.append((fp, zs))
        key = (tuple(sorted(set(locs))), tuple((a.isoformat(), z.isoformat()) for a, z in ranges),
               tuple(metrics), trans, dwells, tuple(spans), tuple(dows))
        override = DOC_ZT_VALUES if key == DOC_ZT_KEY else None
        today = self.now().date()
        wanted = {WEEKDAY[d] for d in dows}
        fac_d = {"dwells_only": 1.0, "non_dwells": 0.7, "all_traffic": 1.7}[dwells]
        fac_t = {"direct_only": 1.0, "direct_and_indirect": 1.4, "directionless": 1.0}[trans]
        fac_m = {"customer": 1.0, "employee": 0.15, "all": 1.15}
        out = []
        for m in metrics:
            data = []
            for fp, zs in selected:
                store = stores[fp[2]]
                start = self.data_start()
                if store["opened"] and store["opened"] > start:
                    start = store["opened"]
                n = len(zs)
                raw = [[0.0] * n for _ in range(n)]
                days = set()
                for a, z in ranges:
                    d = a
                    while d <= z:
                        days.add(d)
                        d += dt.timedelta(days=1)
                for d in sorted(days):
                    if d.weekday() not in wanted or d >= today or d < start:
                        continue
                    h = Engine.hours(store, d)
                    if not h:
                        continue
                    frac = 1.0
                    if spans:
                        covered = sum(max(0, min(u, h[1]) - max(f, h[0])) for f, u in spans)
                        frac = covered / float(h[1] - h[0])
                    r = rng_for(self.sim.seed, VENDOR, "zt", fp[0], d.toordinal())
                    for i in range(n):
                        for j in range(n):
                            raw[i][j] += r.randint(2, 40) * frac * (1.6 if i == j else 1.0)
                vals = [[int(round(raw[i][j] * fac_d * fac_t * fac_m[m])) for j in range(n)]
                        for i in range(n)]
                pairs = []
                if trans == "directionless":
                    for i in range(n):
                        for j in range(i, n):
                            pairs.append((i, j, vals[i][j] + (vals[j][i] if i != j else 0)))
                else:
                    for i in range(n):
                        for j in range(n):
                            pairs.append((i, j, vals[i][j]))
                if override:
                    pairs = [(i, j, override.get((zs[i][0], zs[j][0]), v)) for i, j, v in pairs]
                tot = {}
                for i, j, v in pairs:
                    tot[i] = tot.get(i, 0) + v
                tr_out = [{"from_zone_id": zs[i][0], "to_zone_id": zs[j][0], "value": v,
                           "percentage": int(100.0 * v / tot[i] + 0.5) if tot[i] else 0}
                          for i, j, v in pairs]
                with self.lock:
                    zlocs = {z[3]: self.locs.get(z[3]) for z in zs}
                data.append({"floorplan": {"uuid": fp[0], "name": fp[1], "store_uuid": fp[2],
                                           "store_name": fp[3]},
                             "zones": [{"uuid": z[0], "name": z[1], "location_uuid": z[3],
                                        "location_name": zlocs[z[3]]["name"] if zlocs[z[3]] else None}
                                       for z in zs],
                             "transitions": tr_out})
            out.append({"name": m, "data": data})
        return out

    def zt_truth(self, params):
        """Ground truth of rn_zone_transitions: for each store alone and each
        date range start (starts: dates) x length (spans: days added) x
        weekday (dows: monday ... sunday, "" for every day) x hours (times:
        "hh:mm-hh:mm", "" for store hours), the rows as the table shows them
        (location_uuid: the asked store; day_of_week, time_start and
        time_finish None for the API's defaults)."""
        try:
            starts = [dt.date.fromisoformat(x) for x in (params.get("starts") or "").split(",")]
            spans = [int(x) for x in (params.get("spans") or "").split(",")]
            dows = (params.get("dows") or "").split(",")
            times = [tuple(t.split("-")) if t else None
                     for t in (params.get("times") or "").split(",")]
            if any(d and d not in WEEKDAY for d in dows) or \
                    any(t and len(t) != 2 for t in times):
                raise ValueError
        except ValueError:
            raise ValueError("truth: starts (dates) and spans (days), dows and times, comma-separated")
        with self.lock:
            stores = [u for u, l in self.locs.items() if l["kind"] == "store"]
        fp_stores = {fp[2] for fp in FLOORPLANS}
        out = []
        for su in stores:
            if su not in fp_stores:
                continue        # no floorplan: no rows
            for a, n, dow, tr in ((a, n, dow, tr) for a in starts for n in spans
                                  for dow in dows for tr in times):
                z = a + dt.timedelta(days=n)
                hours = [(self._hhmm(tr[0], "start", False), self._hhmm(tr[1], "finish", True))] \
                    if tr else []
                for m in self.zt_metrics([su], [(a, z)], spans=hours,
                                         dows=[dow] if dow else DAY_NAMES):
                    for d in m["data"]:
                        zl = {x["uuid"]: x["location_uuid"] for x in d["zones"]}
                        for t in d["transitions"]:
                            f = zl[t["from_zone_id"]]
                            out.append({
                                "metric": m["name"], "floorplan_uuid": d["floorplan"]["uuid"],
                                "floorplan_name": d["floorplan"]["name"],
                                "store_uuid": d["floorplan"]["store_uuid"],
                                "store_name": d["floorplan"]["store_name"],
                                "from_zone_uuid": t["from_zone_id"],
                                "to_zone_uuid": t["to_zone_id"], "value": t["value"],
                                "percentage": t["percentage"], "zones": d["zones"],
                                "location_uuid": f if f == su else d["floorplan"]["store_uuid"],
                                "to_location_uuid": zl[t["to_zone_id"]],
                                "start_date": a.isoformat(), "finish_date": z.isoformat(),
                                "day_of_week": dow or None,
                                "time_start": tr[0] if tr else None,
                                "time_finish": tr[1] if tr else None})
        return out
