"""retailnext: the RetailNext REST API (v2 locations and datamine, v1 lists).

Source: /work/shared/api-docs/retailnext-api.txt plus the RetailNext part of
NOTES.md.  Every example request in the documentation answers with the
documentation's example response (same values; "..." elisions filled in).

AUTH  HTTP basic, access key "rn-access-key", secret "rn-secret-key".  Anything
else -> 401 {"ok": false, "error": ...} with WWW-Authenticate: Basic.  The HLS
playlist/segments (token in the query) and the export download URL (signed)
take no basic auth; the download answers 400 if an Authorization header IS sent.

ERRORS  {"ok": false, "error": "<description>"}: 400 bad input (also unknown ids
inside a body), 404 unknown path or id in the path, 405 wrong method (with
Allow), 429 concurrency limit, 424 failed export.

CLOCK  The simulator's "now" is frozen at 2021-03-03T18:15:00Z (Wednesday 10:15
in Los Angeles) so that the documentation's relative examples ("last week",
"today") give the documented answers; knob now=real uses the wall clock.
Datamine has data from 2019-01-01 (knob data_start) up to the last complete
15-minute slot before now; nothing in the future.

DATAMINE  POST /v2/datamine -> {"ok", "metrics": [{"name", "ok", "data"} | {"name",
"ok": false, "error", "data": []}]}; top-level ok is false when any metric is.  One
nesting level per group_bys entry, in request order: inner nodes {"group", "index",
"data": [...]}, leaves {"value", "validity" (traffic metrics only), "group", "index"}.
Groups: location {name, qualified_name, type, uuid}; date {type, from: {gregorian, year,
month, day}, through: {...}} (see EDGES); time {type: "time", from:
"HH:MM", until: "HH:MM"} prefixed "+"/"-" for store hours past/before midnight;
day_of_week {type, name}.
DATE RANGES (the doc: gregorian is "yyyy-mm-ddThh:mm:ssZ, where 'Z' implies that the
time zone is UTC").  gregorian accepts yyyy-mm-dd, or yyyy-mm-ddThh:mm[:ss[.ffffff]]
followed by Z, +hh:mm / -hh:mm (or +hhmm), or nothing.  gregorian_z=utc (default): Z or
an offset makes an instant, converted to the query's time_zone, where it is bucketed;
date-only is local midnight and a value without designator local wall clock in that
zone.  Without time_zone each store converts into its own zone (and "name" dates are
refused).  name/absolute/relative are local wall clock of that zone; a relative with a
gregorian base converts the base first, then truncates/adds locally.  gregorian_z=wall
(the old reading): "Z" is dropped and the value read as local wall clock; numeric
offsets are refused.  range_to=exclusive (default): [from, to), as the doc's "last
week" example (truncate_to week) implies; to == from is refused.  range_to=inclusive:
a "to" at midnight -- date-only, or 00:00:00 in the frame it is written in (UTC for
Z) -- includes that whole day (in that frame); any other "to" includes the 15-minute
slot starting at that instant; to == from is allowed.  A 15-minute slot belongs to a
range when its start is inside; in store_hours mode the slots of a business day before
its local midnight ("-") or after the next ("+") are tested at the day's first/last
minute (a range holding the whole local day holds the whole business day).
EDGES  A date bucket (days x value start at the earliest "from"; weeks, months, years
x value at the calendar bucket holding it) is labelled as a whole calendar bucket, and its value
sums only the slots inside the ranges (edge_labels=whole, default; a plausible reading:
the API sums the requested range).  edge_labels=clipped: from/through of a bucket cut
by the ranges name only the days of it that some range touches.  A slot's values are
fixed by (seed, location, day, slot) and never by the request, so a whole bucket has
the same value whatever range fetched it.  Limits: 5 years for one
location, 2 for several (400).  Unknown/unpermitted location or unknown metric ->
per-metric ok false (HTTP 200).  Regions sum their stores.  time_zone "local" serves
live occupancy (fixture + /v1/occupancy/adjust adjustments) under the doc's
restrictions.  Metrics: traffic_in, traffic_out, total_occupancy (in - out),
occupancy_limit, individual_traffic_in, group_traffic_in, passby_traffic,
passby_capture_rate, conversion_rate, dwell_count, avg_dwell_duration, net_sales,
sales_transactions_count, avg_transaction_value, staff_count, labor_hours.  Values
are additive over 15-minute slots, so hours sum to days and days to weeks.

CALENDAR  NRF 4-5-4 retail calendar (fiscal year 2021 starts Sunday 2021-01-31,
weeks start Sunday), as the doc's example shows ("gregorian": "2021-02-21" is
year 2021, month 1, day 22).  Knob calendar=gregorian (week_start=sunday|monday|...).

LOCATION TREE  (location_type; time zone; store_id; occupancy_limit; area)
  22940210-f49b-11e6-944b-c0001cd78189  Acme Retail (organization = subscription uuid)
  286b1000-f8b1-11e7-9337-c0009584d333   United States (region)
  e235aee4-cf7a-11e5-973e-8000a847d47a    California (region)
  22940210-f49b-11e6-944b-c0001cd87189     Northern California (region)
  aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9      Caspar City Plaza   store LA  "50"  50  null
  01b1ed64-f49b-11e6-9ef8-400075388ff3     South Bay (region)
  86b03ba2-a117-11ea-802c-c00010892d7a      Willow Glen         store LA  "101" 15  null
  a434a682-30a0-11ea-896a-00005f259c6e      Los Gatos           store LA  "112" null 2400 (opened 2020-06-01)
  df62161a-64c8-11e6-82d4-c0008ffc38ce     San Jose (region)
  dace69f6-b307-11e9-819d-0000698cf233      San Jose Store      store LA  "120" 300 null (closed Sundays)
  3749e26c-a7da-11e8-9eae-40007c493637    New York (region)
  aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9     Fifth Avenue        store NY  "201" 250 5400
  2512a786-a117-11ea-874c-8000df845ed7     Union Square        store NY  "202" 120 3100 (Fri/Sat open to 02:00)
  af21ffd8-9e2c-11e5-9bc9-0e5ba9bee1b9     Brooklyn            store NY  "203" 80  1800
  64b13bf4-35af-11e7-9c1c-c000609b0f52   United Kingdom (region)
  af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9    Garden Station      store London "301" null 2600
  813737be-9f9d-11ea-8372-000008adea78    Covent Garden       store London "302" 90 2200 (opened 2021-02-15)
 LA = America/Los_Angeles, NY = America/New_York, London = Europe/London.
 Sublocations (parent store; location_type):
  Caspar:  5d0e32a9-7848-11eb-9ea4-c6c92111fb8c Main Entrance (entrance),
           5a07cbce-c9c6-11e9-8497-0ff107fa452b Fitting Rooms (fitting_room),
           24f99a38-5478-11eb-98ec-40002ded88bc FPA Zones (other)
  Willow:  6c41ecd2-2dee-11eb-baa5-236dae1e984a Main Entrance, 512b7ed8-f5d7-11e8-a167-51085a847a7e Window Display (display)
  SanJose: 31b5b279-e0e6-11e0-9603-55086f265965 Main Entrance, 4d582640-57f9-11e9-9605-70af5eec3feb Fitting Rooms
  LosGatos: 88fb2d13-ee18-11ee-a2dd-edacf8a50154 Main Entrance
  Fifth:   e3d5c9f8-fd27-11e8-abc4-c7b93d116512 Main Entrance, 656a2fdd-6c34-11ee-a71e-55665dc40125 Fitting Rooms,
           658bd55f-e65b-11e0-b42a-16c1e4bfc4d1 Window Display, e436c59c-7deb-11e7-887d-c3ee695095c9 Ground Floor Zones (other),
           92483db2-068e-11e0-9dc8-bceda188d69b First Floor Zones (other)
  Union:   e9db62f8-2348-11e3-8aeb-82c0c5a56ed7 Main Entrance, 878ba898-3c64-11e5-aa34-ee60b995779a FPA Zones (other),
           89f622df-466f-11e8-a388-0f209840838b Old Fitting Rooms (fitting_room, archive_date 2020-11-30T00:00:00Z)
  Brooklyn: 00262df2-4d6a-11ee-831e-ef549584f67c Main Entrance
  Garden:  f1cc33f2-3329-11ea-9b32-80001a18e60d Entrance Zone (entrance), cdf7322e-3329-11ea-8e45-80003c755d3e Denim Zone (other),
           6a035ca2-bf1f-11e2-9a3e-534912caf3c7 Accessories Zone (display)
  Covent:  1592010a-2711-11ec-9e8e-743dd17f1ead Main Entrance, fd3b62dc-2047-11e2-a3c8-e979b26cdef1 Fitting Rooms
 Store hours (store-local wall clock; see Z TIMES for how they are written): Caspar Mon-Sat
 10-21 Sun 11-18; Willow Glen Mon-Sat 9-20 Sun 10-18; Los Gatos daily 10-19; San
 Jose Mon-Sat 10-21; Fifth Avenue Mon-Sat 9-21 Sun 11-19 (Black Friday opens 22:00
 the day before -> "-" timestamps); Union Square Sun-Thu 10-22, Fri-Sat 10-02
 (-> "+" timestamps); Brooklyn daily 8-20; UK stores Mon-Sat 9-21 Sun 12-18.
 US stores close Dec 25 and Thanksgiving, Jan 1 11-18; UK close Dec 25 and Jan 1.
 Created locations get fb2d8bf5-c19e-11e8-b05c-40008b55ebf7 first (the doc's), then
 generated uuids.  Live occupancy ("time_zone": "local"): San Jose Store 179.

ZONE TRANSITIONS  POST /v1/zone_transitions: date_ranges {start, finish} yyyy-mm-dd,
  both days included, store-local days; time_ranges {start, finish} hh:mm or
  {"type": "store_hours"}.  Each requested location selects its zones (a store: all its
  floorplans' zones).  One data item per floorplan with selected zones, naming the
  floorplan (uuid, name, store_uuid, store_name) and its selected zones (uuid, name,
  location_uuid, location_name); its transitions are all ordered pairs of those zones
  (A->A, A->B, B->A, ...; directionless: unordered), so two locations of one floorplan
  get the transitions between them, and a row's zones tell its locations.  Zones of
  different floorplans never pair (the doc's shape is per floorplan).

LOCATION CREATE  POST /v2/location/create: name, parent_uuid (the parameter table
  spells it parent_UUID; both accepted), location_type required; area (number, only for
  sublocations), aggregate_to_parent / aggregate_to_store (booleans, sublocations;
  default true for entrance).  Stores cannot be created; regions go under a region or
  the subscription (organization) uuid; sublocations under a store.  The doc's create
  section has no "unit" field (the "blank unit" rule is datamine's group_bys for
  location and day_of_week, enforced there: unit "", absent or null).

FLOORPLANS (GET /v1/fpafloorplans, in this order)
  7ce0f10c-508f-11eb-9c50-000048e74782 API Store Floorplan (Caspar; store_name "API Store" as the doc)
     zones f64b51ac-546f-11eb-9441-8000514932de Table 1, f7becd61-0746-11e3-b534-7e2b2f3ff50d Table 2,
           03e9a2c7-a580-11e5-a12a-00c0f9382ee8 Staff Area (staff)  [location FPA Zones]
  e0acd09e-2e7a-11ea-8b1a-40002569de69 Garden Station Floorplan: a1ec24c6-2e7b-11ea-960c-8000bec20274 Entrance
     (Entrance Zone), a34979f4-2e7b-11ea-8dfd-c000826898db Denim (Denim Zone),
     2999584e-0e8c-11e3-9611-440e9c59520d Accessories (Accessories Zone)
  4bb4e919-9ffd-11eb-a890-78fc764b33a3 Fifth Avenue Ground Floor, 944f47df-0f3a-11e4-9302-a5132d6455ef
  Fifth Avenue First Floor, 479bac80-d4a5-11ea-94be-621ff64d150e Union Square Floorplan.
  Kinetic map masks exist in two floorplans and are never returned.

USERS  2abe8330-5e0f-11ea-8522-c0009d2f3ea6 RetailNext_User (doc), 332e3c2e-5029-11eb-
  8b74-40002f864572 "RN user" rnuser@domain.com (doc), then 120 users "Store Manager N"
  storemanagerN@domain.com (N = 0..119; every third is sso, every 17th disabled).
  Created users: dc2e3c2e-5029-11eb-8b74-40002f864577 first (the doc's).
USER PROFILES  b43dfbe6-1b4d-11e9-93fd-4000551d9e45 API Example, f76545a0-5e0e-11ea-8d71-
  c0003468dbae Administrator, 8b26a6c0-5027-11eb-8039-8000f92819c5 Store Manager,
  74178848-bbf4-11e8-8fcb-40000e637ca2 Regional Manager, 64178848-bbf4-11e8-8fcb-40000e637ca1 Analyst.
LOCATION PROFILES  bffb9ff6-1b4d-11e9-8b97-000006c38736 API Example [California],
  fb1fcd84-7b9c-11e7-937e-4000eba63dc2 All Locations [org], 9e701012-4c76-11e7-853d-
  c0001c66456e New York Stores [New York], 93334489-6d6a-11eb-9ec3-00000d9c1e4f United Kingdom.

INVENTORY  12 cameras a store (108; 4 Aurora with one channel, 3 Axis monocular with one
  channel, 5 Xovis/Brickstream without), the doc's "Aisle Camera" 20:C3:13:0F:1D:2A (Los
  Gatos) first and AC:13:37:D0:86:77 101st; 63 channels, the doc's "Registration Desk"
  9290bc70-3480-11ea-81c9-c000c7e8079e first; f2b81aa0-8c90-11eb-9d08-c00017306bd8 is
  Union Square "Front Door"; 7f1e0c9a-0000-11eb-8000-00000000b001 Brooklyn "Stock Room"
  has recording disabled (its exports fail, 424).  One appliance a store, the doc's
  323231f8-6afg-11eb-8684-4000fc072082 (Brooklyn) first.  Video exports get
  3ba9d435-8c91-11eb-9c23-0000d53335d2 first.  The HLS token of the organization is
  the doc's 9wTw-pk1VLsEGzmzaH9vOL-a6RU.

HEALTH ALERTS  ~335 generated 2020-06-01..2021-03-03, newest first; none between the
  doc's alert (97fd95e0-5444-11eb-8b83-40003ca6d233, 2021-01-11) and 2021-01-23T00:00Z
  (so the doc's start_time 2021-01-22T00:00:00Z answers it first under either z_reading).
  start_time ("Alerts created before a date/time") is exclusive: alert_creation_time <
  start_time, to the microsecond (fractional seconds accepted, alert times carry
  milliseconds); omitted = before now.

Z TIMES  One rule for the times the doc writes "yyyy-mm-ddThh:mm:ssZ" outside datamine:
  z_reading=utc (default; the doc says of gregorian that "Z" implies UTC) writes and
  reads them as UTC instants; z_reading=wall (the old reading) as the store's local wall
  clock followed by a "Z".  NOTE: the doc's own store hours and predicted traffic example
  responses fit wall (Caspar "open" 10:00Z, Fifth Avenue predictions from 09:00Z match
  their local opening hours); they are answered under z_reading=wall.
  - POST /v1/storehours: "open"/"close" as above (Caspar 10-21 PST -> "T18:00:00Z" /
    next day "T05:00:00Z"; Fifth Avenue 09-21 -> T14:00Z/T02:00Z in EST, T13:00Z/T01:00Z
    in EDT).  "effective_day" is the store-local date written "yyyy-mm-ddT00:00:00Z" (a
    day label, under both readings); it keys the result.  start_date / end_date label
    days the same way: yyyy-mm-dd or yyyy-mm-ddT00:00:00[.000][Z|+00:00] (other times
    -> 400); both are included (the doc's 2021-01-15 .. 2021-01-22 answers both days).
  - POST /v1/predictedtraffic: "time" of each 15-minute row as above.  first_day /
    last_day are yyyy-mm-dd: predicted_days=local (default) store-local business days
    (slots after midnight belong to the day they started from), predicted_days=utc the
    rows whose UTC instant falls on those UTC dates.  "Must be in the future", 7 days,
    31 days are counted in the same frame.  Values are fixed per store-local slot.
  - POST /v1/healthalerts start_time and POST /v1/occupancy/adjust adjustment_date:
    yyyy-mm-dd[Thh:mm[:ss[.ffffff]]] with Z, +hh:mm/-hh:mm or nothing.  A numeric offset
    is an instant under both readings; otherwise utc reads UTC, wall reads the store's
    wall clock (for alerts: each alert's own store).

PAGING  v1 lists (/v1/location, users, user_profiles, location_profiles,
  fpafloorplans, healthalerts, storehours): X-Page-Length (default and max 100,
  larger is clamped) and X-Page-Start (offset); 206 + header x-page-next while more
  follow, else 200.  Inventory: the next_page string of the body is sent back as
  X-Page-Start (X-Page also accepted); "end" when done.  Predicted traffic and zone
  transitions do not page.  v2 never pages; more than 10,000 entries (knob cap) are
  trimmed (cap_mode=trim, in response order: later metrics first lose their data) or
  refused with 400 (cap_mode=error).  A datamine entry is one leaf {value, group,
  index}, counted over the whole response: metrics x locations x date buckets x time
  buckets x days of week, for the groups requested (a bucket without data -- a closed
  day, the future -- has no entry).  E.g. 365 days x 10 stores x 3 metrics = 10,950:
  too many.  /v2/location counts one entry per location.
  At most 3 concurrent requests to /v1/predictedtraffic and to
  /v1/inventory/cameras (each); beyond -> 429.

KNOBS (--option retailnext.KEY=VALUE, or POST /_sim/config {"retailnext": {...}};
/_sim/reset restores the --option values and the initial data):
  access_key (rn-access-key), secret_key (rn-secret-key), now (2021-03-03T18:15:00Z |
  real), data_start (2019-01-01), calendar (nrf454 | gregorian), week_start (sunday),
  cap (10000), cap_mode (trim | error), page_next_header (x-page-next),
  concurrency_limit (3), hold_ms (0: extra time a concurrency-limited request holds
  its slot), export_polls (2: status polls answered 202 before 302),
  export_ttl (0: status polls after ready before 404 "expired"; 0 = never),
  token_location_profile ("" = all; else datamine outside it -> per-metric ok false),
  sso_permissions (users_page | saml),
  gregorian_z (utc | wall), range_to (exclusive | inclusive), edge_labels (whole |
  clipped): see DATE RANGES and EDGES; z_reading (utc | wall), predicted_days (local |
  utc): see Z TIMES.
"""

import base64
import datetime as dt
import hashlib
import json
import math
import re
import threading
import time
import urllib.parse
import zoneinfo

from vendors.base import (Auth, HeaderPaging, HttpError, Response, Router, parse_iso, rng_for,
                          split_path, UTC)

VENDOR = "retailnext"

DEFAULTS = {
    "access_key": "rn-access-key",
    "secret_key": "rn-secret-key",
    "now": "2021-03-03T18:15:00Z",
    "data_start": "2019-01-01",
    "calendar": "nrf454",
    "week_start": "sunday",
    "cap": 10000,
    "cap_mode": "trim",
    "page_next_header": "x-page-next",
    "concurrency_limit": 3,
    "hold_ms": 0,
    "export_polls": 2,
    "export_ttl": 0,
    "token_location_profile": "",
    "sso_permissions": "users_page",
    "gregorian_z": "utc",
    "range_to": "exclusive",
    "edge_labels": "whole",
    "z_reading": "utc",
    "predicted_days": "local",
}

DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _error(status, msg):
    """RetailNext's error answer: {"ok": false, "error": msg}."""
    return HttpError(status, {"ok": False, "error": msg})


def _fail(status, msg):
    raise _error(status, msg)


NOT_FOUND = lambda req: _error(404, "no such endpoint: %s" % req.path)  # noqa: E731
NOT_ALLOWED = lambda req, allowed: HttpError(  # noqa: E731
    405, {"ok": False, "error": "method %s not allowed on %s" % (req.method, req.path)},
    {"Allow": ", ".join(allowed)})
BASIC_REALM = {"WWW-Authenticate": 'Basic realm="RetailNext API"'}


def _auth_missing():
    return HttpError(401, {"ok": False, "error": "authentication required: use HTTP basic auth "
                                                 "with your access key and secret key"}, BASIC_REALM)


def _auth_invalid(why):
    return HttpError(401, {"ok": False, "error": "invalid access key or secret key"}, BASIC_REALM)


def _hm(m):
    return "%02d:%02d" % (m // 60, m % 60)


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except Exception:
        return None


# ======================================================================
# fixture
# ======================================================================

ORG = "22940210-f49b-11e6-944b-c0001cd78189"

# uuid, name, parent
REGIONS = [
    ("286b1000-f8b1-11e7-9337-c0009584d333", "United States", ORG),
    ("e235aee4-cf7a-11e5-973e-8000a847d47a", "California", "286b1000-f8b1-11e7-9337-c0009584d333"),
    ("22940210-f49b-11e6-944b-c0001cd87189", "Northern California", "e235aee4-cf7a-11e5-973e-8000a847d47a"),
    ("01b1ed64-f49b-11e6-9ef8-400075388ff3", "South Bay", "e235aee4-cf7a-11e5-973e-8000a847d47a"),
    ("df62161a-64c8-11e6-82d4-c0008ffc38ce", "San Jose", "e235aee4-cf7a-11e5-973e-8000a847d47a"),
    ("3749e26c-a7da-11e8-9eae-40007c493637", "New York", "286b1000-f8b1-11e7-9337-c0009584d333"),
    ("64b13bf4-35af-11e7-9c1c-c000609b0f52", "United Kingdom", ORG),
]

CASPAR = "aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9"
WILLOW = "86b03ba2-a117-11ea-802c-c00010892d7a"
LOSGATOS = "a434a682-30a0-11ea-896a-00005f259c6e"
SANJOSE = "dace69f6-b307-11e9-819d-0000698cf233"
FIFTH = "aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9"
UNION = "2512a786-a117-11ea-874c-8000df845ed7"
BROOKLYN = "af21ffd8-9e2c-11e5-9bc9-0e5ba9bee1b9"
GARDEN = "af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9"
COVENT = "813737be-9f9d-11ea-8372-000008adea78"

LA, NY, LDN = "America/Los_Angeles", "America/New_York", "Europe/London"


def _week(mon_sat, sun, fri_sat=None):
    t = {d: mon_sat for d in range(6)}
    t[6] = sun
    if fri_sat is not None:
        t[4] = t[5] = fri_sat
    return t


H = lambda a, b: (a * 60, b * 60)  # noqa: E731

# uuid, name, parent, tz, store_id, occupancy_limit, area, hours, visitors/hour,
# opened, black_friday, live occupancy
STORES = [
    (CASPAR, "Caspar City Plaza", "22940210-f49b-11e6-944b-c0001cd87189", LA, "50", 50, None,
     _week(H(10, 21), H(11, 18)), 25, None, False, 31),
    (WILLOW, "Willow Glen", "01b1ed64-f49b-11e6-9ef8-400075388ff3", LA, "101", 15, None,
     _week(H(9, 20), H(10, 18)), 18, None, False, 9),
    (LOSGATOS, "Los Gatos", "01b1ed64-f49b-11e6-9ef8-400075388ff3", LA, "112", None, 2400,
     _week(H(10, 19), H(10, 19)), 15, dt.date(2020, 6, 1), False, 12),
    (SANJOSE, "San Jose Store", "df62161a-64c8-11e6-82d4-c0008ffc38ce", LA, "120", 300, None,
     _week(H(10, 21), None), 45, None, False, 179),
    (FIFTH, "Fifth Avenue", "3749e26c-a7da-11e8-9eae-40007c493637", NY, "201", 250, 5400,
     _week(H(9, 21), H(11, 19)), 50, None, True, 142),
    (UNION, "Union Square", "3749e26c-a7da-11e8-9eae-40007c493637", NY, "202", 120, 3100,
     _week(H(10, 22), H(10, 22), H(10, 26)), 40, None, False, 57),
    (BROOKLYN, "Brooklyn", "3749e26c-a7da-11e8-9eae-40007c493637", NY, "203", 80, 1800,
     _week(H(8, 20), H(8, 20)), 30, None, False, 44),
    (GARDEN, "Garden Station", "64b13bf4-35af-11e7-9c1c-c000609b0f52", LDN, "301", None, 2600,
     _week(H(9, 21), H(12, 18)), 40, None, False, 38),
    (COVENT, "Covent Garden", "64b13bf4-35af-11e7-9c1c-c000609b0f52", LDN, "302", 90, 2200,
     _week(H(9, 21), H(12, 18)), 70, dt.date(2021, 2, 15), False, 66),
]

# uuid, parent store, name, location_type, area, archive_date
SUBLOCATIONS = [
    ("5d0e32a9-7848-11eb-9ea4-c6c92111fb8c", CASPAR, "Main Entrance", "entrance", 120, None),
    ("5a07cbce-c9c6-11e9-8497-0ff107fa452b", CASPAR, "Fitting Rooms", "fitting_room", 310, None),
    ("24f99a38-5478-11eb-98ec-40002ded88bc", CASPAR, "FPA Zones", "other", None, None),
    ("6c41ecd2-2dee-11eb-baa5-236dae1e984a", WILLOW, "Main Entrance", "entrance", 90, None),
    ("512b7ed8-f5d7-11e8-a167-51085a847a7e", WILLOW, "Window Display", "display", 40, None),
    ("31b5b279-e0e6-11e0-9603-55086f265965", SANJOSE, "Main Entrance", "entrance", 150, None),
    ("4d582640-57f9-11e9-9605-70af5eec3feb", SANJOSE, "Fitting Rooms", "fitting_room", 280, None),
    ("88fb2d13-ee18-11ee-a2dd-edacf8a50154", LOSGATOS, "Main Entrance", "entrance", 80, None),
    ("e3d5c9f8-fd27-11e8-abc4-c7b93d116512", FIFTH, "Main Entrance", "entrance", 260, None),
    ("656a2fdd-6c34-11ee-a71e-55665dc40125", FIFTH, "Fitting Rooms", "fitting_room", 520, None),
    ("658bd55f-e65b-11e0-b42a-16c1e4bfc4d1", FIFTH, "Window Display", "display", 75, None),
    ("e436c59c-7deb-11e7-887d-c3ee695095c9", FIFTH, "Ground Floor Zones", "other", None, None),
    ("92483db2-068e-11e0-9dc8-bceda188d69b", FIFTH, "First Floor Zones", "other", None, None),
    ("e9db62f8-2348-11e3-8aeb-82c0c5a56ed7", UNION, "Main Entrance", "entrance", 140, None),
    ("878ba898-3c64-11e5-aa34-ee60b995779a", UNION, "FPA Zones", "other", None, None),
    ("89f622df-466f-11e8-a388-0f209840838b", UNION, "Old Fitting Rooms", "fitting_room", 200,
     "2020-11-30T00:00:00Z"),
    ("00262df2-4d6a-11ee-831e-ef549584f67c", BROOKLYN, "Main Entrance", "entrance", 110, None),
    ("f1cc33f2-3329-11ea-9b32-80001a18e60d", GARDEN, "Entrance Zone", "entrance", 160, None),
    ("cdf7322e-3329-11ea-8e45-80003c755d3e", GARDEN, "Denim Zone", "other", 240, None),
    ("6a035ca2-bf1f-11e2-9a3e-534912caf3c7", GARDEN, "Accessories Zone", "display", 90, None),
    ("1592010a-2711-11ec-9e8e-743dd17f1ead", COVENT, "Main Entrance", "entrance", 130, None),
    ("fd3b62dc-2047-11e2-a3c8-e979b26cdef1", COVENT, "Fitting Rooms", "fitting_room", 260, None),
]

SUB_TYPES = ("entrance", "fitting_room", "display", "other")
FILTER_TYPES = ("display", "entrance", "fitting_room", "other", "store", "region")
SUB_SCALE = {"entrance": 0.95, "fitting_room": 0.22, "display": 0.35, "other": 0.5}
EXTRA_FIELDS = ("store.time_zone", "store.store_id", "store.pos_id", "store.pos_division_id",
                "store.staff_hour_id", "store.occupancy_limit")

DOC_CREATED_LOCATION = "fb2d8bf5-c19e-11e8-b05c-40008b55ebf7"
DOC_CREATED_USER = "dc2e3c2e-5029-11eb-8b74-40002f864577"
DOC_EXPORT = "3ba9d435-8c91-11eb-9c23-0000d53335d2"
DOC_HLS_TOKEN = "9wTw-pk1VLsEGzmzaH9vOL-a6RU"

# floorplan uuid, name, store, store_name, [(zone uuid, name, type, location uuid)]
FLOORPLANS = [
    ("7ce0f10c-508f-11eb-9c50-000048e74782", "API Store Floorplan", CASPAR, "API Store", [
        ("f64b51ac-546f-11eb-9441-8000514932de", "Table 1", "fpa", "24f99a38-5478-11eb-98ec-40002ded88bc"),
        ("f7becd61-0746-11e3-b534-7e2b2f3ff50d", "Table 2", "fpa", "24f99a38-5478-11eb-98ec-40002ded88bc"),
        ("03e9a2c7-a580-11e5-a12a-00c0f9382ee8", "Staff Area", "staff", "24f99a38-5478-11eb-98ec-40002ded88bc"),
        ("d27d6511-5b87-11eb-ad5c-b09ec01e2a28", "Kinetic Map Mask", "mask", "24f99a38-5478-11eb-98ec-40002ded88bc"),
    ]),
    ("e0acd09e-2e7a-11ea-8b1a-40002569de69", "Garden Station Floorplan", GARDEN, "Garden Station", [
        ("a1ec24c6-2e7b-11ea-960c-8000bec20274", "Entrance", "fpa", "f1cc33f2-3329-11ea-9b32-80001a18e60d"),
        ("a34979f4-2e7b-11ea-8dfd-c000826898db", "Denim", "fpa", "cdf7322e-3329-11ea-8e45-80003c755d3e"),
        ("2999584e-0e8c-11e3-9611-440e9c59520d", "Accessories", "fpa", "6a035ca2-bf1f-11e2-9a3e-534912caf3c7"),
    ]),
    ("4bb4e919-9ffd-11eb-a890-78fc764b33a3", "Fifth Avenue Ground Floor", FIFTH, "Fifth Avenue", [
        ("bd495c93-cfa3-11e1-8574-6c8241de3a4c", "Entrance", "fpa", "e436c59c-7deb-11e7-887d-c3ee695095c9"),
        ("8ef349ef-5be5-11ee-9d57-35f72872d0e9", "Womenswear", "fpa", "e436c59c-7deb-11e7-887d-c3ee695095c9"),
        ("8b3c5fc2-f634-11e1-b2c7-b08e650a88e1", "Cash Desk", "staff", "e436c59c-7deb-11e7-887d-c3ee695095c9"),
    ]),
    ("944f47df-0f3a-11e4-9302-a5132d6455ef", "Fifth Avenue First Floor", FIFTH, "Fifth Avenue", [
        ("9810575f-3f61-11ea-941d-2bee6d810d66", "Menswear", "fpa", "92483db2-068e-11e0-9dc8-bceda188d69b"),
        ("4d0d1699-dee5-11eb-a82c-163fc56a1ae4", "Shoes", "fpa", "92483db2-068e-11e0-9dc8-bceda188d69b"),
    ]),
    ("479bac80-d4a5-11ea-94be-621ff64d150e", "Union Square Floorplan", UNION, "Union Square", [
        ("32e6b472-c705-11ed-a418-e3ef88cd23ab", "Front Tables", "fpa", "878ba898-3c64-11e5-aa34-ee60b995779a"),
        ("07b41061-6202-11ec-b215-9e8de2bde096", "Back Wall", "fpa", "878ba898-3c64-11e5-aa34-ee60b995779a"),
        ("5fefe945-6370-11e4-9298-b5cf9358ced3", "Kinetic Map Mask", "mask", "878ba898-3c64-11e5-aa34-ee60b995779a"),
    ]),
]

DOC_TABLE1_POINTS = [
    {"x": 1751.2620277487956, "y": 384.9399262748038},
    {"x": 1918.1988757176557, "y": 383.3687429022536},
    {"x": 1915.0491238691866, "y": 664.610566588743},
    {"x": 1746.5373999760916, "y": 663.0393832161927},
    {"x": 1751.2620277487956, "y": 384.9399262748038},
]

WIDGETS_FULL = {
    "pages": ["analytics", "reports", "point_of_sale"],
    "data_types": ["export_analytics_data", "guest_wifi", "individual_data",
                   "mobile_device_detection", "pos", "pos_exception_data",
                   "pos_individual_transactions", "pos_transactions_export", "access_reports",
                   "staffing_data", "tracks_and_kinetic_maps", "traffic"],
    "admin_tasks": ["health_monitoring_alerts", "cameras", "pos_terminals",
                    "security_event_sources", "store_appliances", "fpa", "pos_uploads",
                    "sku_map_uploads", "staff_hour_uploads", "traffic_uploads",
                    "store_hours_uploads", "goals_uploads", "currency_uploads", "deleted_items",
                    "dwell_uploads"],
    "allow_individual_activity": ["mobile_device_detection"],
}


def _profile(pid, name, admin, timeout, use_timeout, pages, data_types, tasks, indiv):
    return {"id": pid, "name": name, "enterprise_groups": [], "use_idle_timeout": use_timeout,
            "idle_timeout": timeout, "subscription_admin": admin,
            "visible_dashboard_widgets": {"pages": pages, "data_types": data_types,
                                          "admin_tasks": tasks,
                                          "allow_individual_activity": indiv}}


USER_PROFILES = [
    _profile("b43dfbe6-1b4d-11e9-93fd-4000551d9e45", "API Example", False, 54000, False,
             *[WIDGETS_FULL[k] for k in ("pages", "data_types", "admin_tasks",
                                         "allow_individual_activity")]),
    _profile("f76545a0-5e0e-11ea-8d71-c0003468dbae", "Administrator", True, 3600, False,
             *[WIDGETS_FULL[k] for k in ("pages", "data_types", "admin_tasks",
                                         "allow_individual_activity")]),
    _profile("8b26a6c0-5027-11eb-8039-8000f92819c5", "Store Manager", False, 1800, True,
             ["analytics", "reports"], ["traffic", "pos", "staffing_data"], [], []),
    _profile("74178848-bbf4-11e8-8fcb-40000e637ca2", "Regional Manager", False, 3600, True,
             ["analytics", "reports", "point_of_sale"], ["traffic", "pos", "staffing_data",
                                                         "export_analytics_data"],
             ["health_monitoring_alerts", "store_hours_uploads"], []),
    _profile("64178848-bbf4-11e8-8fcb-40000e637ca1", "Analyst", False, 7200, False,
             ["analytics", "reports"], ["traffic", "export_analytics_data",
                                        "tracks_and_kinetic_maps"], [], []),
]

LOCATION_PROFILES = [
    {"id": "bffb9ff6-1b4d-11e9-8b97-000006c38736", "name": "API Example", "enterprise_groups": [],
     "location_ids": ["e235aee4-cf7a-11e5-973e-8000a847d47a"]},
    {"id": "fb1fcd84-7b9c-11e7-937e-4000eba63dc2", "name": "All Locations", "enterprise_groups": [],
     "location_ids": [ORG]},
    {"id": "9e701012-4c76-11e7-853d-c0001c66456e", "name": "New York Stores", "enterprise_groups": [],
     "location_ids": ["3749e26c-a7da-11e8-9eae-40007c493637"]},
    {"id": "93334489-6d6a-11eb-9ec3-00000d9c1e4f", "name": "United Kingdom", "enterprise_groups": [],
     "location_ids": ["64b13bf4-35af-11e7-9c1c-c000609b0f52"]},
]

DOC_USERS = [
    {"type": "local", "name": "RetailNext_User", "email": "retailnextuser@domain.com",
     "id": "2abe8330-5e0f-11ea-8522-c0009d2f3ea6", "disabled": False,
     "user_profile_id": "f76545a0-5e0e-11ea-8d71-c0003468dbae",
     "location_profile_id": "fb1fcd84-7b9c-11e7-937e-4000eba63dc2",
     "last_sign_in_at": "2020-03-04T12:00:28.742Z", "current_sign_in_at": "2020-03-04T12:01:06.2Z",
     "invitation_accepted": True, "invitation_locale": "en_US"},
    {"type": "local", "name": "RN user", "email": "rnuser@domain.com",
     "id": "332e3c2e-5029-11eb-8b74-40002f864572", "disabled": False,
     "user_profile_id": "64178848-bbf4-11e8-8fcb-40000e637ca1",
     "location_profile_id": "9e701012-4c76-11e7-853d-c0001c66456e",
     "last_sign_in_at": "2021-01-06T14:16:53.597Z", "current_sign_in_at": "2021-01-11T10:21:25.407Z",
     "invitation_accepted": True, "invitation_locale": "en_US"},
]

DOC_ALERT = {
    "alert_creation_time": "2021-01-11T11:38:34.942-08:00",
    "description": "Haven't heard from Aurora sensor recently",
    "event_time": "2021-01-11T10:38:34-08:00",
    "resolved": True,
    "resolved_time": "2021-01-12T14:11:33.522-08:00",
    "severity": "resolved",
    "store_uuid": CASPAR,
    "store_name": "Caspar City Plaza",
    "subject_id": "20:C3:A4:80:09:69",
    "subject_name": "CCP Aurora (20:C3:A4:80:09:69)",
    "type": "connectiondown",
    "uuid": "97fd95e0-5444-11eb-8b83-40003ca6d233",
    "obsolete": False,
}
DOC_ALERT_AT = dt.datetime(2021, 1, 11, 19, 38, 34, 942000, tzinfo=UTC)
ALERT_QUIET_END = dt.datetime(2021, 1, 23, tzinfo=UTC)
ALERTS_FROM = dt.datetime(2020, 6, 1, tzinfo=UTC)
ALERTS_TO = dt.datetime(2021, 3, 3, 18, 0, tzinfo=UTC)

# datamine overrides that reproduce the documentation's examples
DAY_OVERRIDES = {(CASPAR, dt.date(2021, 2, 21)): {"IN": 173, "OUT": 174}}
SLOT_OVERRIDES = {(SANJOSE, dt.date(2021, 3, 3)): {0: {"IN": 5, "OUT": 4}}}
PRED_OVERRIDES = {(FIFTH, "2021-03-17T09:00"): 10, (FIFTH, "2021-03-17T09:15"): 10,   # local
                  (FIFTH, "2021-03-23T20:45"): 3}
DOC_ZT_KEY = (("cdf7322e-3329-11ea-8e45-80003c755d3e", "f1cc33f2-3329-11ea-9b32-80001a18e60d"),
              (("2021-02-15", "2021-02-22"),), ("customer",), "direct_and_indirect",
              "all_traffic", ((630, 780),), ("friday", "saturday"))
DOC_ZT_VALUES = {("a1ec24c6-2e7b-11ea-960c-8000bec20274", "a1ec24c6-2e7b-11ea-960c-8000bec20274"): 170,
                 ("a1ec24c6-2e7b-11ea-960c-8000bec20274", "a34979f4-2e7b-11ea-8dfd-c000826898db"): 147,
                 ("a34979f4-2e7b-11ea-8dfd-c000826898db", "a1ec24c6-2e7b-11ea-960c-8000bec20274"): 42,
                 ("a34979f4-2e7b-11ea-8dfd-c000826898db", "a34979f4-2e7b-11ea-8dfd-c000826898db"): 19}


def _fixture_uuid(*parts):
    r = rng_for("retailnext-fixture", *parts)
    h = lambda n: "".join(r.choice("0123456789abcdef") for _ in range(n))  # noqa: E731
    return "%s-%s-11e%s-%s%s-%s" % (h(8), h(4), h(1), r.choice("89ab"), h(3), h(12))


def _mac(r, prefix="20:C3"):
    return prefix + "".join(":%02X" % r.randrange(256) for _ in range(4))


def _ip(r, private):
    if private:
        return "192.168.%d.%d" % (r.randrange(1, 255), r.randrange(2, 250))
    return "%d.%d.%d.%d" % (r.choice([73, 104, 162, 172, 24, 81]), r.randrange(256),
                            r.randrange(256), r.randrange(1, 255))


def _netconf(r):
    if r.random() < 0.2:
        return {"mode": 1, "ip": _ip(r, True), "gateway": "192.168.1.1", "dns": "8.8.8.8",
                "ntp": "pool.ntp.org"}
    return {"mode": 0, "ip": "", "gateway": "", "dns": "", "ntp": ""}


def _build_inventory():
    """(cameras, channels, appliances, camera_of_channel); seed independent."""
    appliances = []
    appliance_of = {}
    for s in STORES:
        r = rng_for("retailnext-fixture", "appliance", s[0])
        if s[0] == BROOKLYN:
            a = {"appliance_id": "323231f8-6afg-11eb-8684-4000fc072082", "store_uuid": BROOKLYN,
                 "mac_address": "00:0D:29:60:FB:CB", "private_ip": "192.168.95.92",
                 "network_configuration": {"mode": 0, "ip": "", "gateway": "", "dns": "",
                                           "ntp": ""},
                 "public_ip": "104.59.220.132"}
        else:
            a = {"appliance_id": _fixture_uuid("appliance", s[0]), "store_uuid": s[0],
                 "mac_address": _mac(r, "00:0D"), "private_ip": _ip(r, True),
                 "network_configuration": _netconf(r), "public_ip": _ip(r, False)}
        appliance_of[s[0]] = a["appliance_id"]
        appliances.append(a)
    appliances.sort(key=lambda a: a["store_uuid"] != BROOKLYN)

    cameras, channels = [], []
    aurora_names = ["Front Entrance", "Aisle Camera", "Back Entrance", "Center Aisle"]
    mono_names = ["Registration Desk", "Cash Wrap", "Front Door"]
    xovis_names = ["Entrance Xovis", "Side Door", "Fitting Room Door", "Stairs", "Mall Entrance"]
    abbr = {}
    for s in STORES:
        abbr[s[0]] = "".join(w[0] for w in s[1].split())[:3].upper()
        r = rng_for("retailnext-fixture", "cameras", s[0])
        for i in range(12):
            if i < 4:
                ctype, vendor, model, name = 1, "RetailNext", "Aurora", aurora_names[i]
            elif i < 7:
                ctype, vendor, model, name = 0, "Axis", r.choice(["M3045-V", "P3225-LV"]), mono_names[i - 4]
            else:
                ctype = 2
                vendor = "Xovis" if i % 2 else "Brickstream"
                model = "PC2S" if vendor == "Xovis" else "3D Gen2"
                name = xovis_names[i - 7]
            mac = _mac(r, "20:C3" if ctype == 1 else ("00:40" if ctype == 0 else "AC:13"))
            cam = {"type": ctype, "device_id": mac, "device_name": name, "store_uuid": s[0],
                   "appliance_id": appliance_of[s[0]] if ctype == 0 else "",
                   "vendor": vendor, "model": model, "private_ip": _ip(r, True),
                   "public_ip": _ip(r, False),
                   "last_heard": "2021-03-03T18:%02d:%02d.%03dZ" % (r.randrange(10), r.randrange(60),
                                                                   r.randrange(1000)),
                   "serial_number": str(r.randrange(10000000, 99999999)) if ctype == 2 else "",
                   "network_configuration": _netconf(r),
                   "video_channel_uuids": [], "video_channel_count": 0,
                   "configuration_summary": {},
                   "analytics": {"traffic_line_count": 1 if ctype != 0 else 0,
                                 "dwell_zone_count": r.randrange(3),
                                 "direction_line_configured": r.random() < 0.3},
                   "height": r.choice([3200, 3500, 3860, 4100]) if ctype == 1 else None}
            if ctype != 1:
                del cam["height"]
            if ctype == 2:
                if vendor == "Xovis":
                    cam["configuration_summary"] = {"sensor_group": "%s, %s" % (s[1], s[3].split("/")[1].replace("_", " ")),
                                                    "sensor_name": name}
                else:
                    cam["configuration_summary"] = {"device_name": name, "site_name": s[1]}
            dev_uuid = _fixture_uuid("device", mac)
            if ctype in (0, 1):
                ch_uuid = _fixture_uuid("channel", mac)
                if s[0] == CASPAR and name == "Registration Desk":
                    ch_uuid, dev_uuid = ("9290bc70-3480-11ea-81c9-c000c7e8079e",
                                         "92710a06-3480-11ea-9877-40003d3dd9a9")
                if s[0] == UNION and name == "Front Door":
                    ch_uuid = "f2b81aa0-8c90-11eb-9d08-c00017306bd8"
                if s[0] == BROOKLYN and name == "Cash Wrap":
                    ch_uuid = "7f1e0c9a-0000-11eb-8000-00000000b001"
                    name = cam["device_name"] = "Stock Room"
                if s[0] == LOSGATOS and name == "Aisle Camera":
                    ch_uuid = "d86d75e2-3338-11ea-95e3-000071946766"
                cam["video_channel_uuids"] = [ch_uuid]
                cam["video_channel_count"] = 1
                mono = ctype == 0
                ch = {"channel_uuid": ch_uuid, "name": name, "device_id": dev_uuid,
                      "resolution": "1280x960" if mono else "1024x768",
                      "frame_rate": 10 if mono else 5,
                      "record_on_motion": mono,
                      "minimum_retention_days": 0,
                      "maximun_retention_days": 0 if mono else 30,
                      "blur_video": not mono,
                      "recording_enabled": ch_uuid != "7f1e0c9a-0000-11eb-8000-00000000b001",
                      "snapshot_enabled": mono,
                      "snapshot_interval_secs": 300 if mono else 0,
                      "snapshot_resolution": "1400x1050" if mono else ""}
                channels.append(ch)
            if s[0] == LOSGATOS and name == "Aisle Camera":
                cam.update({"device_id": "20:C3:13:0F:1D:2A", "appliance_id": "",
                            "private_ip": "10.10.10.179", "public_ip": "162.254.19.20",
                            "last_heard": "2020-01-14T22:30:18.363Z", "serial_number": "",
                            "network_configuration": {"mode": 0, "ip": "", "gateway": "",
                                                      "dns": "", "ntp": ""},
                            "configuration_summary": {},
                            "analytics": {"traffic_line_count": 1, "dwell_zone_count": 0,
                                          "direction_line_configured": False},
                            "height": 3860})
            cameras.append(cam)
    cameras.sort(key=lambda c: c["device_id"] != "20:C3:13:0F:1D:2A")
    cameras[100]["device_id"] = "AC:13:37:D0:86:77"
    channels.sort(key=lambda c: c["channel_uuid"] != "9290bc70-3480-11ea-81c9-c000c7e8079e")
    cam_of_channel = {}
    for c in cameras:
        for u in c["video_channel_uuids"]:
            cam_of_channel[u] = c
    return cameras, channels, appliances, cam_of_channel, abbr


# ======================================================================
# calendar
# ======================================================================

NRF_WEEKS = [4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 4]
WEEKDAY = {n: i for i, n in enumerate(DAY_NAMES)}


def _nrf_fy_end(y):
    """Last day of NRF fiscal year y: the Saturday nearest January 31 of y+1."""
    d = dt.date(y + 1, 1, 31)
    delta = 5 - d.weekday()
    if delta > 3:
        delta -= 7
    elif delta < -3:
        delta += 7
    return d + dt.timedelta(days=delta)


class Calendar:
    def __init__(self, kind, week_start):
        self.kind = kind
        self.week_start = 6 if kind == "nrf454" else week_start

    # -- years and months ------------------------------------------------
    def fy_start(self, y):
        if self.kind == "nrf454":
            return _nrf_fy_end(y - 1) + dt.timedelta(days=1)
        return dt.date(y, 1, 1)

    def year_of(self, d):
        y = d.year
        if d < self.fy_start(y):
            return y - 1
        if d >= self.fy_start(y + 1):
            return y + 1
        return y

    def month_start(self, idx):
        """First day of month index idx (year*12 + month-1)."""
        y, m = divmod(idx, 12)
        if self.kind == "nrf454":
            weeks = sum(NRF_WEEKS[:m])
            return self.fy_start(y) + dt.timedelta(weeks=weeks)
        return dt.date(y, m + 1, 1)

    def month_index(self, d):
        if self.kind == "nrf454":
            y = self.year_of(d)
            idx = y * 12 + 11
            while self.month_start(idx) > d:
                idx -= 1
            return idx
        return d.year * 12 + d.month - 1

    def repr(self, d):
        idx = self.month_index(d)
        y, m = divmod(idx, 12)
        return {"gregorian": d.isoformat(), "year": y, "month": m + 1,
                "day": (d - self.month_start(idx)).days + 1}

    def week_start_of(self, d):
        return d - dt.timedelta(days=(d.weekday() - self.week_start) % 7)

    # -- date arithmetic ---------------------------------------------------
    def add_months(self, t, n):
        d = t.date()
        idx = self.month_index(d)
        day = (d - self.month_start(idx)).days
        new = idx + n
        length = (self.month_start(new + 1) - self.month_start(new)).days
        nd = self.month_start(new) + dt.timedelta(days=min(day, length - 1))
        return dt.datetime.combine(nd, t.time())

    def truncate(self, t, unit):
        d = t.date()
        if unit == "second":
            return t.replace(microsecond=0)
        if unit == "minute":
            return t.replace(second=0, microsecond=0)
        if unit == "hour":
            return t.replace(minute=0, second=0, microsecond=0)
        if unit == "day":
            nd = d
        elif unit == "week":
            nd = self.week_start_of(d)
        elif unit == "month":
            nd = self.month_start(self.month_index(d))
        elif unit == "quarter":
            idx = self.month_index(d)
            nd = self.month_start(idx - (idx % 12) % 3)
        elif unit == "year":
            nd = self.fy_start(self.year_of(d))
        else:
            _fail(400, "truncate_to must be one of year, quarter, month, week, day, hour, minute, second")
        return dt.datetime.combine(nd, dt.time())

    def absolute(self, spec):
        allowed = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
        for k, v in spec.items():
            if k not in allowed:
                _fail(400, "unsupported key %r in absolute date" % k)
            if not isinstance(v, int) or isinstance(v, bool):
                _fail(400, "absolute %s must be an integer" % k)
            if k in ("quarter", "month", "week", "day") and v < 1:
                _fail(400, "absolute %s starts from 1" % k)
            if k in ("hour", "minute", "second") and v < 0:
                _fail(400, "absolute %s starts from 0" % k)
        if "year" not in spec:
            _fail(400, "absolute date requires year")
        y = spec["year"]
        if not 1900 <= y <= 2200:
            _fail(400, "absolute year out of range")
        base_idx = y * 12
        cur = self.fy_start(y)
        if "quarter" in spec:
            base_idx += 3 * (spec["quarter"] - 1)
            cur = self.month_start(base_idx)
        if "month" in spec:
            cur = self.month_start(base_idx + spec["month"] - 1)
        if "week" in spec:
            if self.kind != "nrf454":
                cur = cur + dt.timedelta(days=(self.week_start - cur.weekday()) % 7)
            cur = cur + dt.timedelta(weeks=spec["week"] - 1)
        if "day" in spec:
            cur = cur + dt.timedelta(days=spec["day"] - 1)
        return dt.datetime.combine(cur, dt.time()) + dt.timedelta(
            hours=spec.get("hour", 0), minutes=spec.get("minute", 0), seconds=spec.get("second", 0))


TINY = dt.timedelta(microseconds=1)
_DAY_LABEL_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T00:00(?::00(?:\.0{1,6})?)?(?:Z|z|\+00:?00)?)?$")
_GREG_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
                      r"(Z|z|[+-]\d{2}:?\d{2})?)?$")


def _add_years(t, n):
    try:
        return t.replace(year=t.year + n)
    except ValueError:
        return t.replace(year=t.year + n, day=28)


# ======================================================================
# data generation
# ======================================================================

NV = 11
IN, OUT, PASSBY, DWELLS, DWELL_SECS, TX, SALES, STAFFQ, INDIV, GROUPS, NSLOT = range(NV)
COMP = {"IN": IN, "OUT": OUT}
TRAFFIC_COMPS = (IN, OUT, PASSBY, DWELLS, DWELL_SECS, INDIV, GROUPS)
WEEKDAY_FACTOR = [0.8, 0.8, 0.85, 0.9, 1.1, 1.35, 1.0]
SEASON = {1: 0.85, 2: 0.85, 3: 0.95, 4: 1.0, 5: 1.0, 6: 1.0, 7: 1.05, 8: 1.05, 9: 0.95,
          10: 1.0, 11: 1.15, 12: 1.4}
VALIDITY = ["complete", "imputed", "incomplete"]


def _split(total, weights):
    """Integers proportional to weights summing exactly to total."""
    n = len(weights)
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * n
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    if rest:
        order = sorted(range(n), key=lambda i: (out[i] - raw[i], i))
        for i in order[:rest]:
            out[i] += 1
    return out


def _traffic_profile(hour):
    return 0.35 + math.exp(-((hour - 13.0) ** 2) / 6.0) + 0.9 * math.exp(-((hour - 18.0) ** 2) / 5.0)


def _thanksgiving(y):
    d = dt.date(y, 11, 1)
    return d + dt.timedelta(days=(3 - d.weekday()) % 7 + 21)


def _epoch_min(naive, tz):
    return int(naive.replace(tzinfo=tz).timestamp()) // 60


def _wall(m, tz):
    return dt.datetime.fromtimestamp(m * 60, tz).replace(tzinfo=None)


class Source:
    """A location that has its own data: a store or a sublocation."""
    __slots__ = ("uuid", "store", "scale", "is_store", "start", "archive", "tz")

    def __init__(self, uuid, store, scale, is_store, start, archive):
        self.uuid = uuid
        self.store = store
        self.scale = scale
        self.is_store = is_store
        self.start = start
        self.archive = archive
        self.tz = store["tzinfo"]


class DayData:
    __slots__ = ("n_open", "o_utc", "c_utc", "vec", "after", "rank", "outage")


class Engine:
    """Deterministic data per (seed, location, day); caches are never stale
    because nothing that feeds them can change at run time (store hours and
    time zones are not editable through the API)."""

    def __init__(self, seed):
        self.seed = seed
        self.days = {}
        self.bslots = {}
        self.aslots = {}

    def _trim_caches(self):
        for c in (self.days, self.bslots, self.aslots):
            if len(c) > 300000:
                c.clear()

    @staticmethod
    def hours(store, d):
        """(open, close) minutes from local midnight of d (may be < 0 or > 1440)."""
        if store["opened"] and d < store["opened"]:
            return None
        us = store["time_zone"].startswith("America/")
        if d.month == 12 and d.day == 25:
            return None
        if us:
            tg = _thanksgiving(d.year)
            if d == tg:
                return None
            if d == tg + dt.timedelta(days=1) and store["black_friday"]:
                return (-120, 23 * 60)
            if d.month == 1 and d.day == 1:
                return (11 * 60, 18 * 60)
        elif d.month == 1 and d.day == 1:
            return None
        return store["hours"][d.weekday()]

    def day(self, src, d):
        key = (src.uuid, src.store["uuid"], d)
        hit = self.days.get(key)
        if hit is not None:
            return hit
        self._trim_caches()
        store = src.store
        tz = src.tz
        r = rng_for(self.seed, VENDOR, "day", src.uuid, d.toordinal())
        h = self.hours(store, d)
        dd = DayData()
        base = dt.datetime.combine(d, dt.time())
        dd.vec = [0] * NV
        dd.after = [0] * NV
        dd.rank = 0
        dd.outage = None
        if h:
            dd.o_utc = _epoch_min(base + dt.timedelta(minutes=h[0]), tz)
            dd.c_utc = _epoch_min(base + dt.timedelta(minutes=h[1]), tz)
            dd.n_open = max(0, (dd.c_utc - dd.o_utc) // 15)
        else:
            dd.o_utc = dd.c_utc = None
            dd.n_open = 0
        n = dd.n_open
        if n:
            v = dd.vec
            expected = src.scale * WEEKDAY_FACTOR[d.weekday()] * SEASON[d.month] * n / 4.0
            tin = int(round(expected * r.uniform(0.85, 1.15)))
            v[IN] = tin
            v[OUT] = max(0, tin + r.randint(-3, 3))
            v[PASSBY] = int(tin * r.uniform(3.0, 6.0))
            v[DWELLS] = int(tin * r.uniform(0.4, 0.7))
            v[DWELL_SECS] = v[DWELLS] * r.randint(120, 600)
            v[INDIV] = int(tin * r.uniform(0.5, 0.7))
            v[GROUPS] = int((tin - v[INDIV]) / r.uniform(2.0, 3.0))
            if src.is_store:
                v[TX] = int(tin * r.uniform(0.15, 0.35))
                v[SALES] = v[TX] * r.randint(2500, 9000)
                v[STAFFQ] = n * r.randint(2, 6)
            v[NSLOT] = n
            u = r.random()
            if u < 0.05:
                dd.rank = 2 if u < 0.03 else 1
                a = r.randrange(n)
                dd.outage = (a, min(n, a + r.randint(2, 8)))
                if dd.rank == 2:
                    keep = 1.0 - (dd.outage[1] - dd.outage[0]) / n
                    for k in TRAFFIC_COMPS:
                        v[k] = int(v[k] * keep)
        a = dd.after
        a[IN] = r.randint(0, 6)
        a[OUT] = max(0, a[IN] + r.randint(-1, 1))
        a[PASSBY] = r.randint(20, 120)
        if src.is_store:
            a[STAFFQ] = r.randint(0, 8)
        ov = DAY_OVERRIDES.get((src.uuid, d))
        if ov or (src.uuid, d) in SLOT_OVERRIDES:
            dd.rank = 0
            dd.outage = None
            for k, val in (ov or {}).items():
                dd.vec[COMP[k]] = val
        self.days[key] = dd
        return dd

    def business_slots(self, src, d):
        """[(utc minute, store-local naive, values, rank)] of business day d."""
        key = (src.uuid, src.store["uuid"], d)
        hit = self.bslots.get(key)
        if hit is not None:
            return hit
        dd = self.day(src, d)
        n = dd.n_open
        out = []
        if n:
            r = rng_for(self.seed, VENDOR, "slots", src.uuid, d.toordinal())
            tz = src.tz
            locs = [_wall(dd.o_utc + 15 * i, tz) for i in range(n)]
            w = [_traffic_profile(t.hour + t.minute / 60.0) * (0.75 + 0.5 * r.random()) for t in locs]
            ranks = [0] * n
            if dd.outage:
                for i in range(*dd.outage):
                    ranks[i] = dd.rank
                    if dd.rank == 2:
                        w[i] = 0.0
            cols = {}
            for k in range(NV):
                if k == NSLOT:
                    cols[k] = [1] * n
                elif k == STAFFQ:
                    cols[k] = _split(dd.vec[k], [1.0] * n)
                else:
                    cols[k] = _split(dd.vec[k], w)
            ov = SLOT_OVERRIDES.get((src.uuid, d), {})
            for i in range(n):
                vals = [cols[k][i] for k in range(NV)]
                for name, val in ov.get(i, {}).items():
                    vals[COMP[name]] = val
                out.append((dd.o_utc + 15 * i, locs[i], vals, ranks[i]))
        self.bslots[key] = out
        return out

    def after_slots(self, src, c):
        """Slots of store-local calendar day c outside any business day."""
        key = (src.uuid, src.store["uuid"], c)
        hit = self.aslots.get(key)
        if hit is not None:
            return hit
        tz = src.tz
        dd = self.day(src, c)
        start = _epoch_min(dt.datetime.combine(c, dt.time()), tz)
        end = _epoch_min(dt.datetime.combine(c + dt.timedelta(days=1), dt.time()), tz)
        busy = []
        for k in (-1, 0, 1):
            o = self.day(src, c + dt.timedelta(days=k))
            if o.n_open:
                busy.append((o.o_utc, o.c_utc))
        mins = [m for m in range(start, end, 15) if not any(a <= m < b for a, b in busy)]
        r = rng_for(self.seed, VENDOR, "after", src.uuid, c.toordinal())
        w = [0.3 + r.random() for _ in mins]
        cols = {}
        for k in range(NV):
            if k == NSLOT:
                cols[k] = [1] * len(mins)
            else:
                cols[k] = _split(dd.after[k], w)
        out = [(m, _wall(m, tz), [cols[k][i] for k in range(NV)], 0) for i, m in enumerate(mins)]
        self.aslots[key] = out
        return out

    def day_quarters(self, src, c):
        tz = src.tz
        a = _epoch_min(dt.datetime.combine(c, dt.time()), tz)
        b = _epoch_min(dt.datetime.combine(c + dt.timedelta(days=1), dt.time()), tz)
        return (a, b)


# ======================================================================
# metrics
# ======================================================================

def _ratio(a, b, scale=1.0, nd=2):
    if not b:
        return None
    return round(scale * a / b, nd)


METRICS = {
    # name: (function of components, carries validity)
    "traffic_in": (lambda a: a[IN], True),
    "traffic_out": (lambda a: a[OUT], True),
    "total_occupancy": (lambda a: a[IN] - a[OUT], True),
    "occupancy_limit": (None, True),
    "individual_traffic_in": (lambda a: a[INDIV], True),
    "group_traffic_in": (lambda a: a[GROUPS], True),
    "passby_traffic": (lambda a: a[PASSBY], True),
    "passby_capture_rate": (lambda a: _ratio(a[IN], a[PASSBY], 100.0), True),
    "conversion_rate": (lambda a: _ratio(a[TX], a[IN], 100.0), True),
    "dwell_count": (lambda a: a[DWELLS], False),
    "avg_dwell_duration": (lambda a: _ratio(a[DWELL_SECS], a[DWELLS], 1.0, 1), False),
    "net_sales": (lambda a: round(a[SALES] / 100.0, 2), False),
    "sales_transactions_count": (lambda a: a[TX], False),
    "avg_transaction_value": (lambda a: _ratio(a[SALES], a[TX] * 100, 1.0), False),
    "staff_count": (lambda a: _ratio(a[STAFFQ], a[NSLOT], 1.0, 1), False),
    "labor_hours": (lambda a: round(a[STAFFQ] / 4.0, 2), False),
}


# ======================================================================
# the vendor
# ======================================================================

class RetailNext:
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
         self.abbr) = _build_inventory()
        self.busy = {}
        self._alerts = None
        self.auth = Auth(("Basic",), self._verify, missing=_auth_missing, invalid=_auth_invalid)
        self.pager = HeaderPaging(_error, maximum=100)
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
            for (u, name, parent, tz, sid, occ, area, hours, scale, opened, bf, live) in STORES:
                n = int(sid)
                self.locs[u] = dict(uuid=u, parent_uuid=parent, name=name, kind="store",
                                    location_type="store", area=area, archive_date=None,
                                    time_zone=tz, tzinfo=zoneinfo.ZoneInfo(tz), store_id=sid,
                                    pos_id="POS-%04d" % n, pos_division_id="DIV-%d" % (n // 100),
                                    staff_hour_id="SH-%04d" % n, occupancy_limit=occ,
                                    bandwidth=None, hours=hours, scale=scale, opened=opened,
                                    black_friday=bf, live=live)
            for u, parent, name, ltype, area, archive in SUBLOCATIONS:
                self.locs[u] = self._new_sub(u, parent, name, ltype, area, archive)
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
                    "id": _fixture_uuid("user", i), "disabled": i % 17 == 16,
                    "user_profile_id": "8b26a6c0-5027-11eb-8039-8000f92819c5",
                    "location_profile_id": lps[i % 3],
                    "last_sign_in_at": last.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % r.randrange(1000) if signed else None,
                    "current_sign_in_at": cur.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % r.randrange(1000) if signed else None,
                    "invitation_accepted": signed, "invitation_locale": "en_US"})
            self.created_locations = 0
            self.created_users = 0
            self.exports = {}
            self.export_count = 0
            self.tokens = {}
            self.occ_adjust = {}

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
                _fail(400, "a JSON request body is required")
            return {}
        try:
            b = json.loads(req.body)
        except ValueError as e:
            _fail(400, "malformed JSON body: %s" % e)
        if not isinstance(b, dict):
            _fail(400, "the request body must be a JSON object")
        return b

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
            _fail(400, "where is nested too deeply")
        if not isinstance(w, dict):
            _fail(400, "where must be an object")
        preds = []
        for k, v in w.items():
            if k in ("and", "or"):
                if not isinstance(v, list):
                    _fail(400, "where.%s must be a list" % k)
                subs = [self._where(x, depth + 1) for x in v]
                if k == "and":
                    preds.append(lambda l, subs=subs: all(p(l) for p in subs))
                else:
                    preds.append(lambda l, subs=subs: any(p(l) for p in subs))
            elif k == "location_types":
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    _fail(400, "location_types must be a list of strings")
                for x in v:
                    if x not in FILTER_TYPES:
                        _fail(400, "unsupported location type %r; supported: %s" % (x, ", ".join(FILTER_TYPES)))
                vs = set(v)
                preds.append(lambda l, vs=vs: l["location_type"] in vs)
            elif k == "uuids":
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    _fail(400, "uuids must be a list of strings")
                vs = set(v)
                preds.append(lambda l, vs=vs: l["uuid"] in vs)
            else:
                _fail(400, "unsupported filter %r in where" % k)
        return lambda l: all(p(l) for p in preds)

    def location_query(self, req, parts):
        b = self.body(req, required=False)
        extra = b.get("extra_fields", [])
        if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
            _fail(400, "extra_fields must be a list of strings")
        for f in extra:
            if f not in EXTRA_FIELDS:
                _fail(400, "unsupported extra field %r; supported: %s" % (f, ", ".join(EXTRA_FIELDS)))
        pred = self._where(b["where"]) if b.get("where") is not None else (lambda l: True)
        with self.lock:
            rows = [self.loc_out(l, extra) for l in self.locs.values() if pred(l)]
        cap = self.ci("cap")
        if len(rows) > cap:
            if str(self.c("cap_mode")) == "error":
                _fail(400, "the response exceeds %d entries; use filters" % cap)
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
            _fail(400, "%s must be a%s number" % (key, "n integer" if integer else ""))
        if v < 0:
            _fail(400, "%s must not be negative" % key)
        return v

    def _bool(self, b, key):
        if not isinstance(b[key], bool):
            _fail(400, "%s must be true or false" % key)
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
                _fail(400, "%s is required" % k)
        if pk is None:
            _fail(400, "parent_uuid is required")
        name, ltype, parent = b["name"], b["location_type"], b[pk]
        if not isinstance(name, str) or not name.strip():
            _fail(400, "name must be a non-empty string")
        if not isinstance(parent, str):
            _fail(400, "parent_uuid must be a string")
        if ltype == "store":
            _fail(400, "creating store locations is not supported through the API")
        if ltype not in SUB_TYPES + ("region",):
            _fail(400, "unsupported location_type %r; supported: entrance, fitting_room, display, other, region"
                  % (ltype,))
        with self.lock:
            p = self.locs.get(parent)
            if p is None:
                _fail(400, "parent location %s not found" % parent)
            if ltype == "region":
                if p["kind"] not in ("region", "organization"):
                    _fail(400, "the parent of a region must be a region or the subscription")
                for k in ("area", "aggregate_to_parent", "aggregate_to_store"):
                    if k in b:
                        _fail(400, "%s applies to sublocations only" % k)
            elif p["kind"] != "store":
                _fail(400, "the parent of a sublocation must be a store")
            area = self._num(b, "area") if "area" in b else None
            ap = self._bool(b, "aggregate_to_parent") if "aggregate_to_parent" in b else None
            ast = self._bool(b, "aggregate_to_store") if "aggregate_to_store" in b else None
            n = self.created_locations
            self.created_locations += 1
            u = DOC_CREATED_LOCATION if n == 0 else _fixture_uuid("created-location", self.sim.seed, n)
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
                _fail(404, "location %s not found" % uuid)
            if l["kind"] == "organization":
                _fail(400, "the subscription location cannot be updated")
            new = dict(l)
            kind = l["kind"]
            if "name" in b:
                if not isinstance(b["name"], str) or not b["name"].strip():
                    _fail(400, "name must be a non-empty string")
                new["name"] = b["name"]
            pk = self._parent_key(b)
            if pk is not None:
                pu = b[pk]
                p = self.locs.get(pu) if isinstance(pu, str) else None
                if p is None:
                    _fail(400, "parent location %s not found" % (pu,))
                if kind == "sub" and p["kind"] != "store":
                    _fail(400, "the parent of a sublocation must be a store")
                if kind in ("store", "region") and p["kind"] not in ("region", "organization"):
                    _fail(400, "the parent of a %s must be a region or the subscription" % kind)
                if pu == uuid or pu in {d["uuid"] for d in self.descendants(uuid)}:
                    _fail(400, "a location cannot move beneath itself")
                new["parent_uuid"] = pu
            if "location_type" in b:
                lt = b["location_type"]
                if kind == "sub":
                    if lt not in SUB_TYPES:
                        _fail(400, "unsupported sublocation type %r" % (lt,))
                    new["location_type"] = lt
                elif lt != l["location_type"]:
                    _fail(400, "location_type can be changed for sublocations only")
            if "area" in b:
                if kind not in ("store", "sub"):
                    _fail(400, "area applies to stores and sublocations only")
                new["area"] = self._num(b, "area")
            if "occupancy_limit" in b:
                if kind != "store":
                    _fail(400, "occupancy_limit applies to stores only")
                new["occupancy_limit"] = self._num(b, "occupancy_limit", True)
            if "bandwidth_limit_kilobits_per_second" in b:
                if kind != "store":
                    _fail(400, "bandwidth_limit_kilobits_per_second applies to stores only")
                v = self._num(b, "bandwidth_limit_kilobits_per_second", True)
                new["bandwidth"] = v or None
            for k in ("aggregate_to_parent", "aggregate_to_store"):
                if k in b:
                    if kind != "sub":
                        _fail(400, "%s applies to sublocations only" % k)
                    new[k] = self._bool(b, k)
            self.locs[uuid] = new
            return Response(200, self.write_out(new))

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
        if not isinstance(v, str) or not _GREG_RE.match(v.strip()):
            _fail(400, "%s must be ISO 8601 (yyyy-mm-ddThh:mm:ssZ)" % key)
        des = _GREG_RE.match(v.strip()).group(6)
        try:
            t = parse_iso(v, key)
        except HttpError:
            _fail(400, "%s must be ISO 8601 (yyyy-mm-ddThh:mm:ssZ)" % key)
        if str(self.c("z_reading")) == "wall" and des in (None, "Z", "z"):
            return None, t.replace(tzinfo=None)
        return t, None

    def _date_arg(self, b, key):
        """A day label like effective_day: yyyy-mm-dd or yyyy-mm-ddT00:00:00Z."""
        v = b.get(key)
        if v is None:
            _fail(400, "%s is required" % key)
        m = _DAY_LABEL_RE.match(v) if isinstance(v, str) else None
        try:
            if m is None:
                raise ValueError
            return dt.date.fromisoformat(m.group(1))
        except ValueError:
            _fail(400, "%s must be a day, yyyy-mm-ddT00:00:00Z (or yyyy-mm-dd), like effective_day" % key)

    def _stores_arg(self, val, key):
        if isinstance(val, str):
            val = [val]
        if not isinstance(val, list) or not val or not all(isinstance(x, str) for x in val):
            _fail(400, "%s must be a store uuid or a non-empty list of them" % key)
        out = []
        for u in val:
            l = self.locs.get(u)
            if l is None or l["kind"] != "store":
                _fail(400, "store %s not found" % u)
            if l not in out:
                out.append(l)
        return out

    def store_hours(self, req, parts):
        b = self.body(req)
        if "stores" not in b:
            _fail(400, "stores is required")
        stores = self._stores_arg(b["stores"], "stores")
        first = self._date_arg(b, "start_date")
        last = self._date_arg(b, "end_date")
        if last < first:
            _fail(400, "end_date is before start_date")
        if (last - first).days > 3660:
            _fail(400, "the date range is limited to 10 years")
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
    # datamine
    # ==================================================================
    def _gregorian(self, v, zone):
        """(store-local naive datetime in zone, aware instant or None, its offset).

        Date-only values and values without a designator are local wall clock
        in zone.  Under gregorian_z=utc a "Z" or a +hh:mm / -hh:mm offset makes
        the value an instant, converted to zone (the doc: "Z" implies UTC);
        under gregorian_z=wall "Z" is dropped and the value is read as local
        wall clock (numeric offsets refused)."""
        m = _GREG_RE.match(v.strip()) if isinstance(v, str) else None
        if m is None:
            _fail(400, "gregorian must be yyyy-mm-ddThh:mm:ssZ or yyyy-mm-dd, got %r" % (v,))
        date, hh, mi, ss, frac, des = m.groups()
        try:
            d = dt.date.fromisoformat(date)
            t = dt.datetime(d.year, d.month, d.day, int(hh or 0), int(mi or 0), int(ss or 0),
                            int((frac or "0").ljust(6, "0")))
        except ValueError:
            _fail(400, "gregorian must be yyyy-mm-ddThh:mm:ssZ or yyyy-mm-dd, got %r" % (v,))
        if not des:
            return t, None, None
        if str(self.c("gregorian_z")) == "wall":
            if des not in ("Z", "z"):
                _fail(400, "gregorian_z=wall: gregorian takes local wall clock with a Z, not %r" % (v,))
            return t, None, None
        off = dt.timedelta(0)
        if des not in ("Z", "z"):
            digits = des[1:].replace(":", "")
            off = (1 if des[0] == "+" else -1) * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if abs(off) >= dt.timedelta(hours=24):
                _fail(400, "gregorian offset out of range in %r" % (v,))
        inst = t.replace(tzinfo=dt.timezone(off))
        return inst.astimezone(zone).replace(tzinfo=None), inst, off

    def _resolve(self, spec, other, now_local, cal, zone, depth=0):
        if depth > 5:
            _fail(400, "date specification nested too deeply")
        if not isinstance(spec, dict) or len(spec) != 1:
            _fail(400, "a date takes exactly one of name, gregorian, absolute, relative")
        (kind, v), = spec.items()
        if kind == "name":
            if now_local is None:
                _fail(400, "a time_zone is required when using name in date_ranges")
            if v == "now":
                return now_local
            day = dt.datetime.combine(now_local.date(), dt.time())
            offs = {"today": 0, "yesterday": -1, "tomorrow": 1}
            if v not in offs:
                _fail(400, "unsupported date name %r; supported: now, today, yesterday, tomorrow" % (v,))
            return day + dt.timedelta(days=offs[v])
        if kind == "gregorian":
            return self._gregorian(v, zone)[0]
        if kind == "absolute":
            if not isinstance(v, dict):
                _fail(400, "absolute must be an object")
            return cal.absolute(v)
        if kind == "relative":
            if not isinstance(v, dict):
                _fail(400, "relative must be an object")
            adds = ("add_years", "add_quarters", "add_months", "add_weeks", "add_days",
                    "add_hours", "add_minutes", "add_seconds")
            for k, x in v.items():
                if k not in adds + ("base", "truncate_to"):
                    _fail(400, "unsupported key %r in relative date" % k)
                if k in adds and (not isinstance(x, int) or isinstance(x, bool)):
                    _fail(400, "%s must be an integer" % k)
            if "base" in v:
                base = self._resolve(v["base"], None, now_local, cal, zone, depth + 1)
            elif other is None:
                _fail(400, "relative dates need a base when both from and to are relative")
            else:
                base = other
            if "truncate_to" in v:
                base = cal.truncate(base, v["truncate_to"])
            months = 12 * v.get("add_years", 0) + 3 * v.get("add_quarters", 0) + v.get("add_months", 0)
            if months:
                base = cal.add_months(base, months)
            try:
                return base + dt.timedelta(weeks=v.get("add_weeks", 0), days=v.get("add_days", 0),
                                           hours=v.get("add_hours", 0), minutes=v.get("add_minutes", 0),
                                           seconds=v.get("add_seconds", 0))
            except OverflowError:
                _fail(400, "relative date out of range")
        _fail(400, "a date takes exactly one of name, gregorian, absolute, relative")

    def _range(self, dr, now_local, cal, zone):
        """(from, to as given, exclusive end): store-local naive datetimes in zone.

        range_to=exclusive: [from, to).  range_to=inclusive: a "to" at midnight
        (date-only, or 00:00:00 in the frame it is written in: UTC for a "Z"
        under gregorian_z=utc) includes that whole day; any other "to" includes
        the 15-minute slot that starts at that instant."""
        if not isinstance(dr, dict) or "from" not in dr or "to" not in dr:
            _fail(400, "each date range needs from and to")
        f, t = dr["from"], dr["to"]
        f_rel = isinstance(f, dict) and "relative" in f and isinstance(f["relative"], dict) \
            and "base" not in f["relative"]
        t_rel = isinstance(t, dict) and "relative" in t and isinstance(t["relative"], dict) \
            and "base" not in t["relative"]
        if f_rel and t_rel:
            _fail(400, "relative dates need a base when both from and to are relative")
        try:
            if f_rel:
                to = self._resolve(t, None, now_local, cal, zone)
                frm = self._resolve(f, to, now_local, cal, zone)
            else:
                frm = self._resolve(f, None, now_local, cal, zone)
                to = self._resolve(t, frm, now_local, cal, zone)
            end = to
            if str(self.c("range_to")) == "inclusive":
                inst = None
                if isinstance(t, dict) and isinstance(t.get("gregorian"), str) and len(t) == 1:
                    inst = self._gregorian(t["gregorian"], zone)[1]
                if inst is not None:
                    # midnight in the frame the value is written in (UTC or its offset)
                    if inst.time() == dt.time():
                        end = (inst + dt.timedelta(days=1)).astimezone(zone).replace(tzinfo=None)
                    else:
                        end = to + TINY
                elif to.time() == dt.time():
                    end = to + dt.timedelta(days=1)
                else:
                    end = to + TINY
        except (ValueError, OverflowError):
            _fail(400, "date out of range")
        return frm, to, end

    def _time_ranges(self, trs):
        if not isinstance(trs, list) or not trs:
            _fail(400, "time_ranges must be a non-empty list")
        store_hours, spans = False, []
        for tr in trs:
            if not isinstance(tr, dict):
                _fail(400, "each time range must be an object")
            if tr.get("type") == "store_hours":
                store_hours = True
                continue
            if "type" in tr:
                _fail(400, "unsupported time range type %r" % (tr["type"],))
            f = self._hhmm(tr.get("from"), "from", False)
            u = self._hhmm(tr.get("until"), "until", True)
            if u <= f:
                _fail(400, "time range until must be after from")
            spans.append((f, u))
        if store_hours and spans:
            _fail(400, "store_hours cannot be combined with from/until time ranges")
        return "store_hours" if store_hours else spans

    @staticmethod
    def _hhmm(v, key, allow24):
        if not isinstance(v, str) or len(v) != 5 or v[2] != ":" or not (v[:2] + v[3:]).isdigit():
            _fail(400, "time range %s must be hh:mm" % key)
        h, m = int(v[:2]), int(v[3:])
        if m > 59 or h > 24 or (h == 24 and (m or not allow24)):
            _fail(400, "time range %s must be hh:mm between 00:00 and 24:00" % key)
        return h * 60 + m

    @staticmethod
    def _groups(gbs):
        if not isinstance(gbs, list) or not gbs:
            _fail(400, "group_bys must be a non-empty list")
        out, seen = [], set()
        for g in gbs:
            if not isinstance(g, dict):
                _fail(400, "each group_by must be an object")
            kind = g.get("group")
            if kind not in ("time", "date", "location", "day_of_week"):
                _fail(400, "unsupported group %r; supported: time, date, location, day_of_week" % (kind,))
            if kind in seen:
                _fail(400, "group %r given twice" % kind)
            seen.add(kind)
            unit, val = g.get("unit", ""), g.get("value")
            if kind in ("location", "day_of_week"):
                if unit not in ("", None):
                    _fail(400, "unit must be blank when grouping by %s" % kind)
                if val is not None and (not isinstance(val, int) or isinstance(val, bool) or val < 0):
                    _fail(400, "group value must be an integer")
                out.append((kind, None, 1))
                continue
            units = ("days", "weeks", "months", "years") if kind == "date" else ("hours", "minutes")
            if unit not in units:
                _fail(400, "unit for %s must be one of %s" % (kind, ", ".join(units)))
            if not isinstance(val, int) or isinstance(val, bool) or val < 1:
                _fail(400, "value for %s must be a positive integer" % kind)
            if kind == "time":
                length = val * (60 if unit == "hours" else 1)
                if length % 15 or length > 1440:
                    _fail(400, "time groups must be multiples of 15 minutes up to 24 hours")
                out.append((kind, "minutes", length))
            else:
                out.append((kind, unit, val))
        return out

    def _permitted(self):
        lp = str(self.c("token_location_profile") or "")
        if not lp:
            return None
        prof = next((p for p in LOCATION_PROFILES if p["id"] == lp), None)
        if prof is None:
            return set()
        ch = self.children()
        ok = set()
        for u in prof["location_ids"]:
            ok.add(u)
            ok.update(d["uuid"] for d in self.descendants(u, ch))
        return ok

    def datamine(self, req, parts):
        b = self.body(req)
        for k in ("locations", "metrics", "date_ranges", "time_ranges", "group_bys"):
            if k not in b:
                _fail(400, "%s is required" % k)
        locs, metrics = b["locations"], b["metrics"]
        if not isinstance(locs, list) or not locs or not all(isinstance(x, str) for x in locs):
            _fail(400, "locations must be a non-empty list of location uuids")
        if not isinstance(metrics, list) or not metrics or not all(isinstance(x, str) for x in metrics):
            _fail(400, "metrics must be a non-empty list of metric ids")
        if not isinstance(b["date_ranges"], list) or not b["date_ranges"]:
            _fail(400, "date_ranges must be a non-empty list")
        tzname = b.get("time_zone")
        if tzname is not None and (not isinstance(tzname, str) or
                                   (tzname != "local" and _zone(tzname) is None)):
            _fail(400, "unknown time_zone %r" % (tzname,))
        time_mode = self._time_ranges(b["time_ranges"])
        groups = self._groups(b["group_bys"])
        uniq = []
        for u in locs:
            if u not in uniq:
                uniq.append(u)
        cal = self.calendar()
        now = self.now()
        if tzname == "local":
            return self._datamine_local(b, uniq, metrics, groups, time_mode)
        zone = _zone(tzname) if tzname else None
        years = 5 if len(uniq) == 1 else 2
        inclusive = str(self.c("range_to")) == "inclusive"
        by_zone = {}

        def ranges_for(z):
            """[(from, exclusive end)] as store-local naive datetimes of zone z."""
            key = getattr(z, "key", "UTC")
            hit = by_zone.get(key)
            if hit is not None:
                return hit
            now_local = _wall(int(now.timestamp()) // 60, zone) if zone else None
            out = []
            for dr in b["date_ranges"]:
                frm, to, end = self._range(dr, now_local, cal, z)
                if to < frm or (to == frm and not inclusive):
                    _fail(400, "date range 'to' must be after 'from'")
                if to > _add_years(frm, years):
                    _fail(400, "the date range exceeds %d years, the limit when querying %s"
                          % (years, "one location" if years == 5 else "several locations"))
                out.append((frm, end))
            by_zone[key] = out
            return out
        # without time_zone every store reads the ranges in its own zone; UTC checks them up front
        ranges_for(zone or UTC)
        with self.lock:
            found = [self.locs.get(u) for u in uniq]
            ch = self.children()
            permitted = self._permitted()
            loc_err = None
            for u, l in zip(uniq, found):
                if l is None or (permitted is not None and u not in permitted):
                    loc_err = "location %s is not included in the location profile of this API token" % u
                    break
            plan = []
            if loc_err is None:
                for l in found:
                    if l["kind"] == "sub":
                        srcs = [self.source(l)] if self.source(l) else []
                    else:
                        srcs = [self.source(s) for s in self.stores_under(l, ch)]
                    plan.append((l, srcs))
        need_limit = "occupancy_limit" in metrics
        acc = {}
        if loc_err is None:
            cut = (int(now.timestamp()) // 60) // 15 * 15
            self._accumulate(acc, plan, groups, ranges_for, time_mode, zone, cal, cut, need_limit)
        return self._datamine_response(acc, plan, groups, metrics, loc_err, cal)

    def _accumulate(self, acc, plan, groups, ranges_for, time_mode, zone, cal, cut, need_limit):
        eng = self.engine
        has_time = any(g[0] == "time" for g in groups)
        full_day = time_mode == [(0, 1440)]
        clipped = str(self.c("edge_labels")) == "clipped"
        contexts = {}

        class Ctx:
            """The date ranges as seen from one time zone."""

            def __init__(self, ranges):
                self.ranges = ranges
                self.min_from = min(f for f, _ in ranges).date()
                self.first_day = self.min_from - dt.timedelta(days=1)
                self.last_day = max(t for _, t in ranges).date() + dt.timedelta(days=1)
                self.keys = {}

            def date_key(self, d, unit, n):
                k = self.keys.get(d)
                if k is not None:
                    return k
                min_from = self.min_from
                if unit == "days":
                    i = (d - min_from).days // n
                    s = min_from + dt.timedelta(days=i * n)
                    e = s + dt.timedelta(days=n - 1)
                elif unit == "weeks":
                    a = cal.week_start_of(min_from)
                    i = (cal.week_start_of(d) - a).days // (7 * n)
                    s = a + dt.timedelta(days=7 * n * i)
                    e = s + dt.timedelta(days=7 * n - 1)
                elif unit == "months":
                    a = cal.month_index(min_from)
                    i = a + (cal.month_index(d) - a) // n * n
                    s = cal.month_start(i)
                    e = cal.month_start(i + n) - dt.timedelta(days=1)
                else:
                    a = cal.year_of(min_from)
                    y = a + (cal.year_of(d) - a) // n * n
                    s = cal.fy_start(y)
                    e = cal.fy_start(y + n) - dt.timedelta(days=1)
                if clipped:
                    # only the days of the bucket that some range touches
                    cov = [(max(s, f.date()), min(e, (t - TINY).date())) for f, t in self.ranges
                           if f.date() <= e and (t - TINY).date() >= s]
                    if cov:
                        s, e = min(c[0] for c in cov), max(c[1] for c in cov)
                self.keys[d] = k = (s, e)
                return k

            def in_ranges(self, x):
                for f, t in self.ranges:
                    if f <= x < t:
                        return True
                return False

            def whole_day(self, d):
                s = dt.datetime.combine(d, dt.time())
                e = s + dt.timedelta(days=1)
                for f, t in self.ranges:
                    if f <= s and e <= t:
                        return True
                return False

        def ctx_for(z):
            key = getattr(z, "key", "UTC")
            c = contexts.get(key)
            if c is None:
                c = contexts[key] = Ctx(ranges_for(z))
            return c

        def emit(ctx, li, rdate, tkey, vals, rank, store_uuid):
            path = []
            for kind, unit, n in groups:
                if kind == "location":
                    path.append(li)
                elif kind == "date":
                    path.append(ctx.date_key(rdate, unit, n))
                elif kind == "time":
                    path.append((tkey[0], tkey[1] // n * n, n))
                else:
                    path.append((rdate.weekday() - cal.week_start) % 7)
            path = tuple(path)
            a = acc.get(path)
            if a is None:
                a = acc[path] = [0] * NV + [0, set()]
            for k in range(NV):
                a[k] += vals[k]
            if rank > a[NV]:
                a[NV] = rank
            if need_limit:
                a[NV + 1].add(store_uuid)

        loc_first = groups[0][0] == "location"
        cap = self.ci("cap")
        for li, (loc, srcs) in enumerate(plan):
            if loc_first and len(acc) > cap:
                break           # everything from here on would be trimmed
            for src in srcs:
                su = src.store["uuid"]
                same_zone = zone is None or zone.key == src.store["time_zone"]
                ezone = zone or src.tz
                ctx = ctx_for(ezone)
                in_ranges, whole_day = ctx.in_ranges, ctx.whole_day
                d = ctx.first_day
                while d <= ctx.last_day:
                    if d < src.start or (src.archive and d >= src.archive):
                        d += dt.timedelta(days=1)
                        continue
                    dd = eng.day(src, d)
                    slot_ov = (src.uuid, d) in SLOT_OVERRIDES
                    if time_mode == "store_hours":
                        if not dd.n_open:
                            d += dt.timedelta(days=1)
                            continue
                        if (same_zone and not has_time and not slot_ov and dd.c_utc <= cut
                                and whole_day(d)):
                            emit(ctx, li, d, None, dd.vec, dd.rank, su)
                        else:
                            dD = dt.datetime.combine(d, dt.time())
                            for m, lst, vals, rank in eng.business_slots(src, d):
                                if m + 15 > cut:
                                    break
                                L = lst if same_zone else _wall(m, ezone)
                                off = (L - dD).total_seconds() // 60
                                B = dD + dt.timedelta(minutes=min(max(off, 0), 1439))
                                if not in_ranges(B):
                                    continue
                                ld = L.date()
                                sign = (ld > d) - (ld < d)
                                emit(ctx, li, d, (sign, L.hour * 60 + L.minute), vals, rank, su)
                    else:
                        prev = eng.day(src, d - dt.timedelta(days=1))
                        nxt = eng.day(src, d + dt.timedelta(days=1))
                        hours_ok = ((not dd.n_open or (Engine.hours(src.store, d)[0] >= 0
                                                       and Engine.hours(src.store, d)[1] <= 1440))
                                    and (not prev.n_open or Engine.hours(src.store, d - dt.timedelta(days=1))[1] <= 1440)
                                    and (not nxt.n_open or Engine.hours(src.store, d + dt.timedelta(days=1))[0] >= 0))
                        q0, q1 = eng.day_quarters(src, d)
                        if (same_zone and full_day and not has_time and not slot_ov and hours_ok
                                and q1 <= cut and whole_day(d)):
                            vals = [x + y for x, y in zip(dd.vec, dd.after)]
                            vals[NSLOT] = (q1 - q0) // 15
                            emit(ctx, li, d, None, vals, dd.rank, su)
                        else:
                            slots = []
                            for k in (-1, 0, 1):
                                bd = d + dt.timedelta(days=k)
                                if bd < src.start or (src.archive and bd >= src.archive):
                                    continue
                                for s in eng.business_slots(src, bd):
                                    if s[1].date() == d:
                                        slots.append(s)
                            slots.extend(eng.after_slots(src, d))
                            for m, lst, vals, rank in slots:
                                if m + 15 > cut:
                                    continue
                                L = lst if same_zone else _wall(m, ezone)
                                if not in_ranges(L):
                                    continue
                                tm = L.hour * 60 + L.minute
                                for f, u in time_mode:
                                    if f <= tm < u:
                                        break
                                else:
                                    continue
                                emit(ctx, li, L.date(), (0, tm), vals, rank, su)
                    d += dt.timedelta(days=1)

    def _group_obj(self, kind, key, plan, cal):
        if kind == "location":
            l = plan[key][0]
            qn = l["name"]
            if l["kind"] == "sub":
                st = self.store_of(l)
                if st:
                    qn = "%s > %s" % (st["name"], l["name"])
            return {"name": l["name"], "qualified_name": qn, "type": "location", "uuid": l["uuid"]}
        if kind == "date":
            return {"type": "date", "from": cal.repr(key[0]), "through": cal.repr(key[1])}
        if kind == "time":
            sign, start, n = key
            p = {-1: "-", 0: "", 1: "+"}[sign]
            return {"type": "time", "from": p + _hm(start), "until": p + _hm(min(start + n, 1440))}
        wd = (key + cal.week_start) % 7
        return {"type": "day_of_week", "name": DAY_NAMES[wd]}

    def _datamine_response(self, acc, plan, groups, metrics, loc_err, cal):
        # a tree of keys, sorted at each level
        tree = {}
        for path, a in acc.items():
            node = tree
            for k in path[:-1]:
                node = node.setdefault(k, {})
            node[path[-1]] = a
        objs = {}
        cap = self.ci("cap")
        out_metrics = []
        total = [0]
        trimmed = [False]

        def limit_of(a):
            vals = [self.locs[u].get("occupancy_limit") for u in a[NV + 1] if u in self.locs]
            vals = [v for v in vals if v is not None]
            return sum(vals) if vals else None

        def render(node, level, fn, validity):
            kind = groups[level][0]
            out = []
            for key in sorted(node):
                ok = (kind, key)
                if ok not in objs:
                    objs[ok] = self._group_obj(kind, key, plan, cal)
                if level == len(groups) - 1:
                    if total[0] >= cap:
                        trimmed[0] = True
                        break
                    a = node[key]
                    ent = {"value": limit_of(a) if fn is None else fn(a)}
                    if validity:
                        ent["validity"] = VALIDITY[a[NV]]
                    ent["group"] = objs[ok]
                    ent["index"] = len(out)
                    out.append(ent)
                    total[0] += 1
                else:
                    sub = render(node[key], level + 1, fn, validity)
                    if sub:
                        out.append({"group": objs[ok], "index": len(out), "data": sub})
            return out

        for m in metrics:
            if loc_err:
                out_metrics.append({"name": m, "ok": False, "error": loc_err, "data": []})
                continue
            spec = METRICS.get(m)
            if spec is None:
                out_metrics.append({"name": m, "ok": False, "error": "unknown metric %r" % m, "data": []})
                continue
            out_metrics.append({"name": m, "ok": True, "data": render(tree, 0, spec[0], spec[1]) if tree else []})
        if trimmed[0] and str(self.c("cap_mode")) == "error":
            _fail(400, "the response exceeds %d entries; query fewer locations or shorter date ranges" % cap)
        return Response(200, {"ok": all(x["ok"] for x in out_metrics), "metrics": out_metrics})

    def _datamine_local(self, b, locs, metrics, groups, time_mode):
        drs = b["date_ranges"]
        if (set(metrics) - {"total_occupancy", "occupancy_limit"} or [g[0] for g in groups] != ["location"]
                or len(drs) != 1 or not isinstance(drs[0], dict)
                or drs[0].get("from") != {"name": "today"} or drs[0].get("to") != {"name": "now"}
                or time_mode != "store_hours" or len(b["time_ranges"]) != 1):
            _fail(400, 'time_zone "local" requires only total_occupancy and occupancy_limit, a group by '
                       'location, one date range from today to now and one store_hours time range')
        with self.lock:
            found = [self.locs.get(u) for u in locs]
            permitted = self._permitted()
            ch = self.children()
            err = None
            for u, l in zip(locs, found):
                if l is None or (permitted is not None and u not in permitted):
                    err = "location %s is not included in the location profile of this API token" % u
                    break
            rows = []
            if err is None:
                for l in found:
                    stores = self.stores_under(l, ch)
                    occ = [max(0, s["live"] + self.occ_adjust.get(s["uuid"], 0)) for s in stores]
                    lim = [s["occupancy_limit"] for s in stores if s["occupancy_limit"] is not None]
                    rows.append((l, sum(occ) if stores else None, sum(lim) if lim else None))
        out = []
        for m in metrics:
            if err:
                out.append({"name": m, "ok": False, "error": err, "data": []})
                continue
            data = []
            for i, (l, occ, lim) in enumerate(rows):
                data.append({"value": occ if m == "total_occupancy" else lim, "validity": "complete",
                             "group": self._group_obj("location", i, [(r[0], None) for r in rows], None),
                             "index": i})
            out.append({"name": m, "ok": True, "data": data})
        return Response(200, {"ok": all(x["ok"] for x in out), "metrics": out})

    # ==================================================================
    # occupancy adjust
    # ==================================================================
    def occupancy_adjust(self, req, parts):
        b = self.body(req)
        if "store_uuid" not in b:
            _fail(400, "store_uuid is required")
        if "adjustment_count" not in b:
            _fail(400, "adjustment_count is required")
        cnt = b["adjustment_count"]
        if not isinstance(cnt, int) or isinstance(cnt, bool) or cnt == 0:
            _fail(400, "adjustment_count must be a non-zero integer")
        with self.lock:
            s = self.locs.get(b["store_uuid"]) if isinstance(b["store_uuid"], str) else None
            if s is None or s["kind"] != "store":
                _fail(400, "store %s not found" % (b["store_uuid"],))
            when = b.get("adjustment_date", b.get("adjustment_time"))
            if when is None:
                t = self.now()
            else:
                t, wall = self._z_in(when, "adjustment_date")
                if wall is not None:
                    t = wall.replace(tzinfo=s["tzinfo"])
            if s["occupancy_limit"] is None:
                _fail(400, "occupancy updates need the store's occupancy limit to be defined")
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
                _fail(400, "occupancy updates are only accepted within store hours")
            self.occ_adjust[s["uuid"]] = self.occ_adjust.get(s["uuid"], 0) + cnt
        return Response(200, {"ok": True})

    # ==================================================================
    # users and profiles
    # ==================================================================
    def users_list(self, req, parts):
        typ = req.arg("type")
        email = req.arg("email")
        if typ is not None and typ.lower() not in ("local", "sso"):
            _fail(400, "type must be local or sso")
        with self.lock:
            rows = [dict(u) for u in self.users
                    if (typ is None or u["type"] == typ.lower()) and (email is None or u["email"] == email)]
        return self.paged(req, rows, lambda chunk: {"users": chunk})

    def _check_profiles(self, u):
        if "user_profile_id" in u and not any(p["id"] == u["user_profile_id"] for p in USER_PROFILES):
            _fail(400, "user profile %s not found" % (u["user_profile_id"],))
        if "location_profile_id" in u and not any(p["id"] == u["location_profile_id"] for p in LOCATION_PROFILES):
            _fail(400, "location profile %s not found" % (u["location_profile_id"],))
        if "location_ids" in u:
            ids = u["location_ids"]
            if not isinstance(ids, list) or not ids or not all(isinstance(x, str) for x in ids):
                _fail(400, "location_ids must be a non-empty list of location uuids")
            for x in ids:
                if x not in self.locs:
                    _fail(400, "location %s not found" % x)
        if "location_ids" in u and "location_profile_id" in u:
            _fail(400, "give either location_profile_id or location_ids, not both")

    def users_create(self, req, parts):
        b = self.body(req)
        u = b.get("user")
        if not isinstance(u, dict):
            _fail(400, 'the body must be {"user": {...}}')
        email = u.get("email")
        if not isinstance(email, str) or "@" not in email or email.startswith("@") or email.endswith("@"):
            _fail(400, "email is required and must be an email address")
        if "type" not in u:
            _fail(400, "type is required")
        if not isinstance(u["type"], str) or u["type"].lower() != "sso":
            _fail(400, "only sso users can be created through the API")
        name = u.get("name", email)
        if not isinstance(name, str) or not name:
            _fail(400, "name must be a non-empty string")
        disabled = u.get("disabled", False)
        if not isinstance(disabled, bool):
            _fail(400, "disabled must be true or false")
        perms = [k for k in ("user_profile_id", "location_profile_id", "location_ids") if k in u]
        if str(self.c("sso_permissions")) == "saml":
            if perms:
                _fail(400, "permissions of SSO users are managed by the identity provider (Use SAML Attribute)")
        else:
            if "user_profile_id" not in u or ("location_profile_id" not in u and "location_ids" not in u):
                _fail(400, "user_profile_id and location_profile_id (or location_ids) are required")
        with self.lock:
            self._check_profiles(u)
            if any(x["email"].lower() == email.lower() for x in self.users):
                _fail(400, "email %s has already been taken" % email)
            n = self.created_users
            self.created_users += 1
            uid = DOC_CREATED_USER if n == 0 else _fixture_uuid("created-user", self.sim.seed, n)
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
                _fail(404, "user %s not found" % uid)
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
                _fail(404, "%s %s not found" % (single.replace("_", " "), parts[2]))
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
                uid = _fixture_uuid("alert", self.sim.seed, su, created.isoformat())
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
                _fail(400, "%s is required" % k)
        if not isinstance(b["store_uuid"], str):
            _fail(400, "store_uuid must be one store uuid")
        with self.lock:
            s = self.locs.get(b["store_uuid"])
        if s is None or s["kind"] != "store":
            _fail(400, "store %s not found" % b["store_uuid"])
        days = []
        for k in ("first_day", "last_day"):
            try:
                days.append(dt.date.fromisoformat(b[k]) if isinstance(b[k], str) and len(b[k]) == 10 else None)
            except ValueError:
                days.append(None)
            if days[-1] is None:
                _fail(400, "%s must be yyyy-mm-dd" % k)
        first, last = days
        tz = s["tzinfo"]
        utc_days = str(self.c("predicted_days")) == "utc"
        today = self.now().astimezone(UTC if utc_days else tz).date()
        if first <= today:
            _fail(400, "first_day must be in the future")
        if last < first:
            _fail(400, "last_day is before first_day")
        if (last - first).days + 1 > 7:
            _fail(400, "up to 7 days can be requested in one query")
        if last > today + dt.timedelta(days=31):
            _fail(400, "predicted traffic is available for the upcoming 31 days only")
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
            h = Engine.hours(s, d)
            if h:
                r = rng_for(self.sim.seed, VENDOR, "pred", s["uuid"], d.toordinal())
                base = dt.datetime.combine(d, dt.time())
                per_q = s["scale"] * WEEKDAY_FACTOR[d.weekday()] * SEASON[d.month] / 4.0
                for m in range(h[0], h[1], 15):
                    t = base + dt.timedelta(minutes=m)
                    w = _traffic_profile((m % 1440) / 60.0) / 1.4
                    v = PRED_OVERRIDES.get((s["uuid"], t.strftime("%Y-%m-%dT%H:%M")))
                    if v is None:
                        v = max(0, int(round(per_q * w * r.uniform(0.85, 1.15))))
                    if utc_days and not first <= t.replace(tzinfo=tz).astimezone(UTC).date() <= last:
                        continue
                    if not utc_days and not first <= d <= last:
                        continue
                    preds.append({"time": self._z_out(t, tz), "value": v})
            d += dt.timedelta(days=1)
        return Response(200, {"ok": True, "error": "", "predictions": preds})

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
                _fail(404, "store %s not found" % parts[2])
            fps = [self.floorplan_out(fp) for fp in FLOORPLANS if fp[2] == parts[2]]
            return self.paged(req, fps, lambda chunk: chunk)
        if len(parts) == 3:
            fp = next((f for f in FLOORPLANS if f[0] == parts[2]), None)
            if fp is None:
                _fail(404, "floorplan %s not found" % parts[2])
            return Response(200, self.floorplan_out(fp))
        return self.paged(req, [self.floorplan_out(fp) for fp in FLOORPLANS], lambda chunk: chunk)

    def zone_transitions(self, req, parts):
        b = self.body(req)
        for k in ("locations", "date_ranges"):
            if k not in b:
                _fail(400, "%s is required" % k)
        locs = b["locations"]
        if isinstance(locs, str):
            locs = [locs]
        if not isinstance(locs, list) or not locs or not all(isinstance(x, str) for x in locs):
            _fail(400, "locations must be a non-empty list of location uuids")
        drs = b["date_ranges"]
        if not isinstance(drs, list) or not drs:
            _fail(400, "date_ranges must be a non-empty list")
        ranges = []
        for dr in drs:
            if not isinstance(dr, dict) or "start" not in dr or "finish" not in dr:
                _fail(400, "each date range needs start and finish")
            try:
                a = dt.date.fromisoformat(dr["start"])
                z = dt.date.fromisoformat(dr["finish"])
            except (TypeError, ValueError):
                _fail(400, "date range start and finish must be yyyy-mm-dd")
            if z < a:
                _fail(400, "date range finish is before start")
            if (z - a).days > 5 * 366:
                _fail(400, "the date range is limited to 5 years")
            ranges.append((a, z))
        metrics = b.get("metrics", ["all"])
        if isinstance(metrics, str):
            metrics = [metrics]
        if not isinstance(metrics, list) or not metrics or any(m not in ("all", "employee", "customer")
                                                               for m in metrics):
            _fail(400, 'metrics must be a list of "all", "employee", "customer"')
        trans = b.get("transitions", "direct_only")
        if trans not in ("direct_only", "direct_and_indirect", "directionless"):
            _fail(400, 'transitions must be "direct_only", "direct_and_indirect" or "directionless"')
        dwells = b.get("dwells", "dwells_only")
        if dwells not in ("dwells_only", "non_dwells", "all_traffic"):
            _fail(400, 'dwells must be "dwells_only", "non_dwells" or "all_traffic"')
        trs = b.get("time_ranges", [{"type": "store_hours"}])
        if not isinstance(trs, list) or not trs:
            _fail(400, "time_ranges must be a non-empty list")
        spans = []
        for tr in trs:
            if not isinstance(tr, dict):
                _fail(400, "each time range must be an object")
            if tr.get("type") == "store_hours":
                continue
            f = self._hhmm(tr.get("start"), "start", False)
            u = self._hhmm(tr.get("finish"), "finish", True)
            if u <= f:
                _fail(400, "time range finish must be after start")
            spans.append((f, u))
        dows = b.get("days_of_week", DAY_NAMES)
        if isinstance(dows, str):
            dows = [dows]
        if not isinstance(dows, list) or not dows or any(d not in WEEKDAY for d in dows):
            _fail(400, "days_of_week must be a list of monday ... sunday")
        with self.lock:
            for u in locs:
                if u not in self.locs:
                    _fail(400, "location %s not found" % u)
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
        return Response(200, {"metrics": out})

    # ==================================================================
    # inventory
    # ==================================================================
    def inv_cameras(self, req, parts):
        with self.limited("cameras"):
            su = req.arg("store_uuid")
            items = self.cameras
            if su is not None:
                with self.lock:
                    s = self.locs.get(su)
                if s is None or s["kind"] != "store":
                    _fail(404, "store %s not found" % su)
                items = [c for c in items if c["store_uuid"] == su]
            return self.token_paged(req, items, lambda c: "C" + c["device_id"], "cameras")

    def inv_channels(self, req, parts):
        return self.token_paged(req, self.channels, lambda c: "H" + c["channel_uuid"], "channels")

    def inv_appliances(self, req, parts):
        return self.token_paged(req, self.appliances, lambda a: "A" + a["appliance_id"],
                                "store_appliances")

    # ==================================================================
    # video export
    # ==================================================================
    def export_start(self, req, parts):
        chans = req.query.get("channel", [])
        chans = [c for v in chans for c in v.split(",") if c]
        if not chans:
            _fail(400, "channel is required")
        if len(chans) > 16:
            _fail(400, "up to 16 channels can be exported together")
        cams = []
        for c in chans:
            cam = self.cam_of_channel.get(c)
            if cam is None:
                _fail(400, "channel %s not found" % c)
            cams.append(cam)
        if len({c["store_uuid"] for c in cams}) > 1:
            _fail(400, "all channels must come from the same store appliance")
        times = []
        for k in ("start", "end"):
            v = req.arg(k)
            if not v:
                _fail(400, "%s is required" % k)
            try:
                times.append(parse_iso(v, k))
            except HttpError:
                _fail(400, "%s must be ISO 8601 (yyyy-mm-ddThh:mm:ssZ)" % k)
        start, end = times
        if end <= start:
            _fail(400, "end must be after start")
        flags = {}
        for k in ("analytics_overlay", "info_overlay", "raw"):
            v = req.arg(k, "0")
            if v not in ("0", "1"):
                _fail(400, "%s must be 0 or 1" % k)
            flags[k] = v == "1"
        res = req.arg("resolution")
        if res is not None:         # only used when several channels are exported
            w, _, h = res.partition("x")
            if not (w.isdigit() and h.isdigit()):
                _fail(400, "resolution must be WIDTHxHEIGHT")
        with self.lock:
            n = self.export_count
            self.export_count += 1
            eid = DOC_EXPORT if n == 0 else _fixture_uuid("export", self.sim.seed, n)
            failed = None
            for c in chans:
                ch = next(x for x in self.channels if x["channel_uuid"] == c)
                if not ch["recording_enabled"]:
                    failed = "recording is disabled for channel %s" % c
            self.exports[eid] = {"polls": 0, "after": 0, "failed": failed, "deleted": False,
                                 "seconds": int((end - start).total_seconds()), "channels": chans}
        return Response(201, {"ok": True}, {"Location": "/v1/video/export/task/%s" % eid})

    def _signature(self, eid):
        return hashlib.sha256(("%s|%s|export" % (self.sim.seed, eid)).encode()).hexdigest()[:32]

    def export_status(self, req, parts):
        eid = parts[4]
        with self.lock:
            x = self.exports.get(eid)
            if x is None or x["deleted"]:
                _fail(404, "export %s not found or expired" % eid)
            if x["polls"] < self.ci("export_polls"):
                x["polls"] += 1
                return Response(202, {"ok": True})
            if x["failed"]:
                return Response(424, {"ok": False, "error": x["failed"]})
            ttl = self.ci("export_ttl")
            x["after"] += 1
            if ttl and x["after"] > ttl:
                _fail(404, "export %s has expired" % eid)
        url = "%s/v1/video/export/download/%s.mp4?signature=%s" % (req.base_url(), eid, self._signature(eid))
        return Response(302, {"ok": True}, {"Location": url})

    def export_delete(self, req, parts):
        eid = parts[4]
        with self.lock:
            x = self.exports.get(eid)
            if x is None or x["deleted"]:
                _fail(404, "export %s not found or expired" % eid)
            x["deleted"] = True
        return Response(200, {"ok": True})

    def download(self, req, name):
        if req.method != "GET":
            raise HttpError(405, {"ok": False, "error": "method not allowed"}, {"Allow": "GET"})
        if req.header("Authorization"):
            _fail(400, "only one auth mechanism allowed: the URL is signed, "
                       "do not send an Authorization header to the download host")
        eid = name[:-4] if name.endswith(".mp4") else name
        with self.lock:
            x = self.exports.get(eid)
            if x is None or x["deleted"] or x["failed"] or x["polls"] < self.ci("export_polls"):
                _fail(404, "no such export")
        if req.arg("signature") != self._signature(eid):
            _fail(403, "signature does not match")
        size = min(65536, 4096 + 200 * x["seconds"])
        seedb = hashlib.sha256(("%s|%s" % (self.sim.seed, eid)).encode()).digest()
        payload = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
        block = seedb * 8
        while len(payload) < size:
            payload += block
        return Response(200, payload[:size], {}, "video/mp4")

    # ==================================================================
    # video stream
    # ==================================================================
    def _token_for(self, uuid):
        if uuid == ORG:
            return DOC_HLS_TOKEN
        h = hashlib.sha256(("hls|%s|%s" % (self.sim.seed, uuid)).encode()).digest()
        return base64.urlsafe_b64encode(h).decode()[:27]

    def hls_token(self, req, parts):
        b = self.body(req)
        u = b.get("location_uuid")
        if u is None:
            _fail(400, "location_uuid is required")
        with self.lock:
            if not isinstance(u, str) or u not in self.locs:
                _fail(400, "location %s not found" % (u,))
            tok = self._token_for(u)
            self.tokens[tok] = u
        return Response(200, {"token": tok})

    def hls(self, req, parts):
        if req.method != "GET":
            raise HttpError(405, {"ok": False, "error": "method not allowed"}, {"Allow": "GET"})
        tok = req.arg("token")
        with self.lock:
            loc = self.tokens.get(tok) if tok else None
            if loc is None:
                _fail(401, "a valid token is required (POST /v1/hlsapitoken)")
            allowed = {loc} | {d["uuid"] for d in self.descendants(loc)}
        if len(parts) == 3:
            if not parts[2].endswith(".m3u8"):
                _fail(404, "no such playlist")
            ch = parts[2][:-5]
        else:
            ch = parts[2]
        cam = self.cam_of_channel.get(ch)
        if cam is None:
            _fail(404, "channel %s not found" % ch)
        if cam["store_uuid"] not in allowed:
            _fail(403, "the token does not cover channel %s" % ch)
        if len(parts) == 3:
            lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:6",
                     "#EXT-X-MEDIA-SEQUENCE:0"]
            for i in range(3):
                lines += ["#EXTINF:6.0,", "/v1/hls/%s/%d.ts?token=%s" % (ch, i, urllib.parse.quote(tok))]
            return Response(200, "\n".join(lines) + "\n", {}, "application/vnd.apple.mpegurl")
        seg = parts[3]
        if not (seg.endswith(".ts") and seg[:-3].isdigit() and int(seg[:-3]) < 3):
            _fail(404, "no such segment")
        pkt = bytes([0x47, 0x40, 0x00, 0x10]) + bytes(184)
        return Response(200, pkt * 20, {}, "video/MP2T")


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


def make(sim):
    return RetailNext(sim)
