"""Attendance settings (contract 5.1): defaults of a new hotel, PATCH of a
subset answering the full settings, validation (400 VALIDATION_ERROR with
"field", nothing changed), checks on the merged result, per-hotel isolation,
and settings through PMS sync."""

import unittest

import fc

DEFAULTS = {"face_attendance_enabled": True, "face_attendance_min_confidence": 0.85,
            "require_face_consent": True, "allow_face_self_registration": True,
            "face_data_retention_days": 365, "face_attendance_departments": [],
            "break_warning_hours": 6.0, "overtime_warning_hours": 10.0,
            "hard_limit_hours": 12.0, "enforce_limits": True,
            "clock_in_early_minutes": 120, "duplicate_scan_seconds": 60,
            "auto_close": "off", "auto_close_after_hours": 2.0, "device_auth": "key"}


class Settings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("set")
        cls.h.create()
        cls.path = cls.h.path("attendance/settings/")

    def fresh(self):
        h = fc.Hotel("set")
        h.create()
        return h, h.path("attendance/settings/")

    def assert_settings(self, got, expected):
        self.assertEqual(set(got), set(DEFAULTS), got)
        for k, v in expected.items():
            if k == "face_attendance_departments" and not v:
                self.assertIn(got[k], ([], None), k)
            elif isinstance(v, float):
                self.assertIsInstance(got[k], (int, float), k)
                self.assertAlmostEqual(got[k], v, places=6, msg=k)
            else:
                self.assertEqual(got[k], v, k)
                self.assertIs(type(got[k]), type(v), k)

    def test_defaults(self):
        h, path = self.fresh()
        for who in ({"api_key": fc.ADMIN_KEY}, {"token": h.login("manager")},
                    {"token": h.login("hr")}, {"token": h.login("admin")}):
            with self.subTest(who=list(who)[0]):
                self.assert_settings(fc.assert_json(fc.get(path, **who), 200), DEFAULTS)

    def test_patch_subset(self):
        h, path = self.fresh()
        change = {"face_attendance_min_confidence": 0.9, "enforce_limits": False,
                  "face_attendance_departments": [h.dept[0]], "break_warning_hours": 5.5,
                  "clock_in_early_minutes": 30}
        r = fc.patch(path, json=change, token=h.login("manager"))
        expected = dict(DEFAULTS, **change)
        self.assert_settings(fc.assert_json(r, 200), expected)
        self.assert_settings(fc.assert_json(fc.get(path, token=h.login("hr")), 200), expected)
        # a second patch keeps the first one's values
        r = fc.patch(path, json={"duplicate_scan_seconds": 30}, token=h.login("admin"))
        expected["duplicate_scan_seconds"] = 30
        self.assert_settings(fc.assert_json(r, 200), expected)
        # departments back to "every department"
        r = fc.patch(path, json={"face_attendance_departments": []}, api_key=fc.ADMIN_KEY)
        expected["face_attendance_departments"] = []
        self.assert_settings(fc.assert_json(r, 200), expected)
        # an empty patch changes nothing and answers the full settings
        self.assert_settings(fc.assert_json(fc.patch(path, json={}, api_key=fc.ADMIN_KEY), 200), expected)

    def test_limits_checked_on_merged_result(self):
        h, path = self.fresh()
        # each alone would break break < overtime < hard; together they are fine
        change = {"overtime_warning_hours": 14.0, "hard_limit_hours": 16.0}
        r = fc.patch(path, json=change, api_key=fc.ADMIN_KEY)
        self.assert_settings(fc.assert_json(r, 200), dict(DEFAULTS, **change))

    def test_validation(self):
        h, path = self.fresh()
        cases = [
            ({"face_attendance_min_confidence": 1.5}, ["face_attendance_min_confidence"]),
            ({"face_attendance_min_confidence": -0.1}, ["face_attendance_min_confidence"]),
            ({"face_attendance_min_confidence": "high"}, ["face_attendance_min_confidence"]),
            ({"face_data_retention_days": 0}, ["face_data_retention_days"]),
            ({"face_data_retention_days": -3}, ["face_data_retention_days"]),
            ({"enforce_limits": "yes"}, ["enforce_limits"]),
            ({"face_attendance_enabled": 1}, ["face_attendance_enabled"]),
            ({"face_attendance_departments": "1,2"}, ["face_attendance_departments"]),
            ({"face_attendance_departments": ["x"]}, ["face_attendance_departments"]),
            ({"break_warning_hours": 11.0}, ["break_warning_hours", "overtime_warning_hours"]),
            ({"overtime_warning_hours": 13.0}, ["overtime_warning_hours", "hard_limit_hours"]),
            ({"hard_limit_hours": 5.0}, ["hard_limit_hours", "overtime_warning_hours", "break_warning_hours"]),
            ({"break_warning_hours": 10.0}, ["break_warning_hours", "overtime_warning_hours"]),
            # one good value beside a bad one: all or nothing
            ({"enforce_limits": False, "face_attendance_min_confidence": 2},
             ["face_attendance_min_confidence"]),
        ]
        for body, fields in cases:
            with self.subTest(body=body):
                r = fc.patch(path, json=body, token=h.login("manager"))
                err = fc.assert_error(r, 400, "VALIDATION_ERROR")
                self.assertIn(err["field"], fields, r)
        self.assert_settings(fc.assert_json(fc.get(path, api_key=fc.ADMIN_KEY), 200), DEFAULTS)

    def test_boundaries_accepted(self):
        h, path = self.fresh()
        for body in ({"face_attendance_min_confidence": 0}, {"face_attendance_min_confidence": 1},
                     {"face_data_retention_days": 1}):
            with self.subTest(body=body):
                got = fc.assert_json(fc.patch(path, json=body, api_key=fc.ADMIN_KEY), 200)
                for k, v in body.items():
                    self.assertEqual(got[k], v)

    def test_hr_reads_but_cannot_write(self):
        before = fc.assert_json(fc.get(self.path, token=self.h.login("hr")), 200)
        fc.assert_error(fc.patch(self.path, json={"enforce_limits": False}, token=self.h.login("hr")),
                        403, "FORBIDDEN")
        self.assertEqual(fc.assert_json(fc.get(self.path, api_key=fc.ADMIN_KEY), 200), before)

    def test_isolated_per_hotel(self):
        a, pa = self.fresh()
        b, pb = self.fresh()
        fc.assert_json(fc.patch(pa, json={"duplicate_scan_seconds": 5}, token=a.login("admin")), 200)
        self.assertEqual(fc.assert_json(fc.get(pb, api_key=fc.ADMIN_KEY), 200)["duplicate_scan_seconds"], 60)
        fc.assert_error(fc.patch(pb, json={"duplicate_scan_seconds": 7}, token=a.login("admin")),
                        404, "NOT_FOUND")
        fc.assert_error(fc.get(pb, token=a.login("manager")), 404, "NOT_FOUND")
        self.assertEqual(fc.assert_json(fc.get(pb, api_key=fc.ADMIN_KEY), 200)["duplicate_scan_seconds"], 60)

    def test_settings_through_pms_sync(self):
        h, path = self.fresh()
        body = {"settings": {"hard_limit_hours": 13.0, "require_face_consent": False}}
        r = fc.admin("PUT", h.sync_path, json=body)
        self.assertIs(fc.assert_json(r, 200)["settings_updated"], True)
        got = fc.assert_json(fc.get(path, api_key=fc.ADMIN_KEY), 200)
        self.assert_settings(got, dict(DEFAULTS, hard_limit_hours=13.0, require_face_consent=False))
        r = fc.admin("PUT", h.sync_path, json=body)
        self.assertIs(fc.assert_json(r, 200)["settings_updated"], False)
        # invalid settings in a sync: rejected whole
        bad = {"settings": {"face_attendance_min_confidence": 7}, "departments": [{"id": h.base + 9, "name": "New"}]}
        err = fc.assert_error(fc.admin("PUT", h.sync_path, json=bad), 400, "VALIDATION_ERROR")
        self.assertIn("face_attendance_min_confidence", err["field"])
        self.assert_settings(fc.assert_json(fc.get(path, api_key=fc.ADMIN_KEY), 200),
                             dict(DEFAULTS, hard_limit_hours=13.0, require_face_consent=False))
