"""What the RetailNext simulator tests share: fixtures, the module's simulator, RNTestCase.

A test module does `from rn_common import *` and names setUpModule and
tearDownModule, so that each module runs one simulator of its own.
"""

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

    # the request forms of gregorian beyond the document's (date-only, no
    # designator, offsets), for tests of what those forms mean
    LENIENT_GREGORIAN = False

    def setUp(self):
        self.sim.reset()
        if self.LENIENT_GREGORIAN:
            self.config(gregorian_forms="lenient")

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
