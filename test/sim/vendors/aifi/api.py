"""AiFi's HTTP side: query validation (Joi style), cursors, auth, rate limit, OAuth
token endpoint, the admin lists and the /_aifi/ fixture endpoints."""

import base64
import binascii
import collections
import datetime as dt
import hashlib
import json
import math
import re
import threading
import time
import urllib.parse
from decimal import Decimal

from vendors.base import (Auth, HttpError, Response, Router, iso_z, keyset_page, parse_iso,
                          split_path, UTC)
from vendors.aifi.data import Data, dumps, sort_key
from vendors.aifi.fixtures import (API, DATA_KNOBS, DEFAULTS, DOC_SESSIONS_EXAMPLE, JSON_CT, VENDOR,
                                   doc_webhook_samples)


def _bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return bool(v)
    return str(v).strip().lower() in ("1", "true", "yes", "on")


def _coerce(key, value):
    default = DEFAULTS[key]
    if value is None:
        return None
    if isinstance(default, bool):
        return _bool(value)
    if isinstance(default, float) or key == "token_ttl_s":
        return float(value)
    if isinstance(default, int):
        return int(value)
    return str(value)


def _nest_404(req):
    return HttpError(404, {"statusCode": 404,
                           "message": "Cannot %s %s" % (req.method, req.path),
                           "error": "Not Found"})


def _auth_missing():
    return HttpError(401, {"message": "Authorization header is missing", "type": "E_UNAUTHORIZED",
                           "errors": []}, {"WWW-Authenticate": 'Bearer realm="oasis"'})


def _auth_denied(msg):
    return HttpError(401, {"message": msg, "type": "E_UNAUTHORIZED", "errors": []},
                     {"WWW-Authenticate": 'Bearer realm="oasis", error="invalid_token", '
                                         'error_description="%s"' % msg})


def _query_error(errors, message="Invalid request query", kind="E_INVALID_QUERY"):
    return HttpError(400, {"message": message, "type": kind, "errors": errors})


# -- query parsing (Joi-like validation) -------------------------------------------

class Query:
    def __init__(self, req, conf):
        self.conf = conf
        self.params = collections.OrderedDict()
        for k, val in urllib.parse.parse_qsl(req.raw_query, keep_blank_values=True):
            name = re.sub(r"\[\d*\]$", "", k)
            self.params.setdefault(name, []).append((k != name, val))
        self.used = set()
        self.errors = []

    def err(self, name, msg, rule):
        self.errors.append({"error": '"%s" %s' % (name, msg), "rule": rule,
                            "field": '"%s"' % name})

    def _one(self, name, typ):
        self.used.add(name)
        vals = self.params.get(name)
        if not vals:
            return None
        if len(vals) > 1 or vals[0][0]:
            self.err(name, "must be a %s" % typ, "%s.base" % typ)
            return None
        return vals[0][1]

    def int(self, name, default=None, minimum=None, maximum=None):
        raw = self._one(name, "number")
        if raw is None:
            return default
        raw = raw.strip()
        if not re.match(r"^[+-]?\d+$", raw):
            try:
                f = float(raw)
            except ValueError:
                f = None
            if f is not None and math.isfinite(f):
                self.err(name, "must be an integer", "number.integer")
            else:
                self.err(name, "must be a number", "number.base")
            return default
        val = int(raw)
        if minimum is not None and val < minimum:
            self.err(name, "must be greater than or equal to %d" % minimum, "number.min")
        elif maximum is not None and val > maximum:
            self.err(name, "must be less than or equal to %d" % maximum, "number.max")
        return val

    def num(self, name, minimum=None):
        raw = self._one(name, "number")
        if raw is None:
            return None
        try:
            val = Decimal(raw.strip())
            if not val.is_finite():
                raise ValueError
        except Exception:
            self.err(name, "must be a number", "number.base")
            return None
        if minimum is not None and val < minimum:
            self.err(name, "must be greater than or equal to %d" % minimum, "number.min")
        return val

    def str(self, name):
        raw = self._one(name, "string")
        if raw is not None and raw == "":
            self.err(name, "is not allowed to be empty", "string.empty")
            return None
        return raw

    def date(self, name):
        raw = self._one(name, "date")
        if raw is None:
            return None
        raw = raw.strip()
        if re.match(r"^\d+$", raw):
            return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=int(raw))
        try:
            return parse_iso(raw, name)
        except HttpError:
            self.err(name, "must be a valid date", "date.base")
            return None

    def bool(self, name, default=False):
        raw = self._one(name, "boolean")
        if raw is None:
            return default
        low = raw.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        self.err(name, "must be a boolean", "boolean.base")
        return default

    def enum(self, name, values, default):
        raw = self._one(name, "string")
        if raw is None:
            return default
        if raw not in values:
            uniq = list(collections.OrderedDict.fromkeys(values))
            self.err(name, "must be one of [%s]" % ", ".join(uniq), "any.only")
            return default
        return raw

    def array(self, name):
        self.used.add(name)
        out = []
        for _bracket, val in self.params.get(name, []):
            parts = val.split(",") if self.conf.get("array_comma") else [val]
            for p in parts:
                if p == "":
                    self.err(name, "must not be empty", "string.empty")
                else:
                    out.append(p)
        return out or None

    def unsupported(self, *names):
        for name in names:
            self.used.add(name)
            if name in self.params:
                self.err(name, "is documented but not supported by the simulator", "sim.unsupported")

    def finish(self):
        if self.conf.get("strict_params", True):
            for name in self.params:
                if name not in self.used:
                    self.err(name, "is not allowed", "object.unknown")
        if self.errors:
            raise _query_error(self.errors)


def _match(v, preds):
    for op, key, val in preds:
        x = v[key]
        if op == "eq":
            if x is None or x != val:
                return False
        elif op == "in":
            if x is None or x not in val:
                return False
        elif op == "ge":
            if x is None or x < val:
                return False
        elif op == "le":
            if x is None or x > val:
                return False
    return True


def _ranges(q, preds, pairs):
    """min<Name>/max<Name> (date-time) on the fields in pairs."""
    for pname, field in pairs:
        lo = q.date("min" + pname)
        hi = q.date("max" + pname)
        if lo is not None:
            preds.append(("ge", field, lo))
        if hi is not None:
            preds.append(("le", field, hi))


# -- cursor pagination (sessions, stores) --------------------------------------

DATE_KEYS = {"createdAt", "updatedAt", "expiresAt", "codeLastSuccesfullyScannedAt",
             "customerLastEnteredAt"}
INT_KEYS = {"id", "storeId", "visitors", "groupSize", "customerId"}


def _jsonable(val):
    if isinstance(val, dt.datetime):
        return iso_z(val)
    return val


CURSOR_MARK = b"\xfb\xff"   # version bytes: every cursor starts with "+/"


def encode_cursor(row, order):
    obj = {"id": str(row.id), "sortKey": order, "value": _jsonable(row.v[order])}
    return base64.b64encode(CURSOR_MARK + json.dumps(obj, separators=(",", ":"),
                                                     ensure_ascii=False).encode()).decode()


def decode_cursor(name, raw, order, lookup):
    """Sort key tuple for the cursor raw, or raise a 400."""
    def bad(msg="must be a valid cursor"):
        return _query_error([{"error": '"%s" %s' % (name, msg), "rule": "any.invalid",
                              "field": '"%s"' % name}])
    if " " in raw:
        raise bad('must be a valid cursor (a "+" arrived as a space: percent-encode it)')
    raw = raw.strip()
    if re.match(r"^\d+$", raw):
        rid = int(raw)
        if order == "id":
            return (0, rid, rid)
        row = lookup(rid)
        if row is None:
            raise bad("refers to an unknown id")
        return sort_key(row, order)
    try:
        pad = raw + "=" * (-len(raw) % 4)
        text = base64.b64decode(pad.replace("-", "+").replace("_", "/"), validate=True)
        if text.startswith(CURSOR_MARK):
            text = text[len(CURSOR_MARK):]
        obj = json.loads(text.decode("utf-8"))
        rid = int(obj["id"])
        if obj.get("sortKey", "id") != order:
            raise bad("was made for orderBy %s" % obj.get("sortKey"))
        val = obj.get("value")
        if val is None:
            return (1, 0, rid)
        if order in DATE_KEYS:
            val = parse_iso(val, name)
        elif order in INT_KEYS:
            val = int(val)
        elif not isinstance(val, str):
            raise ValueError
        return (0, val, rid)
    except HttpError as e:
        if e.body.get("type") == "E_INVALID_QUERY":
            raise
        raise bad()
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise bad()


# -- the vendor ----------------------------------------------------------------

SESSION_ORDER = ("id", "code", "storeId", "visitors", "groupSize", "expiresAt", "customerId",
                 "storeId", "codeLastSuccesfullyScannedAt", "customerLastEnteredAt",
                 "createdAt", "updatedAt")
STORE_ORDER = ("id", "name", "createdAt", "updatedAt")
ORDER_ORDER = ("id", "storeId", "totalPrice", "draftCreatedAt")
PRODUCT_SORT = ("createdAt", "name", "price", "quantity", "id")
DIRECTIONS = ("asc", "desc")


class Aifi:
    def __init__(self, sim):
        self.sim = sim
        self.lock = threading.RLock()
        self.base_conf = dict(DEFAULTS)
        for k, v in sim.options.items():
            if k.startswith(VENDOR + "."):
                key = k.split(".", 1)[1]
                if key not in DEFAULTS:
                    raise ValueError("aifi: unknown option %r" % key)
                self.base_conf[key] = _coerce(key, v)
        self.conf = dict(self.base_conf)
        self.tokens = {}
        self.token_serial = 0
        self.window = collections.deque()
        self._data = None
        self._data_key = None
        self.auth = Auth(("Bearer",), self._verify, missing=_auth_missing, invalid=_auth_denied,
                         lenient=True, bad_header="Invalid authorization header")
        self.router = (Router().add(API + "/sessions", GET=self._sessions_route)
                       .add(API + "/stores", GET=self._admin(self.stores))
                       .add(API + "/orders", GET=self._admin(self.orders))
                       .add(API + "/products", GET=self._admin(self.products))
                       .add(API + "/customers", GET=self._admin(self.customers)))

    # -- control -------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.conf = dict(self.base_conf)
            self.window.clear()

    def configure(self, conf):
        c = conf.get(VENDOR) if isinstance(conf, dict) else None
        if not isinstance(c, dict):
            return
        with self.lock:
            for k in c:
                if k != "expire_tokens" and k not in DEFAULTS:
                    raise ValueError("aifi: unknown knob %r" % k)
            for k, v in c.items():
                if k == "expire_tokens":
                    if _bool(v):
                        for t in self.tokens:
                            self.tokens[t] = 0.0
                    continue
                self.conf[k] = _coerce(k, v)

    def data(self):
        with self.lock:
            key = (self.sim.seed,) + tuple(self.conf[k] for k in DATA_KNOBS)
            if key != self._data_key:
                start = dt.date.fromisoformat(str(self.conf["start"]))
                end = dt.date.fromisoformat(str(self.conf["end"]))
                if end < start:
                    raise ValueError("aifi: end before start")
                self._data = Data(self.sim.seed, int(self.conf["sessions"]),
                                  int(self.conf["customers"]), start, end)
                self._data_key = key
            return self._data

    # -- plumbing --------------------------------------------------------------
    def truth(self, resource, params):
        """Ground truth: every row of a list endpoint, as the API shapes it."""
        d = self.data()
        rows = {"aifi_sessions": "sessions", "aifi_orders": "orders",
                "aifi_products": "products", "aifi_customers": "customers",
                "aifi_stores": "stores"}.get(resource)
        if rows is None or not hasattr(d, rows):
            return None
        return [json.loads(r.text) if hasattr(r, "text") else r for r in getattr(d, rows)]

    def _json(self, body, status=200, headers=None):
        if not isinstance(body, str):
            body = dumps(body)
        return Response(status, body, headers or {}, JSON_CT)

    def rate_check(self):
        limit = int(self.conf.get("rate_limit") or 0)
        if limit <= 0:
            return
        window = float(self.conf.get("rate_window_s") or 1.0)
        now = time.monotonic()
        with self.lock:
            while self.window and self.window[0] <= now - window:
                self.window.popleft()
            if len(self.window) >= limit:
                headers = {}
                if self.conf.get("rate_limit_retry_after") is not None:
                    headers["Retry-After"] = str(self.conf["rate_limit_retry_after"])
                raise HttpError(503, {"message": "Service Unavailable", "type": "E_RATE_LIMIT",
                                      "errors": []}, headers)
            self.window.append(now)

    def _verify(self, cred):
        """A static token (unless allow_static_token is off) or an issued, unexpired one."""
        with self.lock:
            if self.conf.get("allow_static_token", True) and self.conf.get("token") \
                    and cred == self.conf["token"]:
                return None
            exp = self.tokens.get(cred)
        if exp is None:
            return "Invalid token"
        if exp <= time.monotonic():
            return "Token expired"
        return None

    # -- HTTP ------------------------------------------------------------------
    def handle(self, req):
        path = req.path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        if path.startswith("/_aifi/") or path == "/_aifi":
            return self.control(req, path)
        self.rate_check()
        if path == self.conf.get("token_path", "/oauth/token"):
            return self.oauth(req)
        try:
            return self.router.dispatch(req, split_path(path), _nest_404,
                                        lambda req, allowed: _nest_404(req),
                                        self.auth.check, auth_first=False)
        except HttpError as e:
            # the document's one example of a 400 says "Invalid request body",
            # E_INVALID_BODY (for a GET of sessions); error_type "query" is the
            # other reading, a query's own E_INVALID_QUERY
            if (isinstance(e.body, dict) and e.body.get("type") == "E_INVALID_QUERY"
                    and self.conf.get("error_type", "body") == "body"):
                e.body = dict(e.body, message="Invalid request body", type="E_INVALID_BODY")
            raise

    def _admin(self, lister):
        """A route's handler: the query parsed for lister."""
        return lambda req, parts: lister(Query(req, self.conf))

    def _sessions_route(self, req, parts):
        if self.conf.get("doc_example"):
            return Response(200, DOC_SESSIONS_EXAMPLE, content_type=JSON_CT)
        return self.sessions(Query(req, self.conf))

    def oauth(self, req):
        if req.method != "POST":
            raise _nest_404(req)
        ctype = (req.header("Content-Type") or "").lower()
        body = req.body or b""

        def fail(status, error, desc, headers=None):
            return HttpError(status, {"error": error, "error_description": desc}, headers)

        if "json" in ctype or body.lstrip()[:1] == b"{":
            try:
                obj = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise fail(400, "invalid_request", "malformed JSON body")
            if not isinstance(obj, dict):
                raise fail(400, "invalid_request", "the body must be a JSON object")
            params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in obj.items()
                      if v is not None}
        else:
            try:
                params = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                raise fail(400, "invalid_request", "the body is not UTF-8")
        cid = params.get("client_id")
        secret = params.get("client_secret")
        basic = req.basic_auth()
        if basic is not None:
            cid = urllib.parse.unquote_plus(basic[0])
            secret = urllib.parse.unquote_plus(basic[1])
        with self.lock:
            ok = cid == self.conf["client_id"] and secret == self.conf["client_secret"]
            ttl = float(self.conf["token_ttl_s"])
        if not ok:
            hdrs = {"WWW-Authenticate": 'Basic realm="oasis"'} if basic is not None else None
            raise fail(401, "invalid_client", "client authentication failed", hdrs)
        grant = params.get("grant_type")
        if not grant:
            raise fail(400, "invalid_request", "grant_type is required")
        if grant != "client_credentials":
            raise fail(400, "unsupported_grant_type", "only client_credentials is supported")
        with self.lock:
            self.token_serial += 1
            token = "aifi-at-" + hashlib.sha256(
                ("%s|%s|token|%d" % (self.sim.seed, VENDOR, self.token_serial)).encode()
            ).hexdigest()[:40]
            self.tokens[token] = time.monotonic() + ttl
        body = collections.OrderedDict([("access_token", token), ("token_type", "Bearer"),
                                        ("expires_in", int(math.ceil(ttl)))])
        if params.get("scope"):
            body["scope"] = params["scope"]
        return self._json(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    # -- /sessions ---------------------------------------------------------------
    def _cursor_args(self, q, order_keys):
        count = q.int("count", 20, 1, 200)
        after = q.str("after")
        before = q.str("before")
        order = q.enum("orderBy", order_keys, "id")
        direction = q.enum("direction", DIRECTIONS, "asc")
        if after is not None and before is not None:
            q.err("after", 'conflict with forbidden peer "before"', "object.without")
        return count, after, before, order, direction

    def _cursor_reply(self, q, rows_all, preds, lookup, key, args):
        count, after, before, order, direction = args
        q.finish()
        ck = mode = None
        if after is not None:
            ck, mode = decode_cursor("after", after, order, lookup), "after"
        elif before is not None:
            ck, mode = decode_cursor("before", before, order, lookup), "before"
        rows = [r for r in rows_all if _match(r.v, preds)]
        page, has_prev, has_next = keyset_page(rows, lambda r: sort_key(r, order), count,
                                               direction, ck, mode)
        pag = collections.OrderedDict()
        if page and has_prev:
            pag["previous"] = collections.OrderedDict([
                ("count", count), ("before", encode_cursor(page[0], order)),
                ("direction", direction)])
        if page and has_next:
            pag["next"] = collections.OrderedDict([
                ("count", count), ("after", encode_cursor(page[-1], order)),
                ("direction", direction)])
        body = '{"%s": [%s], "pagination": %s}' % (
            key, ", ".join(r.text for r in page), dumps(pag))
        return self._json(body)

    def sessions(self, q):
        d = self.data()
        args = self._cursor_args(q, SESSION_ORDER)
        preds = []
        _ranges(q, preds, [("CreatedAt", "createdAt"), ("UpdatedAt", "updatedAt")])
        for name in ("id", "storeId", "customerId"):
            val = q.int(name)
            if val is not None:
                preds.append(("eq", name, val))
        for name in ("code", "sessionToken"):
            val = q.str(name)
            if val is not None:
                preds.append(("eq", name, val))
        statuses = q.array("status")
        if statuses:
            preds.append(("in", "status", set(statuses)))
        for name, field, lo_min in (("Visitors", "visitors", 0), ("GroupSize", "groupSize", 0)):
            lo = q.int("min" + name, minimum=lo_min)
            hi = q.int("max" + name, minimum=1)
            if lo is not None:
                preds.append(("ge", field, lo))
            if hi is not None:
                preds.append(("le", field, hi))
        _ranges(q, preds, [("ExpiresAt", "expiresAt"),
                           ("CodeLastSuccesfullyScannedAt", "codeLastSuccesfullyScannedAt"),
                           ("CustomerLastEnteredAt", "customerLastEnteredAt")])
        return self._cursor_reply(q, d.sessions, preds, d.session_by_id.get, "data", args)

    def stores(self, q):
        d = self.data()
        args = self._cursor_args(q, STORE_ORDER)
        preds = []
        val = q.int("id")
        if val is not None:
            preds.append(("eq", "id", val))
        val = q.enum("status", ("OPEN", "CLOSED", "CLOSED_FOR_MAINTENANCE"), None)
        if val is not None:
            preds.append(("eq", "status", val))
        val = q.str("externalId")
        if val is not None:
            preds.append(("eq", "thirdPartyId", val))
        val = q.enum("deploymentStatus", ("LIVE", "TESTING", "DEPLOYMENT", "DECOMMISSIONED"), None)
        if val is not None:
            preds.append(("eq", "deploymentStatus", val))
        val = q.str("aifiUniqueStoreId")
        if val is not None:
            preds.append(("eq", "aifiUniqueStoreId", val))
        key = str(self.conf.get("stores_key") or "data")
        return self._cursor_reply(q, d.stores, preds, d.store_by_id.get, key, args)

    # -- /orders ----------------------------------------------------------------
    def orders(self, q):
        d = self.data()
        page = q.int("page", 0, 0)
        size = q.int("pageSize", 50, 1, 200)
        order = q.enum("orderBy", ORDER_ORDER, "id")
        direction = q.enum("direction", DIRECTIONS, "asc")
        preds = []
        _ranges(q, preds, [("CreatedAt", "createdAt"), ("UpdatedAt", "updatedAt")])
        val = q.int("id")
        if val is not None:
            preds.append(("eq", "id", val))
        for name in ("status", "externalStatus", "customerRole", "sessionId", "externalId"):
            vals = q.array(name)
            if vals:
                preds.append(("in", name, set(vals)))
        lo = q.date("startTime")
        hi = q.date("endTime")
        if lo is not None:
            preds.append(("ge", "draftCreatedAt", lo))
        if hi is not None:
            preds.append(("le", "draftCreatedAt", hi))
        val = q.int("storeId", minimum=1)
        if val is not None:
            preds.append(("eq", "storeId", val))
        val = q.int("customerId")
        if val is not None:
            preds.append(("eq", "customerId", val))
        q.unsupported("paymentTransactionId")
        q.bool("includeContest")
        products = q.bool("includeProducts")
        q.unsupported("customerPaymentInstrumentBin", "customerPaymentInstrumentLast4",
                      "customerPaymentInstrumentExpDate")
        lo = q.num("minTotalPrice")
        hi = q.num("maxTotalPrice")
        if lo is not None:
            preds.append(("ge", "totalPrice", lo))
        if hi is not None:
            preds.append(("le", "totalPrice", hi))
        lo = q.int("minTotalProductQuantity")
        hi = q.int("maxTotalProductQuantity")
        if lo is not None:
            preds.append(("ge", "totalProductQuantity", lo))
        if hi is not None:
            preds.append(("le", "totalProductQuantity", hi))
        _ranges(q, preds, [("DraftCreatedAt", "draftCreatedAt")])
        q.finish()
        rows = sorted((r for r in d.orders if _match(r.v, preds)),
                      key=lambda r: sort_key(r, order), reverse=direction == "desc")
        chunk = rows[page * size:(page + 1) * size]
        texts = [r.extra["text_products"] if products else r.text for r in chunk]
        return self._json('{"data": [%s]}' % ", ".join(texts))

    # -- /products --------------------------------------------------------------
    def products(self, q):
        d = self.data()
        offset = q.int("offset", 0, 0)
        count = q.int("count", 50, 1, 200)
        preds = []
        _ranges(q, preds, [("CreatedAt", "createdAt"), ("UpdatedAt", "updatedAt")])
        sort = q.enum("sort", PRODUCT_SORT, "id")
        direction = q.enum("direction", DIRECTIONS, "asc")
        for name, field in (("id", "ids"), ("name", "name"), ("barcode", "barcode"),
                            ("externalId", "externalId")):
            vals = q.array(name)
            if vals:
                preds.append(("in", field, set(vals)))
        val = q.bool("invalidThumbnail", None)
        if val is not None:
            preds.append(("eq", "invalidThumbnail", val))
        lo = q.num("priceMin", 0)
        hi = q.num("priceMax", 0)
        if lo is not None:
            preds.append(("ge", "price", lo))
        if hi is not None:
            preds.append(("le", "price", hi))
        lo = q.int("quantityMin", minimum=0)
        hi = q.int("quantityMax", minimum=0)
        if lo is not None:
            preds.append(("ge", "quantity", lo))
        if hi is not None:
            preds.append(("le", "quantity", hi))
        for name in ("category", "sku"):
            vals = q.array(name)
            if vals:
                preds.append(("in", name, set(vals)))
        q.unsupported("location")
        q.finish()
        rows = sorted((r for r in d.products if _match(r.v, preds)),
                      key=lambda r: sort_key(r, sort), reverse=direction == "desc")
        chunk = rows[offset:offset + count]
        return self._json('{"products": [%s]}' % ", ".join(r.text for r in chunk))

    # -- /customers -------------------------------------------------------------
    def customers(self, q):
        d = self.data()
        preds = []
        _ranges(q, preds, [("CreatedAt", "createdAt"), ("UpdatedAt", "updatedAt")])
        vals = q.array("externalId")
        if vals:
            preds.append(("in", "externalId", set(vals)))
        vals = q.array("email")
        if vals:
            preds.append(("in", "email", {x.lower() for x in vals}))
        vals = q.array("paymentInstrumentProviderId")
        if vals:
            preds.append(("in", "pmid", set(vals)))
        q.finish()
        rows = [r for r in d.customers if _match(r.v, preds)]
        return self._json("[%s]" % ", ".join(r.text for r in rows))

    # -- /_aifi/ fixtures ---------------------------------------------------------
    def _session_arg(self, req, d, default_doc):
        raw = req.arg("sessionId")
        if raw is None or raw == "":
            return None if default_doc else d.fixture_session
        if raw == "fixture":
            return d.fixture_session
        s = d.session_by_id.get(int(raw)) if raw.isdigit() else d.session_by_token.get(raw)
        if s is None:
            raise HttpError(404, {"detail": "no session %r" % raw})
        return s

    def control(self, req, path):
        d = self.data()
        if req.method != "GET":
            raise HttpError(405, {"detail": "GET only"})
        if path == "/_aifi/fixtures":
            out = d.summary()
            out["credentials"] = {"token": self.conf["token"], "client_id": self.conf["client_id"],
                                  "client_secret": self.conf["client_secret"],
                                  "token_path": self.conf["token_path"]}
            out["knobs"] = {k: self.conf[k] for k in DEFAULTS}
            return self._json(out)
        if path == "/_aifi/webhook-samples" or path.startswith("/_aifi/webhook-samples/"):
            kind = path[len("/_aifi/webhook-samples/"):] or None
            s = self._session_arg(req, d, True)
            samples = doc_webhook_samples() if s is None else d.webhook_samples(s)
            if kind is None:
                return self._json(samples)
            if kind not in samples:
                raise HttpError(404, {"detail": "kinds: entered, left, tracking, checkout"})
            return self._json(samples[kind])
        if path == "/_aifi/webhook-deliveries":
            s = self._session_arg(req, d, False)
            if s is None:
                raise HttpError(404, {"detail": "no fixture session"})
            return self._json(d.webhook_deliveries(s))
        raise HttpError(404, {"detail": "no such /_aifi/ endpoint"})


def webhook_samples(sim=None, session=None):
    """Python access to the samples: documented examples (no session) or those built
    from a fixture session (session id, UUID or "fixture") of sim's AiFi data."""
    if session is None:
        return doc_webhook_samples()
    d = sim.vendors[VENDOR].data()
    if session == "fixture":
        s = d.fixture_session
    elif str(session).isdigit():
        s = d.session_by_id[int(session)]
    else:
        s = d.session_by_token[session]
    return d.webhook_samples(s)
