"""Unit tests of the vendor simulator (python3 -m unittest discover -s test/sim)."""

import datetime as dt
import http.client
import json
import os
import sys
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import simulator  # noqa: E402

TOKEN = "journey-secret-token"
VJE = "/bi/visit-journey-events/"


class SimTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = simulator.Simulator(seed=1)
        cls.info = cls.sim.start()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.sim.reset()

    def url(self, vendor, path, **params):
        u = self.info[vendor]["url"] + path
        if params:
            u += "?" + urllib.parse.urlencode(params)
        return u

    def get(self, url, headers=None, method="GET", body=None):
        req = urllib.request.Request(url, headers=headers or {}, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null"), r.headers
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null"), e.headers

    def control(self, path, body):
        return self.get(self.info["journey"]["url"] + path, method="POST", body=body,
                        headers={"Content-Type": "application/json"})


class JourneyTests(SimTestCase):
    AUTH = {"Authorization": "Bearer " + TOKEN}

    def day(self, **extra):
        params = dict(datetime_gte="2025-08-03T00:00:00Z", datetime_lte="2025-08-03T23:59:59Z")
        params.update(extra)
        return self.url("journey", VJE, **params)

    def test_auth(self):
        st, body, _ = self.get(self.day())
        self.assertEqual(st, 401)
        self.assertIn("detail", body)
        st, _, _ = self.get(self.day(), {"Authorization": "Bearer nope"})
        self.assertEqual(st, 401)
        st, _, _ = self.get(self.day(), {"X-Api-Key": TOKEN})
        self.assertEqual(st, 200)

    def test_required_range(self):
        st, body, _ = self.get(self.url("journey", VJE, datetime_gte="2025-08-03"), self.AUTH)
        self.assertEqual(st, 400)
        self.assertIn("datetime_lte", body)
        st, _, _ = self.get(self.day(datetime_gte="yesterday"), self.AUTH)
        self.assertEqual(st, 400)

    def test_doc_example_verbatim(self):
        st, body, _ = self.get(self.url("journey", VJE, store_code="SM-001",
                                        datetime_gte="2025-08-12T00:00:00Z",
                                        datetime_lte="2025-08-12T23:59:59Z"), self.AUTH)
        self.assertEqual(st, 200)
        self.assertEqual(body["count"], 6)
        self.assertIsNone(body["next"])
        self.assertEqual([r["dwell_time_seconds"] for r in body["results"]],
                         [190, 540, 310, 460, 380, 260])
        self.assertEqual(body["results"][0]["zone_entered_from"], "Outside")

    def test_paging_covers_everything_once(self):
        st, whole, _ = self.get(self.day(page_size=10000), self.AUTH)
        self.assertEqual(st, 200)
        self.assertGreater(whole["count"], 50)
        seen = []
        url = self.day(page_size=17)
        pages = 0
        while url:
            st, body, _ = self.get(url, self.AUTH)
            self.assertEqual(st, 200)
            self.assertEqual(body["count"], whole["count"])
            seen.extend(body["results"])
            url = body["next"]
            pages += 1
        self.assertEqual(seen, whole["results"])
        self.assertEqual(pages, -(-whole["count"] // 17))

    def test_no_event_ends_after_now(self):
        journey = self.sim.vendors["journey"]
        today = journey.started.date()
        span = dict(datetime_gte=(today - dt.timedelta(days=1)).isoformat() + "T00:00:00Z",
                    datetime_lte=(today + dt.timedelta(days=2)).isoformat() + "T00:00:00Z",
                    page_size=10000)
        st, body, _ = self.get(self.url("journey", VJE, **span), self.AUTH)
        self.assertEqual(st, 200)
        ends = [r["event_end"] for r in body["results"]]
        self.assertGreater(len(ends), 0)
        limit = journey.started.strftime("%Y-%m-%dT%H:%M:%S")
        self.assertTrue(all(e[:19] <= limit for e in ends), max(ends))
        # until "none": the generated days whole, tomorrow's visits included
        self.control("/_sim/config", {"journey": {"until": "none"}})
        try:
            st, whole, _ = self.get(self.url("journey", VJE, **span), self.AUTH)
            self.assertGreater(max(r["event_end"] for r in whole["results"])[:19], limit)
        finally:
            self.control("/_sim/config", {"journey": {"until": None}})

    def test_response_cache_serves_the_same_bytes(self):
        journey = self.sim.vendors["journey"]
        st, plain, _ = self.get(self.day(page_size=7, page=2), self.AUTH)
        self.assertEqual(st, 200)
        self.control("/_sim/config", {"journey": {"response_cache": "1"}})
        try:
            for _ in range(2):
                st, body, _ = self.get(self.day(page_size=7, page=2), self.AUTH)
                self.assertEqual(st, 200)
                self.assertEqual(body, plain)
            self.assertEqual(len(journey.responses), 1)
            # errors and auth are never cached
            st, _, _ = self.get(self.day(page_size=7, page=2))
            self.assertEqual(st, 401)
            st, _, _ = self.get(self.day(page_size=7, page=99), self.AUTH)
            self.assertEqual(st, 404)
            self.assertEqual(len(journey.responses), 1)
            # faults still apply to cached answers
            self.control("/_sim/faults", {"vendor": "journey", "status": 503})
            st, _, _ = self.get(self.day(page_size=7, page=2), self.AUTH)
            self.assertEqual(st, 503)
        finally:
            self.control("/_sim/config", {"journey": {"response_cache": "0"}})
        self.assertEqual(journey.responses, {})

    def test_inclusive_bounds_and_store_filter(self):
        st, whole, _ = self.get(self.day(page_size=10000, store_code="SM-002"), self.AUTH)
        rows = whole["results"]
        self.assertTrue(all(r["store_code"] == "SM-002" for r in rows))
        first = rows[0]["event_start"]
        st, body, _ = self.get(self.day(datetime_gte=first, datetime_lte=first,
                                        store_code="SM-002"), self.AUTH)
        self.assertGreaterEqual(body["count"], 1)
        self.assertTrue(all(r["event_start"] == first for r in body["results"]))

    def test_deterministic(self):
        _, a, _ = self.get(self.day(page_size=10000), self.AUTH)
        _, b, _ = self.get(self.day(page_size=10000), self.AUTH)
        self.assertEqual(a, b)

    def test_limits(self):
        st, _, _ = self.get(self.day(page_size=10001), self.AUTH)
        self.assertEqual(st, 400)
        st, body, _ = self.get(self.day(page=999), self.AUTH)
        self.assertEqual(st, 404)
        self.assertEqual(body, {"detail": "Invalid page."})


class TruthTests(SimTestCase):
    """GET /_sim/truth/<vendor>/<resource>: every row, as the API shapes it."""
    AUTH = {"Authorization": "Bearer " + TOKEN}

    def truth(self, vendor, resource, **params):
        return self.get(self.url(vendor, "/_sim/truth/%s/%s" % (vendor, resource), **params))

    def test_journey_truth_is_the_apis_rows_and_edges_add_rows(self):
        rng = dict(datetime_gte="2025-10-26T00:00:00Z", datetime_lte="2025-10-26T23:59:59.999999Z")
        self.control("/_sim/config", {"journey": {"edges": 1}})
        try:
            st, rows, _ = self.truth("journey", "visit_journey_events",
                                     **{"from": rng["datetime_gte"], "to": rng["datetime_lte"]})
            self.assertEqual(st, 200)
            _, api, _ = self.get(self.url("journey", VJE, page_size=10000, **rng), self.AUTH)
            self.assertEqual(rows, api["results"])
            starts = {r["event_start"] for r in rows}
            # the UTC day's last microsecond, Berlin's DST change, local midnights
            for t in ("2025-10-26T00:00:00Z", "2025-10-26T23:59:59.999999Z",
                      "2025-10-26T00:59:59.999999Z", "2025-10-26T01:00:00Z",
                      "2025-10-26T22:59:59.999999Z", "2025-10-26T03:59:59.999999Z"):
                self.assertIn(t, starts)
        finally:
            self.control("/_sim/config", {"journey": {"edges": 0}})
        _, plain, _ = self.truth("journey", "visit_journey_events",
                                 **{"from": rng["datetime_gte"], "to": rng["datetime_lte"]})
        self.assertNotIn("2025-10-26T23:59:59.999999Z", {r["event_start"] for r in plain})
        self.assertEqual(len(rows) - len(plain), 3 * 9)

    def test_journey_truth_needs_a_bounded_window(self):
        st, _, _ = self.truth("journey", "visit_journey_events")
        self.assertEqual(st, 400)
        st, _, _ = self.truth("journey", "visit_journey_events",
                              **{"from": "2025-08-01T00:00:00Z", "to": "2025-12-01T00:00:00Z"})
        self.assertEqual(st, 400)

    def test_other_vendors_and_unknown_resources(self):
        st, rows, _ = self.truth("aifi", "aifi_sessions")
        self.assertEqual(st, 200)
        self.assertGreater(len(rows), 10)
        self.assertIn("createdAt", rows[0])
        st, rows, _ = self.truth("inspector", "ic_visits")
        self.assertEqual(st, 200)
        self.assertIn(324096, [r["id"] for r in rows])
        st, _, _ = self.truth("aifi", "no_such_table")
        self.assertEqual(st, 404)
        # Inspector children: one row per element, keyed by column name
        _, visits, _ = self.truth("inspector", "ic_visits")
        st, images, _ = self.truth("inspector", "ic_visit_images")
        self.assertEqual(st, 200)
        self.assertEqual(len(images), sum(len(sc["images"]) for v in visits for sc in v["scenes"]))
        im = images[0]
        self.assertEqual(set(im) >= {"visit_id", "scene_id", "image_id", "created_at",
                                     "visit_created_at"}, True)
        self.assertNotEqual(im["created_at"], im["visit_created_at"])
        _, prices, _ = self.truth("inspector", "ic_visit_prices")
        by_id = {v["id"]: v for v in visits}
        self.assertEqual(prices[0]["created_at"], by_id[prices[0]["visit_id"]]["created_at"])
        _, answers, _ = self.truth("inspector", "ic_visit_answers")
        self.assertIn("Промо выполняется", {a["answer_text"] for a in answers})
        # rn_datamine: per location, metric, grain and zone (no table of all rows)
        st, _, _ = self.truth("retailnext", "rn_datamine")
        self.assertNotEqual(st, 200)
        q = {"location": "2512a786-a117-11ea-874c-8000df845ed7", "metric": "traffic_in",
             "tz": "America/New_York", "from": "2021-01-12T05:00:00Z", "to": "2021-01-13T05:00:00Z"}
        st, days, _ = self.truth("retailnext", "rn_datamine", grain="day", **q)
        self.assertEqual(st, 200)
        _, quarters, _ = self.truth("retailnext", "rn_datamine", grain="15 minutes", **q)
        day = [r for r in days if r["period_start"] == "2021-01-12 00:00:00 America/New_York"]
        self.assertEqual(len(day), 1)
        self.assertEqual(day[0]["period_end"], "2021-01-13 00:00:00 America/New_York")
        self.assertEqual(day[0]["value"], sum(r["value"] for r in quarters
                                              if r["period_start"].startswith("2021-01-12 ")))
        # hours=all_day: every slot of the calendar day, so a day holds at
        # least its business hours and is the sum of its 96 quarters
        st, all_days, _ = self.truth("retailnext", "rn_datamine", grain="day", hours="all_day", **q)
        self.assertEqual(st, 200)
        _, all_quarters, _ = self.truth("retailnext", "rn_datamine", grain="15 minutes",
                                        hours="all_day", **q)
        all_day = [r for r in all_days if r["period_start"] == "2021-01-12 00:00:00 America/New_York"]
        self.assertEqual(len(all_day), 1)
        of_day = [r for r in all_quarters if r["period_start"].startswith("2021-01-12 ")]
        self.assertEqual(len(of_day), 96)
        self.assertEqual(all_day[0]["value"], sum(r["value"] for r in of_day))
        self.assertGreater(all_day[0]["value"], day[0]["value"])
        st, _, _ = self.truth("retailnext", "rn_datamine", grain="day", hours="night", **q)
        self.assertEqual(st, 400)


class ControlTests(SimTestCase):
    AUTH = {"Authorization": "Bearer " + TOKEN}

    def day(self):
        return self.url("journey", VJE, datetime_gte="2025-08-03", datetime_lte="2025-08-04")

    def test_record_and_reset(self):
        self.get(self.day(), self.AUTH)
        recs = self.get(self.url("journey", "/_sim/requests"))[1]
        self.assertEqual(len(recs), 1)
        self.assertEqual(recs[0]["status"], 200)
        self.assertNotIn("authorization", recs[0]["headers"])
        self.control("/_sim/reset", {})
        self.assertEqual(self.get(self.url("journey", "/_sim/requests"))[1], [])

    def test_status_fault_times_and_retry_after(self):
        self.control("/_sim/faults", {"path_contains": "/bi/", "status": 429,
                                      "retry_after": "2", "times": 1})
        st, _, hdrs = self.get(self.day(), self.AUTH)
        self.assertEqual(st, 429)
        self.assertEqual(hdrs["Retry-After"], "2")
        st, _, _ = self.get(self.day(), self.AUTH)
        self.assertEqual(st, 200)

    def test_skip_and_every(self):
        self.control("/_sim/faults", {"status": 503, "skip": 1, "every": 2, "times": -1})
        got = [self.get(self.day(), self.AUTH)[0] for _ in range(5)]
        self.assertEqual(got, [200, 503, 200, 503, 200])

    def test_truncate_and_reset_break_the_body(self):
        for kind in ("truncate", "reset"):
            self.control("/_sim/reset", {})
            self.control("/_sim/faults", {"kind": kind})
            u = urllib.parse.urlsplit(self.day())
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            conn.request("GET", u.path + "?" + u.query, headers=self.AUTH)
            resp = conn.getresponse()
            with self.assertRaises((http.client.IncompleteRead, ConnectionError)):
                resp.read()
            conn.close()

    def test_malformed_and_wrong_shape(self):
        self.control("/_sim/faults", {"kind": "malformed"})
        req = urllib.request.Request(self.day(), headers=self.AUTH)
        with urllib.request.urlopen(req, timeout=5) as r:
            with self.assertRaises(ValueError):
                json.loads(r.read())
        self.control("/_sim/faults", {"kind": "wrong_shape"})
        st, body, _ = self.get(self.day(), self.AUTH)
        self.assertEqual(st, 200)
        self.assertIsInstance(body, list)

    def test_redirect_goes_elsewhere(self):
        self.control("/_sim/faults", {"kind": "redirect"})
        conn = http.client.HTTPConnection("127.0.0.1", self.info["journey"]["port"], timeout=5)
        conn.request("GET", VJE, headers=self.AUTH)
        resp = conn.getresponse()
        self.assertEqual(resp.status, 302)
        self.assertTrue(resp.getheader("Location").startswith("http://127.0.0.2:"))
        conn.close()

    def test_text_log_is_sorted_and_filterable(self):
        self.get(self.url("journey", VJE, datetime_gte="2025-08-05", datetime_lte="2025-08-06"), self.AUTH)
        self.get(self.day(), self.AUTH)
        with urllib.request.urlopen(self.url("journey", "/_sim/requests.txt"), timeout=5) as r:
            lines = r.read().decode().splitlines()
        self.assertEqual(lines, sorted(lines))
        self.assertTrue(lines[0].startswith("journey GET /bi/visit-journey-events/?datetime_gte=2025-08-03"))
        self.assertTrue(lines[0].endswith("-> 200"))
        with urllib.request.urlopen(self.url("journey", "/_sim/requests.txt", contains="08-05"),
                                    timeout=5) as r:
            self.assertEqual(len(r.read().decode().splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
