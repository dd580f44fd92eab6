"""journey: Bespot-style GET /bi/visit-journey-events/ (page/page_size paging).

Data is generated deterministically per (seed, store, day) and cached; the
documentation's example response is served verbatim for SM-001 on 2025-08-12.
Knobs (--option journey.KEY=VALUE or POST /_sim/config {"journey": {...}}):
  stores (3), visits_per_day (20), start (2025-08-01), end (a year after
  today, so that the data reaches today whatever the date; null: that default),
  until (the simulator's start, frozen for its life): no event ends later --
    the API reports what happened, so a visit under way has only its zones
    already left; "none" serves the generated days whole, even ahead of now,
  token (journey-secret-token),
  edges (0): 1 adds rows on the edges the extension cuts at, to every store
    and day: one-zone visits starting at the UTC day's first microsecond
    (00:00:00.000000), its last second (23:59:59) and its last microsecond
    (23:59:59.999999), on either side of the local midnights of
    Europe/Berlin and America/New_York, and on either side of their DST
    changes; the differential suite turns it on
  response_cache (0): 1 keeps each encoded 200 response, keyed by the request's
    host and query string, and serves those bytes again (the benchmarks use it
    so that the simulator is not what limits throughput; the data is
    deterministic, so the answers are the same; any config change clears it)
"""

import datetime as dt
import json
import threading
import zoneinfo

from vendors.base import (Auth, HttpError, Response, Router, hexid, int_arg, iso_z,
                          number_page, parse_iso, rng_for, split_path, UTC)

VENDOR = "journey"
PATH = "/bi/visit-journey-events/"

STORE_NAMES = ["SuperMart Downtown", "SuperMart Riverside", "SuperMart Airport",
               "SuperMart Old Town", "SuperMart Harbour", "SuperMart Hills"]
ZONES = [
    ("Fresh Produce", "L0-PRD-FRU-014"), ("Bakery", "L0-BKY-BRD-006"),
    ("Dairy", "L0-DRY-MLK-022"), ("Household & Cleaning", "L0-HOU-CLN-031"),
    ("Meat & Fish", "L0-MTF-BUT-009"), ("Frozen", "L0-FRZ-ICE-017"),
    ("Beverages", "L0-BEV-DRK-011"), ("Snacks", "L0-SNK-CHP-004"),
    ("Health & Beauty", "L1-HBA-COS-002"), ("Electronics", "L1-ELC-GAD-005"),
]
ENTRANCE = ("Entrance & Promotions", "L0-ENT-PRO-001")
CHECKOUT = ("Checkout Queue", "L0-CHK-QUE-001")
SOURCES = ["app_sdk", "app_ble", "wifi", "camera_fused"]

NOT_FOUND = lambda req: HttpError(404, {"detail": "Not found."})  # noqa: E731
NOT_ALLOWED = lambda req, allowed: HttpError(  # noqa: E731
    405, {"detail": 'Method "%s" not allowed.' % req.method})


def _unauthorized(detail):
    return HttpError(401, {"detail": detail}, {"WWW-Authenticate": 'Bearer realm="api"'})


_EDGE_ZONES = (zoneinfo.ZoneInfo("Europe/Berlin"), zoneinfo.ZoneInfo("America/New_York"))
DOC_DAY = dt.date(2025, 8, 12)
DOC_STORE = "SM-001"


def _doc_example():
    base = dict(session_id="ses_2c7e41b9f0d84c7a", visit_id="vst_8f2c9a1d3b7a4c1e",
                user_id="usr_4a91d2c8", device_id="dev_9b3f1c2a7e",
                date_of_visit="2025-08-12", store_name="SuperMart Downtown",
                store_code="SM-001")
    rows = [
        ("Entrance & Promotions", "L0-ENT-PRO-001", "Outside", "Fresh Produce", 190,
         "2025-08-12T13:00:00Z", "2025-08-12T13:03:10Z"),
        ("Fresh Produce", "L0-PRD-FRU-014", "Entrance & Promotions", "Bakery", 540,
         "2025-08-12T13:03:10Z", "2025-08-12T13:12:10Z"),
        ("Bakery", "L0-BKY-BRD-006", "Fresh Produce", "Dairy", 310,
         "2025-08-12T13:12:10Z", "2025-08-12T13:17:20Z"),
        ("Dairy", "L0-DRY-MLK-022", "Bakery", "Household & Cleaning", 460,
         "2025-08-12T13:17:20Z", "2025-08-12T13:25:00Z"),
        ("Household & Cleaning", "L0-HOU-CLN-031", "Dairy", "Checkout Queue", 380,
         "2025-08-12T13:25:00Z", "2025-08-12T13:31:20Z"),
        ("Checkout Queue", "L0-CHK-QUE-001", "Household & Cleaning", "Cashlines", 260,
         "2025-08-12T13:31:20Z", "2025-08-12T13:35:40Z"),
    ]
    out = []
    for zn, zc, frm, to, dwell, start, end in rows:
        ev = dict(base)
        ev.update(zone_name=zn, zone_serial_code=zc, zone_entered_from=frm,
                  zone_exited_to=to, dwell_time_seconds=dwell,
                  event_start=start, event_end=end, source="app_sdk")
        out.append(ev)
    return out


class Journey:
    def __init__(self, sim):
        self.sim = sim
        self.lock = threading.Lock()
        self.cache = {}
        self.responses = {}
        self.selections = {}
        self.conf = {}
        self.started = dt.datetime.now(UTC)
        self.configure({k.split(".", 1)[1]: v for k, v in sim.options.items()
                        if k.startswith("journey.")})
        # DRF style: the token in Authorization (Bearer or Token) or in X-Api-Key
        self.auth = Auth(("Bearer", "Token"), self._verify,
                         missing=lambda: _unauthorized("Authentication credentials were not provided."),
                         invalid=lambda why: _unauthorized("Invalid token."),
                         api_key="X-Api-Key", blank_missing=False)
        self.router = Router().add(PATH, GET=self._events)

    def configure(self, conf):
        conf = conf.get("journey", conf) if "journey" in conf else \
            {k: v for k, v in conf.items() if k in ("stores", "visits_per_day", "start", "end", "until", "token",
                                           "response_cache", "edges")}
        if not conf:
            return
        with self.lock:
            self.conf.update(conf)
            self.cache = {}
            self.responses = {}
            self.selections = {}

    def reset(self):
        pass

    # -- knobs --
    def _c(self, key, default):
        value = self.conf.get(key)
        return default if value is None else value

    def stores(self):
        n = int(self._c("stores", 3))
        return ["SM-%03d" % (i + 1) for i in range(n)]

    # -- data --
    def day_events(self, store, day):
        """[(start datetime, json text)] for visits that began on day."""
        key = (store, day)
        with self.lock:
            hit = self.cache.get(key)
        if hit is not None:
            return hit
        start = dt.date.fromisoformat(str(self._c("start", "2025-08-01")))
        end = self._c("end", None)
        if end is None:
            end = dt.datetime.now(UTC).date() + dt.timedelta(days=366)
        else:
            end = dt.date.fromisoformat(str(end))
        if store not in self.stores() or day < start or day > end:
            evs = []
        elif store == DOC_STORE and day == DOC_DAY:
            evs = _doc_example()
        else:
            evs = self._generate(store, day)
        if evs and str(self._c("edges", "0")).lower() in ("1", "true", "on", "yes"):
            evs = evs + self._edges(store, day, evs[-1]["store_name"])
        until = self._c("until", None)
        if until is None or str(until).lower() != "none":
            until = self.started if until is None else parse_iso(str(until), "until")
            evs = [e for e in evs if parse_iso(e["event_end"], "event_end") <= until]
        out = [(parse_iso(e["event_start"]), e["store_code"], e["visit_id"],
                e["event_start"], json.dumps(e)) for e in evs]
        out.sort(key=lambda t: t[:4])
        with self.lock:
            self.cache[key] = out
        return out

    def _generate(self, store, day):
        rng = rng_for(self.sim.seed, VENDOR, store, day.isoformat())
        idx = int(store[3:]) - 1
        store_name = STORE_NAMES[idx % len(STORE_NAMES)]
        if idx >= len(STORE_NAMES):
            store_name += " %d" % (idx + 1)
        n = int(self._c("visits_per_day", 20))
        nvisits = rng.randint(max(0, n - n // 5), n + n // 5)
        events = []
        day0 = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
        for _ in range(nvisits):
            device = "dev_" + hexid(rng, 10)
            source = rng.choice(SOURCES)
            user = "usr_" + hexid(rng, 8) if source.startswith("app") and rng.random() < 0.7 else None
            session = "ses_" + hexid(rng, 16)
            t = day0 + dt.timedelta(seconds=rng.randint(7 * 3600, 23 * 3600 + 50 * 60))
            # one visit, and now and then a re-open within the hour
            for _reopen in range(2):
                visit = "vst_" + hexid(rng, 16)
                path = [ENTRANCE] + rng.sample(ZONES, rng.randint(1, 5))
                if rng.random() < 0.8:
                    path.append(CHECKOUT)
                for i, (zn, zc) in enumerate(path):
                    dwell = rng.randint(20, 900)
                    if i == 0:
                        frm = "Outside" if source == "app_sdk" else None
                    else:
                        frm = path[i - 1][0]
                    if i + 1 < len(path):
                        to = path[i + 1][0]
                    else:
                        to = "Cashlines" if zn == CHECKOUT[0] else None
                    end = t + dt.timedelta(seconds=dwell)
                    events.append(dict(
                        session_id=session, visit_id=visit, user_id=user,
                        device_id=device, date_of_visit=day.isoformat(),
                        store_name=store_name, store_code=store,
                        zone_name=zn, zone_serial_code=zc,
                        zone_entered_from=frm, zone_exited_to=to,
                        dwell_time_seconds=dwell, event_start=iso_z(t),
                        event_end=iso_z(end), source=source))
                    t = end
                if rng.random() >= 0.12:
                    break
                t += dt.timedelta(seconds=rng.randint(5 * 60, 55 * 60))
        return events

    @staticmethod
    def _edge_instants(day):
        """The instants of day (UTC) the extension may cut at: the UTC day's
        first microsecond, last second and last microsecond; the last
        microsecond and the first of the local days of Europe/Berlin and
        America/New_York (the session zones of the differential suite) that
        start within it; a DST change of either zone: its last microsecond
        before and its first after."""
        day0 = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
        day1 = day0 + dt.timedelta(days=1)
        us = dt.timedelta(microseconds=1)
        out = [day0, day1 - dt.timedelta(seconds=1), day1 - us]
        for zone in _EDGE_ZONES:
            for d in (day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)):
                m = dt.datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC)
                if day0 < m < day1:
                    out += [m - us, m]
            if day0.astimezone(zone).utcoffset() != day1.astimezone(zone).utcoffset():
                t = day0
                while t.astimezone(zone).utcoffset() == day0.astimezone(zone).utcoffset():
                    t += dt.timedelta(minutes=15)
                out += [t - us, t]
        return sorted(set(out))

    @classmethod
    def _edges(cls, store, day, store_name):
        """One-zone visits on the day's edges (knob edges)."""
        out = []
        for i, t in enumerate(cls._edge_instants(day)):
            tag = "%s%s%02d" % (store[3:], day.strftime("%Y%m%d"), i)
            out.append(dict(
                session_id="ses_edge" + tag, visit_id="vst_edge" + tag, user_id=None,
                device_id="dev_edge" + tag, date_of_visit=day.isoformat(),
                store_name=store_name, store_code=store, zone_name=ENTRANCE[0],
                zone_serial_code=ENTRANCE[1], zone_entered_from="Outside",
                zone_exited_to=None, dwell_time_seconds=1, event_start=iso_z(t),
                event_end=iso_z(t + dt.timedelta(seconds=1)), source="wifi"))
        return out

    def truth(self, resource, params):
        """Every event with event_start in [from, to] (at most 62 days)."""
        if resource != "visit_journey_events":
            return None
        gte = parse_iso(params.get("from") or "", "from")
        lte = parse_iso(params.get("to") or "", "to")
        if lte < gte or lte - gte > dt.timedelta(days=62):
            raise ValueError("truth window: from <= to, at most 62 days")
        return [json.loads(r[4]) for r in self._select(gte, lte, None)]

    def select(self, gte, lte, store):
        """Sorted events in [gte, lte]; the last few selections are kept, so
        paging through a big series costs a slice per page, not a scan."""
        key = (gte, lte, store)
        with self.lock:
            hit = self.selections.get(key)
        if hit is not None:
            return hit
        out = self._select(gte, lte, store)
        with self.lock:
            if len(self.selections) >= 64:
                self.selections.pop(next(iter(self.selections)))
            self.selections[key] = out
        return out

    def _select(self, gte, lte, store):
        stores = [store] if store else self.stores()
        out = []
        day = gte.date() - dt.timedelta(days=1)
        while day <= lte.date():
            for s in stores:
                for ev in self.day_events(s, day):
                    if gte <= ev[0] <= lte:
                        out.append(ev)
            day += dt.timedelta(days=1)
        out.sort(key=lambda t: t[:4])
        return out

    # -- HTTP --
    def _verify(self, cred):
        return None if cred == str(self._c("token", "journey-secret-token")) else "token"

    def handle(self, req):
        return self.router.dispatch(req, split_path(req.path), NOT_FOUND, NOT_ALLOWED,
                                    self.auth.check, auth_first=False)

    def _events(self, req, parts):
        caching = str(self._c("response_cache", "0")).lower() in ("1", "true", "on", "yes")
        if caching:
            key = (req.host, req.raw_query)
            with self.lock:
                hit = self.responses.get(key)
            if hit is not None:
                return Response(200, hit)
        resp = self._answer(req)
        if caching:
            with self.lock:
                self.responses[key] = resp.body
        return resp

    def _answer(self, req):
        errors = {}
        for name in ("datetime_gte", "datetime_lte"):
            if not req.arg(name):
                errors[name] = ["This field is required."]
        if errors:
            raise HttpError(400, errors)
        gte = parse_iso(req.arg("datetime_gte"), "datetime_gte")
        lte = parse_iso(req.arg("datetime_lte"), "datetime_lte")
        size = int_arg(req, "page_size", 1000, 1, 10000)
        try:
            page = int(req.arg("page", "1"))
        except ValueError:
            page = 0
        rows = self.select(gte, lte, req.arg("store_code") or None)
        count = len(rows)
        chunk, nxt, prev = number_page(req, rows, page, size,
                                       invalid=HttpError(404, {"detail": "Invalid page."}))
        body = '{"count": %d, "next": %s, "previous": %s, "results": [%s]}' % (
            count, json.dumps(nxt), json.dumps(prev), ", ".join(r[4] for r in chunk))
        return Response(200, body.encode())


def make(sim):
    return Journey(sim)
