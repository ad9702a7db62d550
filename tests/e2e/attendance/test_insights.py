"""GET /api/staff/hotel/{slug}/insights/ and the Insights page against a
hand-built hotel: a past week with known shifts, clock logs (on time,
late, missed, unrostered, overtime) and recognition counts, each figure
checked by hand; the default period (the last 7 days) fed by real scans
through recognition_daily; refused periods."""

import unittest

import fc
from attendance.att import AttHotel, person
from pages.browse import page, session

FROM, TO = "2025-11-24", "2025-11-30"


def insights(h, query="", **cred):
    if not cred:
        return fc.assert_json(fc.admin("GET", h.path("insights/" + query)), 200)
    return fc.assert_json(fc.get(h.path("insights/" + query), **cred), 200)


class HandBuilt(unittest.TestCase):
    """UTC; the base hotel's roster and log (Hotel): shift b+500 on
    2025-11-30 09:00-17:00 clocked 08:58-17:02 (on time, 0.07 h over), and
    b+501 at 22:00 never clocked (missed). Added: people[0] on 2025-11-28
    09:00-17:00 clocked 09:10-19:00 (late, 1.83 h over), people[1]
    unrostered 2025-11-27 10:00-13:00 (3 h, under the 10 h threshold)."""

    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("insights", timezone="UTC", extra=4).make()
        p0, p1 = h.people[:2]
        shift = {"id": h.base + 700, "staff_id": p0, "date": "2025-11-28", "start_time": "09:00:00",
                 "end_time": "17:00:00", "location": "Front Desk", "department_id": h.dept_of(p0)}
        h.add_shifts(shift)
        h.import_logs((p0, "2025-11-28T09:10:00Z", "2025-11-28T19:00:00Z", h.base + 700))
        fc.psql("INSERT INTO clock_logs (hotel_id, staff_id, time_in, time_out, is_unrostered, is_approved, "
                "source) VALUES (%d, %d, '2025-11-27T10:00:00Z', '2025-11-27T13:00:00Z', true, true, 'forced')"
                % (h.hotel_id, p1))
        # a log outside the period does not count
        fc.psql("INSERT INTO clock_logs (hotel_id, staff_id, time_in, time_out, is_unrostered, is_approved, "
                "source) VALUES (%d, %d, '2025-12-01T00:00:00Z', '2025-12-01T01:00:00Z', true, true, 'forced')"
                % (h.hotel_id, p1))
        rows = [("2025-11-25", "recognised", 0, 8, 7.6), ("2025-11-25", "recognised", 1, 2, 1.8),
                ("2025-11-26", "not_recognised", 0, 3, 0.6), ("2025-11-26", "low_confidence", 2, 1, 0.82),
                ("2025-11-30", "ambiguous", 0, 1, 0.9), ("2025-11-23", "recognised", 0, 100, 100.0),
                ("2025-12-01", "not_recognised", 0, 50, 0.0)]
        fc.psql("INSERT INTO recognition_daily (hotel_id, day, outcome, shard, attempts, confidence_sum) VALUES "
                + ", ".join("(%d, '%s', '%s', %d, %d, %s)" % ((h.hotel_id,) + r) for r in rows))
        h.register(p0)
        h.register(p1)

    def test_figures(self):
        h = self.h
        body = insights(h, "?from=%s&to=%s" % (FROM, TO))
        self.assertEqual((body["from"], body["to"], body["days"]), (FROM, TO, 7))
        self.assertEqual(body["recognition"], {
            "recognised": 10, "not_recognised": 3, "low_confidence": 1, "ambiguous": 1, "attempts": 15,
            "success_rate": 0.6667, "average_confidence": 0.94})
        # active: 4 role users, the plain one, 4 extra, the one without a department (not the inactive one)
        self.assertEqual(body["registration"], {"active_staff": 10, "registered": 2, "adoption_rate": 0.2})
        self.assertEqual(body["unrostered"], {"clock_ins": 3, "unrostered": 1, "share": 0.3333, "per_day": 0.14})
        self.assertEqual(body["compliance"], {"rostered_shifts": 3, "on_time": 1, "late": 1, "missed": 1,
                                              "rate": 0.3333})
        self.assertEqual(body["overtime"], {
            "hours": 20.9, "overtime_hours": 1.9,
            "departments": [
                {"department_id": h.dept[1], "department": "Housekeeping", "hours": 3.0, "overtime_hours": 0.0},
                {"department_id": h.dept[0], "department": "Reception", "hours": 17.9, "overtime_hours": 1.9}]})

    def test_one_day(self):
        body = insights(self.h, "?from=2025-11-28&to=2025-11-28")
        self.assertEqual(body["days"], 1)
        self.assertEqual(body["compliance"], {"rostered_shifts": 1, "on_time": 0, "late": 1, "missed": 0,
                                              "rate": 0.0})
        self.assertEqual(body["recognition"]["attempts"], 0)
        self.assertIsNone(body["recognition"]["success_rate"])
        self.assertIsNone(body["recognition"]["average_confidence"])
        self.assertEqual(body["unrostered"], {"clock_ins": 1, "unrostered": 0, "share": 0.0, "per_day": 0.0})

    def test_readers(self):
        h = self.h
        for role in ("manager", "hr", "admin"):
            with self.subTest(role=role):
                body = insights(h, "?from=%s&to=%s" % (FROM, TO), token=h.login(role))
                self.assertEqual(body["recognition"]["attempts"], 15)
        fc.assert_error(fc.get(h.path("insights/"), token=h.login("staff")), 403, "FORBIDDEN")

    def test_bad_periods(self):
        h = self.h
        cases = [("?from=2025-11-30&to=2025-11-24", "from"), ("?from=2024-01-01&to=2025-01-02", "to"),
                 ("?from=2999-01-01", "from")]
        for query, field in cases:
            with self.subTest(query=query):
                body = fc.assert_error(fc.admin("GET", h.path("insights/" + query)), 400, "VALIDATION_ERROR")
                self.assertEqual(body.get("field"), field)
        for query in ("?from=2025-02-30", "?to=yesterday", "?from=2025-11-24T00:00:00Z"):
            with self.subTest(query=query):
                fc.assert_error(fc.admin("GET", h.path("insights/" + query)), 400, "VALIDATION_ERROR")
        # 366 days is the most
        self.assertEqual(insights(h, "?from=2024-12-01&to=2025-12-01")["days"], 366)

    def test_page(self):
        h = self.h
        cookie, _ = session(h, "hr")
        r = page("/dashboard/insights?from=%s&to=%s" % (FROM, TO), cookie)
        self.assertEqual(r.status, 200)
        text = r.text
        self.assertIn("<title>Insights — %s — faceclock</title>" % h.name, text)
        for figure in ("Recognition success: 66.7 % (10 of 15)", "Average confidence: 94.0 %",
                       "Registration adoption: 20.0 % (2 of 10)", "Unrostered clock-ins: 33.3 % (1 of 3)",
                       "On-time attendance: 33.3 % (1 of 3)", "Reception: 17.9 hours worked, 1.9 hours overtime"):
            self.assertIn(figure, text)
        self.assertEqual(text.count('role="img"'), 2)
        r = page("/dashboard/insights?from=%s&to=%s" % (TO, FROM), cookie)
        self.assertEqual(r.status, 400)


class Today(unittest.TestCase):
    def test_default_period_counts_real_scans(self):
        h = AttHotel("insightsnow", timezone="Pacific/Kiritimati", extra=2).make()
        face = h.register(h.people[0])
        fc.assert_json(h.scan(face), 200)                          # recognised (unrostered_detected)
        fc.assert_error(h.scan(person()), 404, "FACE_NOT_RECOGNIZED")
        body = insights(h)
        self.assertEqual(body["days"], 7)
        self.assertEqual(body["to"], h.now_local().strftime("%Y-%m-%d"))
        r = body["recognition"]
        self.assertEqual((r["recognised"], r["not_recognised"], r["attempts"]), (1, 1, 2))
        self.assertEqual((r["success_rate"], r["average_confidence"]), (0.5, 1.0))
