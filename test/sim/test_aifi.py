"""Tests of the AiFi OASIS simulator (python3 -m unittest discover -s test/sim)."""

import base64
import datetime as dt
import json
import os
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import simulator  # noqa: E402
from vendors import aifi  # noqa: E402

TOKEN = "aifi-secret-token"
AUTH = {"Authorization": "Bearer " + TOKEN}
V2 = "/api/admin/v2"
DOC = "/work/shared/api-docs/aifi-push-transition-webhooks.txt"

SESSION_FIELDS = [
    "createdAt", "updatedAt", "code", "codeFirstSuccesfullyScannedAt",
    "codeLastSuccesfullyScannedAt", "customerFirstEnteredAt", "customerLastEnteredAt",
    "customerFirstExitedAt", "customerLastExitedAt", "customerPaymentInstrumentId",
    "customerSatisfaction", "customerSatisfactionSubmitted", "groupSize", "visitors",
    "locationId", "priority", "sessionToken", "sessionId", "referencedSessionId", "status",
    "storeId", "storeIdScannableAt", "suspectedFraud", "metadata", "expiresAt", "id",
    "customerId", "customer", "store"]
CUSTOMER_EMBED = ["externalId", "role", "metadata", "priority", "email", "firstName",
                  "lastName", "phone", "id"]
STORE_EMBED = ["aifiUniqueStoreId", "status", "deploymentStatus", "addressLine1", "addressCity",
               "addressRegion", "addressCountry", "addressPostalCode", "thirdPartyId", "storeUrl",
               "maxPeople", "storeConfigId", "name", "id", "employeeInside"]
SESSION_ORDER = ["id", "code", "storeId", "visitors", "groupSize", "expiresAt", "customerId",
                 "codeLastSuccesfullyScannedAt", "customerLastEnteredAt", "createdAt",
                 "updatedAt"]


def ts(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")) if s is not None else None


def sess_val(row, key):
    v = row[key]
    if v is None:
        return None
    if key in ("id", "customerId"):
        return int(v)
    if key.endswith("At"):
        return ts(v)
    return v


def asc_key(key):
    def k(row):
        v = sess_val(row, key)
        return (1, 0, int(row["id"])) if v is None else (0, v, int(row["id"]))
    return k


class AifiCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = simulator.Simulator(seed=1)
        cls.info = cls.sim.start()
        cls.base = cls.info["aifi"]["url"]

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.sim.reset()
        self.conf(rate_limit=0)

    def call(self, path, params=None, headers=None, method="GET", data=None):
        url = self.base + path
        if params:
            url += "?" + (params if isinstance(params, str) else urllib.parse.urlencode(params, doseq=True))
        req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None, r.headers
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None, e.headers

    def get(self, path, params=None, headers=AUTH):
        return self.call(path, params, headers)

    def ok(self, path, params=None):
        st, body, _ = self.get(path, params)
        self.assertEqual(st, 200, body)
        return body

    def conf(self, **knobs):
        req = urllib.request.Request(self.base + "/_sim/config", method="POST",
                                     data=json.dumps({"aifi": knobs}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 200)

    def walk(self, path, params, key="data"):
        """Follow pagination.next; returns (rows, pages)."""
        params = dict(params)
        rows, pages = [], []
        while True:
            body = self.ok(path, params)
            pages.append(body)
            rows.extend(body[key])
            nxt = body["pagination"].get("next")
            if not nxt:
                return rows, pages
            self.assertEqual(nxt["count"], params.get("count", 20))
            params["after"] = nxt["after"]

    def assert_400(self, path, params, field, rule=None):
        st, body, _ = self.get(path, params)
        self.assertEqual(st, 400, body)
        self.assertEqual(body["message"], "Invalid request body")
        self.assertEqual(body["type"], "E_INVALID_BODY")
        fields = [e["field"] for e in body["errors"]]
        self.assertIn('"%s"' % field, fields, body)
        for e in body["errors"]:
            self.assertEqual(sorted(e), ["error", "field", "rule"])
        if rule:
            self.assertIn(rule, [e["rule"] for e in body["errors"]])
        return body


class AuthTests(AifiCase):
    def form(self, **fields):
        body = urllib.parse.urlencode(fields).encode()
        return self.call("/oauth/token", headers={"Content-Type": "application/x-www-form-urlencoded"},
                         method="POST", data=body)

    def good(self):
        return dict(grant_type="client_credentials", client_id="aifi-client",
                    client_secret="aifi-client-secret")

    def test_static_bearer(self):
        st, body, hdrs = self.get(V2 + "/stores", headers={})
        self.assertEqual(st, 401)
        self.assertEqual(body["type"], "E_UNAUTHORIZED")
        self.assertIn("Bearer", hdrs["WWW-Authenticate"])
        self.assertEqual(self.get(V2 + "/stores", headers={"Authorization": "Bearer nope"})[0], 401)
        self.assertEqual(self.get(V2 + "/stores", headers={"Authorization": "Token " + TOKEN})[0], 401)
        self.assertEqual(self.get(V2 + "/stores", headers={"Authorization": "bearer " + TOKEN})[0], 200)
        self.assertEqual(self.get(V2 + "/stores")[0], 200)
        self.conf(allow_static_token=False)
        self.assertEqual(self.get(V2 + "/stores")[0], 401)

    def test_oauth_form_json_basic(self):
        st, body, hdrs = self.form(**self.good())
        self.assertEqual(st, 200, body)
        self.assertEqual(sorted(body), ["access_token", "expires_in", "token_type"])
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3600)
        self.assertEqual(hdrs["Cache-Control"], "no-store")
        tok = body["access_token"]
        self.assertEqual(self.get(V2 + "/stores", headers={"Authorization": "Bearer " + tok})[0], 200)
        st, body2, _ = self.call("/oauth/token", headers={"Content-Type": "application/json"},
                                 method="POST", data=json.dumps(self.good()).encode())
        self.assertEqual(st, 200)
        self.assertNotEqual(body2["access_token"], tok)
        basic = base64.b64encode(b"aifi-client:aifi-client-secret").decode()
        st, body3, _ = self.call("/oauth/token", method="POST", data=b"grant_type=client_credentials",
                                 headers={"Authorization": "Basic " + basic,
                                          "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(st, 200, body3)
        # the token endpoint is not an admin route: no bearer needed, GET is 404
        self.assertEqual(self.call("/oauth/token")[0], 404)

    def test_oauth_errors(self):
        bad = dict(self.good(), client_secret="wrong")
        st, body, _ = self.form(**bad)
        self.assertEqual((st, body["error"]), (401, "invalid_client"))
        st, body, _ = self.form(**dict(self.good(), grant_type="password"))
        self.assertEqual((st, body["error"]), (400, "unsupported_grant_type"))
        g = self.good()
        del g["grant_type"]
        st, body, _ = self.form(**g)
        self.assertEqual((st, body["error"]), (400, "invalid_request"))
        st, body, _ = self.call("/oauth/token", method="POST", data=b"{not json",
                                headers={"Content-Type": "application/json"})
        self.assertEqual((st, body["error"]), (400, "invalid_request"))

    def test_expire_tokens_knob(self):
        tok = self.form(**self.good())[1]["access_token"]
        hdr = {"Authorization": "Bearer " + tok}
        self.assertEqual(self.get(V2 + "/stores", headers=hdr)[0], 200)
        self.conf(expire_tokens=True)
        st, body, _ = self.get(V2 + "/stores", headers=hdr)
        self.assertEqual(st, 401)
        self.assertEqual(body["message"], "Token expired")
        tok2 = self.form(**self.good())[1]["access_token"]
        self.assertEqual(self.get(V2 + "/stores", headers={"Authorization": "Bearer " + tok2})[0], 200)
        self.assertEqual(self.get(V2 + "/stores")[0], 200)   # static token unaffected

    def test_token_ttl(self):
        self.conf(token_ttl_s=0.4)
        st, body, _ = self.form(**self.good())
        self.assertEqual(body["expires_in"], 1)
        hdr = {"Authorization": "Bearer " + body["access_token"]}
        self.assertEqual(self.get(V2 + "/stores", headers=hdr)[0], 200)
        time.sleep(0.45)
        st, body, _ = self.get(V2 + "/stores", headers=hdr)
        self.assertEqual((st, body["message"]), (401, "Token expired"))

    def test_reset_keeps_tokens_and_restores_knobs(self):
        tok = self.form(**self.good())[1]["access_token"]
        self.conf(allow_static_token=False)
        self.sim.reset()
        self.conf(rate_limit=0)
        self.assertEqual(self.get(V2 + "/stores")[0], 200)
        self.assertEqual(self.get(V2 + "/stores", headers={"Authorization": "Bearer " + tok})[0], 200)

    def test_rate_limit_is_503(self):
        self.conf(rate_limit=5, rate_window_s=5)
        got = [self.get(V2 + "/stores")[0] for _ in range(7)]
        self.assertEqual(got, [200] * 5 + [503] * 2)
        st, body, hdrs = self.get(V2 + "/stores")
        self.assertEqual(st, 503)
        self.assertEqual(body["type"], "E_RATE_LIMIT")
        self.assertIsNone(hdrs.get("Retry-After"))
        # the control endpoints are not limited
        self.assertEqual(self.call("/_aifi/fixtures")[0], 200)
        self.conf(rate_window_s=0.05)     # the window slides: old requests drop out
        time.sleep(0.1)
        self.assertEqual(self.get(V2 + "/stores")[0], 200)
        self.conf(rate_limit_retry_after="1", rate_window_s=5)
        for _ in range(6):
            st, _, hdrs = self.get(V2 + "/stores")
        self.assertEqual((st, hdrs["Retry-After"]), (503, "1"))

    def test_default_rate_limit_is_20(self):
        self.sim.reset()
        self.conf(rate_window_s=30)       # default limit, a window no slow machine outruns
        got = [self.call("/api/admin/v2/nope")[0] for _ in range(22)]
        self.assertEqual(got.count(503), 2)
        self.assertEqual(got[:20], [404] * 20)

    def test_unknown_route_nest_404(self):
        st, body, _ = self.call(V2 + "/sessions", method="POST", data=b"{}",
                                headers=AUTH)
        self.assertEqual(st, 404)
        self.assertEqual(body, {"statusCode": 404, "message": "Cannot POST /api/admin/v2/sessions",
                                "error": "Not Found"})


class SessionTests(AifiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with urllib.request.urlopen(cls.base + "/_aifi/fixtures", timeout=10) as r:
            cls.fix = json.loads(r.read())
        conn_rows = []
        params = {"count": 200}
        while True:
            url = cls.base + V2 + "/sessions?" + urllib.parse.urlencode(params)
            with urllib.request.urlopen(urllib.request.Request(url, headers=AUTH), timeout=10) as r:
                body = json.loads(r.read())
            conn_rows += body["data"]
            nxt = body["pagination"].get("next")
            if not nxt:
                break
            params["after"] = nxt["after"]
        cls.all = conn_rows

    def test_fixture_shape(self):
        self.assertEqual(len(self.all), 500)
        self.assertEqual(self.fix["sessions"]["count"], 500)
        self.assertEqual([r["id"] for r in self.all], [str(i) for i in range(1001, 1501)])
        for r in self.all:
            self.assertEqual(list(r), SESSION_FIELDS)
            self.assertEqual(list(r["store"]), STORE_EMBED)
            if r["customer"] is not None:
                self.assertEqual(list(r["customer"]), CUSTOMER_EMBED)
                self.assertEqual(r["customer"]["id"], r["customerId"])
            else:
                self.assertIsNone(r["customerId"])
            self.assertEqual(r["sessionId"], r["sessionToken"])
            self.assertIsInstance(r["storeId"], int)
            self.assertEqual(r["store"]["id"], str(r["storeId"]))
            self.assertLessEqual(ts(r["createdAt"]), ts(r["updatedAt"]))
        statuses = {r["status"] for r in self.all}
        self.assertEqual(statuses, {"finished", "expired", "active", "cancelled"})
        self.assertTrue(any(r["customer"] is None for r in self.all))
        self.assertTrue(any(r["codeFirstSuccesfullyScannedAt"] is None for r in self.all))
        self.assertTrue(any(r["referencedSessionId"] for r in self.all))
        self.assertEqual({r["storeId"] for r in self.all}, {1, 2, 3})
        days = {r["createdAt"][:10] for r in self.all}
        self.assertEqual(min(days), "2025-08-01")
        self.assertEqual(max(days), "2025-08-31")

    def test_default_page_and_pagination_object(self):
        body = self.ok(V2 + "/sessions")
        self.assertEqual(len(body["data"]), 20)
        self.assertEqual(list(body["pagination"]), ["next"])
        nxt = body["pagination"]["next"]
        self.assertEqual((nxt["count"], nxt["direction"]), (20, "asc"))
        body2 = self.ok(V2 + "/sessions", {"after": nxt["after"]})
        self.assertEqual(body2["data"][0]["id"], "1021")
        self.assertEqual(list(body2["pagination"]), ["previous", "next"])
        # a plain id works as a cursor too
        self.assertEqual(self.ok(V2 + "/sessions", {"after": "1020"})["data"], body2["data"])

    def test_walk_forward_and_back(self):
        rows, pages = self.walk(V2 + "/sessions", {"count": 37})
        self.assertEqual(rows, self.all)
        self.assertEqual(len(pages), 14)
        self.assertNotIn("next", pages[-1]["pagination"])
        self.assertNotIn("previous", pages[0]["pagination"])
        back = []
        body = pages[-1]
        while True:
            back = body["data"] + back
            prev = body["pagination"].get("previous")
            if not prev:
                break
            body = self.ok(V2 + "/sessions", {"count": 37, "before": prev["before"]})
        self.assertEqual(back, self.all)

    def test_order_by_every_key_both_directions(self):
        for key in SESSION_ORDER:
            expect = sorted(self.all, key=asc_key(key))
            for direction in ("asc", "desc"):
                with self.subTest(key=key, direction=direction):
                    rows, _ = self.walk(V2 + "/sessions", {"count": 200, "orderBy": key,
                                                           "direction": direction})
                    want = expect if direction == "asc" else expect[::-1]
                    self.assertEqual([r["id"] for r in rows], [r["id"] for r in want])

    def test_nulls_last_asc_first_desc(self):
        body = self.ok(V2 + "/sessions", {"orderBy": "customerLastEnteredAt", "direction": "desc",
                                          "count": 5})
        self.assertIsNone(body["data"][0]["customerLastEnteredAt"])
        rows, _ = self.walk(V2 + "/sessions", {"orderBy": "customerLastEnteredAt", "count": 200})
        self.assertIsNone(rows[-1]["customerLastEnteredAt"])
        self.assertIsNotNone(rows[0]["customerLastEnteredAt"])

    def test_before_and_plain_cursor_with_order(self):
        s = self.all[9]
        body = self.ok(V2 + "/sessions", {"orderBy": "createdAt", "after": s["id"], "count": 3})
        expect = sorted(self.all, key=asc_key("createdAt"))
        i = [r["id"] for r in expect].index(s["id"])
        self.assertEqual([r["id"] for r in body["data"]], [r["id"] for r in expect[i + 1:i + 4]])
        body = self.ok(V2 + "/sessions", {"orderBy": "createdAt", "before": s["id"], "count": 3,
                                          "direction": "desc"})
        self.assertEqual([r["id"] for r in body["data"]],
                         [r["id"] for r in expect[i + 1:i + 4]][::-1])
        self.assert_400(V2 + "/sessions", {"orderBy": "createdAt", "after": "99999"}, "after")

    def check_filter(self, params, pred):
        rows, _ = self.walk(V2 + "/sessions", dict(params, count=200))
        want = [r for r in self.all if pred(r)]
        self.assertEqual([r["id"] for r in rows], [r["id"] for r in want], params)
        return rows

    def test_filters(self):
        a = self.all[123]
        t0, t1 = "2025-08-10T00:00:00Z", "2025-08-12T12:00:00Z"
        within = lambda v: v is not None and ts(t0) <= ts(v) <= ts(t1)  # noqa: E731
        cases = [
            ({"id": a["id"]}, lambda r: r["id"] == a["id"]),
            ({"code": a["code"]}, lambda r: r["code"] == a["code"]),
            ({"sessionToken": a["sessionToken"]}, lambda r: r["sessionToken"] == a["sessionToken"]),
            ({"storeId": 2}, lambda r: r["storeId"] == 2),
            ({"customerId": 14}, lambda r: r["customerId"] == "14"),
            ({"minVisitors": 2}, lambda r: r["visitors"] >= 2),
            ({"maxVisitors": 1, "minVisitors": 1}, lambda r: r["visitors"] == 1),
            ({"minGroupSize": 0, "maxGroupSize": 1}, lambda r: r["groupSize"] <= 1),
            ({"minCreatedAt": t0, "maxCreatedAt": t1}, lambda r: within(r["createdAt"])),
            ({"minUpdatedAt": t0, "maxUpdatedAt": t1}, lambda r: within(r["updatedAt"])),
            ({"minExpiresAt": t0, "maxExpiresAt": t1}, lambda r: within(r["expiresAt"])),
            ({"minCodeLastSuccesfullyScannedAt": t0, "maxCodeLastSuccesfullyScannedAt": t1},
             lambda r: within(r["codeLastSuccesfullyScannedAt"])),
            ({"minCustomerLastEnteredAt": t0, "maxCustomerLastEnteredAt": t1},
             lambda r: within(r["customerLastEnteredAt"])),
            ({"status": "expired"}, lambda r: r["status"] == "expired"),
        ]
        for params, pred in cases:
            with self.subTest(params=params):
                rows = self.check_filter(params, pred)
                self.assertTrue(rows, params)
        # exact bounds are inclusive; offsets are honoured
        c = a["createdAt"]
        self.check_filter({"minCreatedAt": c, "maxCreatedAt": c}, lambda r: r["createdAt"] == c)
        plus2 = ts(c).astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
        self.check_filter({"minCreatedAt": plus2, "maxCreatedAt": plus2},
                          lambda r: r["createdAt"] == c)
        # combined filters and an order
        rows, _ = self.walk(V2 + "/sessions", {"storeId": 1, "status": "finished", "count": 50,
                                                "orderBy": "updatedAt", "direction": "desc"})
        want = sorted((r for r in self.all if r["storeId"] == 1 and r["status"] == "finished"),
                      key=asc_key("updatedAt"), reverse=True)
        self.assertEqual([r["id"] for r in rows], [r["id"] for r in want])

    def test_status_array_forms(self):
        two = lambda r: r["status"] in ("expired", "cancelled")  # noqa: E731
        self.check_filter({"status": ["expired", "cancelled"]}, two)
        raw = self.ok(V2 + "/sessions", "status=expired&status=cancelled&count=200")["data"]
        self.assertEqual(raw, [r for r in self.all if two(r)][:200])
        raw = self.ok(V2 + "/sessions", "status%5B0%5D=expired&count=200")["data"]
        self.assertEqual(raw, [r for r in self.all if r["status"] == "expired"])
        rows, _ = self.walk(V2 + "/sessions", {"status[]": ["expired", "cancelled"], "count": 200})
        self.assertEqual(rows, [r for r in self.all if two(r)])
        # a comma is not a separator by default ...
        self.assertEqual(self.ok(V2 + "/sessions", {"status": "expired,cancelled"})["data"], [])
        # ... unless the knob says so
        self.conf(array_comma=True)
        rows, _ = self.walk(V2 + "/sessions", {"status": "expired,cancelled", "count": 200})
        self.assertEqual(rows, [r for r in self.all if two(r)])

    def test_error_type_knob(self):
        # the other reading of the document's example: a query's own type
        self.conf(error_type="query")
        try:
            st, body, _ = self.get(V2 + "/sessions", {"count": 201})
            self.assertEqual(st, 400, body)
            self.assertEqual((body["message"], body["type"]),
                             ("Invalid request query", "E_INVALID_QUERY"))
        finally:
            self.conf(error_type="body")

    def test_errors(self):
        p = V2 + "/sessions"
        self.assert_400(p, {"count": 201}, "count", "number.max")
        self.assert_400(p, {"count": 0}, "count", "number.min")
        self.assert_400(p, {"count": "abc"}, "count", "number.base")
        self.assert_400(p, {"count": "1.5"}, "count", "number.integer")
        self.assert_400(p, {"count": ["1", "2"]}, "count", "number.base")
        self.assert_400(p, {"direction": "ASC"}, "direction", "any.only")
        self.assert_400(p, {"orderBy": "status"}, "orderBy", "any.only")
        self.assert_400(p, {"minVisitors": -1}, "minVisitors", "number.min")
        self.assert_400(p, {"maxVisitors": 0}, "maxVisitors", "number.min")
        self.assert_400(p, {"maxGroupSize": 0}, "maxGroupSize", "number.min")
        self.assert_400(p, {"minGroupSize": -1}, "minGroupSize", "number.min")
        for ok in ({"minVisitors": 0}, {"maxVisitors": 1}, {"minGroupSize": 0}, {"maxGroupSize": 1}):
            self.ok(p, ok)
        self.assert_400(p, {"minCreatedAt": "yesterday"}, "minCreatedAt", "date.base")
        self.assert_400(p, {"code": ""}, "code", "string.empty")
        body = self.assert_400(p, {"limit": 5}, "limit", "object.unknown")
        self.assertEqual(body["errors"][0]["error"], '"limit" is not allowed')
        self.assert_400(p, {"minCodeLastSuccessfullyScannedAt": "2025-08-01"},
                        "minCodeLastSuccessfullyScannedAt", "object.unknown")
        self.assert_400(p, {"after": "1001", "before": "1002"}, "after", "object.without")
        self.assert_400(p, {"after": "!!not a cursor!!"}, "after", "any.invalid")
        cur = self.ok(p, {"orderBy": "createdAt", "count": 1})["pagination"]["next"]["after"]
        self.assert_400(p, {"orderBy": "id", "after": cur}, "after", "any.invalid")
        self.conf(strict_params=False)
        self.assertEqual(len(self.ok(p, {"limit": 5})["data"]), 20)

    def test_cursor_is_base64_json(self):
        body = self.ok(V2 + "/sessions", {"orderBy": "customerId", "count": 3})
        cur = body["pagination"]["next"]["after"]
        self.assertTrue(cur.startswith("+/"))
        raw = base64.b64decode(cur)
        self.assertEqual(raw[:2], b"\xfb\xff")
        obj = json.loads(raw[2:])
        self.assertEqual(obj, {"id": body["data"][-1]["id"], "sortKey": "customerId",
                               "value": int(body["data"][-1]["customerId"])})
        # sent without percent-encoding, "+" becomes a space: a clear 400
        st, err, _ = self.get(V2 + "/sessions", "orderBy=customerId&after=" + cur.replace("=", "%3D"))
        self.assertEqual(st, 400)
        self.assertIn("percent-encode", err["errors"][0]["error"])
        # a bare base64 JSON cursor (no version bytes) is accepted too
        plain = base64.b64encode(json.dumps(obj).encode()).decode()
        self.assertEqual(self.ok(V2 + "/sessions", {"orderBy": "customerId", "after": plain}),
                         self.ok(V2 + "/sessions", {"orderBy": "customerId", "after": cur}))


class OtherListTests(AifiCase):
    def test_stores_cursor(self):
        rows, pages = self.walk(V2 + "/stores", {"count": 1})
        self.assertEqual([r["id"] for r in rows], ["1", "2", "3", "4"])
        self.assertEqual(len(pages), 4)
        self.assertEqual(rows[0]["store"], {"oasisApiStoreId": 1, "aifiUniqueStoreId": "aifi-us-sea-0001"})
        rows, _ = self.walk(V2 + "/stores", {"count": 3, "orderBy": "name", "direction": "desc"})
        self.assertEqual([r["name"] for r in rows], sorted((r["name"] for r in rows), reverse=True))
        body = self.ok(V2 + "/stores", {"status": "OPEN"})
        self.assertEqual([r["id"] for r in body["data"]], ["1", "2", "3"])
        body = self.ok(V2 + "/stores", {"deploymentStatus": "TESTING"})
        self.assertEqual([r["id"] for r in body["data"]], ["4"])
        self.assertIsNone(body["data"][0]["thirdPartyId"])
        self.assertEqual(self.ok(V2 + "/stores", {"externalId": "NM-PDX-002"})["data"][0]["id"], "2")
        self.assert_400(V2 + "/stores", {"status": "open"}, "status", "any.only")
        self.conf(stores_key="stores")
        self.assertEqual(len(self.ok(V2 + "/stores")["stores"]), 4)

    def test_orders_pages(self):
        fix = self.call("/_aifi/fixtures")[1]
        whole = []
        page = 0
        while True:
            body = self.ok(V2 + "/orders", {"page": page, "pageSize": 50})
            self.assertEqual(list(body), ["data"])
            whole += body["data"]
            if len(body["data"]) < 50:
                break
            page += 1
        self.assertEqual(len(whole), fix["orders"]["count"])
        self.assertEqual([o["id"] for o in whole], list(range(1, len(whole) + 1)))
        self.assertEqual(self.ok(V2 + "/orders", {"page": 99})["data"], [])
        self.assertEqual(len(self.ok(V2 + "/orders")["data"]), 50)
        self.assertNotIn("products", whole[0])
        for o in whole:
            self.assertEqual(Decimal(o["subtotalPrice"]) + Decimal(o["totalTax"]),
                             Decimal(o["totalPrice"]))
        big = self.ok(V2 + "/orders", {"pageSize": 200, "orderBy": "totalPrice",
                                       "direction": "desc", "includeProducts": "true"})["data"]
        prices = [Decimal(o["totalPrice"]) for o in big]
        self.assertEqual(prices, sorted(prices, reverse=True))
        self.assertTrue(all(o["products"] for o in big))
        q = sum(p["quantity"] for p in big[0]["products"])
        one = self.ok(V2 + "/orders", {"id": big[0]["id"], "minTotalProductQuantity": q,
                                       "maxTotalProductQuantity": q})["data"]
        self.assertEqual([o["id"] for o in one], [big[0]["id"]])

    def test_orders_filters_and_consistency(self):
        allo = self.ok(V2 + "/orders", {"pageSize": 200})["data"] + \
            self.ok(V2 + "/orders", {"pageSize": 200, "page": 1})["data"]
        sessions = {}
        params = {"count": 200}
        while True:
            body = self.ok(V2 + "/sessions", params)
            sessions.update((s["id"], s) for s in body["data"])
            if "next" not in body["pagination"]:
                break
            params["after"] = body["pagination"]["next"]["after"]
        customers = {c["id"] for c in self.ok(V2 + "/customers")}
        for o in allo:
            s = sessions[str(o["customerShoppingSessionId"])]
            self.assertEqual((s["status"], s["storeId"], s["customerId"], s["sessionId"]),
                             ("finished", o["storeId"], o["customerId"], o["sessionId"]))
        for s in sessions.values():
            if s["customerId"] is not None:
                self.assertIn(int(s["customerId"]), customers)

        def check(params, pred):
            got = self.ok(V2 + "/orders", dict(params, pageSize=200))["data"] + \
                self.ok(V2 + "/orders", dict(params, pageSize=200, page=1))["data"]
            want = [o for o in allo if pred(o)]
            self.assertTrue(want, params)
            self.assertEqual([o["id"] for o in got], [o["id"] for o in want], params)

        t0, t1 = "2025-08-05T00:00:00Z", "2025-08-09T23:59:59Z"
        check({"storeId": 3}, lambda o: o["storeId"] == 3)
        check({"status": ["draft", "unpaid"]}, lambda o: o["status"] in ("draft", "unpaid"))
        check({"minCreatedAt": t0, "maxCreatedAt": t1},
              lambda o: ts(t0) <= ts(o["createdAt"]) <= ts(t1))
        check({"minDraftCreatedAt": t0, "maxDraftCreatedAt": t1},
              lambda o: ts(t0) <= ts(o["draftCreatedAt"]) <= ts(t1))
        check({"startTime": t0, "endTime": t1}, lambda o: ts(t0) <= ts(o["draftCreatedAt"]) <= ts(t1))
        check({"minTotalPrice": "10.5", "maxTotalPrice": "20"},
              lambda o: Decimal("10.5") <= Decimal(o["totalPrice"]) <= 20)
        check({"sessionId": allo[5]["sessionId"]}, lambda o: o["sessionId"] == allo[5]["sessionId"])
        check({"customerId": int(allo[0]["customerId"])}, lambda o: o["customerId"] == allo[0]["customerId"])
        check({"externalStatus": "failedSendingWebhook"},
              lambda o: o["externalStatus"] == "failedSendingWebhook")
        self.assert_400(V2 + "/orders", {"pageSize": 201}, "pageSize", "number.max")
        self.assert_400(V2 + "/orders", {"page": -1}, "page", "number.min")
        self.assert_400(V2 + "/orders", {"storeId": 0}, "storeId", "number.min")
        self.assert_400(V2 + "/orders", {"includeProducts": "yes"}, "includeProducts", "boolean.base")
        self.assert_400(V2 + "/orders", {"customerPaymentInstrumentBin": "411111"},
                        "customerPaymentInstrumentBin", "sim.unsupported")
        self.assert_400(V2 + "/orders", {"count": 10}, "count", "object.unknown")

    def test_products_offset(self):
        rows = []
        offset = 0
        while True:
            body = self.ok(V2 + "/products", {"offset": offset, "count": 7})
            self.assertEqual(list(body), ["products"])
            rows += body["products"]
            if len(body["products"]) < 7:
                break
            offset += 7
        self.assertEqual([p["id"] for p in rows], [str(i) for i in range(1, 61)])
        self.assertEqual(len(self.ok(V2 + "/products")["products"]), 50)
        names = [p["name"] for p in self.ok(V2 + "/products", {"sort": "name", "direction": "desc",
                                                               "count": 200})["products"]]
        self.assertEqual(names, sorted(names, reverse=True))
        p = rows[8]
        self.assertEqual(self.ok(V2 + "/products", {"barcode": [p["barcode"], rows[9]["barcode"]]})
                         ["products"], [p, rows[9]])
        self.assertEqual(self.ok(V2 + "/products", {"name": p["name"]})["products"], [p])
        cat = self.ok(V2 + "/products", {"category": "Alcohol", "count": 200})["products"]
        self.assertEqual(len(cat), 4)
        self.assertTrue(all(x["restricted"] for x in cat))
        cheap = self.ok(V2 + "/products", {"priceMin": 1, "priceMax": "2.5", "count": 200})["products"]
        self.assertEqual(cheap, [x for x in rows if 1 <= Decimal(x["price"]) <= Decimal("2.5")])
        inval = self.ok(V2 + "/products", {"invalidThumbnail": "true"})["products"]
        self.assertEqual(inval, [x for x in rows if x["invalidThumbnail"]])
        self.assert_400(V2 + "/products", {"count": 0}, "count", "number.min")
        self.assert_400(V2 + "/products", {"sort": "barcode"}, "sort", "any.only")
        self.assert_400(V2 + "/products", {"location": "A1"}, "location", "sim.unsupported")

    def test_customers_bare_array(self):
        rows = self.ok(V2 + "/customers")
        self.assertIsInstance(rows, list)
        self.assertEqual([c["id"] for c in rows], list(range(11, 131)))
        self.assertEqual(list(rows[0]), ["id", "externalId", "role", "metadata", "priority",
                                         "email", "firstName", "lastName", "phone", "createdAt",
                                         "updatedAt"])
        withmail = [c for c in rows if c["email"]]
        got = self.ok(V2 + "/customers", {"email": withmail[3]["email"].upper()})
        self.assertEqual(got, [withmail[3]])
        got = self.ok(V2 + "/customers", {"email": [withmail[0]["email"], withmail[1]["email"]]})
        self.assertEqual(got, withmail[:2])
        got = self.ok(V2 + "/customers", {"paymentInstrumentProviderId": "pm_card_%04d" % rows[0]["id"]})
        self.assertLessEqual(len(got), 1)
        ext = [c for c in rows if c["externalId"]][2]
        self.assertEqual(self.ok(V2 + "/customers", {"externalId": ext["externalId"]}), [ext])
        t0 = "2025-07-01T00:00:00Z"
        self.assertEqual(self.ok(V2 + "/customers", {"minCreatedAt": t0}),
                         [c for c in rows if ts(c["createdAt"]) >= ts(t0)])
        self.assertTrue(any(c["email"] is None for c in rows))
        self.assertTrue(any(not (c["lastName"] or "a").isascii() for c in rows))
        self.assert_400(V2 + "/customers", {"count": 10}, "count", "object.unknown")


class WebhookAndDeterminismTests(AifiCase):
    def test_doc_samples(self):
        st, body, _ = self.call("/_aifi/webhook-samples")
        self.assertEqual(st, 200)
        self.assertEqual(sorted(body), ["checkout", "entered", "left", "tracking"])
        e = body["entered"]
        self.assertEqual(e["sessionId"], "d3a00526-1864-4f6e-bb2d-46e3ab7fa780")
        self.assertEqual(e["session"]["customerSatisfaction"], 95)
        self.assertEqual(e["shopper"], {"shopperId": "string"})
        self.assertEqual(body["left"], e)
        # the document defines no body for tracking and has no checkout page:
        # nothing is invented for them
        self.assertEqual((body["tracking"], body["checkout"]), ({}, {}))
        self.assertEqual(self.call("/_aifi/webhook-samples/entered")[1], e)
        self.assertEqual(aifi.webhook_samples(), body)

    @unittest.skipUnless(os.path.exists(DOC), "vendor documentation not present")
    def test_doc_entered_verbatim(self):
        import re
        with open(DOC, encoding="utf-8") as f:
            text = f.read()
        doc = json.loads(re.search(r"-d '(.*?)'", text, re.S).group(1))
        self.assertEqual(self.call("/_aifi/webhook-samples/entered")[1], doc)

    def test_fixture_samples_and_deliveries(self):
        fix = self.call("/_aifi/fixtures")[1]
        sid = fix["webhookFixtureSessionId"]
        self.assertIsNotNone(sid)
        sess = self.ok(V2 + "/sessions", {"id": sid})["data"][0]
        smp = self.call("/_aifi/webhook-samples", {"sessionId": "fixture"})[1]
        self.assertEqual(self.call("/_aifi/webhook-samples", {"sessionId": sid})[1], smp)
        self.assertEqual(self.call("/_aifi/webhook-samples",
                                   {"sessionId": sess["sessionToken"]})[1], smp)
        ent, left = smp["entered"], smp["left"]
        self.assertEqual(list(ent), list(json.loads(aifi.DOC_ENTERED)))
        self.assertEqual(list(ent["session"]), list(json.loads(aifi.DOC_ENTERED)["session"]))
        self.assertEqual(ent["session"]["id"], int(sid))
        self.assertEqual(ent["session"]["customerId"], int(sess["customerId"]))
        self.assertEqual(ent["customer"]["id"], sess["customerId"])
        self.assertEqual(ent["timeOfOrigin"], sess["customerFirstEnteredAt"])
        self.assertIsNone(ent["session"]["customerFirstExitedAt"])
        self.assertEqual(left["timeOfOrigin"], sess["customerLastExitedAt"])
        self.assertEqual(ent["storeExternalId"], sess["store"]["thirdPartyId"])
        self.assertEqual(len(self.ok(V2 + "/orders", {"sessionId": sess["sessionId"]})["data"]), 1)
        self.assertEqual((smp["tracking"], smp["checkout"]), ({}, {}))
        dl = self.call("/_aifi/webhook-deliveries")[1]
        kinds = [d["webhook"] for d in dl]
        k = sess["visitors"]
        self.assertGreaterEqual(k, 2)
        self.assertEqual(kinds, ["entered"] * k + ["tracking"] + ["left"] * k + ["checkout"])
        self.assertTrue(all(d["payload"] == dl[0]["payload"] for d in dl[:k]))
        expired = self.ok(V2 + "/sessions", {"status": "expired", "count": 1})["data"][0]
        smp = self.call("/_aifi/webhook-samples", {"sessionId": expired["id"]})[1]
        self.assertEqual(smp, {"entered": None, "left": None, "tracking": None, "checkout": None})
        self.assertEqual(self.call("/_aifi/webhook-samples", {"sessionId": "999999"})[0], 404)

    def test_same_seed_same_bytes(self):
        def texts(seed):
            sim = simulator.Simulator(seed=seed)
            d = sim.vendors["aifi"].data()
            return [r.text for r in d.sessions + d.orders + d.customers + d.products + d.stores]
        a, b, c = texts(1), texts(1), texts(2)
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        body = self.ok(V2 + "/sessions", {"count": 3})
        self.assertEqual(json.dumps(body["data"][0], ensure_ascii=False), a[0])

    def test_data_knobs(self):
        self.conf(sessions=40, start="2025-09-01", end="2025-09-02")
        rows, _ = self.walk(V2 + "/sessions", {"count": 200})
        self.assertEqual(len(rows), 40)
        self.assertTrue(all(r["createdAt"].startswith("2025-09-0") for r in rows))
        self.sim.reset()
        self.conf(rate_limit=0)
        self.assertEqual(self.call("/_aifi/fixtures")[1]["sessions"]["count"], 500)


if __name__ == "__main__":
    unittest.main()
