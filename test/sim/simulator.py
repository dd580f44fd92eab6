#!/usr/bin/env python3
"""Vendor simulator for retail_fdw's tests, demo and benchmarks.

Serves each vendor's documented REST API on its own loopback port (Python 3
standard library only): auth, pagination, filters, limits and errors as the
vendors document them, plus a control API under /_sim/ on every port:

  GET  /_sim/requests[?vendor=V&contains=S]      request record as JSON ("arrived":
                                                 when the request was read, "time":
                                                 when it was answered)
  GET  /_sim/requests.txt[?vendor=V&contains=S&bodies=1&raw=1]
                                                 one line per request:
                                                 "<vendor> <METHOD> <path>?<query> -> <status>"
  POST /_sim/reset                               clear record, faults, config
  POST /_sim/faults                              add a fault rule (JSON object)
  POST /_sim/config                              set knobs, e.g. {"latency_ms": 5}
  GET  /_sim/health                              200 "ok"
  GET  /_sim/truth/<vendor>/<resource>[?from=&to=]
                                                 ground truth: every row behind a
                                                 table, as the document shapes it
                                                 (a JSON array, the seed's data and
                                                 the current knobs); 404 for a
                                                 resource without one.  Journey
                                                 needs a window: from/to (ISO
                                                 instants, event_start inclusive,
                                                 at most 62 days); RetailNext
                                                 rn_store_hours from/to (dates),
                                                 rn_zone_transitions starts
                                                 (dates) and spans (days),
                                                 rn_datamine one location,
                                                 metric, grain, tz and from/to
                                                 (ISO instants): the whole
                                                 periods of the store days or
                                                 slots in [from, to).
                                                 Child and flattened tables
                                                 (Inspector children, RetailNext)
                                                 are keyed by column name.

With SIM_RECORD_DIR set in its environment, the simulator also saves the
body of every 2xx vendor answer (not /_sim/, not faults) as
$SIM_RECORD_DIR/<vendor>/<METHOD>_<path>_<hash>.json: test/fuzz takes its
seed corpus from such a recording.

A fault rule is matched against every vendor request (never /_sim/):

  vendor, method, path_contains, query_contains, body_contains   match conditions
  skip     let the first N matching requests through (default 0)
  every    then fault only every N-th match (default 1)
  times    how many faults to inject (default 1, -1 = forever)
  rate     fault a match with this probability (deterministic RNG, "seed")
  kind     status (default) | reset | truncate | stall | malformed |
           wrong_shape | huge | delay | redirect | body
  status, retry_after, body (JSON value or text), headers (object),
  delay_ms, stall_ms, size_bytes, location

Vendor modules live in test/sim/vendors/<name>.py, or as a package
test/sim/vendors/<name>/ for a large vendor; each defines VENDOR = "<name>"
and make(sim) returning an object with a handle(req) -> Response method.
vendors/base.py holds what they share: request/response types, auth,
routing and paging helpers.
"""

import argparse
import json
import os
import random
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from vendors import base  # noqa: E402
from vendors import load_all  # noqa: E402


class FaultRule:
    """One injected fault, as posted to /_sim/faults."""

    KINDS = ("status", "reset", "truncate", "stall", "malformed",
             "wrong_shape", "huge", "delay", "redirect", "body")

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule is a JSON object")
        self.spec = dict(spec)
        kind = spec.get("kind")
        if kind is None:
            kind = "status"
        if kind not in self.KINDS:
            raise ValueError("unknown fault kind %r" % kind)
        self.kind = kind
        self.vendor = spec.get("vendor")
        self.method = spec.get("method")
        self.path_contains = spec.get("path_contains")
        self.query_contains = spec.get("query_contains")
        self.body_contains = spec.get("body_contains")
        self.skip = int(spec.get("skip", 0))
        self.every = max(1, int(spec.get("every", 1)))
        self.times = int(spec.get("times", 1))
        self.rate = spec.get("rate")
        self.rng = random.Random(spec.get("seed", 1))
        self.matched = 0
        self.fired = 0

    def matches(self, req):
        if self.vendor and req.vendor != self.vendor:
            return False
        if self.method and req.method != self.method.upper():
            return False
        if self.path_contains and self.path_contains not in req.path:
            return False
        if self.query_contains and self.query_contains not in req.raw_query:
            return False
        if self.body_contains and self.body_contains not in req.body_text():
            return False
        return True

    def take(self, req):
        """True if this rule fires for req (updates its counters)."""
        if self.times >= 0 and self.fired >= self.times:
            return False
        if not self.matches(req):
            return False
        self.matched += 1
        if self.matched <= self.skip:
            return False
        if (self.matched - self.skip - 1) % self.every != 0:
            return False
        if self.rate is not None and self.rng.random() >= float(self.rate):
            return False
        self.fired += 1
        return True


class Simulator:
    """Shared state: vendors, request record, faults, knobs."""

    def __init__(self, seed=1, options=None):
        self.seed = seed
        self.options = options or {}
        self.lock = threading.Lock()
        self.records = []
        self.faults = []
        self.config = {}
        self.stopping = threading.Event()
        self.vendors = {}
        for name, module in load_all().items():
            self.vendors[name] = module.make(self)
        self.servers = {}

    # -- control -------------------------------------------------------

    def reset(self):
        with self.lock:
            self.records = []
            self.faults = []
            self.config = {}
        for v in self.vendors.values():
            if hasattr(v, "reset"):
                v.reset()

    def add_fault(self, spec):
        rule = FaultRule(spec)
        with self.lock:
            self.faults.append(rule)
        return rule

    def pick_fault(self, req):
        with self.lock:
            for rule in self.faults:
                if rule.take(req):
                    return rule
        return None

    def record(self, req, status):
        entry = {
            "vendor": req.vendor,
            "method": req.method,
            "path": req.path,
            "query": req.raw_query,
            "status": status,
            "arrived": getattr(req, "arrived", None),
            "time": time.time(),
            "headers": {k.lower(): v for k, v in req.headers.items()
                        if k.lower() not in ("authorization", "x-api-key")},
            "auth": req.auth_kind(),
        }
        if req.body:
            entry["body"] = req.body_text()
        with self.lock:
            self.records.append(entry)

    def select(self, vendor=None, contains=None):
        with self.lock:
            recs = list(self.records)
        out = []
        for r in recs:
            if vendor and r["vendor"] != vendor:
                continue
            line = r["path"] + ("?" + r["query"] if r["query"] else "")
            if contains and contains not in line and contains not in r.get("body", ""):
                continue
            out.append(r)
        return out

    # -- serving -------------------------------------------------------

    def start(self, host="127.0.0.1", ports=None, tls=None):
        """Serve every vendor; tls = (certfile, keyfile) serves https."""
        ports = ports or {}
        scheme = "https" if tls else "http"
        for name in self.vendors:
            srv = SimServer((host, int(ports.get(name, 0))), Handler)
            if tls:
                import ssl
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.minimum_version = ssl.TLSVersion.TLSv1_2
                ctx.load_cert_chain(tls[0], tls[1])
                srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                             do_handshake_on_connect=False)
            srv.sim = self
            srv.vendor = name
            self.servers[name] = srv
            t = threading.Thread(target=srv.serve_forever,
                                 kwargs={"poll_interval": 0.2}, daemon=True)
            t.start()
        return {name: {"port": srv.server_address[1],
                       "url": "%s://%s:%d" % (scheme, host, srv.server_address[1])}
                for name, srv in self.servers.items()}

    def stop(self):
        self.stopping.set()
        for srv in self.servers.values():
            srv.shutdown()
            srv.server_close()


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def _record_body(top, req, body):
    """Save an answer's body for the fuzz corpus (see SIM_RECORD_DIR)."""
    import hashlib
    import re

    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    if not body:
        return
    name = "%s_%s_%s.json" % (req.method, re.sub(r"[^A-Za-z0-9]+", "-", req.path).strip("-"),
                              hashlib.sha1(body).hexdigest()[:12])
    folder = os.path.join(top, req.vendor)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        tmp = "%s.%d.tmp" % (path, threading.get_ident())
        with open(tmp, "wb") as f:
            f.write(body)
        os.replace(tmp, path)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "retail-fdw-sim/1.0"
    # Without this every small response waits for the client's delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet
        if os.environ.get("SIM_VERBOSE"):
            sys.stderr.write("%s %s\n" % (self.server.vendor, fmt % args))

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    # -- plumbing --------------------------------------------------------

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length:
            return self.rfile.read(int(length))
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""

    def _send(self, status, body, headers=None, content_type="application/json"):
        if isinstance(body, (dict, list)) or body is None and status != 204:
            body = json.dumps(body if body is not None else {}).encode()
        elif isinstance(body, str):
            body = body.encode()
        elif body is None:
            body = b""
        self.send_response(status)
        hdrs = {"Content-Type": content_type}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dispatch(self):
        sim = self.server.sim
        arrived = time.time()
        split = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        if split.path.startswith("/_sim/"):
            return self._control(split, body)
        req = base.Request(
            vendor=self.server.vendor,
            method=self.command,
            path=split.path,
            raw_query=split.query,
            headers=self.headers,
            body=body,
            host=self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1],
        )
        req.arrived = arrived
        latency = sim.config.get("latency_ms")
        if latency:
            time.sleep(float(latency) / 1000.0)
        rule = sim.pick_fault(req)
        if rule is not None and rule.kind not in ("truncate", "reset", "stall",
                                                   "delay", "wrong_shape", "huge"):
            return self._fault_reply(req, rule)
        if rule is not None and rule.kind == "delay":
            self._sleep(rule.spec.get("delay_ms", 1000))
            rule = None
        if rule is not None and rule.kind in ("wrong_shape", "huge"):
            return self._fault_reply(req, rule)
        try:
            resp = sim.vendors[self.server.vendor].handle(req)
        except base.HttpError as e:
            resp = base.Response(e.status, e.body, e.headers)
        except Exception as e:  # a simulator bug: make it loud
            import traceback
            traceback.print_exc()
            resp = base.Response(500, {"detail": "simulator error: %s" % e})
        if rule is not None:
            return self._fault_stream(req, rule, resp)
        sim.record(req, resp.status)
        if os.environ.get("SIM_RECORD_DIR") and 200 <= resp.status < 300:
            _record_body(os.environ["SIM_RECORD_DIR"], req, resp.body)
        self._send(resp.status, resp.body, resp.headers,
                   resp.content_type or "application/json")

    def _sleep(self, ms):
        end = time.monotonic() + float(ms) / 1000.0
        while not self.server.sim.stopping.is_set():
            left = end - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 0.05))

    def _fault_reply(self, req, rule):
        sim = self.server.sim
        spec = rule.spec
        headers = dict(spec.get("headers") or {})
        if rule.kind == "status" or rule.kind == "body":
            status = int(spec.get("status", 500 if rule.kind == "status" else 200))
            body = spec.get("body")
            if body is None:
                body = {"detail": "simulated failure (HTTP %d)" % status}
            if spec.get("retry_after") is not None:
                headers["Retry-After"] = str(spec["retry_after"])
            sim.record(req, status)
            ctype = "application/json" if not isinstance(body, str) else \
                spec.get("content_type", "text/plain")
            return self._send(status, body, headers, ctype)
        if rule.kind == "malformed":
            sim.record(req, 200)
            return self._send(200, b'{"count": 3, "next": null, "results": [{"session_id": "s1",, ]',
                              headers)
        if rule.kind == "wrong_shape":
            sim.record(req, 200)
            body = spec.get("body", ["this", "is", "not", "the", "documented", "shape"])
            return self._send(200, body, headers)
        if rule.kind == "huge":
            size = int(spec.get("size_bytes", 1 << 20))
            pad = "x" * max(0, size - 40)
            sim.record(req, 200)
            return self._send(200, '{"count": 0, "results": [], "pad": "%s"}' % pad, headers)
        if rule.kind == "redirect":
            status = int(spec.get("status", 302))
            loc = spec.get("location")
            if not loc:
                # another loopback host, same port: never followed by the FDW
                port = self.server.server_address[1]
                loc = "http://127.0.0.2:%d%s" % (port, self.path)
            headers["Location"] = loc
            sim.record(req, status)
            return self._send(status, {"detail": "moved"}, headers)
        raise AssertionError(rule.kind)

    def _fault_stream(self, req, rule, resp):
        """Faults that damage a real response on the wire."""
        sim = self.server.sim
        body = resp.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        elif body is None:
            body = b""
        sim.record(req, resp.status)
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type or "application/json")
        for k, v in (resp.headers or {}).items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = max(1, len(body) // 2)
        self.wfile.write(body[:cut])
        self.wfile.flush()
        if rule.kind == "stall":
            self._sleep(rule.spec.get("stall_ms", 30000))
        if rule.kind == "reset":
            # RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.close_connection = True

    def _control(self, split, body):
        sim = self.server.sim
        params = dict(urllib.parse.parse_qsl(split.query))
        path = split.path
        try:
            if path == "/_sim/health":
                return self._send(200, "ok", content_type="text/plain")
            if path == "/_sim/reset" and self.command == "POST":
                sim.reset()
                return self._send(200, {"ok": True})
            if path == "/_sim/faults" and self.command == "POST":
                spec = json.loads(body or b"{}")
                sim.add_fault(spec)
                return self._send(200, {"ok": True})
            if path == "/_sim/faults" and self.command == "GET":
                with sim.lock:
                    out = [dict(r.spec, fired=r.fired, matched=r.matched)
                           for r in sim.faults]
                return self._send(200, out)
            if path == "/_sim/config" and self.command == "POST":
                conf = json.loads(body or b"{}")
                with sim.lock:
                    sim.config.update(conf)
                for v in sim.vendors.values():
                    if hasattr(v, "configure"):
                        v.configure(conf)
                return self._send(200, {"ok": True, "config": sim.config})
            if path.startswith("/_sim/truth/") and self.command == "GET":
                parts = path[len("/_sim/truth/"):].strip("/").split("/")
                vend = sim.vendors.get(parts[0]) if len(parts) == 2 else None
                try:
                    rows = vend.truth(parts[1], params) if hasattr(vend, "truth") else None
                except base.HttpError as e:
                    return self._send(e.status, e.body)
                if rows is None:
                    return self._send(404, {"detail": "no ground truth for %s" % path})
                return self._send(200, rows)
            if path == "/_sim/requests":
                recs = sim.select(params.get("vendor"), params.get("contains"))
                return self._send(200, recs)
            if path == "/_sim/requests.txt":
                recs = sim.select(params.get("vendor"), params.get("contains"))
                lines = []
                keys = []
                for r in recs:
                    line = "%s %s %s%s" % (r["vendor"], r["method"], r["path"],
                                           "?" + r["query"] if r["query"] else "")
                    if params.get("bodies") and r.get("body"):
                        line += " " + r["body"]
                    keys.append(line)
                    lines.append(line + " -> %d" % r["status"])
                if not params.get("raw"):
                    # stable on the request alone: retries keep their order
                    order = sorted(range(len(lines)), key=lambda i: keys[i])
                    lines = [lines[i] for i in order]
                return self._send(200, "".join(l + "\n" for l in lines),
                                  content_type="text/plain")
        except (ValueError, TypeError) as e:
            return self._send(400, {"detail": str(e)})
        return self._send(404, {"detail": "no such control endpoint"})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--ports-file", help="write {vendor: {port, url}} here")
    ap.add_argument("--vendor-port", action="append", default=[],
                    metavar="VENDOR=PORT", help="fixed port for a vendor")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="vendor data knobs, e.g. journey.events_per_day=500")
    ap.add_argument("--tls-cert", help="serve https with this PEM certificate")
    ap.add_argument("--tls-key", help="...and this PEM key")
    args = ap.parse_args(argv)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        ap.error("the simulator serves loopback only")

    ports = {}
    for vp in args.vendor_port:
        name, _, port = vp.partition("=")
        ports[name] = int(port)
    options = {}
    for kv in args.option:
        key, _, val = kv.partition("=")
        options[key] = val

    sim = Simulator(seed=args.seed, options=options)
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    info = sim.start(args.host, ports, tls)
    if args.ports_file:
        tmp = args.ports_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(info, f)
        os.replace(tmp, args.ports_file)
    print("READY " + json.dumps(info), flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    while not done.is_set():
        done.wait(0.5)
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
