"""Tests of the RetailNext simulator (python3 -m unittest discover -s test/sim)."""

import base64
import http.client
import json
import os
import sys
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import simulator  # noqa: E402

AUTH = {"Authorization": "Basic " + base64.b64encode(b"rn-access-key:rn-secret-key").decode()}
CASPAR = "aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9"
WILLOW = "86b03ba2-a117-11ea-802c-c00010892d7a"
SANJOSE = "dace69f6-b307-11e9-819d-0000698cf233"
FIFTH = "aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9"
UNION = "2512a786-a117-11ea-874c-8000df845ed7"
GARDEN = "af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9"
COVENT = "813737be-9f9d-11ea-8372-000008adea78"
ORG = "22940210-f49b-11e6-944b-c0001cd78189"
US = "286b1000-f8b1-11e7-9337-c0009584d333"

DOC_DATAMINE = {
    "metrics": ["traffic_in", "traffic_out"],
    "date_ranges": [{"from": {"relative": {"add_weeks": -1}},
                     "to": {"relative": {"base": {"name": "now"}, "truncate_to": "week"}}}],
    "time_ranges": [{"type": "store_hours"}],
    "group_bys": [{"group": "date", "unit": "days", "value": 1}],
    "locations": [CASPAR],
    "time_zone": "America/Los_Angeles",
}


def doc_day(gregorian, month, day):
    d = {"gregorian": gregorian, "year": 2021, "month": month, "day": day}
    return {"type": "date", "from": d, "through": dict(d)}


SAN_JOSE_GROUP = {"name": "San Jose Store", "qualified_name": "San Jose Store", "type": "location",
                  "uuid": SANJOSE}


_SIM = {}


def setUpModule():
    # one simulator for the module: stopping one costs a poll interval per port
    _SIM["sim"] = simulator.Simulator(seed=1)
    _SIM["info"] = _SIM["sim"].start()


def tearDownModule():
    _SIM["sim"].stop()


class RNTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = _SIM["sim"]
        cls.info = _SIM["info"]
        cls.base = cls.info["retailnext"]["url"]

    def setUp(self):
        self.sim.reset()

    def call(self, path, body=None, method=None, headers=None, auth=True, raw=False):
        h = dict(AUTH) if auth else {}
        h.update(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, headers=h,
                                     method=method or ("POST" if body is not None else "GET"))
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                payload = r.read()
                return r.status, payload if raw else json.loads(payload or b"null"), r.headers
        except urllib.error.HTTPError as e:
            payload = e.read()
            return e.code, payload if raw else json.loads(payload or b"null"), e.headers

    def dm(self, **kw):
        body = {"locations": [FIFTH], "metrics": ["traffic_in"],
                "date_ranges": [{"from": {"gregorian": "2021-02-01T00:00:00Z"},
                                 "to": {"gregorian": "2021-02-08T00:00:00Z"}}],
                "time_ranges": [{"type": "store_hours"}],
                "group_bys": [{"group": "date", "unit": "days", "value": 1}]}
        body.update(kw)
        return self.call("/v2/datamine", body)

    def config(self, **knobs):
        st, _, _ = self.call("/_sim/config", {"retailnext": knobs}, auth=False)
        self.assertEqual(st, 200)

    def raw_conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.info["retailnext"]["port"], timeout=10)


class AuthAndRouting(RNTestCase):
    def test_basic_auth(self):
        st, body, hdrs = self.call("/v1/users", auth=False)
        self.assertEqual(st, 401)
        self.assertEqual(body["ok"], False)
        self.assertIn("error", body)
        self.assertTrue(hdrs["WWW-Authenticate"].startswith("Basic"))
        bad = {"Authorization": "Basic " + base64.b64encode(b"rn-access-key:nope").decode()}
        st, _, _ = self.call("/v1/users", auth=False, headers=bad)
        self.assertEqual(st, 401)
        st, _, _ = self.call("/v1/users", auth=False, headers={"Authorization": "Bearer rn-secret-key"})
        self.assertEqual(st, 401)
        st, _, _ = self.call("/v1/users")
        self.assertEqual(st, 206)

    def test_credentials_are_knobs_and_reset_restores_them(self):
        self.config(access_key="k2", secret_key="s2")
        st, _, _ = self.call("/v1/user_profiles")
        self.assertEqual(st, 401)
        h = {"Authorization": "Basic " + base64.b64encode(b"k2:s2").decode()}
        st, _, _ = self.call("/v1/user_profiles", auth=False, headers=h)
        self.assertEqual(st, 200)
        self.call("/_sim/reset", {}, auth=False)
        st, _, _ = self.call("/v1/user_profiles")
        self.assertEqual(st, 200)

    def test_404_405(self):
        st, body, _ = self.call("/v3/nothing")
        self.assertEqual((st, body["ok"]), (404, False))
        st, _, hdrs = self.call("/v2/location")
        self.assertEqual(st, 405)
        self.assertIn("POST", hdrs["Allow"])
        st, _, _ = self.call("/v2/location/" + CASPAR, method="DELETE")
        self.assertEqual(st, 405)
        st, body, _ = self.call("/v2/datamine", b"{not json")
        self.assertEqual(st, 400)
        self.assertFalse(body["ok"])


class Locations(RNTestCase):
    def test_doc_example_stores_with_extra_fields(self):
        st, body, _ = self.call("/v2/location", {
            "extra_fields": ["store.store_id", "store.occupancy_limit"],
            "where": {"and": [{"location_types": ["store"]}]}})
        self.assertEqual(st, 200)
        nodes = body["nodes"][0]
        self.assertEqual(nodes[:2], [
            {"store_id": "50", "occupancy_limit": 50, "location_type": "store", "area": None,
             "uuid": CASPAR, "parent_uuid": "22940210-f49b-11e6-944b-c0001cd87189",
             "name": "Caspar City Plaza", "type": "location", "archive_date": None},
            {"store_id": "101", "occupancy_limit": 15, "location_type": "store", "area": None,
             "uuid": WILLOW, "parent_uuid": "01b1ed64-f49b-11e6-9ef8-400075388ff3",
             "name": "Willow Glen", "type": "location", "archive_date": None}])
        self.assertEqual(len(nodes), 9)
        self.assertEqual({n["location_type"] for n in nodes}, {"store"})

    def test_doc_example_time_zone(self):
        st, body, _ = self.call("/v2/location", {"extra_fields": ["store.time_zone"],
                                                 "where": {"uuids": [SANJOSE]}})
        self.assertEqual(body, {"nodes": [[{
            "archive_date": None, "area": None, "location_type": "store", "name": "San Jose Store",
            "parent_uuid": "df62161a-64c8-11e6-82d4-c0008ffc38ce", "time_zone": "America/Los_Angeles",
            "type": "location", "uuid": SANJOSE}]]})

    def test_filters_and_errors(self):
        st, body, _ = self.call("/v2/location", {})
        everything = body["nodes"][0]
        self.assertEqual(len(everything), 1 + 7 + 9 + 22)
        self.assertEqual(len({n["uuid"] for n in everything}), len(everything))
        st, body, _ = self.call("/v2/location", {"where": {"or": [
            {"location_types": ["entrance"]}, {"uuids": [CASPAR]}]}})
        got = body["nodes"][0]
        self.assertEqual(len(got), 10)
        st, body, _ = self.call("/v2/location", {"where": {"and": [
            {"location_types": ["region"]}, {"uuids": [US, CASPAR]}]}})
        self.assertEqual([n["name"] for n in body["nodes"][0]], ["United States"])
        for bad in ({"where": {"location_types": ["mall"]}}, {"where": {"names": ["x"]}},
                    {"extra_fields": ["store.colour"]}, {"where": {"uuids": "x"}}):
            st, body, _ = self.call("/v2/location", bad)
            self.assertEqual(st, 400, bad)
            self.assertFalse(body["ok"])
        archived = [n for n in everything if n["archive_date"]]
        self.assertEqual([n["name"] for n in archived], ["Old Fitting Rooms"])

    def test_cap_trims(self):
        self.config(cap=5)
        st, body, _ = self.call("/v2/location", {})
        self.assertEqual(len(body["nodes"][0]), 5)
        self.config(cap_mode="error")
        st, body, _ = self.call("/v2/location", {})
        self.assertEqual(st, 400)

    def test_create_doc_example_then_reset(self):
        req = {"name": "Front Table", "parent_uuid": UNION, "location_type": "display", "area": 53.1,
               "aggregate_to_parent": True, "aggregate_to_store": False}
        st, body, _ = self.call("/v2/location/create", req)
        self.assertEqual((st, body), (200, {
            "location_type": "display", "aggregate_to_parent": True, "aggregate_to_store": False,
            "area": 53.1, "uuid": "fb2d8bf5-c19e-11e8-b05c-40008b55ebf7", "parent_uuid": UNION,
            "name": "Front Table", "type": "location", "archive_date": None}))
        st, body, _ = self.call("/v2/location/create", {"name": "Back Door", "parent_UUID": UNION,
                                                        "location_type": "entrance"})
        self.assertEqual(st, 200)
        self.assertEqual((body["aggregate_to_parent"], body["aggregate_to_store"]), (True, True))
        second = body["uuid"]
        self.assertNotEqual(second, "fb2d8bf5-c19e-11e8-b05c-40008b55ebf7")
        st, body, _ = self.call("/v2/location/create", {"name": "EMEA", "parent_uuid": ORG,
                                                        "location_type": "region"})
        self.assertEqual((st, body["location_type"]), (200, "region"))
        st, body, _ = self.call("/v2/location", {"where": {"uuids": [second]}})
        self.assertEqual(body["nodes"][0][0]["name"], "Back Door")
        # created sublocations have data too
        st, body, _ = self.dm(locations=[second], date_ranges=[
            {"from": {"gregorian": "2021-02-01"}, "to": {"gregorian": "2021-02-02"}}])
        self.assertGreater(body["metrics"][0]["data"][0]["value"], 0)
        self.sim.reset()
        st, body, _ = self.call("/v2/location", {"where": {"uuids": [second]}})
        self.assertEqual(body["nodes"][0], [])
        st, body, _ = self.call("/v2/location/create", req)
        self.assertEqual(body["uuid"], "fb2d8bf5-c19e-11e8-b05c-40008b55ebf7")

    def test_create_refusals(self):
        cases = [
            {"name": "New Store", "parent_uuid": US, "location_type": "store"},
            {"name": "X", "parent_uuid": UNION, "location_type": "kiosk"},
            {"name": "X", "parent_uuid": "no-such", "location_type": "display"},
            {"name": "X", "parent_uuid": US, "location_type": "display"},
            {"name": "X", "parent_uuid": UNION, "location_type": "region"},
            {"name": "X", "parent_uuid": US, "location_type": "region", "area": 3},
            {"parent_uuid": UNION, "location_type": "display"},
            {"name": "X", "location_type": "display"},
            {"name": "X", "parent_uuid": UNION},
            {"name": "X", "parent_uuid": UNION, "location_type": "display", "area": "big"},
        ]
        for c in cases:
            st, body, _ = self.call("/v2/location/create", c)
            self.assertEqual((st, body["ok"]), (400, False), c)
        st, body, _ = self.call("/v2/location/create", cases[0])
        self.assertIn("not supported", body["error"])

    def test_update_doc_example_and_reset(self):
        st, body, _ = self.call("/v2/location/" + WILLOW, {
            "name": "Willow Glen Updated", "parent_uuid": US, "area": 270.8, "occupancy_limit": 20},
            method="PUT")
        self.assertEqual((st, body), (200, {
            "occupancy_limit": 20, "location_type": "store", "area": 270.8, "uuid": WILLOW,
            "parent_uuid": US, "name": "Willow Glen Updated", "type": "location",
            "archive_date": None}))
        st, body, _ = self.call("/v2/location", {"extra_fields": ["store.occupancy_limit"],
                                                 "where": {"uuids": [WILLOW]}})
        self.assertEqual(body["nodes"][0][0]["occupancy_limit"], 20)
        # the bulk occupancy example's PUT shape
        st, body, _ = self.call("/v2/location/" + CASPAR, {"occupancy_limit": 40}, method="PUT")
        self.assertEqual((st, body["occupancy_limit"]), (200, 40))
        self.sim.reset()
        st, body, _ = self.call("/v2/location", {"where": {"uuids": [WILLOW]}})
        self.assertEqual(body["nodes"][0][0]["name"], "Willow Glen")

    def test_update_errors(self):
        st, body, _ = self.call("/v2/location/nope", {"name": "x"}, method="PUT")
        self.assertEqual(st, 404)
        for uuid, b in [(US, {"area": 3}), (US, {"occupancy_limit": 3}),
                        (CASPAR, {"location_type": "display"}), (US, {"parent_uuid": CASPAR}),
                        (US, {"parent_uuid": "e235aee4-cf7a-11e5-973e-8000a847d47a"}),
                        (CASPAR, {"occupancy_limit": -1}), (CASPAR, {"aggregate_to_parent": True}),
                        ("5d0e32a9-7848-11eb-9ea4-c6c92111fb8c", {"parent_uuid": US})]:
            st, body, _ = self.call("/v2/location/" + uuid, b, method="PUT")
            self.assertEqual(st, 400, (uuid, b))
        st, body, _ = self.call("/v2/location/5d0e32a9-7848-11eb-9ea4-c6c92111fb8c",
                                {"location_type": "display", "aggregate_to_store": True}, method="PUT")
        self.assertEqual((st, body["location_type"], body["aggregate_to_store"]), (200, "display", True))

    def test_v1_location_header_paging(self):
        st, body, hdrs = self.call("/v1/location", headers={"X-Page-Length": "20"})
        self.assertEqual(st, 206)
        self.assertEqual(hdrs["x-page-next"], "20")
        self.assertEqual(len(body["locations"]), 20)
        st, body2, hdrs = self.call("/v1/location", headers={"x-page-length": "20", "x-page-start": "20"})
        self.assertEqual((st, len(body2["locations"])), (200, 19))
        self.assertIsNone(hdrs.get("x-page-next"))


class StoreHours(RNTestCase):
    REQ = {"stores": [CASPAR, FIFTH], "start_date": "2021-01-15T00:00:00Z",
           "end_date": "2021-01-22T00:00:00Z"}

    def test_doc_example(self):
        # the doc's example values are the stores' local hours written with a "Z": they
        # come back under z_reading=wall
        self.config(z_reading="wall")
        st, body, _ = self.call("/v1/storehours", self.REQ)
        self.assertEqual(st, 200)
        res = body["result"]
        self.assertEqual(res[CASPAR]["2021-01-15T00:00:00Z"], {
            "store_uuid": CASPAR, "effective_day": "2021-01-15T00:00:00Z",
            "open": "2021-01-15T10:00:00Z", "close": "2021-01-15T21:00:00Z"})
        self.assertEqual(res[FIFTH]["2021-01-22T00:00:00Z"], {
            "store_uuid": FIFTH, "effective_day": "2021-01-22T00:00:00Z",
            "open": "2021-01-22T09:00:00Z", "close": "2021-01-22T21:00:00Z"})
        # start_date and end_date both included (the example answers 15th and 22nd)
        self.assertEqual((len(res[CASPAR]), len(res[FIFTH])), (8, 8))

    def test_z_is_utc(self):
        # default z_reading=utc: Caspar (Los Angeles, PST -8) opens 10-21, Fifth Avenue
        # (New York) 09-21: EST -5 in January, EDT -4 from 2021-03-14
        st, body, _ = self.call("/v1/storehours", self.REQ)
        res = body["result"]
        self.assertEqual(res[CASPAR]["2021-01-15T00:00:00Z"], {
            "store_uuid": CASPAR, "effective_day": "2021-01-15T00:00:00Z",
            "open": "2021-01-15T18:00:00Z", "close": "2021-01-16T05:00:00Z"})
        self.assertEqual(res[FIFTH]["2021-01-22T00:00:00Z"], {
            "store_uuid": FIFTH, "effective_day": "2021-01-22T00:00:00Z",
            "open": "2021-01-22T14:00:00Z", "close": "2021-01-23T02:00:00Z"})
        self.assertEqual((len(res[CASPAR]), len(res[FIFTH])), (8, 8))
        st, body, _ = self.call("/v1/storehours", {"stores": [FIFTH], "start_date": "2021-03-15",
                                                   "end_date": "2021-03-15T00:00:00Z"})
        self.assertEqual(body["result"][FIFTH], {"2021-03-15T00:00:00Z": {
            "store_uuid": FIFTH, "effective_day": "2021-03-15T00:00:00Z",
            "open": "2021-03-15T13:00:00Z", "close": "2021-03-16T01:00:00Z"}})
        # start_date/end_date label days like effective_day: other times are refused
        for v in ("2021-03-15T05:00:00Z", "2021-03-15T00:00:00-05:00", "2021-03-15T00:00:01Z", "15.03.2021"):
            st, body, _ = self.call("/v1/storehours", {"stores": [FIFTH], "start_date": v,
                                                       "end_date": "2021-03-16"})
            self.assertEqual(st, 400, v)

    def test_paging_and_midnight(self):
        req = {"stores": [UNION, SANJOSE], "start_date": "2021-01-01", "end_date": "2021-01-31"}
        seen, start, pages = {}, None, 0
        while True:
            h = {"X-Page-Length": "25"}
            if start is not None:
                h["X-PAGE-START"] = start
            st, body, hdrs = self.call("/v1/storehours", req, headers=h)
            pages += 1
            for su, days in body["result"].items():
                for k, v in days.items():
                    self.assertNotIn((su, k), seen)
                    seen[(su, k)] = v
            if st == 200:
                self.assertIsNone(hdrs.get("x-page-next"))
                break
            self.assertEqual(st, 206)
            start = hdrs["X-Page-Next"]
        # Union Square every day; San Jose closed on Sundays (5 in Jan 2021)
        self.assertEqual(len(seen), 31 + 26)
        self.assertEqual(pages, 3)
        # Friday 10:00-02:00 in New York (EST) is 15:00Z-07:00Z
        fri = seen[(UNION, "2021-01-15T00:00:00Z")]
        self.assertEqual((fri["open"], fri["close"]), ("2021-01-15T15:00:00Z", "2021-01-16T07:00:00Z"))
        self.config(z_reading="wall")
        st, body, _ = self.call("/v1/storehours", dict(req, stores=[UNION]))
        fri = body["result"][UNION]["2021-01-15T00:00:00Z"]
        self.assertEqual((fri["open"], fri["close"]), ("2021-01-15T10:00:00Z", "2021-01-16T02:00:00Z"))

    def test_errors(self):
        for b in ({"stores": [CASPAR], "start_date": "2021-01-01"},
                  {"stores": ["nope"], "start_date": "2021-01-01", "end_date": "2021-01-02"},
                  {"stores": [US], "start_date": "2021-01-01", "end_date": "2021-01-02"},
                  {"stores": [CASPAR], "start_date": "yesterday", "end_date": "2021-01-02"},
                  {"stores": [CASPAR], "start_date": "2021-01-05", "end_date": "2021-01-02"}):
            st, body, _ = self.call("/v1/storehours", b)
            self.assertEqual((st, body["ok"]), (400, False), b)
        st, _, _ = self.call("/v1/storehours", self.REQ, headers={"X-Page-Length": "zero"})
        self.assertEqual(st, 400)


class Datamine(RNTestCase):
    def test_doc_example_last_week(self):
        st, body, _ = self.call("/v2/datamine", DOC_DATAMINE)
        self.assertEqual(st, 200)
        self.assertIs(body["ok"], True)
        self.assertEqual([m["name"] for m in body["metrics"]], ["traffic_in", "traffic_out"])
        self.assertEqual(body["metrics"][0]["data"][0], {
            "value": 173, "validity": "complete", "group": doc_day("2021-02-21", 1, 22), "index": 0})
        self.assertEqual(body["metrics"][1]["data"][0], {
            "value": 174, "validity": "complete", "group": doc_day("2021-02-21", 1, 22), "index": 0})
        self.assertEqual([d["index"] for d in body["metrics"][0]["data"]], list(range(7)))
        self.assertEqual(body["metrics"][0]["data"][-1]["group"]["from"]["gregorian"], "2021-02-27")

    def test_doc_example_current_occupancy(self):
        st, body, _ = self.call("/v2/datamine", {
            "date_ranges": [{"from": {"name": "today"}, "to": {"relative": {"add_days": 1}}}],
            "group_bys": [{"group": "location", "unit": "", "value": 0}], "locations": [SANJOSE],
            "metrics": ["traffic_in", "traffic_out", "total_occupancy"],
            "time_ranges": [{"type": "store_hours"}], "time_zone": "America/Los_Angeles"})
        self.assertEqual(body, {"ok": True, "metrics": [
            {"name": n, "ok": True, "data": [{"value": v, "validity": "complete",
                                              "group": SAN_JOSE_GROUP, "index": 0}]}
            for n, v in (("traffic_in", 5), ("traffic_out", 4), ("total_occupancy", 1))]})

    def local_request(self, **kw):
        b = {"date_ranges": [{"from": {"name": "today"}, "to": {"name": "now"}}],
             "group_bys": [{"group": "location", "unit": "", "value": 0}], "locations": [SANJOSE],
             "metrics": ["total_occupancy", "occupancy_limit"],
             "time_ranges": [{"type": "store_hours"}], "time_zone": "local"}
        b.update(kw)
        return self.call("/v2/datamine", b)

    def test_doc_example_local_and_adjust(self):
        st, body, _ = self.local_request()
        self.assertEqual(body, {"ok": True, "metrics": [
            {"name": "total_occupancy", "ok": True, "data": [
                {"group": SAN_JOSE_GROUP, "index": 0, "validity": "complete", "value": 179}]},
            {"name": "occupancy_limit", "ok": True, "data": [
                {"group": SAN_JOSE_GROUP, "index": 0, "validity": "complete", "value": 300}]}]})
        st, body, _ = self.call("/v1/occupancy/adjust", {"store_uuid": SANJOSE, "adjustment_count": -9})
        self.assertEqual((st, body), (200, {"ok": True}))
        st, body, _ = self.local_request()
        self.assertEqual(body["metrics"][0]["data"][0]["value"], 170)
        for bad in ({"metrics": ["traffic_in"]}, {"group_bys": [{"group": "date", "unit": "days", "value": 1}]},
                    {"date_ranges": [{"from": {"name": "yesterday"}, "to": {"name": "now"}}]}):
            st, body, _ = self.local_request(**bad)
            self.assertEqual(st, 400, bad)

    def test_occupancy_adjust_doc_example_and_errors(self):
        st, body, _ = self.call("/v1/occupancy/adjust", {
            "store_uuid": COVENT, "adjustment_time": "2021-03-16T12:00:00+00:00", "adjustment_count": 5})
        self.assertEqual((st, body), (200, {"ok": True}))
        for b in ({"store_uuid": COVENT, "adjustment_count": 0},
                  {"store_uuid": COVENT, "adjustment_count": 1, "adjustment_date": "2021-03-16T23:30:00Z"},
                  {"store_uuid": GARDEN, "adjustment_count": 1, "adjustment_date": "2021-03-16T12:00:00Z"},
                  {"store_uuid": US, "adjustment_count": 1},
                  {"adjustment_count": 1}):
            st, body, _ = self.call("/v1/occupancy/adjust", b)
            self.assertEqual((st, body["ok"]), (400, False), b)

    def test_hours_sum_to_days_and_prefixes(self):
        # Union Square: Friday/Saturday open until 02:00 -> "+" timestamps
        rng = [{"from": {"gregorian": "2021-01-15"}, "to": {"gregorian": "2021-01-17"}}]
        _, days, _ = self.dm(locations=[UNION], date_ranges=rng, metrics=["traffic_in", "net_sales"])
        _, hours, _ = self.dm(locations=[UNION], date_ranges=rng, metrics=["traffic_in", "net_sales"],
                              group_bys=[{"group": "date", "unit": "days", "value": 1},
                                         {"group": "time", "unit": "hours", "value": 1}])
        for m in range(2):
            for d, h in zip(days["metrics"][m]["data"], hours["metrics"][m]["data"]):
                self.assertEqual(d["group"], h["group"])
                self.assertAlmostEqual(d["value"], sum(x["value"] for x in h["data"]), places=2)
        labels = [x["group"]["from"] for x in hours["metrics"][0]["data"][0]["data"]]
        self.assertEqual(labels[0], "10:00")
        self.assertEqual(labels[-2:], ["+00:00", "+01:00"])
        self.assertEqual(hours["metrics"][0]["data"][0]["data"][-1]["group"],
                         {"type": "time", "from": "+01:00", "until": "+02:00"})
        # Fifth Avenue opens 22:00 the evening before Black Friday -> "-" timestamps
        _, bf, _ = self.dm(date_ranges=[{"from": {"gregorian": "2020-11-27"}, "to": {"gregorian": "2020-11-28"}}],
                           group_bys=[{"group": "time", "unit": "hours", "value": 1}])
        self.assertEqual([x["group"]["from"] for x in bf["metrics"][0]["data"]][:3], ["-22:00", "-23:00", "00:00"])

    def test_all_day_vs_store_hours_and_regions(self):
        rng = [{"from": {"gregorian": "2021-02-01"}, "to": {"gregorian": "2021-02-03"}}]
        gb = [{"group": "location", "unit": "", "value": 1}, {"group": "date", "unit": "days", "value": 1}]
        _, sh, _ = self.dm(locations=[US, FIFTH, CASPAR], date_ranges=rng, group_bys=gb)
        _, ad, _ = self.dm(locations=[US, FIFTH, CASPAR], date_ranges=rng, group_bys=gb,
                           time_ranges=[{"from": "00:00", "until": "24:00"}])
        v = lambda b, li, di: b["metrics"][0]["data"][li]["data"][di]["value"]  # noqa: E731
        for li in range(3):
            for di in range(2):
                self.assertGreaterEqual(v(ad, li, di), v(sh, li, di))
        # the United States region is the sum of its seven stores
        _, stores, _ = self.call("/v2/location", {"where": {"location_types": ["store"]},
                                                  "extra_fields": ["store.time_zone"]})
        us_stores = [n["uuid"] for n in stores["nodes"][0] if n["time_zone"].startswith("America/")]
        _, each, _ = self.dm(locations=us_stores, date_ranges=rng, group_bys=gb)
        for di in range(2):
            self.assertEqual(v(sh, 0, di), sum(l["data"][di]["value"] for l in each["metrics"][0]["data"]))
        self.assertEqual(sh["metrics"][0]["data"][0]["group"]["name"], "United States")
        # a time window inside the day
        _, lunch, _ = self.dm(locations=[CASPAR], date_ranges=rng, group_bys=gb,
                              time_ranges=[{"from": "12:00", "until": "14:00"}])
        self.assertLess(v(lunch, 0, 0), v(sh, 2, 0))

    def test_grains_calendar_and_day_of_week(self):
        rng = [{"from": {"gregorian": "2020-02-02"}, "to": {"gregorian": "2021-01-31"}}]
        out = {}
        for unit in ("days", "weeks", "months", "years"):
            st, body, _ = self.dm(date_ranges=rng, group_bys=[{"group": "date", "unit": unit, "value": 1}])
            self.assertEqual(st, 200)
            out[unit] = body["metrics"][0]["data"]
        self.assertEqual(len(out["weeks"]), 52)
        self.assertEqual(len(out["months"]), 12)          # NRF 4-5-4 fiscal 2020
        self.assertEqual(out["months"][1]["group"]["from"]["gregorian"], "2020-03-01")
        self.assertEqual(out["months"][1]["group"]["through"]["gregorian"], "2020-04-04")
        self.assertEqual(len(out["years"]), 1)
        total = sum(d["value"] for d in out["days"])
        for unit in ("weeks", "months", "years"):
            self.assertEqual(sum(d["value"] for d in out[unit]), total, unit)
        st, body, _ = self.dm(date_ranges=rng, group_bys=[{"group": "day_of_week", "unit": ""}])
        self.assertEqual([d["group"]["name"] for d in body["metrics"][0]["data"]][:2], ["sunday", "monday"])
        self.assertEqual(sum(d["value"] for d in body["metrics"][0]["data"]), total)
        st, body, _ = self.dm(date_ranges=[{"from": {"gregorian": "2021-02-01"}, "to": {"gregorian": "2021-02-02"}}],
                              group_bys=[{"group": "time", "unit": "minutes", "value": 15}])
        self.assertEqual(body["metrics"][0]["data"][0]["group"], {"type": "time", "from": "09:00", "until": "09:15"})
        self.assertEqual(len(body["metrics"][0]["data"]), 48)

    def test_absolute_and_relative_dates(self):
        st, body, _ = self.dm(date_ranges=[{"from": {"absolute": {"year": 2021, "week": 2, "day": 4}},
                                            "to": {"absolute": {"year": 2021, "week": 3}}}])
        self.assertEqual([d["group"]["from"]["gregorian"] for d in body["metrics"][0]["data"]],
                         ["2021-02-10", "2021-02-11", "2021-02-12", "2021-02-13"])
        self.config(calendar="gregorian", week_start="saturday")
        st, body, _ = self.dm(date_ranges=[{"from": {"absolute": {"year": 2021, "week": 5, "day": 1}},
                                            "to": {"relative": {"add_days": 1}}}])
        self.assertEqual(body["metrics"][0]["data"][0]["group"]["from"],
                         {"gregorian": "2021-01-30", "year": 2021, "month": 1, "day": 30})
        st, body, _ = self.dm(date_ranges=[{"from": {"relative": {"base": {"gregorian": "2021-01-31T00:00:00Z"}}},
                                            "to": {"relative": {"add_months": 1}}}],
                              group_bys=[{"group": "date", "unit": "months", "value": 1}])
        self.assertEqual(body["metrics"][0]["data"][0]["group"]["through"]["gregorian"], "2021-01-31")
        self.assertEqual(body["metrics"][0]["data"][-1]["group"]["from"]["gregorian"], "2021-02-01")

    def test_limits_and_validation(self):
        st, body, _ = self.dm(date_ranges=[{"from": {"gregorian": "2016-03-01"}, "to": {"gregorian": "2021-03-01"}}])
        self.assertEqual(st, 200)
        st, body, _ = self.dm(date_ranges=[{"from": {"gregorian": "2016-03-01"}, "to": {"gregorian": "2021-03-02"}}])
        self.assertEqual((st, body["ok"]), (400, False))
        st, body, _ = self.dm(locations=[FIFTH, CASPAR],
                              date_ranges=[{"from": {"gregorian": "2019-03-01"}, "to": {"gregorian": "2021-03-02"}}])
        self.assertEqual(st, 400)
        self.assertIn("2 years", body["error"])
        bad = [{"metrics": []}, {"locations": "x"}, {"time_zone": "Mars/Base"},
               {"group_bys": [{"group": "hour"}]},
               {"group_bys": [{"group": "time", "unit": "minutes", "value": 10}]},
               {"group_bys": [{"group": "location", "unit": "days"}]},
               {"group_bys": [{"group": "date", "unit": "days", "value": 0}]},
               {"time_ranges": [{"from": "10:00", "until": "09:00"}]},
               {"time_ranges": [{"type": "store_hours"}, {"from": "10:00", "until": "11:00"}]},
               {"date_ranges": [{"from": {"relative": {"add_days": 1}}, "to": {"relative": {"add_days": 2}}}]},
               {"date_ranges": [{"from": {"gregorian": "2021-02-03"}, "to": {"gregorian": "2021-02-01"}}]},
               {"date_ranges": [{"from": {"gregorian": "2021-02-03+02:00"}, "to": {"gregorian": "2021-02-05"}}]},
               {"date_ranges": [{"from": {"absolute": {"month": 2}}, "to": {"name": "now"}}]}]
        for b in bad:
            st, body, _ = self.dm(**b)
            self.assertEqual((st, body["ok"]), (400, False), b)
        for k in ("locations", "metrics", "date_ranges", "time_ranges", "group_bys"):
            b = dict(DOC_DATAMINE)
            b.pop(k)
            st, body, _ = self.call("/v2/datamine", b)
            self.assertEqual(st, 400, k)

    def test_per_metric_errors(self):
        st, body, _ = self.dm(metrics=["traffic_in", "no_such_metric"])
        self.assertEqual(st, 200)
        self.assertIs(body["ok"], False)
        self.assertTrue(body["metrics"][0]["ok"])
        self.assertEqual(body["metrics"][1]["ok"], False)
        self.assertIn("error", body["metrics"][1])
        st, body, _ = self.dm(locations=[FIFTH, "00000000-0000-0000-0000-000000000000"])
        self.assertEqual((st, body["ok"], body["metrics"][0]["ok"]), (200, False, False))
        self.config(token_location_profile="9e701012-4c76-11e7-853d-c0001c66456e")   # New York only
        st, body, _ = self.dm(locations=[FIFTH])
        self.assertTrue(body["ok"])
        st, body, _ = self.dm(locations=[CASPAR])
        self.assertFalse(body["metrics"][0]["ok"])

    def test_cap_counts_periods_locations_metrics(self):
        # entries = leaves over the whole response: 7 days x 3 stores x 2 metrics = 42
        # (each store is open every day of 2021-02-01..07)
        gb = [{"group": "location", "unit": ""}, {"group": "date", "unit": "days", "value": 1}]
        args = dict(locations=[FIFTH, CASPAR, UNION], metrics=["traffic_in", "traffic_out"], group_bys=gb,
                    time_zone="America/New_York",
                    date_ranges=[{"from": {"gregorian": "2021-02-01"}, "to": {"gregorian": "2021-02-08"}}])
        self.config(cap=42, cap_mode="error")
        st, body, _ = self.dm(**args)
        self.assertEqual(st, 200)
        self.assertEqual(sum(len(l["data"]) for m in body["metrics"] for l in m["data"]), 42)
        self.config(cap=41)
        st, body, _ = self.dm(**args)
        self.assertEqual((st, body["ok"]), (400, False))
        # the group order does not change the count
        st, body, _ = self.dm(**dict(args, group_bys=gb[::-1]))
        self.assertEqual(st, 400)
        self.config(cap=42)
        st, body, _ = self.dm(**dict(args, group_bys=gb[::-1]))
        self.assertEqual(sum(len(d["data"]) for m in body["metrics"] for d in m["data"]), 42)

    def test_cap_trim_and_error(self):
        self.config(cap=20)
        gb = [{"group": "location", "unit": ""}, {"group": "date", "unit": "days", "value": 1}]
        st, body, _ = self.dm(locations=[FIFTH, CASPAR, UNION], metrics=["traffic_in", "traffic_out"], group_bys=gb)
        self.assertEqual(st, 200)
        leaves = sum(len(l["data"]) for m in body["metrics"] for l in m["data"])
        self.assertEqual(leaves, 20)
        self.assertEqual(body["metrics"][1]["data"], [])
        self.config(cap_mode="error")
        st, body, _ = self.dm(locations=[FIFTH, CASPAR, UNION], metrics=["traffic_in", "traffic_out"], group_bys=gb)
        self.assertEqual(st, 400)

    def test_metrics_validity_and_future(self):
        names = ["traffic_in", "traffic_out", "total_occupancy", "occupancy_limit", "conversion_rate",
                 "net_sales", "sales_transactions_count", "avg_transaction_value", "dwell_count",
                 "avg_dwell_duration", "staff_count", "labor_hours", "passby_capture_rate",
                 "individual_traffic_in", "group_traffic_in"]
        st, body, _ = self.dm(metrics=names, date_ranges=[
            {"from": {"gregorian": "2021-03-01"}, "to": {"gregorian": "2021-03-10"}}])
        self.assertTrue(body["ok"])
        by = {m["name"]: m["data"] for m in body["metrics"]}
        # data stops at the simulator's now (2021-03-03T18:15Z); New York is open from 09:00
        self.assertEqual([d["group"]["from"]["gregorian"] for d in by["traffic_in"]],
                         ["2021-03-01", "2021-03-02", "2021-03-03"])
        self.assertIn("validity", by["traffic_in"][0])
        self.assertNotIn("validity", by["net_sales"][0])
        self.assertEqual(by["occupancy_limit"][0]["value"], 250)
        d0 = lambda n: by[n][0]["value"]  # noqa: E731
        self.assertEqual(d0("total_occupancy"), d0("traffic_in") - d0("traffic_out"))
        self.assertAlmostEqual(d0("conversion_rate"),
                               round(100.0 * d0("sales_transactions_count") / d0("traffic_in"), 2))
        # Monday 09:00-21:00: 12 open hours of staff_count people on average
        self.assertLessEqual(abs(d0("labor_hours") - d0("staff_count") * 12), 0.61)
        self.assertIsInstance(d0("net_sales"), float)
        st, body, _ = self.dm(locations=[FIFTH, CASPAR, UNION, GARDEN, SANJOSE],
                              date_ranges=[{"from": {"gregorian": "2019-01-01"}, "to": {"gregorian": "2021-01-01"}}])
        vals = {d["validity"] for d in body["metrics"][0]["data"]}
        self.assertEqual(vals, {"complete", "incomplete", "imputed"})

    def test_other_time_zone_and_determinism(self):
        rng = [{"from": {"gregorian": "2021-02-05"}, "to": {"gregorian": "2021-02-06"}}]
        gb = [{"group": "time", "unit": "hours", "value": 1}]
        _, ny, _ = self.dm(date_ranges=rng, group_bys=gb)
        _, ldn, _ = self.dm(date_ranges=rng, group_bys=gb, time_zone="Europe/London")
        self.assertEqual(ny["metrics"][0]["data"][0]["group"]["from"], "09:00")
        self.assertEqual(ldn["metrics"][0]["data"][0]["group"]["from"], "14:00")
        self.assertEqual(ldn["metrics"][0]["data"][-1]["group"]["from"], "+01:00")
        self.assertEqual(sum(d["value"] for d in ny["metrics"][0]["data"]),
                         sum(d["value"] for d in ldn["metrics"][0]["data"]))
        body = dict(DOC_DATAMINE, locations=[CASPAR, UNION], group_bys=[
            {"group": "location", "unit": ""}, {"group": "time", "unit": "minutes", "value": 15}])
        _, a, _ = self.call("/v2/datamine", body, raw=True)
        for seed, same in ((1, True), (2, False)):
            other = simulator.Simulator(seed=seed)      # not started: call the vendor directly
            resp = other.vendors["retailnext"].handle(simulator.base.Request(
                "retailnext", "POST", "/v2/datamine", "", AUTH, json.dumps(body).encode(), "h"))
            self.assertEqual(json.dumps(resp.body).encode() == a, same, seed)


def _hours(day_node):
    return [x["group"]["from"] for x in day_node["data"]]


def _labels(data):
    return [(d["group"]["from"]["gregorian"], d["group"]["through"]["gregorian"]) for d in data]


class DocDateRanges(RNTestCase):
    """Datamine date_ranges as the document reads: "Z" implies UTC."""
    LA = "America/Los_Angeles"
    ALL_DAY = [{"from": "00:00", "until": "24:00"}]
    DAY_HOUR = [{"group": "date", "unit": "days", "value": 1}, {"group": "time", "unit": "hours", "value": 1}]

    @staticmethod
    def rng(a, b):
        return [{"from": {"gregorian": a}, "to": {"gregorian": b}}]

    def hourly(self, a, b, **kw):
        args = dict(locations=[CASPAR], time_zone=self.LA, time_ranges=self.ALL_DAY,
                    group_bys=self.DAY_HOUR, date_ranges=self.rng(a, b))
        args.update(kw)
        st, body, _ = self.dm(**args)
        self.assertEqual(st, 200, body)
        return body["metrics"][0]["data"]

    def test_gregorian_z_is_an_utc_instant(self):
        # 2021-02-27T00:00:00Z is 2021-02-26 16:00 in Los Angeles (PST, UTC-8)
        data = self.hourly("2021-02-27T00:00:00Z", "2021-02-28T00:00:00Z")
        self.assertEqual([d["group"]["from"]["gregorian"] for d in data], ["2021-02-26", "2021-02-27"])
        self.assertEqual(_hours(data[0]), ["%02d:00" % h for h in range(16, 24)])
        self.assertEqual(_hours(data[1]), ["%02d:00" % h for h in range(0, 16)])
        # the same 24 hours from the two local days read by dates
        local = self.hourly("2021-02-26", "2021-02-28")
        want = sum(x["value"] for x in local[0]["data"] if x["group"]["from"] >= "16:00") + \
            sum(x["value"] for x in local[1]["data"] if x["group"]["from"] < "16:00")
        self.assertEqual(sum(x["value"] for d in data for x in d["data"]), want)
        # an explicit offset names the same instants
        self.assertEqual(self.hourly("2021-02-27T05:30:00+05:30", "2021-02-27T19:00:00-05:00"), data)
        # fractional seconds and a missing seconds field are accepted
        self.assertEqual(self.hourly("2021-02-27T00:00:00.000Z", "2021-02-28T00:00Z"), data)
        # date-only stays local midnight, a value without designator local wall clock
        day = self.hourly("2021-02-27", "2021-02-28")
        self.assertEqual(len(day), 1)
        self.assertEqual(_hours(day[0]), ["%02d:00" % h for h in range(24)])
        self.assertEqual(self.hourly("2021-02-27T00:00:00", "2021-02-28T00:00:00"), day)
        for bad in ("2021-02-27T00:00:00+25:00", "2021-02-27Z", "2021-02-27T24:00:00Z", "27/02/2021"):
            st, body, _ = self.dm(time_zone=self.LA, date_ranges=self.rng(bad, "2021-03-01"))
            self.assertEqual((st, body["ok"]), (400, False), bad)

    def test_gregorian_z_relative_base_and_london(self):
        # the doc's relative example: base 2021-02-27T00:00:00Z (26th 16:00 in LA) plus 5 days
        st, body, _ = self.dm(locations=[CASPAR], time_zone=self.LA, time_ranges=self.ALL_DAY,
                              date_ranges=[{"from": {"relative": {"base": {"gregorian": "2021-02-27T00:00:00Z"}}},
                                            "to": {"relative": {"add_days": 5}}}],
                              group_bys=self.DAY_HOUR)
        data = body["metrics"][0]["data"]
        self.assertEqual((data[0]["group"]["from"]["gregorian"], _hours(data[0])[0]), ("2021-02-26", "16:00"))
        # (cut at the simulator's now, 2021-03-03T18:15Z = 10:15 in LA: the 10:00 hour holds one slot)
        self.assertEqual((data[-1]["group"]["from"]["gregorian"], _hours(data[-1])[-1]), ("2021-03-03", "10:00"))
        # in London (GMT in February) Z is local time: Z and date-only agree
        a = self.hourly("2021-02-27T00:00:00Z", "2021-02-28T00:00:00Z", locations=[GARDEN], time_zone="Europe/London")
        b = self.hourly("2021-02-27", "2021-02-28", locations=[GARDEN], time_zone="Europe/London")
        self.assertEqual(a, b)

    def test_gregorian_z_wall_knob(self):
        self.config(gregorian_z="wall")
        data = self.hourly("2021-02-27T00:00:00Z", "2021-02-28T00:00:00Z")
        self.assertEqual(data, self.hourly("2021-02-27", "2021-02-28"))
        self.assertEqual(_hours(data[0])[0], "00:00")
        st, body, _ = self.dm(time_zone=self.LA, date_ranges=self.rng("2021-02-27T00:00:00+01:00", "2021-02-28"))
        self.assertEqual((st, body["ok"]), (400, False))

    def test_gregorian_z_without_time_zone_is_per_store(self):
        # 2021-02-27T00:00Z..2021-02-28T00:00Z is Fri 16:00..Sat 16:00 in LA, Fri 19:00..Sat 19:00
        # in New York; Caspar is open Fri/Sat 10-21, Fifth Avenue 9-21
        st, body, _ = self.dm(locations=[CASPAR, FIFTH],
                              date_ranges=self.rng("2021-02-27T00:00:00Z", "2021-02-28T00:00:00Z"),
                              group_bys=[{"group": "location", "unit": ""}] + self.DAY_HOUR)
        self.assertEqual(st, 200)
        caspar, fifth = body["metrics"][0]["data"]
        self.assertEqual([d["group"]["from"]["gregorian"] for d in caspar["data"]], ["2021-02-26", "2021-02-27"])
        self.assertEqual(_hours(caspar["data"][0]), ["16:00", "17:00", "18:00", "19:00", "20:00"])
        self.assertEqual(_hours(caspar["data"][1]), ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00"])
        self.assertEqual(_hours(fifth["data"][0]), ["19:00", "20:00"])
        self.assertEqual(_hours(fifth["data"][1]), ["%02d:00" % h for h in range(9, 19)])
        # name dates still need a time zone
        st, body, _ = self.dm(date_ranges=[{"from": {"name": "today"}, "to": {"name": "now"}}])
        self.assertEqual(st, 400)

    def test_range_to_exclusive_default_and_inclusive_knob(self):
        # the doc's "last week" ends at the truncated week start, Sunday 2021-02-28: 21..27 only
        st, body, _ = self.call("/v2/datamine", DOC_DATAMINE)
        days = [d["group"]["from"]["gregorian"] for d in body["metrics"][0]["data"]]
        self.assertEqual((days[0], days[-1], len(days)), ("2021-02-21", "2021-02-27", 7))
        st, body, _ = self.dm(time_zone=self.LA, date_ranges=self.rng("2021-02-27", "2021-02-27"))
        self.assertEqual(st, 400)
        q15 = [{"group": "time", "unit": "minutes", "value": 15}]
        excl = self.hourly("2021-02-27T10:00:00", "2021-02-27T12:00:00", group_bys=q15)
        self.assertEqual((excl[0]["group"]["from"], excl[-1]["group"]["from"], len(excl)), ("10:00", "11:45", 8))
        self.config(range_to="inclusive")
        st, body, _ = self.call("/v2/datamine", DOC_DATAMINE)
        days = [d["group"]["from"]["gregorian"] for d in body["metrics"][0]["data"]]
        self.assertEqual((days[0], days[-1], len(days)), ("2021-02-21", "2021-02-28", 8))
        # a date-only "to" holds its whole day; from == to is one day
        one = self.hourly("2021-02-27", "2021-02-27")
        self.assertEqual([d["group"]["from"]["gregorian"] for d in one], ["2021-02-27"])
        self.assertEqual(len(one[0]["data"]), 24)
        # a "Z" midnight holds its whole UTC day: LA 26th 16:00 .. 27th 15:45
        z = self.hourly("2021-02-27T00:00:00Z", "2021-02-27T00:00:00Z")
        self.assertEqual((_hours(z[0])[0], _hours(z[-1])[-1], len(z[0]["data"]) + len(z[-1]["data"])),
                         ("16:00", "15:00", 24))
        # any other "to" holds the slot starting at that instant
        incl = self.hourly("2021-02-27T10:00:00", "2021-02-27T12:00:00", group_bys=q15)
        self.assertEqual((incl[-1]["group"]["from"], len(incl)), ("12:00", 9))
        incl = self.hourly("2021-02-27T18:00:00Z", "2021-02-27T20:00:00Z", group_bys=q15)
        self.assertEqual((incl[0]["group"]["from"], incl[-1]["group"]["from"]), ("10:00", "12:00"))
        st, body, _ = self.dm(time_zone=self.LA, date_ranges=self.rng("2021-02-27", "2021-02-26"))
        self.assertEqual(st, 400)

    def test_edge_labels_whole_and_clipped(self):
        weeks = [{"group": "date", "unit": "weeks", "value": 1}]
        days = [{"group": "date", "unit": "days", "value": 1}]
        rng = self.rng("2021-02-24", "2021-03-03")       # Wednesday to Wednesday, [from, to)
        _, whole, _ = self.dm(locations=[CASPAR], time_zone=self.LA, date_ranges=rng, group_bys=weeks)
        _, per_day, _ = self.dm(locations=[CASPAR], time_zone=self.LA, date_ranges=rng, group_bys=days)
        w, d = whole["metrics"][0]["data"], per_day["metrics"][0]["data"]
        # NRF weeks start on Sunday: 2021-02-21..27 and 2021-02-28..03-06 named whole
        self.assertEqual(_labels(w), [("2021-02-21", "2021-02-27"), ("2021-02-28", "2021-03-06")])
        self.assertEqual(len(d), 7)
        self.assertEqual(w[0]["value"], sum(x["value"] for x in d[:4]))     # only 24..27 summed
        self.assertEqual(w[1]["value"], sum(x["value"] for x in d[4:]))
        self.config(edge_labels="clipped")
        _, clip, _ = self.dm(locations=[CASPAR], time_zone=self.LA, date_ranges=rng, group_bys=weeks)
        c = clip["metrics"][0]["data"]
        self.assertEqual(_labels(c), [("2021-02-24", "2021-02-27"), ("2021-02-28", "2021-03-02")])
        self.assertEqual([x["value"] for x in c], [x["value"] for x in w])
        self.assertEqual(c[0]["group"]["from"], {"gregorian": "2021-02-24", "year": 2021, "month": 1, "day": 25})
        # a bucket inside the range keeps its whole label; months of NRF 2020 cut by the range
        _, m, _ = self.dm(locations=[CASPAR], time_zone=self.LA, date_ranges=self.rng("2020-02-10", "2020-04-10"),
                          group_bys=[{"group": "date", "unit": "months", "value": 1}])
        self.assertEqual(_labels(m["metrics"][0]["data"]),
                         [("2020-02-10", "2020-02-29"), ("2020-03-01", "2020-04-04"), ("2020-04-05", "2020-04-09")])

    def test_slot_values_do_not_depend_on_the_request(self):
        weeks = [{"group": "date", "unit": "weeks", "value": 1}]
        q15 = [{"group": "time", "unit": "minutes", "value": 15}]
        week = lambda a, b, tz=self.LA: self.dm(locations=[CASPAR], time_zone=tz,  # noqa: E731
                                                date_ranges=self.rng(a, b), group_bys=weeks)[1]["metrics"][0]["data"]
        exact = week("2021-02-21", "2021-02-28")
        self.assertEqual(_labels(exact), [("2021-02-21", "2021-02-27")])
        longer = week("2021-02-07", "2021-03-01")
        self.assertEqual([x for x in longer if x["group"] == exact[0]["group"]][0]["value"], exact[0]["value"])
        # the same week as instants: 2021-02-21T08:00Z..2021-02-28T08:00Z is the LA week
        self.assertEqual(week("2021-02-21T08:00:00Z", "2021-02-28T08:00:00Z"), exact)
        # and as 15-minute slots fetched in two pieces
        total = 0
        for a, b in (("2021-02-21", "2021-02-24T13:15:00"), ("2021-02-24T13:15:00", "2021-02-28")):
            got = self.hourly(a, b, time_ranges=[{"type": "store_hours"}],
                              group_bys=[{"group": "date", "unit": "days", "value": 1}] + q15)
            total += sum(x["value"] for d in got for x in d["data"])
        self.assertEqual(total, exact[0]["value"])


class Users(RNTestCase):
    def test_list_paging_and_doc_example(self):
        st, body, hdrs = self.call("/v1/users")
        self.assertEqual(st, 206)
        self.assertEqual(hdrs["x-page-next"], "100")
        self.assertEqual(body["users"][0], {
            "type": "local", "name": "RetailNext_User", "email": "retailnextuser@domain.com",
            "id": "2abe8330-5e0f-11ea-8522-c0009d2f3ea6", "disabled": False,
            "user_profile_id": "f76545a0-5e0e-11ea-8d71-c0003468dbae",
            "location_profile_id": "fb1fcd84-7b9c-11e7-937e-4000eba63dc2",
            "last_sign_in_at": "2020-03-04T12:00:28.742Z", "current_sign_in_at": "2020-03-04T12:01:06.2Z",
            "invitation_accepted": True, "invitation_locale": "en_US"})
        st, rest, hdrs = self.call("/v1/users", headers={"X-Page-Start": "100", "X-Page-Length": "1000"})
        self.assertEqual((st, len(rest["users"])), (200, 22))
        ids = [u["id"] for u in body["users"] + rest["users"]]
        self.assertEqual(len(set(ids)), 122)

    def test_filters(self):
        st, body, _ = self.call("/v1/users?type=SSO")
        self.assertEqual(st, 200)
        self.assertEqual({u["type"] for u in body["users"]}, {"sso"})
        self.assertEqual(len(body["users"]), 40)
        st, body, _ = self.call("/v1/users?email=storemanager0@domain.com")
        self.assertEqual([u["name"] for u in body["users"]], ["Store Manager 0"])
        st, _, _ = self.call("/v1/users?type=robot")
        self.assertEqual(st, 400)

    def test_create_doc_example(self):
        req = {"user": {"email": "sandra.bloch@domain.com", "type": "sso", "name": "Sandra Bloch",
                        "disabled": False, "user_profile_id": "8b26a6c0-5027-11eb-8039-8000f92819c5",
                        "location_profile_id": "9e701012-4c76-11e7-853d-c0001c66456e"}}
        st, body, _ = self.call("/v1/users", req)
        self.assertEqual((st, body), (200, {"user": {
            "type": "sso", "name": "Sandra Bloch", "email": "sandra.bloch@domain.com",
            "id": "dc2e3c2e-5029-11eb-8b74-40002f864577", "disabled": False,
            "user_profile_id": "8b26a6c0-5027-11eb-8039-8000f92819c5",
            "location_profile_id": "9e701012-4c76-11e7-853d-c0001c66456e"}}))
        st, body, _ = self.call("/v1/users?email=sandra.bloch@domain.com")
        self.assertEqual(len(body["users"]), 1)
        st, body, _ = self.call("/v1/users", req)
        self.assertEqual(st, 400)
        for u in ({"email": "a@b.c", "type": "local", "user_profile_id": "8b26a6c0-5027-11eb-8039-8000f92819c5",
                   "location_profile_id": "9e701012-4c76-11e7-853d-c0001c66456e"},
                  {"email": "a@b.c", "type": "sso"},
                  {"email": "not-an-email", "type": "sso"},
                  {"email": "a@b.c", "type": "sso", "user_profile_id": "nope",
                   "location_profile_id": "9e701012-4c76-11e7-853d-c0001c66456e"}):
            st, body, _ = self.call("/v1/users", {"user": u})
            self.assertEqual((st, body["ok"]), (400, False), u)
        self.config(sso_permissions="saml")
        st, body, _ = self.call("/v1/users", {"user": {"email": "x@y.z", "type": "sso"}})
        self.assertEqual((st, body["user"]["name"]), (200, "x@y.z"))

    def test_update_doc_examples(self):
        uid = "332e3c2e-5029-11eb-8b74-40002f864572"
        st, body, _ = self.call("/v1/users/" + uid, {"location_ids": [
            "3749e26c-a7da-11e8-9eae-40007c493637", "64b13bf4-35af-11e7-9c1c-c000609b0f52"]}, method="PUT")
        self.assertEqual((st, body), (200, {"user": {
            "type": "local", "name": "RN user", "email": "rnuser@domain.com", "id": uid, "disabled": False,
            "user_profile_id": "64178848-bbf4-11e8-8fcb-40000e637ca1",
            "location_ids": ["3749e26c-a7da-11e8-9eae-40007c493637", "64b13bf4-35af-11e7-9c1c-c000609b0f52"],
            "last_sign_in_at": "2021-01-06T14:16:53.597Z", "current_sign_in_at": "2021-01-11T10:21:25.407Z",
            "invitation_accepted": True, "invitation_locale": "en_US"}}))
        self.sim.reset()
        st, body, _ = self.call("/v1/users/" + uid, {
            "user_profile_id": "74178848-bbf4-11e8-8fcb-40000e637ca2",
            "location_profile_id": "93334489-6d6a-11eb-9ec3-00000d9c1e4f"}, method="PUT")
        self.assertEqual(body["user"]["user_profile_id"], "74178848-bbf4-11e8-8fcb-40000e637ca2")
        self.assertEqual(body["user"]["location_profile_id"], "93334489-6d6a-11eb-9ec3-00000d9c1e4f")
        self.assertNotIn("location_ids", body["user"])
        st, _, _ = self.call("/v1/users/nope", {"user_profile_id": "x"}, method="PUT")
        self.assertEqual(st, 404)
        st, _, _ = self.call("/v1/users/" + uid, {"location_ids": ["nope"]}, method="PUT")
        self.assertEqual(st, 400)

    def test_profiles(self):
        st, body, _ = self.call("/v1/user_profiles")
        self.assertEqual(st, 200)
        p = body["user_profiles"][0]
        self.assertEqual((p["id"], p["name"], p["idle_timeout"]),
                         ("b43dfbe6-1b4d-11e9-93fd-4000551d9e45", "API Example", 54000))
        self.assertEqual(p["visible_dashboard_widgets"]["allow_individual_activity"], ["mobile_device_detection"])
        self.assertEqual(len(p["visible_dashboard_widgets"]["admin_tasks"]), 15)
        st, body, _ = self.call("/v1/user_profiles/8b26a6c0-5027-11eb-8039-8000f92819c5")
        self.assertEqual(body["user_profile"]["name"], "Store Manager")
        st, body, _ = self.call("/v1/location_profiles")
        self.assertEqual(body["location_profiles"][0], {
            "id": "bffb9ff6-1b4d-11e9-8b97-000006c38736", "name": "API Example", "enterprise_groups": [],
            "location_ids": ["e235aee4-cf7a-11e5-973e-8000a847d47a"]})
        st, body, hdrs = self.call("/v1/location_profiles", headers={"X-Page-Length": "3"})
        self.assertEqual((st, hdrs["x-page-next"]), (206, "3"))
        st, _, _ = self.call("/v1/location_profiles/nope")
        self.assertEqual(st, 404)


class HealthAndPrediction(RNTestCase):
    def test_health_alerts(self):
        st, body, hdrs = self.call("/v1/healthalerts", {"start_time": "2021-01-22T00:00:00Z"})
        self.assertEqual(st, 206)
        self.assertEqual(body["result"][0], {
            "alert_creation_time": "2021-01-11T11:38:34.942-08:00",
            "description": "Haven't heard from Aurora sensor recently",
            "event_time": "2021-01-11T10:38:34-08:00", "resolved": True,
            "resolved_time": "2021-01-12T14:11:33.522-08:00", "severity": "resolved",
            "store_uuid": CASPAR, "store_name": "Caspar City Plaza", "subject_id": "20:C3:A4:80:09:69",
            "subject_name": "CCP Aurora (20:C3:A4:80:09:69)", "type": "connectiondown",
            "uuid": "97fd95e0-5444-11eb-8b83-40003ca6d233", "obsolete": False})
        # every alert once across pages, newest first, all before now
        rows, start = [], "0"
        while start is not None:
            st, body, hdrs = self.call("/v1/healthalerts", b"", headers={"X-Page-Start": start})
            rows += body["result"]
            start = hdrs.get("X-PAGE-NEXT")
        self.assertGreater(len(rows), 200)
        self.assertEqual(len({r["uuid"] for r in rows}), len(rows))
        st, _, _ = self.call("/v1/healthalerts", {"start_time": "last tuesday"})
        self.assertEqual(st, 400)

    def all_alerts(self, body=b""):
        rows, start = [], "0"
        while start is not None:
            st, page, hdrs = self.call("/v1/healthalerts", body, headers={"X-Page-Start": start})
            self.assertIn(st, (200, 206))
            rows += page["result"]
            start = hdrs.get("X-PAGE-NEXT")
        return rows

    def test_health_alerts_start_time_is_exclusive_utc(self):
        import datetime as dt
        rows = self.all_alerts()
        # a Los Angeles alert with milliseconds, not the newest
        a = next(r for r in rows[5:] if r["alert_creation_time"].endswith("-08:00")
                 and not r["alert_creation_time"][20:23] == "000")
        i = rows.index(a)
        created = dt.datetime.fromisoformat(a["alert_creation_time"]).astimezone(dt.timezone.utc)
        z = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"  # noqa: E731
        # "created before": an alert created exactly at start_time is not returned
        for st_ in (z(created), a["alert_creation_time"]):
            got = self.all_alerts({"start_time": st_})
            self.assertEqual(got, rows[i + 1:], st_)
        got = self.all_alerts({"start_time": z(created + dt.timedelta(milliseconds=1))})
        self.assertEqual(got[0], a)
        # whole seconds: the alert created within that second is not before it
        got = self.all_alerts({"start_time": created.strftime("%Y-%m-%dT%H:%M:%SZ")})
        self.assertEqual(got, rows[i + 1:])
        # z_reading=wall: the "Z" is each alert's store wall clock (alert_creation_time
        # is written in the store's offset, so its first 23 characters are that clock)
        wall = a["alert_creation_time"][:23]
        local_before = [r for r in rows if r["alert_creation_time"][:23] < wall]
        self.assertNotIn(a, local_before)
        self.assertNotEqual(local_before, rows[i + 1:])     # New York / London stores differ
        as_utc = dt.datetime.fromisoformat(wall).replace(tzinfo=dt.timezone.utc)
        self.assertEqual(self.all_alerts({"start_time": wall + "Z"}),
                         [r for r in rows if dt.datetime.fromisoformat(r["alert_creation_time"]) < as_utc])
        self.config(z_reading="wall")
        self.assertEqual(self.all_alerts({"start_time": wall + "Z"}), local_before)
        # an explicit offset is an instant under both readings
        self.assertEqual(self.all_alerts({"start_time": a["alert_creation_time"]}), rows[i + 1:])
        st, body, _ = self.call("/v1/healthalerts", {"start_time": "2021-01-22T00:00:00Z"})
        self.assertEqual(body["result"][0]["uuid"], "97fd95e0-5444-11eb-8b83-40003ca6d233")

    def test_occupancy_adjust_z_reading(self):
        # Caspar (Los Angeles, PDT -7 on 2021-03-16; open Mon-Sat 10-21)
        at = lambda t: self.call("/v1/occupancy/adjust", {  # noqa: E731
            "store_uuid": CASPAR, "adjustment_count": 1, "adjustment_date": t})[0]
        self.assertEqual((at("2021-03-16T03:30:00Z"), at("2021-03-16T10:30:00Z")), (200, 400))  # 20:30 / 03:30
        self.config(z_reading="wall")
        self.assertEqual((at("2021-03-16T03:30:00Z"), at("2021-03-16T10:30:00Z")), (400, 200))
        self.assertEqual(at("2021-03-16T10:30:00-07:00"), 200)

    PRED = {"store_uuid": FIFTH, "first_day": "2021-03-17", "last_day": "2021-03-23"}

    def test_predicted_traffic_doc_example(self):
        # the doc's times are Fifth Avenue's local opening hours written with a "Z"
        self.config(z_reading="wall")
        st, body, _ = self.call("/v1/predictedtraffic", self.PRED)
        self.assertEqual(st, 200)
        self.assertEqual((body["ok"], body["error"]), (True, ""))
        p = body["predictions"]
        self.assertEqual(p[:2], [{"time": "2021-03-17T09:00:00Z", "value": 10},
                                 {"time": "2021-03-17T09:15:00Z", "value": 10}])
        self.assertEqual(p[-1], {"time": "2021-03-23T20:45:00Z", "value": 3})
        self.assertEqual(len(p), 6 * 48 + 32)    # six days 09-21, Sunday 11-19

    def test_predicted_traffic_z_is_utc(self):
        import datetime as dt
        import zoneinfo
        st, wall, _ = self.call("/v1/predictedtraffic", self.PRED)
        p = wall["predictions"]
        # New York is on EDT (-4) after 2021-03-14: 09:00 local is 13:00Z
        self.assertEqual(p[:2], [{"time": "2021-03-17T13:00:00Z", "value": 10},
                                 {"time": "2021-03-17T13:15:00Z", "value": 10}])
        self.assertEqual(p[-1], {"time": "2021-03-24T00:45:00Z", "value": 3})
        self.assertEqual(len(p), 6 * 48 + 32)
        ny = zoneinfo.ZoneInfo("America/New_York")
        hours = {6: (11, 19)}
        for row in p:       # every row inside the local opening hours of its local day
            t = dt.datetime.strptime(row["time"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=dt.timezone.utc).astimezone(ny)
            a, b = hours.get(t.weekday(), (9, 21))
            self.assertTrue(a * 60 <= t.hour * 60 + t.minute < b * 60, row)
            self.assertTrue("2021-03-17" <= t.date().isoformat() <= "2021-03-23", row)
        # predicted_days=utc: first_day/last_day are UTC dates.  The evening 20:00-21:00
        # EDT of the 23rd (00:00-01:00Z on the 24th) leaves, that of the 16th (00:00-01:00Z
        # on the 17th) enters
        self.config(predicted_days="utc")
        st, body, _ = self.call("/v1/predictedtraffic", self.PRED)
        q = body["predictions"]
        self.assertTrue(all("2021-03-17" <= r["time"][:10] <= "2021-03-23" for r in q))
        self.assertEqual(q[:4], [{"time": "2021-03-17T00:00:00Z", "value": q[0]["value"]},
                                 {"time": "2021-03-17T00:15:00Z", "value": q[1]["value"]},
                                 {"time": "2021-03-17T00:30:00Z", "value": q[2]["value"]},
                                 {"time": "2021-03-17T00:45:00Z", "value": q[3]["value"]}])
        self.assertEqual(q[-1]["time"], "2021-03-23T23:45:00Z")
        self.assertEqual(len(q), len(p))      # 4 slots in, 4 out
        # a slot's value does not depend on the request
        both = {r["time"]: r["value"] for r in p}
        self.assertTrue(all(both[r["time"]] == r["value"] for r in q if r["time"] in both))
        self.assertEqual(q[4], p[0])

    def test_predicted_traffic_limits(self):
        for b in ({"store_uuid": FIFTH, "first_day": "2021-03-03", "last_day": "2021-03-05"},
                  {"store_uuid": FIFTH, "first_day": "2021-03-10", "last_day": "2021-03-17"},
                  {"store_uuid": FIFTH, "first_day": "2021-04-01", "last_day": "2021-04-05"},
                  {"store_uuid": [FIFTH], "first_day": "2021-03-10", "last_day": "2021-03-11"},
                  {"store_uuid": FIFTH, "first_day": "2021-03-10"},
                  {"store_uuid": FIFTH, "first_day": "2021/03/10", "last_day": "2021-03-11"}):
            st, body, _ = self.call("/v1/predictedtraffic", b)
            self.assertEqual((st, body["ok"]), (400, False), b)
        st, body, _ = self.call("/v1/predictedtraffic", {"store_uuid": COVENT, "first_day": "2021-03-10",
                                                         "last_day": "2021-03-11"})
        self.assertEqual((st, body["ok"], body["predictions"]), (200, False, []))

    def test_concurrency_limit(self):
        self.config(hold_ms=400)
        results = []

        def one(path, body):
            results.append(self.call(path, body)[0])
        threads = [threading.Thread(target=one, args=("/v1/predictedtraffic", {
            "store_uuid": FIFTH, "first_day": "2021-03-17", "last_day": "2021-03-18"})) for _ in range(5)]
        threads += [threading.Thread(target=one, args=("/v1/inventory/cameras", None)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), [200] * 6 + [429] * 2)


class FloorplansAndZones(RNTestCase):
    def test_floorplans(self):
        st, body, _ = self.call("/v1/fpafloorplans")
        self.assertEqual(st, 200)
        self.assertEqual(len(body), 5)
        fp = body[0]
        self.assertEqual((fp["id"], fp["name"], fp["store_id"], fp["store_name"]),
                         ("7ce0f10c-508f-11eb-9c50-000048e74782", "API Store Floorplan", CASPAR, "API Store"))
        self.assertEqual(fp["zones"][0], {
            "id": "f64b51ac-546f-11eb-9441-8000514932de", "name": "Table 1", "type": "fpa",
            "location_id": "24f99a38-5478-11eb-98ec-40002ded88bc", "location_name": "FPA Zones",
            "area": 46907.55844251474, "dwell_time_threshold_ms": 10, "zone_threshold_mm": 1000,
            "points": [{"x": 1751.2620277487956, "y": 384.9399262748038},
                       {"x": 1918.1988757176557, "y": 383.3687429022536},
                       {"x": 1915.0491238691866, "y": 664.610566588743},
                       {"x": 1746.5373999760916, "y": 663.0393832161927},
                       {"x": 1751.2620277487956, "y": 384.9399262748038}]})
        self.assertNotIn("mask", {z["type"] for f in body for z in f["zones"]})
        st, page, hdrs = self.call("/v1/fpafloorplans", headers={"X-Page-Length": "2", "X-Page-Start": "2"})
        self.assertEqual((st, hdrs["x-page-next"], page), (206, "4", body[2:4]))
        st, body, _ = self.call("/v1/stores/%s/fpafloorplans" % FIFTH)
        self.assertEqual([f["name"] for f in body], ["Fifth Avenue Ground Floor", "Fifth Avenue First Floor"])
        st, body, _ = self.call("/v1/stores/%s/fpafloorplans" % WILLOW)
        self.assertEqual((st, body), (200, []))
        st, body, _ = self.call("/v1/fpafloorplans/e0acd09e-2e7a-11ea-8b1a-40002569de69")
        self.assertEqual(body["store_name"], "Garden Station")
        for p in ("/v1/fpafloorplans/nope", "/v1/stores/nope/fpafloorplans"):
            self.assertEqual(self.call(p)[0], 404)

    def test_zone_transitions_doc_example(self):
        st, body, _ = self.call("/v1/zone_transitions", {
            "locations": ["cdf7322e-3329-11ea-8e45-80003c755d3e", "f1cc33f2-3329-11ea-9b32-80001a18e60d"],
            "date_ranges": [{"start": "2021-02-15", "finish": "2021-02-22"}], "metrics": ["customer"],
            "transitions": "direct_and_indirect", "dwells": "all_traffic",
            "time_ranges": [{"start": "10:30", "finish": "13:00"}], "days_of_week": ["friday", "saturday"]})
        ent = "a1ec24c6-2e7b-11ea-960c-8000bec20274"
        den = "a34979f4-2e7b-11ea-8dfd-c000826898db"
        self.assertEqual((st, body), (200, {"metrics": [{"name": "customer", "data": [{
            "floorplan": {"uuid": "e0acd09e-2e7a-11ea-8b1a-40002569de69", "name": "Garden Station Floorplan",
                          "store_uuid": GARDEN, "store_name": "Garden Station"},
            "zones": [{"uuid": ent, "name": "Entrance", "location_uuid": "f1cc33f2-3329-11ea-9b32-80001a18e60d",
                       "location_name": "Entrance Zone"},
                      {"uuid": den, "name": "Denim", "location_uuid": "cdf7322e-3329-11ea-8e45-80003c755d3e",
                       "location_name": "Denim Zone"}],
            "transitions": [
                {"from_zone_id": ent, "to_zone_id": ent, "value": 170, "percentage": 54},
                {"from_zone_id": ent, "to_zone_id": den, "value": 147, "percentage": 46},
                {"from_zone_id": den, "to_zone_id": ent, "value": 42, "percentage": 69},
                {"from_zone_id": den, "to_zone_id": den, "value": 19, "percentage": 31}]}]}]}))

    def test_zone_transitions_between_requested_locations(self):
        def zt(locs):
            st, body, _ = self.call("/v1/zone_transitions", {
                "locations": locs, "date_ranges": [{"start": "2021-02-01", "finish": "2021-02-07"}]})
            self.assertEqual(st, 200)
            return body["metrics"][0]["data"]
        entrance, denim = "f1cc33f2-3329-11ea-9b32-80001a18e60d", "cdf7322e-3329-11ea-8e45-80003c755d3e"
        ground, first = "e436c59c-7deb-11e7-887d-c3ee695095c9", "92483db2-068e-11e0-9dc8-bceda188d69b"
        # two locations of one floorplan: transitions A->B and B->A are in the answer
        data = zt([entrance, denim])
        self.assertEqual(len(data), 1)
        zone_loc = {z["uuid"]: z["location_uuid"] for z in data[0]["zones"]}
        pairs = {(zone_loc[t["from_zone_id"]], zone_loc[t["to_zone_id"]]) for t in data[0]["transitions"]}
        self.assertEqual(pairs, {(entrance, entrance), (entrance, denim), (denim, entrance), (denim, denim)})
        # locations of two floorplans (and two stores): one data item per floorplan, naming
        # it; every transition row's zones are zones of its own item, of requested locations
        data = zt([ground, first, entrance])
        self.assertEqual([(d["floorplan"]["name"], d["floorplan"]["store_uuid"]) for d in data],
                         [("Garden Station Floorplan", GARDEN), ("Fifth Avenue Ground Floor", FIFTH),
                          ("Fifth Avenue First Floor", FIFTH)])
        for d in data:
            zone_loc = {z["uuid"]: z["location_uuid"] for z in d["zones"]}
            self.assertTrue(set(zone_loc.values()) <= {ground, first, entrance})
            n = len(zone_loc)
            self.assertEqual(len(d["transitions"]), n * n)
            for t in d["transitions"]:
                self.assertIn(t["from_zone_id"], zone_loc)
                self.assertIn(t["to_zone_id"], zone_loc)
        # finish is included: one day is start == finish
        st, body, _ = self.call("/v1/zone_transitions", {
            "locations": [entrance], "date_ranges": [{"start": "2021-02-05", "finish": "2021-02-05"}]})
        self.assertGreater(body["metrics"][0]["data"][0]["transitions"][0]["value"], 0)

    def test_zone_transitions_defaults_and_errors(self):
        st, body, _ = self.call("/v1/zone_transitions", {
            "locations": [FIFTH], "date_ranges": [{"start": "2021-02-01", "finish": "2021-02-07"}]})
        self.assertEqual([m["name"] for m in body["metrics"]], ["all"])
        self.assertEqual(len(body["metrics"][0]["data"]), 2)
        tr = body["metrics"][0]["data"][0]["transitions"]
        self.assertEqual(len(tr), 9)
        self.assertTrue(all(t["value"] > 0 for t in tr))
        st, body, _ = self.call("/v1/zone_transitions", {
            "locations": [FIFTH], "date_ranges": [{"start": "2021-02-01", "finish": "2021-02-07"}],
            "transitions": "directionless", "metrics": ["employee", "customer"]})
        self.assertEqual(len(body["metrics"][0]["data"][0]["transitions"]), 6)
        for b in ({"locations": [FIFTH]}, {"locations": ["nope"], "date_ranges": [{"start": "2021-02-01",
                                                                                   "finish": "2021-02-02"}]},
                  {"locations": [FIFTH], "date_ranges": [{"start": "2021-02-01", "finish": "2021-02-02"}],
                   "dwells": "some"},
                  {"locations": [FIFTH], "date_ranges": [{"start": "2021-02-03", "finish": "2021-02-02"}]},
                  {"locations": [FIFTH], "date_ranges": [{"start": "2021-02-01", "finish": "2021-02-02"}],
                   "days_of_week": ["funday"]}):
            st, body, _ = self.call("/v1/zone_transitions", b)
            self.assertEqual((st, body["ok"]), (400, False), b)


class Inventory(RNTestCase):
    def test_cameras_doc_example_and_token_paging(self):
        st, body, _ = self.call("/v1/inventory/cameras")
        self.assertEqual(st, 200)
        self.assertEqual((body["ok"], body["next_page"], len(body["cameras"])), (True, "CAC:13:37:D0:86:77", 100))
        self.assertEqual(body["cameras"][0], {
            "type": 1, "device_id": "20:C3:13:0F:1D:2A", "device_name": "Aisle Camera",
            "store_uuid": "a434a682-30a0-11ea-896a-00005f259c6e", "appliance_id": "", "vendor": "RetailNext",
            "model": "Aurora", "private_ip": "10.10.10.179", "public_ip": "162.254.19.20",
            "last_heard": "2020-01-14T22:30:18.363Z", "serial_number": "",
            "network_configuration": {"mode": 0, "ip": "", "gateway": "", "dns": "", "ntp": ""},
            "video_channel_uuids": ["d86d75e2-3338-11ea-95e3-000071946766"], "video_channel_count": 1,
            "configuration_summary": {},
            "analytics": {"traffic_line_count": 1, "dwell_zone_count": 0, "direction_line_configured": False},
            "height": 3860})
        seen, tok, pages = [], None, 0
        while tok != "end":
            st, page, _ = self.call("/v1/inventory/cameras",
                                    headers={"X-Page-Length": "30", **({"X-Page-Start": tok} if tok else {})})
            self.assertEqual(st, 200)
            seen += [c["device_id"] for c in page["cameras"]]
            tok = page["next_page"]
            pages += 1
        self.assertEqual((len(seen), len(set(seen)), pages), (108, 108, 4))
        st, page, _ = self.call("/v1/inventory/cameras?store_uuid=" + CASPAR)
        self.assertEqual((len(page["cameras"]), page["next_page"]), (12, "end"))
        self.assertEqual(self.call("/v1/inventory/cameras?store_uuid=nope")[0], 404)
        st, body, _ = self.call("/v1/inventory/cameras", headers={"X-Page-Start": "Cbogus"})
        self.assertEqual((st, body["ok"]), (400, False))

    def test_channels_and_appliances(self):
        st, body, _ = self.call("/v1/inventory/channels")
        self.assertEqual((body["ok"], body["next_page"], len(body["channels"])), (True, "end", 63))
        self.assertEqual(body["channels"][0], {
            "channel_uuid": "9290bc70-3480-11ea-81c9-c000c7e8079e", "name": "Registration Desk",
            "device_id": "92710a06-3480-11ea-9877-40003d3dd9a9", "resolution": "1280x960", "frame_rate": 10,
            "record_on_motion": True, "minimum_retention_days": 0, "maximun_retention_days": 0,
            "blur_video": False, "recording_enabled": True, "snapshot_enabled": True,
            "snapshot_interval_secs": 300, "snapshot_resolution": "1400x1050"})
        st, page, _ = self.call("/v1/inventory/channels", headers={"X-Page-Length": "60"})
        st, page2, _ = self.call("/v1/inventory/channels", headers={"X-Page-Start": page["next_page"]})
        self.assertEqual(page["channels"] + page2["channels"], body["channels"])
        st, body, _ = self.call("/v1/inventory/appliances")
        self.assertEqual((body["next_page"], len(body["store_appliances"])), ("end", 9))
        self.assertEqual(body["store_appliances"][0], {
            "appliance_id": "323231f8-6afg-11eb-8684-4000fc072082",
            "store_uuid": "af21ffd8-9e2c-11e5-9bc9-0e5ba9bee1b9", "mac_address": "00:0D:29:60:FB:CB",
            "private_ip": "192.168.95.92",
            "network_configuration": {"mode": 0, "ip": "", "gateway": "", "dns": "", "ntp": ""},
            "public_ip": "104.59.220.132"})


class Video(RNTestCase):
    START = ("/v1/video/export/start?start=2021-03-17T13:00:00Z&end=2021-03-17T13:05:08Z"
             "&channel=f2b81aa0-8c90-11eb-9d08-c00017306bd8&analytics_overlay=1&raw=0&info_overlay=1")

    def raw(self, method, path, headers=None):
        conn = self.raw_conn()
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data, r

    def test_export_flow(self):
        st, data, r = self.raw("POST", self.START, AUTH)
        self.assertEqual((st, json.loads(data)), (201, {"ok": True}))
        task = r.getheader("location")
        self.assertEqual(task, "/v1/video/export/task/3ba9d435-8c91-11eb-9c23-0000d53335d2")
        self.assertEqual(self.raw("GET", task, AUTH)[0], 202)
        self.assertEqual(self.raw("GET", task, AUTH)[0], 202)
        st, data, r = self.raw("GET", task, AUTH)
        self.assertEqual(st, 302)
        url = urllib.parse.urlsplit(r.getheader("Location"))
        self.assertEqual(url.port, self.info["retailnext"]["port"])
        dl = url.path + "?" + url.query
        st, data, r = self.raw("GET", dl)
        self.assertEqual((st, r.getheader("Content-Type")), (200, "video/mp4"))
        self.assertEqual(data[4:8], b"ftyp")
        self.assertEqual(self.raw("GET", dl, AUTH)[0], 400)             # never send credentials there
        self.assertEqual(self.raw("GET", url.path + "?signature=bad")[0], 403)
        self.assertEqual(self.raw("DELETE", task, AUTH)[0], 200)
        self.assertEqual(self.raw("GET", task, AUTH)[0], 404)
        self.assertEqual(self.raw("DELETE", task, AUTH)[0], 404)

    def test_export_failure_expiry_and_errors(self):
        self.config(export_polls=0, export_ttl=1)
        st, _, r = self.raw("POST", "/v1/video/export/start?start=2021-03-01T13:00:00Z&end=2021-03-01T13:01:00Z"
                                    "&channel=7f1e0c9a-0000-11eb-8000-00000000b001", AUTH)
        self.assertEqual(st, 201)
        st, data, _ = self.raw("GET", r.getheader("location"), AUTH)
        self.assertEqual(st, 424)
        self.assertIn("recording", json.loads(data)["error"])
        st, _, r = self.raw("POST", self.START, AUTH)
        task = r.getheader("location")
        self.assertEqual(self.raw("GET", task, AUTH)[0], 302)
        self.assertEqual(self.raw("GET", task, AUTH)[0], 404)            # expired
        for q in ("start=2021-03-01T13:00:00Z&end=2021-03-01T12:00:00Z&channel=f2b81aa0-8c90-11eb-9d08-c00017306bd8",
                  "start=2021-03-01T13:00:00Z&end=2021-03-01T14:00:00Z",
                  "start=2021-03-01T13:00:00Z&end=2021-03-01T14:00:00Z&channel=nope",
                  "start=2021-03-01T13:00:00Z&end=2021-03-01T14:00:00Z&raw=2"
                  "&channel=f2b81aa0-8c90-11eb-9d08-c00017306bd8",
                  "start=2021-03-01T13:00:00Z&end=2021-03-01T14:00:00Z&channel=f2b81aa0-8c90-11eb-9d08-c00017306bd8"
                  "&channel=9290bc70-3480-11ea-81c9-c000c7e8079e"):
            self.assertEqual(self.raw("POST", "/v1/video/export/start?" + q, AUTH)[0], 400, q)
        self.assertEqual(self.raw("POST", self.START)[0], 401)

    def test_hls(self):
        st, body, _ = self.call("/v1/hlsapitoken", {"location_uuid": ORG})
        self.assertEqual((st, body), (200, {"token": "9wTw-pk1VLsEGzmzaH9vOL-a6RU"}))
        st, data, r = self.raw("GET", "/v1/hls/f2b81aa0-8c90-11eb-9d08-c00017306bd8.m3u8?token=" + body["token"])
        self.assertEqual(st, 200)
        text = data.decode()
        self.assertTrue(text.startswith("#EXTM3U"))
        seg = [l for l in text.splitlines() if l.startswith("/v1/hls/")][0]
        st, data, _ = self.raw("GET", seg)
        self.assertEqual((st, data[0]), (200, 0x47))
        st, body, _ = self.call("/v1/hlsapitoken", {"location_uuid": GARDEN})
        tok = body["token"]
        self.assertEqual(self.raw("GET", "/v1/hls/f2b81aa0-8c90-11eb-9d08-c00017306bd8.m3u8?token=" + tok)[0], 403)
        self.assertEqual(self.raw("GET", "/v1/hls/f2b81aa0-8c90-11eb-9d08-c00017306bd8.m3u8?token=x")[0], 401)
        self.assertEqual(self.call("/v1/hlsapitoken", {"location_uuid": "nope"})[0], 400)


if __name__ == "__main__":
    unittest.main()
