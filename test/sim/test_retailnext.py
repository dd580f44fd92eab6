"""Tests of the RetailNext simulator (python3 -m unittest discover -s test/sim)."""

import base64  # noqa: F401
import http.client  # noqa: F401
import json
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request

from rn_common import *  # noqa: F401,F403
from rn_common import setUpModule, tearDownModule, _SIM  # noqa: F401


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
            {"from": {"gregorian": "2021-02-01T00:00:00Z"}, "to": {"gregorian": "2021-02-02T00:00:00Z"}}])
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
        # come back by default (z_reading=wall)
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
        # z_reading=utc, the other reading: Caspar (Los Angeles, PST -8) opens 10-21, Fifth Avenue
        # (New York) 09-21: EST -5 in January, EDT -4 from 2021-03-14
        self.config(z_reading="utc")
        st, body, _ = self.call("/v1/storehours", self.REQ)
        res = body["result"]
        self.assertEqual(res[CASPAR]["2021-01-15T00:00:00Z"], {
            "store_uuid": CASPAR, "effective_day": "2021-01-15T00:00:00Z",
            "open": "2021-01-15T18:00:00Z", "close": "2021-01-16T05:00:00Z"})
        self.assertEqual(res[FIFTH]["2021-01-22T00:00:00Z"], {
            "store_uuid": FIFTH, "effective_day": "2021-01-22T00:00:00Z",
            "open": "2021-01-22T14:00:00Z", "close": "2021-01-23T02:00:00Z"})
        self.assertEqual((len(res[CASPAR]), len(res[FIFTH])), (8, 8))
        st, body, _ = self.call("/v1/storehours", {"stores": [FIFTH], "start_date": "2021-03-15T00:00:00Z",
                                                   "end_date": "2021-03-15T00:00:00Z"})
        self.assertEqual(body["result"][FIFTH], {"2021-03-15T00:00:00Z": {
            "store_uuid": FIFTH, "effective_day": "2021-03-15T00:00:00Z",
            "open": "2021-03-15T13:00:00Z", "close": "2021-03-16T01:00:00Z"}})
        # start_date/end_date label days like effective_day: other times are refused
        for v in ("2021-03-15T05:00:00Z", "2021-03-15T00:00:00-05:00", "2021-03-15T00:00:01Z", "15.03.2021"):
            st, body, _ = self.call("/v1/storehours", {"stores": [FIFTH], "start_date": v,
                                                       "end_date": "2021-03-16T00:00:00Z"})
            self.assertEqual(st, 400, v)

    def test_dates_in_the_documented_form_only(self):
        # the doc: start_date / end_date "in ISO 8601 format (yyyy-mm-ddThh:mm:ssZ)";
        # a date alone (or without a designator) is refused as the API refuses bad input
        for start, end in (("2021-03-15", "2021-03-16T00:00:00Z"), ("2021-03-15T00:00:00Z", "2021-03-16"),
                           ("2021-03-15T00:00", "2021-03-16T00:00:00Z"),
                           ("2021-03-15T00:00:00", "2021-03-16T00:00:00Z")):
            st, body, _ = self.call("/v1/storehours", {"stores": [FIFTH], "start_date": start,
                                                       "end_date": end})
            self.assertEqual((st, body["ok"]), (400, False), (start, end))
            self.assertIn("yyyy-mm-ddThh:mm:ssZ", body["error"])
        st, body, _ = self.call("/v1/storehours", {"stores": [FIFTH], "start_date": "2021-03-15T00:00:00Z",
                                                   "end_date": "2021-03-16T00:00:00Z"})
        self.assertEqual(st, 200)
        # the other "yyyy-mm-ddThh:mm:ssZ" parameters alike
        st, body, _ = self.call("/v1/healthalerts", {"start_time": "2021-01-22"})
        self.assertEqual((st, body["ok"]), (400, False))
        st, body, _ = self.call("/v1/occupancy/adjust", {"store_uuid": CASPAR, "adjustment_count": 1,
                                                         "adjustment_date": "2021-03-16"})
        self.assertEqual((st, body["ok"]), (400, False))

    def test_paging_and_midnight(self):
        self.config(z_reading="utc")
        req = {"stores": [UNION, SANJOSE], "start_date": "2021-01-01T00:00:00Z", "end_date": "2021-01-31T00:00:00Z"}
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
        self.config(z_reading="utc")
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
        self.config(z_reading="utc")
        self.assertEqual((at("2021-03-16T03:30:00Z"), at("2021-03-16T10:30:00Z")), (200, 400))  # 20:30 / 03:30
        self.config(z_reading="wall")
        self.assertEqual((at("2021-03-16T03:30:00Z"), at("2021-03-16T10:30:00Z")), (400, 200))
        self.assertEqual(at("2021-03-16T10:30:00-07:00"), 200)

    PRED = {"store_uuid": FIFTH, "first_day": "2021-03-17", "last_day": "2021-03-23"}

    def test_predicted_traffic_doc_example(self):
        # the doc's times are Fifth Avenue's local opening hours written with a "Z":
        # the default reading (z_reading=wall)
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
        self.config(z_reading="utc")
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
