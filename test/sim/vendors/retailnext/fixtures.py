"""The simulated RetailNext's names, knobs, error shape and fixed data: the location
tree, stores and their hours, floorplans, profiles, users, alerts and the
documentation's examples, and the camera/channel/appliance inventory."""

import datetime as dt

from vendors.base import HttpError, UTC, rng_for


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
    "gregorian_forms": "documented",
    "range_to": "exclusive",
    "edge_labels": "whole",
    "week_groups": "calendar",
    "z_reading": "wall",
    "predicted_days": "local",
    "date_names": "documented",
    "extra_stores": 0,
    "extra_store_zone": "America/New_York",
    "extra_users": 0,
}

DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def error(status, msg):
    """RetailNext's error answer: {"ok": false, "error": msg}."""
    return HttpError(status, {"ok": False, "error": msg})


def fail(status, msg):
    raise error(status, msg)


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


def extra_stores(n, zone=NY):
    """Knob extra_stores: n more stores in New York, or in the time zone of knob
    extra_store_zone (uuids fixed by their number), for joins over many locations
    and for stores east of UTC; in the STORES layout."""
    out = []
    for i in range(int(n)):
        out.append((fixture_uuid("extra-store", i), "Extra Store %03d" % (i + 1),
                    "3749e26c-a7da-11e8-9eae-40007c493637", zone, str(1000 + i), None, None,
                    _week(H(9, 21), H(10, 18)), 10 + i % 40, None, False, i % 25))
    return out


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


def fixture_uuid(*parts):
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


def build_inventory():
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
            a = {"appliance_id": fixture_uuid("appliance", s[0]), "store_uuid": s[0],
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
            dev_uuid = fixture_uuid("device", mac)
            if ctype in (0, 1):
                ch_uuid = fixture_uuid("channel", mac)
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
