"""The AiFi data set, generated deterministically from the seed and the data knobs:
stores, customers, products, sessions, orders and the webhook payloads."""

import collections
import datetime as dt
import json
import math
import re
import unicodedata
import uuid
from decimal import Decimal

from vendors.base import iso_z, rng_for, UTC
from vendors.aifi.fixtures import (CENT, FIRST, LAST, ORDER_STATUSES, PRODUCTS, STORES, TAX_CODES,
                                   VENDOR)


# -- helpers --------------------------------------------------------------------

def dumps(obj):
    return json.dumps(obj, ensure_ascii=False)


def _ts(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _iso(t):
    return iso_z(t) if t is not None else None


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _money(d):
    return str(Decimal(d).quantize(CENT))


def _ean13(rng):
    digits = [0] + [rng.randrange(10) for _ in range(11)]
    s = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - s % 10) % 10)


def _ascii(s):
    s = s.replace("Ł", "L").replace("ł", "l").replace("ø", "o").replace("Ø", "O")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", s)


class Row:
    """One record: its API object, its JSON text and comparable values."""
    __slots__ = ("id", "api", "text", "v", "extra")

    def __init__(self, rid, api, v, extra=None):
        self.id = rid
        self.api = api
        self.text = dumps(api)
        self.v = v
        self.extra = extra or {}


def sort_key(row, field):
    val = row.v[field]
    return (1, 0, row.id) if val is None else (0, val, row.id)


# -- data ---------------------------------------------------------------------------

class Data:
    def __init__(self, seed, n_sessions, n_customers, start, end):
        self.seed = seed
        self.start = start
        self.end = end
        self._stores()
        self._customers(n_customers)
        self._products()
        self._sessions(n_sessions)
        self._orders()

    # stores ---------------------------------------------------------------
    def _stores(self):
        self.stores = []
        self.store_by_id = {}
        for s in STORES:
            api = collections.OrderedDict()
            for k in ("aifiUniqueStoreId", "status", "deploymentStatus", "addressLine1",
                      "addressCity", "addressRegion", "addressCountry", "addressPostalCode"):
                api[k] = s[k]
            api["id"] = str(s["id"])
            api["store"] = {"oasisApiStoreId": s["id"], "aifiUniqueStoreId": s["aifiUniqueStoreId"]}
            for k in ("name", "displayableName", "thirdPartyId", "storeUrl", "maxPeople",
                      "storeConfigId", "employeeInside", "createdAt", "updatedAt"):
                api[k] = s[k]
            v = dict(id=s["id"], name=s["name"], createdAt=_ts(s["createdAt"]),
                     updatedAt=_ts(s["updatedAt"]), status=s["status"],
                     deploymentStatus=s["deploymentStatus"], thirdPartyId=s["thirdPartyId"],
                     aifiUniqueStoreId=s["aifiUniqueStoreId"])
            # the object embedded in a session (the sessions documentation's shape)
            embed = collections.OrderedDict()
            for k in ("aifiUniqueStoreId", "status", "deploymentStatus", "addressLine1",
                      "addressCity", "addressRegion", "addressCountry", "addressPostalCode",
                      "thirdPartyId", "storeUrl", "maxPeople", "storeConfigId", "name"):
                embed[k] = s[k]
            embed["id"] = str(s["id"])
            embed["employeeInside"] = s["employeeInside"]
            row = Row(s["id"], api, v, {"embed": embed, "tax": Decimal(s["tax"]), "src": s})
            self.stores.append(row)
            self.store_by_id[s["id"]] = row

    # customers ----------------------------------------------------------
    def _customers(self, n):
        rng = rng_for(self.seed, VENDOR, "customers", n)
        base = dt.datetime(2025, 5, 1, tzinfo=UTC)
        self.customers = []
        self.customer_by_id = {}
        for i in range(n):
            cid = 11 + i
            first = rng.choice(FIRST)
            last = rng.choice(LAST)
            r = rng.random()
            role = "customer" if r < 0.90 else ("employee" if r < 0.95 else "tester")
            created = base + dt.timedelta(seconds=rng.randint(0, 111 * 86400))
            updated = created + dt.timedelta(seconds=rng.randint(0, 20 * 86400))
            cap = dt.datetime(2025, 8, 31, 23, 0, tzinfo=UTC)
            if updated > cap:
                updated = cap
            anonymous = rng.random() < 0.08   # card-only sign-up: no contact data
            email = None if anonymous else "%s.%s%d@example.com" % (
                _ascii(first).lower(), _ascii(last).lower(), cid)
            phone = None if anonymous or rng.random() < 0.3 else \
                "+1206555%04d" % rng.randint(0, 9999)
            ext = "CUST-%06d" % cid if rng.random() < 0.85 else None
            mr = rng.random()
            if mr < 0.5:
                meta = {}
            elif mr < 0.8:
                meta = {"loyaltyTier": rng.choice(["bronze", "silver", "gold"]),
                        "marketingOptIn": rng.random() < 0.5}
            else:
                meta = {"arbitraryKey": "arbitraryValue",
                        "signupChannel": rng.choice(["ios", "android", "web"])}
            has_card = rng.random() < 0.7
            api = collections.OrderedDict([
                ("id", cid), ("externalId", ext), ("role", role), ("metadata", meta),
                ("priority", 1 if role == "employee" else 0), ("email", email),
                ("firstName", None if anonymous else first),
                ("lastName", None if anonymous else last), ("phone", phone),
                ("createdAt", iso_z(created)), ("updatedAt", iso_z(updated))])
            pmid = "pm_card_%04d" % cid if has_card else None
            v = dict(id=cid, email=email.lower() if email else None, externalId=ext,
                     pmid=pmid, createdAt=created, updatedAt=updated, role=role)
            embed = collections.OrderedDict([
                ("externalId", ext), ("role", role), ("metadata", meta),
                ("priority", api["priority"]), ("email", email), ("firstName", api["firstName"]),
                ("lastName", api["lastName"]), ("phone", phone), ("id", str(cid))])
            row = Row(cid, api, v, {"embed": embed, "card": 7000 + cid if has_card else None})
            self.customers.append(row)
            self.customer_by_id[cid] = row

    # products ---------------------------------------------------------------
    def _products(self):
        rng = rng_for(self.seed, VENDOR, "products")
        base = dt.datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
        self.products = []
        self.product_by_id = {}
        pid = 0
        for bi, (name, cat, sizes, price, mult) in enumerate(PRODUCTS):
            for si, size in enumerate(sizes):
                pid += 1
                p = Decimal(price)
                if si == 1:
                    p = Decimal(math.floor(float(p) * mult * 10) / 10).quantize(Decimal("0.1"))
                    p += Decimal("0.09")
                p = p.quantize(CENT)
                created = base + dt.timedelta(hours=pid * 7, minutes=rng.randint(0, 59))
                updated = created + dt.timedelta(days=rng.randint(0, 80), minutes=rng.randint(0, 600))
                invalid = rng.random() < 0.06
                store_prices = []
                for st in (1, 2, 3):
                    if rng.random() < 0.3:
                        sp = (p * Decimal(rng.choice(["0.9", "1.05", "1.1", "1.15"]))).quantize(CENT)
                        store_prices.append(collections.OrderedDict([
                            ("storeId", str(st)), ("productId", str(pid)), ("price", str(sp)),
                            ("createdAt", iso_z(created + dt.timedelta(days=st)))]))
                qty = rng.randint(0, 240)
                weight = rng.randint(40, 1200)
                sku = "NM-%s-%04d" % (_ascii(cat)[:3].upper(), pid)
                ext = "ERP-%06d" % (100000 + pid)
                api = collections.OrderedDict([
                    ("id", str(pid)), ("name", "%s %s" % (name, size)), ("price", str(p)),
                    ("barcode", _ean13(rng)), ("category", cat),
                    ("thumbnail", None if invalid else "https://cdn.nanomarket.example/p/%d.jpg" % pid),
                    ("invalidThumbnail", invalid), ("productId", pid), ("quantity", qty),
                    ("weight", weight), ("sku", sku), ("inventoryItemId", 5000 + pid),
                    ("externalId", ext), ("restricted", cat == "Alcohol"),
                    ("taxCode", TAX_CODES[cat]), ("storePrices", store_prices),
                    ("variants", []), ("createdAt", iso_z(created)),
                    ("updatedAt", iso_z(updated))])
                v = dict(id=pid, ids=str(pid), name=api["name"], price=p, quantity=qty,
                         createdAt=created, updatedAt=updated, barcode=api["barcode"],
                         externalId=ext, invalidThumbnail=invalid, category=cat, sku=sku)
                prices = {int(sp["storeId"]): Decimal(sp["price"]) for sp in store_prices}
                row = Row(pid, api, v, {"store_prices": prices})
                self.products.append(row)
                self.product_by_id[pid] = row

    # sessions ---------------------------------------------------------------
    def _sessions(self, n):
        rng = rng_for(self.seed, VENDOR, "sessions", n, self.start.isoformat(), self.end.isoformat())
        days = (self.end - self.start).days + 1
        day0 = dt.datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        created_all = sorted(day0 + dt.timedelta(days=rng.randrange(days),
                                                 seconds=rng.randint(6 * 3600, 22 * 3600 - 1))
                             for _ in range(n))
        store_pool = []
        for s in self.stores:
            store_pool += [s.id] * s.extra["src"]["weight"]
        sec = lambda a, b: dt.timedelta(seconds=rng.randint(a, b))  # noqa: E731
        self.sessions = []
        self.session_by_id = {}
        self.session_by_token = {}
        last_by_cust_store = {}
        for i, created in enumerate(created_all):
            sid = 1001 + i
            store = self.store_by_id[rng.choice(store_pool)]
            cust = None if rng.random() < 0.12 else rng.choice(self.customers)
            r = rng.random()
            status = "finished" if r < 0.72 else "expired" if r < 0.84 else \
                "active" if r < 0.92 else "cancelled"
            code = _uuid(rng)
            token = _uuid(rng)
            expires = created + dt.timedelta(hours=2)
            scan1 = scan2 = ent1 = ent2 = ex1 = ex2 = None
            group = visitors = 0
            sat = None
            sat_sub = False
            if status in ("finished", "active") or (status == "cancelled" and rng.random() < 0.5):
                scan1 = created + sec(5, 600)
                scan2 = scan1 + sec(5, 60) if rng.random() < 0.2 else scan1
            if status == "finished":
                gr = rng.random()
                group = 1 if gr < 0.75 else 2 if gr < 0.92 else 3 if gr < 0.98 else 4
                visitors = group if group == 1 or rng.random() < 0.9 else group - 1
                ent1 = scan2 + sec(2, 15)
                if rng.random() < 0.1:          # left and came back
                    ex1 = ent1 + sec(60, 600)
                    ent2 = ex1 + sec(30, 900)
                    ex2 = ent2 + sec(60, 1200)
                else:
                    ent2 = ent1
                    ex1 = ent2 + sec(90, 2400)
                    ex2 = ex1 + (sec(0, 300) if visitors > 1 else dt.timedelta(0))
                updated = ex2 + sec(1, 90)
                if rng.random() < 0.35:
                    sat = rng.choice([20, 40, 60, 80, 95, 100])
                    sat_sub = True
                    updated = max(updated, ex2 + sec(60, 3600))
            elif status == "active":
                group = visitors = 1 if rng.random() < 0.85 else 2
                if rng.random() < 0.7:
                    ent1 = ent2 = scan2 + sec(2, 15)
                    updated = ent2
                else:
                    visitors = 0
                    updated = scan2
            elif status == "cancelled":
                updated = created + sec(60, 1800)
                if scan1 is not None:
                    group = 1
                    updated = max(updated, scan2 + sec(1, 60))
            else:   # expired: never scanned
                updated = expires
            if cust is not None:
                card = cust.extra["card"]
            else:
                card = 90000 + rng.randint(0, 9999) if rng.random() < 0.8 else None
            ref = None
            key = (cust.id if cust else None, store.id)
            if status == "finished" and cust is not None and key in last_by_cust_store \
                    and rng.random() < 0.3:
                ref = last_by_cust_store[key]
            if cust is not None:
                last_by_cust_store[key] = token
            mr = rng.random()
            if mr < 0.6:
                meta = {}
            elif mr < 0.85:
                meta = {"appVersion": rng.choice(["5.2.0", "5.3.1", "5.4.0"]),
                        "platform": rng.choice(["ios", "android"])}
            else:
                meta = {"events": [{"eventId": _uuid(rng),
                                    "metadata": {"type": "handoff", "source": rng.choice(["pos", "kiosk"])}}],
                        "exampleKey": "exampleValue"}
            fraud = status == "finished" and rng.random() < 0.03
            location = None if scan1 is None else "store-%d-gate-%s" % (store.id, rng.choice("ab"))
            api = collections.OrderedDict([
                ("createdAt", iso_z(created)), ("updatedAt", iso_z(updated)), ("code", code),
                ("codeFirstSuccesfullyScannedAt", _iso(scan1)),
                ("codeLastSuccesfullyScannedAt", _iso(scan2)),
                ("customerFirstEnteredAt", _iso(ent1)), ("customerLastEnteredAt", _iso(ent2)),
                ("customerFirstExitedAt", _iso(ex1)), ("customerLastExitedAt", _iso(ex2)),
                ("customerPaymentInstrumentId", card), ("customerSatisfaction", sat),
                ("customerSatisfactionSubmitted", sat_sub), ("groupSize", group),
                ("visitors", visitors), ("locationId", location),
                ("priority", cust.api["priority"] if cust else 0), ("sessionToken", token),
                ("sessionId", token), ("referencedSessionId", ref), ("status", status),
                ("storeId", store.id), ("storeIdScannableAt", store.id),
                ("suspectedFraud", fraud), ("metadata", meta), ("expiresAt", iso_z(expires)),
                ("id", str(sid)), ("customerId", str(cust.id) if cust else None),
                ("customer", cust.extra["embed"] if cust else None),
                ("store", store.extra["embed"])])
            v = dict(id=sid, code=code, sessionToken=token, storeId=store.id,
                     customerId=cust.id if cust else None, status=status, visitors=visitors,
                     groupSize=group, createdAt=created, updatedAt=updated, expiresAt=expires,
                     codeLastSuccesfullyScannedAt=scan2, customerLastEnteredAt=ent2)
            row = Row(sid, api, v, {"customer": cust, "store": store, "ex2": ex2, "ent1": ent1})
            self.sessions.append(row)
            self.session_by_id[sid] = row
            self.session_by_token[token] = row

    # orders ------------------------------------------------------------------
    def _orders(self):
        rng = rng_for(self.seed, VENDOR, "orders", len(self.sessions))
        drafts = []
        for s in self.sessions:
            if s.v["status"] != "finished":
                continue
            if rng.random() < 0.09:      # walked out without buying anything
                continue
            drafts.append((s.extra["ex2"] + dt.timedelta(seconds=rng.randint(5, 60)), s.id, s))
        drafts.sort(key=lambda t: t[:2])
        sec = lambda a, b: dt.timedelta(seconds=rng.randint(a, b))  # noqa: E731
        self.orders = []
        self.order_by_session = {}
        for i, (draft, _sid, s) in enumerate(drafts):
            oid = i + 1
            store = s.extra["store"]
            cust = s.extra["customer"]
            r = rng.random()
            cum = 0.0
            status = ORDER_STATUSES[-1]
            for st, w in zip(ORDER_STATUSES, (0.78, 0.04, 0.03, 0.03, 0.05, 0.05, 0.02)):
                cum += w
                if r < cum:
                    status = st
                    break
            lines = []
            for p in rng.sample(self.products, rng.randint(1, 6)):
                q = 1 if rng.random() < 0.75 else rng.randint(2, 3)
                price = p.extra["store_prices"].get(store.id, p.v["price"])
                lines.append((p, q, price))
            subtotal = sum((price * q for _p, q, price in lines), Decimal(0)).quantize(CENT)
            tax = (subtotal * store.extra["tax"]).quantize(CENT)
            total = subtotal + tax
            completed = None if status == "draft" else draft + sec(10, 300)
            paid = completed + sec(2, 30) if status in ("paid", "contested", "reviewed") else None
            notified = completed + sec(1, 5) if completed else None
            updated = max(t for t in (draft, completed, paid, notified) if t is not None)
            if status in ("contested", "reviewed"):
                updated += sec(3600, 3 * 86400)
            r2 = rng.random()
            ext_status = "ok" if r2 < 0.94 else \
                "failedSendingWebhook" if r2 < 0.98 else "failedObtainingPrice"
            ext_id = "NM-RCPT-%06d" % oid if rng.random() < 0.9 else None
            products = []
            for p, q, price in lines:
                pa = p.api
                products.append(collections.OrderedDict([
                    ("id", p.id), ("name", pa["name"]), ("price", str(price)),
                    ("barcode", pa["barcode"]), ("category", pa["category"]),
                    ("thumbnail", pa["thumbnail"]), ("weight", pa["weight"]), ("sku", pa["sku"]),
                    ("externalId", pa["externalId"]), ("taxCode", pa["taxCode"]),
                    ("createdAt", pa["createdAt"]), ("updatedAt", pa["updatedAt"]),
                    ("quantity", q)]))
            api = collections.OrderedDict([
                ("createdAt", iso_z(draft)), ("updatedAt", iso_z(updated)), ("id", oid),
                ("version", 2 if status == "reviewed" else 1), ("isLatest", 1),
                ("customerId", str(cust.id) if cust else None), ("storeId", store.id),
                ("status", status),
                ("transactionId", None if status == "draft" else 300000 + oid),
                ("customerShoppingSessionId", s.id), ("externalId", ext_id),
                ("externalStatus", ext_status), ("subtotalPrice", _money(subtotal)),
                ("totalPrice", _money(total)), ("totalTax", _money(tax)),
                ("paidAt", _iso(paid)), ("notificationSentAt", _iso(notified)),
                ("extraText", ""), ("completedAt", _iso(completed)),
                ("draftCreatedAt", iso_z(draft)), ("sessionId", s.v["sessionToken"])])
            v = dict(id=oid, storeId=store.id, customerId=cust.id if cust else None,
                     status=status, externalStatus=ext_status,
                     customerRole=cust.v["role"] if cust else None,
                     sessionId=s.v["sessionToken"], externalId=ext_id, totalPrice=total,
                     totalProductQuantity=sum(q for _p, q, _pr in lines), createdAt=draft,
                     updatedAt=updated, draftCreatedAt=draft)
            row = Row(oid, api, v, {"session": s, "lines": lines})
            full = collections.OrderedDict(api)
            full["products"] = products
            row.extra["text_products"] = dumps(full)
            self.orders.append(row)
            self.order_by_session[s.id] = row
        self.fixture_session = None
        for s in self.sessions:
            if s.v["status"] == "finished" and s.v["groupSize"] >= 2 and s.v["visitors"] >= 2 \
                    and s.extra["customer"] is not None and s.id in self.order_by_session \
                    and s.api["referencedSessionId"] is None:
                self.fixture_session = s
                break

    # webhooks --------------------------------------------------------------
    def webhook_session(self, s, phase):
        a = s.api
        body = collections.OrderedDict()
        for k in ("createdAt", "updatedAt"):
            body[k] = a[k]
        body["id"] = s.id
        body["customerId"] = s.v["customerId"]
        for k in ("code", "codeFirstSuccesfullyScannedAt", "codeLastSuccesfullyScannedAt",
                  "customerFirstEnteredAt", "customerLastEnteredAt", "customerFirstExitedAt",
                  "customerLastExitedAt", "customerPaymentInstrumentId", "customerSatisfaction",
                  "customerSatisfactionSubmitted", "groupSize", "visitors", "locationId",
                  "priority", "sessionToken", "sessionId", "referencedSessionId", "status",
                  "storeId", "storeIdScannableAt", "suspectedFraud", "metadata", "expiresAt"):
            body[k] = a[k]
        if phase in ("entered", "left"):
            body["status"] = "active"
            body["customerSatisfaction"] = None
            body["customerSatisfactionSubmitted"] = False
            body["suspectedFraud"] = False
        if phase == "entered":
            body["updatedAt"] = a["customerFirstEnteredAt"]
            body["customerLastEnteredAt"] = a["customerFirstEnteredAt"]
            body["customerFirstExitedAt"] = None
            body["customerLastExitedAt"] = None
        elif phase == "left":
            body["updatedAt"] = a["customerLastExitedAt"]
        return body

    def webhook_samples(self, s):
        """entered/left/tracking/checkout payloads for session row s."""
        store = s.extra["store"]
        cust = s.extra["customer"]
        shopper = _uuid(rng_for(self.seed, VENDOR, "shopper", s.id))
        head = collections.OrderedDict()
        head["sessionId"] = s.v["sessionToken"]
        head["session"] = None
        head["customer"] = None if cust is None else collections.OrderedDict([
            ("externalId", cust.api["externalId"]), ("metadata", cust.api["metadata"]),
            ("id", str(cust.id)), ("role", cust.api["role"])])
        head["storeId"] = store.id
        head["store"] = {"oasisApiStoreId": store.id,
                         "aifiUniqueStoreId": store.api["aifiUniqueStoreId"]}
        head["storeExternalId"] = store.api["thirdPartyId"]

        def stamp(payload, origin):
            payload["timeOfOrigin"] = iso_z(origin)
            payload["timeOfIssue"] = iso_z(origin + dt.timedelta(seconds=1))

        out = {"entered": None, "left": None, "tracking": None, "checkout": None}
        ent1 = s.extra["ent1"]
        if ent1 is not None and s.v["visitors"] > 0:
            for phase, origin in (("entered", ent1), ("left", s.extra["ex2"])):
                if origin is None:
                    continue
                p = collections.OrderedDict(head)
                p["session"] = self.webhook_session(s, phase)
                stamp(p, origin)
                p["payment"] = {"paymentProvider": "NONE"}
                p["shopperId"] = shopper
                p["shopper"] = {"shopperId": shopper}
                out[phase] = p
            # the document defines no body for tracking: nothing invented
            out["tracking"] = {}
        # checkout has no page in the document: an empty body, when there is an order
        if self.order_by_session.get(s.id) is not None:
            out["checkout"] = {}
        return out

    def webhook_deliveries(self, s):
        smp = self.webhook_samples(s)
        out = []
        k = s.v["visitors"]
        if smp["entered"] is not None:
            out += [{"webhook": "entered", "payload": smp["entered"]}] * k
        if smp["tracking"] is not None:
            out.append({"webhook": "tracking", "payload": smp["tracking"]})
        if smp["left"] is not None:
            out += [{"webhook": "left", "payload": smp["left"]}] * k
        if smp["checkout"] is not None:
            out.append({"webhook": "checkout", "payload": smp["checkout"]})
        return out

    def summary(self):
        by_status = collections.Counter(s.v["status"] for s in self.sessions)
        by_store = collections.Counter(str(s.v["storeId"]) for s in self.sessions)
        return {
            "stores": [s.id for s in self.stores],
            "sessions": {"count": len(self.sessions),
                         "firstId": str(self.sessions[0].id) if self.sessions else None,
                         "lastId": str(self.sessions[-1].id) if self.sessions else None,
                         "byStatus": dict(sorted(by_status.items())),
                         "byStore": dict(sorted(by_store.items())),
                         "anonymous": sum(1 for s in self.sessions if s.v["customerId"] is None)},
            "customers": {"count": len(self.customers),
                          "firstId": self.customers[0].id if self.customers else None,
                          "lastId": self.customers[-1].id if self.customers else None},
            "orders": {"count": len(self.orders),
                       "byStatus": dict(sorted(collections.Counter(
                           o.v["status"] for o in self.orders).items()))},
            "products": {"count": len(self.products)},
            "webhookFixtureSessionId": str(self.fixture_session.id) if self.fixture_session else None,
        }
