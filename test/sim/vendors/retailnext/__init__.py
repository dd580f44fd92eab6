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
time zone is UTC").  gregorian_forms=documented (default): a request's gregorian is
that form only, yyyy-mm-ddThh:mm:ssZ, anything else 400 (the date-only form is the
responses'); gregorian_forms=lenient also accepts yyyy-mm-dd, or
yyyy-mm-ddThh:mm[:ss[.ffffff]] followed by Z, +hh:mm / -hh:mm (or +hhmm), or nothing.  gregorian_z=utc (default): Z or
an offset makes an instant, converted to the query's time_zone, where it is bucketed;
date-only is local midnight and a value without designator local wall clock in that
zone.  Without time_zone each store converts into its own zone (and "name" dates are
refused).  name is "now" or "today", the doc's ("such as now and today"; knob
date_names=extended adds yesterday and tomorrow).  name/absolute/relative are local wall clock of that zone; a relative with a
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
the same value whatever range fetched it.  Week groups of a value above 1 (the doc:
"value": "any positive integer", not where they start) start at the week holding the
earliest "from", calendar-aligned (week_groups=calendar, default, as a value of 1 does);
week_groups=from_first_day: at that first day itself, n x 7 days each.  A day_of_week
group (the doc shows no answer of it) is {"type": "day_of_week", "name": "monday"}, the
weekdays in the calendar's week order, each summed over every such day in the ranges.
Limits: 5 years for one
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
  z_reading=wall (default, as the doc's own examples are: Caspar "open" 10:00Z and Fifth
  Avenue predictions from 09:00Z are their local opening hours) writes and reads them as
  the store's local wall clock followed by a "Z"; z_reading=utc (the other reading, for
  an account whose API means UTC, as the doc says of datamine's gregorian) as UTC
  instants.  Request parameters the doc gives as "yyyy-mm-ddThh:mm:ssZ" must have that
  form (ISO 8601: fractional seconds and a numeric offset accepted; a date alone, or a
  time without Z or offset -> 400).
  - POST /v1/storehours: "open"/"close" as above (utc: Caspar 10-21 PST -> "T18:00:00Z" /
    next day "T05:00:00Z"; Fifth Avenue 09-21 -> T14:00Z/T02:00Z in EST, T13:00Z/T01:00Z
    in EDT).  "effective_day" is the store-local date written "yyyy-mm-ddT00:00:00Z" (a
    day label, under both readings); it keys the result.  start_date / end_date label
    days the same way: yyyy-mm-ddT00:00:00[.000](Z|+00:00) (a date alone or other times
    -> 400); both are included (the doc's 2021-01-15 .. 2021-01-22 answers both days).
  - POST /v1/predictedtraffic: "time" of each 15-minute row as above.  first_day /
    last_day are yyyy-mm-dd: predicted_days=local (default) store-local business days
    (slots after midnight belong to the day they started from), predicted_days=utc the
    rows whose UTC instant falls on those UTC dates.  "Must be in the future", 7 days,
    31 days are counted in the same frame.  Values are fixed per store-local slot.
  - POST /v1/healthalerts start_time and POST /v1/occupancy/adjust adjustment_date:
    yyyy-mm-ddThh:mm:ss[.ffffff] with Z or +hh:mm/-hh:mm.  A numeric offset
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
  gregorian_z (utc | wall), gregorian_forms (documented | lenient), range_to (exclusive | inclusive), edge_labels (whole |
  clipped), week_groups (calendar | from_first_day): see DATE RANGES and EDGES; z_reading (wall | utc), predicted_days (local |
  utc): see Z TIMES; date_names (documented: datamine "name" dates are the doc's "now"
  and "today" | extended: also "yesterday" and "tomorrow").  extra_stores (0): that many more stores ("Extra Store 001", ...,
  New York, uuids fixed by their number), for joins over hundreds of locations;
  extra_store_zone (America/New_York): their time zone (e.g. Asia/Tokyo, east of UTC).
  extra_users (0): that many more users ("Extra User 0", ...; of every 13, 8 local and
  5 sso), so that listings end exactly at a page end (13: 90 local, 45 sso, 135 in all).
"""

from vendors.retailnext.fixtures import DEFAULTS, VENDOR  # noqa: F401
from vendors.retailnext.api import RetailNext  # noqa: F401


def make(sim):
    return RetailNext(sim)
