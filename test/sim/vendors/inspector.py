"""inspector: Inspector Cloud (Eyrene) data API v1.3.

Source: /work/shared/api-docs/inspector-cloud-visit.txt (its JSON lost its
braces; the example visit, inspector_doc_visit.json, is rebuilt from its text
and field list) and the Inspector Cloud part of NOTES.md.

AUTH  "Authorization: Token ic-secret-token" (option inspector.token); else 401
      {"detail": "Invalid token."} or {"detail": "Authentication credentials
      were not provided."} (DRF style).
ENDPOINTS (under /api/data/v1.3)
  GET  /visits/{id}/      the whole visit; 404 {"detail": "Not found."}
  GET  /visits/           limit / offset paging (Django REST framework's
                          LimitOffsetPagination): limit defaults to 100 and
                          is CAPPED, not refused, at max_limit (knob, default
                          100); a limit that is not a positive integer means
                          the default.  {count, next, previous, results:
                          [{id, cid, name, created_at, updated_at}]} ordered
                          by id; next/previous carry the limit used; filters
                          datetime_gte (created_at >=), cid, agent (agent_id),
                          route (current_agent_route), is_new (DEFAULT TRUE:
                          only visits not yet acknowledged; is_new=false: all)
  POST /visits/{id}/ack/  acknowledges: the visit leaves the is_new list;
                          200 {"id": .., "is_new": false}; 404 unknown id
  GET  /stores/, /sku/    limit/offset lists (fields invented: the doc has none)
  A GET never acknowledges anything.  /_sim/reset forgets acknowledgements
  and restores the knobs.
FIXTURE (deterministic)
  324096   the documentation's example visit, field for field (Russian texts),
           created 2020-07-29, is_new true.
  60 generated visits (knob visits), ids 500001 + 7*i (i = 0..59; the ids
  between are 404),
  created 2025-08-01 .. 2025-08-20 (three a day, 08:xx, 11:xx, 14:xx UTC),
  stores 11020..11024 in turn, agents 5633 (route 164780), 5634 (164781), 5635
  (164782) in turn; cid "V-<id>"; is_new false for every third (i % 3 == 2);
  visits up to 500043 have prices, oos reasons (with diagnosis and fixed), a kpi
  value and a dqi entry; every fifth (i % 5 == 4) has no scenes; every other
  scene has an image_quality entry (shelfs_count as the document spells it),
  a visit's first scene 1 to 3 products in its assortment (sku_id a string,
  statuses invented) and their facing_counts (sku_id an integer, FG); texts mix
  Russian, accents and emoji.  Stores 11020..11024; skus: 20 (ids 155279 + n).
  A question of type "text" answers with a string (the document types answer
  as a string), a "select_one" with {option id: option text} as the
  document's example does; scenes, images, questions and dqi entries
  carry their own created_at (scenes and images minutes after their
  visit), never the visit's.
KNOBS (--option inspector.KEY=VALUE or POST /_sim/config {"inspector": {...}})
  max_limit (100)      the largest limit the listing honours
  visits (60)          generated visits (the example visit comes on top)
  string_ids (false)   agent_id, prices'/oos reasons' scene_id and sku_id,
                       assortment's sku_id and
                       kpi values' clone_id as the document types them:
                       strings, and not numeric ones ("AG-5633", "SC-90000",
                       "SKU-155279", "copy-0")
"""

import datetime as dt
import json
import os
import threading

from vendors.base import (Auth, HttpError, Response, Router, drf_limit, int_arg, iso_z,
                          offset_page, parse_iso, rng_for, split_path, UTC)

VENDOR = "inspector"
API = "/api/data/v1.3"
JSON_CT = "application/json; charset=utf-8"
NOT_FOUND = lambda req: HttpError(404, {"detail": "Not found."})  # noqa: E731

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "inspector_doc_visit.json"), encoding="utf-8") as _f:
    DOC_VISIT = json.load(_f)

STORES = [
    {"id": 11020, "cid": "ST-11020", "name": "Пятёрочка на Ленина", "city": "Калуга",
     "region": "Калужская область", "chain": "X5"},
    {"id": 11021, "cid": "ST-11021", "name": "Магнит у дома", "city": "Обнинск",
     "region": "Калужская область", "chain": "Магнит"},
    {"id": 11022, "cid": "ST-11022", "name": "Café Crème Épicerie", "city": "Москва",
     "region": "Москва", "chain": "Indie"},
    {"id": 11023, "cid": "ST-11023", "name": "ВкусВилл 🍏", "city": "Москва",
     "region": "Москва", "chain": "ВкусВилл"},
    {"id": 11024, "cid": "ST-11024", "name": "Перекрёсток", "city": "Тула",
     "region": "Тульская область", "chain": "X5"},
]
AGENTS = [(5633, "Alex", "164780"), (5634, "Мария", "164781"), (5635, "Jürgen", "164782")]
REASONS = ["Продукт в блоке", "Не пришел продукт", "Ошибка распознавания", "Нет в матрице сети"]
# assortment statuses: the document names none (invented, Russian as its texts)
ASSORTMENT = ["в наличии", "отсутствует", "Café 🛒 новинка"]
DIAGNOSES = ["OOS подтверждён", "Товар найден на фото", "Нет данных"]
SKU_NAMES = ["Шоколад «Алёнка» 90 г", "Café noir 250 g", "Сок яблочный 1 л", "Чай 🍵 зелёный"]
SKU_BRANDS = ["Красный Октябрь", "Lavazza", "Добрый", "Greenfield"]
SKU_CATEGORIES = ["Шоколад", "Кофе", "Соки", "Чай"]
SKUS = [{"id": 155279 + n, "cid": "590002%07d" % (23308 + n),
         "name": "%s #%d" % (SKU_NAMES[n % 4], n), "brand": SKU_BRANDS[n % 4],
         "category": SKU_CATEGORIES[n % 4]} for n in range(20)]


def _scene_counts(i, s, sid, nimages):
    """A scene's image_quality, assortment and facing_counts: arrays (the
    document's example gives [] for each) of objects with the fields its
    list names.  Every other scene has image quality data; the first scene
    of a visit has 1 to 3 products in its assortment and their facings."""
    quality, assortment, facings = [], [], []
    if (i + s) % 2 == 0:
        quality.append({"id": 3000000 + 10 * i + s, "sharpness": 40 + (i * 7 + s) % 60,
                        "perspective_angles": (i + s) % 30, "shelfs_count": 2 + (i + s) % 5,
                        "facing_count": 4 * nimages + i % 9})
    if s == 0:
        for k in range(1 + i % 3):
            sku = SKUS[(i + 3 + k) % len(SKUS)]
            # sku_id: a string in assortment, an integer in facing_counts
            assortment.append({"sku_id": str(sku["id"]), "sku_cid": sku["cid"],
                               "quantity": (i + k) % 4, "status": ASSORTMENT[(i + k) % 3]})
            facings.append({"sku_id": sku["id"], "sku_cid": sku["cid"], "FG": 1 + (i + 2 * k) % 6})
    return quality, assortment, facings


def _scenes(i, vid, created):
    scenes = []
    if i % 5 == 4:
        return scenes
    for s in range(1 + i % 3):
        sid = 90000 + 10 * i + s
        images = [{"id": 27000000 + 100 * i + 10 * s + k,
                   "created_at": iso_z(created + dt.timedelta(minutes=5 + k)),
                   "original_url": "https://storage.example/%d/%d/%d.jpg" % (vid, sid, k),
                   "corrected_perspective_url": "https://storage.example/%d/%d/%d-c.jpg" % (vid, sid, k),
                   "is_deleted": False, "annotations": [], "shelf_annotations": [],
                   "price_annotations": []} for k in range(s + 1)]
        groups = []
        if s == 0:
            opts = [{"id": 66942, "value": "Промо выполняется"},
                    {"id": 66943, "value": "Не пришел продукт"}]
            chosen = opts[i % 2]
            groups = [{"id": 130, "name": "Промо", "cid": None,
                       "created_at": "2021-09-24T17:36:29.466080Z",
                       "questions": [
                           {"id": 25, "type": "select_one",
                            "answer": {str(chosen["id"]): chosen["value"]},
                            "options": opts, "created_at": "2020-03-11T14:33:16.387348Z",
                            "text": "Статус выполнения промо", "required": False, "cid": "PROMO_1"},
                           {"id": 26, "type": "text",
                            "answer": None if i % 2 else "Всё отлично 👍",
                            "options": [], "created_at": "2020-03-11T14:33:16.416687Z",
                            "text": "Комментарий", "required": False, "cid": "PROMO_5"}]}]
        quality, assortment, facings = _scene_counts(i, s, sid, len(images))
        scenes.append({"id": sid, "created_at": iso_z(created + dt.timedelta(minutes=3 + s)),
                       "task_id": 48 + s,
                       "portal_url": "https://test.inspector-cloud.com/portal/visit/%d/scene/%d" % (vid, sid),
                       "images": images, "image_quality": quality, "clone_id": 0,
                       "question_groups": groups, "assortment": assortment,
                       "facing_counts": facings})
    return scenes


def _text_ids(v):
    """The visit v with its string-typed ids as non-numeric strings."""
    v = json.loads(json.dumps(v))
    v["agent_id"] = "AG-%s" % v["agent_id"]
    for key in ("prices", "oos_reasons"):
        for r in v[key]:
            r["scene_id"] = None if r["scene_id"] is None else "SC-%s" % r["scene_id"]
            r["sku_id"] = "SKU-%s" % r["sku_id"]
    for k in v["kpi_values"]:
        k["clone_id"] = "copy-%s" % k["clone_id"]
    for sc in v["scenes"]:
        for a in sc["assortment"]:
            a["sku_id"] = "SKU-%s" % a["sku_id"]
    return v


def _gen_visit(i):
    vid = 500001 + 7 * i
    rng = rng_for("inspector", vid)
    agent = AGENTS[i % 3]
    day = dt.datetime(2025, 8, 1, tzinfo=UTC) + dt.timedelta(days=i // 3)
    created = day + dt.timedelta(hours=8 + (i % 3) * 3, minutes=rng.randint(0, 59),
                                 seconds=rng.randint(0, 59))
    closed = created + dt.timedelta(minutes=rng.randint(20, 90))
    scenes = _scenes(i, vid, created)
    first_scene = scenes[0]["id"] if scenes else None
    prices, oos, kpis, dqi = [], [], [], []
    if vid <= 500043:
        for k in range(1 + i % 4):
            sku = SKUS[(i + k) % len(SKUS)]
            prices.append({"id": 700000 + 10 * i + k, "scene_id": first_scene, "sku_id": sku["id"],
                           "sku_cid": sku["cid"], "price": [19, 45.5, 109, 89.99][k % 4],
                           "target_price": None if k % 2 else 100, "is_promo": bool(k % 2),
                           "id_competitor": "", "updated_at": iso_z(closed)})
        for k in range(i % 3):
            sku = SKUS[(i + 7 + k) % len(SKUS)]
            oos.append({"id": 7200000 + 10 * i + k, "scene_id": first_scene, "sku_id": sku["id"],
                        "sku_cid": sku["cid"], "reason": REASONS[(i + k) % len(REASONS)],
                        "diagnosis": DIAGNOSES[(i + k) % 3], "fixed": (i + k) % 2 == 0,
                        "updated_at": iso_z(closed)})
        kpis.append({"id": 800000 + i, "kpi_id": "12", "kpi_cid": "OSA", "updated_at": iso_z(closed),
                     "category": "Наличие", "value": round(0.5 + (i % 5) / 10.0, 2),
                     "target_value": "0.9", "details": {}, "exclude_from_reports": False,
                     "exclude_from_reports_comment": None, "clone_id": 0})
        dqi.append({"id": 1979900000 + i, "uuid": "844e8e37-e4b5-4c8f-9fa8-%012d" % vid,
                    "type": 3, "created_at": iso_z(closed), "updated_at": iso_z(closed),
                    "visit_id": vid, "scene_id": first_scene, "image_id": None,
                    "name": "Горизонтальная перспектива", "description": "",
                    "related_to": "IMAGE", "severity": ["INFO", "WARNING"][i % 2],
                    "threshold": 0.3, "value": round(0.1 + (i % 7) / 10.0, 2), "json": None})
    store = STORES[i % len(STORES)]
    return {
        "id": vid, "cid": "V-%d" % vid,
        "portal_url": "https://test.inspector-cloud.com/portal/visit/%d" % vid,
        "agent_id": agent[0], "current_agent_name": agent[1], "current_agent_route": agent[2],
        "current_agent_role": None if i % 2 else "merchandiser",
        "store_id": store["id"], "customer_id": "{%08X-0000-0000-0000-%012d}" % (vid, i),
        "is_closed": True, "is_deleted": False, "is_new": i % 3 != 2,
        "latitude": 54.5 + i / 1000.0, "longitude": 37.0 + i / 1000.0,
        "closed_latitude": 54.5 + i / 1000.0, "closed_longitude": 37.0 + i / 1000.0,
        "closed_at": iso_z(closed), "created_at": iso_z(created), "updated_at": iso_z(closed),
        "app_created_at": iso_z(created), "app_closed_at": iso_z(closed),
        "scenes": scenes, "kpi_values": kpis, "prices": prices, "oos_reasons": oos, "dqi": dqi,
    }


def _txt(x):
    """A field the tables type as text (ids the document types as strings)."""
    return None if x is None else str(x)


def _answer_text(a):
    """A string answer, or the chosen option's text ({option id: text})."""
    if isinstance(a, dict):
        return next(iter(a.values()), None)
    if isinstance(a, list):
        return _answer_text(a[0]) if a else None
    return a


def _child_rows(key, idname, text_fields=(), own_time=False):
    def flat(v):
        out = []
        for e in v.get(key) or []:
            r = dict(e, visit_id=v["id"])
            r[idname] = e.get("id")
            for f in text_fields:
                r[f] = _txt(e.get(f))
            if own_time:
                r["visit_created_at"] = v["created_at"]
            else:
                r["created_at"] = v["created_at"]
            out.append(r)
        return out
    return flat


def _scene_rows(v):
    return [dict(sc, visit_id=v["id"], scene_id=sc["id"], visit_created_at=v["created_at"])
            for sc in v.get("scenes") or []]


def _image_rows(v):
    return [dict(im, visit_id=v["id"], scene_id=sc["id"], image_id=im["id"],
                 visit_created_at=v["created_at"])
            for sc in v.get("scenes") or [] for im in sc.get("images") or []]


def _answer_rows(v):
    return [{"visit_id": v["id"], "scene_id": sc["id"], "question_group_id": g.get("id"),
             "question_group_name": g.get("name"), "question_group_cid": g.get("cid"),
             "question_group_created_at": g.get("created_at"),
             "question_id": q.get("id"), "question_cid": q.get("cid"),
             "question_text": q.get("text"), "question_type": q.get("type"),
             "required": q.get("required"), "answer": q.get("answer"),
             "answer_text": _answer_text(q.get("answer")), "options": q.get("options"),
             "created_at": q.get("created_at"), "visit_created_at": v["created_at"]}
            for sc in v.get("scenes") or [] for g in sc.get("question_groups") or []
            for q in g.get("questions") or []]


def _scene_child_rows(key, idname=None, fields=None):
    """One row per element of each scene's key, with the scene's id and the
    visit's created_at; fields maps a column to its document field."""
    fields = fields or {}

    def flat(v):
        out = []
        for sc in v.get("scenes") or []:
            for e in sc.get(key) or []:
                r = dict(e, visit_id=v["id"], scene_id=sc["id"], created_at=v["created_at"])
                if idname:
                    r[idname] = e.get("id")
                for col, field in fields.items():
                    r[col] = e.get(field)
                out.append(r)
        return out
    return flat


def _option_rows(v):
    return [{"visit_id": v["id"], "scene_id": sc["id"], "question_group_id": g.get("id"),
             "question_id": q.get("id"), "option_id": o.get("id"), "value": o.get("value"),
             "created_at": v["created_at"]}
            for sc in v.get("scenes") or [] for g in sc.get("question_groups") or []
            for q in g.get("questions") or [] for o in q.get("options") or []]


TRUTH_CHILDREN = {
    "ic_visit_answer_options": _option_rows,
    "ic_visit_image_quality": _scene_child_rows("image_quality", "image_quality_id",
                                                {"shelves_count": "shelfs_count"}),
    "ic_visit_assortment": _scene_child_rows("assortment"),
    "ic_visit_facing_counts": _scene_child_rows("facing_counts", fields={"fg": "FG"}),
    "ic_visit_scenes": _scene_rows,
    "ic_visit_images": _image_rows,
    "ic_visit_answers": _answer_rows,
    "ic_visit_prices": _child_rows("prices", "price_id", ("scene_id", "sku_id", "sku_cid")),
    "ic_visit_oos_reasons": _child_rows("oos_reasons", "oos_id", ("scene_id", "sku_id", "sku_cid")),
    "ic_visit_kpis": _child_rows("kpi_values", "kpi_value_id", ("kpi_id", "clone_id")),
    "ic_visit_dqi": _child_rows("dqi", "dqi_id", own_time=True),
}

DEFAULTS = {"max_limit": 100, "visits": 60, "string_ids": False}


def _knob(key, value):
    if key == "string_ids":
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    value = int(value)
    if value < 1:
        raise ValueError("inspector: %s must be at least 1" % key)
    return value


class Inspector:
    def __init__(self, sim):
        self.sim = sim
        self.lock = threading.Lock()
        self.token = sim.options.get("inspector.token", "ic-secret-token")
        self.base_conf = dict(DEFAULTS)
        for key in DEFAULTS:
            if "inspector." + key in sim.options:
                self.base_conf[key] = _knob(key, sim.options["inspector." + key])
        self.conf = dict(self.base_conf)
        self.acked = set()
        self._build()
        # DRF TokenAuthentication; no WWW-Authenticate header
        self.auth = Auth(("Token",), lambda tok: None if tok == self.token else "token",
                         missing=lambda: HttpError(401, {"detail": "Authentication credentials were not provided."}),
                         invalid=lambda why: HttpError(401, {"detail": "Invalid token."}))
        self.router = (Router().add("/visits", GET=self._list)
                       .add("/visits/{id}", ANY=self._one_visit)
                       .add("/visits/{id}/{action}", ANY=self._one_visit)
                       .add("/stores", GET=self._stores)
                       .add("/sku", GET=self._skus))

    def _build(self):
        visits = {324096: DOC_VISIT}
        for i in range(self.conf["visits"]):
            v = _gen_visit(i)
            visits[v["id"]] = _text_ids(v) if self.conf["string_ids"] else v
        self.visits = visits

    def reset(self):
        with self.lock:
            self.acked = set()
            rebuild = self.conf != self.base_conf
            self.conf = dict(self.base_conf)
            if rebuild:
                self._build()

    def configure(self, conf):
        c = conf.get(VENDOR) if isinstance(conf, dict) else None
        if not isinstance(c, dict):
            return
        for k in c:
            if k not in DEFAULTS:
                raise ValueError("inspector: unknown knob %r" % k)
        with self.lock:
            for k, v in c.items():
                self.conf[k] = _knob(k, v)
            self._build()

    def _visit(self, vid):
        v = self.visits.get(vid)
        if v is None:
            return None
        with self.lock:
            acked = vid in self.acked
        return dict(v, is_new=False) if acked and v["is_new"] else v

    def truth(self, resource, params):
        """Ground truth: every whole visit (acknowledgements applied); for a
        child table one row per element of every visit, keyed by the table's
        column names (visit_id, the element's fields, created_at its own
        where it has one, else the visit's; visit_created_at the visit's);
        stores and skus as their lists hold them; ic_visit_list the listing's
        row of every visit.  Built from the data, not
        from any answer the API gives."""
        if resource == "ic_stores":
            return self._store_rows()
        if resource == "ic_skus":
            return self._sku_rows()
        visits = [self._visit(vid) for vid in sorted(self.visits)]
        if resource == "ic_visit_list":
            return [self._listing_row(v) for v in visits]
        if resource == "ic_visits":
            return visits
        flat = TRUTH_CHILDREN.get(resource)
        if flat is None:
            return None
        return [row for v in visits for row in flat(v)]

    @staticmethod
    def _json(status, body):
        return Response(status, json.dumps(body, ensure_ascii=False), content_type=JSON_CT)

    def _page(self, req, rows):
        limit = drf_limit(req, 100, self.conf["max_limit"])
        offset = int_arg(req, "offset", 0, 0)
        chunk, nxt, prev = offset_page(req, rows, offset, limit)
        return self._json(200, {"count": len(rows), "next": nxt, "previous": prev, "results": chunk})

    def _list(self, req, parts):
        is_new = (req.arg("is_new") or "true").lower()
        if is_new not in ("true", "false", "1", "0"):
            raise HttpError(400, {"is_new": ["Must be a valid boolean."]})
        gte = parse_iso(req.arg("datetime_gte"), "datetime_gte") if req.arg("datetime_gte") else None
        rows = []
        for vid in sorted(self.visits):
            v = self._visit(vid)
            if is_new in ("true", "1") and not v["is_new"]:
                continue
            if gte and parse_iso(v["created_at"]) < gte:
                continue
            if req.arg("cid") is not None and v["cid"] != req.arg("cid"):
                continue
            if req.arg("agent") is not None and str(v["agent_id"]) != req.arg("agent"):
                continue
            if req.arg("route") is not None and v["current_agent_route"] != req.arg("route"):
                continue
            rows.append(self._listing_row(v))
        return self._page(req, rows)

    @staticmethod
    def _listing_row(v):
        """A visit as the listing shows it ({id, cid, name, created_at,
        updated_at}, NOTES.md; the name is invented: no document shows one)."""
        return {"id": v["id"], "cid": v["cid"], "name": "Визит %d" % v["id"],
                "created_at": v["created_at"], "updated_at": v["updated_at"]}

    def handle(self, req):
        if not req.path.startswith(API + "/"):
            raise NOT_FOUND(req)
        self.auth.check(req)
        # a list with another method is 404; a visit answers 404/405 itself
        return self.router.dispatch(req, split_path(req.path[len(API):], drop_empty=True),
                                    NOT_FOUND, lambda req, allowed: NOT_FOUND(req))

    def _one_visit(self, req, parts):
        try:
            vid = int(parts[1])
        except ValueError:
            raise NOT_FOUND(req)
        v = self._visit(vid)
        if v is None:
            raise NOT_FOUND(req)
        if len(parts) == 2 and req.method == "GET":
            return self._json(200, v)
        if len(parts) == 3 and parts[2] == "ack" and req.method == "POST":
            with self.lock:
                self.acked.add(vid)
            return self._json(200, {"id": vid, "is_new": False})
        raise HttpError(405, {"detail": 'Method "%s" not allowed.' % req.method})

    @staticmethod
    def _store_rows():
        return [dict(s, address="ул. Ленина, %d" % (s["id"] - 11000), latitude=54.5,
                     longitude=37.0, is_active=True, created_at="2020-01-01T00:00:00Z",
                     updated_at="2025-08-01T00:00:00Z") for s in STORES]

    @staticmethod
    def _sku_rows():
        return [dict(s, manufacturer=s["brand"], barcode=s["cid"], is_active=True,
                     created_at="2020-01-01T00:00:00Z", updated_at="2025-08-01T00:00:00Z")
                for s in SKUS]

    def _stores(self, req, parts):
        return self._page(req, self._store_rows())

    def _skus(self, req, parts):
        return self._page(req, self._sku_rows())


def make(sim):
    return Inspector(sim)
