"""Request/response types and helpers shared by the simulator's vendors."""

import base64
import bisect
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


# -- auth ---------------------------------------------------------------------

class Auth:
    """One vendor's credential check: the parsing is shared, the vendor
    declares what it accepts and how it answers.

    schemes        token schemes of the Authorization header ("Bearer",
                   "Token"), or ("Basic",) for HTTP basic auth, whose
                   credential is (user, password)
    verify(cred)   None when the credential is accepted, else a reason that
                   is handed to invalid()
    missing()      the HttpError for a request without credentials
    invalid(why)   the HttpError for wrong credentials
    api_key        a header that may carry the token when there is no
                   Authorization header (journey: X-Api-Key)
    blank_missing  an empty Authorization header counts as none
    lenient        the scheme is matched case-insensitively, blanks around
                   scheme and token are ignored and an empty token is
                   invalid(bad_header)
    bad_header     the reason given to invalid() for another scheme
    """

    def __init__(self, schemes, verify, missing, invalid, api_key=None,
                 blank_missing=True, lenient=False, bad_header="scheme"):
        self.schemes = tuple(schemes)
        self.basic = self.schemes == ("Basic",)
        self.verify = verify
        self.missing = missing
        self.invalid = invalid
        self.api_key = api_key
        self.blank_missing = blank_missing
        self.lenient = lenient
        self.bad_header = bad_header

    def check(self, req):
        """Return if req carries accepted credentials; raise the vendor's 401 if not."""
        if self.basic:
            cred = req.basic_auth()
            if cred is None:
                raise self.missing()
        else:
            h = req.header("Authorization")
            if h is None or (self.blank_missing and not h):
                cred = req.header(self.api_key) if self.api_key else None
                if cred is None:
                    raise self.missing()
            else:
                if self.lenient:
                    h = h.strip()
                scheme, _, cred = h.partition(" ")
                if self.lenient:
                    cred = cred.strip()
                    ok = bool(cred) and scheme.lower() in (s.lower() for s in self.schemes)
                else:
                    ok = scheme in self.schemes
                if not ok:
                    raise self.invalid(self.bad_header)
        why = self.verify(cred)
        if why is not None:
            raise self.invalid(why)


# -- routing ----------------------------------------------------------------

def split_path(path, strip_slash=False, unquote=False, drop_empty=False, rooted=True):
    """The segments of a request path, as a Router matches them.

    strip_slash  trailing slashes are ignored
    unquote      segments are percent-decoded
    drop_empty   empty segments ("//") are skipped
    rooted       a path that does not start with "/" has no segments (None)
    """
    if rooted and not path.startswith("/"):
        return None
    if strip_slash and len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    parts = path.split("/")[1:]
    if drop_empty:
        parts = [p for p in parts if p]
    if unquote:
        parts = [urllib.parse.unquote(p) for p in parts]
    return parts


class Router:
    """Method + path pattern -> handler; the first matching pattern wins.

    add("/v1/users/{id}", GET=f, PUT=g): "{name}" matches any one segment;
    the method ANY takes every method (the handler answers a wrong one).
    A handler is called as handler(req, parts), parts the path's segments.
    auth=False: the route takes no credentials (dispatch skips auth).
    """

    def __init__(self):
        self.routes = []

    def add(self, pattern, auth=True, **methods):
        self.routes.append((pattern.split("/")[1:], methods, auth))
        return self

    def find(self, parts):
        """(methods, auth) of the first route matching parts, or (None, None)."""
        if parts is None:
            return None, None
        for segs, methods, auth in self.routes:
            if len(segs) == len(parts) and all(
                    s == p or (s[:1] == "{" and s[-1:] == "}") for s, p in zip(segs, parts)):
                return methods, auth
        return None, None

    def dispatch(self, req, parts, not_found, not_allowed, auth=None, auth_first=True):
        """Call the handler for req.  not_found(req) and not_allowed(req, allowed
        methods, sorted) are the vendor's HttpErrors; auth(req) checks
        credentials, before the method is checked (auth_first) or after."""
        methods, needs_auth = self.find(parts)
        if methods is None:
            raise not_found(req)
        if needs_auth and auth is not None and auth_first:
            auth(req)
        fn = methods.get(req.method) or methods.get("ANY")
        if fn is None:
            raise not_allowed(req, sorted(methods))
        if needs_auth and auth is not None and not auth_first:
            auth(req)
        return fn(req, parts)


# -- paging -------------------------------------------------------------------

def number_page(req, items, page, size, first=1, invalid=None, param="page"):
    """Page number paging: (chunk, next URL, previous URL) of page `page`,
    pages numbered from `first`.  invalid: the HttpError for a page past the
    last (None: such a page is empty).  Links are absolute; the link to the
    first page drops the parameter (as Django REST framework does)."""
    pages = max(1, -(-len(items) // size))
    last = first + pages - 1
    if invalid is not None and (page < first or page > last):
        raise invalid
    lo = (page - first) * size
    chunk = items[lo:lo + size]
    nxt = req.url_with(**{param: page + 1}) if page < last else None
    if page <= first:
        prev = None
    elif page == first + 1:
        prev = req.url_with(**{param: None})
    else:
        prev = req.url_with(**{param: page - 1})
    return chunk, nxt, prev


def drf_limit(req, default, maximum, name="limit"):
    """Django REST framework's limit: a bad or non-positive value is the
    default; a large one is capped at maximum, not refused."""
    try:
        limit = int(req.arg(name) or "")
    except ValueError:
        limit = 0
    if limit <= 0:
        limit = default
    return min(limit, maximum)


def offset_page(req, items, offset, limit):
    """Limit/offset paging: (chunk, next URL, previous URL), absolute links
    carrying the limit used (None at either end)."""
    chunk = items[offset:offset + limit]
    nxt = req.url_with(offset=offset + limit, limit=limit) if offset + limit < len(items) else None
    prev = req.url_with(offset=max(0, offset - limit), limit=limit) if offset > 0 else None
    return chunk, nxt, prev


def keyset_page(rows, key, count, direction, ck, mode):
    """Cursor (keyset) paging over rows ordered by key(row), ties resolved by
    the key itself: (page, rows before it?, rows after it?).  mode "after"
    or "before" a cursor's key ck, or None for the first page; direction
    "desc" walks the same order backwards."""
    keyed = sorted(((key(r), r) for r in rows), key=lambda t: t[0])
    keys = [k for k, _r in keyed]
    rows = [r for _k, r in keyed]
    n = len(rows)
    asc = direction == "asc"
    if mode is None:
        if asc:
            return rows[:count], False, n > count
        return rows[::-1][:count], False, n > count
    if mode == "after":
        if asc:
            s = bisect.bisect_right(keys, ck)
            return rows[s:s + count], s > 0, s + count < n
        e = bisect.bisect_left(keys, ck)
        lo = max(0, e - count)
        return rows[lo:e][::-1], e < n, lo > 0
    if asc:   # before
        e = bisect.bisect_left(keys, ck)
        lo = max(0, e - count)
        return rows[lo:e], lo > 0, e < n
    s = bisect.bisect_right(keys, ck)
    hi = min(n, s + count)
    return rows[s:hi][::-1], hi < n, s > 0


class HeaderPaging:
    """Paging by request headers (RetailNext's v1 lists and inventory).

    Offset paging: X-Page-Start is the offset, X-Page-Length the page length
    (default and maximum `maximum`; larger is clamped); the answer is 206
    with the next offset in a header while more follow, else 200.
    Token paging: X-Page-Start (or X-Page) carries the token of the first
    item wanted, "end" past the last one.
    error(status, message) -> HttpError is the vendor's 400 body.
    """

    def __init__(self, error, maximum=100, start="X-Page-Start", length="X-Page-Length",
                 alt_start="X-Page"):
        self.error = error
        self.maximum = maximum
        self.start = start
        self.length_header = length
        self.alt_start = alt_start

    def length(self, req):
        raw = req.header(self.length_header)
        if raw is None or str(raw).strip() == "":
            return self.maximum
        try:
            n = int(str(raw).strip())
        except ValueError:
            raise self.error(400, "%s must be an integer" % self.length_header)
        if n < 1:
            raise self.error(400, "%s must be at least 1" % self.length_header)
        return min(n, self.maximum)

    def page(self, req, items, build, next_header):
        """Response: build(chunk) as the body, 206 + next_header while more follow."""
        n = self.length(req)
        raw = req.header(self.start)
        start = 0
        if raw is not None and str(raw).strip() != "":
            try:
                start = int(str(raw).strip())
            except ValueError:
                raise self.error(400, "%s must be an integer" % self.start)
            if start < 0:
                raise self.error(400, "%s must not be negative" % self.start)
        chunk = items[start:start + n]
        headers = {}
        status = 200
        if start + n < len(items):
            status = 206
            headers[next_header] = str(start + n)
        return Response(status, build(chunk), headers)

    def token_page(self, req, items, cursor):
        """(chunk, token of the next page or "end"); cursor(item) is an item's token."""
        n = self.length(req)
        tok = req.header(self.start)
        if tok is None or str(tok).strip() == "":
            tok = req.header(self.alt_start)
        start = 0
        if tok is not None and str(tok).strip() != "":
            tok = str(tok).strip()
            if tok == "end":
                start = len(items)
            else:
                for i, it in enumerate(items):
                    if cursor(it) == tok:
                        start = i
                        break
                else:
                    raise self.error(400, "invalid page token %r" % tok)
        chunk = items[start:start + n]
        nxt = cursor(items[start + n]) if start + n < len(items) else "end"
        return chunk, nxt
