"""Unit tests of the simulator's Inspector Cloud module."""

import json
import os
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import simulator  # noqa: E402

API = "/api/data/v1.3"


class InspectorTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = simulator.Simulator(seed=1)
        cls.url = cls.sim.start()["inspector"]["url"]

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.sim.reset()

    def call(self, path, method="GET", token="ic-secret-token"):
        headers = {"Authorization": "Token " + token} if token else {}
        req = urllib.request.Request(self.url + API + path, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode("utf-8"))

    def test_auth(self):
        self.assertEqual(self.call("/visits/324096/", token=None)[0], 401)
        self.assertEqual(self.call("/visits/324096/", token="nope")[0], 401)

    def test_doc_example(self):
        st, v = self.call("/visits/324096/")
        self.assertEqual(st, 200)
        self.assertEqual(v["current_agent_name"], "Alex")
        self.assertEqual([o["reason"] for o in v["oos_reasons"]],
                         ["Продукт в блоке", "Не пришел продукт", "Ошибка распознавания"])
        self.assertEqual(v["dqi"][0]["name"], "Горизонтальная перспектива")
        q = v["scenes"][2]["question_groups"][0]["questions"][0]
        self.assertEqual(q["answer"], {"66942": "Промо выполняется"})

    def test_404_for_gaps(self):
        self.assertEqual(self.call("/visits/500002/"), (404, {"detail": "Not found."}))

    def test_list_default_is_new_and_paging(self):
        _, new = self.call("/visits/?limit=1000")
        _, all_ = self.call("/visits/?is_new=false&limit=1000")
        self.assertLess(new["count"], all_["count"])
        ids, offset = [], 0
        while True:
            _, page = self.call("/visits/?is_new=false&limit=7&offset=%d" % offset)
            ids += [r["id"] for r in page["results"]]
            if not page["next"]:
                break
            offset += 7
        self.assertEqual(ids, [r["id"] for r in all_["results"]])

    def test_filters(self):
        _, page = self.call("/visits/?is_new=false&datetime_gte=2025-08-20T00:00:00Z&agent=5634")
        self.assertTrue(page["results"])
        for r in page["results"]:
            self.assertGreaterEqual(r["created_at"], "2025-08-20")
            st, v = self.call("/visits/%d/" % r["id"])
            self.assertEqual(v["agent_id"], 5634)

    def test_ack_and_get_does_not_ack(self):
        self.call("/visits/500001/")
        _, before = self.call("/visits/?limit=1000")
        self.assertIn(500001, [r["id"] for r in before["results"]])
        self.assertEqual(self.call("/visits/500001/ack/", method="POST")[0], 200)
        _, after = self.call("/visits/?limit=1000")
        self.assertNotIn(500001, [r["id"] for r in after["results"]])
        self.assertEqual(self.call("/visits/500002/ack/", method="POST")[0], 404)

    def config(self, conf):
        req = urllib.request.Request(self.url + "/_sim/config",
                                     data=json.dumps({"inspector": conf}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()

    def test_limit_is_capped_not_refused(self):
        self.config({"max_limit": 25, "visits": 250})
        st, page = self.call("/visits/?is_new=false&limit=1000")
        self.assertEqual(st, 200)
        self.assertEqual(page["count"], 251)
        self.assertEqual(len(page["results"]), 25)
        self.assertIn("limit=25", page["next"])
        self.assertEqual(len(self.call("/visits/?is_new=false&limit=0")[1]["results"]), 25)
        self.assertEqual(len(self.call("/visits/?is_new=false&limit=x")[1]["results"]), 25)
        ids, url = [], self.url + API + "/visits/?is_new=false&limit=1000"
        while url:
            with urllib.request.urlopen(urllib.request.Request(
                    url, headers={"Authorization": "Token ic-secret-token"}), timeout=10) as r:
                page = json.loads(r.read().decode("utf-8"))
            ids += [row["id"] for row in page["results"]]
            url = page["next"]
        self.assertEqual(len(ids), 251)
        self.sim.reset()
        self.assertEqual(self.call("/visits/?is_new=false&limit=1000")[1]["count"], 61)

    def test_string_ids_and_answers(self):
        self.config({"string_ids": True})
        _, v = self.call("/visits/500001/")
        self.assertEqual(v["agent_id"], "AG-5633")
        self.assertTrue(all(p["sku_id"].startswith("SKU-") for p in v["prices"]))
        self.assertTrue(all(p["scene_id"].startswith("SC-") for p in v["prices"]))
        self.assertEqual(v["kpi_values"][0]["clone_id"], "copy-0")
        q = v["scenes"][0]["question_groups"][0]["questions"]
        self.assertEqual(q[0]["type"], "select_one")
        self.assertIsInstance(q[0]["answer"], dict)
        self.assertEqual(q[1]["type"], "text")
        self.assertEqual(q[1]["answer"], "Всё отлично 👍")
        _, page = self.call("/visits/?is_new=false&agent=AG-5634")
        self.assertTrue(page["results"])

    def test_scene_quality_assortment_facings(self):
        # the document's example: each an empty array in every scene
        _, doc = self.call("/visits/324096/")
        for sc in doc["scenes"]:
            self.assertEqual((sc["image_quality"], sc["assortment"], sc["facing_counts"]),
                             ([], [], []))
        # generated: the fields the document lists, typed as it types them
        _, v = self.call("/visits/500001/")
        sc = v["scenes"][0]
        self.assertEqual(set(sc["image_quality"][0]),
                         {"id", "sharpness", "perspective_angles", "shelfs_count", "facing_count"})
        self.assertTrue(all(isinstance(sc["image_quality"][0][k], int) for k in sc["image_quality"][0]))
        a, f = sc["assortment"][0], sc["facing_counts"][0]
        self.assertEqual(set(a), {"sku_id", "sku_cid", "quantity", "status"})
        self.assertIsInstance(a["sku_id"], str)
        self.assertEqual(set(f), {"sku_id", "sku_cid", "FG"})
        self.assertIsInstance(f["sku_id"], int)
        self.config({"string_ids": True})
        _, v = self.call("/visits/500001/")
        self.assertTrue(v["scenes"][0]["assortment"][0]["sku_id"].startswith("SKU-"))
        self.assertIsInstance(v["scenes"][0]["facing_counts"][0]["sku_id"], int)
        # ground truth: one row per element, the visit's created_at
        truth = self.sim.vendors["inspector"].truth
        rows = truth("ic_visit_facing_counts", {})
        total = sum(len(sc["facing_counts"]) for v in truth("ic_visits", {}) for sc in v["scenes"])
        self.assertEqual(len(rows), total)
        self.assertEqual(rows[0]["fg"], rows[0]["FG"])
        q = truth("ic_visit_image_quality", {})[0]
        self.assertEqual(q["shelves_count"], q["shelfs_count"])
        self.assertEqual(q["image_quality_id"], q["id"])

    def test_option_truth(self):
        truth = self.sim.vendors["inspector"].truth
        rows = truth("ic_visit_answer_options", {})
        doc = [r for r in rows if r["visit_id"] == 324096]
        self.assertEqual([(r["question_id"], r["option_id"]) for r in doc][:2],
                         [(25, 66943), (25, 66944)])
        self.assertIn("Промо выполняется", {r["value"] for r in doc})
        self.assertEqual(len(doc), 7)

    def test_stores_and_skus(self):
        self.assertEqual(self.call("/stores/")[1]["count"], 5)
        self.assertEqual(self.call("/sku/?limit=5")[1]["count"], 20)


if __name__ == "__main__":
    unittest.main()
