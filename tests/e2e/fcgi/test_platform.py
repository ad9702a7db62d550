"""Platform behaviour through nginx: /healthz, /metrics, routing (404/405 as
JSON, optional trailing slash), body size limits (nginx and the app, both
413 JSON) and malformed JSON bodies (400 INVALID_JSON); and the release
binary's hardening (fortified libc calls, stack canaries, PIE, full
RELRO)."""

import os
import re
import shutil
import subprocess
import unittest

import fc
from attendance.att import ATT, person


class Usage(unittest.TestCase):
    """The binary's command line (fcgi/main.c): --help lists every command
    of the runtime and of the application on stdout; no command, or an
    unknown one, prints it on stderr and exits 2."""

    COMMANDS = ("serve", "migrate", "openapi", "import", "purge", "audit-verify", "rekey")

    def test_help(self):
        for arg in ("--help", "-h", "help"):
            with self.subTest(arg=arg):
                p = fc.faceclock([arg], timeout=30)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertTrue(p.stdout.startswith("usage: faceclock <command> [args]"), p.stdout)
                for c in self.COMMANDS:
                    self.assertRegex(p.stdout, r"(?m)^  %s\b" % c)

    def test_no_command_and_unknown_command(self):
        p = fc.faceclock([], timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage: faceclock", p.stderr)
        p = fc.faceclock(["no-such-command"], timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn('unknown command "no-such-command"', p.stderr)
        self.assertIn("usage: faceclock", p.stderr)


class Health(unittest.TestCase):
    def test_healthz_ok(self):
        r = fc.get("/healthz")
        body = fc.assert_json(r, 200)
        self.assertEqual(body, {"status": "ok", "database": "ok"})

    def test_healthz_wrong_method(self):
        fc.assert_error(fc.post("/healthz", json={}), 405, "METHOD_NOT_ALLOWED")


METRIC_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+\d+)?$')


def parse_metrics(text):
    """[(name, {label: value}, float)] of the sample lines; raises on a
    line that is neither a comment nor a sample."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = METRIC_LINE.match(line)
        if not m:
            raise AssertionError("not a Prometheus sample line: %r" % line)
        labels = {}
        if m.group(2):
            for lm in re.finditer(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2)):
                labels[lm.group(1)] = lm.group(2)
        out.append((m.group(1), labels, float(m.group(3))))
    return out


def healthz_count(samples):
    total = 0.0
    for name, labels, v in samples:
        if (name == "faceclock_requests_total" and "healthz" in labels.get("route", "")
                and labels.get("status") == "200"):
            total += v
    return total


class Metrics(unittest.TestCase):
    def fetch(self):
        r = fc.get("/metrics", headers={"Accept": "text/plain"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/plain", r)
        return r.text, parse_metrics(r.text)

    def test_metrics_families(self):
        fc.get("/healthz")
        text, samples = self.fetch()
        names = {s[0] for s in samples}
        for fam in ("faceclock_requests_total", "faceclock_request_duration_seconds_bucket",
                    "faceclock_db_errors_total", "faceclock_workers_alive"):
            self.assertIn(fam, names, "metric %s missing from /metrics" % fam)
        self.assertIn("# TYPE faceclock_requests_total counter", text)
        self.assertRegex(text, r"# TYPE faceclock_request_duration_seconds histogram")
        req = [s for s in samples if s[0] == "faceclock_requests_total"]
        for _, labels, _v in req:
            self.assertIn("route", labels)
            self.assertIn("status", labels)
            self.assertRegex(labels["status"], r"^\d{3}$")
        buckets = [s for s in samples if s[0] == "faceclock_request_duration_seconds_bucket"]
        les = [b[1].get("le") for b in buckets]
        self.assertIn("+Inf", les)
        finite = sorted(float(le) for le in les if le not in (None, "+Inf"))
        self.assertTrue(finite, "histogram has no finite buckets")
        # cumulative: counts never decrease with le (summed over label sets)
        by_le = {}
        for _, labels, v in buckets:
            by_le[labels["le"]] = by_le.get(labels["le"], 0) + v
        prev = -1
        for le in [str_le for str_le in sorted(by_le, key=lambda x: float("inf") if x == "+Inf" else float(x))]:
            self.assertGreaterEqual(by_le[le], prev, "histogram buckets not cumulative")
            prev = by_le[le]
        self.assertIn("faceclock_request_duration_seconds_count", names)
        self.assertIn("faceclock_request_duration_seconds_sum", names)
        alive = [s[2] for s in samples if s[0] == "faceclock_workers_alive"]
        self.assertGreaterEqual(alive[0], 1)

    def test_metrics_count_requests(self):
        _, before = self.fetch()
        for _ in range(3):
            self.assertEqual(fc.get("/healthz").status, 200)
        _, after = self.fetch()
        self.assertGreaterEqual(healthz_count(after) - healthz_count(before), 3,
                                "faceclock_requests_total{route=~healthz,status=200} did not grow by 3")


class Routing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hotel = fc.Hotel("rt")
        cls.hotel.create()

    def test_unknown_api_path(self):
        for path in ("/api/nope", "/api/staff/hotel/%s/nope/" % self.hotel.slug,
                     "/api/auth/login/extra", "/api/staff/hotel/%s/kiosks/1/2/3/" % self.hotel.slug):
            with self.subTest(path=path):
                fc.assert_error(fc.get(path, api_key=fc.ADMIN_KEY), 404, "NOT_FOUND")

    def test_unknown_path_outside_api_is_json(self):
        for path in ("/nope", "/api", "/static/definitely-missing.js"):
            with self.subTest(path=path):
                fc.assert_error(fc.get(path), 404, "NOT_FOUND")

    def test_unknown_api_path_without_credentials(self):
        fc.assert_error(fc.get("/api/does-not-exist"), 404, "NOT_FOUND")

    def test_wrong_method(self):
        h = self.hotel
        cases = [("GET", "/api/auth/login"), ("DELETE", "/api/auth/login"),
                 ("GET", "/api/auth/logout"), ("PUT", h.path("kiosks/")),
                 ("POST", h.path("attendance/settings/")), ("GET", h.path("pms-sync/")),
                 ("POST", h.path("staff/")), ("PATCH", h.path("kiosks/"))]
        for method, path in cases:
            with self.subTest(method=method, path=path):
                fc.assert_error(fc.request(method, path, api_key=fc.ADMIN_KEY, body=b"{}"),
                                405, "METHOD_NOT_ALLOWED")

    def test_trailing_slash_optional(self):
        h = self.hotel
        for rest in ("kiosks/", "staff/", "attendance/settings/"):
            with self.subTest(path=rest):
                a = fc.admin("GET", h.path(rest))
                b = fc.admin("GET", h.path(rest.rstrip("/")))
                self.assertEqual(fc.assert_json(a, 200), fc.assert_json(b, 200))
        r = fc.admin("POST", h.path("kiosks"), json={"name": "no slash"})
        self.assertEqual(fc.assert_json(r, 201)["name"], "no slash")

    def test_trailing_slash_optional_on_attendance_paths(self):
        h = self.hotel
        mgr = {"token": h.login("manager")}
        for rest in ("pending-approval", "currently-clocked-in", "face-audit-logs"):
            with self.subTest(path=rest):
                fc.assert_json(fc.get(h.path(ATT + rest), **mgr), 200)
        fc.assert_json(fc.get(h.path("attendance/clock-logs"), **mgr), 200)
        kiosk = h.new_kiosk("No slash kiosk")["api_key"]
        r = fc.post(h.path(ATT + "face-clock-in"), json={"descriptor": person()}, api_key=kiosk)
        fc.assert_error(r, 404, "FACE_NOT_RECOGNIZED")

    def test_content_type_nosniff(self):
        # nginx security headers on API answers
        r = fc.get("/healthz")
        self.assertEqual((r.header("X-Content-Type-Options") or "").lower(), "nosniff", r.headers)


class Bodies(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hotel = fc.Hotel("body")
        cls.hotel.create()
        cls.kiosks = cls.hotel.path("kiosks/")

    def kiosk_names(self):
        body = fc.assert_json(fc.admin("GET", self.kiosks + "?limit=1000"), 200)
        return {k["name"] for k in body}

    def big(self, size):
        pad = size - len('{"name":""}')
        return ('{"name":"' + "a" * pad + '"}').encode()

    def test_app_rejects_1_5_mib(self):
        body = self.big(1536 * 1024)
        r = fc.request("POST", self.kiosks, body=body, api_key=fc.ADMIN_KEY, chunk_send=True)
        fc.assert_error(r, 413, "PAYLOAD_TOO_LARGE")
        # the worker is still fine and the next request on it is clean
        for _ in range(4):
            fc.assert_json(fc.get("/healthz"), 200)
        self.assertNotIn("a" * 100, "".join(self.kiosk_names()))

    def test_nginx_rejects_3_mib_as_json(self):
        body = self.big(3 * 1024 * 1024)
        r = fc.request("POST", self.kiosks, body=body, api_key=fc.ADMIN_KEY, chunk_send=True)
        fc.assert_error(r, 413, "PAYLOAD_TOO_LARGE")
        fc.assert_json(fc.get("/healthz"), 200)

    def test_just_under_limit_accepted(self):
        # a valid object padded with whitespace to just under 1 MiB
        core = '{"name": "under-limit"'
        body = (core + " " * (1024 * 1024 - 100 - len(core)) + "}").encode()
        r = fc.request("POST", self.kiosks, body=body, api_key=fc.ADMIN_KEY)
        self.assertEqual(fc.assert_json(r, 201)["name"], "under-limit")

    def test_invalid_json(self):
        deep = '{"name":"x","n":' + "[" * 40 + "]" * 40 + "}"
        bad = {
            "truncated": '{"name":',
            "garbage": "not json at all",
            "trailing garbage": '{"name":"x"} trailing',
            "two objects": '{"name":"x"}{"name":"y"}',
            "array": '["name"]',
            "string": '"name"',
            "number": "42",
            "null": "null",
            "deep nesting": deep,
            "very deep nesting": "[" * 5000 + "]" * 5000,
            "single quotes": "{'name':'x'}",
            "bad utf-8": b'{"name":"\xff\xfe"}',
        }
        before = self.kiosk_names()
        for label, body in bad.items():
            with self.subTest(label):
                r = fc.request("POST", self.kiosks, body=body, api_key=fc.ADMIN_KEY)
                if label == "bad utf-8":
                    # either the parser or the validator refuses it
                    body = fc.assert_json(r, 400)
                    self.assertIn(body.get("code"), ("INVALID_JSON", "VALIDATION_ERROR"), r)
                else:
                    fc.assert_error(r, 400, "INVALID_JSON")
        self.assertEqual(self.kiosk_names(), before)

    def test_invalid_json_on_login_and_sync(self):
        fc.assert_error(fc.request("POST", "/api/auth/login", body='{"username":"a",'),
                        400, "INVALID_JSON")
        fc.assert_error(fc.request("POST", "/api/auth/login", body='[1,2]'), 400, "INVALID_JSON")
        fc.assert_error(fc.request("PUT", self.hotel.sync_path, body='{"staff":[} ',
                                   api_key=fc.ADMIN_KEY), 400, "INVALID_JSON")
        fc.assert_error(fc.request("PATCH", self.hotel.path("attendance/settings/"),
                                   body='{"enforce_limits": true} x', api_key=fc.ADMIN_KEY),
                        400, "INVALID_JSON")

    def test_empty_body_where_object_expected(self):
        r = fc.request("POST", self.kiosks, body=b"", api_key=fc.ADMIN_KEY)
        body = fc.assert_json(r, 400)
        self.assertIn(body.get("code"), ("INVALID_JSON", "VALIDATION_ERROR"), r)


class ReleaseHardening(unittest.TestCase):
    """build/release/faceclock as the Makefile links it (make test builds it)."""

    def readelf(self, *args):
        if shutil.which("readelf") is None:
            self.skipTest("no readelf")
        path = os.path.join(fc.REPO, "build", "release", "faceclock")
        if not os.path.exists(path):
            self.fail("no %s: make build builds it" % path)
        return subprocess.run(["readelf", "-W"] + list(args) + [path], capture_output=True,
                              text=True, check=True, timeout=60).stdout

    def test_pie_and_full_relro(self):
        self.assertRegex(self.readelf("-h"), r"Type:\s+DYN ")
        dyn = self.readelf("-d")
        self.assertRegex(dyn, r"\(FLAGS\)\s+BIND_NOW")
        self.assertRegex(dyn, r"\(FLAGS_1\)\s+Flags:.*\bNOW\b.*\bPIE\b")
        self.assertIn("GNU_RELRO", self.readelf("-l"))

    def test_fortify_and_stack_protector(self):
        syms = self.readelf("--dyn-syms")
        self.assertIn("__stack_chk_fail", syms)
        self.assertRegex(syms, r"__(v?s?n?printf|memcpy|strcpy|read|fprintf)_chk")
