"""Clock-log listing and the face audit log (contract 5.7, 5.8), JSON and
CSV, and `faceclock purge`: filters by hotel-local dates (a hotel far from
UTC), timestamps, staff, department and action; newest first; paging; the
staff caller's own logs only; the CSV export (RFC 4180, CRLF, header,
attachment) holding exactly the rows of the JSON listing; text cells that
a spreadsheet would read as a formula neutralised in both exports (names
with commas, quotes and accents unchanged), and read back by a strict
RFC 4180 reader for any text; purge of face data past the
hotel's retention with its REVOKED audit rows."""

import csv
import io
import random
import unittest

import fc

ATT = "attendance/clock-logs/"
LOG_KEYS = {"id", "staff_id", "staff_name", "department_id", "time_in", "time_out",
            "session_duration_hours", "roster_shift_id", "is_unrostered", "is_approved",
            "verified_by_face", "source", "long_session_ack_mode", "auto_closed"}
AUDIT_KEYS = {"id", "hotel", "staff", "staff_name", "action", "performed_by",
              "performed_by_name", "reason", "consent_given", "created_at"}
AUDIT_CSV_HEADER = ["id", "hotel", "staff", "staff_name", "action", "performed_by",
                    "performed_by_name", "reason", "consent_given", "client_ip", "user_agent",
                    "created_at"]


def name(sid):
    return "F%d L%d" % (sid % 1000, sid % 1000)


def parse_csv(resp):
    """Rows of a CSV answer, after checking it is one: type, attachment,
    CRLF line ends, as many data rows as X-Export-Rows says."""
    if resp.status != 200 or resp.content_type != "text/csv":
        raise AssertionError("not a CSV answer: %r" % (resp,))
    disp = resp.header("Content-Disposition") or ""
    if not disp.startswith("attachment;"):
        raise AssertionError("CSV without Content-Disposition: attachment: %r" % disp)
    text = resp.body.decode("utf-8")
    if not text.endswith("\r\n"):
        raise AssertionError("CSV does not end in CRLF: %r" % text[-40:])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if resp.header("X-Export-Rows") != str(len(rows) - 1):
        raise AssertionError("%d data rows, X-Export-Rows says %r" % (len(rows) - 1, resp.header("X-Export-Rows")))
    return rows, text


def all_pages(path, **cred):
    """Every row of a JSON listing, following Link rel="next"."""
    rows, nxt = [], path
    total = None
    while nxt:
        r = fc.get(nxt, **cred)
        page = fc.assert_json(r, 200)
        total = int(r.header("X-Total-Count"))
        rows.extend(page)
        nxt = fc.link_next(r)
    if len(rows) != total:
        raise AssertionError("pages hold %d rows, X-Total-Count says %d" % (len(rows), total))
    return rows


class ClockLogs(unittest.TestCase):
    """A hotel in New York (UTC−5 in winter): hotel-local dates differ from
    UTC dates in the evening."""

    @classmethod
    def setUpClass(cls):
        h = cls.h = fc.Hotel("rvlogs", timezone="America/New_York")
        b = h.base
        cls.staff_user = h.users["staff"]["staff_id"]          # department dept[0]
        cls.other = h.plain_staff_id                            # department dept[1]
        h.clock_logs = [
            # 2025-02-28 23:30 local (2025-03-01 04:30Z), 1.5 h
            {"staff_id": cls.staff_user, "time_in": "2025-03-01T04:30:00Z",
             "time_out": "2025-03-01T06:00:00Z", "roster_shift_id": None},
            # 2025-03-01 09:00 local, 8 h 7 min
            {"staff_id": cls.staff_user, "time_in": "2025-03-01T14:00:00Z",
             "time_out": "2025-03-01T22:07:00Z", "roster_shift_id": None},
            # 2025-03-01 19:00 local (2025-03-02 00:00Z), 20 s: 0.01 h
            {"staff_id": cls.other, "time_in": "2025-03-02T00:00:00Z",
             "time_out": "2025-03-02T00:00:18Z", "roster_shift_id": None},
            # 2025-03-02 00:30 local, still open
            {"staff_id": cls.other, "time_in": "2025-03-02T05:30:00Z",
             "time_out": None, "roster_shift_id": None},
        ]
        h.roster = []
        h.create()
        cls.path = h.path(ATT)
        cls.mgr = {"token": h.login("manager")}
        cls.b = b

    def rows(self, query="", **cred):
        r = fc.get(self.path + query, **(cred or self.mgr))
        return r, fc.assert_json(r, 200)

    def test_rows_newest_first(self):
        r, rows = self.rows()
        self.assertEqual(r.header("X-Total-Count"), "4")
        self.assertEqual([x["time_in"] for x in rows],
                         ["2025-03-02T05:30:00Z", "2025-03-02T00:00:00Z",
                          "2025-03-01T14:00:00Z", "2025-03-01T04:30:00Z"])
        for x in rows:
            self.assertEqual(set(x), LOG_KEYS, x)
            self.assertEqual(x["source"], "pms")
            self.assertIs(x["is_unrostered"], False)
            self.assertIsNone(x["roster_shift_id"])
        self.assertEqual(rows[0]["staff_name"], name(self.other))
        self.assertEqual(rows[0]["department_id"], self.h.dept[1])
        self.assertIsNone(rows[0]["time_out"])
        self.assertGreater(rows[0]["session_duration_hours"], 1000)   # open: hours so far
        self.assertEqual([x["session_duration_hours"] for x in rows[1:]], [0.01, 8.12, 1.5])

    def test_local_dates(self):
        for q, want in (("?from=2025-02-28&to=2025-02-28", ["2025-03-01T04:30:00Z"]),
                        ("?from=2025-03-01&to=2025-03-01", ["2025-03-02T00:00:00Z",
                                                            "2025-03-01T14:00:00Z"]),
                        ("?from=2025-03-02", ["2025-03-02T05:30:00Z"]),
                        ("?to=2025-02-28", ["2025-03-01T04:30:00Z"]),
                        ("?from=2025-03-03", [])):
            with self.subTest(q=q):
                r, rows = self.rows(q)
                self.assertEqual([x["time_in"] for x in rows], want)
                self.assertEqual(r.header("X-Total-Count"), str(len(want)))

    def test_staff_and_department_filters(self):
        _, rows = self.rows("?staff_id=%d" % self.other)
        self.assertEqual({x["staff_id"] for x in rows}, {self.other})
        self.assertEqual(len(rows), 2)
        _, rows = self.rows("?department_id=%d" % self.h.dept[0])
        self.assertEqual({x["staff_id"] for x in rows}, {self.staff_user})
        _, rows = self.rows("?department_id=%d&staff_id=%d" % (self.h.dept[0], self.other))
        self.assertEqual(rows, [])

    def test_bad_filters(self):
        for q, field in (("?from=2025-02-30", "from"), ("?to=tomorrow", "to"),
                         ("?from=2025-03-01T00:00:00Z", "from"), ("?staff_id=x", "staff_id"),
                         ("?department_id=0", "department_id"), ("?limit=0", "limit")):
            with self.subTest(q=q):
                fc.assert_error(fc.get(self.path + q, **self.mgr), 400, "VALIDATION_ERROR", field)

    def test_paging(self):
        r, rows = self.rows("?limit=3")
        self.assertEqual(len(rows), 3)
        nxt = fc.link_next(r)
        self.assertIsNotNone(nxt)
        r2 = fc.get(nxt, **self.mgr)
        self.assertEqual(len(fc.assert_json(r2, 200)), 1)
        self.assertIsNone(fc.link_next(r2))

    def test_callers(self):
        for role in ("manager", "hr", "admin"):
            with self.subTest(role=role):
                self.rows(token=self.h.login(role))
        self.rows(api_key=fc.ADMIN_KEY)

    def test_staff_sees_only_own(self):
        tok = {"token": self.h.login("staff")}
        _, rows = self.rows("", **tok)
        self.assertEqual({x["staff_id"] for x in rows}, {self.staff_user})
        self.assertEqual(len(rows), 2)
        _, rows = self.rows("?staff_id=%d" % self.staff_user, **tok)
        self.assertEqual(len(rows), 2)
        fc.assert_error(fc.get(self.path + "?staff_id=%d" % self.other, **tok), 403, "FORBIDDEN")
        r = fc.get(self.path + "?format=csv", **tok)
        rows, _ = parse_csv(r)
        self.assertEqual({int(x[1]) for x in rows[1:]}, {self.staff_user})

    def test_other_hotel(self):
        other = fc.Hotel("rvlogs-b")
        other.create()
        fc.assert_error(fc.get(self.path, token=other.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.get(self.path + "?format=csv", token=other.login("hr")), 404, "NOT_FOUND")

    def test_csv_matches_json(self):
        _, rows = self.rows()
        for how in ({"query": "?format=csv", "headers": None},
                    {"query": "", "headers": {"Accept": "text/csv"}}):
            with self.subTest(how=how):
                r = fc.get(self.path + how["query"], headers=how["headers"], **self.mgr)
                table, text = parse_csv(r)
                self.assertIn('filename="clock-logs-%s.csv"' % self.h.slug,
                              r.header("Content-Disposition"))
                self.assertTrue(text.endswith("\r\n"))
                self.assertEqual(text.count("\r\n"), len(rows) + 1)
                head = table[0]
                self.assertEqual(set(head), LOG_KEYS)
                self.assertEqual(len(table) - 1, len(rows))
                for line, js in zip(table[1:], rows):
                    got = dict(zip(head, line))
                    for k, v in js.items():
                        if v is None:
                            want = ""
                        elif isinstance(v, bool):
                            want = "true" if v else "false"
                        elif k == "session_duration_hours":
                            want = "%.2f" % v
                        else:
                            want = str(v)
                        if k == "session_duration_hours" and js["time_out"] is None:
                            self.assertAlmostEqual(float(got[k]), v, delta=0.02)
                        else:
                            self.assertEqual(got[k], want, k)
        # filters apply to the export too
        table, _ = parse_csv(fc.get(self.path + "?format=csv&from=2025-03-01&to=2025-03-01", **self.mgr))
        self.assertEqual([x[4] for x in table[1:]], ["2025-03-02T00:00:00Z", "2025-03-01T14:00:00Z"])
        table, _ = parse_csv(fc.get(self.path + "?format=csv&from=2030-01-01", **self.mgr))
        self.assertEqual(len(table), 1)
        fc.assert_error(fc.get(self.path + "?format=csv&from=x", **self.mgr), 400, "VALIDATION_ERROR", "from")


class AuditLog(unittest.TestCase):
    """A hotel in Tokyo (UTC+9): audit rows written straight into the
    database at chosen instants, plus another hotel's rows that must never
    show."""

    @classmethod
    def setUpClass(cls):
        h = cls.h = fc.Hotel("rvaudit", timezone="Asia/Tokyo")
        h.create()
        o = cls.o = fc.Hotel("rvaudit-b")
        o.create()
        cls.path = h.path(ATT + "face-audit-logs/")
        cls.hr = {"token": h.login("hr")}
        cls.s1, cls.s2 = h.users["staff"]["staff_id"], h.plain_staff_id
        cls.mgr_sid = h.users["manager"]["staff_id"]
        hid = fc.psql("SELECT id FROM hotels WHERE slug = %s" % fc.sql_str(h.slug))
        oid = fc.psql("SELECT id FROM hotels WHERE slug = %s" % fc.sql_str(o.slug))
        cls.odd_reason = 'said "no", then left,\nfor good'
        # (staff, action, performed_by, reason, consent, created_at)
        rows = [
            (cls.s1, "REGISTERED", cls.mgr_sid, None, "true", "2025-05-31T14:59:59Z"),   # 05-31 23:59:59 local
            (cls.s1, "RE_REGISTERED", cls.s1, None, "true", "2025-05-31T15:00:00Z"),     # 06-01 00:00 local
            (cls.s2, "FORCED_CLOCK_IN", cls.mgr_sid, "Cover", "true", "2025-06-01T03:00:00Z"),
            (cls.s2, "REVOKED", None, cls.odd_reason, "false", "2025-06-01T14:59:59.5Z"),  # 06-01 23:59:59.5 local
            (cls.s1, "REVOKED", cls.s1, "Consent withdrawn", "true", "2025-06-01T15:00:00Z"),
        ]
        values = ",".join(
            "(%s, %d, %s, %s, %s, %s, '10.9.8.7', 'UA/1.0', %s)"
            % (hid, s, fc.sql_str(a), "NULL" if by is None else by,
               "NULL" if why is None else fc.sql_str(why), c, fc.sql_str(t))
            for s, a, by, why, c, t in rows)
        fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, "
                "consent_given, client_ip, user_agent, created_at) VALUES " + values)
        # many rows at one instant: ties are ordered by id, newest first
        fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, created_at, user_agent) "
                "SELECT %s, %d, 'REGISTERED', '2025-01-01T00:00:00Z', 'bulk' "
                "FROM generate_series(1, 1100)" % (hid, cls.s2))
        fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, created_at) "
                "VALUES (%s, %d, 'REGISTERED', '2025-06-01T03:00:00Z')" % (oid, o.plain_staff_id))
        cls.total = len(rows) + 1100

    def get(self, query="", **cred):
        r = fc.get(self.path + query, **(cred or self.hr))
        return r, fc.assert_json(r, 200)

    def test_rows(self):
        r, rows = self.get("?limit=5")
        self.assertEqual(r.header("X-Total-Count"), str(self.total))
        self.assertEqual([x["created_at"] for x in rows],
                         ["2025-06-01T15:00:00Z", "2025-06-01T14:59:59Z", "2025-06-01T03:00:00Z",
                          "2025-05-31T15:00:00Z", "2025-05-31T14:59:59Z"])
        for x in rows:
            self.assertEqual(set(x), AUDIT_KEYS, x)
            self.assertEqual(x["hotel"], self.h.slug)
        first = rows[0]
        self.assertEqual((first["staff"], first["staff_name"], first["action"], first["performed_by"],
                          first["performed_by_name"], first["reason"], first["consent_given"]),
                         (self.s1, name(self.s1), "REVOKED", self.s1, name(self.s1),
                          "Consent withdrawn", True))
        self.assertIsNone(rows[1]["performed_by"])
        self.assertIsNone(rows[1]["performed_by_name"])
        self.assertEqual(rows[1]["reason"], self.odd_reason)
        self.assertIs(rows[1]["consent_given"], False)
        self.assertEqual(rows[4]["performed_by_name"], name(self.mgr_sid))

    def test_ties_newest_id_first(self):
        rows = all_pages(self.path + "?limit=1000&to=2025-01-01", **self.hr)
        self.assertEqual(len(rows), 1100)
        ids = [x["id"] for x in rows]
        self.assertEqual(ids, sorted(ids, reverse=True))

    def test_filters(self):
        def times(q):
            return [x["created_at"] for x in self.get(q)[1]]
        self.assertEqual(times("?action=REVOKED"), ["2025-06-01T15:00:00Z", "2025-06-01T14:59:59Z"])
        self.assertEqual(times("?action=RE_REGISTERED&staff_id=%d" % self.s1), ["2025-05-31T15:00:00Z"])
        self.assertEqual(times("?action=FORCED_CLOCK_IN"), ["2025-06-01T03:00:00Z"])
        self.assertEqual(self.get("?staff_id=%d" % self.s2)[0].header("X-Total-Count"), "1102")
        self.assertEqual(self.get("?staff_id=%d" % self.o.plain_staff_id)[1], [])
        # a date is the hotel-local day, both ends inclusive
        self.assertEqual(times("?from=2025-06-01&to=2025-06-01"),
                         ["2025-06-01T14:59:59Z", "2025-06-01T03:00:00Z", "2025-05-31T15:00:00Z"])
        self.assertEqual(times("?from=2025-06-02"), ["2025-06-01T15:00:00Z"])
        # a timestamp is that instant, inclusive, any offset
        self.assertEqual(times("?from=2025-06-01T03:00:00Z&to=2025-06-01T15:00:00Z"),
                         ["2025-06-01T15:00:00Z", "2025-06-01T14:59:59Z", "2025-06-01T03:00:00Z"])
        self.assertEqual(times("?from=2025-06-01T12:00:00%2B09:00&to=2025-06-01T23:59:59.4%2B09:00"),
                         ["2025-06-01T03:00:00Z"])
        self.assertEqual(times("?from=2025-06-01T23:59:59.5%2B09:00&to=2025-06-01T23:59:59.5%2B09:00"),
                         ["2025-06-01T14:59:59Z"])

    def test_bad_filters(self):
        for q, field in (("?action=revoked", "action"), ("?action=DELETED", "action"),
                         ("?staff_id=-1", "staff_id"), ("?from=2025-06-31", "from"),
                         ("?to=2025-06-01T25:00:00Z", "to"), ("?to=2025-06-01%2010:00:00", "to"),
                         ("?from=yesterday", "from"), ("?limit=1001", "limit")):
            with self.subTest(q=q):
                fc.assert_error(fc.get(self.path + q, **self.hr), 400, "VALIDATION_ERROR", field)
                if field != "limit":
                    fc.assert_error(fc.get(self.path + q + "&format=csv", **self.hr),
                                    400, "VALIDATION_ERROR", field)

    def test_callers(self):
        for role in ("manager", "hr"):
            with self.subTest(role=role):
                self.get(token=self.h.login(role))
        self.get(api_key=fc.ADMIN_KEY)
        fc.assert_error(fc.get(self.path, token=self.h.login("staff")), 403, "FORBIDDEN")
        fc.assert_error(fc.get(self.path + "?format=csv", token=self.h.login("staff")), 403, "FORBIDDEN")
        fc.assert_error(fc.get(self.path, token=self.o.login("hr")), 404, "NOT_FOUND")

    def test_csv_every_row_as_json(self):
        rows = all_pages(self.path + "?limit=1000", **self.hr)
        self.assertEqual(len(rows), self.total)
        r = fc.get(self.path + "?format=csv&limit=1", **self.hr)     # limit does not page an export
        table, text = parse_csv(r)
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="face-audit-%s.csv"' % self.h.slug)
        self.assertIsNone(r.header("X-Total-Count"))
        self.assertEqual(table[0], AUDIT_CSV_HEADER)
        self.assertTrue(text.startswith(",".join(AUDIT_CSV_HEADER) + "\r\n"))
        self.assertEqual(len(table) - 1, len(rows))
        for line, js in zip(table[1:], rows):
            got = dict(zip(AUDIT_CSV_HEADER, line))
            for k, v in js.items():
                want = "" if v is None else ("true" if v is True else "false" if v is False else str(v))
                self.assertEqual(got[k], want, (k, js))
            self.assertEqual(got["client_ip"], "10.9.8.7" if got["user_agent"] == "UA/1.0" else "")
        self.assertIn('"said ""no"", then left,\nfor good"', text)

    def test_csv_filtered_and_empty(self):
        table, _ = parse_csv(fc.get(self.path + "?format=csv&action=REVOKED", **self.hr))
        self.assertEqual([x[11] for x in table[1:]], ["2025-06-01T15:00:00Z", "2025-06-01T14:59:59Z"])
        table, _ = parse_csv(fc.get(self.path, headers={"Accept": "text/csv"}, **self.hr))
        self.assertEqual(len(table) - 1, self.total)
        r = fc.get(self.path + "?format=csv&from=2031-01-01", **self.hr)
        table, text = parse_csv(r)
        self.assertEqual(table, [AUDIT_CSV_HEADER])


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(v):
    """OWASP's rule for a CSV text cell: a leading ' when it would start a
    formula."""
    return "'" + v if v[:1] in FORMULA_START else v


class FormulaCells(unittest.TestCase):
    """Staff names, audit reasons and user agents starting with = + - @ tab
    and CR: each comes out of the CSV with a leading ', while the JSON
    listing keeps the value; names with commas, quotes and accents come
    out as they are."""

    NAMES = [("=HYPERLINK(\"http://x\",\"y\")", ""), ("+1+2", "Plus"), ("-2+3", "Minus"),
             ("@SUM(A1:A9)", ""), ("Zoë, \"Jo\"", "O'Brien-Ünal")]
    TEXTS = ["=cmd|' /C calc'!A0", "+x", "-1", "@x", "\tx", "\rx", "a=b", "", "café, \"ok\""]

    @classmethod
    def setUpClass(cls):
        h = cls.h = fc.Hotel("rvcsv")
        named = [r for r in h.staff if r["id"] != h.users["hr"]["staff_id"]][:len(cls.NAMES)]
        for row, (first, last) in zip(named, cls.NAMES):
            row["first_name"], row["last_name"] = first, last
        cls.named = [r["id"] for r in named]
        h.clock_logs = [{"staff_id": sid, "time_in": "2025-04-0%dT08:00:00Z" % (i + 1),
                         "time_out": "2025-04-0%dT16:00:00Z" % (i + 1), "roster_shift_id": None}
                        for i, sid in enumerate(cls.named)]
        h.create()
        cls.hr = {"token": h.login("hr")}
        hid = fc.psql("SELECT id FROM hotels WHERE slug = %s" % fc.sql_str(h.slug))
        values = ",".join(
            "(%s, %d, 'REVOKED', %d, %s, true, %s, '2025-05-01T00:00:%02dZ')"
            % (hid, cls.named[i % len(cls.named)], cls.named[(i + 1) % len(cls.named)],
               fc.sql_str(t), fc.sql_str(t), i)
            for i, t in enumerate(cls.TEXTS))
        fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, "
                "consent_given, user_agent, created_at) VALUES " + values)

    def test_audit_export(self):
        path = self.h.path(ATT + "face-audit-logs/")
        rows = all_pages(path + "?limit=1000", **self.hr)
        table, _ = parse_csv(fc.get(path + "?format=csv", **self.hr))
        self.assertEqual(table[0], AUDIT_CSV_HEADER)
        self.assertEqual(len(table) - 1, len(self.TEXTS))
        self.assertEqual(sorted(x["reason"] for x in rows), sorted(self.TEXTS))
        for line, js in zip(table[1:], rows):
            got = dict(zip(AUDIT_CSV_HEADER, line))
            for k in ("staff_name", "performed_by_name", "reason", "hotel", "action"):
                self.assertEqual(got[k], neutral(js[k]), (k, js))
            self.assertEqual(got["user_agent"], neutral(js["reason"]))   # the same text
            self.assertEqual(got["id"], str(js["id"]))
        cells = [c for line in table[1:] for c in line]
        for c in ("'=cmd|' /C calc'!A0", "'+x", "'-1", "'@x", "'\tx", "'\rx", "a=b", "café, \"ok\"",
                  "'=HYPERLINK(\"http://x\",\"y\")", "'+1+2 Plus", "'-2+3 Minus", "'@SUM(A1:A9)",
                  "Zoë, \"Jo\" O'Brien-Ünal"):
            self.assertIn(c, cells)
        self.assertFalse([c for c in cells if c[:1] in FORMULA_START], "a formula cell is left")

    def test_clock_log_export(self):
        path = self.h.path(ATT)
        mgr = {"token": self.h.login("manager")}
        rows = all_pages(path + "?limit=100&from=2025-04-01&to=2025-04-30", **mgr)
        table, _ = parse_csv(fc.get(path + "?format=csv&from=2025-04-01&to=2025-04-30", **mgr))
        head = table[0]
        self.assertEqual(len(table) - 1, len(self.NAMES))
        names = []
        for line, js in zip(table[1:], rows):
            got = dict(zip(head, line))
            self.assertEqual(got["staff_name"], neutral(js["staff_name"]))
            self.assertEqual(got["session_duration_hours"], "8.00")
            names.append(got["staff_name"])
        self.assertEqual(sorted(names), sorted(neutral((f + " " + ln).strip()) for f, ln in self.NAMES))


def rfc4180(text):
    """A strict RFC 4180 reader, the reference for CsvCellProperty: a
    cell is quoted ("" for a quote inside) or holds no quote, comma, CR or
    LF; every record ends in CRLF. Anything else raises."""
    rows, row, i, n = [], [], 0, len(text)
    while i < n:
        if text[i] == '"':
            parts, i = [], i + 1
            while True:
                j = text.find('"', i)
                if j < 0:
                    raise AssertionError("unterminated quoted cell at %d" % i)
                parts.append(text[i:j])
                if text.startswith('""', j):
                    parts.append('"')
                    i = j + 2
                else:
                    i = j + 1
                    break
            row.append("".join(parts))
        else:
            j = i
            while j < n and text[j] not in ',"\r\n':
                j += 1
            if j < n and text[j] == '"':
                raise AssertionError("quote inside an unquoted cell at %d" % j)
            row.append(text[i:j])
            i = j
        if text.startswith(",", i):
            i += 1
        elif text.startswith("\r\n", i):
            rows.append(row)
            row, i = [], i + 2
        else:
            raise AssertionError("malformed CSV at %d: %r" % (i, text[i:i + 20]))
    if row:
        raise AssertionError("last record does not end in CRLF")
    return rows


class CsvCellProperty(unittest.TestCase):
    """The CSV writer (fc_csv_cell, then COPY's quoting, then the export's
    CRLF records) on many random texts made of the characters that matter
    (separators, quotes, CR, LF, tab, formula starts, non-ASCII): every
    text cell read back by a strict RFC 4180 reader is the text, with a
    leading ' exactly when it starts like a formula."""

    ALPHABET = ["a", "Z", "0", " ", ",", '"', "'", "\r", "\n", "\t", "=", "+", "-", "@", ";",
                "\\", "|", "\x0b", "é", "☃", "😀"]
    COUNT = 300

    def test_random_cells_round_trip(self):
        seed = fc._rng.getrandbits(32)
        rng = random.Random(seed)
        texts = ["".join(rng.choice(self.ALPHABET) for _ in range(rng.randrange(0, 24)))
                 for _ in range(self.COUNT)]
        h = fc.Hotel("csvprop")
        h.create()
        sid = h.users["hr"]["staff_id"]
        hid = fc.psql("SELECT id FROM hotels WHERE slug = %s" % fc.sql_str(h.slug))
        # row i was created i seconds after 2025-05-01 00:00 UTC: its created_at names it
        values = ",".join("(%s, %d, 'REVOKED', %d, %s, true, %s, timestamptz '2025-05-01T00:00:00Z'"
                          " + interval '%d seconds')" % (hid, sid, sid, fc.sql_str(t), fc.sql_str(t), i)
                          for i, t in enumerate(texts))
        fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, "
                "consent_given, user_agent, created_at) VALUES " + values)
        r = fc.get(h.path(ATT + "face-audit-logs/?format=csv"), token=h.login("hr"))
        parse_csv(r)        # the export's own checks (type, attachment, X-Export-Rows)
        table = rfc4180(r.body.decode("utf-8"))
        self.assertEqual(table[0], AUDIT_CSV_HEADER)
        self.assertEqual(len(table) - 1, len(texts))
        seen = set()
        for line in table[1:]:
            got = dict(zip(AUDIT_CSV_HEADER, line))
            i = int(got["created_at"][17:19]) + 60 * int(got["created_at"][14:16])
            seen.add(i)
            self.assertEqual(got["reason"], neutral(texts[i]), (seed, i, texts[i]))
            self.assertEqual(got["user_agent"], neutral(texts[i]), (seed, i, texts[i]))
        self.assertEqual(seen, set(range(len(texts))))


class Purge(unittest.TestCase):
    """`faceclock purge`: face data past each hotel's retention goes, with a
    REVOKED audit row each, in one statement, and the hotel's action audit
    row of system:purge in the same transaction."""

    def run_purge(self, *args):
        return fc.faceclock(["purge"] + list(args), timeout=60)

    def register(self, h, sid):
        desc = [((i * 37 + sid) % 101) / 400.0 for i in range(128)]
        fc.assert_json(fc.admin("POST", h.path(ATT + "register-face/"),
                                json={"descriptor": desc, "consent_given": True, "staff_id": sid}), 201)

    def test_purge(self):
        h = fc.Hotel("rvpurge")
        h.create()
        fc.assert_json(fc.admin("PATCH", h.path("attendance/settings/"),
                                json={"face_data_retention_days": 30}), 200)
        d = fc.Hotel("rvpurge-def")              # no settings row: 365 days
        d.create()
        old, young = h.users["staff"]["staff_id"], h.plain_staff_id
        d_old, d_young = d.users["staff"]["staff_id"], d.plain_staff_id
        for hotel, sid in ((h, old), (h, young), (d, d_old), (d, d_young)):
            self.register(hotel, sid)
        for hotel, sid, days in ((h, old, 31), (h, young, 29), (d, d_old, 366), (d, d_young, 364)):
            fc.psql("UPDATE face_data SET registered_at = now() - interval '%d days' "
                    "WHERE staff_id = %d AND hotel_id = (SELECT id FROM hotels WHERE slug = %s)"
                    % (days, sid, fc.sql_str(hotel.slug)))

        p = self.run_purge()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("%s: 1 removed\n" % h.slug, p.stdout)
        self.assertIn("%s: 1 removed\n" % d.slug, p.stdout)
        self.assertRegex(p.stdout, r"(?m)^total: \d+ removed$")

        for hotel, gone, kept in ((h, old, young), (d, d_old, d_young)):
            staff = {x["id"]: x for x in fc.assert_json(fc.admin("GET", hotel.path("staff/")), 200)}
            self.assertIs(staff[gone]["has_registered_face"], False)
            self.assertIs(staff[kept]["has_registered_face"], True)
            audit = fc.assert_json(fc.admin("GET", hotel.path(ATT + "face-audit-logs/?action=REVOKED")), 200)
            self.assertEqual([(x["staff"], x["reason"], x["performed_by"]) for x in audit],
                             [(gone, "retention expired", None)])
            # the run names its actor in the action audit, in the same transaction
            acted = fc.assert_json(fc.admin("GET", hotel.path("action-audit-logs/?action=face_data.purged")), 200)
            self.assertEqual([(x["actor"], x["new_value"]) for x in acted],
                             [("system:purge", {"removed": 1, "reason": "retention expired"})])
        ran = fc.assert_json(fc.admin("GET", "/api/action-audit-logs/?action=purge.ran&limit=1"), 200)
        self.assertEqual(ran[0]["actor"], "system:purge")
        self.assertGreaterEqual(ran[0]["new_value"]["face_data_removed"], 2)

        # nothing more to do: nothing changes
        p = self.run_purge()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(h.slug, p.stdout)
        p = self.run_purge("now")
        self.assertEqual(p.returncode, 2)
