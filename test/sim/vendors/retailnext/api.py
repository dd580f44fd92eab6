"""The RetailNext vendor object: knobs and state, auth, paging and routes, locations,
occupancy, users and profiles, health alerts; datamine, traffic and video
handlers come from their mixins."""

import datetime as dt
import json
import threading
import time
import zoneinfo

from vendors.base import (Auth, HeaderPaging, HttpError, Response, Router, UTC, parse_iso, rng_for,
                          split_path)
from vendors.retailnext.calendar import WEEKDAY, Calendar
from vendors.retailnext.datamine import Datamine
from vendors.retailnext.engine import Engine, Source
from vendors.retailnext.fixtures import (
    ALERT_QUIET_END, ALERTS_FROM, ALERTS_TO, DEFAULTS, DOC_ALERT, DOC_ALERT_AT, DOC_CREATED_LOCATION,
    DOC_CREATED_USER, DOC_USERS, EXTRA_FIELDS, FILTER_TYPES, FLOORPLANS, LOCATION_PROFILES, ORG, REGIONS, STORES,
    SUB_SCALE, SUB_TYPES, SUBLOCATIONS, USER_PROFILES, VENDOR, build_inventory, error,
    extra_stores, fail, fixture_uuid)
from vendors.retailnext.traffic import Traffic
from vendors.retailnext.video import Video


NOT_FOUND = lambda req: error(404, "no such endpoint: %s" % req.path)  # noqa: E731
NOT_ALLOWED = lambda req, allowed: HttpError(  # noqa: E731
    405, {"ok": False, "error": "method %s not allowed on %s" % (req.method, req.path)},
    {"Allow": ", ".join(allowed)})
BASIC_REALM = {"WWW-Authenticate": 'Basic realm="RetailNext API"'}


def _auth_missing():
    return HttpError(401, {"ok": False, "error": "authentication required: use HTTP basic auth "
                                                 "with your access key and secret key"}, BASIC_REALM)


def _auth_invalid(why):
    return HttpError(401, {"ok": False, "error": "invalid access key or secret key"}, BASIC_REALM)


class RetailNext(Datamine, Traffic, Video):
    def __init__(self, sim):
        self.sim = sim
        self.lock = threading.Lock()
        self.engine = Engine(sim.seed)
        self.base_conf = dict(DEFAULTS)
        for k, v in sim.options.items():
            if k.startswith(VENDOR + "."):
                self.base_conf[k.split(".", 1)[1]] = v
        self.conf = dict(self.base_conf)
        (self.cameras, self.channels, self.appliances, self.cam_of_channel,
         self.abbr) = build_inventory()
        self.busy = {}
        self._alerts = None
        self.auth = Auth(("Basic",), self._verify, missing=_auth_missing, invalid=_auth_invalid)
        self.pager = HeaderPaging(error, maximum=100)
        self.router = self._routes()
        self.reset()

    # -- knobs and state ---------------------------------------------------
    def configure(self, conf):
        sub = {}
        if isinstance(conf.get(VENDOR), dict):
            sub.update(conf[VENDOR])
        for k, v in conf.items():
            if k.startswith(VENDOR + "."):
                sub[k.split(".", 1)[1]] = v
        for k in sub:
            if k not in DEFAULTS:
                raise ValueError("retailnext: unknown knob %r" % k)
        if sub:
            with self.lock:
                self.conf.update(sub)
                if "extra_stores" in sub or "extra_store_zone" in sub:
                    self._set_extra_stores()
                if "extra_users" in sub:
                    self._set_extra_users()

    def c(self, key):
        return self.conf.get(key, DEFAULTS.get(key))

    def ci(self, key):
        try:
            return int(self.c(key))
        except (TypeError, ValueError):
            return int(DEFAULTS[key])

    def now(self):
        v = str(self.c("now"))
        if v == "real":
            return dt.datetime.now(UTC)
        return parse_iso(v, "now")

    def data_start(self):
        return dt.date.fromisoformat(str(self.c("data_start")))

    def calendar(self):
        kind = str(self.c("calendar"))
        ws = WEEKDAY.get(str(self.c("week_start")).lower(), 6)
        return Calendar("nrf454" if kind != "gregorian" else "gregorian", ws)

    def reset(self):
        with self.lock:
            self.conf = dict(self.base_conf)
            self.locs = {}
            self.locs[ORG] = dict(uuid=ORG, parent_uuid=None, name="Acme Retail", kind="organization",
                                  location_type="organization", area=None, archive_date=None)
            for u, name, parent in REGIONS:
                self.locs[u] = dict(uuid=u, parent_uuid=parent, name=name, kind="region",
                                    location_type="region", area=None, archive_date=None)
            for store in STORES:
                self._add_store(*store)
            for u, parent, name, ltype, area, archive in SUBLOCATIONS:
                self.locs[u] = self._new_sub(u, parent, name, ltype, area, archive)
            self._set_extra_stores()
            self.users = [dict(u) for u in DOC_USERS]
            r = rng_for("retailnext-fixture", "users")
            lps = ["9e701012-4c76-11e7-853d-c0001c66456e", "93334489-6d6a-11eb-9ec3-00000d9c1e4f",
                   "bffb9ff6-1b4d-11e9-8b97-000006c38736"]
            for i in range(120):
                signed = r.random() < 0.85
                last = dt.datetime(2020, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=r.randrange(36000000))
                cur = last + dt.timedelta(seconds=r.randrange(1, 2000000))
                self.users.append({
                    "type": "sso" if i % 3 == 2 else "local",
                    "name": "Store Manager %d" % i, "email": "storemanager%d@domain.com" % i,
                    "id": fixture_uuid("user", i), "disabled": i % 17 == 16,
                    "user_profile_id": "8b26a6c0-5027-11eb-8039-8000f92819c5",
                    "location_profile_id": lps[i % 3],
                    "last_sign_in_at": last.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % r.randrange(1000) if signed else None,
                    "current_sign_in_at": cur.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % r.randrange(1000) if signed else None,
                    "invitation_accepted": signed, "invitation_locale": "en_US"})
            self._set_extra_users()
            self.created_locations = 0
            self.created_users = 0
            self.exports = {}
            self.export_count = 0
            self.tokens = {}
            self.occ_adjust = {}

    def _add_store(self, u, name, parent, tz, sid, occ, area, hours, scale, opened, bf, live,
                   extra=False):
        n = int(sid)
        self.locs[u] = dict(uuid=u, parent_uuid=parent, name=name, kind="store",
                            location_type="store", area=area, archive_date=None,
                            time_zone=tz, tzinfo=zoneinfo.ZoneInfo(tz), store_id=sid,
                            pos_id="POS-%04d" % n, pos_division_id="DIV-%d" % (n // 100),
                            staff_hour_id="SH-%04d" % n, occupancy_limit=occ,
                            bandwidth=None, hours=hours, scale=scale, opened=opened,
                            black_friday=bf, live=live, extra=extra)

    def _set_extra_stores(self):
        """Knob extra_stores: replace the generated stores by as many as it says."""
        for u in [u for u, l in self.locs.items() if l.get("extra")]:
            del self.locs[u]
        for store in extra_stores(self.ci("extra_stores"), str(self.c("extra_store_zone"))):
            self._add_store(*store, extra=True)

    def _set_extra_users(self):
        """Knob extra_users: replace the extra users by as many as it says (the
        first 8 of every 13 local, the other 5 sso; ids fixed by their number):
        13 make 90 local users, 45 sso and 135 in all, listings that end exactly
        at a page end for pages of 9, 15 or 45."""
        n = self.ci("extra_users")
        self.users = [u for u in self.users if not u["name"].startswith("Extra User ")]
        for i in range(n):
            self.users.append({
                "type": "local" if i % 13 < 8 else "sso",
                "name": "Extra User %d" % i, "email": "extrauser%d@domain.com" % i,
                "id": fixture_uuid("extra-user", i), "disabled": False,
                "user_profile_id": "8b26a6c0-5027-11eb-8039-8000f92819c5",
                "location_profile_id": "9e701012-4c76-11e7-853d-c0001c66456e",
                "last_sign_in_at": None, "current_sign_in_at": None,
                "invitation_accepted": False, "invitation_locale": "en_US"})

    def _new_sub(self, u, parent, name, ltype, area, archive, agg_parent=None, agg_store=None):
        ent = ltype == "entrance"
        return dict(uuid=u, parent_uuid=parent, name=name, kind="sub", location_type=ltype,
                    area=area, archive_date=archive,
                    aggregate_to_parent=ent if agg_parent is None else agg_parent,
                    aggregate_to_store=ent if agg_store is None else agg_store)

    # -- helpers -------------------------------------------------------------
    def store_of(self, loc):
        seen = 0
        while loc is not None and loc["kind"] == "sub" and seen < 50:
            loc = self.locs.get(loc["parent_uuid"])
            seen += 1
        return loc if loc is not None and loc["kind"] == "store" else None

    def children(self):
        ch = {}
        for l in self.locs.values():
            ch.setdefault(l["parent_uuid"], []).append(l)
        return ch

    def descendants(self, uuid, ch=None):
        ch = ch if ch is not None else self.children()
        out, todo = [], [uuid]
        while todo:
            u = todo.pop()
            for c in ch.get(u, []):
                out.append(c)
                todo.append(c["uuid"])
        return out

    def stores_under(self, loc, ch=None):
        if loc["kind"] == "store":
            return [loc]
        if loc["kind"] == "sub":
            return []
        ds = [d for d in self.descendants(loc["uuid"], ch) if d["kind"] == "store"]
        order = {s[0]: i for i, s in enumerate(STORES)}
        ds.sort(key=lambda s: order.get(s["uuid"], 99))
        return ds

    def source(self, loc):
        store = self.store_of(loc)
        if store is None:
            return None
        start = self.data_start()
        if store["opened"] and store["opened"] > start:
            start = store["opened"]
        if loc["kind"] == "store":
            return Source(loc["uuid"], store, store["scale"], True, start, None)
        archive = None
        if loc.get("archive_date"):
            archive = parse_iso(loc["archive_date"]).date()
        scale = store["scale"] * SUB_SCALE.get(loc["location_type"], 0.4)
        return Source(loc["uuid"], store, scale, False, start, archive)

    def _verify(self, creds):
        if creds != (str(self.c("access_key")), str(self.c("secret_key"))):
            return "credentials"
        return None

    @staticmethod
    def body(req, required=True):
        if not req.body or not req.body.strip():
            if required:
                fail(400, "a JSON request body is required")
            return {}
        try:
            b = json.loads(req.body)
        except ValueError as e:
            fail(400, "malformed JSON body: %s" % e)
        if not isinstance(b, dict):
            fail(400, "the request body must be a JSON object")
        return b

    # -- ground truth --------------------------------------------------------
    def truth(self, resource, params):
        """Ground truth (GET /_sim/truth/retailnext/<table>): every row behind
        a table, from the simulator's data (never from an answer), as the
        document shapes it; None for a table without it."""
        if resource == "rn_locations":
            with self.lock:
                return [self.loc_out(l, EXTRA_FIELDS) for l in self.locs.values()]
        if resource == "rn_users":
            with self.lock:
                return [dict(u) for u in self.users]
        if resource == "rn_fpa_zones":
            return [dict(z, floorplan_uuid=fp["id"], floorplan_name=fp["name"],
                         store_uuid=fp["store_id"], store_name=fp["store_name"],
                         zone_uuid=z["id"], zone_name=z["name"], location_uuid=z["location_id"])
                    for fp in (self.floorplan_out(f) for f in FLOORPLANS) for z in fp["zones"]]
        if resource == "rn_fpa_zone_points":
            return [dict(floorplan_uuid=fp["id"], store_uuid=fp["store_id"], zone_uuid=z["id"],
                         zone_name=z["name"], point_index=i, x=p["x"], y=p["y"])
                    for fp in (self.floorplan_out(f) for f in FLOORPLANS) for z in fp["zones"]
                    for i, p in enumerate(z["points"])]
        if resource == "rn_store_hours":
            # every store's business days in [from, to] (dates); open and close
            # as instants of the store's wall clock (what both readings mean)
            try:
                first = dt.date.fromisoformat(params.get("from") or "")
                last = dt.date.fromisoformat(params.get("to") or "")
            except ValueError:
                raise ValueError("truth window: from and to are dates")
            if last < first or (last - first).days > 800:
                raise ValueError("truth window: from <= to, at most 800 days")
            with self.lock:
                stores = [l for l in self.locs.values() if l["kind"] == "store"]
            out = []
            for st in stores:
                d = first
                while d <= last:
                    h = Engine.hours(st, d)
                    if h:
                        base = dt.datetime.combine(d, dt.time(), tzinfo=st["tzinfo"])
                        out.append({"store_uuid": st["uuid"], "effective_day": d.isoformat(),
                                    "open": (base + dt.timedelta(minutes=h[0])).isoformat(),
                                    "close": (base + dt.timedelta(minutes=h[1])).isoformat()})
                    d += dt.timedelta(days=1)
            return out
        if resource == "rn_predicted_traffic":
            return self.pred_truth(params)
        if resource == "rn_zone_transitions":
            return self.zt_truth(params)
        if resource == "rn_datamine":
            return self.dm_truth(params)
        if resource == "rn_health_alerts":
            now = self.now()
            return [dict(a) for t, a in self.alerts() if t < now]
        rows = {"rn_user_profiles": USER_PROFILES, "rn_location_profiles": LOCATION_PROFILES,
                "rn_cameras": self.cameras, "rn_channels": self.channels,
                "rn_appliances": self.appliances}.get(resource)
        if resource in ("rn_cameras", "rn_appliances"):
            return [self.device_truth(r) for r in rows]
        return None if rows is None else [dict(r) for r in rows]

    @staticmethod
    def device_truth(r):
        """A camera or appliance with the documented members of its
        network_configuration, analytics and configuration_summary under the
        table's column names (network_mode, traffic_line_count,
        summary_sensor_name, ...); absent members are None."""
        out = dict(r)
        net = r.get("network_configuration") or {}
        for k in ("mode", "ip", "gateway", "dns", "ntp"):
            out["network_" + k] = net.get(k)
        if "analytics" in r:
            for k in ("traffic_line_count", "dwell_zone_count", "direction_line_configured"):
                out[k] = (r.get("analytics") or {}).get(k)
        if "configuration_summary" in r:
            for k in ("device_name", "site_name", "sensor_name", "sensor_group"):
                out["summary_" + k] = (r.get("configuration_summary") or {}).get(k)
        return out

    # -- paging ------------------------------------------------------------
    def paged(self, req, items, build):
        return self.pager.page(req, items, build, str(self.c("page_next_header")))

    def token_paged(self, req, items, cursor, key):
        chunk, nxt = self.pager.token_page(req, items, cursor)
        return Response(200, {"ok": True, "next_page": nxt, key: chunk})

    def limited(self, name):
        return _Slot(self, name)

    # -- routing -------------------------------------------------------------
    def _routes(self):
        r = Router()
        # token or signature authenticated: the handlers answer a wrong method
        r.add("/v1/hls/{playlist}", auth=False, ANY=self.hls)
        r.add("/v1/hls/{channel}/{segment}", auth=False, ANY=self.hls)
        r.add("/v1/video/export/download/{file}", auth=False,
              ANY=lambda req, parts: self.download(req, parts[4]))
        r.add("/v2/location", POST=self.location_query)
        r.add("/v2/location/create", POST=self.location_create)
        r.add("/v2/location/{uuid}", PUT=self.location_update)
        r.add("/v2/datamine", POST=self.datamine)
        r.add("/v1/location", GET=self.v1_locations)
        r.add("/v1/storehours", POST=self.store_hours)
        r.add("/v1/occupancy/adjust", POST=self.occupancy_adjust)
        r.add("/v1/users", GET=self.users_list, POST=self.users_create)
        r.add("/v1/users/{id}", PUT=self.users_update)
        r.add("/v1/user_profiles", GET=self.user_profiles)
        r.add("/v1/user_profiles/{id}", GET=self.user_profiles)
        r.add("/v1/location_profiles", GET=self.location_profiles)
        r.add("/v1/location_profiles/{id}", GET=self.location_profiles)
        r.add("/v1/healthalerts", POST=self.health_alerts)
        r.add("/v1/predictedtraffic", POST=self.predicted_traffic)
        r.add("/v1/zone_transitions", POST=self.zone_transitions)
        r.add("/v1/fpafloorplans", GET=self.floorplans)
        r.add("/v1/fpafloorplans/{id}", GET=self.floorplans)
        r.add("/v1/stores/{store}/fpafloorplans", GET=self.floorplans)
        r.add("/v1/inventory/cameras", GET=self.inv_cameras)
        r.add("/v1/inventory/channels", GET=self.inv_channels)
        r.add("/v1/inventory/appliances", GET=self.inv_appliances)
        r.add("/v1/video/export/start", POST=self.export_start)
        r.add("/v1/video/export/task/{id}", GET=self.export_status, DELETE=self.export_delete)
        r.add("/v1/hlsapitoken", POST=self.hls_token)
        return r

    def handle(self, req):
        parts = split_path(req.path, strip_slash=True, unquote=True, rooted=False)
        return self.router.dispatch(req, parts, NOT_FOUND, NOT_ALLOWED, self.auth.check)

    # ==================================================================
    # locations
    # ==================================================================
    def loc_out(self, l, extra=()):
        out = {}
        for f in extra:
            key = f.split(".", 1)[1]
            out[key] = l.get(key) if l["kind"] == "store" else None
        out.update(location_type=l["location_type"], area=l["area"], uuid=l["uuid"],
                   parent_uuid=l["parent_uuid"], name=l["name"], type="location",
                   archive_date=l["archive_date"])
        if l["kind"] == "sub":
            out["aggregate_to_parent"] = l["aggregate_to_parent"]
            out["aggregate_to_store"] = l["aggregate_to_store"]
        return out

    def write_out(self, l):
        if l["kind"] == "sub":
            return dict(location_type=l["location_type"], aggregate_to_parent=l["aggregate_to_parent"],
                        aggregate_to_store=l["aggregate_to_store"], area=l["area"], uuid=l["uuid"],
                        parent_uuid=l["parent_uuid"], name=l["name"], type="location",
                        archive_date=l["archive_date"])
        out = {}
        if l["kind"] == "store":
            out["occupancy_limit"] = l["occupancy_limit"]
            if l.get("bandwidth"):
                out["bandwidth_limit_kilobits_per_second"] = l["bandwidth"]
        out.update(location_type=l["location_type"], area=l["area"], uuid=l["uuid"],
                   parent_uuid=l["parent_uuid"], name=l["name"], type="location",
                   archive_date=l["archive_date"])
        return out

    def _where(self, w, depth=0):
        """A predicate from a "where" object."""
        if depth > 20:
            fail(400, "where is nested too deeply")
        if not isinstance(w, dict):
            fail(400, "where must be an object")
        preds = []
        for k, v in w.items():
            if k in ("and", "or"):
                if not isinstance(v, list):
                    fail(400, "where.%s must be a list" % k)
                subs = [self._where(x, depth + 1) for x in v]
                if k == "and":
                    preds.append(lambda l, subs=subs: all(p(l) for p in subs))
                else:
                    preds.append(lambda l, subs=subs: any(p(l) for p in subs))
            elif k == "location_types":
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    fail(400, "location_types must be a list of strings")
                for x in v:
                    if x not in FILTER_TYPES:
                        fail(400, "unsupported location type %r; supported: %s" % (x, ", ".join(FILTER_TYPES)))
                vs = set(v)
                preds.append(lambda l, vs=vs: l["location_type"] in vs)
            elif k == "uuids":
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    fail(400, "uuids must be a list of strings")
                vs = set(v)
                preds.append(lambda l, vs=vs: l["uuid"] in vs)
            else:
                fail(400, "unsupported filter %r in where" % k)
        return lambda l: all(p(l) for p in preds)

    def location_query(self, req, parts):
        b = self.body(req, required=False)
        extra = b.get("extra_fields", [])
        if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
            fail(400, "extra_fields must be a list of strings")
        for f in extra:
            if f not in EXTRA_FIELDS:
                fail(400, "unsupported extra field %r; supported: %s" % (f, ", ".join(EXTRA_FIELDS)))
        pred = self._where(b["where"]) if b.get("where") is not None else (lambda l: True)
        with self.lock:
            rows = [self.loc_out(l, extra) for l in self.locs.values() if pred(l)]
        cap = self.ci("cap")
        if len(rows) > cap:
            if str(self.c("cap_mode")) == "error":
                fail(400, "the response exceeds %d entries; use filters" % cap)
            rows = rows[:cap]
        return Response(200, {"nodes": [rows]})

    def v1_locations(self, req, parts):
        with self.lock:
            rows = [self.loc_out(l) for l in self.locs.values()]
        return self.paged(req, rows, lambda chunk: {"locations": chunk})

    def _num(self, b, key, integer=False):
        v = b[key]
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
            fail(400, "%s must be a%s number" % (key, "n integer" if integer else ""))
        if v < 0:
            fail(400, "%s must not be negative" % key)
        return v

    def _bool(self, b, key):
        if not isinstance(b[key], bool):
            fail(400, "%s must be true or false" % key)
        return b[key]

    @staticmethod
    def _parent_key(b):
        for k in ("parent_uuid", "parent_UUID"):
            if k in b:
                return k
        return None

    def location_create(self, req, parts):
        b = self.body(req)
        pk = self._parent_key(b)
        for k in ("name", "location_type"):
            if k not in b:
                fail(400, "%s is required" % k)
        if pk is None:
            fail(400, "parent_uuid is required")
        name, ltype, parent = b["name"], b["location_type"], b[pk]
        if not isinstance(name, str) or not name.strip():
            fail(400, "name must be a non-empty string")
        if not isinstance(parent, str):
            fail(400, "parent_uuid must be a string")
        if ltype == "store":
            fail(400, "creating store locations is not supported through the API")
        if ltype not in SUB_TYPES + ("region",):
            fail(400, "unsupported location_type %r; supported: entrance, fitting_room, display, other, region"
                  % (ltype,))
        with self.lock:
            p = self.locs.get(parent)
            if p is None:
                fail(400, "parent location %s not found" % parent)
            if ltype == "region":
                if p["kind"] not in ("region", "organization"):
                    fail(400, "the parent of a region must be a region or the subscription")
                for k in ("area", "aggregate_to_parent", "aggregate_to_store"):
                    if k in b:
                        fail(400, "%s applies to sublocations only" % k)
            elif p["kind"] != "store":
                fail(400, "the parent of a sublocation must be a store")
            area = self._num(b, "area") if "area" in b else None
            ap = self._bool(b, "aggregate_to_parent") if "aggregate_to_parent" in b else None
            ast = self._bool(b, "aggregate_to_store") if "aggregate_to_store" in b else None
            n = self.created_locations
            self.created_locations += 1
            u = DOC_CREATED_LOCATION if n == 0 else fixture_uuid("created-location", self.sim.seed, n)
            if ltype == "region":
                loc = dict(uuid=u, parent_uuid=parent, name=name, kind="region", location_type="region",
                           area=None, archive_date=None)
            else:
                loc = self._new_sub(u, parent, name, ltype, area, None, ap, ast)
            self.locs[u] = loc
            return Response(200, self.write_out(loc))

    def location_update(self, req, parts):
        uuid = parts[2]
        b = self.body(req)
        with self.lock:
            l = self.locs.get(uuid)
            if l is None:
                fail(404, "location %s not found" % uuid)
            if l["kind"] == "organization":
                fail(400, "the subscription location cannot be updated")
            new = dict(l)
            kind = l["kind"]
            if "name" in b:
                if not isinstance(b["name"], str) or not b["name"].strip():
                    fail(400, "name must be a non-empty string")
                new["name"] = b["name"]
            pk = self._parent_key(b)
            if pk is not None:
                pu = b[pk]
                p = self.locs.get(pu) if isinstance(pu, str) else None
                if p is None:
                    fail(400, "parent location %s not found" % (pu,))
                if kind == "sub" and p["kind"] != "store":
                    fail(400, "the parent of a sublocation must be a store")
                if kind in ("store", "region") and p["kind"] not in ("region", "organization"):
                    fail(400, "the parent of a %s must be a region or the subscription" % kind)
                if pu == uuid or pu in {d["uuid"] for d in self.descendants(uuid)}:
                    fail(400, "a location cannot move beneath itself")
                new["parent_uuid"] = pu
            if "location_type" in b:
                lt = b["location_type"]
                if kind == "sub":
                    if lt not in SUB_TYPES:
                        fail(400, "unsupported sublocation type %r" % (lt,))
                    new["location_type"] = lt
                elif lt != l["location_type"]:
                    fail(400, "location_type can be changed for sublocations only")
            if "area" in b:
                if kind not in ("store", "sub"):
                    fail(400, "area applies to stores and sublocations only")
                new["area"] = self._num(b, "area")
            if "occupancy_limit" in b:
                if kind != "store":
                    fail(400, "occupancy_limit applies to stores only")
                new["occupancy_limit"] = self._num(b, "occupancy_limit", True)
            if "bandwidth_limit_kilobits_per_second" in b:
                if kind != "store":
                    fail(400, "bandwidth_limit_kilobits_per_second applies to stores only")
                v = self._num(b, "bandwidth_limit_kilobits_per_second", True)
                new["bandwidth"] = v or None
            for k in ("aggregate_to_parent", "aggregate_to_store"):
                if k in b:
                    if kind != "sub":
                        fail(400, "%s applies to sublocations only" % k)
                    new[k] = self._bool(b, k)
            self.locs[uuid] = new
            return Response(200, self.write_out(new))

    # ==================================================================
    # occupancy adjust
    # ==================================================================
    def occupancy_adjust(self, req, parts):
        b = self.body(req)
        if "store_uuid" not in b:
            fail(400, "store_uuid is required")
        if "adjustment_count" not in b:
            fail(400, "adjustment_count is required")
        cnt = b["adjustment_count"]
        if not isinstance(cnt, int) or isinstance(cnt, bool) or cnt == 0:
            fail(400, "adjustment_count must be a non-zero integer")
        with self.lock:
            s = self.locs.get(b["store_uuid"]) if isinstance(b["store_uuid"], str) else None
            if s is None or s["kind"] != "store":
                fail(400, "store %s not found" % (b["store_uuid"],))
            when = b.get("adjustment_date", b.get("adjustment_time"))
            if when is None:
                t = self.now()
            else:
                t, wall = self._z_in(when, "adjustment_date")
                if wall is not None:
                    t = wall.replace(tzinfo=s["tzinfo"])
            if s["occupancy_limit"] is None:
                fail(400, "occupancy updates need the store's occupancy limit to be defined")
            local = t.astimezone(s["tzinfo"]).replace(tzinfo=None)
            inside = False
            for k in (-1, 0):
                d = local.date() + dt.timedelta(days=k)
                h = Engine.hours(s, d)
                if h:
                    base = dt.datetime.combine(d, dt.time())
                    if base + dt.timedelta(minutes=h[0]) <= local < base + dt.timedelta(minutes=h[1]):
                        inside = True
            if not inside:
                fail(400, "occupancy updates are only accepted within store hours")
            self.occ_adjust[s["uuid"]] = self.occ_adjust.get(s["uuid"], 0) + cnt
        return Response(200, {"ok": True})

    # ==================================================================
    # users and profiles
    # ==================================================================
    def users_list(self, req, parts):
        typ = req.arg("type")
        email = req.arg("email")
        if typ is not None and typ.lower() not in ("local", "sso"):
            fail(400, "type must be local or sso")
        with self.lock:
            rows = [dict(u) for u in self.users
                    if (typ is None or u["type"] == typ.lower()) and (email is None or u["email"] == email)]
        return self.paged(req, rows, lambda chunk: {"users": chunk})

    def _check_profiles(self, u):
        if "user_profile_id" in u and not any(p["id"] == u["user_profile_id"] for p in USER_PROFILES):
            fail(400, "user profile %s not found" % (u["user_profile_id"],))
        if "location_profile_id" in u and not any(p["id"] == u["location_profile_id"] for p in LOCATION_PROFILES):
            fail(400, "location profile %s not found" % (u["location_profile_id"],))
        if "location_ids" in u:
            ids = u["location_ids"]
            if not isinstance(ids, list) or not ids or not all(isinstance(x, str) for x in ids):
                fail(400, "location_ids must be a non-empty list of location uuids")
            for x in ids:
                if x not in self.locs:
                    fail(400, "location %s not found" % x)
        if "location_ids" in u and "location_profile_id" in u:
            fail(400, "give either location_profile_id or location_ids, not both")

    def users_create(self, req, parts):
        b = self.body(req)
        u = b.get("user")
        if not isinstance(u, dict):
            fail(400, 'the body must be {"user": {...}}')
        email = u.get("email")
        if not isinstance(email, str) or "@" not in email or email.startswith("@") or email.endswith("@"):
            fail(400, "email is required and must be an email address")
        if "type" not in u:
            fail(400, "type is required")
        if not isinstance(u["type"], str) or u["type"].lower() != "sso":
            fail(400, "only sso users can be created through the API")
        name = u.get("name", email)
        if not isinstance(name, str) or not name:
            fail(400, "name must be a non-empty string")
        disabled = u.get("disabled", False)
        if not isinstance(disabled, bool):
            fail(400, "disabled must be true or false")
        perms = [k for k in ("user_profile_id", "location_profile_id", "location_ids") if k in u]
        if str(self.c("sso_permissions")) == "saml":
            if perms:
                fail(400, "permissions of SSO users are managed by the identity provider (Use SAML Attribute)")
        else:
            if "user_profile_id" not in u or ("location_profile_id" not in u and "location_ids" not in u):
                fail(400, "user_profile_id and location_profile_id (or location_ids) are required")
        with self.lock:
            self._check_profiles(u)
            if any(x["email"].lower() == email.lower() for x in self.users):
                fail(400, "email %s has already been taken" % email)
            n = self.created_users
            self.created_users += 1
            uid = DOC_CREATED_USER if n == 0 else fixture_uuid("created-user", self.sim.seed, n)
            user = {"type": "sso", "name": name, "email": email, "id": uid, "disabled": disabled}
            for k in ("user_profile_id", "location_profile_id", "location_ids"):
                if k in u:
                    user[k] = u[k]
            out = {"user": dict(user)}
            user.update(last_sign_in_at=None, current_sign_in_at=None, invitation_accepted=False,
                        invitation_locale="en_US")
            self.users.append(user)
        return Response(200, out)

    def users_update(self, req, parts):
        uid = parts[2]
        b = self.body(req)
        with self.lock:
            user = next((x for x in self.users if x["id"] == uid), None)
            if user is None:
                fail(404, "user %s not found" % uid)
            self._check_profiles(b)
            new = {}
            for k, v in user.items():
                if k in ("location_profile_id", "location_ids") and \
                        ("location_profile_id" in b or "location_ids" in b):
                    if "location_profile_id" in b:
                        new["location_profile_id"] = b["location_profile_id"]
                    else:
                        new["location_ids"] = list(b["location_ids"])
                elif k == "user_profile_id" and "user_profile_id" in b:
                    new[k] = b[k]
                else:
                    new[k] = v
            if "location_profile_id" not in new and "location_ids" not in new:
                if "location_profile_id" in b:
                    new["location_profile_id"] = b["location_profile_id"]
                elif "location_ids" in b:
                    new["location_ids"] = list(b["location_ids"])
            self.users[self.users.index(user)] = new
            return Response(200, {"user": dict(new)})

    def _profiles(self, req, parts, items, key, single):
        if len(parts) == 3:
            p = next((x for x in items if x["id"] == parts[2]), None)
            if p is None:
                fail(404, "%s %s not found" % (single.replace("_", " "), parts[2]))
            return Response(200, {single: p})
        return self.paged(req, items, lambda chunk: {key: chunk})

    def user_profiles(self, req, parts):
        return self._profiles(req, parts, USER_PROFILES, "user_profiles", "user_profile")

    def location_profiles(self, req, parts):
        return self._profiles(req, parts, LOCATION_PROFILES, "location_profiles", "location_profile")

    # ==================================================================
    # health alerts
    # ==================================================================
    def alerts(self):
        if self._alerts is not None:
            return self._alerts
        out = [(DOC_ALERT_AT, DOC_ALERT)]
        kinds = [("connectiondown", "Haven't heard from Aurora sensor recently"),
                 ("trafficdrop", "Traffic is significantly lower than expected"),
                 ("appliancedown", "Haven't heard from store appliance recently"),
                 ("videoloss", "Video signal lost"),
                 ("clockskew", "Device clock is out of sync")]
        cams_by_store = {}
        for c in self.cameras:
            cams_by_store.setdefault(c["store_uuid"], []).append(c)
        apps = {a["store_uuid"]: a for a in self.appliances}

        def fmt(t, tz, ms=True):
            lt = t.astimezone(tz)
            s = lt.strftime("%Y-%m-%dT%H:%M:%S")
            if ms:
                s += ".%03d" % (lt.microsecond // 1000)
            off = lt.strftime("%z")
            return s + off[:3] + ":" + off[3:]

        for s in STORES:
            su, sname, tz = s[0], s[1], zoneinfo.ZoneInfo(s[3])
            r = rng_for(self.sim.seed, VENDOR, "alerts", su)
            t = ALERTS_FROM + dt.timedelta(seconds=r.randrange(4 * 86400))
            opened = s[9]
            while t < ALERTS_TO:
                kind, desc = r.choice(kinds)
                created = t.replace(microsecond=r.randrange(1000) * 1000)
                ev = (created - dt.timedelta(seconds=r.randrange(60, 7200))).replace(microsecond=0)
                fix = created + dt.timedelta(seconds=r.randrange(600, 3 * 86400))
                resolved = r.random() < 0.8 and fix < ALERTS_TO
                fix = fix.replace(microsecond=r.randrange(1000) * 1000)
                sev = "resolved" if resolved else r.choice(["critical", "warning"])
                obsolete = resolved and r.random() < 0.1
                if kind == "appliancedown":
                    subj_id = apps[su]["mac_address"]
                    subj_name = "%s Appliance (%s)" % (self.abbr[su], subj_id)
                else:
                    cam = r.choice(cams_by_store[su])
                    subj_id = cam["device_id"]
                    subj_name = "%s %s (%s)" % (self.abbr[su], cam["model"], subj_id)
                    if kind == "videoloss":
                        desc = "Video signal lost on %s" % cam["device_name"]
                uid = fixture_uuid("alert", self.sim.seed, su, created.isoformat())
                skip = DOC_ALERT_AT <= created < ALERT_QUIET_END or (opened and created.date() < opened)
                if not skip:
                    out.append((created, {
                        "alert_creation_time": fmt(created, tz),
                        "description": desc,
                        "event_time": fmt(ev, tz, False),
                        "resolved": resolved,
                        "resolved_time": fmt(fix, tz) if resolved else None,
                        "severity": sev, "store_uuid": su, "store_name": sname,
                        "subject_id": subj_id, "subject_name": subj_name, "type": kind,
                        "uuid": uid, "obsolete": obsolete}))
                t += dt.timedelta(seconds=r.randrange(3 * 86400, 10 * 86400))
        out.sort(key=lambda x: (x[0], x[1]["uuid"]), reverse=True)
        self._alerts = out
        return out

    def health_alerts(self, req, parts):
        b = self.body(req, required=False)
        now = self.now()
        st = b.get("start_time")
        inst = wall = None
        if st is not None:
            inst, wall = self._z_in(st, "start_time")
        rows = []
        for t, a in self.alerts():
            if t >= now or (inst is not None and t >= inst):
                continue
            if wall is not None:        # z_reading=wall: compare the store's wall clock
                with self.lock:
                    s = self.locs.get(a["store_uuid"])
                if t.astimezone(s["tzinfo"]).replace(tzinfo=None) >= wall:
                    continue
            rows.append(a)
        return self.paged(req, rows, lambda chunk: {"result": chunk})

class _Slot:
    """One of the concurrency-limited slots (429 beyond the limit)."""

    def __init__(self, vendor, name):
        self.v = vendor
        self.name = name

    def __enter__(self):
        v = self.v
        with v.lock:
            n = v.busy.get(self.name, 0)
            if n >= v.ci("concurrency_limit"):
                raise HttpError(429, {"ok": False, "error": "too many concurrent requests: this API "
                                                            "supports %d concurrent requests per subscription"
                                      % v.ci("concurrency_limit")})
            v.busy[self.name] = n + 1
        hold = v.ci("hold_ms")
        if hold > 0:
            time.sleep(hold / 1000.0)
        return self

    def __exit__(self, *exc):
        with self.v.lock:
            self.v.busy[self.name] -= 1
        return False
