#!/usr/bin/env python3
"""Pick the seed corpus of the fuzz targets from a simulator recording.

    rm -rf /tmp/rec && mkdir /tmp/rec
    SIM_RECORD_DIR=/tmp/rec bash test/run-tests.sh   # every 2xx answer saved
    python3 test/fuzz/make-seeds.py /tmp/rec         # -> test/fuzz/corpus/

Answers are grouped by vendor, method and path (ids folded); of each group
the smallest, the median and the largest answer up to 64 kB are kept (the
targets' -max_len).  Write and action answers go to fuzz_object, lists and
nested answers to their vendor's target; fuzz_paths gets some of them
behind the rows_path and references lines its input format wants.  The
documentation's example visit (test/sim/vendors/inspector_doc_visit.json)
is added to fuzz_inspector.  Existing seeds are left alone (regression
seeds for fixed bugs live there too).
"""

import json
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
MAX_LEN = 65536

# (vendor, regexp on the file name) -> target; first match wins
RULES = [
    ("journey", r"^GET_bi-visit-journey-events_", "fuzz_journey"),
    ("aifi", r"^POST_oauth-token_", "fuzz_object"),
    ("aifi", r"^GET_api-admin-v2-", "fuzz_aifi"),
    ("retailnext", r"^(POST_v2-location-create|PUT_|POST_v1-users_|POST_v1-hlsapitoken|"
     r"POST_v1-video-export-start|POST_v1-occupancy-adjust)", "fuzz_object"),
    ("retailnext", r"^(POST_v2-|POST_v1-|GET_v1-(inventory|users|user-profiles|"
     r"location|fpafloorplans|stores))", "fuzz_retailnext"),
    ("inspector", r"^POST_.*-ack_", "fuzz_object"),
    ("inspector", r"^GET_api-data-", "fuzz_inspector"),
]

# fuzz_paths: (rows_path line, references, target whose seed follows, group)
PATHS = [
    ("metrics[].data[].data[]",
     ["@location:group.uuid", "#0:name", "@date:group.from.gregorian", "^$key", "value"],
     "retailnext", "POST_v2-datamine"),
    ("result.*.*", ["$key", "^$key", "#0:$key", "from", "until"],
     "retailnext", "POST_v1-storehours"),
    ("nodes[][]", ["uuid", "^name", "#0:uuid", "@store:name", "=x"],
     "retailnext", "POST_v2-location"),
    ("[].zones[]", ["^id", "^name", "id", "*"], "retailnext", "GET_v1-fpafloorplans"),
    ("!scenes[].question_groups[].questions[]", ["/id", "^^id", "^name", "answer.*"],
     "inspector", "GET_api-data-v1-3-visits-N"),
    ("results", ["count", "next", "session_id", "/count"], "journey",
     "GET_bi-visit-journey-events"),
    ("data", ["pagination.next.after", "id", "*.*"], "aifi", "GET_api-admin-v2-sessions"),
]


def group_of(name):
    name = re.sub(r"_[0-9a-f]{12}\.json$", "", name)
    return re.sub(r"-[0-9a-f]{8}-[0-9a-f-]{27,}|-\d{3,}", "-N", name)


def is_json(path):
    try:
        with open(path, "rb") as f:
            json.loads(f.read().decode("utf-8"))
        return True
    except (ValueError, UnicodeDecodeError):
        return False


def main(rec):
    groups = {}
    for vendor in sorted(os.listdir(rec)):
        for name in sorted(os.listdir(os.path.join(rec, vendor))):
            path = os.path.join(rec, vendor, name)
            if os.path.getsize(path) > MAX_LEN or not is_json(path):
                continue
            for v, rx, target in RULES:
                if v == vendor and re.search(rx, name):
                    groups.setdefault((target, vendor, group_of(name)), []).append(path)
                    break
    picked = {}
    for (target, vendor, group), paths in sorted(groups.items()):
        paths.sort(key=lambda p: (os.path.getsize(p), p))
        keep = {paths[0], paths[len(paths) // 2], paths[-1]}
        picked[(vendor, group)] = sorted(keep, key=os.path.getsize)
        os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
        for p in keep:
            shutil.copy(p, os.path.join(CORPUS, target, "%s-%s" % (vendor, os.path.basename(p))))
    doc = os.path.join(HERE, "..", "sim", "vendors", "inspector_doc_visit.json")
    shutil.copy(doc, os.path.join(CORPUS, "fuzz_inspector", "doc-example-visit.json"))
    os.makedirs(os.path.join(CORPUS, "fuzz_paths"), exist_ok=True)
    for rows, refs, vendor, group in PATHS:
        src = picked.get((vendor, group))
        if not src:
            print("no answer for %s %s" % (vendor, group), file=sys.stderr)
            continue
        with open(src[len(src) // 2], "rb") as f:
            body = f.read()
        name = re.sub(r"[^A-Za-z0-9]+", "-", rows).strip("-") or "body"
        with open(os.path.join(CORPUS, "fuzz_paths", "%s-%s.txt" % (vendor, name)), "wb") as f:
            f.write(("%s\n%s\n" % (rows, "\t".join(refs))).encode() + body)
    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        print("%-16s %3d seeds, %6d bytes" % (target, len(files), sum(
            os.path.getsize(os.path.join(CORPUS, target, f)) for f in files)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rf_record")
