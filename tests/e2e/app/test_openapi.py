"""The OpenAPI document (GET /api/openapi.json, `faceclock openapi`,
generated from handlers/app/routes.c) against the route table and against
everything the server did during this e2e run. It must run after every
other module (run.py runs it last): it reads what they did.

- the document nginx serves is the one the binary prints, and it has one
  operation per entry of the table (same method, path and name);
- every (route, status, error code) the server answered during the run —
  the request lines of $FC_LOG, "route=NAME status=N ... code=CODE" — is
  declared by that route's entry;
- every JSON body the tests sent ($FC_E2E_BODIES, recorded by fc.py) that
  was answered 2xx validates against its route's request schema
  (jsonschema, draft 2020-12).

A gap is fixed in the table (routes.c), not here.
"""

import collections
import json
import os
import re
import subprocess
import unittest
import urllib.parse

import fc

try:
    import jsonschema
except ImportError:                     # scripts/deps.sh installs python3-jsonschema
    jsonschema = None

ROUTES_C = os.path.join(fc.REPO, "handlers", "app", "routes.c")
ENTRY = re.compile(r'\{\.method = "([A-Z]+)", \.pattern = "([^"]+)", \.name = "([^"]+)"')
# fcgi/worker.c log_request(): the fields after the (quoted) path
REQUEST_LINE = re.compile(r' func=request method=\S+ path=".*" route=(\S+) status=(\d+) '
                          r'dur_ms=\S+ tenant=\S+ grants=0x[0-9a-f]+(?: code=(\S+))? bytes=\d+$')


def fetch_document():
    r = fc.get("/api/openapi.json")
    if r.status != 200 or r.content_type != "application/json":
        raise AssertionError("GET /api/openapi.json: %r" % (r,))
    return r.body, r.json


def operations(doc):
    """{operationId: (METHOD, path, operation)}"""
    ops = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ops[op["operationId"]] = (method.upper(), path, op)
    return ops


def path_regex(template):
    """The router's match (fcgi/router.c route_match): a capture is one
    non-empty segment, the trailing slash is optional."""
    parts = re.split(r"(\{[^}]+\})", template.rstrip("/"))
    rx = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile("^" + rx + "/?$")


class Document(unittest.TestCase):
    def test_served_is_printed(self):
        served, _ = fetch_document()
        fc_bin = fc.ENV.get("FC_BIN")
        if not fc_bin or not os.path.exists(fc_bin):
            self.fail("no FC_BIN in the stack's env (%s)" % fc.ENV["_ENV_FILE"])
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        p = subprocess.run([fc_bin, "openapi"], capture_output=True, timeout=60, env=env, cwd=fc.REPO)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, served + b"\n", "`faceclock openapi` differs from /api/openapi.json")

    def test_every_entry_of_the_table(self):
        _, doc = fetch_document()
        self.assertEqual(doc["openapi"], "3.1.0")
        with open(ROUTES_C, encoding="utf-8") as f:
            src = f.read()
        entries = ENTRY.findall(src)
        self.assertEqual(len(entries), src.count(".pattern ="),
                         "an entry of routes.c not written {.method, .pattern, .name, ...}")
        ops = operations(doc)
        self.assertEqual(len(ops), sum(len(item) for item in doc["paths"].values()),
                         "two operations share an operationId")
        self.assertEqual(sorted((n, m, p) for m, p, n in entries),
                         sorted((n, m, p) for n, (m, p, _) in ops.items()))
        self.assertIn("openapi", ops, "the document does not list itself")
        for name, (_, _, op) in ops.items():
            with self.subTest(route=name):
                self.assertTrue(op["x-handler"].startswith("handlers/"), op["x-handler"])
                self.assertTrue(os.path.exists(os.path.join(fc.REPO, op["x-handler"])), op["x-handler"])
                self.assertTrue(op["x-access"])
                self.assertTrue(op["summary"])

    def test_each_entry_names_the_file_of_its_handler(self):
        """.src is where .handler is defined, so the table alone leads a
        reader to the code."""
        with open(ROUTES_C, encoding="utf-8") as f:
            pairs = re.findall(r'\.handler = (h_\w+), \.src = "([^"]+)"', f.read())
        self.assertEqual(len(pairs), len(operations(fetch_document()[1])))
        for handler, src in pairs:
            with self.subTest(handler=handler):
                with open(os.path.join(fc.REPO, "handlers", src), encoding="utf-8") as f:
                    self.assertRegex(f.read(), r"(?m)^void %s\(struct request \*req\)$" % handler,
                                     "%s is not defined in handlers/%s" % (handler, src))


class Traffic(unittest.TestCase):
    """What the server did during the run, against what the table says."""

    @classmethod
    def setUpClass(cls):
        _, cls.doc = fetch_document()
        cls.ops = operations(cls.doc)

    def test_answers_declared(self):
        log = fc.ENV.get("FC_LOG")
        if not log or not os.path.exists(log):
            self.fail("no FC_LOG in the stack's env (%s)" % fc.ENV["_ENV_FILE"])

        def answers():
            seen = collections.Counter()
            with open(log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = REQUEST_LINE.search(line.rstrip("\n"))
                    if m and m.group(1) != "-":
                        seen[(m.group(1), int(m.group(2)), m.group(3))] += 1
            return seen
        # the worker writes its line just after answering: setUpClass's fetch may still be on its way
        fc.wait_for(lambda: ("openapi", 200, None) in answers(), 5)
        seen = answers()
        self.assertIn(("openapi", 200, None), seen, "no request line of GET /api/openapi.json in %s" % log)
        undeclared = []
        for (route, status, code), n in sorted(seen.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
            if route not in self.ops:
                undeclared.append("%s: no such operation (%d times)" % (route, n))
                continue
            resp = self.ops[route][2]["responses"].get(str(status))
            if resp is None:
                undeclared.append("%s %d %s: status not declared (%d times)" % (route, status, code or "-", n))
            elif code is not None and code not in resp.get("x-error-codes", []):
                undeclared.append("%s %d %s: code not declared (%d times)" % (route, status, code, n))
        self.assertEqual(undeclared, [], "answers the route table does not declare:\n  " + "\n  ".join(undeclared))

    def test_request_bodies_valid(self):
        if jsonschema is None:
            self.fail("python3-jsonschema is missing (scripts/deps.sh installs it)")
        bodies = os.environ.get(fc.BODIES_ENV)
        if not bodies or not os.path.exists(bodies):
            self.skipTest("no recorded request bodies (run through tests/e2e/run.py)")
        routes = []                     # (captures, regex, METHOD, name, schema)
        for name, (method, path, op) in self.ops.items():
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            routes.append((path.count("{"), path_regex(path), method, name, schema))
        routes.sort(key=lambda r: r[0])    # a literal segment before a capture
        validators = {}
        checked, bad = 0, []
        with open(bodies, encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        if not records:
            self.skipTest("no request bodies recorded: run after the other modules")
        for rec in records:
            if not 200 <= rec["status"] < 300:
                continue
            method = "GET" if rec["method"] == "HEAD" else rec["method"]
            path = urllib.parse.unquote(rec["path"])
            route = next((r for r in routes if r[2] == method and r[1].match(path)), None)
            if route is None:
                bad.append("%s %s answered %d: no operation" % (method, path, rec["status"]))
                continue
            if route[4] is None:
                continue            # a body the route does not read
            v = validators.get(route[3])
            if v is None:
                v = validators[route[3]] = jsonschema.Draft202012Validator(route[4])
            checked += 1
            for err in v.iter_errors(rec["body"]):
                at = "/".join(str(p) for p in err.absolute_path) or "(body)"
                bad.append("%s (%s %s, %d): %s: %s" % (route[3], method, path, rec["status"], at,
                                                       err.message[:200]))
        self.assertGreater(checked, 0, "%d bodies recorded, none answered 2xx by a route that takes one"
                           % len(records))
        self.assertEqual(bad, [], "accepted bodies the declared schemas refuse:\n  " + "\n  ".join(bad))
