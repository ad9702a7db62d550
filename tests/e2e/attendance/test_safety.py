"""Safety flags (contract 5.5, 5.7): each threshold on both sides on
clock-out (5.99 h / 6.00 h, 9.99 / 10.00, 11.99 / 12.00, with and
without enforce_limits, custom thresholds), overtime against the shift's
planned length, currently-clocked-in computed as of now, and
long-session-ack (stay_clocked_in, clocked_out, 409 SESSION_TOO_LONG at the
hard limit, 409 CONFLICT for a closed session, 400, 404, who may call).

Sessions are imported open through PMS sync with time_in = now − T, whole
seconds. h is rounded to 2 decimals, so "6.00" is T = 6 h + 5 s (6.00 up
to 6 h + 18 s) and "5.99" is T = 6 h − 40 s; the scans follow the import
within a few seconds."""

import datetime
import time

import fc
from attendance.att import AttCase, AttHotel, ago

H = 3600
F, T = False, True
CLOCKED_IN = "currently-clocked-in/"
ACK_RESP_FLAGS = ("needs_break_warning", "needs_long_session_warning", "needs_hard_stop_warning",
                  "should_clock_out")
ROW_FIELDS = {"log_id", "staff_id", "staff_name", "department_id", "time_in", "session_duration_hours",
              "needs_break_warning", "needs_long_session_warning", "needs_hard_stop_warning",
              "overtime_threshold_reached", "should_clock_out"}


def just_under(hours):
    return hours * H - 40


def just_over(hours):
    return hours * H + 5


class ClockOutFlags(AttCase):
    """(label, age in seconds, expected h, break, long, hard, overtime)"""
    CASES = [
        ("5.99", just_under(6), 5.99, False, False, False, False),
        ("6.00", just_over(6), 6.00, True, False, False, False),
        ("9.99", just_under(10), 9.99, True, False, False, False),
        ("10.00", just_over(10), 10.00, True, True, False, True),
        ("11.99", just_under(12), 11.99, True, True, False, True),
        ("12.00", just_over(12), 12.00, True, True, True, True),
        ("13.50", 13.5 * H, 13.50, True, True, True, True),
    ]

    def run_cases(self, h, enforce):
        faces = {}
        logs = []
        for i, case in enumerate(self.CASES):
            sid = h.people[i]
            faces[sid] = h.register(sid)
        for i, case in enumerate(self.CASES):
            logs.append((h.people[i], ago(case[1]), None, None))
        h.import_logs(*logs)
        t0 = time.monotonic()
        for i, (label, _, hours, brk, lng, hard, over) in enumerate(self.CASES):
            sid = h.people[i]
            with self.subTest(h=label, enforce=enforce):
                body = self.assert_clock(h.scan(faces[sid]), 200, "CLOCK_OUT", sid, h)
                self.assertEqual(body["session_duration_hours"], hours)
                self.assertIs(body["needs_break_warning"], brk)
                self.assertIs(body["needs_long_session_warning"], lng)
                self.assertIs(body["needs_hard_stop_warning"], hard)
                self.assertIs(body["overtime_threshold_reached"], over)
                self.assertIs(body["should_clock_out"], hard and enforce)
        self.assertLess(time.monotonic() - t0, 10, "scans too slow for the rounding slack")
        self.assertFalse(any(r["open"] for r in h.db_logs()))

    def test_enforced(self):
        h = AttHotel("safe", extra=8).make()
        self.run_cases(h, True)

    def test_not_enforced(self):
        h = AttHotel("safeoff", extra=8).make()
        h.settings(enforce_limits=False)
        self.run_cases(h, False)

    def test_custom_thresholds(self):
        h = AttHotel("safecust", extra=8).make()
        h.settings(break_warning_hours=2.0, overtime_warning_hours=3.5, hard_limit_hours=4.0)
        p = h.people
        faces = {sid: h.register(sid) for sid in p[:6]}
        ages = [just_under(2), just_over(2), just_under(3.5), just_over(3.5), just_under(4), just_over(4)]
        h.import_logs(*[(p[i], ago(a), None, None) for i, a in enumerate(ages)])
        expect = [(1.99, F, F, F), (2.0, T, F, F), (3.49, T, F, F), (3.5, T, T, F), (3.99, T, T, F), (4.0, T, T, T)]
        for i, (hours, brk, lng, hard) in enumerate(expect):
            with self.subTest(h=hours):
                body = self.assert_clock(h.scan(faces[p[i]]), 200, "CLOCK_OUT", p[i], h)
                self.assertEqual(body["session_duration_hours"], hours)
                self.assertEqual((body["needs_break_warning"], body["needs_long_session_warning"],
                                  body["needs_hard_stop_warning"], body["should_clock_out"],
                                  body["overtime_threshold_reached"]), (brk, lng, hard, hard, lng))

    def test_overtime_against_the_shift(self):
        """A rostered session runs into overtime past its shift's planned
        length (8 h here, and a 3 h one), not at overtime_warning_hours."""
        h = AttHotel("safeshift", extra=6).make()
        p = h.people
        faces = {sid: h.register(sid) for sid in p[:4]}
        now = h.now_local().replace(microsecond=0)
        td = datetime.timedelta
        s8 = [h.shift_row(p[i], now - td(hours=9), now - td(hours=1)) for i in range(2)]
        s3 = [h.shift_row(p[i], now - td(hours=4), now - td(hours=1)) for i in (2, 3)]
        h.add_shifts(*(s8 + s3))
        h.import_logs((p[0], ago(7.9 * H), None, s8[0]["id"]), (p[1], ago(8.1 * H), None, s8[1]["id"]),
                      (p[2], ago(2.9 * H), None, s3[0]["id"]), (p[3], ago(3.1 * H), None, s3[1]["id"]))
        cases = ((p[0], s8[0], 7.9, False), (p[1], s8[1], 8.1, True),
                 (p[2], s3[0], 2.9, False), (p[3], s3[1], 3.1, True))
        # currently-clocked-in says the same of the open sessions
        rows = fc.assert_json(fc.get(h.att(CLOCKED_IN), token=h.login("manager")), 200)
        by_staff = {row["staff_id"]: row for row in rows}
        for sid, _, hours, over in cases:
            with self.subTest(h=hours, listed=True):
                self.assertEqual(by_staff[sid]["session_duration_hours"], hours)
                self.assertIs(by_staff[sid]["overtime_threshold_reached"], over)
        for sid, row, hours, over in cases:
            with self.subTest(h=hours):
                body = self.assert_clock(h.scan(faces[sid]), 200, "CLOCK_OUT", sid, h)
                self.assertEqual(body["session_duration_hours"], hours)
                self.assertIs(body["overtime_threshold_reached"], over)
                self.assertIs(body["needs_long_session_warning"], False)
                self.assertIs(body["is_rostered"], True)
                self.assertEqual(body["log"]["roster_shift_id"], row["id"])
                self.assert_shift_info(body["shift_info"], row, h)



class CurrentlyClockedIn(AttCase):
    def test_flags_as_of_now(self):
        h = AttHotel("cci", extra=10).make()
        p = h.people
        ages = [("5.99", just_under(6)), ("6.00", just_over(6)), ("9.99", just_under(10)),
                ("10.00", just_over(10)), ("11.99", just_under(12)), ("12.00", just_over(12)),
                ("0.50", 0.5 * H)]
        expect = {"5.99": (F, F, F), "6.00": (T, F, F), "9.99": (T, F, F), "10.00": (T, T, F),
                  "11.99": (T, T, F), "12.00": (T, T, T), "0.50": (F, F, F)}
        # one closed session that must not appear
        h.import_logs(*[(p[i], ago(a), None, None) for i, (_, a) in enumerate(ages)],
                      (p[8], ago(3 * H), ago(2 * H), None))
        r = fc.get(h.att(CLOCKED_IN + "?limit=1000"), token=h.login("manager"))
        rows = fc.assert_json(r, 200)
        self.assertEqual(r.header("X-Total-Count"), str(len(ages)))
        by_staff = {row["staff_id"]: row for row in rows}
        self.assertEqual(set(by_staff), set(p[:len(ages)]))
        open_ids = {x["staff_id"]: x["id"] for x in h.db_logs() if x["open"]}
        for i, (label, age) in enumerate(ages):
            row = by_staff[p[i]]
            with self.subTest(h=label):
                self.assertTrue(ROW_FIELDS <= set(row), row)
                self.assertEqual(row["log_id"], open_ids[p[i]])
                self.assertEqual(row["staff_name"], "F%d L%d" % (p[i] % 1000, p[i] % 1000))
                self.assertEqual(row["department_id"], h.dept_of(p[i]))
                self.assertAlmostEqual(fc.parse_ts(row["time_in"]), time.time() - age, delta=5)
                self.assertEqual(row["session_duration_hours"], float(label))
                brk, lng, hard = expect[label]
                # no shift: overtime is the overtime warning, as on clock-out
                self.assertEqual((row["needs_break_warning"], row["needs_long_session_warning"],
                                  row["needs_hard_stop_warning"], row["should_clock_out"],
                                  row["overtime_threshold_reached"]),
                                 (brk, lng, hard, hard, lng))
        # enforce_limits off: should_clock_out never
        h.settings(enforce_limits=False)
        rows = fc.assert_json(fc.get(h.att(CLOCKED_IN + "?limit=1000"), token=h.login("admin")), 200)
        row = [x for x in rows if x["staff_id"] == p[5]][0]
        self.assertIs(row["needs_hard_stop_warning"], True)
        self.assertIs(row["should_clock_out"], False)
        # paging
        r = fc.get(h.att(CLOCKED_IN + "?limit=3"), api_key=fc.ADMIN_KEY)
        self.assertEqual(len(fc.assert_json(r, 200)), 3)
        self.assertIsNotNone(fc.link_next(r))
        seen = []
        path = h.att(CLOCKED_IN + "?limit=3")
        while path:
            r = fc.get(path, api_key=fc.ADMIN_KEY)
            seen += [x["log_id"] for x in fc.assert_json(r, 200)]
            path = fc.link_next(r)
        self.assertEqual(sorted(seen), sorted(open_ids.values()))

    def test_follows_clock_in_and_out(self):
        h = AttHotel("cci2").make()
        sid = h.people[0]
        desc = h.register(sid)
        h.shift_now(sid)
        h.settings(duplicate_scan_seconds=0)
        mgr = {"token": h.login("manager")}
        self.assertEqual(fc.assert_json(fc.get(h.att(CLOCKED_IN), **mgr), 200), [])
        log = fc.assert_json(h.scan(desc), 201)["log"]
        rows = fc.assert_json(fc.get(h.att(CLOCKED_IN), **mgr), 200)
        self.assertEqual([(r["log_id"], r["staff_id"], r["session_duration_hours"]) for r in rows],
                         [(log["id"], sid, 0)])
        fc.assert_json(h.scan(desc), 200)
        self.assertEqual(fc.assert_json(fc.get(h.att(CLOCKED_IN), **mgr), 200), [])

    def test_callers(self):
        h = AttHotel("cci3").make()
        for cred in ({"token": h.login("hr")}, {"token": h.login("staff")}, {"api_key": h.kiosk}):
            fc.assert_error(fc.get(h.att(CLOCKED_IN), **cred), 403, "FORBIDDEN")
        fc.assert_error(fc.get(h.att(CLOCKED_IN)), 401, "UNAUTHENTICATED")


class LongSessionAck(AttCase):
    def ack(self, h, log_id, mode, **cred):
        cred = cred or {"api_key": h.kiosk}
        body = {} if mode is Ellipsis else {"mode": mode}
        return fc.post(h.att("%d/long-session-ack/" % log_id), json=body, **cred)

    def assert_ack(self, r, log_id, mode, open_after):
        body = fc.assert_json(r, 200)
        self.assertEqual(body["mode"], mode)
        self.assertEqual(body["log"]["id"], log_id)
        self.assertEqual(body["log"]["long_session_ack_mode"], mode)
        for k in ACK_RESP_FLAGS:
            self.assertIsInstance(body[k], bool, k)
        if open_after:
            self.assertIsNone(body["log"]["time_out"])
        else:
            fc.parse_ts(body["log"]["time_out"])
        return body

    def test_modes(self):
        h = AttHotel("ack", extra=8).make()
        p = h.people
        h.import_logs((p[0], ago(just_over(12)), None, None), (p[1], ago(just_under(12)), None, None),
                      (p[2], ago(12.5 * H), None, None), (p[3], ago(2 * H), ago(H), None),
                      (p[4], ago(11 * H), None, None))
        ids = {x["staff_id"]: x["id"] for x in h.db_logs()}
        # past the hard limit with enforce_limits: staying is refused, nothing recorded
        before = h.state()
        for lid in (ids[p[0]], ids[p[2]]):
            fc.assert_error(self.ack(h, lid, "stay_clocked_in"), 409, "SESSION_TOO_LONG")
            fc.assert_error(self.ack(h, lid, "stay_clocked_in", token=h.login("manager")), 409, "SESSION_TOO_LONG")
        self.assertEqual(h.state(), before)
        # just under it: staying is recorded, the session stays open
        body = self.assert_ack(self.ack(h, ids[p[1]], "stay_clocked_in"), ids[p[1]], "stay_clocked_in", True)
        self.assertIs(body["needs_long_session_warning"], True)
        self.assertIs(body["needs_hard_stop_warning"], False)
        row = [x for x in h.db_logs(p[1])][0]
        self.assertEqual((row["open"], row["long_session_ack_mode"]), (True, "stay_clocked_in"))
        # clocked_out closes it
        body = self.assert_ack(self.ack(h, ids[p[0]], "clocked_out"), ids[p[0]], "clocked_out", False)
        self.assertIs(body["needs_hard_stop_warning"], True)
        row = h.db_logs(p[0])[0]
        self.assertEqual((row["open"], row["long_session_ack_mode"]), (False, "clocked_out"))
        # a manager may do it too
        self.assert_ack(self.ack(h, ids[p[4]], "clocked_out", token=h.login("manager")), ids[p[4]],
                        "clocked_out", False)
        # closed sessions: 409 CONFLICT
        before = h.state()
        for lid in (ids[p[0]], ids[p[3]]):
            for mode in ("stay_clocked_in", "clocked_out"):
                with self.subTest(log=lid, mode=mode):
                    fc.assert_error(self.ack(h, lid, mode), 409, "CONFLICT")
        # bad modes
        for mode in ("sleep", "", None, 1, Ellipsis, ["clocked_out"]):
            with self.subTest(mode=mode):
                fc.assert_error(self.ack(h, ids[p[2]], mode), 400, "VALIDATION_ERROR", field="mode")
        # unknown, another hotel's
        other = AttHotel("ackb").make()
        other.import_logs((other.people[0], ago(H), None, None))
        olog = other.db_logs()[-1]["id"]
        for lid in (999999999, olog):
            fc.assert_error(self.ack(h, lid, "clocked_out"), 404, "NOT_FOUND")
            fc.assert_error(self.ack(h, lid, "clocked_out", token=h.login("manager")), 404, "NOT_FOUND")
        # who may call
        for cred in ({"token": h.login("staff")}, {"token": h.login("hr")}):
            fc.assert_error(self.ack(h, ids[p[2]], "clocked_out", **cred), 403, "FORBIDDEN")
        self.assertEqual(h.state(), before)
        self.assertTrue(other.db_logs()[-1]["open"])
        # the sysadmin and the admin may
        self.assert_ack(self.ack(h, ids[p[2]], "clocked_out", api_key=fc.ADMIN_KEY), ids[p[2]], "clocked_out", False)

    def test_not_enforced_allows_staying(self):
        h = AttHotel("ackoff").make()
        h.settings(enforce_limits=False)
        sid = h.people[0]
        h.import_logs((sid, ago(13 * H), None, None))
        lid = h.open_log_id(sid)
        body = self.assert_ack(self.ack(h, lid, "stay_clocked_in", token=h.login("admin")), lid,
                               "stay_clocked_in", True)
        self.assertIs(body["needs_hard_stop_warning"], True)
        self.assertIs(body["should_clock_out"], False)
        # after staying, the next scan still clocks out normally
        desc = h.register(sid)
        body = self.assert_clock(h.scan(desc), 200, "CLOCK_OUT", sid, h)
        self.assertEqual(body["log"]["long_session_ack_mode"], "stay_clocked_in")
