"""Face data (contract 5.2-5.4): register-face — descriptor validation
(INVALID_FACE_DATA), who may register whom, the rule order (descriptor →
hotel → department → self-registration → consent), REGISTERED vs
RE_REGISTERED; revoke-face — reason rules, who may revoke, 404 without face
data, the face unrecognised afterwards; PMS deactivation revoking at once.
Every refused request is checked to have written nothing."""

import json

import fc
from attendance.att import AttCase, AttHotel, near, person, staff_name

REG = "register-face/"


def bad_descriptors():
    """(label, raw JSON text of the descriptor value) — all INVALID_FACE_DATA."""
    ok = [0.01] * 128
    return [
        ("127 numbers", json.dumps(ok[:127])),
        ("129 numbers", json.dumps(ok + [0.0])),
        ("empty", "[]"),
        ("a string inside", json.dumps(ok[:127] + ["0.1"])),
        ("null inside", json.dumps(ok[:127] + [None])),
        ("bool inside", json.dumps(ok[:127] + [True])),
        ("nested", json.dumps(ok[:127] + [[0.1]])),
        ("object inside", json.dumps(ok[:127] + [{"x": 1}])),
        ("all nested", json.dumps([[x] for x in ok])),
        ("a string", '"0.1,0.2"'),
        ("a number", "0.5"),
        ("null", "null"),
        ("an object", json.dumps({str(i): 0.1 for i in range(128)})),
        ("overflow 1e999", "[" + ",".join(["0.1"] * 127 + ["1e999"]) + "]"),
        ("overflow -1e400", "[" + ",".join(["-1e400"] + ["0.1"] * 127) + "]"),
    ]


def reg(h, body, **cred):
    return fc.post(h.att(REG), json=body, **cred)


class RegisterFace(AttCase):
    @classmethod
    def setUpClass(cls):
        cls.h = AttHotel("reg").make()

    def test_descriptor_validation(self):
        h = self.h
        before = h.state()
        for label, raw in bad_descriptors() + [("missing", None)]:
            with self.subTest(label=label):
                text = '{"consent_given": true%s}' % ("" if raw is None else ', "descriptor": ' + raw)
                r = fc.post(h.att(REG), body=text, token=h.login("staff"))
                fc.assert_error(r, 400, "INVALID_FACE_DATA")
                # managers the same
                text2 = text[:-1] + ', "staff_id": %d}' % h.people[0]
                fc.assert_error(fc.post(h.att(REG), body=text2, token=h.login("manager")),
                                400, "INVALID_FACE_DATA")
        # NaN / Infinity are not JSON: refused either as bad JSON or bad face data
        for tok in ("NaN", "Infinity", "-Infinity"):
            with self.subTest(literal=tok):
                text = '{"consent_given": true, "descriptor": [%s]}' % ",".join(["0.1"] * 127 + [tok])
                r = fc.post(h.att(REG), body=text, token=h.login("staff"))
                body = fc.assert_json(r, 400)
                self.assertIn(body.get("code"), ("INVALID_FACE_DATA", "INVALID_JSON"), r)
        self.assertEqual(h.state(), before)

    def test_integers_and_extremes_are_numbers(self):
        h = AttHotel("regnum").make()
        desc = [0] * 64 + [1] * 32 + [-1.5e-3] * 31 + [1e5]
        r = fc.post(h.att(REG), json={"descriptor": desc, "consent_given": True, "staff_id": h.people[0]},
                    token=h.login("manager"))
        fc.assert_json(r, 201)

    def test_staff_registers_self(self):
        h = AttHotel("regself").make()
        sid = h.users["staff"]["staff_id"]
        r = reg(h, {"descriptor": person(), "consent_given": True}, token=h.login("staff"))
        body = fc.assert_json(r, 201)
        self.assertEqual(set(body), {"message", "audit_log_id", "staff_id", "has_registered_face"}, body)
        self.assertEqual(body["message"], "Face descriptor registered.")
        self.assertEqual(body["staff_id"], sid)
        self.assertIs(body["has_registered_face"], True)
        self.assertIsInstance(body["audit_log_id"], int)
        # own id given explicitly: the same
        r = reg(h, {"descriptor": person(), "consent_given": True, "staff_id": sid},
                          token=h.login("staff"))
        body2 = fc.assert_json(r, 201)
        self.assertNotEqual(body2["audit_log_id"], body["audit_log_id"])
        rows = h.audit(sid)
        self.assertEqual([(x["id"], x["action"]) for x in rows],
                         [(body2["audit_log_id"], "RE_REGISTERED"), (body["audit_log_id"], "REGISTERED")])
        for row in rows:
            self.assertEqual(row["staff"], sid)
            self.assertEqual(row["staff_name"], staff_name(sid))
            self.assertEqual(row["performed_by"], sid)
            self.assertEqual(row["performed_by_name"], staff_name(sid))
            self.assertIs(row["consent_given"], True)
            self.assertEqual(row["hotel"], h.slug)
        staff = fc.assert_json(fc.admin("GET", h.path("staff/?limit=1000")), 200)
        self.assertIs([s for s in staff if s["id"] == sid][0]["has_registered_face"], True)
        # the descriptor is never given back
        for resp in (fc.admin("GET", h.path("staff/?limit=1000")), fc.admin("GET", h.att("face-audit-logs/"))):
            self.assertNotIn("descriptor", resp.text)

    def test_staff_cannot_register_someone_else(self):
        h = self.h
        before = h.state()
        for other in (h.people[0], h.users["manager"]["staff_id"]):
            r = reg(h, {"descriptor": person(), "consent_given": True, "staff_id": other},
                              token=h.login("staff"))
            fc.assert_error(r, 403, "FORBIDDEN")
        self.assertEqual(h.state(), before)

    def test_managers_register_anyone(self):
        h = AttHotel("regmgr").make()
        for i, cred in enumerate(({"token": h.login("manager")}, {"token": h.login("admin")},
                                  {"api_key": fc.ADMIN_KEY})):
            sid = h.people[i]
            r = reg(h, {"descriptor": person(), "consent_given": True, "staff_id": sid}, **cred)
            body = fc.assert_json(r, 201)
            self.assertEqual(body["staff_id"], sid)
            self.assertIs(body["has_registered_face"], True)
            row = h.audit(sid)[0]
            self.assertEqual(row["action"], "REGISTERED")
            self.assertEqual(row["id"], body["audit_log_id"])
            if "token" in cred:
                performer = h.users["manager" if i == 0 else "admin"]["staff_id"]
                self.assertEqual(row["performed_by"], performer)
                self.assertEqual(row["performed_by_name"], staff_name(performer))
        # the hr user, kiosks: no
        before = h.state()
        fc.assert_error(reg(h, {"descriptor": person(), "consent_given": True,
                                       "staff_id": h.people[3]}, token=h.login("hr")), 403, "FORBIDDEN")
        fc.assert_error(reg(h, {"descriptor": person(), "consent_given": True}, token=h.login("hr")),
                        403, "FORBIDDEN")
        fc.assert_error(reg(h, {"descriptor": person(), "consent_given": True,
                                       "staff_id": h.people[3]}, api_key=h.kiosk), 403, "FORBIDDEN")
        self.assertEqual(h.state(), before)

    def test_sysadmin_needs_staff_id(self):
        h = self.h
        before = h.state()
        r = reg(h, {"descriptor": person(), "consent_given": True}, api_key=fc.ADMIN_KEY)
        fc.assert_error(r, 400, "VALIDATION_ERROR", field="staff_id")
        self.assertEqual(h.state(), before)

    def test_unknown_foreign_inactive_staff(self):
        h = self.h
        other = AttHotel("regother").make()
        before = h.state()
        for sid in (h.base + 999, other.people[0], h.inactive["staff_id"]):
            for cred in ({"token": h.login("manager")}, {"api_key": fc.ADMIN_KEY}):
                with self.subTest(staff_id=sid, cred=list(cred)[0]):
                    r = reg(h, {"descriptor": person(), "consent_given": True, "staff_id": sid}, **cred)
                    fc.assert_error(r, 404, "NOT_FOUND")
        self.assertEqual(h.state(), before)
        self.assertEqual(other.db_count("face_data"), 0)

    def test_bad_staff_id_type(self):
        h = self.h
        for v in ("abc", -1, 0, 1.5, True, [1]):
            with self.subTest(staff_id=v):
                r = reg(h, {"descriptor": person(), "consent_given": True, "staff_id": v},
                                  token=h.login("manager"))
                self.assertIn(r.status, (400, 404), r)
                self.assertIn(r.json["code"], ("VALIDATION_ERROR", "NOT_FOUND"), r)

    def test_rule_order(self):
        """Each rule is checked only when every earlier one passes: switch
        the rules on from the last to the first and watch the error move."""
        h = AttHotel("regorder").make()
        staff_tok = h.login("staff")          # department dept[0]
        good = person()
        h.settings(face_attendance_enabled=False, face_attendance_departments=[h.dept[1]],
                   allow_face_self_registration=False, require_face_consent=True)
        before = h.state()
        bad = {"descriptor": [1.0] * 127, "consent_given": False}
        fc.assert_error(reg(h, bad, token=staff_tok), 400, "INVALID_FACE_DATA")
        body = {"descriptor": good, "consent_given": False}
        fc.assert_error(reg(h, body, token=staff_tok), 403, "FACE_DISABLED_FOR_HOTEL")
        h.settings(face_attendance_enabled=True)
        fc.assert_error(reg(h, body, token=staff_tok), 403, "FACE_DISABLED_FOR_DEPARTMENT")
        h.settings(face_attendance_departments=[h.dept[0]])
        fc.assert_error(reg(h, body, token=staff_tok), 403, "SELF_REGISTRATION_DISABLED")
        h.settings(allow_face_self_registration=True)
        fc.assert_error(reg(h, body, token=staff_tok), 400, "CONSENT_REQUIRED")
        self.assertEqual(h.state(), before)
        body["consent_given"] = True
        fc.assert_json(reg(h, body, token=staff_tok), 201)

    def test_hotel_disabled_for_managers_too(self):
        h = AttHotel("regoff").make()
        h.settings(face_attendance_enabled=False)
        for cred in ({"token": h.login("manager")}, {"api_key": fc.ADMIN_KEY}):
            r = reg(h, {"descriptor": person(), "consent_given": True, "staff_id": h.people[0]}, **cred)
            fc.assert_error(r, 403, "FACE_DISABLED_FOR_HOTEL")
        self.assertEqual(h.db_count("face_data"), 0)

    def test_departments(self):
        h = AttHotel("regdept").make()
        mgr = h.login("manager")
        # empty list: every department, and staff without one
        for sid in (h.people[0], h.people[1], h.no_dept):
            fc.assert_json(reg(h, {"descriptor": person(), "consent_given": True, "staff_id": sid},
                                         token=mgr), 201)
        h.settings(face_attendance_departments=[h.dept[0]])
        before = h.state()
        # people[1] is in dept[1]; no_dept has none: refused while the list is not empty
        for sid in (h.people[1], h.people[3], h.no_dept):
            with self.subTest(staff_id=sid):
                r = reg(h, {"descriptor": person(), "consent_given": True, "staff_id": sid}, token=mgr)
                fc.assert_error(r, 403, "FACE_DISABLED_FOR_DEPARTMENT")
        self.assertEqual(h.state(), before)
        fc.assert_json(reg(h, {"descriptor": person(), "consent_given": True,
                                      "staff_id": h.people[2]}, token=mgr), 201)
        # null means every department again
        h.settings(face_attendance_departments=None)
        fc.assert_json(reg(h, {"descriptor": person(), "consent_given": True,
                                      "staff_id": h.no_dept}, token=mgr), 201)

    def test_self_registration_disabled_whatever_the_role(self):
        h = AttHotel("regnoself").make()
        h.settings(allow_face_self_registration=False)
        before = h.state()
        for role in ("staff", "manager", "admin"):
            with self.subTest(role=role):
                fc.assert_error(reg(h, {"descriptor": person(), "consent_given": True},
                                              token=h.login(role)), 403, "SELF_REGISTRATION_DISABLED")
                own = h.users[role]["staff_id"]
                fc.assert_error(reg(h, {"descriptor": person(), "consent_given": True, "staff_id": own},
                                              token=h.login(role)), 403, "SELF_REGISTRATION_DISABLED")
        self.assertEqual(h.state(), before)
        # a manager registering someone else is not self-registration
        fc.assert_json(reg(h, {"descriptor": person(), "consent_given": True, "staff_id": h.people[0]},
                                     token=h.login("manager")), 201)
        # neither is the system administrator
        fc.assert_json(reg(h, {"descriptor": person(), "consent_given": True,
                                      "staff_id": h.users["staff"]["staff_id"]}, api_key=fc.ADMIN_KEY), 201)

    def test_consent(self):
        h = AttHotel("regconsent").make()
        before = h.state()
        for v in (False, "true", 1, None, "yes", [True], {}):
            with self.subTest(consent=v):
                fc.assert_error(reg(h, {"descriptor": person(), "consent_given": v},
                                              token=h.login("staff")), 400, "CONSENT_REQUIRED")
                fc.assert_error(reg(h, {"descriptor": person(), "consent_given": v,
                                               "staff_id": h.people[0]}, token=h.login("manager")),
                                400, "CONSENT_REQUIRED")
        fc.assert_error(reg(h, {"descriptor": person()}, token=h.login("staff")), 400, "CONSENT_REQUIRED")
        self.assertEqual(h.state(), before)
        # consent is the last rule: a consent_given that is not true never hides an earlier one
        h.settings(face_attendance_enabled=False)
        for v in (False, "true", 1, None):
            with self.subTest(consent=v, hotel="disabled"):
                fc.assert_error(reg(h, {"descriptor": person(), "consent_given": v}, token=h.login("staff")),
                                403, "FACE_DISABLED_FOR_HOTEL")
        h.settings(face_attendance_enabled=True)
        h.settings(require_face_consent=False)
        fc.assert_json(reg(h, {"descriptor": person()}, token=h.login("staff")), 201)
        fc.assert_json(reg(h, {"descriptor": person(), "consent_given": False,
                                      "staff_id": h.people[0]}, token=h.login("manager")), 201)

    def test_reregistration_replaces(self):
        h = AttHotel("regre").make()
        sid = h.people[0]
        old = h.register(sid)
        new = person()
        r = reg(h, {"descriptor": new, "consent_given": True, "staff_id": sid}, token=h.login("manager"))
        body = fc.assert_json(r, 201)
        self.assertEqual(h.audit(sid)[0]["action"], "RE_REGISTERED")
        self.assertEqual(h.audit(sid)[0]["id"], body["audit_log_id"])
        self.assertEqual(h.db_count("face_data", "staff_id = %d" % sid), 1)
        # the old face is gone, the new one matches
        fc.assert_error(h.scan(near(old, 0.1)), 404, "FACE_NOT_RECOGNIZED")
        r = h.scan(near(new, 0.1))
        self.assertEqual(fc.assert_json(r, 200)["action"], "unrostered_detected")


class RevokeFace(AttCase):
    @classmethod
    def setUpClass(cls):
        cls.h = AttHotel("rev", extra=12).make()

    def revoke(self, sid, body, **cred):
        return fc.delete(self.h.att("revoke-face/%d/" % sid), json=body, **cred)

    def test_manager_revokes(self):
        h = self.h
        sid = h.people[0]
        desc = h.register(sid)
        self.assertEqual(fc.assert_json(h.scan(near(desc, 0.2)), 200)["action"], "unrostered_detected")
        r = self.revoke(sid, {"reason": "Staff departure"}, token=h.login("manager"))
        body = fc.assert_json(r, 200)
        self.assertEqual({k: body.get(k) for k in ("message", "staff_id", "has_registered_face")},
                         {"message": "Face data revoked for %s." % staff_name(sid),
                          "staff_id": sid, "has_registered_face": False})
        row = h.audit(sid)[0]
        self.assertEqual(row["action"], "REVOKED")
        self.assertEqual(row["reason"], "Staff departure")
        self.assertEqual(row["performed_by"], h.users["manager"]["staff_id"])
        self.assertEqual(h.db_count("face_data", "staff_id = %d" % sid), 0)
        staff = fc.assert_json(fc.admin("GET", h.path("staff/?limit=1000")), 200)
        self.assertIs([s for s in staff if s["id"] == sid][0]["has_registered_face"], False)
        # the face is no longer recognised
        before = h.state()
        fc.assert_error(h.scan(near(desc, 0.2)), 404, "FACE_NOT_RECOGNIZED")
        fc.assert_error(h.scan(desc), 404, "FACE_NOT_RECOGNIZED")
        self.assertEqual(h.state(), before)
        # a second revoke: nothing to revoke
        fc.assert_error(self.revoke(sid, {"reason": "again"}, token=h.login("manager")), 404, "NOT_FOUND")
        self.assertEqual(h.state(), before)

    def test_admin_and_sysadmin_revoke(self):
        h = self.h
        for i, cred in ((1, {"token": h.login("admin")}), (2, {"api_key": fc.ADMIN_KEY})):
            sid = h.people[i]
            h.register(sid)
            fc.assert_json(self.revoke(sid, {"reason": "r%d" % i}, **cred), 200)
            self.assertEqual(h.audit(sid)[0]["reason"], "r%d" % i)

    def test_staff_revokes_own(self):
        h = self.h
        sid = h.users["staff"]["staff_id"]
        desc = h.register(sid)
        other = h.people[3]
        h.register(other)
        before = h.state()
        # someone else's: forbidden
        fc.assert_error(self.revoke(other, {"reason": "x"}, token=h.login("staff")), 403, "FORBIDDEN")
        self.assertEqual(h.state(), before)
        r = self.revoke(sid, {"reason": "I withdraw my consent"}, token=h.login("staff"))
        self.assertEqual(fc.assert_json(r, 200)["staff_id"], sid)
        row = h.audit(sid)[0]
        self.assertEqual((row["action"], row["reason"], row["performed_by"]),
                         ("REVOKED", "I withdraw my consent", sid))
        fc.assert_error(h.scan(near(desc, 0.1)), 404, "FACE_NOT_RECOGNIZED")

    def test_hr_and_kiosk_cannot(self):
        h = self.h
        sid = h.people[4]
        h.register(sid)
        before = h.state()
        fc.assert_error(self.revoke(sid, {"reason": "x"}, token=h.login("hr")), 403, "FORBIDDEN")
        fc.assert_error(self.revoke(sid, {"reason": "x"}, api_key=h.kiosk), 403, "FORBIDDEN")
        fc.assert_error(self.revoke(sid, {"reason": "x"}), 401, "UNAUTHENTICATED")
        self.assertEqual(h.state(), before)

    def test_reason_rules(self):
        h = self.h
        sid = h.people[5]
        h.register(sid)
        before = h.state()
        # no body at all: refused (as a missing reason, or as a body that is not a JSON object)
        r = self.revoke(sid, None, token=h.login("manager"))
        if r.json.get("code") == "INVALID_JSON":
            fc.assert_error(r, 400, "INVALID_JSON")
        else:
            fc.assert_error(r, 400, "VALIDATION_ERROR", field="reason")
        for body in ({}, {"reason": ""}, {"reason": None}, {"reason": 5}, {"reason": ["x"]},
                     {"reason": "x" * 501}, {"reason": "é" * 501}):
            with self.subTest(body=str(body)[:40]):
                r = self.revoke(sid, body, token=h.login("manager"))
                fc.assert_error(r, 400, "VALIDATION_ERROR", field="reason")
        self.assertEqual(h.state(), before)
        # 500 characters (not bytes) is fine
        reason = "é" * 500
        fc.assert_json(self.revoke(sid, {"reason": reason}, token=h.login("manager")), 200)
        self.assertEqual(h.audit(sid)[0]["reason"], reason)

    def test_unknown_foreign_no_face(self):
        h = self.h
        other = AttHotel("revother").make()
        osid = other.people[0]
        other.register(osid)
        before, obefore = h.state(), other.state()
        for sid in (h.base + 998, osid, h.people[6]):    # people[6] has no face data
            with self.subTest(staff_id=sid):
                fc.assert_error(self.revoke(sid, {"reason": "x"}, token=h.login("manager")), 404, "NOT_FOUND")
                fc.assert_error(self.revoke(sid, {"reason": "x"}, api_key=fc.ADMIN_KEY), 404, "NOT_FOUND")
        self.assertEqual(h.state(), before)
        self.assertEqual(other.state(), obefore)

    def test_pms_deactivation_revokes(self):
        h = self.h
        sid = h.people[7]
        desc = h.register(sid)
        row = [dict(r) for r in h.staff if r["id"] == sid][0]
        row["is_active"] = False
        body = fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        self.assertEqual(body["face_data_revoked"], 1)
        fc.assert_error(h.scan(near(desc, 0.1)), 404, "FACE_NOT_RECOGNIZED")
        a = h.audit(sid)[0]
        self.assertEqual((a["action"], a["reason"]), ("REVOKED", "staff departure"))
        # an inactive person cannot be registered again
        r = fc.post(h.att(REG), json={"descriptor": desc, "consent_given": True, "staff_id": sid},
                    token=h.login("manager"))
        fc.assert_error(r, 404, "NOT_FOUND")
