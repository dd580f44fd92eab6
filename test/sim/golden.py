#!/usr/bin/env python3
"""Byte-for-byte regression check of the simulator's answers.

  python3 test/sim/golden.py --record FILE     answers of the current code -> FILE
  python3 test/sim/golden.py --compare FILE    same requests again; differences -> exit 1

Starts its own simulator (seed 42, journey.stores=3, AiFi's rate limit off), sends
a fixed sequence of requests to every vendor (auth failures, 404/405, every paging
style and its last page, RetailNext's endpoints, datamine with several group_bys,
control calls that change knobs) and keeps each answer's status, headers (not
Date) and body.  Values a step needs from an earlier answer (a cursor, a page
token, an issued token, an export URL) are taken from that answer.  Meant for
refactorings that must not change behaviour; the file is not kept in the repo.
"""

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
RN_AUTH = {"Authorization": "Basic " + base64.b64encode(b"rn-access-key:rn-secret-key").decode()}
AUTH = {"journey": {"Authorization": "Bearer journey-secret-token"},
        "inspector": {"Authorization": "Token ic-secret-token"},
        "aifi": {"Authorization": "Bearer aifi-secret-token"},
        "retailnext": RN_AUTH}
CASPAR = "aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9"
SANJOSE = "dace69f6-b307-11e9-819d-0000698cf233"
FIFTH = "aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9"
UNION = "2512a786-a117-11ea-874c-8000df845ed7"
GARDEN = "af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9"
US = "286b1000-f8b1-11e7-9337-c0009584d333"
ORG = "22940210-f49b-11e6-944b-c0001cd78189"
J = "/bi/visit-journey-events/"
JQ = J + "?datetime_gte=2025-08-12T00:00:00Z&datetime_lte=2025-08-13T00:00:00Z"
IC = "/api/data/v1.3"
V2 = "/api/admin/v2"
NOAUTH = {"Authorization": None}


def dm(**kw):
    b = {"locations": [CASPAR], "metrics": ["traffic_in", "traffic_out"],
         "date_ranges": [{"from": {"gregorian": "2021-02-14"}, "to": {"gregorian": "2021-02-21"}}],
         "time_ranges": [{"type": "store_hours"}],
         "group_bys": [{"group": "date", "unit": "days", "value": 1}],
         "time_zone": "America/Los_Angeles"}
    b.update(kw)
    return b


def steps():
    """(vendor, method, path, body, headers); headers replace the vendor's auth."""
    s = []

    def add(vendor, method, path, body=None, headers=None):
        s.append((vendor, method, path, body, headers))

    # journey: auth, routing, page/page_size and its last page
    add("journey", "GET", JQ, headers=NOAUTH)
    add("journey", "GET", JQ, headers={"Authorization": "Bearer nope"})
    add("journey", "GET", JQ, headers={"Authorization": "Token journey-secret-token"})
    add("journey", "GET", JQ, headers={"Authorization": None, "X-Api-Key": "journey-secret-token"})
    add("journey", "GET", JQ, headers={"Authorization": ""})
    add("journey", "GET", "/bi/visit-journey-events")
    add("journey", "POST", JQ)
    add("journey", "GET", J)
    add("journey", "GET", J + "?datetime_gte=junk&datetime_lte=2025-08-13")
    add("journey", "GET", JQ + "&page_size=7")
    add("journey", "GET", JQ + "&page_size=7&page=2")
    add("journey", "GET", JQ + "&page_size=7&page=3&store_code=SM-002")
    add("journey", "GET", JQ + "&page_size=50&page=99")
    add("journey", "GET", JQ + "&page_size=0")
    add("journey", "GET", JQ + "&page=x")
    add("journey", "GET", J + "?datetime_gte=2025-08-01&datetime_lte=2025-08-04&page_size=200&page=2")
    # inspector: auth, routing, limit/offset
    add("inspector", "GET", IC + "/visits/", headers=NOAUTH)
    add("inspector", "GET", IC + "/visits/", headers={"Authorization": "Bearer ic-secret-token"})
    add("inspector", "GET", "/other/", headers=NOAUTH)
    add("inspector", "GET", IC + "/nothing/", headers=NOAUTH)
    add("inspector", "GET", IC + "/nothing/")
    add("inspector", "GET", IC + "/visits/")
    add("inspector", "GET", IC + "/visits/?is_new=false&limit=7&offset=14")
    add("inspector", "GET", IC + "/visits/?is_new=false&limit=500&offset=55")
    add("inspector", "GET", IC + "/visits/?is_new=0&limit=-3")
    add("inspector", "GET", IC + "/visits/?is_new=maybe")
    add("inspector", "GET", IC + "/visits/?offset=-1")
    add("inspector", "GET", IC + "/visits/?is_new=false&datetime_gte=2025-08-15T00:00:00Z&agent=5634")
    add("inspector", "GET", IC + "/visits/?is_new=false&route=164782&cid=V-500022")
    add("inspector", "GET", IC + "/visits/324096/")
    add("inspector", "GET", IC + "/visits/500008/")
    add("inspector", "GET", IC + "/visits/500002/")
    add("inspector", "GET", IC + "/visits/abc/")
    add("inspector", "POST", IC + "/visits/500008/")
    add("inspector", "GET", IC + "/visits/500008/ack/")
    add("inspector", "POST", IC + "/visits/500008/other/")
    add("inspector", "POST", IC + "/visits/500008/ack/")
    add("inspector", "GET", IC + "/visits/?limit=3")
    add("inspector", "POST", IC + "/visits/")
    add("inspector", "GET", IC + "//stores///?limit=2&offset=2")
    add("inspector", "PUT", IC + "/stores/")
    add("inspector", "GET", IC + "/sku/?limit=15&offset=10")
    add("inspector", "POST", "/_sim/config", {"inspector": {"string_ids": True, "max_limit": 5}})
    add("inspector", "GET", IC + "/visits/500015/")
    add("inspector", "GET", IC + "/visits/?is_new=false&limit=50")
    add("inspector", "POST", "/_sim/config", {"inspector": {"bogus": 1}})
    # aifi: auth, oauth, routing, cursor / page / offset paging, filters, errors
    add("aifi", "GET", V2 + "/sessions", headers=NOAUTH)
    add("aifi", "GET", V2 + "/sessions", headers={"Authorization": "Basic abc"})
    add("aifi", "GET", V2 + "/sessions", headers={"Authorization": "bearer   "})
    add("aifi", "GET", V2 + "/sessions", headers={"Authorization": "BEARER  aifi-secret-token "})
    add("aifi", "GET", V2 + "/sessions", headers={"Authorization": "Bearer wrong"})
    add("aifi", "GET", V2 + "/nothing")
    add("aifi", "POST", V2 + "/sessions")
    add("aifi", "GET", V2 + "/sessions/")
    add("aifi", "GET", V2 + "/sessions?count=3&orderBy=createdAt&direction=desc")
    add("aifi", "GET", V2 + "/sessions?count=3&after={after}&orderBy=createdAt&direction=desc")
    add("aifi", "GET", V2 + "/sessions?count=3&before={before}&orderBy=createdAt&direction=desc")
    add("aifi", "GET", V2 + "/sessions?count=5&after=1497")
    add("aifi", "GET", V2 + "/sessions?count=5&before=1003")
    add("aifi", "GET", V2 + "/sessions?count=500&after=1&before=2&direction=DESC&foo=1")
    add("aifi", "GET", V2 + "/sessions?after=+/bad")
    add("aifi", "GET", V2 + "/sessions?status=active&status[]=cancelled&storeId=2&minVisitors=0"
        "&minCreatedAt=2025-08-10T00:00:00Z&maxCreatedAt=2025-08-20")
    add("aifi", "GET", V2 + "/sessions?orderBy=customerLastEnteredAt&count=4&maxGroupSize=0")
    add("aifi", "GET", V2 + "/stores?count=2")
    add("aifi", "GET", V2 + "/stores?count=2&after={after}")
    add("aifi", "GET", V2 + "/stores?status=OPEN&orderBy=name&direction=desc")
    add("aifi", "GET", V2 + "/orders?pageSize=4&page=2&orderBy=totalPrice&direction=desc")
    add("aifi", "GET", V2 + "/orders?pageSize=200&page=1&status=paid&includeProducts=true")
    add("aifi", "GET", V2 + "/orders?page=99")
    add("aifi", "GET", V2 + "/orders?storeId=0&pageSize=x&paymentTransactionId=1")
    add("aifi", "GET", V2 + "/orders?minTotalPrice=20.5&maxTotalProductQuantity=3&customerId=14")
    add("aifi", "GET", V2 + "/products?count=5&offset=55&sort=price&direction=desc")
    add("aifi", "GET", V2 + "/products?category=Alcohol&invalidThumbnail=false&priceMin=3")
    add("aifi", "GET", V2 + "/products?location=1")
    add("aifi", "GET", V2 + "/customers?email=CHLOE.OBRIEN13@example.com&email=x@y")
    add("aifi", "GET", V2 + "/customers?minCreatedAt=2025-08-01&externalId=CUST-000020")
    add("aifi", "GET", V2 + "/customers")
    add("aifi", "POST", "/oauth/token", "grant_type=client_credentials&client_id=aifi-client"
        "&client_secret=aifi-client-secret", {"Authorization": None,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    add("aifi", "GET", V2 + "/stores", headers={"Authorization": "Bearer {token}"})
    add("aifi", "POST", "/oauth/token", {"grant_type": "password", "client_id": "aifi-client",
                                         "client_secret": "aifi-client-secret"}, NOAUTH)
    add("aifi", "POST", "/oauth/token", "grant_type=client_credentials", {
        "Authorization": "Basic " + base64.b64encode(b"aifi-client:bad").decode()})
    add("aifi", "GET", "/oauth/token", headers=NOAUTH)
    add("aifi", "POST", "/_sim/config", {"aifi": {"expire_tokens": True}})
    add("aifi", "GET", V2 + "/stores", headers={"Authorization": "Bearer {token}"})
    add("aifi", "GET", "/_aifi/fixtures", headers=NOAUTH)
    add("aifi", "GET", "/_aifi/webhook-samples/checkout?sessionId=fixture", headers=NOAUTH)
    add("aifi", "GET", "/_aifi/webhook-deliveries?sessionId=1010", headers=NOAUTH)
    add("aifi", "GET", "/_aifi/webhook-samples/nope", headers=NOAUTH)
    add("aifi", "POST", "/_sim/config", {"aifi": {"rate_limit": 1, "rate_limit_retry_after": 2}})
    add("aifi", "GET", V2 + "/stores?count=1")
    add("aifi", "GET", V2 + "/stores?count=1")
    add("aifi", "POST", "/_sim/config", {"aifi": {"rate_limit": 0, "doc_example": True,
                                                  "stores_key": "stores", "array_comma": True}})
    add("aifi", "GET", V2 + "/sessions")
    add("aifi", "GET", V2 + "/stores?status=OPEN,CLOSED")
    add("aifi", "GET", V2 + "/orders?status=paid,draft&pageSize=2")
    # retailnext: auth, routing (404/405 + Allow), header and token paging, every endpoint
    add("retailnext", "GET", "/v1/location", headers=NOAUTH)
    add("retailnext", "GET", "/v1/location", headers={
        "Authorization": "Basic " + base64.b64encode(b"rn-access-key:x").decode()})
    add("retailnext", "GET", "/v1/nothing", headers=NOAUTH)
    add("retailnext", "DELETE", "/v1/users")
    add("retailnext", "GET", "/v2/location/create")
    add("retailnext", "GET", "/v1/location/")
    add("retailnext", "GET", "/v1/location", headers=dict(RN_AUTH, **{"X-Page-Length": "7"}))
    add("retailnext", "GET", "/v1/location", headers=dict(RN_AUTH, **{"X-Page-Length": "7",
                                                                       "X-Page-Start": "{xnext}"}))
    add("retailnext", "GET", "/v1/location", headers=dict(RN_AUTH, **{"X-Page-Start": "30"}))
    add("retailnext", "GET", "/v1/location", headers=dict(RN_AUTH, **{"X-Page-Length": "0"}))
    add("retailnext", "GET", "/v1/location", headers=dict(RN_AUTH, **{"X-Page-Start": "x"}))
    add("retailnext", "GET", "/v1/users?type=sso", headers=dict(RN_AUTH, **{"X-Page-Length": "500"}))
    add("retailnext", "GET", "/v1/users?email=rnuser@domain.com")
    add("retailnext", "GET", "/v1/users?type=bot")
    add("retailnext", "GET", "/v1/user_profiles")
    add("retailnext", "GET", "/v1/user_profiles/64178848-bbf4-11e8-8fcb-40000e637ca1")
    add("retailnext", "GET", "/v1/location_profiles/nope")
    add("retailnext", "GET", "/v1/location_profiles", headers=dict(RN_AUTH, **{"X-Page-Length": "2"}))
    add("retailnext", "GET", "/v1/fpafloorplans")
    add("retailnext", "GET", "/v1/fpafloorplans/e0acd09e-2e7a-11ea-8b1a-40002569de69")
    add("retailnext", "GET", "/v1/stores/%s/fpafloorplans" % FIFTH)
    add("retailnext", "GET", "/v1/stores/%s/fpafloorplans" % US)
    add("retailnext", "POST", "/v2/location", {"where": {"location_types": ["store"]},
                                               "extra_fields": ["store.time_zone", "store.store_id"]})
    add("retailnext", "POST", "/v2/location", {"where": {"or": [{"uuids": [CASPAR]},
                                                                {"location_types": ["entrance"]}]}})
    add("retailnext", "POST", "/v2/location", {"where": {"location_types": ["organization"]}})
    add("retailnext", "POST", "/v2/location", b"{not json")
    add("retailnext", "POST", "/v2/location/create", {"name": "Kiosk", "parent_UUID": CASPAR,
                                                      "location_type": "display", "area": 12})
    add("retailnext", "POST", "/v2/location/create", {"name": "West", "parent_uuid": US,
                                                      "location_type": "region"})
    add("retailnext", "POST", "/v2/location/create", {"name": "S", "parent_uuid": US,
                                                      "location_type": "store"})
    add("retailnext", "PUT", "/v2/location/" + CASPAR, {"occupancy_limit": 60, "area": 999})
    add("retailnext", "PUT", "/v2/location/nope", {"name": "x"})
    add("retailnext", "POST", "/v2/location/" + CASPAR, {"name": "x"})
    add("retailnext", "POST", "/v1/storehours", {"stores": [CASPAR, UNION], "start_date": "2021-01-15T00:00:00Z",
                                                 "end_date": "2021-01-22T00:00:00Z"})
    add("retailnext", "POST", "/v1/storehours", {"stores": [FIFTH], "start_date": "2020-11-20T00:00:00Z",
                                                 "end_date": "2021-03-01T00:00:00Z"},
        dict(RN_AUTH, **{"X-Page-Start": "40"}))
    add("retailnext", "POST", "/v1/storehours", {"stores": "nope", "start_date": "2021-01-15T00:00:00Z",
                                                 "end_date": "2021-01-22T00:00:00Z"})
    add("retailnext", "POST", "/v2/datamine", dm())
    add("retailnext", "POST", "/v2/datamine", dm(
        locations=[US, FIFTH, SANJOSE], metrics=["traffic_in", "conversion_rate", "occupancy_limit", "bogus"],
        group_bys=[{"group": "location", "unit": ""}, {"group": "date", "unit": "weeks", "value": 1}]))
    add("retailnext", "POST", "/v2/datamine", dm(
        date_ranges=[{"from": {"gregorian": "2021-02-15T00:00:00Z"}, "to": {"gregorian": "2021-02-16"}}],
        time_ranges=[{"from": "09:00", "until": "13:00"}],
        group_bys=[{"group": "time", "unit": "minutes", "value": 30}]))
    add("retailnext", "POST", "/v2/datamine", dm(
        locations=[UNION], metrics=["passby_traffic", "avg_dwell_duration", "net_sales", "staff_count"],
        date_ranges=[{"from": {"absolute": {"year": 2020, "month": 1}},
                      "to": {"relative": {"add_months": 3}}}],
        group_bys=[{"group": "date", "unit": "months", "value": 1}, {"group": "day_of_week", "unit": ""}]))
    add("retailnext", "POST", "/v2/datamine", dm(
        locations=[UNION], date_ranges=[{"from": {"gregorian": "2021-02-19"}, "to": {"gregorian": "2021-02-21"}}],
        group_bys=[{"group": "date", "unit": "days", "value": 1}, {"group": "time", "unit": "hours", "value": 1}]))
    add("retailnext", "POST", "/v2/datamine", dm(
        locations=[GARDEN, CASPAR], time_zone=None, metrics=["traffic_in"],
        date_ranges=[{"from": {"gregorian": "2020-01-01"}, "to": {"gregorian": "2021-01-01"}}],
        group_bys=[{"group": "date", "unit": "years", "value": 1}, {"group": "location"}]))
    add("retailnext", "POST", "/v2/datamine", dm(
        date_ranges=[{"from": {"relative": {"add_weeks": -1}},
                      "to": {"relative": {"base": {"name": "now"}, "truncate_to": "week"}}}]))
    add("retailnext", "POST", "/v2/datamine", dm(
        locations=[SANJOSE], metrics=["total_occupancy", "occupancy_limit"],
        date_ranges=[{"from": {"name": "today"}, "to": {"name": "now"}}],
        group_bys=[{"group": "location", "unit": "", "value": 0}], time_zone="local"))
    add("retailnext", "POST", "/v2/datamine", dm(group_bys=[{"group": "date", "unit": "fortnights", "value": 1}]))
    add("retailnext", "POST", "/v2/datamine", dm(date_ranges=[{"from": {"gregorian": "2015-01-01"},
                                                              "to": {"gregorian": "2021-01-01"}}]))
    add("retailnext", "POST", "/v1/occupancy/adjust", {"store_uuid": SANJOSE, "adjustment_count": 4})
    add("retailnext", "POST", "/v1/occupancy/adjust", {"store_uuid": SANJOSE, "adjustment_count": 1,
                                                       "adjustment_date": "2021-03-03T03:00:00Z"})
    add("retailnext", "POST", "/v1/users", {"user": {"email": "new@x.com", "type": "sso",
                                                      "user_profile_id": "8b26a6c0-5027-11eb-8039-8000f92819c5",
                                                      "location_ids": [CASPAR]}})
    add("retailnext", "POST", "/v1/users", {"user": {"email": "new@x.com", "type": "local"}})
    add("retailnext", "PUT", "/v1/users/dc2e3c2e-5029-11eb-8b74-40002f864577",
        {"location_profile_id": "fb1fcd84-7b9c-11e7-937e-4000eba63dc2"})
    add("retailnext", "POST", "/v1/healthalerts", {"start_time": "2021-01-22T00:00:00Z"},
        dict(RN_AUTH, **{"X-Page-Length": "5"}))
    add("retailnext", "POST", "/v1/healthalerts", None, dict(RN_AUTH, **{"X-Page-Start": "330"}))
    add("retailnext", "POST", "/v1/predictedtraffic", {"store_uuid": FIFTH, "first_day": "2021-03-17",
                                                       "last_day": "2021-03-18"})
    add("retailnext", "POST", "/v1/predictedtraffic", {"store_uuid": FIFTH, "first_day": "2021-03-01",
                                                       "last_day": "2021-03-02"})
    add("retailnext", "POST", "/v1/zone_transitions", {
        "locations": ["cdf7322e-3329-11ea-8e45-80003c755d3e", "f1cc33f2-3329-11ea-9b32-80001a18e60d"],
        "date_ranges": [{"start": "2021-02-15", "finish": "2021-02-22"}], "metrics": ["customer"],
        "transitions": "direct_and_indirect", "dwells": "all_traffic",
        "time_ranges": [{"start": "10:30", "finish": "13:00"}], "days_of_week": ["friday", "saturday"]})
    add("retailnext", "POST", "/v1/zone_transitions", {"locations": [FIFTH], "transitions": "directionless",
                                                       "date_ranges": [{"start": "2021-01-01", "finish": "2021-01-03"}]})
    add("retailnext", "GET", "/v1/inventory/cameras", headers=dict(RN_AUTH, **{"X-Page-Length": "40"}))
    add("retailnext", "GET", "/v1/inventory/cameras", headers=dict(RN_AUTH, **{"X-Page-Length": "40",
                                                                                "X-Page-Start": "{next_page}"}))
    add("retailnext", "GET", "/v1/inventory/cameras", headers=dict(RN_AUTH, **{"X-Page": "end"}))
    add("retailnext", "GET", "/v1/inventory/cameras?store_uuid=" + UNION)
    add("retailnext", "GET", "/v1/inventory/cameras?store_uuid=nope")
    add("retailnext", "GET", "/v1/inventory/channels", headers=dict(RN_AUTH, **{"X-Page-Start": "Hbad"}))
    add("retailnext", "GET", "/v1/inventory/channels", headers=dict(RN_AUTH, **{"X-Page-Length": "50"}))
    add("retailnext", "GET", "/v1/inventory/channels", headers=dict(RN_AUTH, **{"X-Page-Length": "50",
                                                                                 "X-Page-Start": "{next_page}"}))
    add("retailnext", "GET", "/v1/inventory/appliances")
    add("retailnext", "POST", "/v1/video/export/start?channel=9290bc70-3480-11ea-81c9-c000c7e8079e"
        "&start=2021-03-01T10:00:00Z&end=2021-03-01T10:05:00Z")
    for _ in range(3):
        add("retailnext", "GET", "{location}")
    add("retailnext", "GET", "{download}", headers=NOAUTH)
    add("retailnext", "GET", "{download}")
    add("retailnext", "POST", "{download}", headers=NOAUTH)
    add("retailnext", "DELETE", "{location}")
    add("retailnext", "GET", "{location}")
    add("retailnext", "POST", "/v1/video/export/start?channel=7f1e0c9a-0000-11eb-8000-00000000b001"
        "&start=2021-03-01T10:00:00Z&end=2021-03-01T10:05:00Z")
    for _ in range(3):
        add("retailnext", "GET", "{location}")
    add("retailnext", "POST", "/v1/video/export/start?channel=nope&start=x")
    add("retailnext", "POST", "/v1/hlsapitoken", {"location_uuid": UNION})
    add("retailnext", "GET", "/v1/hls/f2b81aa0-8c90-11eb-9d08-c00017306bd8.m3u8?token={hls}", headers=NOAUTH)
    add("retailnext", "GET", "/v1/hls/f2b81aa0-8c90-11eb-9d08-c00017306bd8/1.ts?token={hls}", headers=NOAUTH)
    add("retailnext", "GET", "/v1/hls/9290bc70-3480-11ea-81c9-c000c7e8079e.m3u8?token={hls}", headers=NOAUTH)
    add("retailnext", "GET", "/v1/hls/x.m3u8?token=bad", headers=NOAUTH)
    add("retailnext", "PUT", "/v1/hls/x.m3u8", headers=NOAUTH)
    add("retailnext", "POST", "/_sim/config", {"retailnext": {
        "calendar": "gregorian", "week_start": "monday", "range_to": "inclusive", "z_reading": "wall",
        "gregorian_z": "wall", "edge_labels": "clipped", "cap": 20, "page_next_header": "X-Next",
        "token_location_profile": "9e701012-4c76-11e7-853d-c0001c66456e"}})
    add("retailnext", "GET", "/v1/location", headers=dict(RN_AUTH, **{"X-Page-Length": "9"}))
    add("retailnext", "POST", "/v2/datamine", dm(locations=[FIFTH], date_ranges=[
        {"from": {"gregorian": "2021-02-10T00:00:00Z"}, "to": {"gregorian": "2021-02-28"}}],
        group_bys=[{"group": "date", "unit": "weeks", "value": 1}]))
    add("retailnext", "POST", "/v2/datamine", dm(locations=[FIFTH, CASPAR]))
    add("retailnext", "POST", "/v1/storehours", {"stores": [CASPAR], "start_date": "2021-01-15T00:00:00Z",
                                                 "end_date": "2021-01-16T00:00:00Z"})
    add("retailnext", "POST", "/v1/healthalerts", {"start_time": "2021-01-22T00:00:00Z"},
        dict(RN_AUTH, **{"X-Page-Length": "3"}))
    add("retailnext", "POST", "/_sim/config", {"retailnext": {"nope": 1}})
    add("retailnext", "GET", "/_sim/requests.txt?bodies=1")
    add("retailnext", "POST", "/_sim/reset", {})
    add("retailnext", "POST", "/v2/location", {"where": {"location_types": ["region"]}})
    return s


class Run:
    def __init__(self, info):
        self.ports = {v: info[v]["port"] for v in info}
        self.state = {}

    def fill(self, text):
        for k, v in self.state.items():
            text = text.replace("{%s}" % k, v)
        return text

    def send(self, vendor, method, path, body, headers):
        hdrs = dict(AUTH[vendor])
        hdrs.update(headers or {})
        path = self.fill(path)
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.ports[vendor], timeout=60)
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in hdrs.items():
            if v is not None:
                conn.putheader(k, self.fill(v))
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        out_headers = [[k, v] for k, v in resp.getheaders() if k.lower() != "date"]
        conn.close()
        self.learn(resp, data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = "base64:" + base64.b64encode(data).decode()
        port = ":%d" % self.ports[vendor]
        norm = lambda s: s.replace(port, ":PORT")  # noqa: E731
        return {"request": "%s %s %s" % (vendor, method, path), "status": resp.status,
                "headers": [[k, norm(v)] for k, v in out_headers], "body": norm(text)}

    def learn(self, resp, data):
        for h, key in (("x-page-next", "xnext"), ("Location", "location")):
            if resp.getheader(h):
                val = resp.getheader(h)
                if key == "location" and "/download/" in val:
                    self.state["download"] = urllib.parse.urlsplit(val)._replace(
                        scheme="", netloc="").geturl()
                else:
                    self.state[key] = val
        try:
            obj = json.loads(data)
        except ValueError:
            return
        if not isinstance(obj, dict):
            return
        pag = obj.get("pagination")
        if isinstance(pag, dict):
            for k, kk in (("next", "after"), ("previous", "before")):
                if pag.get(k):
                    self.state[kk] = urllib.parse.quote(pag[k][kk], safe="")
        for k, key in (("next_page", "next_page"), ("access_token", "token"), ("token", "hls")):
            if isinstance(obj.get(k), str):
                self.state[key] = obj[k]


def run():
    tmp = tempfile.mkdtemp(prefix="golden-")
    ports = os.path.join(tmp, "ports.json")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "simulator.py"), "--ports-file", ports,
                             "--seed", "42", "--option", "journey.stores=3",
                             "--option", "aifi.rate_limit=0"],
                            stdout=subprocess.DEVNULL, env=dict(os.environ, SIM_VENDORS=""))
    try:
        deadline = time.time() + 30
        while not os.path.exists(ports):
            if time.time() > deadline or proc.poll() is not None:
                raise SystemExit("the simulator did not start")
            time.sleep(0.05)
        with open(ports) as f:
            r = Run(json.load(f))
        return [r.send(*st) for st in steps()]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("--record", "--compare"):
        raise SystemExit(__doc__)
    got = run()
    if argv[1] == "--record":
        with open(argv[2], "w") as f:
            json.dump(got, f, indent=1, ensure_ascii=False)
        print("recorded %d answers" % len(got))
        return 0
    with open(argv[2]) as f:
        want = json.load(f)
    bad = 0
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            bad += 1
            print("DIFF #%d %s" % (i, w["request"]))
            for k in ("status", "headers", "body"):
                if w[k] != g[k]:
                    print("  %s: %s\n   -> %s" % (k, str(w[k])[:300], str(g[k])[:300]))
    if len(want) != len(got):
        bad += 1
        print("different number of answers: %d vs %d" % (len(want), len(got)))
    print("%d answers compared, %d differ" % (len(got), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
