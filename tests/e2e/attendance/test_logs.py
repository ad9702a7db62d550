"""Listings (contract 5.7, 5.8): clock-logs (hotel-local from/to dates,
staff and department filters, newest first, staff seeing only their own,
paging, CSV by ?format=csv and by Accept: text/csv) and face-audit-logs
(every filter, dates and RFC 3339 timestamps, bad values, newest first,
paging, the CSV export with client_ip, user_agent and
Content-Disposition). Test data is imported (PMS clock_logs) or inserted
as the database owner, at known times, in a hotel in America/New_York so
that local days differ from UTC days."""

import csv
import io
import urllib.parse

import fc
from attendance.att import AttCase, AttHotel, staff_name

LOG_ROW = ["id", "staff_id", "staff_name", "department_id", "time_in", "time_out",
           "session_duration_hours", "roster_shift_id", "is_unrostered", "is_approved",
           "verified_by_face", "source", "long_session_ack_mode", "auto_closed"]
AUDIT_ROW = ["id", "hotel", "staff", "staff_name", "action", "performed_by", "performed_by_name",
             "reason", "consent_given", "created_at"]
TRUE, FALSE = {"true", "t", "1"}, {"false", "f", "0"}


def csv_value_matches(json_value, text):
    """A JSON field against its CSV cell."""
    if json_value is None:
        return text == ""
    if isinstance(json_value, bool):
        return text.lower() in (TRUE if json_value else FALSE)
    if isinstance(json_value, float):
        try:
            return abs(float(text) - json_value) < 1e-9
        except ValueError:
            return False
    return text == str(json_value)


def parse_csv(resp):
    """Header and data rows of a CSV answer, after checking that their
    number is the one X-Export-Rows promised."""
    rows = list(csv.reader(io.StringIO(resp.body.decode("utf-8"), newline="")))
    if resp.header("X-Export-Rows") != str(len(rows) - 1):
        raise AssertionError("%d data rows, X-Export-Rows says %r" % (len(rows) - 1, resp.header("X-Export-Rows")))
    return rows[0], rows[1:]


class ClockLogs(AttCase):
    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("logs", timezone="America/New_York").make()
        p = h.people
        cls.ins = {
            # label: (staff, time_in, time_out)  — local = UTC−5 in January
            "L1": (p[0], "2025-01-10T03:00:00Z", "2025-01-10T11:00:00Z"),   # local 01-09 22:00
            "L2": (p[1], "2025-01-10T14:00:00Z", "2025-01-10T18:30:00Z"),   # local 01-10 09:00
            "L3": (p[0], "2025-01-11T04:59:00Z", "2025-01-11T06:00:00Z"),   # local 01-10 23:59
            "L4": (p[2], "2025-01-11T05:00:00Z", "2025-01-11T07:15:00Z"),   # local 01-11 00:00
        }
        h.import_logs(*[(s, ti, to, None) for s, ti, to in cls.ins.values()])
        cls.ids = {}
        rows = fc.psql("SELECT id, staff_id, fc_ts(time_in) FROM clock_logs WHERE hotel_id = %d" % h.hotel_id)
        by = {(int(s), t): int(i) for i, s, t in (line.split("|") for line in rows.splitlines())}
        for label, (s, ti, _) in cls.ins.items():
            cls.ids[label] = by[(s, ti)]
        cls.ids["D"] = by[(h.users["staff"]["staff_id"], "2025-11-30T08:58:00Z")]   # fc.Hotel's own log

    def list(self, query="", **cred):
        cred = cred or {"token": self.h.login("manager")}
        r = fc.get(self.h.att("?" + query if query else ""), **cred)
        return fc.assert_json(r, 200)

    def labels(self, rows):
        back = {v: k for k, v in self.ids.items()}
        return [back.get(r["id"], r["id"]) for r in rows]

    def test_rows(self):
        rows = self.list("limit=1000")
        self.assertEqual(self.labels(rows), ["D", "L4", "L3", "L2", "L1"])
        by = {r["id"]: r for r in rows}
        for label, hours in (("L1", 8.0), ("L2", 4.5), ("L3", 1.02), ("L4", 2.25), ("D", 8.07)):
            row = by[self.ids[label]]
            with self.subTest(label=label):
                self.assertEqual(set(row) & set(LOG_ROW), set(LOG_ROW), row)
                self.assertEqual(row["session_duration_hours"], hours)
                self.assertEqual(row["staff_name"], staff_name(row["staff_id"]))
                self.assertEqual(row["department_id"], self.h.dept_of(row["staff_id"]))
                self.assertIs(row["verified_by_face"], False)
                self.assertEqual(row["source"], "pms")
                self.assertIsNone(row["long_session_ack_mode"])
                self.assertIs(row["is_unrostered"], False)
                if label != "D":
                    self.assertEqual((row["staff_id"], row["time_in"], row["time_out"]), self.ins[label])
        self.assertEqual(by[self.ids["D"]]["roster_shift_id"], self.h.base + 500)

    def test_local_date_filters(self):
        cases = [("from=2025-01-09&to=2025-01-09", ["L1"]),
                 ("from=2025-01-10&to=2025-01-10", ["L3", "L2"]),
                 ("from=2025-01-11&to=2025-01-11", ["L4"]),
                 ("to=2025-01-10", ["L3", "L2", "L1"]),
                 ("from=2025-01-10", ["D", "L4", "L3", "L2"]),
                 ("from=2025-01-12&to=2025-11-29", []),
                 ("from=2025-11-30&to=2025-11-30", ["D"]),
                 ("from=2025-01-11&to=2025-01-09", [])]
        for q, want in cases:
            with self.subTest(q=q):
                self.assertEqual(self.labels(self.list(q)), want)

    def test_staff_and_department_filters(self):
        h = self.h
        p = h.people
        self.assertEqual(self.labels(self.list("staff_id=%d" % p[0])), ["L3", "L1"])
        self.assertEqual(self.labels(self.list("staff_id=%d&from=2025-01-10" % p[0])), ["L3"])
        self.assertEqual(self.labels(self.list("department_id=%d" % h.dept[1])), ["L2"])
        self.assertEqual(self.labels(self.list("department_id=%d" % h.dept[0])), ["D", "L4", "L3", "L1"])
        self.assertEqual(self.labels(self.list("department_id=%d&staff_id=%d" % (h.dept[1], p[0]))), [])
        for q, field in (("from=2025-13-01", "from"), ("to=yesterday", "to"), ("from=2025-02-30", "from"),
                         ("staff_id=abc", "staff_id"), ("department_id=x", "department_id"),
                         ("limit=abc", "limit")):
            with self.subTest(q=q):
                fc.assert_error(fc.get(h.att("?" + q), token=h.login("manager")), 400, "VALIDATION_ERROR",
                                field=field)

    def test_who_reads(self):
        h = self.h
        all_rows = self.labels(self.list("limit=1000"))
        for cred in ({"token": h.login("hr")}, {"token": h.login("admin")}, {"api_key": fc.ADMIN_KEY}):
            self.assertEqual(self.labels(self.list("limit=1000", **cred)), all_rows)
        # staff: only their own, with or without naming themselves
        st = {"token": h.login("staff")}
        own = h.users["staff"]["staff_id"]
        self.assertEqual(self.labels(self.list("", **st)), ["D"])
        self.assertEqual(self.labels(self.list("staff_id=%d" % own, **st)), ["D"])
        self.assertEqual(self.labels(self.list("department_id=%d" % h.dept[0], **st)), ["D"])
        fc.assert_error(fc.get(h.att("?staff_id=%d" % h.people[0]), **st), 403, "FORBIDDEN")
        fc.assert_error(fc.get(h.att("?staff_id=%d&format=csv" % h.people[0]), **st), 403, "FORBIDDEN")
        r = fc.get(h.att("?format=csv"), **st)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(parse_csv(r)[1]), 1)
        fc.assert_error(fc.get(h.att(""), api_key=h.kiosk), 403, "FORBIDDEN")
        fc.assert_error(fc.get(h.att("")), 401, "UNAUTHENTICATED")

    def test_paging(self):
        h = self.h
        r = fc.get(h.att("?limit=2"), token=h.login("manager"))
        self.assertEqual(len(fc.assert_json(r, 200)), 2)
        self.assertEqual(r.header("X-Total-Count"), "5")
        seen = []
        path = h.att("?limit=2")
        while path:
            r = fc.get(path, token=h.login("manager"))
            seen += fc.assert_json(r, 200)
            path = fc.link_next(r)
        self.assertEqual(self.labels(seen), ["D", "L4", "L3", "L2", "L1"])
        # filters survive into the next link
        r = fc.get(h.att("?limit=1&staff_id=%d" % h.people[0]), token=h.login("manager"))
        self.assertEqual(r.header("X-Total-Count"), "2")
        r2 = fc.get(fc.link_next(r), token=h.login("manager"))
        self.assertEqual(self.labels(fc.assert_json(r2, 200)), ["L1"])

    def check_csv(self, r, rows):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/csv")
        header, data = parse_csv(r)
        self.assertEqual(set(header), set(LOG_ROW), header)
        self.assertEqual(len(data), len(rows))
        for row, line in zip(rows, data):
            cells = dict(zip(header, line))
            for k in LOG_ROW:
                self.assertTrue(csv_value_matches(row[k], cells[k]), "%s: JSON %r, CSV %r" % (k, row[k], cells[k]))

    def test_csv(self):
        h = self.h
        mgr = {"token": h.login("manager")}
        rows = self.list("limit=1000")
        self.check_csv(fc.get(h.att("?format=csv"), **mgr), rows)
        self.check_csv(fc.get(h.att(""), headers={"Accept": "text/csv"}, **mgr), rows)
        want = self.list("from=2025-01-10&to=2025-01-10")
        self.check_csv(fc.get(h.att("?from=2025-01-10&to=2025-01-10&format=csv"), token=h.login("hr")), want)
        fc.assert_error(fc.get(h.att("?format=csv"), api_key=h.kiosk), 403, "FORBIDDEN")


def insert_audit(h, rows):
    """rows: (staff_id, action, performed_by, reason, consent, client_ip, user_agent, created_at)."""
    values = []
    for s, action, by, reason, consent, ip, ua, at in rows:
        values.append("(%d, %d, %s, %s, %s, %s, %s, %s, %s)" % (
            h.hotel_id, s, fc.sql_str(action), "NULL" if by is None else by,
            "NULL" if reason is None else fc.sql_str(reason), "true" if consent else "false",
            "NULL" if ip is None else fc.sql_str(ip) + "::inet", fc.sql_str(ua), fc.sql_str(at)))
    out = fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, consent_given, "
                  "client_ip, user_agent, created_at) VALUES %s RETURNING id" % ", ".join(values))
    return [int(x) for x in out.splitlines() if x.strip().isdigit()]    # not the "INSERT 0 n" tag


class AuditLogs(AttCase):
    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("audit", timezone="America/New_York").make()
        p = h.people
        mgr = h.users["manager"]["staff_id"]
        cls.spec = [
            # label: staff, action, performed_by, reason, consent, ip, ua, created_at (local = UTC−5)
            ("A1", p[0], "REGISTERED", p[0], None, True, "10.1.2.3", "Kiosk/1.0", "2025-01-09T15:00:00Z"),
            ("A2", p[0], "RE_REGISTERED", mgr, None, True, "2001:db8::1", 'UA "quoted", comma', "2025-01-10T04:59:59Z"),
            ("A3", p[1], "FORCED_CLOCK_IN", mgr, "Cover, \"urgent\"\nsecond line", True, None, "",
             "2025-01-10T05:00:00Z"),
            ("A4", p[1], "REVOKED", None, "staff departure", False, "192.168.0.9", "cron", "2025-01-11T12:00:00Z"),
            ("A5", p[2], "REGISTERED", mgr, "café ☕", True, "10.0.0.1", "Mozilla/5.0", "2025-01-12T04:00:00Z"),
        ]
        ids = insert_audit(h, [s[1:] for s in cls.spec])
        cls.ids = {s[0]: i for s, i in zip(cls.spec, ids)}
        cls.by_label = {s[0]: s for s in cls.spec}

    def get(self, query="", **cred):
        cred = cred or {"token": self.h.login("manager")}
        return fc.get(self.h.att("face-audit-logs/" + ("?" + query if query else "")), **cred)

    def labels(self, rows):
        back = {v: k for k, v in self.ids.items()}
        return [back.get(r["id"], r["id"]) for r in rows]

    def test_rows(self):
        h = self.h
        r = self.get()
        rows = fc.assert_json(r, 200)
        self.assertEqual(self.labels(rows), ["A5", "A4", "A3", "A2", "A1"])
        self.assertEqual(r.header("X-Total-Count"), "5")
        for row in rows:
            label, s, action, by, reason, consent, ip, ua, at = self.by_label[self.labels([row])[0]]
            with self.subTest(label=label):
                self.assertTrue(set(AUDIT_ROW) <= set(row), row)
                self.assertEqual(row["hotel"], h.slug)
                self.assertEqual(row["staff"], s)
                self.assertEqual(row["staff_name"], staff_name(s))
                self.assertEqual(row["action"], action)
                self.assertEqual(row["performed_by"], by)
                self.assertEqual(row["performed_by_name"], None if by is None else staff_name(by))
                self.assertEqual(row["reason"] or None, reason)
                self.assertIs(row["consent_given"], consent)
                self.assertEqual(row["created_at"], at)

    def test_filters(self):
        h = self.h
        p = h.people
        cases = [
            ("staff_id=%d" % p[0], ["A2", "A1"]),
            ("staff_id=%d" % p[3], []),
            ("action=REGISTERED", ["A5", "A1"]),
            ("action=RE_REGISTERED", ["A2"]),
            ("action=REVOKED", ["A4"]),
            ("action=FORCED_CLOCK_IN", ["A3"]),
            ("action=REGISTERED&staff_id=%d" % p[2], ["A5"]),
            # hotel-local days: A2 is 01-09 23:59:59 local, A3 is 01-10 00:00 local
            ("from=2025-01-09&to=2025-01-09", ["A2", "A1"]),
            ("from=2025-01-10&to=2025-01-10", ["A3"]),
            ("from=2025-01-10", ["A5", "A4", "A3"]),
            ("to=2025-01-11", ["A5", "A4", "A3", "A2", "A1"]),      # A5 is 01-11 23:00 local
            ("to=2025-01-10", ["A3", "A2", "A1"]),
            # RFC 3339 timestamps
            ("from=2025-01-10T04:00:00Z&to=2025-01-10T06:00:00Z", ["A3", "A2"]),
            ("from=2025-01-10T04:59:59.500Z", ["A5", "A4", "A3"]),
            ("to=2025-01-09T16:00:00Z", ["A1"]),
            ("from=2025-01-10T00:00:00-05:00&to=2025-01-10T23:59:59-05:00", ["A3"]),
            ("from=2025-01-11T12:00:01Z", ["A5"]),
        ]
        for q, want in cases:
            with self.subTest(q=q):
                q = "&".join(k + "=" + urllib.parse.quote(v, safe="") for k, v in
                             (kv.split("=", 1) for kv in q.split("&")))
                r = self.get(q)
                self.assertEqual(self.labels(fc.assert_json(r, 200)), want)
                self.assertEqual(r.header("X-Total-Count"), str(len(want)))

    def test_bad_filters(self):
        for q, field in (("action=DELETED", "action"), ("action=registered", "action"), ("action=", "action"),
                         ("from=2025-02-30", "from"), ("from=soon", "from"), ("to=2025-01-10T25:00:00Z", "to"),
                         ("staff_id=x", "staff_id"), ("limit=abc", "limit")):
            with self.subTest(q=q):
                fc.assert_error(self.get(q), 400, "VALIDATION_ERROR", field=field)

    def test_paging(self):
        seen = []
        path = self.h.att("face-audit-logs/?limit=2")
        n = 0
        while path:
            r = fc.get(path, token=self.h.login("hr"))
            page = fc.assert_json(r, 200)
            self.assertLessEqual(len(page), 2)
            self.assertEqual(r.header("X-Total-Count"), "5")
            seen += page
            path = fc.link_next(r)
            n += 1
            self.assertLess(n, 10)
        self.assertEqual(n, 3)
        self.assertEqual(self.labels(seen), ["A5", "A4", "A3", "A2", "A1"])
        # filters carried along
        r = self.get("limit=1&staff_id=%d" % self.h.people[1])
        self.assertEqual(self.labels(fc.assert_json(r, 200)), ["A4"])
        r = fc.get(fc.link_next(r), token=self.h.login("manager"))
        self.assertEqual(self.labels(fc.assert_json(r, 200)), ["A3"])
        self.assertIsNone(fc.link_next(r))

    def test_csv(self):
        h = self.h
        r = self.get("format=csv")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/csv")
        self.assertRegex(r.header("Content-Disposition") or "", r"^attachment\b")
        header, data = parse_csv(r)
        self.assertEqual(set(header), set(AUDIT_ROW) | {"client_ip", "user_agent"}, header)
        self.assertEqual(len(data), 5)
        rows = fc.assert_json(self.get(), 200)
        for row, line in zip(rows, data):
            cells = dict(zip(header, line))
            spec = self.by_label[self.labels([row])[0]]
            for k in AUDIT_ROW:
                self.assertTrue(csv_value_matches(row[k], cells[k]), "%s: JSON %r, CSV %r" % (k, row[k], cells[k]))
            self.assertEqual(cells["client_ip"], spec[6] or "")
            self.assertEqual(cells["user_agent"], spec[7])
        # RFC 4180: records end in CRLF (the line break inside A3's reason is quoted data)
        text = r.body.decode("utf-8")
        self.assertTrue(text.endswith("\r\n"), "CSV records do not end in CRLF")
        self.assertTrue(text.split("\n", 1)[0].endswith("\r"), "the header line does not end in CRLF")
        # filters apply to the export too
        r = self.get("format=csv&action=REGISTERED")
        self.assertEqual([line[header.index("id")] for line in parse_csv(r)[1]],
                         [str(self.ids["A5"]), str(self.ids["A1"])])
        r = self.get("format=csv&from=2025-01-10&to=2025-01-10", token=h.login("hr"))
        self.assertEqual([line[header.index("id")] for line in parse_csv(r)[1]], [str(self.ids["A3"])])

    def test_who_reads(self):
        h = self.h
        for cred in ({"token": h.login("manager")}, {"token": h.login("hr")}, {"token": h.login("admin")},
                     {"api_key": fc.ADMIN_KEY}):
            self.assertEqual(len(fc.assert_json(self.get("", **cred), 200)), 5)
            self.assertEqual(self.get("format=csv", **cred).status, 200)
        for cred in ({"token": h.login("staff")}, {"api_key": h.kiosk}):
            fc.assert_error(self.get("", **cred), 403, "FORBIDDEN")
            fc.assert_error(self.get("format=csv", **cred), 403, "FORBIDDEN")
        fc.assert_error(fc.get(h.att("face-audit-logs/")), 401, "UNAUTHENTICATED")

    def test_real_actions_are_logged_with_address_and_browser(self):
        """Registration through the API fills client_ip and user_agent."""
        h = AttHotel("auditreal").make()
        sid = h.people[0]
        r = fc.post(h.att("register-face/"), json={"descriptor": [0.01] * 128, "consent_given": True, "staff_id": sid},
                    token=h.login("manager"), headers={"User-Agent": "fc-e2e-agent/7"})
        fc.assert_json(r, 201)
        r = fc.get(h.att("face-audit-logs/?format=csv"), token=h.login("hr"))
        header, data = parse_csv(r)
        self.assertEqual(len(data), 1)
        cells = dict(zip(header, data[0]))
        self.assertEqual(cells["user_agent"], "fc-e2e-agent/7")
        self.assertTrue(cells["client_ip"].startswith("127."), cells)
        self.assertEqual(cells["action"], "REGISTERED")
        self.assertEqual(cells["performed_by"], str(h.users["manager"]["staff_id"]))
