"""Odd and hostile input never yields a 500 or HTML: over-long and control
characters, out-of-range numbers (values the database's own constraints
would refuse must be caught first as 400 VALIDATION_ERROR naming the
field), integer overflow in paths and queries, long headers, a chunked
request body, a malformed query string, 405 with Allow, and a PMS sync of a
few hundred staff."""

import http.client
import json
import unittest

import fc


def assert_sane(tc, r, allowed):
    """Status in allowed, JSON body, an error shape for 4xx/5xx, never 500."""
    tc.assertNotEqual(r.status, 500, r)
    tc.assertIn(r.status, allowed, r)
    body = fc.assert_json(r, r.status)
    if r.status >= 400:
        fc.assert_error(r, r.status, body.get("code"))
    return body


class Inputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("rob")
        cls.h.create()

    def test_kiosk_names(self):
        h = self.h
        for name in ("k" * 101, "k" * 5000, "a\u0000b", ""):
            with self.subTest(name=name[:12]):
                fc.assert_error(fc.admin("POST", h.path("kiosks/"), json={"name": name}),
                                400, "VALIDATION_ERROR", field="name")
        name = "Caf\u00e9 \u2615 \u6771\u4eac"
        k = fc.assert_json(fc.admin("POST", h.path("kiosks/"), json={"name": name}), 201)
        self.assertEqual(k["name"], name)
        rows = fc.assert_json(fc.admin("GET", h.path("kiosks/?limit=1000")), 200)
        self.assertEqual([r["name"] for r in rows if r["id"] == k["id"]], [name])

    def test_ids_in_paths_and_queries(self):
        h = self.h
        for kid in ("abc", "-1", "0", "99999999999999999999", "1.5", "1e3"):
            with self.subTest(kiosk_id=kid):
                assert_sane(self, fc.admin("DELETE", h.path("kiosks/%s/" % kid)), (400, 404))
        for q in ("limit=99999999999999999999", "department_id=99999999999999999999",
                  "department_id=-1", "department_id=1.5", "is_active=TRUE1"):
            with self.subTest(query=q):
                fc.assert_error(fc.admin("GET", h.path("staff/?" + q)), 400, "VALIDATION_ERROR",
                                field=q.split("=")[0])

    def test_settings_out_of_range(self):
        h = self.h
        path = h.path("attendance/settings/")
        before = fc.assert_json(fc.admin("GET", path), 200)
        for key, value in (("clock_in_early_minutes", 100000), ("clock_in_early_minutes", -5),
                           ("duplicate_scan_seconds", -1), ("duplicate_scan_seconds", 10 ** 9),
                           ("face_data_retention_days", 10 ** 12), ("break_warning_hours", -1.0),
                           ("clock_in_early_minutes", 1.5), ("face_data_retention_days", 2 ** 63),
                           ("face_attendance_departments", [-1]),
                           ("face_attendance_departments", [99999999999999999999])):
            with self.subTest(key=key, value=value):
                fc.assert_error(fc.admin("PATCH", path, json={key: value}), 400, "VALIDATION_ERROR",
                                field=key)
        for body in ('{"face_attendance_min_confidence": NaN}', '{"hard_limit_hours": Infinity}',
                     '{"hard_limit_hours": 1e999}'):
            with self.subTest(body=body):
                r = fc.request("PATCH", path, body=body, api_key=fc.ADMIN_KEY)
                assert_sane(self, r, (400,))
        for body in ({"face_attendance_departments": [h.base + 999]}, {"no_such_setting": 1}):
            with self.subTest(body=body):
                assert_sane(self, fc.admin("PATCH", path, json=body), (200, 400))
        after = fc.assert_json(fc.admin("GET", path), 200)
        self.assertEqual(after["clock_in_early_minutes"], before["clock_in_early_minutes"])
        self.assertEqual(after["duplicate_scan_seconds"], before["duplicate_scan_seconds"])

    def test_sync_rows_the_database_would_refuse(self):
        h = self.h
        cases = [
            ("staff id 0", lambda b: b["staff"][4].__setitem__("id", 0), "staff[4].id"),
            ("staff id negative", lambda b: b["staff"][4].__setitem__("id", -3), "staff[4].id"),
            ("staff id 2^63", lambda b: b["staff"][4].__setitem__("id", 2 ** 63), "staff[4].id"),
            ("staff id 1.5", lambda b: b["staff"][4].__setitem__("id", 1.5), "staff[4].id"),
            ("first_name too long", lambda b: b["staff"][4].__setitem__("first_name", "f" * 101),
             "staff[4].first_name"),
            ("first_name empty", lambda b: b["staff"][4].__setitem__("first_name", ""), "staff[4].first_name"),
            ("employee_code too long", lambda b: b["staff"][4].__setitem__("employee_code", "e" * 65),
             "staff[4].employee_code"),
            ("employee_code repeated", lambda b: b["staff"][4].__setitem__(
                "employee_code", b["staff"][3]["employee_code"]), "staff[4].employee_code"),
            ("username with a space", lambda b: b["staff"][0].__setitem__("username", "john doe"),
             "staff[0].username"),
            ("username too long", lambda b: b["staff"][0].__setitem__("username", "u" * 65), "staff[0].username"),
            ("new login without password", lambda b: b["staff"].append(dict(
                h.staff_row(h.base + 170, h.dept[0], "staff"), username="solo-" + h.slug)), "staff[6]"),
            ("hotel name too long", lambda b: b["hotel"].__setitem__("name", "n" * 201), "hotel.name"),
            ("hotel name empty", lambda b: b["hotel"].__setitem__("name", ""), "hotel.name"),
            ("department name too long", lambda b: b["departments"][0].__setitem__("name", "d" * 201),
             "departments[0].name"),
            ("location too long", lambda b: b["roster"][0].__setitem__("location", "l" * 201), "roster[0].location"),
            ("timezone empty", lambda b: b["hotel"].__setitem__("timezone", ""), "hotel.timezone"),
            ("timezone path", lambda b: b["hotel"].__setitem__("timezone", "../../etc/passwd"), "hotel.timezone"),
            ("timezone NUL", lambda b: b["hotel"].__setitem__("timezone", "UTC\u0000x"), "hotel.timezone"),
            ("year 0", lambda b: b["roster"][0].__setitem__("date", "0000-01-01"), "roster[0].date"),
            ("five-digit year", lambda b: b["roster"][0].__setitem__("date", "99999-01-01"), "roster[0].date"),
            ("staff row not an object", lambda b: b["staff"].__setitem__(0, 5), "staff[0]"),
            ("clock log time zone missing", lambda b: b["clock_logs"][0].__setitem__("time_in", "2025-11-30T08:58:00"),
             "clock_logs[0].time_in"),
        ]
        before = fc.assert_json(fc.admin("GET", h.path("staff/?limit=1000")), 200)
        for label, mutate, field in cases:
            with self.subTest(label):
                b = h.body()
                mutate(b)
                err = fc.assert_error(fc.admin("PUT", h.sync_path, json=b), 400, "VALIDATION_ERROR")
                self.assertTrue(err["field"] == field or err["field"].startswith(field + "."), err)
        self.assertEqual(fc.assert_json(fc.admin("GET", h.path("staff/?limit=1000")), 200), before)

    def test_sync_ambiguous_rows_are_not_500(self):
        h = self.h
        for label, mutate in (
                ("shift of zero length", lambda b: b["roster"][0].__setitem__("end_time", "09:00:00")),
                ("24:00:00", lambda b: b["roster"][0].__setitem__("end_time", "24:00:00")),
                ("staff without department", lambda b: b["staff"][4].__setitem__("department_id", None)),
                ("time with offset", lambda b: b["clock_logs"][0].__setitem__("time_in", "2025-11-30T09:58:00+01:00"))):
            with self.subTest(label):
                b = h.body()
                mutate(b)
                assert_sane(self, fc.admin("PUT", h.sync_path, json=b), (200, 400))
        fc.assert_json(fc.admin("PUT", h.sync_path, json=h.body()), 200)

    def test_new_hotel_without_name(self):
        r = fc.admin("PUT", "/api/staff/hotel/%s/pms-sync/" % fc.unique_slug("noname"), json={})
        assert_sane(self, r, (200, 400))

    def test_long_credentials(self):
        for kw in ({"api_key": "k" * 4000}, {"token": "t" * 4000}, {"cookie": "fc_token=" + "c" * 4000}):
            with self.subTest(kind=list(kw)[0]):
                fc.assert_error(fc.get(self.h.path("staff/"), **kw), 401, "UNAUTHENTICATED")
        r = fc.login("u" * 1000, "p")
        assert_sane(self, r, (400, 401))
        r = fc.login(self.h.users["staff"]["username"], "p" * 100000)
        assert_sane(self, r, (400, 401))

    def test_long_path_and_many_parameters(self):
        assert_sane(self, fc.admin("GET", "/api/" + "x" * 4000), (400, 404, 414))
        q = "&".join("p%d=%d" % (i, i) for i in range(200))
        assert_sane(self, fc.admin("GET", self.h.path("staff/?" + q)), (200, 400))

    def test_malformed_query_string(self):
        r = fc.admin("GET", self.h.path("kiosks/?limit=%ZZ"))
        assert_sane(self, r, (400,))

    def test_nul_in_path_is_a_json_400(self):
        # nginx cannot parse such a URI; its error page must still be JSON
        for path in ("/healthz%00", "/api/x%00y", self.h.path("kiosks%00/")):
            r = fc.get(path)
            fc.assert_error(r, 400, "VALIDATION_ERROR")

    def test_chunked_request_body(self):
        u = self.h.users["manager"]
        body = json.dumps({"username": u["username"], "password": u["password"]}).encode()
        conn = http.client.HTTPConnection(fc.BASE.hostname, fc.BASE.port, timeout=fc.TIMEOUT,
                                          source_address=(fc.LOGIN_SOURCE, 0) if fc.LOGIN_SOURCE else None)
        try:
            conn.request("POST", "/api/auth/login", body=iter([body[:7], body[7:]]), encode_chunked=True,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        self.assertEqual(r.status, 200, data)
        self.assertIn("token", json.loads(data))

    def test_405_names_allowed_methods(self):
        # RFC 9110 15.5.6: a 405 carries Allow
        r = fc.admin("PUT", self.h.path("kiosks/"))
        fc.assert_error(r, 405, "METHOD_NOT_ALLOWED")
        allow = {m.strip() for m in (r.header("Allow") or "").split(",")}
        self.assertLessEqual({"GET", "POST"}, allow, "Allow: %r" % r.header("Allow"))


class BigSync(unittest.TestCase):
    def test_sync_of_500_staff(self):
        h = fc.Hotel("big")
        b = h.body()
        for i in range(500):
            b["staff"].append(h.staff_row(h.base + 300 + i, h.dept[i % 2], "staff"))
        b["roster"] += [{"id": h.base + 600 + i, "staff_id": h.base + 300 + i, "date": "2025-12-01",
                         "start_time": "08:00:00", "end_time": "16:00:00", "department_id": h.dept[i % 2]}
                        for i in range(300)]
        n = len(b["staff"])
        r = fc.admin("PUT", h.sync_path, json=b)
        body = fc.assert_json(r, 200)
        self.assertEqual(body["staff"], {"created": n, "updated": 0, "unchanged": 0})
        self.assertEqual(body["roster"]["created"], 302)
        r = fc.admin("PUT", h.sync_path, json=b)
        body = fc.assert_json(r, 200)
        self.assertEqual(body["staff"], {"created": 0, "updated": 0, "unchanged": n})
        r = fc.admin("GET", h.path("staff/?limit=1000"))
        self.assertEqual(len(fc.assert_json(r, 200)), n)
        self.assertEqual(r.header("X-Total-Count"), str(n))
        r = fc.admin("GET", h.path("staff/"))
        self.assertEqual(len(fc.assert_json(r, 200)), 100)
        self.assertIsNotNone(fc.link_next(r))
