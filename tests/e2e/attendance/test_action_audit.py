"""The action audit log (sql/012_action_audit.sql): every state change that
is not a face event leaves one row, written in the change's own transaction,
naming its actor (never empty), with old and new values where a value
changed: settings, reviews, kiosk keys, sign-ins and sign-outs, PMS role,
password, login and activity changes, the device lifecycle and pushes.
GET .../action-audit-logs/ lists them with filters, pages and a CSV export
carrying the chain's head; the system's rows (a failed sign-in of an unknown
name) are the system administrator's, at /api/action-audit-logs/. The rows
join their hotel's audit chain, so `faceclock audit-verify` walks them too
and names an edited one."""

import csv
import io
import unittest

import fc
from attendance.att import AttHotel


def rows(h, **q):
    """Every action row of the hotel (as the admin key reads them), newest first."""
    qs = "&".join("%s=%s" % kv for kv in q.items())
    return fc.assert_json(fc.admin("GET", h.path("action-audit-logs/?limit=1000&" + qs)), 200)


def superuser(sql):
    return fc.psql("BEGIN; SET LOCAL session_replication_role = replica; %s; COMMIT;" % sql)


class ActionAudit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = AttHotel("act", extra=3).make()
        cls.other = AttHotel("actb", extra=1).make()

    def test_pms_sync_is_audited_by_the_admin_key(self):
        h = self.h
        got = rows(h, action="hotel.created")
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["actor"], "system:admin-key")
        self.assertEqual(got[0]["new_value"], {"slug": h.slug, "name": h.name, "timezone": h.timezone})
        # one login.created per login the first sync made, never a password
        made = rows(h, action="login.created")
        self.assertEqual(sorted(x["target"] for x in made),
                         sorted("staff:%d" % u["staff_id"] for u in list(h.users.values()) + [h.inactive]))
        for x in made:
            self.assertNotIn("password", x["new_value"])
        synced = rows(h, action="pms.synced")
        self.assertEqual(len(synced), 1)
        self.assertEqual(synced[0]["new_value"]["staff"]["created"], len(h.staff))

    def test_pms_role_password_and_departure(self):
        h = AttHotel("actpms", extra=2).make()
        staff = {r["id"]: r for r in h.staff}
        mgr, st = h.users["manager"], h.users["staff"]
        staff[mgr["staff_id"]]["role"] = "hr"
        staff[st["staff_id"]]["password"] = "a-new-password-123"
        staff[h.people[0]]["is_active"] = False
        body = h.body()
        body["staff"] = list(staff.values())
        before = len(rows(h))
        fc.assert_json(fc.admin("PUT", h.sync_path, json=body), 200)
        got = rows(h)
        new = got[:len(got) - before]
        self.assertEqual({(x["action"], x["target"]) for x in new},
                         {("staff.role_changed", "staff:%d" % mgr["staff_id"]),
                          ("login.password_changed", "staff:%d" % st["staff_id"]),
                          ("staff.deactivated", "staff:%d" % h.people[0]),
                          ("pms.synced", "")})
        role = [x for x in new if x["action"] == "staff.role_changed"][0]
        self.assertEqual((role["old_value"], role["new_value"]), ({"role": "manager"}, {"role": "hr"}))
        self.assertTrue(all(x["actor"] == "system:admin-key" for x in new))
        # the same document again changes nothing but the sync's own row
        fc.assert_json(fc.admin("PUT", h.sync_path, json=body), 200)
        again = rows(h)
        self.assertEqual([x["action"] for x in again[:len(again) - len(got)]], ["pms.synced"])

    def test_settings_old_and_new_values(self):
        h = self.h
        mgr = h.users["manager"]
        fc.assert_json(fc.patch(h.path("attendance/settings/"), json={"break_warning_hours": 5},
                                token=h.login("manager")), 200)
        fc.assert_json(fc.patch(h.path("attendance/settings/"),
                                json={"break_warning_hours": 5, "enforce_limits": False, "duplicate_scan_seconds": 90},
                                token=h.login("manager")), 200)
        # nothing changed: nothing audited
        fc.assert_json(fc.patch(h.path("attendance/settings/"), json={"enforce_limits": False},
                                token=h.login("manager")), 200)
        got = rows(h, action="settings.changed")
        self.assertEqual(len(got), 2, got)
        self.assertEqual(got[0]["old_value"], {"enforce_limits": True, "duplicate_scan_seconds": 60})
        self.assertEqual(got[0]["new_value"], {"enforce_limits": False, "duplicate_scan_seconds": 90})
        self.assertEqual((got[1]["old_value"], got[1]["new_value"]),
                         ({"break_warning_hours": 6.0}, {"break_warning_hours": 5.0}))
        self.assertEqual(got[1]["actor"], "user:" + mgr["username"])
        self.assertEqual(got[1]["client_ip"], "127.0.0.1")
        self.assertEqual(got[1]["hotel"], h.slug)

    def test_kiosk_keys(self):
        h = self.h
        k = fc.assert_json(fc.post(h.path("kiosks/"), json={"name": "=HYPERLINK(\"x\")"},
                                   token=h.login("manager")), 201)
        target = "kiosk:%d" % k["id"]
        for _ in range(2):          # the second revocation changes nothing
            fc.assert_json(fc.delete(h.path("kiosks/%d/" % k["id"]), token=h.login("admin")), 200)
        got = rows(h, target=target)
        self.assertEqual([(x["action"], x["actor"]) for x in got],
                         [("kiosk.revoked", "user:" + h.users["admin"]["username"]),
                          ("kiosk.created", "user:" + h.users["manager"]["username"])])
        self.assertEqual(got[1]["new_value"], {"name": "=HYPERLINK(\"x\")"})
        # the export neutralises the cell a spreadsheet would run
        r = fc.admin("GET", h.path("action-audit-logs/?format=csv&target=" + target))
        self.assertEqual(r.status, 200, r)
        table = list(csv.DictReader(io.StringIO(r.text)))
        self.assertEqual(len(table), 2)
        self.assertEqual(table[1]["new_value"], "{\"name\": \"=HYPERLINK(\\\"x\\\")\"}")
        self.assertEqual(table[0]["actor"], "user:" + h.users["admin"]["username"])
        self.assertEqual(r.header("X-Export-Rows"), "2")

    def test_sign_in_and_out(self):
        h = self.h
        u = h.users["hr"]
        tok = h.login("hr", fresh=True)
        fc.assert_error(fc.login(u["username"], "wrong-password-xx"), 401, "INVALID_CREDENTIALS")
        fc.assert_json(fc.post("/api/auth/logout", token=tok), 200)
        target = "user:" + u["username"]
        got = [x for x in rows(h) if x["actor"] == target or x["target"] == target][:3]
        self.assertEqual([(x["action"], x["actor"]) for x in got],
                         [("session.signed_out", target), ("session.sign_in_failed", "anonymous"),
                          ("session.signed_in", target)])
        self.assertEqual(got[1]["target"], target)

    def test_unknown_name_goes_to_the_system_rows(self):
        name = "nobody-%s" % fc.unique_slug("x")
        fc.assert_error(fc.login(name, "some-password-1"), 401, "INVALID_CREDENTIALS")
        got = fc.assert_json(fc.admin("GET", "/api/action-audit-logs/?action=session.sign_in_failed&limit=5"), 200)
        self.assertTrue(got)
        self.assertEqual((got[0]["actor"], got[0]["target"], got[0]["hotel"]), ("anonymous", "", None))
        r = fc.admin("GET", "/api/action-audit-logs/?format=csv&limit=5")
        self.assertEqual(r.status, 200, r)
        self.assertIn("action-audit-system.csv", r.header("Content-Disposition"))
        self.assertNotIn(name, r.text)
        # a hotel's users cannot read them
        fc.assert_error(fc.get("/api/action-audit-logs/", token=self.h.login("admin")), 403, "FORBIDDEN")

    def test_reviews(self):
        h = self.h
        mgr = h.tok("manager")
        ids = []
        for sid in h.people[:2]:
            body = fc.assert_json(fc.post(h.att("force-log/"), json={"staff_id": sid, "reason": "cover"},
                                          token=h.login("admin")), 201)
            ids.append(body["log"]["id"])
        fc.assert_json(fc.post(h.att("%d/approve/" % ids[0]), json={"approved": True, "note": "ok"}, **mgr), 200)
        fc.assert_json(fc.post(h.att("%d/approve/" % ids[1]), json={"approved": False}, **mgr), 200)
        # a refused decision changes nothing and is not audited
        fc.assert_error(fc.post(h.att("%d/approve/" % ids[1]), json={"approved": True}, **mgr), 409, "CONFLICT")
        a = rows(h, target="clock_log:%d" % ids[0])
        r = rows(h, target="clock_log:%d" % ids[1])
        self.assertEqual([(x["action"], x["new_value"]) for x in a], [("clock_log.approved", {"note": "ok"})])
        self.assertEqual([(x["action"], x["new_value"]) for x in r], [("clock_log.rejected", {"note": None})])
        # the acknowledgement of a long session
        fc.assert_json(fc.post(h.att("%d/long-session-ack/" % ids[0]), json={"mode": "clocked_out"}, **mgr), 200)
        ack = rows(h, action="clock_log.long_session_acknowledged", target="clock_log:%d" % ids[0])
        self.assertEqual(len(ack), 1)
        self.assertEqual(ack[0]["new_value"]["mode"], "clocked_out")

    def test_device_lifecycle(self):
        h = self.h
        q = "?hotel=" + h.slug
        dev = "cam-act-%s" % fc.unique_slug("d")[-6:]
        made = fc.assert_json(fc.admin("POST", "/api/iot/devices" + q,
                                       json={"device_id": dev, "display_name": "Door"}), 201)
        tok = fc.assert_json(fc.admin("POST", "/api/iot/devices/%s/provisioning-token%s" % (dev, q)), 201)
        self.assertNotEqual(tok["provisioning_token"], made["provisioning_token"])
        fc.assert_json(fc.post("/api/iot/devices/provision",
                               json={"device_id": dev, "provisioning_token": tok["provisioning_token"]}), 200)
        fc.assert_json(fc.admin("DELETE", "/api/iot/devices/%s%s" % (dev, q)), 200)
        got = rows(h, target="device:" + dev)
        self.assertEqual([(x["action"], x["actor"]) for x in reversed(got)],
                         [("device.registered", "system:admin-key"), ("device.token_issued", "system:admin-key"),
                          ("device.provisioned", "device:" + dev), ("device.deactivated", "system:admin-key")])

    def test_filters_pages_and_csv(self):
        h = self.h
        for i in range(3):
            fc.assert_json(fc.post(h.path("kiosks/"), json={"name": "page %d" % i}, token=h.login("manager")), 201)
        mgr = "user:" + h.users["manager"]["username"]
        r = fc.get(h.path("action-audit-logs/?action=kiosk.created&actor=%s&limit=2" % mgr), token=h.login("hr"))
        page = fc.assert_json(r, 200)
        self.assertEqual(len(page), 2)
        total = int(r.header("X-Total-Count"))
        self.assertGreaterEqual(total, 3)
        nxt = fc.link_next(r)
        self.assertIsNotNone(nxt)
        rest = fc.assert_json(fc.get(nxt, token=h.login("hr")), 200)
        self.assertTrue(set(x["id"] for x in page).isdisjoint(x["id"] for x in rest))
        # time bounds: nothing in the year 2000, everything since
        self.assertEqual(rows(h, to="2000-01-01"), [])
        self.assertEqual(len(rows(h, **{"from": "2000-01-01"})), len(rows(h)))
        fc.assert_error(fc.get(h.path("action-audit-logs/?from=yesterday"), token=h.login("hr")),
                        400, "VALIDATION_ERROR", field="from")
        # CSV: every row, the count promised and the chain's head of the hotel
        r = fc.admin("GET", h.path("action-audit-logs/?format=csv"))
        self.assertEqual(r.status, 200, r)
        table = list(csv.DictReader(io.StringIO(r.text)))
        self.assertEqual(len(table), len(rows(h)))
        self.assertEqual(r.header("X-Export-Rows"), str(len(table)))
        head = fc.psql("SELECT fc_audit_chain_head(%d)" % h.hotel_id)
        self.assertEqual(r.header("X-Audit-Chain-Head"), head)
        # another hotel's rows are not this hotel's
        self.assertFalse(any(x["hotel"] != self.other.slug for x in rows(self.other)))
        # staff may not read it; another hotel's manager does not find it
        fc.assert_error(fc.get(h.path("action-audit-logs/"), token=h.login("staff")), 403, "FORBIDDEN")
        fc.assert_error(fc.get(h.path("action-audit-logs/"), token=self.other.login("manager")), 404, "NOT_FOUND")

    def test_append_only_for_the_application(self):
        rc, _, err = fc.psql("UPDATE action_audit_log SET actor = 'x' WHERE hotel_id = %d" % self.h.hotel_id,
                             role="app", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("denied", err)


class ActionChain(unittest.TestCase):
    """Face and action rows share one chain per hotel; verify walks both."""

    def verify(self, *args):
        return fc.faceclock(["audit-verify"] + list(args))

    def test_one_sequence_across_both_tables(self):
        h = AttHotel("actchain", extra=2).make()
        h.register(h.people[0])
        fc.assert_json(fc.patch(h.path("attendance/settings/"), json={"hard_limit_hours": 11},
                                token=h.login("manager")), 200)
        h.register(h.people[1])
        seqs = fc.psql("SELECT string_agg(t || ':' || chain_seq, ',' ORDER BY chain_seq) FROM ("
                       "SELECT 'f' AS t, chain_seq FROM face_audit_log WHERE hotel_id = %d UNION ALL "
                       "SELECT 'a', chain_seq FROM action_audit_log WHERE hotel_id = %d) u"
                       % (h.hotel_id, h.hotel_id)).split(",")
        self.assertEqual([int(s.split(":")[1]) for s in seqs], list(range(1, len(seqs) + 1)))
        self.assertIn("f", {s.split(":")[0] for s in seqs})
        self.assertIn("a", {s.split(":")[0] for s in seqs})
        p = self.verify("--hotel", h.slug)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("%s: ok, %d rows" % (h.slug, len(seqs)), p.stdout)
        # a superuser's edit of an action row is named
        victim = int(fc.psql("SELECT id FROM action_audit_log WHERE hotel_id = %d AND action = 'settings.changed'"
                             % h.hotel_id))
        seq = int(fc.psql("SELECT chain_seq FROM action_audit_log WHERE id = %d" % victim))
        superuser("UPDATE action_audit_log SET new_value = '{\"hard_limit_hours\": 24}' WHERE id = %d" % victim)
        try:
            p = self.verify("--hotel", h.slug)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("BROKEN at action_audit_log id %d (chain_seq %d)" % (victim, seq), p.stdout)
        finally:
            superuser("UPDATE action_audit_log SET new_value = '{\"hard_limit_hours\": 11.0}' WHERE id = %d" % victim)
        p = self.verify("--hotel", h.slug)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # the system's chain is walked too
        p = self.verify()
        self.assertIn("(system): ok", p.stdout)


if __name__ == "__main__":
    unittest.main()
