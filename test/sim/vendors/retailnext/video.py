"""Camera/channel/appliance inventory (token paging), video exports and HLS streams."""

import base64
import hashlib
import urllib.parse

from vendors.base import HttpError, Response, parse_iso
from vendors.retailnext.fixtures import DOC_EXPORT, DOC_HLS_TOKEN, ORG, fail, fixture_uuid


class Video:
    """Inventory, video export and HLS handlers, mixed into the RetailNext vendor."""

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
                    fail(404, "store %s not found" % su)
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
            fail(400, "channel is required")
        if len(chans) > 16:
            fail(400, "up to 16 channels can be exported together")
        cams = []
        for c in chans:
            cam = self.cam_of_channel.get(c)
            if cam is None:
                fail(400, "channel %s not found" % c)
            cams.append(cam)
        if len({c["store_uuid"] for c in cams}) > 1:
            fail(400, "all channels must come from the same store appliance")
        times = []
        for k in ("start", "end"):
            v = req.arg(k)
            if not v:
                fail(400, "%s is required" % k)
            try:
                times.append(parse_iso(v, k))
            except HttpError:
                fail(400, "%s must be ISO 8601 (yyyy-mm-ddThh:mm:ssZ)" % k)
        start, end = times
        if end <= start:
            fail(400, "end must be after start")
        flags = {}
        for k in ("analytics_overlay", "info_overlay", "raw"):
            v = req.arg(k, "0")
            if v not in ("0", "1"):
                fail(400, "%s must be 0 or 1" % k)
            flags[k] = v == "1"
        res = req.arg("resolution")
        if res is not None:         # only used when several channels are exported
            w, _, h = res.partition("x")
            if not (w.isdigit() and h.isdigit()):
                fail(400, "resolution must be WIDTHxHEIGHT")
        with self.lock:
            n = self.export_count
            self.export_count += 1
            eid = DOC_EXPORT if n == 0 else fixture_uuid("export", self.sim.seed, n)
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
                fail(404, "export %s not found or expired" % eid)
            if x["polls"] < self.ci("export_polls"):
                x["polls"] += 1
                return Response(202, {"ok": True})
            if x["failed"]:
                return Response(424, {"ok": False, "error": x["failed"]})
            ttl = self.ci("export_ttl")
            x["after"] += 1
            if ttl and x["after"] > ttl:
                fail(404, "export %s has expired" % eid)
        url = "%s/v1/video/export/download/%s.mp4?signature=%s" % (req.base_url(), eid, self._signature(eid))
        return Response(302, {"ok": True}, {"Location": url})

    def export_delete(self, req, parts):
        eid = parts[4]
        with self.lock:
            x = self.exports.get(eid)
            if x is None or x["deleted"]:
                fail(404, "export %s not found or expired" % eid)
            x["deleted"] = True
        return Response(200, {"ok": True})

    def download(self, req, name):
        if req.method != "GET":
            raise HttpError(405, {"ok": False, "error": "method not allowed"}, {"Allow": "GET"})
        if req.header("Authorization"):
            fail(400, "only one auth mechanism allowed: the URL is signed, "
                       "do not send an Authorization header to the download host")
        eid = name[:-4] if name.endswith(".mp4") else name
        with self.lock:
            x = self.exports.get(eid)
            if x is None or x["deleted"] or x["failed"] or x["polls"] < self.ci("export_polls"):
                fail(404, "no such export")
        if req.arg("signature") != self._signature(eid):
            fail(403, "signature does not match")
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
            fail(400, "location_uuid is required")
        with self.lock:
            if not isinstance(u, str) or u not in self.locs:
                fail(400, "location %s not found" % (u,))
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
                fail(401, "a valid token is required (POST /v1/hlsapitoken)")
            allowed = {loc} | {d["uuid"] for d in self.descendants(loc)}
        if len(parts) == 3:
            if not parts[2].endswith(".m3u8"):
                fail(404, "no such playlist")
            ch = parts[2][:-5]
        else:
            ch = parts[2]
        cam = self.cam_of_channel.get(ch)
        if cam is None:
            fail(404, "channel %s not found" % ch)
        if cam["store_uuid"] not in allowed:
            fail(403, "the token does not cover channel %s" % ch)
        if len(parts) == 3:
            lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:6",
                     "#EXT-X-MEDIA-SEQUENCE:0"]
            for i in range(3):
                lines += ["#EXTINF:6.0,", "/v1/hls/%s/%d.ts?token=%s" % (ch, i, urllib.parse.quote(tok))]
            return Response(200, "\n".join(lines) + "\n", {}, "application/vnd.apple.mpegurl")
        seg = parts[3]
        if not (seg.endswith(".ts") and seg[:-3].isdigit() and int(seg[:-3]) < 3):
            fail(404, "no such segment")
        pkt = bytes([0x47, 0x40, 0x00, 0x10]) + bytes(184)
        return Response(200, pkt * 20, {}, "video/MP2T")
