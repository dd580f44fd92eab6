"""Request/response types and helpers shared by the simulator's vendors."""

import base64
import datetime as dt
import hashlib
import json
import random
import re
import urllib.parse

UTC = dt.timezone.utc


class Request:
    """One HTTP request as a vendor module sees it."""

    def __init__(self, vendor, method, path, raw_query, headers, body, host):
        self.vendor = vendor
        self.method = method
        self.path = path
        self.raw_query = raw_query
        self.headers = headers
        self.body = body or b""
        self.host = host
        self.query = urllib.parse.parse_qs(raw_query, keep_blank_values=True)

    def arg(self, name, default=None):
        """Last value of a query parameter (or default)."""
        vals = self.query.get(name)
        return vals[-1] if vals else default

    def args(self, name):
        """Every value of a query parameter, comma lists split."""
        out = []
        for v in self.query.get(name, []):
            out.extend(x for x in v.split(",") if x != "")
        return out

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def body_text(self):
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return repr(self.body)

    def json(self):
        if not self.body:
            raise HttpError(400, {"detail": "a JSON body is required"})
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise HttpError(400, {"detail": "malformed JSON body: %s" % e})

    def base_url(self):
        return "http://" + self.host

    def url_with(self, **changes):
        """Absolute URL of this request with query parameters replaced."""
        q = [(k, v) for k, v in urllib.parse.parse_qsl(self.raw_query, keep_blank_values=True)
             if k not in changes]
        for k, v in changes.items():
            if v is not None:
                q.append((k, str(v)))
        return "%s%s?%s" % (self.base_url(), self.path, urllib.parse.urlencode(q))

    def auth_kind(self):
        h = self.headers.get("Authorization")
        if h:
            return h.split(" ", 1)[0] if " " in h else "raw"
        if self.headers.get("X-Api-Key"):
            return "X-Api-Key"
        return None

    def basic_auth(self):
        """(user, password) from HTTP basic auth, or None."""
        h = self.headers.get("Authorization") or ""
        if not h.startswith("Basic "):
            return None
        try:
            user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
        except Exception:
            return None
        return user, pw


class Response:
    def __init__(self, status=200, body=None, headers=None, content_type=None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type


class HttpError(Exception):
    def __init__(self, status, body=None, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body if body is not None else {"detail": "HTTP %d" % status}
        self.headers = headers or {}


_ISO_RE = re.compile(
    r"^([+-]?\d{4}-\d{2}-\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?$")


def parse_iso(s, name="datetime"):
    """Parse ISO 8601 (date, or date-time with optional fraction and offset;
    naive means UTC).  Raises HttpError 400 on junk."""
    if s is None:
        raise HttpError(400, {"detail": "%s is required" % name})
    m = _ISO_RE.match(s.strip())
    if not m:
        raise HttpError(400, {name: ["Enter a valid date/time."]})
    date, hh, mi, ss, frac, tz = m.groups()
    try:
        d = dt.date.fromisoformat(date.lstrip("+"))
        t = dt.datetime(d.year, d.month, d.day, int(hh or 0), int(mi or 0),
                        int(ss or 0), int((frac or "0").ljust(6, "0")))
    except ValueError:
        raise HttpError(400, {name: ["Enter a valid date/time."]})
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        off = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return t.replace(tzinfo=UTC) - sign * off
    return t.replace(tzinfo=UTC)


def iso_z(t):
    """2025-08-12T13:00:00Z (microseconds only when non-zero)."""
    t = t.astimezone(UTC)
    if t.microsecond:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def rng_for(*parts):
    """A random.Random seeded from the parts (stable across runs/processes)."""
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(h[:8], "big"))


def hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def int_arg(req, name, default=None, minimum=None, maximum=None, status=400):
    """Integer query parameter with bounds; 400 with a DRF-like body otherwise."""
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    try:
        val = int(raw)
    except ValueError:
        raise HttpError(status, {name: ["A valid integer is required."]})
    if minimum is not None and val < minimum:
        raise HttpError(status, {name: ["Ensure this value is greater than or equal to %d." % minimum]})
    if maximum is not None and val > maximum:
        raise HttpError(status, {name: ["Ensure this value is less than or equal to %d." % maximum]})
    return val
