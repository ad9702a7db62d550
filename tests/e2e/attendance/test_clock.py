"""face-clock-in (contract 5.2, 5.5): matching (distance radius,
min_confidence on both sides, ambiguity), check order (descriptor → hotel
→ match → department), rostered clock-in with shift_info, the early window
and the shift end (both inclusive, hotel-local), overnight shifts in
Europe/Dublin, the duplicate-scan window, clock-out, who may scan, and
refused scans writing nothing."""

import datetime
import time
import zoneinfo

import fc
from attendance.att import (AttCase, AttHotel, ago, along, confidence, near, person,
                                    staff_name)

SCAN = "face-clock-in/"


class Matching(AttCase):
    """One hotel, min_confidence at its default 0.85 (accepts d ≤ 0.45)."""

    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("match", extra=8).make()
        cls.faces = {sid: h.register(sid) for sid in h.people[:4]}

    def test_distance_thresholds(self):
        h = self.h
        sid = h.people[0]
        base = self.faces[sid]
        before = h.state()
        # 0.61: outside the match radius
        fc.assert_error(h.scan(near(base, 0.61)), 404, "FACE_NOT_RECOGNIZED")
        # 0.59 and 0.46: a match, but confidence 0.803 / 0.847 < 0.85
        fc.assert_error(h.scan(near(base, 0.59)), 403, "FACE_CONFIDENCE_TOO_LOW")
        fc.assert_error(h.scan(near(base, 0.46)), 403, "FACE_CONFIDENCE_TOO_LOW")
        fc.assert_error(h.scan(person()), 404, "FACE_NOT_RECOGNIZED")
        self.assertEqual(h.state(), before)
        # 0.44: confidence 0.853, accepted (no shift: unrostered_detected, nothing written)
        body = fc.assert_json(h.scan(near(base, 0.44)), 200)
        self.assertEqual(body["action"], "unrostered_detected")
        self.assertEqual(body["staff"]["id"], sid)
        self.assertAlmostEqual(body["confidence"], round(confidence(0.44), 3), delta=0.0011)
        self.assertEqual(h.state(), before)
        # exact and tiny distance
        body = fc.assert_json(h.scan(base), 200)
        self.assertEqual(body["confidence"], 1.0)

    def test_nearest_wins(self):
        h = self.h
        for sid, base in self.faces.items():
            body = fc.assert_json(h.scan(near(base, 0.25)), 200)
            self.assertEqual(body["staff"]["id"], sid)

    def test_min_confidence_setting(self):
        h = AttHotel("matchmin").make()
        sid = h.people[0]
        base = h.register(sid)
        h.settings(face_attendance_min_confidence=0.9)      # accepts d <= 0.3
        fc.assert_json(h.scan(near(base, 0.28)), 200)
        fc.assert_error(h.scan(near(base, 0.32)), 403, "FACE_CONFIDENCE_TOO_LOW")
        h.settings(face_attendance_min_confidence=0.0)      # only the radius counts
        body = fc.assert_json(h.scan(near(base, 0.59)), 200)
        self.assertAlmostEqual(body["confidence"], round(confidence(0.59), 3), delta=0.0011)
        fc.assert_error(h.scan(near(base, 0.61)), 404, "FACE_NOT_RECOGNIZED")
        h.settings(face_attendance_min_confidence=1.0)      # only an exact match
        fc.assert_error(h.scan(near(base, 0.01)), 403, "FACE_CONFIDENCE_TOO_LOW")

    def test_ambiguous_match(self):
        """Scan s; A at 0.20 and B at 0.24 (orthogonal offsets): B is within
        0.05 of the nearest → refused. B at 0.26: A wins."""
        h = AttHotel("matchamb", extra=4).make()
        a, b, c, d = h.people[:4]
        s = person()
        h.register(a, along(s, 0, 0.20))
        h.register(b, along(s, 1, 0.24))
        before = h.state()
        fc.assert_error(h.scan(s), 403, "FACE_CONFIDENCE_TOO_LOW")
        self.assertEqual(h.state(), before)
        # B moves to 0.26: no longer ambiguous, A is recognised
        h.register(b, along(s, 1, 0.26))
        body = fc.assert_json(h.scan(s), 200)
        self.assertEqual(body["staff"]["id"], a)
        # a third person just within 0.6 and 0.05 of the nearest: ambiguous again
        s2 = person()
        h.register(c, along(s2, 0, 0.52))
        h.register(d, along(s2, 1, 0.56))
        h.settings(face_attendance_min_confidence=0.5)
        fc.assert_error(h.scan(s2), 403, "FACE_CONFIDENCE_TOO_LOW")
        # d out past the radius (0.61): c alone counts
        h.register(d, along(s2, 1, 0.61))
        self.assertEqual(fc.assert_json(h.scan(s2), 200)["staff"]["id"], c)

    def test_other_hotel_faces_not_matched(self):
        other = AttHotel("matchother").make()
        base = self.faces[self.h.people[0]]
        fc.assert_error(other.scan(base), 404, "FACE_NOT_RECOGNIZED")

    def test_bad_descriptor(self):
        h = self.h
        before = h.state()
        for desc in ([0.1] * 127, [0.1] * 129, ["0.1"] * 128, [[0.1]] * 128, None, "x", {}):
            with self.subTest(desc=str(desc)[:30]):
                fc.assert_error(h.scan(desc), 400, "INVALID_FACE_DATA")
        fc.assert_error(fc.post(h.att(SCAN), json={}, api_key=h.kiosk), 400, "INVALID_FACE_DATA")
        raw = '{"descriptor": [%s]}' % ",".join(["0.1"] * 127 + ["1e999"])
        fc.assert_error(fc.post(h.att(SCAN), body=raw, api_key=h.kiosk), 400, "INVALID_FACE_DATA")
        self.assertEqual(h.state(), before)


class CheckOrder(AttCase):
    def test_order(self):
        h = AttHotel("order").make()
        sid = h.people[1]                       # dept[1]
        base = h.register(sid)
        h.shift_now(sid)
        h.settings(face_attendance_enabled=False, face_attendance_departments=[h.dept[0]])
        before = h.state()
        fc.assert_error(h.scan([0.0] * 12), 400, "INVALID_FACE_DATA")
        fc.assert_error(h.scan(near(base, 0.1)), 403, "FACE_DISABLED_FOR_HOTEL")
        fc.assert_error(h.scan(person()), 403, "FACE_DISABLED_FOR_HOTEL")     # before matching
        h.settings(face_attendance_enabled=True)
        fc.assert_error(h.scan(person()), 404, "FACE_NOT_RECOGNIZED")          # match before department
        fc.assert_error(h.scan(near(base, 0.5)), 403, "FACE_CONFIDENCE_TOO_LOW")
        fc.assert_error(h.scan(near(base, 0.1)), 403, "FACE_DISABLED_FOR_DEPARTMENT")
        self.assertEqual(h.state(), before)
        h.settings(face_attendance_departments=[h.dept[0], h.dept[1]])
        self.assert_clock(h.scan(near(base, 0.1)), 201, "CLOCK_IN", sid, h, d=0.1)

    def test_department_less_staff_refused_when_list_set(self):
        h = AttHotel("orderdept").make()
        base = h.register(h.no_dept)
        self.assertEqual(fc.assert_json(h.scan(base), 200)["action"], "unrostered_detected")
        h.settings(face_attendance_departments=[h.dept[0]])
        fc.assert_error(h.scan(base), 403, "FACE_DISABLED_FOR_DEPARTMENT")


class ClockInOut(AttCase):
    def test_rostered_clock_in_then_out(self):
        h = AttHotel("clk").make()
        sid = h.people[0]
        base = h.register(sid)
        row = h.shift_now(sid, location="Front Desk")
        t0 = time.time()
        body = self.assert_clock(h.scan(near(base, 0.2)), 201, "CLOCK_IN", sid, h, d=0.2)
        self.assertIs(body["is_rostered"], True)
        self.assert_shift_info(body["shift_info"], row, h)
        log = body["log"]
        self.assertEqual(log["roster_shift_id"], row["id"])
        self.assertIs(log["verified_by_face"], True)
        self.assertIs(log["is_unrostered"], False)
        self.assertIsNone(log["long_session_ack_mode"])
        self.assertEqual(log["source"], "face")
        self.assertLessEqual(abs(fc.parse_ts(log["time_in"]) - t0), 5)
        self.assertEqual([(r["id"], r["open"]) for r in h.db_logs(sid)], [(log["id"], True)])
        # the next scan within duplicate_scan_seconds (60): 409, nothing changes
        before = h.state()
        fc.assert_error(h.scan(near(base, 0.2)), 409, "ALREADY_CLOCKED_IN")
        self.assertEqual(h.state(), before)
        # window 0: clock-out
        h.settings(duplicate_scan_seconds=0)
        body = self.assert_clock(h.scan(near(base, 0.15)), 200, "CLOCK_OUT", sid, h, d=0.15)
        self.assertEqual(body["log"]["id"], log["id"])
        self.assertIs(body["is_rostered"], True)
        self.assert_shift_info(body["shift_info"], row, h)
        self.assertEqual(body["session_duration_hours"], 0)
        for k in ("needs_break_warning", "needs_long_session_warning", "needs_hard_stop_warning",
                  "overtime_threshold_reached", "should_clock_out"):
            self.assertIs(body[k], False, k)
        self.assertGreaterEqual(fc.parse_ts(body["log"]["time_out"]), fc.parse_ts(log["time_in"]))
        self.assertEqual([(r["id"], r["open"]) for r in h.db_logs(sid)], [(log["id"], False)])
        # and in again: a second session on the same shift
        body = self.assert_clock(h.scan(base), 201, "CLOCK_IN", sid, h, d=0)
        self.assertNotEqual(body["log"]["id"], log["id"])
        self.assertEqual(len(h.db_logs(sid)), 2)

    def test_duplicate_window_passes(self):
        h = AttHotel("clkdup").make()
        sid = h.people[0]
        base = h.register(sid)
        h.shift_now(sid)
        h.settings(duplicate_scan_seconds=3)
        self.assert_clock(h.scan(base), 201, "CLOCK_IN", sid, h)
        fc.assert_error(h.scan(base), 409, "ALREADY_CLOCKED_IN")
        time.sleep(3.5)
        self.assert_clock(h.scan(base), 200, "CLOCK_OUT", sid, h)

    def test_duplicate_window_for_imported_session(self):
        """An open session that began 30 s ago (imported) is within the
        default 60 s window."""
        h = AttHotel("clkdup2").make()
        sid = h.people[0]
        base = h.register(sid)
        h.import_logs((sid, ago(30), None, None))
        fc.assert_error(h.scan(base), 409, "ALREADY_CLOCKED_IN")
        h.settings(duplicate_scan_seconds=20)
        self.assert_clock(h.scan(base), 200, "CLOCK_OUT", sid, h)

    def test_force_log_flag_on_a_rostered_person_is_a_plain_clock_in(self):
        h = AttHotel("clkforce").make()
        sid = h.people[0]
        base = h.register(sid)
        row = h.shift_now(sid)
        body = self.assert_clock(h.scan(base, force_log=True, force_reason="not needed"), 201, "CLOCK_IN", sid, h)
        self.assertIs(body["is_rostered"], True)
        self.assertEqual(body["shift_info"]["id"], row["id"])
        self.assertEqual([a["action"] for a in h.audit(sid, action="FORCED_CLOCK_IN")], [])

    def test_early_window_and_end(self):
        """clock_in_early_minutes 120: a shift starting in 118 min is open
        now, one starting in 122 min is not; a shift that ended 2 min ago is
        closed, one ending in 2 min is open; with the setting at 30, the
        118-minute one closes."""
        h = AttHotel("clkwin", extra=8).make()
        p = h.people
        faces = {sid: h.register(sid) for sid in p[:6]}
        now = h.now_local().replace(microsecond=0)
        m = datetime.timedelta(minutes=1)
        rows = {
            p[0]: h.shift_row(p[0], now + 118 * m, now + 118 * m + 8 * 60 * m),
            p[1]: h.shift_row(p[1], now + 122 * m, now + 122 * m + 8 * 60 * m),
            p[2]: h.shift_row(p[2], now - 8 * 60 * m, now - 2 * m),
            p[3]: h.shift_row(p[3], now - 8 * 60 * m, now + 2 * m),
            p[4]: h.shift_row(p[4], now + 118 * m, now + 118 * m + 8 * 60 * m),
        }
        h.add_shifts(*rows.values())
        body = self.assert_clock(h.scan(faces[p[0]]), 201, "CLOCK_IN", p[0], h)
        self.assertEqual(body["shift_info"]["id"], rows[p[0]]["id"])
        self.assertEqual(fc.assert_json(h.scan(faces[p[1]]), 200)["action"], "unrostered_detected")
        self.assertEqual(fc.assert_json(h.scan(faces[p[2]]), 200)["action"], "unrostered_detected")
        body = self.assert_clock(h.scan(faces[p[3]]), 201, "CLOCK_IN", p[3], h)
        self.assertEqual(body["shift_info"]["id"], rows[p[3]]["id"])
        h.settings(clock_in_early_minutes=30)
        self.assertEqual(fc.assert_json(h.scan(faces[p[4]]), 200)["action"], "unrostered_detected")
        h.settings(clock_in_early_minutes=0)
        # a shift that started a minute ago is open with no early window at all
        row = h.shift_now(p[5], before_s=60)
        self.assertEqual(self.assert_clock(h.scan(faces[p[5]]), 201, "CLOCK_IN", p[5], h)["shift_info"]["id"],
                         row["id"])

    def test_another_days_shift_does_not_count(self):
        h = AttHotel("clkday").make()
        sid = h.people[0]
        base = h.register(sid)
        now = h.now_local().replace(microsecond=0)
        day = datetime.timedelta(days=1)
        h.add_shifts(h.shift_row(sid, now - day - datetime.timedelta(hours=1), now - day + datetime.timedelta(hours=1)),
                     h.shift_row(sid, now + day - datetime.timedelta(hours=1), now + day + datetime.timedelta(hours=1)))
        self.assertEqual(fc.assert_json(h.scan(base), 200)["action"], "unrostered_detected")
        self.assertEqual(h.db_logs(sid), [])

    def test_overnight_shift_dublin(self):
        """Europe/Dublin: an overnight shift (end before start) counts until
        its end on the next day; dated one day too early it does not."""
        h = AttHotel("clknight", timezone="Europe/Dublin", extra=4).make()
        h.settings(clock_in_early_minutes=0)
        p = h.people
        faces = {sid: h.register(sid) for sid in p[:3]}
        now = h.now_local().replace(microsecond=0)
        t = now.hour * 60 + now.minute
        day = datetime.timedelta(days=1)
        if t < 22 * 60 + 30:
            # yesterday 23:00 → today now+30 min
            start = (now - day).replace(hour=23, minute=0, second=0)
        else:
            # today 22:00 → tomorrow 02:00 (now is before midnight)
            start = now.replace(hour=22, minute=0, second=0)
        end = now + datetime.timedelta(minutes=30) if t < 22 * 60 + 30 else \
            (now + day).replace(hour=2, minute=0, second=0)
        row = h.shift_row(p[0], start, end, location="Night Desk")
        self.assertLess(row["end_time"], row["start_time"])
        # the same times dated a day earlier ended a day ago
        stale = h.shift_row(p[1], start - day, end - day, location="Night Desk")
        h.add_shifts(row, stale)
        body = self.assert_clock(h.scan(faces[p[0]]), 201, "CLOCK_IN", p[0], h)
        self.assertIs(body["is_rostered"], True)
        self.assert_shift_info(body["shift_info"], row, h)
        self.assertEqual(fc.assert_json(h.scan(faces[p[1]]), 200)["action"], "unrostered_detected")

    def test_overnight_shift_window_from_the_evening(self):
        """A plain 21:00 → 05:00 shift, in a hotel whose time zone puts now
        inside it (the listed zones' offsets leave no gap of 7¾ hours, so
        one of them always does)."""
        for tz in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "America/New_York",
                   "Asia/Tokyo", "Europe/Dublin"):
            local = datetime.datetime.now(zoneinfo.ZoneInfo(tz))
            mins = local.hour * 60 + local.minute
            if mins >= 21 * 60 + 5 or mins <= 4 * 60 + 50:
                break
        else:
            self.skipTest("no listed time zone is in its night now")
        h = AttHotel("clknight2", timezone=tz).make()
        h.settings(clock_in_early_minutes=0)
        sid = h.people[0]
        base = h.register(sid)
        local = h.now_local()
        date = local.date() if local.hour >= 21 else local.date() - datetime.timedelta(days=1)
        h._next_shift += 1
        row = {"id": h.base + h._next_shift, "staff_id": sid, "date": date.isoformat(),
               "start_time": "21:00:00", "end_time": "05:00:00", "location": "Night",
               "department_id": h.dept_of(sid)}
        h.add_shifts(row)
        body = self.assert_clock(h.scan(base), 201, "CLOCK_IN", sid, h)
        self.assert_shift_info(body["shift_info"], row, h)

    def test_inactive_staff_face_not_matched(self):
        h = AttHotel("clkgone").make()
        sid = h.people[0]
        base = h.register(sid)
        row = [dict(r) for r in h.staff if r["id"] == sid][0]
        row["is_active"] = False
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        fc.assert_error(h.scan(base), 404, "FACE_NOT_RECOGNIZED")

    def test_renamed_staff_answer_new_name(self):
        h = AttHotel("clkname").make()
        sid = h.people[0]
        base = h.register(sid)
        self.assertEqual(fc.assert_json(h.scan(base), 200)["staff"]["name"], staff_name(sid))
        row = [dict(r) for r in h.staff if r["id"] == sid][0]
        row["first_name"] = "Renamed"
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        self.assertEqual(fc.assert_json(h.scan(base), 200)["staff"]["name"], "Renamed L%d" % (sid % 1000))


class WhoScans(AttCase):
    def test_callers(self):
        h = AttHotel("who").make()
        sid = h.people[0]
        base = h.register(sid)
        before = h.state()
        for role in ("staff", "manager", "hr", "admin"):
            with self.subTest(role=role):
                r = fc.post(h.att(SCAN), json={"descriptor": base}, token=h.login(role))
                fc.assert_error(r, 403, "FORBIDDEN")
        fc.assert_error(fc.post(h.att(SCAN), json={"descriptor": base}), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.post(h.att(SCAN), json={"descriptor": base}, api_key="kio_1_bogus"),
                        401, "UNAUTHENTICATED")
        self.assertEqual(h.state(), before)
        self.assertEqual(fc.assert_json(h.scan(base, api_key=fc.ADMIN_KEY), 200)["action"],
                         "unrostered_detected")
        # a revoked kiosk key stops working
        k = h.new_kiosk("short-lived")
        fc.assert_json(h.scan(base, api_key=k["api_key"]), 200)
        fc.assert_json(fc.admin("DELETE", h.path("kiosks/%d/" % k["id"])), 200)
        fc.assert_error(h.scan(base, api_key=k["api_key"]), 401, "UNAUTHENTICATED")

    def test_method_not_allowed(self):
        h = AttHotel("who405").make()
        r = fc.get(h.att(SCAN), api_key=h.kiosk)
        fc.assert_error(r, 405, "METHOD_NOT_ALLOWED")
        self.assertIn("POST", r.header("Allow") or "")


class OddBodies(AttCase):
    """Bodies that are not JSON objects, on every attendance write: 400
    INVALID_JSON (never a 500, never HTML), nothing written."""

    def test_not_json(self):
        h = AttHotel("odd").make()
        sid = h.people[0]
        h.register(sid)
        h.import_logs((sid, ago(60), None, None))
        lid = h.open_log_id(sid)
        routes = [("POST", "register-face/", {"token": h.login("manager")}),
                  ("DELETE", "revoke-face/%d/" % sid, {"token": h.login("manager")}),
                  ("POST", SCAN, {"api_key": h.kiosk}),
                  ("POST", "unrostered-confirm/", {"api_key": h.kiosk}),
                  ("POST", "force-log/", {"token": h.login("manager")}),
                  ("POST", "%d/approve/" % lid, {"token": h.login("manager")}),
                  ("POST", "%d/long-session-ack/" % lid, {"api_key": h.kiosk})]
        before = h.state()
        for method, rest, cred in routes:
            for raw in ("not json", "{", "[]", '"a string"', "42", '{"descriptor": [1,2,}', "\xff\xfe"):
                with self.subTest(path=rest, body=raw):
                    r = fc.request(method, h.att(rest), body=raw, **cred)
                    fc.assert_error(r, 400, "INVALID_JSON")
        self.assertEqual(h.state(), before)


class WorkerView(AttCase):
    """Each worker keeps a hotel's faces, staff, department names and
    settings in memory (handlers/attendance/face_cache_store.c) under the hotel's version:
    every change to any of them is seen by the very next scan, whichever
    worker serves it. Each step scans several times so that every worker
    has the old state cached before the change."""

    WARM = 6

    @staticmethod
    def hotel(tag):
        """A hotel whose kiosk may fail scans on purpose: WARM refusals per
        step would otherwise reach the probing throttle (test_alerts.py)."""
        h = AttHotel(tag).make()
        h.alert_rules(failed_scans={"threshold": 1000})
        return h

    def warm(self, h, desc):
        for _ in range(self.WARM):
            self.assertEqual(fc.assert_json(h.scan(desc), 200)["action"], "unrostered_detected")

    def test_department_and_name_changes(self):
        h = AttHotel("viewnames").make()
        sid = h.people[0]                                   # in dept[0], "Reception"
        desc = h.register(sid)
        self.warm(h, desc)
        fc.assert_json(fc.admin("PUT", h.sync_path, json={
            "departments": [{"id": h.dept[0], "name": "Front Office"}]}), 200)
        for _ in range(self.WARM):
            body = fc.assert_json(h.scan(desc), 200)
            self.assertEqual(body["staff"]["department"], "Front Office")
        row = dict(next(r for r in h.staff if r["id"] == sid), first_name="Renamed")
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        for _ in range(self.WARM):
            body = fc.assert_json(h.scan(desc), 200)
            self.assertEqual(body["staff"]["name"], "Renamed L%d" % (sid % 1000))
            self.assertTrue(body["message"].startswith("No scheduled shift found for Renamed."), body["message"])

    def test_settings_changes(self):
        h = self.hotel("viewsettings")
        sid = h.people[0]
        desc = h.register(sid)
        self.warm(h, desc)
        h.settings(face_attendance_enabled=False)
        for _ in range(self.WARM):
            fc.assert_error(h.scan(desc), 403, "FACE_DISABLED_FOR_HOTEL")
        h.settings(face_attendance_enabled=True)
        self.warm(h, desc)
        h.settings(face_attendance_departments=[h.dept[1]])
        for _ in range(self.WARM):
            fc.assert_error(h.scan(desc), 403, "FACE_DISABLED_FOR_DEPARTMENT")
        h.settings(face_attendance_departments=[])
        self.warm(h, near(desc, 0.4))
        h.settings(face_attendance_min_confidence=0.9)      # d 0.4: confidence 0.867
        for _ in range(self.WARM):
            fc.assert_error(h.scan(near(desc, 0.4)), 403, "FACE_CONFIDENCE_TOO_LOW")

    def test_new_and_deactivated_staff(self):
        h = self.hotel("viewstaff")
        sid = h.people[0]
        desc = h.register(sid)
        self.warm(h, desc)
        # someone new in the PMS: a manager can force-log them at once
        new = h.base + 880
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [h.staff_row(new, h.dept[1], "staff")]}), 200)
        r = fc.post(h.att("force-log/"), json={"staff_id": new, "reason": "first day"}, token=h.login("manager"))
        body = fc.assert_json(r, 201)
        self.assertEqual(body["staff_name"], "F880 L880")
        # deactivated in the PMS: the face no longer matches, and the name is unknown
        row = dict(next(r for r in h.staff if r["id"] == sid), is_active=False)
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        for _ in range(self.WARM):
            fc.assert_error(h.scan(desc), 404, "FACE_NOT_RECOGNIZED")
        r = fc.post(h.att("force-log/"), json={"staff_id": sid, "reason": "gone"}, token=h.login("manager"))
        fc.assert_error(r, 404, "NOT_FOUND")

    def test_version_moves_once_per_transaction(self):
        """A PMS sync of many new staff moves the hotel's version once (a
        transaction's repeated updates of one hotels row made big syncs
        quadratic); the next sync moves it again."""
        h = AttHotel("viewonce").make()
        version = lambda: int(fc.psql("SELECT face_version FROM hotels WHERE id = %d" % h.hotel_id))
        before = version()
        rows = [h.staff_row(h.base + 700 + i, h.dept[i % 2], "staff") for i in range(25)]
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": rows}), 200)
        self.assertEqual(version(), before + 1)
        fc.assert_json(fc.admin("PUT", h.sync_path, json={
            "departments": [{"id": h.dept[0], "name": "Lobby"}], "staff": [h.staff_row(h.base + 760, h.dept[0], "staff")]}), 200)
        self.assertEqual(version(), before + 2)
        # a sync that changes nothing moves nothing
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": rows}), 200)
        self.assertEqual(version(), before + 2)
