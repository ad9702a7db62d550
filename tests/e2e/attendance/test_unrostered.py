"""The unrostered flow (contract 5.5-5.7): unrostered_detected (every field,
nothing written), unrostered-confirm, force-log by kiosk (token + reason)
and by managers (staff_id + reason, or a token), face-clock-in with
force_log; confirmation tokens reused, tampered, forged, of another hotel
or staff member → 403; 409 ALREADY_CLOCKED_IN; the review queue
(pending-approval, paging) and approve/reject.

The 120 s expiry itself is unit-tested (ctoken_check with a clock); here
the expiry field is tampered with, and the real wait runs only with
FC_E2E_SLOW=1."""

import os
import time
import unittest

import fc
from attendance.att import AttCase, AttHotel, near, person, staff_name

CONFIRM = "unrostered-confirm/"
FORCE = "force-log/"
PENDING = "pending-approval/"
PENDING_FIELDS = {"staff_name", "department_id", "force_reason"}


def tamper_char(tok, pos):
    c = tok[pos]
    repl = "0" if c != "0" else "1"
    if not c.isalnum():
        repl = c
    return tok[:pos] + repl + tok[pos + 1:]


class Unrostered(AttCase):
    @classmethod
    def setUpClass(cls):
        cls.h = AttHotel("unr", extra=24).make()
        cls.h.settings(duplicate_scan_seconds=0)
        cls.next = 0

    def person(self):
        """A registered staff member of its own for one test, and the face."""
        sid = self.h.people[type(self).next]
        type(self).next += 1
        return sid, self.h.register(sid)

    def detect(self, desc):
        r = self.h.scan(near(desc, 0.1))
        body = fc.assert_json(r, 200)
        self.assertEqual(body["action"], "unrostered_detected", body)
        return body

    def confirm(self, token, **cred):
        cred = cred or {"api_key": self.h.kiosk}
        return fc.post(self.h.att(CONFIRM), json={"confirmation_token": token}, **cred)

    def force(self, body, **cred):
        cred = cred or {"api_key": self.h.kiosk}
        return fc.post(self.h.att(FORCE), json=body, **cred)

    def assert_unrostered_log(self, r, sid, forced=False, scanned=False):
        body = self.assert_clock(r, 201, "CLOCK_IN", sid, self.h, scanned=scanned)
        self.assertIs(body["is_rostered"], False)
        self.assertIsNone(body["shift_info"])
        self.assertIs(body["log"]["is_unrostered"], True)
        self.assertIs(body["log"]["is_approved"], False)
        self.assertIsNone(body["log"]["roster_shift_id"])
        self.assertIsNone(body["log"]["time_out"])
        if forced:
            self.assertIsInstance(body.get("audit_log_id"), int, body)
        rows = self.h.db_logs(sid)
        self.assertEqual([(x["id"], x["open"], x["is_unrostered"], x["is_approved"]) for x in rows],
                         [(body["log"]["id"], True, True, False)])
        return body

    # ---------------------------------------------------------- detection

    def test_detected_answer(self):
        h = self.h
        sid, desc = self.person()
        before = h.state()
        body = self.detect(desc)
        base = "/api/staff/hotel/%s/attendance/clock-logs/" % h.slug
        self.assertEqual(body["code"], "NOT_ROSTERED")
        self.assertIsInstance(body["message"], str)
        self.assertTrue(body["message"])
        self.assertEqual(body["staff"], {"id": sid, "name": staff_name(sid),
                                         "department": h.dept_name(h.dept_of(sid))})
        self.assertIs(body["requires_confirmation"], True)
        self.assertIs(body["force_log_available"], True)
        self.assertEqual(body["confirmation_endpoint"], base + CONFIRM)
        self.assertEqual(body["force_log_endpoint"], base + FORCE)
        self.assertIsInstance(body["confirmation_token"], str)
        self.assertGreaterEqual(len(body["confirmation_token"]), 16)
        self.assertAlmostEqual(body["confidence"], round(1 - 0.1 / 3, 3), delta=0.0011)
        self.assertEqual(h.state(), before)
        # each scan its own token
        self.assertNotEqual(self.detect(desc)["confirmation_token"], body["confirmation_token"])
        self.assertEqual(h.state(), before)

    def test_confirm(self):
        h = self.h
        sid, desc = self.person()
        tok = self.detect(desc)["confirmation_token"]
        body = self.assert_unrostered_log(self.confirm(tok), sid)
        self.assertIs(body["log"]["verified_by_face"], True)
        # no audit row for a plain confirmation
        self.assertEqual(h.audit(sid, action="FORCED_CLOCK_IN"), [])
        self.assert_reuse_refused(tok, sid, desc)

    def assert_reuse_refused(self, tok, sid, desc):
        """A used token: while the session it opened is open, refused as
        403 (token) or 409 (open session) — the contract orders neither;
        once the person has clocked out, 403 FORBIDDEN, nothing written."""
        h = self.h
        before = h.state()
        for r in (self.confirm(tok), self.force({"confirmation_token": tok, "reason": "again"})):
            self.assertIn(r.status, (403, 409), r)
            fc.assert_error(r, r.status, "FORBIDDEN" if r.status == 403 else "ALREADY_CLOCKED_IN")
        self.assertEqual(h.state(), before)
        self.assert_clock(h.scan(desc), 200, "CLOCK_OUT", sid, h)
        before = h.state()
        fc.assert_error(self.confirm(tok), 403, "FORBIDDEN")
        fc.assert_error(self.force({"confirmation_token": tok, "reason": "again"}), 403, "FORBIDDEN")
        self.assertEqual(h.state(), before)

    def test_clock_out_of_an_unrostered_session(self):
        h = AttHotel("unrout").make()
        sid = h.people[0]
        desc = h.register(sid)
        h.settings(duplicate_scan_seconds=0)
        tok = fc.assert_json(h.scan(desc), 200)["confirmation_token"]
        log = fc.assert_json(fc.post(h.att(CONFIRM), json={"confirmation_token": tok}, api_key=h.kiosk), 201)["log"]
        body = self.assert_clock(h.scan(desc), 200, "CLOCK_OUT", sid, h)
        self.assertEqual(body["log"]["id"], log["id"])
        self.assertIs(body["is_rostered"], False)
        self.assertIsNone(body["shift_info"])
        self.assertIs(body["overtime_threshold_reached"], False)

    def test_kiosk_force_log(self):
        h = self.h
        sid, desc = self.person()
        tok = self.detect(desc)["confirmation_token"]
        before = h.state()
        fc.assert_error(self.force({"confirmation_token": tok}), 400, "VALIDATION_ERROR", field="reason")
        fc.assert_error(self.force({"confirmation_token": tok, "reason": ""}), 400, "VALIDATION_ERROR",
                        field="reason")
        fc.assert_error(self.force({"reason": "no token"}), 400, "VALIDATION_ERROR", field="confirmation_token")
        # a kiosk cannot name a staff member instead of a token
        fc.assert_error(self.force({"staff_id": sid, "reason": "x"}), 400, "VALIDATION_ERROR",
                        field="confirmation_token")
        self.assertEqual(h.state(), before)
        # the refused attempts did not use the token up
        body = self.assert_unrostered_log(self.force({"confirmation_token": tok, "reason": "Covering a sick colleague"}),
                                          sid, forced=True)
        audit = h.audit(sid, action="FORCED_CLOCK_IN")
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0]["id"], body["audit_log_id"])
        self.assertEqual(audit[0]["reason"], "Covering a sick colleague")
        pend = [p for p in self.pending(h) if p["id"] == body["log"]["id"]]
        self.assertEqual(len(pend), 1)
        self.assertEqual(pend[0]["force_reason"], "Covering a sick colleague")
        self.assert_reuse_refused(tok, sid, desc)

    def test_confirm_needs_a_token(self):
        h = self.h
        before = h.state()
        for body in ({}, {"confirmation_token": ""}, {"confirmation_token": None}, {"confirmation_token": 5}):
            with self.subTest(body=body):
                r = fc.post(h.att(CONFIRM), json=body, api_key=h.kiosk)
                self.assertIn(r.status, (400, 403), r)
                fc.assert_error(r, r.status, "VALIDATION_ERROR" if r.status == 400 else "FORBIDDEN")
        fc.assert_error(fc.post(h.att(CONFIRM), json={}, api_key=h.kiosk), 400, "VALIDATION_ERROR",
                        field="confirmation_token")
        self.assertEqual(h.state(), before)

    def test_manager_force_log(self):
        h = self.h
        sid, _ = self.person()
        before = h.state()
        mgr = {"token": h.login("manager")}
        fc.assert_error(self.force({"staff_id": sid}, **mgr), 400, "VALIDATION_ERROR", field="reason")
        fc.assert_error(self.force({"staff_id": sid, "reason": ""}, **mgr), 400, "VALIDATION_ERROR",
                        field="reason")
        fc.assert_error(self.force({"reason": "who?"}, **mgr), 400, "VALIDATION_ERROR")
        fc.assert_error(self.force({"staff_id": h.base + 997, "reason": "x"}, **mgr), 404, "NOT_FOUND")
        fc.assert_error(self.force({"staff_id": h.inactive["staff_id"], "reason": "x"}, **mgr), 404, "NOT_FOUND")
        self.assertEqual(h.state(), before)
        body = self.assert_unrostered_log(self.force({"staff_id": sid, "reason": "Phoned in"}, **mgr),
                                          sid, forced=True)
        audit = h.audit(sid, action="FORCED_CLOCK_IN")
        self.assertEqual([(a["id"], a["reason"], a["performed_by"]) for a in audit],
                         [(body["audit_log_id"], "Phoned in", h.users["manager"]["staff_id"])])
        # a second one while the session is open
        before = h.state()
        fc.assert_error(self.force({"staff_id": sid, "reason": "again"}, **mgr), 409, "ALREADY_CLOCKED_IN")
        self.assertEqual(h.state(), before)

    def test_admin_and_sysadmin_force_log(self):
        h = self.h
        for cred in ({"token": h.login("admin")}, {"api_key": fc.ADMIN_KEY}):
            sid, _ = self.person()
            self.assert_unrostered_log(self.force({"staff_id": sid, "reason": "ok"}, **cred), sid, forced=True)

    def test_manager_force_log_with_token(self):
        h = self.h
        sid, desc = self.person()
        tok = self.detect(desc)["confirmation_token"]
        self.assert_unrostered_log(self.force({"confirmation_token": tok, "reason": "seen"},
                                              token=h.login("manager")), sid, forced=True)

    def test_force_log_even_without_face_data(self):
        """A manager may force-log someone who never registered a face."""
        h = self.h
        sid = h.people[type(self).next]
        type(self).next += 1
        self.assert_unrostered_log(self.force({"staff_id": sid, "reason": "no face yet"},
                                              token=h.login("manager")), sid, forced=True)

    def test_scan_with_force_log(self):
        h = self.h
        sid, desc = self.person()
        before = h.state()
        for extra in ({}, {"force_reason": ""}, {"force_reason": None}):
            with self.subTest(extra=extra):
                r = h.scan(desc, force_log=True, **extra)
                fc.assert_error(r, 400, "VALIDATION_ERROR")
        self.assertEqual(h.state(), before)
        body = self.assert_unrostered_log(h.scan(near(desc, 0.1), force_log=True, force_reason="Emergency cover"),
                                          sid, forced=True, scanned=True)
        self.assertAlmostEqual(body["confidence"], round(1 - 0.1 / 3, 3), delta=0.0011)
        audit = h.audit(sid, action="FORCED_CLOCK_IN")
        self.assertEqual([(a["id"], a["reason"]) for a in audit], [(body["audit_log_id"], "Emergency cover")])
        # force_log false is the plain detection
        sid2, desc2 = self.person()
        self.assertEqual(fc.assert_json(h.scan(desc2, force_log=False, force_reason="x"), 200)["action"],
                         "unrostered_detected")

    def test_already_open_session(self):
        h = self.h
        sid, desc = self.person()
        tok1 = self.detect(desc)["confirmation_token"]
        tok2 = self.detect(desc)["confirmation_token"]
        tok3 = self.detect(desc)["confirmation_token"]
        self.assert_unrostered_log(self.confirm(tok1), sid)
        before = h.state()
        fc.assert_error(self.confirm(tok2), 409, "ALREADY_CLOCKED_IN")
        fc.assert_error(self.force({"confirmation_token": tok3, "reason": "r"}), 409, "ALREADY_CLOCKED_IN")
        self.assertEqual(h.state(), before)

    # ------------------------------------------------------------- tokens

    def test_tampered_tokens(self):
        h = self.h
        sid, desc = self.person()
        other_sid, other_desc = self.person()
        tok = self.detect(desc)["confirmation_token"]
        other_tok = self.detect(other_desc)["confirmation_token"]
        forged = []
        parts = tok.split(".")
        if len(parts) >= 3 and all(p.isdigit() for p in parts[:3]):
            # "<hotel>.<staff>.<expires>.<nonce>.<mac>": a later expiry, another staff member
            forged.append(".".join(parts[:2] + [str(int(parts[2]) + 3600)] + parts[3:]))
            forged.append(".".join([parts[0], str(other_sid)] + parts[2:]))
            forged.append(".".join(parts[:-1] + [other_tok.split(".")[-1]]))
        for pos in (0, len(tok) // 2, len(tok) - 1):
            forged.append(tamper_char(tok, pos))
        forged += [tok + "0", tok[:-1], "abc", "x" * 100]
        forged = [f for f in forged if f != tok]
        before = h.state()
        for f in forged:
            with self.subTest(token=f[:60]):
                fc.assert_error(self.confirm(f), 403, "FORBIDDEN")
                fc.assert_error(self.force({"confirmation_token": f, "reason": "r"}), 403, "FORBIDDEN")
        # far too long to be a token: forged all the same
        for f in ("x" * 300, tok + "." + "0" * 200, "y" * 4000):
            fc.assert_error(self.confirm(f), 403, "FORBIDDEN")
            fc.assert_error(self.force({"confirmation_token": f, "reason": "r"}), 403, "FORBIDDEN")
        self.assertEqual(h.state(), before)
        # the genuine ones still work after all that
        self.assert_unrostered_log(self.confirm(tok), sid)
        self.assert_unrostered_log(self.confirm(other_tok), other_sid)

    def test_other_hotels_token(self):
        h = self.h
        b = AttHotel("unrb").make()
        bsid = b.people[0]
        bdesc = b.register(bsid)
        btok = fc.assert_json(b.scan(bdesc), 200)["confirmation_token"]
        before, bbefore = h.state(), b.state()
        fc.assert_error(self.confirm(btok), 403, "FORBIDDEN")
        fc.assert_error(self.force({"confirmation_token": btok, "reason": "r"}), 403, "FORBIDDEN")
        fc.assert_error(self.force({"confirmation_token": btok, "reason": "r"}, token=h.login("manager")),
                        403, "FORBIDDEN")
        # hotel A's kiosk at hotel B's path: the hotel is not its own
        fc.assert_error(fc.post(b.att(CONFIRM), json={"confirmation_token": btok}, api_key=h.kiosk),
                        404, "NOT_FOUND")
        self.assertEqual((h.state(), b.state()), (before, bbefore))
        fc.assert_json(fc.post(b.att(CONFIRM), json={"confirmation_token": btok}, api_key=b.kiosk), 201)

    @unittest.skipUnless(os.environ.get("FC_E2E_SLOW"), "waits 2 minutes; set FC_E2E_SLOW=1")
    def test_token_expires_after_120_s(self):
        h = self.h
        sid, desc = self.person()
        tok = self.detect(desc)["confirmation_token"]
        tok2 = self.detect(desc)["confirmation_token"]
        time.sleep(115)
        self.assert_unrostered_log(self.confirm(tok), sid)
        time.sleep(10)
        fc.assert_error(self.force({"confirmation_token": tok2, "reason": "late"}), 403, "FORBIDDEN")

    # ------------------------------------------------------------- review

    def pending(self, h, **cred):
        cred = cred or {"token": h.login("manager")}
        return fc.assert_json(fc.get(h.att(PENDING + "?limit=1000"), **cred), 200)

    def test_pending_and_approve(self):
        h = AttHotel("unrrev", extra=6).make()
        mgr = {"token": h.login("manager")}
        p = h.people
        logs = {}
        for sid, why in ((p[0], "a"), (p[1], "b"), (p[2], "c")):
            body = fc.assert_json(fc.post(h.att(FORCE), json={"staff_id": sid, "reason": why}, **mgr), 201)
            logs[sid] = body["log"]["id"]
            time.sleep(1.05)      # distinct time_in seconds
        desc = h.register(p[3])
        tok = fc.assert_json(h.scan(desc), 200)["confirmation_token"]
        logs[p[3]] = fc.assert_json(fc.post(h.att(CONFIRM), json={"confirmation_token": tok},
                                            api_key=h.kiosk), 201)["log"]["id"]
        # a rostered session is not pending
        rdesc = h.register(p[4])
        h.shift_now(p[4])
        rostered = fc.assert_json(h.scan(rdesc), 201)["log"]["id"]
        rows = self.pending(h)
        self.assertEqual(sorted(r["id"] for r in rows), sorted(logs.values()))
        by_id = {r["id"]: r for r in rows}
        for sid, lid in logs.items():
            row = by_id[lid]
            self.assertTrue(PENDING_FIELDS <= set(row), row)
            self.assert_log(row, sid)
            self.assertEqual(row["staff_name"], staff_name(sid))
            self.assertEqual(row["department_id"], h.dept_of(sid))
            self.assertIs(row["is_unrostered"], True)
            self.assertIs(row["is_approved"], False)
        self.assertEqual(by_id[logs[p[0]]]["force_reason"], "a")
        self.assertIn(by_id[logs[p[3]]]["force_reason"], (None, ""))
        # paging
        r = fc.get(h.att(PENDING + "?limit=2"), **mgr)
        page1 = fc.assert_json(r, 200)
        self.assertEqual(len(page1), 2)
        self.assertEqual(r.header("X-Total-Count"), "4")
        nxt = fc.link_next(r)
        self.assertIsNotNone(nxt, "no Link rel=next")
        r2 = fc.get(nxt, **mgr)
        page2 = fc.assert_json(r2, 200)
        self.assertEqual(len(page2), 2)
        self.assertEqual(sorted(x["id"] for x in page1 + page2), sorted(logs.values()))
        self.assertIsNone(fc.link_next(r2))
        # approve one, reject one
        r = fc.post(h.att("%d/approve/" % logs[p[0]]), json={"approved": True, "note": "fine"}, **mgr)
        body = fc.assert_json(r, 200)
        self.assert_log(body, p[0])
        self.assertEqual(body["id"], logs[p[0]])
        self.assertIs(body["is_approved"], True)
        self.assertEqual(body["approval_note"], "fine")
        self.assertIsNotNone(body["approved_by"])
        t = fc.parse_ts(body["approved_at"])
        self.assertLessEqual(abs(t - time.time()), 10)
        r = fc.post(h.att("%d/approve/" % logs[p[1]]), json={"approved": False, "note": "no shift"},
                    token=h.login("admin"))
        body = fc.assert_json(r, 200)
        self.assertIs(body["is_approved"], False)
        self.assertEqual(body["approval_note"], "no shift")
        fc.parse_ts(body["approved_at"])
        # without a note
        body = fc.assert_json(fc.post(h.att("%d/approve/" % logs[p[2]]), json={"approved": True},
                                      api_key=fc.ADMIN_KEY), 200)
        self.assertIs(body["is_approved"], True)
        fc.parse_ts(body["approved_at"])
        rows = self.pending(h)
        self.assertEqual([r["id"] for r in rows], [logs[p[3]]])
        self.assertEqual(fc.get(h.att(PENDING), **mgr).header("X-Total-Count"), "1")
        # already reviewed, or not unrostered: 409; nothing changes
        before = h.state()
        for lid in (logs[p[0]], logs[p[1]], rostered):
            for approved in (True, False):
                with self.subTest(log=lid, approved=approved):
                    fc.assert_error(fc.post(h.att("%d/approve/" % lid), json={"approved": approved}, **mgr),
                                    409, "CONFLICT")
        self.assertEqual(h.state(), before)
        # approved missing or not a boolean
        for body in ({}, {"note": "x"}, {"approved": "yes"}, {"approved": 1}, {"approved": None}):
            with self.subTest(body=body):
                fc.assert_error(fc.post(h.att("%d/approve/" % logs[p[3]]), json=body, **mgr),
                                400, "VALIDATION_ERROR", field="approved")
        # unknown log, another hotel's log
        other = AttHotel("unrrevb").make()
        olog = fc.assert_json(fc.post(other.att(FORCE), json={"staff_id": other.people[0], "reason": "x"},
                                      api_key=fc.ADMIN_KEY), 201)["log"]["id"]
        for lid in (999999999, olog):
            fc.assert_error(fc.post(h.att("%d/approve/" % lid), json={"approved": True}, **mgr), 404, "NOT_FOUND")
        self.assertEqual(h.state(), before)
        self.assertEqual([r["id"] for r in self.pending(other, api_key=fc.ADMIN_KEY)], [olog])
        # who may review
        for cred in ({"token": h.login("hr")}, {"token": h.login("staff")}, {"api_key": h.kiosk}):
            fc.assert_error(fc.get(h.att(PENDING), **cred), 403, "FORBIDDEN")
            fc.assert_error(fc.post(h.att("%d/approve/" % logs[p[3]]), json={"approved": True}, **cred),
                            403, "FORBIDDEN")
        self.assertEqual(h.state(), before)
        self.assertEqual(len(self.pending(h, token=h.login("admin"))), 1)

    def test_no_self_approval(self):
        """A manager's own log awaiting review is refused to them (403
        SELF_APPROVAL, before whether it is pending); another reviewer
        decides it."""
        h = AttHotel("unrself", extra=1).make()
        me = h.users["manager"]["staff_id"]
        mgr = {"token": h.login("manager")}
        lid = fc.assert_json(fc.post(h.att(FORCE), json={"staff_id": me, "reason": "own"}, **mgr),
                             201)["log"]["id"]
        before = h.state()
        for approved in (True, False):
            with self.subTest(approved=approved):
                fc.assert_error(fc.post(h.att("%d/approve/" % lid), json={"approved": approved, "note": "me"},
                                        **mgr), 403, "SELF_APPROVAL")
        self.assertEqual(h.state(), before)
        self.assertEqual([r["id"] for r in self.pending(h)], [lid])
        body = fc.assert_json(fc.post(h.att("%d/approve/" % lid), json={"approved": False},
                                      token=h.login("admin")), 200)
        self.assertEqual(body["approved_by"], h.users["admin"]["staff_id"])
        # decided now, and still the manager's own: refused as their own
        fc.assert_error(fc.post(h.att("%d/approve/" % lid), json={"approved": True}, **mgr),
                        403, "SELF_APPROVAL")

    def test_pending_oldest_or_newest_consistent(self):
        """Whatever the order, paging with limit=1 walks every row once."""
        h = AttHotel("unrpage", extra=6).make()
        ids = set()
        for sid in h.people[:5]:
            ids.add(fc.assert_json(fc.post(h.att(FORCE), json={"staff_id": sid, "reason": "x"},
                                           api_key=fc.ADMIN_KEY), 201)["log"]["id"])
        seen = []
        path = h.att(PENDING + "?limit=1")
        while path:
            r = fc.get(path, token=h.login("manager"))
            page = fc.assert_json(r, 200)
            self.assertEqual(r.header("X-Total-Count"), "5")
            seen += [x["id"] for x in page]
            path = fc.link_next(r)
            self.assertLessEqual(len(seen), 10)
        self.assertEqual(sorted(seen), sorted(ids))
