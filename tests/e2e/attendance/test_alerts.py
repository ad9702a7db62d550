"""Alerts (issue 13; docs/api.md "Alerts"): the rules GET/PATCH (defaults,
bad input naming the field, audited old/new); every rule fires on the far
side of its threshold and not on the near side, once per condition and
subject however often it is evaluated; acknowledgement and resolution by
hand (409 on a wrong state) and by the system when the condition clears;
the probing throttle (429 RATE_LIMITED with Retry-After on that kiosk
only, its audit rows); the list's filters and CSV; `faceclock
alerts-tick`. Time is moved by rewriting timestamps in the database, never
by waiting."""

import csv
import io
import json
import re
import subprocess
import unittest

import fc
from attendance.att import near, person
from devices.iot import IotCase, IotHotel

ALERTS = "alerts/"
RULES = "alerts/rules/"
DEFAULTS = {
    "failed_scans": {"enabled": True, "threshold": 5, "window_minutes": 2, "cooldown_minutes": 0},
    "unrostered_day": {"enabled": True, "threshold": 10},
    "hard_limit": {"enabled": True},
    "overtime": {"enabled": True},
    "device_offline": {"enabled": True, "minutes": 10},
    "face_revoked": {"enabled": True},
    "revocation_unsynced": {"enabled": True, "minutes": 30},
}
ALERT_FIELDS = {"id", "rule", "subject", "state", "details", "opened_at", "acknowledged_by",
                "acknowledged_at", "resolved_by", "resolved_at"}


class AlertCase(IotCase):
    h = None

    def tick(self):
        p = fc.faceclock(["alerts-tick", "--hotel", self.h.slug])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"alerts-tick: 1 hotel\(s\), \d+ raised, \d+ resolved")
        return p.stdout

    def rules(self, body, role="manager"):
        return fc.patch(self.h.path(RULES), json=body, token=self.h.login(role))

    def alerts(self, role="manager", **filters):
        q = "&".join("%s=%s" % kv for kv in filters.items())
        r = fc.get(self.h.path(ALERTS + ("?" + q if q else "")), token=self.h.login(role))
        rows = fc.assert_json(r, 200)
        for a in rows:
            self.assertEqual(set(a), ALERT_FIELDS, a)
        return rows

    def of(self, rule, subject=None, **filters):
        return [a for a in self.alerts(rule=rule, limit=1000, **filters)
                if subject is None or a["subject"] == subject]

    def act(self, alert_id, verb, role="manager"):
        return fc.post(self.h.path(ALERTS + "%d/%s/" % (alert_id, verb)), token=self.h.login(role))

    def actions(self, action, target=None):
        q = "action-audit-logs/?action=%s" % action
        if target:
            q += "&target=%s" % target
        return fc.assert_json(fc.admin("GET", self.h.path(q)), 200)


class Rules(AlertCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("alr").make()

    def test_defaults_and_patch(self):
        h = self.h
        self.assertEqual(fc.assert_json(fc.get(h.path(RULES), token=h.login("hr")), 200), DEFAULTS)
        body = fc.assert_json(self.rules({"failed_scans": {"threshold": 7, "cooldown_minutes": 0},
                                          "overtime": {"enabled": False}}), 200)
        self.assertEqual(body["failed_scans"], {"enabled": True, "threshold": 7, "window_minutes": 2,
                                                "cooldown_minutes": 0})
        self.assertFalse(body["overtime"]["enabled"])
        self.assertEqual(fc.assert_json(fc.get(h.path(RULES), token=h.login("admin")), 200), body)
        rows = self.actions("alert_rules.changed")
        self.assertEqual(rows[0]["actor"], "user:" + h.users["manager"]["username"])
        self.assertEqual(rows[0]["old_value"], {"failed_scans": DEFAULTS["failed_scans"],
                                                "overtime": {"enabled": True}})
        self.assertEqual(rows[0]["new_value"], {"failed_scans": body["failed_scans"],
                                                "overtime": {"enabled": False}})
        # an unchanged PATCH audits nothing
        n = len(self.actions("alert_rules.changed"))
        fc.assert_json(self.rules({"overtime": {"enabled": False}}), 200)
        self.assertEqual(len(self.actions("alert_rules.changed")), n)
        fc.assert_json(self.rules(DEFAULTS), 200)
        # hr reads but does not change
        fc.assert_error(self.rules({"overtime": {"enabled": True}}, role="hr"), 403, "FORBIDDEN")

    def test_bad_patch_names_the_field(self):
        before = fc.assert_json(fc.get(self.h.path(RULES), token=self.h.login("manager")), 200)
        cases = [
            ({"nope": {"enabled": True}}, "nope"),
            ({"failed_scans": {"threshold": 1}}, "failed_scans.threshold"),
            ({"failed_scans": {"threshold": 1001}}, "failed_scans.threshold"),
            ({"failed_scans": {"window_minutes": 0}}, "failed_scans.window_minutes"),
            ({"failed_scans": {"cooldown_minutes": -1}}, "failed_scans.cooldown_minutes"),
            ({"failed_scans": {"threshold": "5"}}, "failed_scans.threshold"),
            ({"failed_scans": {"threshold": 5.5}}, "failed_scans.threshold"),
            ({"unrostered_day": {"threshold": 0}}, "unrostered_day.threshold"),
            ({"device_offline": {"minutes": 10081}}, "device_offline.minutes"),
            ({"device_offline": {"threshold": 3}}, "device_offline.threshold"),
            ({"hard_limit": {"enabled": "yes"}}, "hard_limit.enabled"),
            ({"revocation_unsynced": {"minutes": None}}, "revocation_unsynced.minutes"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                fc.assert_error(self.rules(body), 400, "VALIDATION_ERROR", field=field)
        # a rule that is not an object is refused by the route (declared object)
        fc.assert_error(self.rules({"face_revoked": True}), 400, "VALIDATION_ERROR", field="face_revoked")
        fc.assert_error(fc.request("PATCH", self.h.path(RULES), body=b"[1]", token=self.h.login("manager"),
                                   headers={"Content-Type": "application/json"}), 400, "INVALID_JSON")
        self.assertEqual(fc.assert_json(fc.get(self.h.path(RULES), token=self.h.login("manager")), 200), before)


class Probing(AlertCase):
    """failed_scans: threshold 3 in 2 minutes, a 1-minute cool-down."""

    def setUp(self):
        h = self.h = IotHotel("alp").make()
        h.settings(duplicate_scan_seconds=0)
        self.sid = h.people[0]
        self.face = h.register(self.sid)
        h.shift_now(self.sid)
        self.other = h.new_kiosk("Other kiosk")["api_key"]
        fc.assert_json(self.rules({"failed_scans": {"threshold": 3, "cooldown_minutes": 1}}), 200)

    def kiosk_id(self):
        """The id of the hotel's own kiosk (h.kiosk: "Att kiosk")."""
        return int(fc.psql("SELECT id FROM kiosks WHERE hotel_id = %d AND name = 'Att kiosk'" % self.h.hotel_id))

    def stranger(self, key=None):
        fc.assert_error(self.h.scan(person(), api_key=key), 404, "FACE_NOT_RECOGNIZED")

    def test_threshold_throttle_and_recovery(self):
        h = self.h
        self.stranger()
        self.stranger()
        self.assertEqual(self.of("failed_scans"), [])           # 2 < 3
        self.stranger()                                         # the third: answered as it is
        kid = self.kiosk_id()
        subject = "kiosk:%d" % kid
        [a] = self.of("failed_scans", subject)
        self.assertEqual((a["state"], a["details"]["failures"]), ("open", 3))
        # throttled: 429 with Retry-After, whatever is scanned
        for desc in (person(), near(self.face, 0.05)):
            r = h.scan(desc)
            fc.assert_error(r, 429, "RATE_LIMITED")
            self.assertTrue(1 <= int(r.header("Retry-After")) <= 60, r.header("Retry-After"))
        # another kiosk of the hotel is unaffected: a genuine scan clocks in
        self.assert_clock(h.scan(near(self.face, 0.05), api_key=self.other), 201, "CLOCK_IN", self.sid, h)
        # raised once, throttled once, both by the system
        self.assertEqual(len(self.of("failed_scans")), 1)
        thr = self.actions("kiosk.throttled", subject)
        self.assertEqual(len(thr), 1)
        self.assertEqual((thr[0]["actor"], thr[0]["new_value"]["failures"], thr[0]["new_value"]["cooldown_minutes"]),
                         ("system:alerts", 3, 1))
        raised = self.actions("alert.raised", "alert:%d" % a["id"])
        self.assertEqual([(x["actor"], x["new_value"]["rule"], x["new_value"]["subject"]) for x in raised],
                         [("system:alerts", "failed_scans", subject)])
        # still throttled: the tick keeps the alert open
        self.tick()
        self.assertEqual(self.of("failed_scans", subject)[0]["state"], "open")
        # the cool-down over: scans go on, and the tick resolves it by the system
        fc.psql("UPDATE kiosk_scan_failures SET blocked_until = now() - interval '1 second' WHERE kiosk_id = %d" % kid)
        self.stranger()
        self.tick()
        [a] = self.of("failed_scans", subject)
        self.assertEqual((a["state"], a["resolved_by"]), ("resolved", "system:alerts"))
        self.assertEqual(len(self.actions("alert.resolved", "alert:%d" % a["id"])), 1)

    def test_window_expiry_starts_over(self):
        self.stranger()
        self.stranger()
        kid = self.kiosk_id()
        fc.psql("UPDATE kiosk_scan_failures SET window_start = now() - interval '3 minutes' WHERE kiosk_id = %d" % kid)
        self.stranger()                                         # a new window: 1
        self.stranger()
        self.assertEqual(self.of("failed_scans"), [])
        self.assertEqual(self.h.scan(person()).status, 404)      # 3 in this window
        self.assertEqual(len(self.of("failed_scans")), 1)

    def test_without_cooldown_alert_only(self):
        fc.assert_json(self.rules({"failed_scans": {"cooldown_minutes": 0}}), 200)
        for _ in range(5):
            self.stranger()
        self.assertEqual(len(self.of("failed_scans")), 1)
        self.assertEqual(self.actions("kiosk.throttled"), [])

    def test_disabled_rule_counts_nothing(self):
        fc.assert_json(self.rules({"failed_scans": {"enabled": False}}), 200)
        for _ in range(4):
            self.stranger()
        self.assertEqual(self.of("failed_scans"), [])
        self.assertEqual(self.h.db_count("kiosk_scan_failures"), 0)


class Unrostered(AlertCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("alu", extra=6).make()

    def force(self, sid):
        r = fc.post(self.h.att("force-log/"), json={"staff_id": sid, "reason": "cover"},
                    token=self.h.login("manager"))
        fc.assert_json(r, 201)

    def test_threshold_once_ack_resolve(self):
        h = self.h
        fc.assert_json(self.rules({"unrostered_day": {"threshold": 2}}), 200)
        self.force(h.people[0])
        self.assertEqual(self.of("unrostered_day"), [])
        self.force(h.people[1])
        self.force(h.people[2])
        [a] = self.of("unrostered_day")
        today = fc.psql("SELECT (now() AT TIME ZONE timezone)::date FROM hotels WHERE id = %d" % h.hotel_id)
        self.assertEqual((a["subject"], a["state"], a["details"]["count"]), ("date:" + today, "open", 2))
        self.tick()                                             # still today: kept
        self.assertEqual(len(self.of("unrostered_day")), 1)
        # acknowledge, then resolve by hand; wrong states are 409
        mgr = "user:" + h.users["manager"]["username"]
        fc.assert_error(self.act(a["id"], "acknowledge", role="hr"), 403, "FORBIDDEN")
        b = fc.assert_json(self.act(a["id"], "acknowledge"), 200)
        self.assertEqual((b["state"], b["acknowledged_by"]), ("acknowledged", mgr))
        fc.assert_error(self.act(a["id"], "acknowledge"), 409, "CONFLICT")
        self.assertEqual(self.of("unrostered_day", state="acknowledged")[0]["id"], a["id"])
        c = fc.assert_json(self.act(a["id"], "resolve", role="admin"), 200)
        self.assertEqual((c["state"], c["resolved_by"], c["acknowledged_by"]),
                         ("resolved", "user:" + h.users["admin"]["username"], mgr))
        fc.assert_error(self.act(a["id"], "resolve"), 409, "CONFLICT")
        fc.assert_error(self.act(a["id"], "acknowledge"), 409, "CONFLICT")
        fc.assert_error(self.act(a["id"] + 10 ** 9, "resolve"), 404, "NOT_FOUND")
        self.assertEqual([x["actor"] for x in self.actions("alert.acknowledged", "alert:%d" % a["id"])], [mgr])
        self.assertEqual(len(self.actions("alert.resolved", "alert:%d" % a["id"])), 1)
        # resolved by hand while it still holds: the next one raises anew
        self.force(h.people[3])
        self.assertEqual(len(self.of("unrostered_day", state="open")), 1)
        # the day over: the tick resolves today's alert by the system
        fc.psql("UPDATE clock_logs SET time_in = time_in - interval '2 days', time_out = NULL "
                "WHERE hotel_id = %d AND is_unrostered" % h.hotel_id)
        self.tick()
        self.assertEqual(self.of("unrostered_day", state="open"), [])
        self.assertEqual({a["resolved_by"] for a in self.of("unrostered_day")},
                         {"user:" + h.users["admin"]["username"], "system:alerts"})


class Sessions(AlertCase):
    """hard_limit (12 h) and overtime (10 h), by the tick; resolved when the
    session closes by a scan."""

    def setUp(self):
        h = self.h = IotHotel("als").make()
        h.settings(duplicate_scan_seconds=0, enforce_limits=False)
        self.sid = h.people[0]
        self.face = h.register(self.sid)
        h.shift_now(self.sid)
        self.assert_clock(h.scan(near(self.face, 0.05)), 201, "CLOCK_IN", self.sid, h)

    def age(self, hours):
        fc.psql("UPDATE clock_logs SET time_in = now() - interval '%f hours' WHERE hotel_id = %d "
                "AND time_out IS NULL" % (hours, self.h.hotel_id))

    def test_both_sides_and_closing(self):
        subject = "staff:%d" % self.sid
        self.age(9.9)
        self.tick()
        self.assertEqual(self.of("overtime") + self.of("hard_limit"), [])
        self.age(10.1)
        self.tick()
        self.tick()
        self.assertEqual([(a["subject"], a["state"]) for a in self.of("overtime")], [(subject, "open")])
        self.assertEqual(self.of("hard_limit"), [])
        self.age(11.9)
        self.tick()
        self.assertEqual(self.of("hard_limit"), [])
        self.age(12.1)
        self.tick()
        [hl] = self.of("hard_limit")
        self.assertEqual((hl["subject"], hl["details"]["clock_log_id"]), (subject, self.h.open_log_id(self.sid)))
        self.assertGreaterEqual(hl["details"]["hours"], 12)
        self.assertEqual(len(self.of("overtime")), 1)
        fc.assert_json(self.act(hl["id"], "acknowledge"), 200)
        # clocked out: both resolved by the system at the next tick
        self.assert_clock(self.h.scan(near(self.face, 0.05)), 200, "CLOCK_OUT", self.sid, self.h)
        self.tick()
        for rule in ("overtime", "hard_limit"):
            [a] = self.of(rule)
            self.assertEqual((a["state"], a["resolved_by"]), ("resolved", "system:alerts"), rule)

    def test_disabled_rule_resolves(self):
        self.age(10.5)
        self.tick()
        self.assertEqual(len(self.of("overtime", state="open")), 1)
        fc.assert_json(self.rules({"overtime": {"enabled": False}}), 200)
        self.tick()
        self.assertEqual(self.of("overtime", state="open"), [])


class Devices(AlertCase):
    def setUp(self):
        self.h = IotHotel("ald").make()

    def test_offline_both_sides(self):
        h = self.h
        dev = h.device("al-cam")
        subject = "device:al-cam"
        h.set_heartbeat_age(dev, 9 * 60)
        self.tick()
        self.assertEqual(self.of("device_offline"), [])
        h.set_heartbeat_age(dev, 11 * 60)
        self.tick()
        self.tick()
        [a] = self.of("device_offline")
        self.assertEqual((a["subject"], a["state"]), (subject, "open"))
        # a stricter threshold changes nothing for what is already open
        fc.assert_json(self.rules({"device_offline": {"minutes": 5}}), 200)
        self.tick()
        self.assertEqual(len(self.of("device_offline")), 1)
        fc.assert_json(h.heartbeat(dev), 200)
        self.tick()
        [a] = self.of("device_offline")
        self.assertEqual((a["state"], a["resolved_by"]), ("resolved", "system:alerts"))

    def test_disabled_is_not_offline(self):
        """A disabled device is off on purpose (docs/iot.md "Lifecycle"):
        no device_offline alert for it, and an open one resolves."""
        h = self.h
        quiet = h.device("al-quiet")
        loud = h.device("al-loud")
        h.set_heartbeat_age(quiet, 11 * 60)
        h.set_heartbeat_age(loud, 11 * 60)
        fc.assert_json(fc.post("/api/iot/devices/al-quiet/disable", json={}, token=h.login("admin")), 200)
        self.tick()
        self.tick()
        [a] = self.of("device_offline")
        self.assertEqual((a["subject"], a["state"]), ("device:al-loud", "open"))
        fc.assert_json(fc.post("/api/iot/devices/al-loud/disable", json={}, token=h.login("admin")), 200)
        self.tick()
        [a] = self.of("device_offline")
        self.assertEqual((a["subject"], a["state"]), ("device:al-loud", "resolved"))

    def test_revocation_and_unsynced(self):
        h = self.h
        dev = h.device("al-edge")
        sid = h.people[1]
        h.enroll(sid)
        h.push_ok(sid, dev)
        h.sync_ok(dev, 0)
        r = fc.request("DELETE", h.att("revoke-face/%d/" % sid), json={"reason": "left"},
                       token=h.login("manager"))
        fc.assert_json(r, 200)
        # every revocation: raised in the revocation's transaction, kept by the tick
        [rv] = self.of("face_revoked")
        self.assertEqual((rv["subject"], rv["details"]["reason"]), ("staff:%d" % sid, "left"))
        self.tick()
        self.assertEqual(self.of("face_revoked")[0]["state"], "open")
        # the device has not synced the removal: not yet 30 minutes, then past
        self.tick()
        self.assertEqual(self.of("revocation_unsynced"), [])
        fc.psql("UPDATE face_changes SET created_at = now() - interval '31 minutes' "
                "WHERE hotel_id = %d AND kind = 'remove'" % h.hotel_id)
        self.tick()
        [u] = self.of("revocation_unsynced")
        self.assertEqual((u["subject"], u["details"]["pending_removals"]), ("device:al-edge", 1))
        # it pulls the removal: still held, the alert stays (docs/iot.md "Receipts")
        pulled = h.sync_ok(dev, 0)["sync_version"]
        self.tick()
        self.assertEqual(self.of("revocation_unsynced")[0]["state"], "open")
        # it reports the removal applied: resolved by the system
        fc.assert_json(h.heartbeat(dev, json={"applied_version": pulled}), 200)
        self.tick()
        self.assertEqual(self.of("revocation_unsynced")[0]["resolved_by"], "system:alerts")
        fc.assert_json(self.act(rv["id"], "resolve"), 200)

    def test_departure_revocation(self):
        """A PMS departure revokes face data: the same alert as the API's."""
        h = self.h
        sid = h.people[3]
        h.register(sid)
        row = dict(h.staff_row(sid, h.dept_of(sid), "staff"), is_active=False)
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        [a] = [x for x in self.alerts(rule="face_revoked") if x["subject"] == "staff:%d" % sid]
        self.assertEqual((a["state"], a["details"]), ("open", {"reason": "staff departure"}))
        self.assertEqual([x["actor"] for x in self.actions("alert.raised", "alert:%d" % a["id"])],
                         ["system:alerts"])
        fc.assert_json(self.act(a["id"], "resolve"), 200)


class Listing(AlertCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("all").make()
        h = cls.h
        for sid in h.people[:2]:
            h.register(sid)
            fc.assert_json(fc.request("DELETE", h.att("revoke-face/%d/" % sid), json={"reason": "r"},
                                      token=h.login("manager")), 200)

    def test_filters_paging_csv(self):
        h = self.h
        rows = self.alerts(role="hr")
        self.assertEqual([a["subject"] for a in rows], ["staff:%d" % h.people[1], "staff:%d" % h.people[0]])
        self.assertEqual(self.alerts(state="resolved"), [])
        self.assertEqual(len(self.alerts(rule="face_revoked", state="open")), 2)
        self.assertEqual(self.alerts(rule="face_revoked", state="acknowledged"), [])
        self.assertEqual(self.alerts(rule="overtime"), [])
        r = fc.get(h.path(ALERTS + "?limit=1"), token=h.login("manager"))
        self.assertEqual((len(fc.assert_json(r, 200)), r.header("X-Total-Count")), (1, "2"))
        self.assertEqual(self.alerts(**{"from": "2999-01-01"}), [])
        self.assertEqual(len(self.alerts(**{"to": "2999-01-01"})), 2)
        for bad in ("state=closed", "rule=nope", "from=yesterday", "limit=0"):
            fc.assert_error(fc.get(h.path(ALERTS + "?" + bad), token=h.login("manager")), 400, "VALIDATION_ERROR")
        r = fc.get(h.path(ALERTS + "?format=csv"), token=h.login("manager"))
        self.assertEqual(r.status, 200, r)
        table = list(csv.reader(io.StringIO(r.text)))
        self.assertEqual(table[0][:4], ["id", "rule", "subject", "state"])
        self.assertEqual(len(table), 3)
        self.assertEqual(r.header("X-Export-Rows"), "2")

    def test_tick_command_usage(self):
        p = fc.faceclock(["alerts-tick", "--hotel"])
        self.assertEqual(p.returncode, 2, p.stderr)
        p = fc.faceclock(["alerts-tick", "--hotel", "no-such-hotel-x"])
        self.assertEqual((p.returncode, "no hotel" in p.stderr), (1, True), p.stderr)
        p = fc.faceclock(["alerts-tick"])
        self.assertEqual(p.returncode, 0, p.stderr)



class Events(AlertCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("ale", extra=1).make()

    def test_events_announced(self):
        """The alerts trigger announces each change through the events
        outbox (fc_emit: a row and a NOTIFY on faceclock_events at commit),
        for the live publisher; a rolled-back change announces nothing."""
        h = self.h
        a = {"id": int(fc.psql("INSERT INTO alerts (hotel_id, rule, subject) VALUES (%d, 'face_revoked', "
                               "'staff:1') RETURNING id" % h.hotel_id).split()[0]), "subject": "staff:1"}
        upd = ("UPDATE alerts SET state = 'acknowledged', acknowledged_by = 'user:t', acknowledged_at = now() "
               "WHERE id = %d;" % a["id"])
        script = "LISTEN faceclock_events;\nBEGIN;\n%s\nROLLBACK;\nSELECT 'mark';\nBEGIN;\n%s\nCOMMIT;\nSELECT 1;\n" % (upd, upd)
        p = subprocess.run(fc._psql_cmd() + [fc.ENV["FACECLOCK_MIGRATE_URL"], "-X", "-tA", "-v", "ON_ERROR_STOP=1"],
                           input=script, capture_output=True, text=True, timeout=30, cwd="/")
        self.assertEqual(p.returncode, 0, p.stderr)
        payloads = [json.loads(m) for m in re.findall(r'payload "(.*)" received', p.stdout + p.stderr)]
        self.assertEqual([(x["type"], x["hotel_id"]) for x in payloads], [("alert.acknowledged", h.hotel_id)])
        # the event itself is in the outbox (sql/013_events.sql), for the publisher
        data = json.loads(fc.psql("SELECT data FROM events WHERE id = %d" % payloads[0]["id"]))
        self.assertEqual(data, {"alert_id": a["id"], "rule": "face_revoked", "subject": a["subject"]})
        # announced after the rollback's mark: only the committed change
        self.assertLess((p.stdout + p.stderr).find("mark"), (p.stdout + p.stderr).find("payload"))


if __name__ == "__main__":
    unittest.main()
