"""Tests of the RetailNext simulator's datamine (python3 -m unittest discover -s test/sim)."""

import datetime as dt
import json
import unittest
import urllib.parse

from rn_common import *  # noqa: F401,F403
from rn_common import setUpModule, tearDownModule  # noqa: F401


class Datamine(RNTestCase):
    LENIENT_GREGORIAN = True     # days written yyyy-mm-dd: local midnights
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

    def test_date_names_are_the_documented_ones(self):
        # the doc's named dates are "now" and "today"; yesterday/tomorrow only under
        # date_names=extended
        rng = lambda n: [{"from": {"name": n}, "to": {"name": "now"}}]  # noqa: E731
        for n in ("yesterday", "tomorrow", "last_week"):
            st, body, _ = self.dm(date_ranges=rng(n), time_zone="America/Los_Angeles")
            self.assertEqual((st, body["ok"]), (400, False), n)
            self.assertIn("supported: now, today", body["error"])
        st, body, _ = self.dm(date_ranges=rng("today"), time_zone="America/Los_Angeles")
        self.assertEqual(st, 200)
        self.config(date_names="extended")
        st, body, _ = self.dm(date_ranges=rng("yesterday"), time_zone="America/Los_Angeles")
        self.assertEqual(st, 200)

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

    def test_extra_stores_knob(self):
        # extra_stores=n adds n New York stores with data; 0 (the default) removes them
        from vendors.retailnext.fixtures import extra_stores
        extra = [s[0] for s in extra_stores(250)]
        self.assertEqual(len(set(extra)), 250)
        st, body, _ = self.dm(locations=extra[:2])
        self.assertFalse(body["ok"])
        self.config(extra_stores=250)
        gb = [{"group": "location", "unit": ""}, {"group": "date", "unit": "days", "value": 1}]
        st, body, _ = self.dm(locations=extra[:100], group_bys=gb)
        self.assertEqual((st, body["ok"]), (200, True))
        self.assertEqual(len(body["metrics"][0]["data"]), 100)
        self.config(extra_stores=3)
        st, body, _ = self.dm(locations=extra[2:4], group_bys=gb)
        self.assertFalse(body["ok"])
        self.sim.reset()
        st, body, _ = self.dm(locations=extra[:1], group_bys=gb)
        self.assertFalse(body["ok"])

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
    LENIENT_GREGORIAN = True     # what the other forms mean, beside the Z form

    def test_documented_form_only_by_default(self):
        self.config(gregorian_forms="documented")
        good = "2021-02-01T00:00:00Z"
        for bad in ("2021-02-01", "2021-02-01T00:00:00", "2021-02-01T00:00Z",
                    "2021-02-01T00:00:00.5Z", "2021-02-01T00:00:00+00:00"):
            st, body, _ = self.dm(date_ranges=self.rng(bad, "2021-02-08T00:00:00Z"))
            self.assertEqual(st, 400, bad)
            self.assertIn("yyyy-mm-ddThh:mm:ssZ", json.dumps(body), bad)
            st, _, _ = self.dm(date_ranges=self.rng(good, bad))
            self.assertEqual(st, 400, bad)
        st, body, _ = self.dm(date_ranges=self.rng(good, "2021-02-08T00:00:00Z"))
        self.assertEqual(st, 200)
        self.assertEqual(len(body["metrics"][0]["data"]), 7)
        self.sim.reset()
        st, _, _ = self.dm(date_ranges=self.rng("2021-02-01", "2021-02-08T00:00:00Z"))
        self.assertEqual(st, 400, "the default refuses the date-only form")
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



class AnchoredGroups(RNTestCase):
    """What rn_datamine's time_range, day_of_week and multi-week grains ask
    (the requests the extension sends, the document's grammar: a date group
    of any positive value, a day_of_week group, a time range from/until) and
    the truth the differential suite compares them with."""
    LA = "America/Los_Angeles"
    LOC = [{"group": "location", "unit": "", "value": 1}]

    def ask(self, a, b, group_bys, time_ranges=None, loc=CASPAR):
        """[a, b) as the extension sends it: local midnights in UTC with a Z."""
        st, body, _ = self.dm(locations=[loc], time_zone=self.LA, group_bys=self.LOC + group_bys,
                              time_ranges=time_ranges or [{"type": "store_hours"}],
                              date_ranges=[{"from": {"gregorian": a}, "to": {"gregorian": b}}])
        self.assertEqual(st, 200, body)
        return body["metrics"][0]["data"][0]["data"]

    def truth(self, **params):
        q = dict(location=CASPAR, metric="traffic_in", tz=self.LA,
                 **{"from": "2021-01-01T00:00:00Z", "to": "2021-01-02T00:00:00Z"})
        q.update(params)
        st, body, _ = self.call("/_sim/truth/retailnext/rn_datamine?" + urllib.parse.urlencode(q))
        self.assertEqual(st, 200, body)
        return body

    def days(self, a, b, time_ranges=None):
        return {d["group"]["from"]["gregorian"]: d["value"] for d in
                self.ask(a, b, [{"group": "date", "unit": "days", "value": 1}], time_ranges)}

    def test_day_of_week_under_one_date_group_of_the_range(self):
        # 2021-02-01 .. 2021-02-28 in Los Angeles: 28 days, four of each weekday
        a, b = "2021-02-01T08:00:00Z", "2021-03-01T08:00:00Z"
        got = self.ask(a, b, [{"group": "date", "unit": "days", "value": 28},
                              {"group": "day_of_week", "unit": "", "value": 1}])
        self.assertEqual(len(got), 1)
        self.assertEqual(_labels(got), [("2021-02-01", "2021-02-28")])
        wd = got[0]["data"]
        # NRF weeks start on Sunday; the group names its weekday
        self.assertEqual([x["group"] for x in wd][:2], [{"type": "day_of_week", "name": "sunday"},
                                                        {"type": "day_of_week", "name": "monday"}])
        per_day = self.days(a, b)
        for x in wd:
            want = sum(v for d, v in per_day.items()
                       if dt.date.fromisoformat(d).strftime("%A").lower() == x["group"]["name"])
            self.assertEqual(x["value"], want, x["group"])
        # a shorter range: another value for the same weekday
        short = self.ask(a, "2021-02-08T08:00:00Z", [{"group": "date", "unit": "days", "value": 7},
                                                     {"group": "day_of_week", "unit": "", "value": 1}])
        self.assertNotEqual(short[0]["data"][0]["value"], wd[0]["value"])
        # the truth: the same rows, shown as the table shows them
        t = self.truth(grain="day_of_week", range_start="2021-02-01", range_finish="2021-02-28")
        self.assertEqual({r["day_of_week"]: r["value"] for r in t},
                         {x["group"]["name"]: x["value"] for x in wd})
        self.assertEqual({(r["period_start"], r["period_end"], r["range_start"], r["time_range"])
                          for r in t},
                         {("2021-02-01 00:00:00 %s" % self.LA, "2021-03-01 00:00:00 %s" % self.LA,
                           "2021-02-01", "store_hours")})

    def test_two_weeks_start_at_the_week_holding_the_range_start(self):
        # Wednesday 2021-02-03 .. Tuesday 2021-03-02: NRF weeks start on Sunday 01-31
        a, b = "2021-02-03T08:00:00Z", "2021-03-03T08:00:00Z"
        got = self.ask(a, b, [{"group": "date", "unit": "weeks", "value": 2}])
        self.assertEqual(_labels(got), [("2021-01-31", "2021-02-13"), ("2021-02-14", "2021-02-27"),
                                        ("2021-02-28", "2021-03-13")])
        per_day = self.days(a, b)
        for x in got:
            f, t = x["group"]["from"]["gregorian"], x["group"]["through"]["gregorian"]
            self.assertEqual(x["value"], sum(v for d, v in per_day.items() if f <= d <= t))
        t = self.truth(grain="2 weeks", range_start="2021-02-03", range_finish="2021-03-02")
        self.assertEqual([(r["period_start"][:10], r["period_end"][:10], r["value"]) for r in t],
                         [(x["group"]["from"]["gregorian"],
                           str(dt.date.fromisoformat(x["group"]["through"]["gregorian"]) + dt.timedelta(days=1)),
                           x["value"]) for x in got])
        # another start: other periods
        other = self.ask("2021-02-10T08:00:00Z", b, [{"group": "date", "unit": "weeks", "value": 2}])
        self.assertEqual(_labels(other)[0], ("2021-02-07", "2021-02-20"))
        # the other reading: n weeks from the range's first day (a week of
        # value 1 stays the calendar's)
        self.config(week_groups="from_first_day")
        got = self.ask(a, b, [{"group": "date", "unit": "weeks", "value": 2}])
        self.assertEqual(_labels(got), [("2021-02-03", "2021-02-16"), ("2021-02-17", "2021-03-02")])
        self.assertEqual(sum(x["value"] for x in got), sum(per_day.values()))
        one = self.ask(a, b, [{"group": "date", "unit": "weeks", "value": 1}])
        self.assertEqual(_labels(one)[0], ("2021-01-31", "2021-02-06"))
        t = self.truth(grain="2 weeks", range_start="2021-02-03", range_finish="2021-03-02")
        self.assertEqual([(r["period_start"][:10], r["value"]) for r in t],
                         [(x["group"]["from"]["gregorian"], x["value"]) for x in got])

    def test_time_range_of_the_wall_clock(self):
        a, b = "2021-02-01T08:00:00Z", "2021-02-08T08:00:00Z"
        noon = self.days(a, b, [{"from": "10:00", "until": "14:00"}])
        store = self.days(a, b)
        self.assertTrue(all(noon[d] < store[d] for d in noon))
        t = self.truth(grain="day", time_range="10:00-14:00", **{"from": "2021-02-01T08:00:00Z",
                                                                "to": "2021-02-08T07:00:00Z"})
        self.assertEqual({r["period_start"][:10]: r["value"] for r in t if r["period_start"][:10] in noon},
                         noon)
        self.assertEqual({r["time_range"] for r in t}, {"10:00-14:00"})
        # the table option hours 'all_day' is the range 00:00-24:00
        t1 = self.truth(grain="day", hours="all_day")
        t2 = self.truth(grain="day", time_range="00:00-24:00")
        self.assertEqual(t1, t2)
        # a weekday over a time range: its wall-clock days
        wd = self.ask(a, b, [{"group": "date", "unit": "days", "value": 7},
                             {"group": "day_of_week", "unit": "", "value": 1}],
                      [{"from": "10:00", "until": "14:00"}])[0]["data"]
        t = self.truth(grain="day_of_week", time_range="10:00-14:00",
                       range_start="2021-02-01", range_finish="2021-02-07")
        self.assertEqual({r["day_of_week"]: r["value"] for r in t},
                         {x["group"]["name"]: x["value"] for x in wd})

    def test_truth_refuses_what_it_cannot_answer(self):
        for bad in (dict(grain="day_of_week"), dict(grain="day", time_range="14:00-10:00"),
                    dict(grain="day", time_range="10:00")):
            q = dict(location=CASPAR, metric="traffic_in", tz=self.LA,
                     **{"from": "2021-01-01T00:00:00Z", "to": "2021-01-02T00:00:00Z"})
            q.update(bad)
            st, _, _ = self.call("/_sim/truth/retailnext/rn_datamine?" + urllib.parse.urlencode(q))
            self.assertEqual(st, 400, bad)

if __name__ == "__main__":
    unittest.main()
