"""PMS sync (contract section 4): creating a hotel with counts, idempotent
re-run, updates counted, partial bodies, rows rejected whole (400
VALIDATION_ERROR naming the row, nothing changed: checked through the staff
list, settings and a re-run of the good body), slug rules, who may sync,
deactivation ending logins (and revoking face data), a password or role
change revoking the login's sessions, passwords under 10 characters
refused, usernames unique across
hotels, and the same sync from the command line (`faceclock import`)."""

import copy
import json
import os
import subprocess
import unittest

import fc

SECTIONS = ("departments", "staff", "roster", "clock_logs")
ANSWER_KEYS = {"hotel", "hotel_created", "settings_updated", "face_data_revoked"} | set(SECTIONS)


def counts(**kw):
    """Expected section counts: counts(staff=(created, updated, unchanged), ...);
    sections not named are all zero."""
    out = {}
    for s in SECTIONS:
        c, u, n = kw.get(s, (0, 0, 0))
        out[s] = {"created": c, "updated": u, "unchanged": n}
    return out


class Sync(unittest.TestCase):
    def check_answer(self, r, hotel, created, **sections):
        body = fc.assert_json(r, 200)
        self.assertEqual(set(body), ANSWER_KEYS, body)
        self.assertEqual(body["hotel"], hotel.slug)
        self.assertIs(body["hotel_created"], created)
        got = {s: body[s] for s in SECTIONS}
        self.assertEqual(got, counts(**sections), body)
        self.assertIsInstance(body["face_data_revoked"], int)
        self.assertIsInstance(body["settings_updated"], bool)
        return body

    def staff_rows(self, hotel):
        rows = fc.assert_json(fc.admin("GET", hotel.path("staff/?limit=1000")), 200)
        return sorted(rows, key=lambda r: r["id"])

    def test_create_then_idempotent(self):
        h = fc.Hotel("sync")
        h.clock_logs.append({"staff_id": h.base + 101, "time_in": "2025-11-30T21:55:00Z",
                             "time_out": None, "roster_shift_id": h.base + 501})
        n_staff = len(h.staff)
        r = fc.admin("PUT", h.sync_path, json=h.body())
        body = self.check_answer(r, h, True, departments=(2, 0, 0), staff=(n_staff, 0, 0),
                                 roster=(2, 0, 0), clock_logs=(2, 0, 0))
        self.assertEqual(body["face_data_revoked"], 0)
        self.assertIs(body["settings_updated"], False)
        # the same body again: nothing created or updated
        for _ in range(2):
            r = fc.admin("PUT", h.sync_path, json=h.body())
            self.check_answer(r, h, False, departments=(0, 0, 2), staff=(0, 0, n_staff),
                              roster=(0, 0, 2), clock_logs=(0, 0, 2))
        # without the trailing slash too
        r = fc.admin("PUT", h.sync_path.rstrip("/"), json=h.body())
        self.check_answer(r, h, False, departments=(0, 0, 2), staff=(0, 0, n_staff),
                          roster=(0, 0, 2), clock_logs=(0, 0, 2))
        # logins made by the sync work
        for role in fc.ROLES:
            h.login(role)

    def test_updates_are_counted(self):
        h = fc.Hotel("syncupd")
        h.create()
        n_staff = len(h.staff)
        b = h.body()
        b["departments"][0]["name"] = "Front Office"
        b["staff"][4]["last_name"] = "Renamed"
        b["roster"][0]["end_time"] = "18:00:00"
        b["clock_logs"][0]["time_out"] = "2025-11-30T18:01:00Z"
        b["staff"].append(h.staff_row(h.base + 150, h.dept[0], "staff"))
        r = fc.admin("PUT", h.sync_path, json=b)
        self.check_answer(r, h, False, departments=(0, 1, 1), staff=(1, 1, n_staff - 1),
                          roster=(0, 1, 1), clock_logs=(0, 1, 0))
        rows = {row["id"]: row for row in self.staff_rows(h)}
        self.assertEqual(rows[b["staff"][4]["id"]]["last_name"], "Renamed")
        self.assertIn(h.base + 150, rows)
        r = fc.admin("PUT", h.sync_path, json=b)
        self.check_answer(r, h, False, departments=(0, 0, 2), staff=(0, 0, n_staff + 1),
                          roster=(0, 0, 2), clock_logs=(0, 0, 1))

    def test_many_rows_answer_as_row_by_row(self):
        """The staff and roster sections are written as one statement each
        (handlers/people/pms_store.c): 300 new staff with a shift each, then
        a re-sync renaming every third, deactivating one and promoting one,
        counted and stored as row by row would."""
        h = fc.Hotel("syncmany")
        h.create()
        n_staff = len(h.staff)
        b = h.body()
        extra = [h.staff_row(h.base + 1000 + i, h.dept[i % 2], "staff") for i in range(300)]
        b["staff"] += extra
        b["roster"] += [{"id": h.base + 5000 + i, "staff_id": row["id"], "date": "2025-12-02",
                         "start_time": "07:00:00", "end_time": "15:00:00", "location": "Floor %d" % i,
                         "department_id": row["department_id"]} for i, row in enumerate(extra)]
        r = fc.admin("PUT", h.sync_path, json=b)
        self.check_answer(r, h, False, departments=(0, 0, 2), staff=(300, 0, n_staff),
                          roster=(300, 0, 2), clock_logs=(0, 0, 1))
        for row in extra[::3]:
            row["first_name"] = "Renamed"
        extra[1]["is_active"] = False
        extra[2]["role"] = "manager"
        b["roster"][2]["end_time"] = "16:00:00"
        r = fc.admin("PUT", h.sync_path, json=b)
        self.check_answer(r, h, False, departments=(0, 0, 2), staff=(0, 102, n_staff + 198),
                          roster=(0, 1, 301), clock_logs=(0, 0, 1))
        rows = {row["id"]: row for row in self.staff_rows(h)}
        self.assertEqual(sum(1 for row in extra if rows[row["id"]]["first_name"] == "Renamed"), 100)
        self.assertIs(rows[extra[1]["id"]]["is_active"], False)
        self.assertEqual(rows[extra[2]["id"]]["role"], "manager")

    def test_employee_codes_changing_go_row_by_row(self):
        """Whether codes that move between staff members collide depends on
        the order they are written in: document order, as row by row."""
        h = fc.Hotel("synccode")
        h.create()
        b = h.body()
        first, second = b["staff"][0], b["staff"][1]
        first["employee_code"], second["employee_code"] = second["employee_code"], first["employee_code"]
        err = fc.assert_error(fc.admin("PUT", h.sync_path, json=b), 400, "VALIDATION_ERROR")
        self.assertEqual(err["field"], "staff[0].employee_code", err)
        b = h.body()
        b["staff"][1]["employee_code"] = "MOVED-%d" % h.base
        b["staff"][0]["employee_code"] = h.staff[1]["employee_code"]
        err = fc.assert_error(fc.admin("PUT", h.sync_path, json=b), 400, "VALIDATION_ERROR")
        self.assertEqual(err["field"], "staff[0].employee_code", err)
        b["staff"][0], b["staff"][1] = b["staff"][1], b["staff"][0]     # freed first, then taken
        r = fc.admin("PUT", h.sync_path, json=b)
        self.check_answer(r, h, False, departments=(0, 0, 2), staff=(0, 2, len(h.staff) - 2),
                          roster=(0, 0, 2), clock_logs=(0, 0, 1))

    def test_partial_body_keeps_the_rest(self):
        h = fc.Hotel("syncpart")
        h.create()
        r = fc.admin("PUT", h.sync_path, json={"staff": [h.staff[0]]})
        self.check_answer(r, h, False, staff=(0, 0, 1))
        self.assertEqual(len(self.staff_rows(h)), len(h.staff))
        r = fc.admin("PUT", h.sync_path, json={})
        self.check_answer(r, h, False)
        h.login("staff")

    def test_hotel_admin_syncs_own_hotel_only(self):
        a = fc.Hotel("synca")
        a.create()
        b = fc.Hotel("syncb")
        b.create()
        tok = a.login("admin")
        r = fc.put(a.sync_path, json=a.body(), token=tok)
        self.check_answer(r, a, False, departments=(0, 0, 2), staff=(0, 0, len(a.staff)),
                          roster=(0, 0, 2), clock_logs=(0, 0, 1))
        fc.assert_error(fc.put(b.sync_path, json={"departments": [{"id": b.base + 7, "name": "X"}]},
                               token=tok), 404, "NOT_FOUND")
        new_slug = fc.unique_slug("syncnew")
        fc.assert_error(fc.put("/api/staff/hotel/%s/pms-sync/" % new_slug, json={"hotel": {"name": "N", "timezone": "UTC"}},
                               token=tok), 404, "NOT_FOUND")
        fc.assert_error(fc.admin("GET", "/api/staff/hotel/%s/staff/" % new_slug), 404, "NOT_FOUND")
        fc.assert_error(fc.put(a.sync_path, json={}, token=a.login("manager")), 403, "FORBIDDEN")
        fc.assert_error(fc.put(b.sync_path, json={}, token=a.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.put(a.sync_path, json={}), 401, "UNAUTHENTICATED")
        # b is untouched
        r = fc.admin("PUT", b.sync_path, json=b.body())
        self.check_answer(r, b, False, departments=(0, 0, 2), staff=(0, 0, len(b.staff)),
                          roster=(0, 0, 2), clock_logs=(0, 0, 1))

    def test_deactivation_ends_login(self):
        h = fc.Hotel("syncdeact")
        h.create()
        u = h.users["staff"]
        token = fc.login_ok(u["username"], u["password"])["token"]
        row = dict(h.staff[0], is_active=False)
        r = fc.admin("PUT", h.sync_path, json={"staff": [row]})
        body = self.check_answer(r, h, False, staff=(0, 1, 0))
        self.assertEqual(body["face_data_revoked"], 0)
        fc.assert_error(fc.login(u["username"], u["password"]), 401, "INVALID_CREDENTIALS")
        # a session opened before the departure ends with it
        fc.assert_error(fc.get("/api/auth/me", token=token), 401, "UNAUTHENTICATED")
        rows = {x["id"]: x for x in self.staff_rows(h)}
        self.assertIs(rows[u["staff_id"]]["is_active"], False)
        # back again
        r = fc.admin("PUT", h.sync_path, json={"staff": [h.staff[0]]})
        self.check_answer(r, h, False, staff=(0, 1, 0))
        fc.login_ok(u["username"], u["password"])

    def test_deactivation_revokes_face_data(self):
        # face registration is a later endpoint: the face data row is put in
        # directly (schema of sql/001_core.sql); skipped if that changes
        h = fc.Hotel("syncface")
        h.create()
        sid = h.plain_staff_id
        hotel = "(SELECT id FROM hotels WHERE slug = %s)" % fc.sql_str(h.slug)
        rc, _, err = fc.psql("INSERT INTO face_data (hotel_id, staff_id, descriptor_enc, consent_given) "
                             "VALUES (%s, %d, '\\x00', true)" % (hotel, sid), check=False)
        if rc != 0:
            self.skipTest("cannot seed face_data: %s" % err)
        rows = {x["id"]: x for x in self.staff_rows(h)}
        self.assertIs(rows[sid]["has_registered_face"], True)
        row = [s for s in h.staff if s["id"] == sid][0]
        r = fc.admin("PUT", h.sync_path, json={"staff": [dict(row, is_active=False)]})
        body = self.check_answer(r, h, False, staff=(0, 1, 0))
        self.assertEqual(body["face_data_revoked"], 1, body)
        rows = {x["id"]: x for x in self.staff_rows(h)}
        self.assertIs(rows[sid]["has_registered_face"], False)
        self.assertIs(rows[sid]["is_active"], False)
        self.assertEqual(fc.psql("SELECT count(*) FROM face_data WHERE hotel_id = %s AND staff_id = %d"
                                 % (hotel, sid)), "0")
        audit = fc.psql("SELECT action || '|' || coalesce(reason, '') FROM face_audit_log "
                        "WHERE hotel_id = %s AND staff_id = %d" % (hotel, sid))
        self.assertEqual(audit.lower(), "revoked|staff departure")
        # the audit row cannot be changed or removed by the application's role
        for sql in ("UPDATE face_audit_log SET reason = 'tampered' WHERE hotel_id = %s" % hotel,
                    "DELETE FROM face_audit_log WHERE hotel_id = %s" % hotel):
            with self.subTest(sql=sql.split()[0]):
                rc, out, err = fc.psql(sql, role="app", check=False)
                self.assertNotEqual(rc, 0, "the app role could run: %s" % sql)
        self.assertEqual(fc.psql("SELECT count(*) || '|' || min(reason) FROM face_audit_log WHERE hotel_id = %s"
                                 % hotel).lower(), "1|staff departure")
        # deactivating again revokes nothing more
        r = fc.admin("PUT", h.sync_path, json={"staff": [dict(row, is_active=False)]})
        self.assertEqual(self.check_answer(r, h, False, staff=(0, 0, 1))["face_data_revoked"], 0)

    def test_password_change(self):
        h = fc.Hotel("syncpw")
        h.create()
        u = h.users["hr"]
        row = dict(h.staff[2], password="a-new-password-123")
        self.assertEqual(row["username"], u["username"])
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        fc.login_ok(u["username"], "a-new-password-123")
        fc.assert_error(fc.login(u["username"], u["password"]), 401, "INVALID_CREDENTIALS")

    def test_password_change_revokes_sessions(self):
        h = fc.Hotel("syncrv")
        h.create()
        u, other = h.users["hr"], h.users["staff"]
        old, kept = h.login("hr", fresh=True), h.login("staff", fresh=True)
        row = dict(h.staff[2], password="another-password-456")
        self.check_answer(fc.admin("PUT", h.sync_path, json={"staff": [row]}), h, False, staff=(0, 1, 0))
        fc.assert_error(fc.get("/api/auth/me", token=old), 401, "UNAUTHENTICATED")
        fc.assert_json(fc.get("/api/auth/me", token=kept), 200)     # another login's
        # the same password again changes nothing: a new session survives it
        new = fc.login_ok(u["username"], "another-password-456")["token"]
        self.check_answer(fc.admin("PUT", h.sync_path, json={"staff": [row]}), h, False, staff=(0, 0, 1))
        fc.assert_json(fc.get("/api/auth/me", token=new), 200)
        fc.login_ok(other["username"], other["password"])

    def test_role_change_revokes_sessions(self):
        h = fc.Hotel("syncrole")
        h.create()
        u = h.users["staff"]
        tok = h.login("staff", fresh=True)
        # a change that is not the role keeps the session
        renamed = dict(h.staff[0], first_name="Renamed")
        self.check_answer(fc.admin("PUT", h.sync_path, json={"staff": [renamed]}), h, False, staff=(0, 1, 0))
        fc.assert_json(fc.get("/api/auth/me", token=tok), 200)
        # promoted: the session granted as staff ends; a new one is a manager's
        promoted = dict(renamed, role="manager")
        self.check_answer(fc.admin("PUT", h.sync_path, json={"staff": [promoted]}), h, False, staff=(0, 1, 0))
        fc.assert_error(fc.get("/api/auth/me", token=tok), 401, "UNAUTHENTICATED")
        me = fc.assert_json(fc.get("/api/auth/me", token=fc.login_ok(u["username"], u["password"])["token"]), 200)
        self.assertEqual(me["user"]["role"], "manager")

    def test_short_password_refused_naming_the_row(self):
        h = fc.Hotel("syncshort")
        h.create()
        u = h.users["hr"]
        for short in ("nine-char", "\u00e9" * 9):
            with self.subTest(password=short):
                row = dict(h.staff[2], password=short)
                err = fc.assert_error(fc.admin("PUT", h.sync_path, json={"staff": [h.staff[0], row]}),
                                      400, "VALIDATION_ERROR", field="staff[1].password")
                self.assertIn("10", err["message"])
        # nothing changed: the old password still logs in
        fc.login_ok(u["username"], u["password"])
        row = dict(h.staff[2], password="ten-chars!")
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        fc.login_ok(u["username"], "ten-chars!")

    def test_usernames_unique_across_hotels(self):
        a = fc.Hotel("syncu1")
        a.create()
        b = fc.Hotel("syncu2")
        b.create()
        row = b.staff_row(b.base + 160, b.dept[0], "staff", username=a.users["staff"]["username"],
                          password="whatever-123456")
        err = fc.assert_error(fc.admin("PUT", b.sync_path, json={"staff": [b.staff[4], row]}),
                              400, "VALIDATION_ERROR")
        self.assertTrue(err["field"].startswith("staff[1]"), err)
        self.assertNotIn(b.base + 160, {x["id"] for x in self.staff_rows(b)})
        a.login("staff")
        fc.login_ok(a.users["staff"]["username"], a.users["staff"]["password"])

    def test_bad_slug(self):
        for slug in ("Bad_Slug", "-abc", "UPPER", "a%20b", "caf%C3%A9", "a.b", "x" * 300):
            with self.subTest(slug=slug[:20]):
                path = "/api/staff/hotel/%s/pms-sync/" % slug
                r = fc.admin("PUT", path, json={"hotel": {"name": "Bad", "timezone": "UTC"}})
                if r.status == 400:
                    fc.assert_error(r, 400, "VALIDATION_ERROR")
                else:
                    fc.assert_error(r, 404, "NOT_FOUND")
                fc.assert_error(fc.admin("GET", "/api/staff/hotel/%s/staff/" % slug), 404, "NOT_FOUND")

    def test_bad_row_in_new_hotel_creates_nothing(self):
        h = fc.Hotel("syncnone")
        b = h.body()
        b["roster"][1]["staff_id"] = h.base + 998
        err = fc.assert_error(fc.admin("PUT", h.sync_path, json=b), 400, "VALIDATION_ERROR")
        self.assertEqual(err["field"], "roster[1].staff_id")
        fc.assert_error(fc.admin("GET", h.path("staff/")), 404, "NOT_FOUND")
        fc.assert_error(fc.login(h.users["staff"]["username"], h.users["staff"]["password"]),
                        401, "INVALID_CREDENTIALS")
        # the slug is still free for a good sync
        h.create()


def bad_cases(h, extra_staff_index):
    """(label, mutate(body), expected field, exact?) applied to a body that
    already changes/adds rows. extra_staff_index: index of the new staff row."""
    b0 = h.base
    return [
        ("unknown department", lambda b: b["staff"][1].__setitem__("department_id", b0 + 999),
         "staff[1].department_id", True),
        ("impossible date", lambda b: b["roster"][0].__setitem__("date", "2025-02-30"),
         "roster[0].date", True),
        ("malformed date", lambda b: b["roster"][1].__setitem__("date", "30/11/2025"),
         "roster[1].date", True),
        ("bad role", lambda b: b["staff"][2].__setitem__("role", "superuser"),
         "staff[2].role", True),
        ("roster of missing staff", lambda b: b["roster"][1].__setitem__("staff_id", b0 + 998),
         "roster[1].staff_id", True),
        ("roster with unknown department", lambda b: b["roster"][0].__setitem__("department_id", b0 + 997),
         "roster[0].department_id", True),
        ("bad start time", lambda b: b["roster"][0].__setitem__("start_time", "25:00:00"),
         "roster[0].start_time", True),
        ("bad timezone", lambda b: b["hotel"].__setitem__("timezone", "Mars/Olympus"),
         "hotel.timezone", True),
        ("duplicate staff id", lambda b: b["staff"].append(dict(b["staff"][0], employee_code="DUP")),
         "staff[", False),
        ("duplicate department id", lambda b: b["departments"].append({"id": h.dept[0], "name": "Again"}),
         "departments[", False),
        ("duplicate roster id", lambda b: b["roster"].append(dict(b["roster"][0], date="2025-12-01")),
         "roster[", False),
        ("staff id not an integer", lambda b: b["staff"][3].__setitem__("id", "abc"),
         "staff[3].id", True),
        ("is_active not a boolean", lambda b: b["staff"][0].__setitem__("is_active", "no"),
         "staff[0].is_active", True),
        ("staff not an array", lambda b: b.__setitem__("staff", {"id": 1}), "staff", True),
        ("clock log of missing staff", lambda b: b["clock_logs"][0].__setitem__("staff_id", b0 + 996),
         "clock_logs[0].staff_id", True),
        ("clock log bad time_in", lambda b: b["clock_logs"][0].__setitem__("time_in", "yesterday"),
         "clock_logs[0].time_in", True),
        ("clock log ends before it starts",
         lambda b: b["clock_logs"][0].__setitem__("time_out", "2025-11-29T08:00:00Z"),
         "clock_logs[0]", False),
        ("clock log with missing shift",
         lambda b: b["clock_logs"][0].__setitem__("roster_shift_id", b0 + 995),
         "clock_logs[0].roster_shift_id", True),
        ("two open sessions for one person",
         lambda b: b["clock_logs"].append({"staff_id": h.plain_staff_id, "time_in": "2025-11-30T10:00:00Z",
                                           "time_out": None}),
         "clock_logs[", False),
        ("two rows for one clock log (same staff and time_in)",
         lambda b: b["clock_logs"].append(dict(b["clock_logs"][0], time_out="2025-11-30T19:00:00Z")),
         "clock_logs[", False),
        ("bad role on the new staff row",
         lambda b: b["staff"][extra_staff_index].__setitem__("role", "owner"),
         "staff[%d].role" % extra_staff_index, True),
    ]


class SyncRejectsWhole(unittest.TestCase):
    """One generated test per bad row, each on a fresh hotel. Each bad body
    also changes settings, renames a department, edits a staff member and a
    shift, and adds a department, a staff member, a shift and an open clock
    log; none of it may stick: the staff list and settings are as before, the
    good body re-synced changes nothing, and the changes without the bad row
    then create every new row."""

    @staticmethod
    def changed_body(h):
        b = h.body()
        new_dept, new_staff = h.base + 50, h.base + 150
        b["settings"] = {"duplicate_scan_seconds": 17}
        b["departments"][0]["name"] = "Renamed dept"
        b["departments"].append({"id": new_dept, "name": "Spa"})
        b["staff"][0]["last_name"] = "Changed"
        b["staff"].append(h.staff_row(new_staff, new_dept, "staff"))
        b["roster"][0]["location"] = "Moved"
        b["roster"].append({"id": h.base + 550, "staff_id": new_staff, "date": "2025-12-01",
                            "start_time": "07:00:00", "end_time": "15:00:00",
                            "location": "Spa", "department_id": new_dept})
        b["clock_logs"].append({"staff_id": h.plain_staff_id, "time_in": "2025-11-30T07:00:00Z",
                                "time_out": None})
        return b

    def check_case(self, index):
        h = fc.Hotel("syncbad")
        h.create()
        changed = self.changed_body(h)
        label, mutate, field, exact = bad_cases(h, len(changed["staff"]) - 1)[index]
        staff_path = h.path("staff/?limit=1000")
        settings_path = h.path("attendance/settings/")
        staff_before = fc.assert_json(fc.admin("GET", staff_path), 200)
        settings_before = fc.assert_json(fc.admin("GET", settings_path), 200)

        b = copy.deepcopy(changed)
        mutate(b)
        r = fc.admin("PUT", h.sync_path, json=b)
        err = fc.assert_error(r, 400, "VALIDATION_ERROR")
        if exact:
            self.assertEqual(err["field"], field, r)
        else:
            self.assertTrue(err["field"].startswith(field), r)

        self.assertEqual(fc.assert_json(fc.admin("GET", staff_path), 200), staff_before,
                         "staff changed by a rejected sync")
        self.assertEqual(fc.assert_json(fc.admin("GET", settings_path), 200), settings_before,
                         "settings changed by a rejected sync")
        r = fc.admin("PUT", h.sync_path, json=h.body())
        body = fc.assert_json(r, 200)
        for s, n in (("departments", 2), ("staff", len(h.staff)), ("roster", 2), ("clock_logs", 1)):
            self.assertEqual(body[s], {"created": 0, "updated": 0, "unchanged": n},
                             "%s after a rejected sync: %s" % (s, body))
        r = fc.admin("PUT", h.sync_path, json=changed)
        body = fc.assert_json(r, 200)
        self.assertEqual(body["departments"], {"created": 1, "updated": 1, "unchanged": 1}, body)
        self.assertEqual(body["staff"], {"created": 1, "updated": 1, "unchanged": len(h.staff) - 1}, body)
        self.assertEqual(body["roster"], {"created": 1, "updated": 1, "unchanged": 1}, body)
        self.assertEqual(body["clock_logs"], {"created": 1, "updated": 0, "unchanged": 1}, body)
        self.assertIs(body["settings_updated"], True)


def _make_bad_case(index):
    def test(self):
        self.check_case(index)
    return test


def _case_name(label):
    return "".join(c if c.isalnum() else "_" for c in label.lower()).strip("_")


_proto = fc.Hotel("proto")
for _i, _case in enumerate(bad_cases(_proto, len(_proto.staff))):
    setattr(SyncRejectsWhole, "test_%02d_%s" % (_i, _case_name(_case[0])), _make_bad_case(_i))
del _proto


class Import(unittest.TestCase):
    """`faceclock import <slug> <file|->`: the same rules as the API."""

    def run_import(self, slug, doc):
        fc_bin = fc.ENV.get("FC_BIN")
        if not fc_bin or not os.path.exists(fc_bin) or not fc.ENV.get("DATABASE_URL"):
            self.skipTest("no FC_BIN / DATABASE_URL in the stack's env")
        env = dict(os.environ, DATABASE_URL=fc.ENV["DATABASE_URL"])
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        data = doc if isinstance(doc, str) else json.dumps(doc)
        return subprocess.run([fc_bin, "import", slug, "-"], input=data, capture_output=True,
                              text=True, timeout=60, env=env, cwd=fc.REPO)

    def test_import_creates_and_is_idempotent(self):
        h = fc.Hotel("imp")
        p = self.run_import(h.slug, h.body())
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["hotel"], h.slug)
        self.assertIs(out["hotel_created"], True)
        self.assertEqual(out["staff"], {"created": len(h.staff), "updated": 0, "unchanged": 0})
        rows = fc.assert_json(fc.admin("GET", h.path("staff/")), 200)
        self.assertEqual({r["id"] for r in rows}, {s["id"] for s in h.staff})
        h.login("manager")
        p = self.run_import(h.slug, h.body())
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertIs(out["hotel_created"], False)
        for s in SECTIONS:
            self.assertEqual(out[s]["created"] + out[s]["updated"], 0, out)

    def test_import_bad_row_changes_nothing(self):
        h = fc.Hotel("impbad")
        b = h.body()
        b["staff"][1]["department_id"] = h.base + 999
        p = self.run_import(h.slug, b)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("staff[1].department_id", p.stderr)
        fc.assert_error(fc.admin("GET", h.path("staff/")), 404, "NOT_FOUND")
        p = self.run_import(h.slug, "{not json")
        self.assertNotEqual(p.returncode, 0)
        p = self.run_import("Bad_Slug", h.body())
        self.assertNotEqual(p.returncode, 0)
