#!/usr/bin/env python3
"""A hostile vendor for retail_fdw's tests (Python 3 standard library only).

Every behaviour of the issue "Hostile input and rights" is served under its
own path prefix, /h/<behaviour>/..., on one loopback port.  Whatever follows
the prefix is ignored, so a server created with
base_url 'http://127.0.0.1:<port>/h/<behaviour>' and vendor 'journey' (or
'aifi' for the token endpoints) reads the behaviour through its ordinary
tables.  Journey-shaped pages are {count, next, previous, results}; their
rows carry event_start 2025-08-12T10:00:00Z, inside the range the tests
query (2025-08-12 to 2025-08-13).

Control, on the same port:
  GET  /_hostile/log      every request so far as JSON: method, path (with
                          query), headers, body
  POST /_hostile/reset    forget them
  GET  /_hostile/paths    the behaviours, one per line

The server binds 127.0.0.1 only.  Run:
  server.py --port-file FILE       (writes the chosen port to FILE)
"""

import argparse
import json
import os
import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENT_START = "2025-08-12T10:00:00Z"


def row(**fields):
    """A journey row: event_start plus the given fields."""
    r = {"event_start": EVENT_START}
    r.update(fields)
    return r


def page(rows, count=None, next_url=None):
    body = {"count": len(rows) if count is None else count,
            "next": next_url, "previous": None, "results": rows}
    return json.dumps(body).encode()


def raw_page(results_text, count=1):
    """A page whose results array is given as raw bytes (not valid JSON
    for Python's encoder: bad UTF-8, NaN, huge numbers)."""
    return (b'{"count": %d, "next": null, "previous": null, "results": ['
            % count + results_text + b']}')


def query_of(req):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(req.path).query,
                                 keep_blank_values=True)


def url_with(req, **params):
    """This request's URL with some query parameters replaced."""
    parts = urllib.parse.urlsplit(req.path)
    q = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    q = [(k, v) for k, v in q if k not in params]
    q += [(k, str(v)) for k, v in params.items()]
    return parts.path + "?" + urllib.parse.urlencode(q)


def page_no(req):
    try:
        return int(query_of(req).get("page", ["1"])[0])
    except ValueError:
        return 1


# ---------------------------------------------------------------- behaviours
# Each takes the request and returns (status, headers, body bytes).

def ok(body, headers=None):
    return 200, headers or {}, body


def b_plain(req):
    """Item 5 (and a control): two well-formed rows, one page."""
    return ok(page([row(session_id="s1", visit_id="v1", store_code="SM-001",
                        zone_serial_code="z1", dwell_time_seconds=10),
                    row(session_id="s2", visit_id="v2", store_code="SM-001",
                        zone_serial_code="z2", dwell_time_seconds=20)]))


def b_stats(req):
    """Item 1: any path at all answers a small object (for vendor_call)."""
    return ok(b"{}")


UTF8_CASES = {
    # item 2: bytes json-c lets through, and escapes it mangles
    "overlong": b'"a\xc0\xafb"',           # overlong '/'
    "surrogate": b'"a\xed\xa0\x80b"',       # an encoded surrogate, U+D800
    "past-max": b'"a\xf4\x90\x80\x80b"',    # U+110000
    "lead-f5": b'"a\xf5\x80\x80\x80b"',     # F5 lead byte
    "lead-ff": b'"a\xffb"',                 # FF byte
    "escaped-high": b'"a\\ud800b"',         # a lone high surrogate escape
    "escaped-low": b'"a\\udc00b"',          # a lone low surrogate escape
}


def b_utf8(req, kind):
    value = UTF8_CASES[kind]
    return ok(raw_page(b'{"event_start": "%s", "session_id": %s}'
                       % (EVENT_START.encode(), value)))


NUMBER_CASES = {
    # item 3: numbers past every native type, and non-numbers
    "huge": b"99999999999999999999999999",
    "u64max": b"18446744073709551615",
    "exp400": b"1e400",
    "nan": b"NaN",
    "infinity": b"Infinity",
    "negzero": b"-0",
}


def b_num(req, kind):
    return ok(raw_page(b'{"event_start": "%s", "value": %s}'
                       % (EVENT_START.encode(), NUMBER_CASES[kind])))


def b_count_mismatch(req):
    """Item 4: count 1, yet two rows and a next link."""
    if page_no(req) == 1:
        return ok(page([row(session_id="a"), row(session_id="b")], count=1,
                       next_url=url_with(req, page=2)))
    return ok(page([row(session_id="c")], count=1))


def b_count_huge(req):
    """Item 4: a count past 2^31 on a one-row page."""
    return ok(page([row(session_id="a")], count=2 ** 31 + 1))


def b_cycle(req):
    """Item 4: page 1 links to page 2, page 2 back to page 1."""
    n = page_no(req)
    target = url_with(req, page=2 if n == 1 else 1)
    return ok(page([row(session_id="p%d" % n)], count=1000000,
                   next_url=target))


def b_repeat(req):
    """Item 4: the next link is this very page."""
    return ok(page([row(session_id="r")], count=1000000,
                   next_url=req.path))


def b_local_service(req):
    """Item 6: an internal service that must never hear from a role that
    is not a superuser."""
    return ok(json.dumps({"count": 0, "next": None, "previous": None,
                          "results": [], "internal": "admin console"}).encode())


def b_redirect_metadata(req):
    """Item 6: a redirect to the cloud metadata address (never followed)."""
    return 302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"{}"


def b_echo(req):
    """Item 7: one row per store_code value received, as received."""
    codes = query_of(req).get("store_code", [])
    return ok(page([row(session_id="echo", store_code=c) for c in codes]))


def b_token(req, token):
    """Item 8: an OAuth token endpoint whose access_token carries control
    characters; other paths answer an empty AiFi-style list."""
    if req.path.split("?")[0].endswith("/oauth/token"):
        return ok(json.dumps({"access_token": token, "token_type": "Bearer",
                              "expires_in": 3600}).encode())
    return ok(json.dumps({"stores": [], "sessions": [], "pagination": {}})
              .encode())


def b_big_empties(req):
    """Item 9: about 3 MB of empty objects in one page."""
    n = 1000000
    return ok(raw_page(b",".join([b"{}"] * n), count=n))


def b_deep(req):
    """Items 9 and 10: a body nested 100,000 arrays deep."""
    depth = 100000
    return ok(b'{"count": 1, "next": null, "results": ' + b"[" * depth
              + b"]" * depth + b"}")


def b_relnext(req):
    """Item 10: page 1's next link is relative to the page (path-absolute)."""
    if page_no(req) == 1:
        return ok(page([row(session_id="a"), row(session_id="b")], count=3,
                       next_url=url_with(req, page=2)))
    return ok(page([row(session_id="c")], count=3))


def b_relnext_query(req):
    """Item 10: a next link of just a query ("?...&page=2")."""
    if page_no(req) == 1:
        nxt = "?" + url_with(req, page=2).split("?", 1)[1]
        return ok(page([row(session_id="a"), row(session_id="b")], count=3,
                       next_url=nxt))
    return ok(page([row(session_id="c")], count=3))


def b_relnext_other(req):
    """Item 10: a protocol-relative link to another host (refused before
    any request: the FDW never connects there)."""
    port = req.server.server_address[1]
    return ok(page([row(session_id="a")], count=2,
                   next_url="//127.0.0.2:%d/h/plain/x?page=2" % port))


def b_type_error(req):
    """Item 10: a value of the wrong type; the exchange must count as an
    error in request_stats, not as a page."""
    return ok(page([row(session_id="t", dwell_time_seconds="lots")]))


def b_head_invalid(req):
    """Item 2, answers read as text (vendor_call's body_head, action
    reasons, error details): an FF byte early in the body."""
    return 400, {"Content-Type": "application/json"}, b'{"ok": false, "error": "bad \xff byte"}'


def b_head_cut(req):
    """Item 2: a body whose 512th byte falls inside a three-byte character."""
    body = b'{"note": "' + b"x" * 500 + "\u20ac".encode() * 40 + b'"}'
    return 200, {"Content-Type": "application/json"}, body


# ------------------------------------------------ production safety (h-netpol)
# Headers the FDW keeps (Location, X-Page-Next) and the confused deputy.

# a presigned download URL of about 1,400 characters, as S3 hands out
LONG_URL = ("https://exports.example.com/video/0f8fad5b-d9cb-469f-a165-70867728950e.mp4"
            "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature="
            + "0123456789abcdef" * 82)
# an opaque page token of 2,000 characters
LONG_TOKEN = "tok-" + "Zm9vYmFy" * 249 + "-end"


def b_long_location(req):
    """A RetailNext export that is ready: 302 to a 1,400-character URL."""
    return 302, {"Location": LONG_URL}, b"{}"


def b_huge_location(req):
    """A Location header past 64 kB (but inside libcurl's own limit)."""
    return 302, {"Location": "https://exports.example.com/" + "a" * 70000}, b"{}"


def b_bad_location(req):
    """A Location header with an FF byte (latin-1 "\xff" on the wire)."""
    return 302, {"Location": "https://exports.example.com/v\xffdeo.mp4"}, b"{}"


def rn_profile(n):
    return {"id": "00000000-0000-4000-8000-00000000000%d" % n, "name": "p%d" % n}


def b_long_page_next(req):
    """RetailNext v1 header paging: page 1 is a 206 whose X-Page-Next is a
    2,000-character token; page 2 is served only for exactly that token."""
    start = req.headers.get("X-Page-Start")
    if start is None:
        return 206, {"X-Page-Next": LONG_TOKEN}, json.dumps(
            {"user_profiles": [rn_profile(1)]}).encode()
    if start == LONG_TOKEN:
        return ok(json.dumps({"user_profiles": [rn_profile(2)]}).encode())
    return 400, {}, json.dumps({"error": "unknown page token of %d characters"
                                % len(start)}).encode()


def b_bad_page_next(req):
    """A 206 whose X-Page-Next carries an FF byte."""
    if req.headers.get("X-Page-Start") is None:
        return 206, {"X-Page-Next": "tok\xffen"}, json.dumps(
            {"user_profiles": [rn_profile(1)]}).encode()
    return ok(json.dumps({"user_profiles": [rn_profile(2)]}).encode())


def b_deputy(req):
    """An internal service a non-superuser points a server at, hoping a
    superuser's check_server loop or query sends the request for her."""
    return b_local_service(req)


NETPOL_ROUTES = {
    "long-location": b_long_location,
    "huge-location": b_huge_location,
    "bad-location": b_bad_location,
    "long-page-next": b_long_page_next,
    "bad-page-next": b_bad_page_next,
    "deputy": b_deputy,
}
# ------------------------------------------------ end of production safety


ROUTES = {
    "head-invalid": b_head_invalid,
    "head-cut": b_head_cut,
    "plain": b_plain,
    "stats": b_stats,
    "count-mismatch": b_count_mismatch,
    "count-huge": b_count_huge,
    "cycle": b_cycle,
    "repeat": b_repeat,
    "local-service": b_local_service,
    "redirect-metadata": b_redirect_metadata,
    "echo": b_echo,
    "token-crlf": lambda req: b_token(req, "tok\r\nX-Injected: yes"),
    "token-ctl": lambda req: b_token(req, "tok\x01en"),
    "big-empties": b_big_empties,
    "deep": b_deep,
    "relnext": b_relnext,
    "relnext-query": b_relnext_query,
    "relnext-other": b_relnext_other,
    "type-error": b_type_error,
}
ROUTES.update(NETPOL_ROUTES)
for _k in UTF8_CASES:
    ROUTES["utf8-" + _k] = (lambda k: lambda req: b_utf8(req, k))(_k)
for _k in NUMBER_CASES:
    ROUTES["num-" + _k] = (lambda k: lambda req: b_num(req, k))(_k)


# ---------------------------------------------------------------- JSON strictness
# Issue "production safety", vendor JSON (test/suites/26-hostile-json.sh):
# integers written as decimals, keys with \u0000, raw control characters,
# leading zeros, and fields of many small objects.  A "-tree" variant of a
# case adds a member json-c reads but RFC 8259 does not ("junk": NaN, never
# selected), so the body is parsed whole by json-c instead of row by row.

JNUM_CASES = {
    "big-dot": b"9007199254740993.0",        # 2^53 + 1: a double makes it 2^53
    "big-exp": b"9.007199254740993e15",
    "near-one": b"0.9999999999999999999",    # a double makes it 1
    "twelve-dot": b"12.0",                   # integral: 12 exactly
    "twelve-exp": b"1.2e1",
    "tiny-exp": b"1200e-2",
    "half": b"0.5",
    "int8-past": b"9223372036854775808.0",   # 2^63: past bigint
    "huge-exp": b"1e1000000000",
    "zero-exp": b"0e1000000000",
}
JLEAD_CASES = {"zero-one": b"01", "minus-zero-one": b"-01",
               "zero-zero-half": b"00.5"}


def j_row(fields_text, tree):
    junk = b', "junk": NaN' if tree else b""
    return raw_page(b'{"event_start": "%s", %s%s}'
                    % (EVENT_START.encode(), fields_text, junk))


def b_jnum(req, value, tree):
    return ok(j_row(b'"value": %s' % value, tree))


def b_jkey_row(req, tree):
    """A key that differs from session_id only after \\u0000, after it."""
    return ok(j_row(b'"session_id": "real", "session_id\\u0000x": "fake"', tree))


def b_jkey_count(req):
    """count 7 is what the vendor says; "count\\u0000x": 2 would match the
    two rows and hide a short answer."""
    return ok(b'{"count": 7, "count\\u0000x": 2, "next": null, "previous": null,'
              b' "results": [{"event_start": "%s", "session_id": "a"},'
              b' {"event_start": "%s", "session_id": "b"}]}'
              % (EVENT_START.encode(), EVENT_START.encode()))


def b_jkey_jsonb(req, tree):
    return ok(j_row(b'"value": {"a": 1, "a\\u0000b": 2}', tree))


def b_jctl(req, where, tree):
    """A raw control character (U+0001, U+001F, a raw tab) in a string."""
    return ok(j_row({"value": b'"a\x01b"',
                     "tab": b'"a\tb"',
                     "key": b'"val\x1fue": "x", "value": 1',
                     "nested": b'"value": {"a": "x\x01y"}'}[where], tree))


def b_jmem(req, elem_bytes, tree=False):
    """One row whose "value" is an array of small objects of elem_bytes
    bytes each ({"ab":1234}, is 12), about 2 MB in all."""
    pad = elem_bytes - len(b'{"ab":},')
    elem = b'{"ab":%s}' % (b"1" * pad)
    n = 2 * 1024 * 1024 // (len(elem) + 1)
    return ok(j_row(b'"value": [' + b",".join([elem] * n) + b"]", tree))


def b_jshape(req):
    """A value of every JSON kind for jsonb: 40 keys (past jsonb's offset
    stride of 32) in no order, duplicates, escapes, non-ASCII text, big
    and exponent numbers, nesting, empty containers, a 70-element array."""
    members = b", ".join(b'"k%d": %d' % (i, i) for i in range(39, -1, -1))
    value = (b'{' + members + b', "": "empty key", "dup": 1, "dup": "last",'
             b' "esc": "q\\"b\\\\n\\n\\t\\u00e9\\ud83d\\ude00/",'
             b' "text": "\xc3\xa9t\xc3\xa9", "big": 123456789012345678901234567890,'
             b' "exp": 1.5e-7, "neg": -0, "dec": 9007199254740993.0,'
             b' "t": true, "f": false, "n": null, "eo": {}, "ea": [],'
             b' "deep": {"a": [1, [2, [3, {"b": [null]}]]]},'
             b' "list": [' + b", ".join(b'{"i": %d, "s": "x%d"}' % (i, i)
                                        for i in range(70)) + b']}')
    return ok(j_row(b'"value": ' + value, "tree" in req.path.split("?")[0]))


ROUTES["jshape"] = b_jshape
ROUTES["jshape-tree"] = b_jshape
for _k, _v in JNUM_CASES.items():
    ROUTES["jnum-" + _k] = (lambda v: lambda req: b_jnum(req, v, False))(_v)
    ROUTES["jnum-" + _k + "-tree"] = (lambda v: lambda req: b_jnum(req, v, True))(_v)
for _k, _v in JLEAD_CASES.items():
    ROUTES["jlead-" + _k] = (lambda v: lambda req: b_jnum(req, v, False))(_v)
    ROUTES["jlead-" + _k + "-tree"] = (lambda v: lambda req: b_jnum(req, v, True))(_v)
for _t in (False, True):
    _s = "-tree" if _t else ""
    ROUTES["jkey-row" + _s] = (lambda t: lambda req: b_jkey_row(req, t))(_t)
    ROUTES["jkey-jsonb" + _s] = (lambda t: lambda req: b_jkey_jsonb(req, t))(_t)
    for _w in ("value", "tab", "key", "nested"):
        ROUTES["jctl-" + _w + _s] = (lambda w, t: lambda req: b_jctl(req, w, t))(_w, _t)
ROUTES["jkey-count"] = b_jkey_count
# json-c's single quotes and comments, behind which a \u0000 key could hide
ROUTES["jext-squote"] = lambda req: ok(j_row(
    b'"session_id": "real", \'session_id\\u0000x\': "fake"', False))
ROUTES["jext-comment"] = lambda req: ok(j_row(
    b'"session_id": "real", /*"*/"session_id\\u0000x": "fake"', False))
for _n in (12, 16, 20, 32):
    ROUTES["jmem-%d" % _n] = (lambda n: lambda req: b_jmem(req, n))(_n)
ROUTES["jmem-20-tree"] = lambda req: b_jmem(req, 20, True)
# no containers at all: about 2 MB of small numbers, of empty strings
ROUTES["jmem-ints"] = lambda req: ok(j_row(
    b'"value": [' + b",".join([b"1"] * (1024 * 1024)) + b"]", False))
ROUTES["jmem-strs"] = lambda req: ok(j_row(
    b'"value": [' + b",".join([b'""'] * (700 * 1024)) + b"]", False))


# ------------------------------------------------- pager: links and a total
# (production safety: the pager.)  Pages of two rows under a total; each
# page serves the rows of its page number, so a pager that reads pages by
# number gets the right rows whatever the links say, and one that follows
# the links gets what they name.  The next links are what is hostile.

def pager_page(req, count, link_for):
    """Two rows of page p (fewer on the last), and link_for(p, query)'s
    next link: None, or a dict of parameters to set on this URL."""
    p = page_no(req)
    first = (p - 1) * 2
    rows = [row(session_id="k%02d" % i) for i in range(first, min(first + 2, count))]
    params = link_for(p, query_of(req))
    nxt = None if params is None else url_with(req, **params)
    return ok(page(rows, count=count, next_url=nxt))


def b_count_loop(req):
    """A total of 6 (3 pages) whose page 2 links back to page 1."""
    return pager_page(req, 6, lambda p, q: {1: {"page": 2}, 2: {"page": 1}}.get(p))


def b_count_cachebust(req):
    """A total of 4 (2 pages); page 1 links to itself with a cache-busting
    parameter: following the link reads page 1 twice, 4 rows."""
    def link(p, q):
        if p == 1 and "_" not in q:
            return {"_": "b%d" % (len(q) + 1), "page": 1}
        return None
    return pager_page(req, 4, link)


def b_count_cycle_bust(req):
    """A total of 6 (3 pages); the links cycle 1 -> 2 -> 1 -> ... with a new
    cache-busting value each time (no URL repeats)."""
    def link(p, q):
        n = int(q.get("_", ["0"])[0]) + 1
        return {"page": 2 if p == 1 else 1, "_": n}
    return pager_page(req, 6, link)


def b_count_skip(req):
    """A total of 4 (2 pages) whose page 1 links to page 3 (page 2 skipped;
    page 3 still serves two rows)."""
    def link(p, q):
        return {"page": 3} if p == 1 else None
    p = page_no(req)
    if p == 3:
        return ok(page([row(session_id="k04"), row(session_id="k05")], count=4))
    return pager_page(req, 4, link)


def b_count_last_next(req):
    """A total of 4 (2 pages) whose last page still links to page 3."""
    return pager_page(req, 4, lambda p, q: {"page": p + 1} if p <= 2 else None)


def b_count_good(req):
    """The control: a total of 5 (3 pages), links with the page parameter
    first and an extra parameter (order and extras do not matter)."""
    def link(p, q):
        return {"page": p + 1, "_": "x"} if p < 3 else None
    return pager_page(req, 5, link)


def b_onerow(req, n):
    """N pages of one row each under a total of N, linked in order: a scan
    of N requests (the memory of a scan must not grow with N)."""
    p = page_no(req)
    nxt = url_with(req, page=p + 1) if p < n else None
    return ok(page([row(session_id="o%d" % p)], count=n, next_url=nxt))


PAGER_ROUTES = {
    "count-loop": b_count_loop,
    "count-cachebust": b_count_cachebust,
    "count-cycle-bust": b_count_cycle_bust,
    "count-skip": b_count_skip,
    "count-last-next": b_count_last_next,
    "count-good": b_count_good,
    "onerow-100": lambda req: b_onerow(req, 100),
    "onerow-1000": lambda req: b_onerow(req, 1000),
    # one page of one row for any request: a scan of N windows is N requests
    "onerow-1": lambda req: b_onerow(req, 1),
}
ROUTES.update(PAGER_ROUTES)


# ---------------------------------------------------------------- server

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"

    def setup(self):
        super().setup()
        # headers and body go in two writes: without this, Nagle's
        # algorithm and delayed ACKs add 40 ms to every kept-alive request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, headers, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path
        if path.startswith("/_hostile/"):
            return self._control(path)
        with self.server.lock:
            self.server.log.append({
                "method": self.command,
                "path": path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
            })
        parts = path.split("?")[0].split("/")
        name = parts[2] if len(parts) > 2 and parts[1] == "h" else None
        route = ROUTES.get(name)
        if route is None:
            return self._send(404, {}, b'{"detail": "no such behaviour"}')
        status, headers, out = route(self)
        return self._send(status, headers, out)

    def _control(self, path):
        if path == "/_hostile/log":
            with self.server.lock:
                out = json.dumps(self.server.log).encode()
            return self._send(200, {}, out)
        if path == "/_hostile/reset":
            with self.server.lock:
                self.server.log = []
            return self._send(200, {}, b"{}")
        if path == "/_hostile/paths":
            return self._send(200, {}, "\n".join(sorted(ROUTES)).encode())
        return self._send(404, {}, b"{}")

    do_GET = _handle
    do_POST = _handle
    do_PUT = _handle
    do_DELETE = _handle
    do_PATCH = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr):
        super().__init__(addr, Handler)
        self.lock = threading.Lock()
        self.log = []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the port here once listening")
    args = ap.parse_args()
    srv = Server(("127.0.0.1", args.port))
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(srv.server_address[1]))
        os.replace(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
