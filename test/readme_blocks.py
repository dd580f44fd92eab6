#!/usr/bin/env python3
"""Extract the ```sql blocks of the documentation as runnable files (test/suites/50-readme.sh).

    readme_blocks.py FILE... OUTDIR

Reads the markdown FILEs in the order given (README.md first: its cookbook
creates the servers the other pages use) and writes OUTDIR/NN.sql, one per
block, numbered across all files, and prints one manifest line per block:
"NN<TAB>file:line<TAB>mode<TAB>note", where mode is

  run    the block must run without ERROR
  error  the block shows an error on purpose: it must end in an ERROR
         (an HTML comment "<!-- error: why -->" right before the block)
  skip   deliberately not run ("<!-- not run: why -->" right before it)
  role:R the block is run by role R, logged in as R ("<!-- as role: R -->"
         right before it): what an ordinary role may do, with its own
         settings (ALTER ROLE ... SET) in force

A block is run as written, except for these rewrites, each of a placeholder
that cannot work against the local simulator:

  * CREATE SERVER <name> ... OPTIONS (vendor 'v', base_url '...' |
    subscription '...'): the address becomes the simulator's base_url for
    vendor v (psql variable :'<v>_url', set by the suite);
  * CREATE USER MAPPING ... SERVER <name> OPTIONS (...): the options become
    the credentials the simulator accepts for that server's vendor (a server
    created by a block of an earlier file counts too);
  * "$1::jsonb" (a webhook body passed by a receiver) becomes the psql
    variable :'aifi_entered' (the simulator's sample "entered" payload);
  * retail_fdw.allowed_hosts = '...' (an internal vendor host) becomes the
    simulator's hosts (psql variable :'sim_hosts');
  * "CREATE EXTENSION pg_cron;" is dropped: pg_cron can only be created in
    the database named by cron.database_name, so the suite's scratch database
    gets a stand-in cron.schedule() that runs the scheduled command once.

The manifest's note lists the rewrites applied (or the reason for skip/error).
"""

import os
import re
import sys

CREDENTIALS = {
    "journey": "token 'journey-secret-token'",
    "aifi": "client_id 'aifi-client', client_secret 'aifi-client-secret'",
    "retailnext": "access_key 'rn-access-key', secret_key 'rn-secret-key'",
    "inspector": "token 'ic-secret-token'",
}
URL_VARS = {"journey": "journey_url", "aifi": "aifi_url",
            "retailnext": "rn_url", "inspector": "ic_url"}

MARK = re.compile(r"^\s*<!--\s*(not run|error|as role)\s*:\s*(.*?)\s*-->\s*$")
ALLOWED = re.compile(r"(retail_fdw\.allowed_hosts\s*(?:=|TO)\s*)'[^']*'", re.I)
SERVER = re.compile(r"CREATE\s+SERVER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+FOREIGN\s+DATA\s+WRAPPER"
                    r"\s+retail_fdw\s+OPTIONS\s*\(([^)]*)\)", re.I | re.S)
MAPPING = re.compile(r"(CREATE\s+USER\s+MAPPING\s+(?:IF\s+NOT\s+EXISTS\s+)?FOR\s+\w+\s+SERVER\s+(\w+)"
                     r"\s+OPTIONS\s*)\(([^)]*)\)", re.I | re.S)
ADDRESS = re.compile(r"\b(base_url|subscription)\s+'[^']*'", re.I)
VENDOR = re.compile(r"\bvendor\s+'(\w+)'", re.I)


def blocks(lines):
    """(first line number, mark, reason, text) of every ```sql block."""
    out = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```sql":
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            m = MARK.match(lines[k]) if k >= 0 else None
            out.append((start, m.group(1) if m else None, m.group(2) if m else "",
                        "".join(lines[start:j])))
            i = j + 1
        else:
            i += 1
    return out


def rewrite(text, vendors):
    notes = []

    def server(m):
        name, opts = m.group(1), m.group(2)
        v = VENDOR.search(opts)
        if not v or v.group(1) not in URL_VARS:
            return m.group(0)
        vendors[name] = v.group(1)
        new = ADDRESS.sub("base_url :'%s'" % URL_VARS[v.group(1)], opts, count=1)
        if new != opts:
            notes.append("server %s -> simulator" % name)
        return m.group(0).replace(opts, new)

    def mapping(m):
        vendor = vendors.get(m.group(2))
        if vendor is None:
            return m.group(0)
        notes.append("mapping %s -> simulator credentials" % m.group(2))
        return "%s(%s)" % (m.group(1), CREDENTIALS[vendor])

    text = SERVER.sub(server, text)
    text = MAPPING.sub(mapping, text)
    if ALLOWED.search(text):
        text = ALLOWED.sub(lambda m: m.group(1) + ":'sim_hosts'", text)
        notes.append("allowed_hosts -> simulator")
    if "$1::jsonb" in text:
        text = text.replace("$1::jsonb", ":'aifi_entered'::jsonb")
        notes.append("$1 -> sample entered payload")
    cron = re.compile(r"^\s*CREATE\s+EXTENSION\s+pg_cron\s*;[^\n]*\n", re.I | re.M)
    if cron.search(text):
        text = cron.sub("-- (CREATE EXTENSION pg_cron: a stand-in cron.schedule in the scratch database)\n",
                        text)
        notes.append("pg_cron -> stand-in")
    return text, notes


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: readme_blocks.py FILE... OUTDIR")
    files, outdir = sys.argv[1:-1], sys.argv[-1]
    os.makedirs(outdir, exist_ok=True)
    vendors = {}
    n = 0
    for name in files:
        with open(name, encoding="utf-8") as f:
            lines = f.readlines()
        for line, mark, reason, text in blocks(lines):
            n += 1
            body, notes = rewrite(text, vendors)
            path = os.path.join(outdir, "%02d.sql" % n)
            with open(path, "w", encoding="utf-8") as f:
                f.write("-- %s line %d\n%s" % (name, line + 1, body))
            mode = {"not run": "skip", "error": "error"}.get(mark, "run")
            if mark == "as role":
                if not re.match(r"^[a-z_][a-z0-9_]*$", reason):
                    sys.exit("%s:%d: as role: not a plain role name: %r" % (name, line, reason))
                mode = "role:" + reason
            note = reason if mark in ("not run", "error") else ", ".join(notes)
            print("%02d\t%s:%d\t%s\t%s" % (n, name, line + 1, mode, note))


if __name__ == "__main__":
    main()
