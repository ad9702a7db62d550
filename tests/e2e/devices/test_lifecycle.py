"""The device lifecycle through the API (docs/iot.md "Lifecycle",
handlers/devices/lifecycle_rules.c): every admin action from every state,
allowed (where it leads, the answer, the audit row with the old and new
lifecycle, the device.status event) or refused (409 INVALID_TRANSITION
naming the state, nothing changed), and a decommissioned device gone (404);
registering into the inventory without a token; a disabled device refused
at once by its key on heartbeat, sync and events, its token voided; the
re-enable path through a new token; the device's own fault and its
clearing; another hotel's device not found; migration 019 on devices made
before it."""

import glob
import os
import subprocess
import unittest

import fc
from devices.iot import Device, IotCase, IotHotel, provision

DEVICES = "/api/iot/devices"
STATES = ("UNALLOCATED", "ALLOCATED", "PROVISIONING", "PROVISIONED", "ACTIVE", "ERROR", "DISABLED")
# action: (method, path tail, body, success status, audit action)
ACTIONS = {
    "allocate": ("POST", "/allocate", {"location_label": "Hall", "location_geo": [2.35, 48.85]}, 200,
                 "device.allocated"),
    "provisioning-token": ("POST", "/provisioning-token", {}, 201, "device.token_issued"),
    "clear-error": ("DELETE", "/error", None, 200, "device.error_cleared"),
    "disable": ("POST", "/disable", {}, 200, "device.disabled"),
    "enable": ("POST", "/enable", {}, 200, "device.enabled"),
    "deactivate": ("DELETE", "", None, 200, "device.deactivated"),
}
X = None    # refused
# the lifecycle each action leads to from each state, in ACTIONS' order
TABLE = {
    "UNALLOCATED":  ("ALLOCATED", X, X, X, X, "DECOMMISSIONED"),
    "ALLOCATED":    ("ALLOCATED", "PROVISIONING", X, "DISABLED", X, "DECOMMISSIONED"),
    "PROVISIONING": (X, "PROVISIONING", X, "DISABLED", X, "DECOMMISSIONED"),
    "PROVISIONED":  (X, "PROVISIONED", X, "DISABLED", X, "DECOMMISSIONED"),
    "ACTIVE":       (X, "ACTIVE", X, "DISABLED", X, "DECOMMISSIONED"),
    "ERROR":        (X, "ERROR", "ACTIVE", "DISABLED", X, "DECOMMISSIONED"),
    "DISABLED":     (X, X, X, X, "ALLOCATED", "DECOMMISSIONED"),
}
# what the list offers an admin in each state (the page's buttons)
OFFERED = {
    "UNALLOCATED": ["allocate", "deactivate"],
    "ALLOCATED": ["allocate", "provisioning-token", "disable", "deactivate"],
    "PROVISIONING": ["provisioning-token", "disable", "deactivate"],
    "PROVISIONED": ["provisioning-token", "disable", "deactivate"],
    "ACTIVE": ["provisioning-token", "disable", "deactivate"],
    "ERROR": ["provisioning-token", "clear-error", "disable", "deactivate"],
    "DISABLED": ["enable", "deactivate"],
}


def act(h, device_id, action, role="admin"):
    method, tail, body, _, _ = ACTIONS[action]
    return fc.request(method, DEVICES + "/" + device_id + tail, json=body, token=h.login(role))


class Transitions(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("life").make()
        cls.n = 0

    def fresh(self, state):
        Transitions.n += 1
        device_id = "lc-%d" % Transitions.n
        return device_id, self.h.in_lifecycle(device_id, state)

    def audit(self, device_id):
        """The device's action audit rows, oldest first."""
        got = fc.assert_json(fc.admin("GET", self.h.path("action-audit-logs/?limit=1000&target=device:" + device_id)),
                             200)
        return list(reversed(got if isinstance(got, list) else got["data"]))

    def status_events(self, device_id):
        out = fc.psql("SELECT coalesce(string_agg(coalesce(data->>'previous', '-') || '>' || (data->>'lifecycle'), "
                      "' ' ORDER BY id), '') FROM events WHERE hotel_id = %d AND type = 'device.status' "
                      "AND data->>'device_id' = %s" % (self.h.hotel_id, fc.sql_str(device_id)))
        return out.split()

    def test_table(self):
        h = self.h
        for state in STATES:
            for action, to in zip(ACTIONS, TABLE[state]):
                with self.subTest(state=state, action=action):
                    device_id, _ = self.fresh(state)
                    audit_before = len(self.audit(device_id))
                    events_before = self.status_events(device_id)
                    r = act(h, device_id, action)
                    if to is None:
                        body = fc.assert_error(r, 409, "INVALID_TRANSITION")
                        self.assertIn("from " + state, body["message"])
                        self.assertEqual(h.db_device(device_id, "lifecycle"), state)
                        self.assertEqual(len(self.audit(device_id)), audit_before)
                        self.assertEqual(self.status_events(device_id), events_before)
                        continue
                    d = fc.assert_json(r, ACTIONS[action][3])
                    if action == "provisioning-token":
                        self.assertRegex(d.pop("provisioning_token"), r"^[0-9a-f]{64}$")
                        fc.parse_ts(d.pop("provisioning_expires_at"))
                    self.assert_device(d)
                    self.assertEqual(d["device_id"], device_id)
                    self.assertEqual(h.db_device(device_id, "lifecycle"), to)
                    if d["status"] != "offline":
                        self.assertEqual(d["lifecycle"], to)
                    last = self.audit(device_id)[-1]
                    self.assertEqual((last["action"], last["old_value"], last["new_value"]),
                                     (ACTIONS[action][4], {"lifecycle": state}, {"lifecycle": to}))
                    self.assertEqual(last["actor"], "user:" + h.users["admin"]["username"])
                    if to != state:
                        self.assertEqual(self.status_events(device_id)[-1], "%s>%s" % (state, to))
                    if action == "allocate":
                        self.assertEqual((d["location_label"], d["location_geo"]), ("Hall", [2.35, 48.85]))
                    if to == "DECOMMISSIONED":
                        fc.parse_ts(d["deactivated_at"])
                        self.assertIsNone(h.listed(device_id))
                    else:
                        self.assertEqual(h.listed(device_id)["actions"], OFFERED[to])

    def test_offered_actions_listed(self):
        h = self.h
        for state in STATES:
            with self.subTest(state=state):
                device_id, _ = self.fresh(state)
                d = self.assert_device(h.listed(device_id))
                self.assertEqual(d["actions"], OFFERED[state])

    def test_decommissioned_is_gone(self):
        h = self.h
        device_id, dev = self.fresh("ACTIVE")
        key = dev.key
        fc.assert_json(act(h, device_id, "deactivate"), 200)
        self.assertEqual(h.db_device(device_id, "lifecycle"), "DECOMMISSIONED")
        for action in ACTIONS:
            with self.subTest(action=action):
                fc.assert_error(act(h, device_id, action), 404, "NOT_FOUND")
        fc.assert_error(h.heartbeat(Device(device_id, key)), 401, "UNAUTHENTICATED")
        # the row is kept for its events and audit; the id may be registered
        # again (a new device under the old name: docs/iot.md)
        self.assertEqual(h.db_device(device_id, "count(*)"), "1")
        again = fc.assert_json(h.create_device(device_id, provision=False, location_label=None), 201)
        self.assertEqual(again["lifecycle"], "UNALLOCATED")
        self.assertIsNone(again["disabled_at"])

    def test_unknown_and_other_hotels(self):
        h = self.h
        other = IotHotel("life2").make()
        device_id, _ = self.fresh("DISABLED")
        for action in ACTIONS:
            with self.subTest(action=action):
                fc.assert_error(act(h, "lc-none", action), 404, "NOT_FOUND")
                fc.assert_error(act(other, device_id, action), 404, "NOT_FOUND")
                for role in ("manager", "hr", "staff"):
                    fc.assert_error(act(h, device_id, action, role=role), 403, "FORBIDDEN")
        self.assertEqual(h.db_device(device_id, "lifecycle"), "DISABLED")

    def test_allocate_validation(self):
        h = self.h
        device_id, _ = self.fresh("UNALLOCATED")
        path = DEVICES + "/" + device_id + "/allocate"
        tok = h.login("admin")
        for body, field in (({}, "location_label"), ({"location_label": ""}, "location_label"),
                            ({"location_label": "x" * 201}, "location_label"), ({"location_label": 5}, "location_label"),
                            ({"location_label": "L", "location_geo": [200, 0]}, "location_geo")):
            with self.subTest(body=body):
                fc.assert_error(fc.post(path, json=body, token=tok), 400, "VALIDATION_ERROR", field=field)
        self.assertEqual(h.db_device(device_id, "lifecycle"), "UNALLOCATED")


class Inventory(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("inv").make()

    def test_register_without_token(self):
        h = self.h
        r = h.create_device("inv-1", provision=False, location_label=None, serial_number="SN-0042",
                            mac_address="00:1A:2B:3C:4D:5E")
        d = self.assert_device(fc.assert_json(r, 201))
        self.assertNotIn("provisioning_token", d)
        self.assertNotIn("provisioning_expires_at", d)
        self.assertEqual((d["lifecycle"], d["status"], d["location_label"]), ("UNALLOCATED", "provisioning", None))
        self.assertEqual((d["serial_number"], d["mac_address"]), ("SN-0042", "00:1A:2B:3C:4D:5E"))
        self.assertEqual(h.db_device("inv-1", "coalesce(provisioning_token_hash, '-')"), "-")
        # placed at once when it has a location
        d = fc.assert_json(h.create_device("inv-2", provision=False), 201)
        self.assertEqual((d["lifecycle"], d["location_label"]), ("ALLOCATED", "Lobby"))
        # the contract's registration is unchanged: a token, PROVISIONING
        d = fc.assert_json(h.create_device("inv-3", provision=True), 201)
        self.assertEqual(d["lifecycle"], "PROVISIONING")
        self.assertRegex(d["provisioning_token"], r"^[0-9a-f]{64}$")
        fc.assert_error(h.create_device("inv-1", provision=False), 409, "CONFLICT")
        for field, v in (("provision", "no"), ("serial_number", 7), ("mac_address", "x" * 65)):
            with self.subTest(field=field):
                fc.assert_error(h.create_device("inv-bad", **{field: v}), 400, "VALIDATION_ERROR", field=field)
        # an empty field of the page's form is none
        d = fc.assert_json(h.create_device("inv-4", provision=False, serial_number="", mac_address=""), 201)
        self.assertEqual((d["serial_number"], d["mac_address"]), (None, None))

    def test_whole_life(self):
        """register → allocate → token → provision → heartbeat → fault →
        cleared → disabled → enabled → token → provision → decommissioned."""
        h = self.h
        admin = h.login("admin")
        fc.assert_json(h.create_device("inv-life", provision=False, location_label=None), 201)
        fc.assert_json(act(h, "inv-life", "allocate"), 200)
        tok = fc.assert_json(act(h, "inv-life", "provisioning-token"), 201)["provisioning_token"]
        self.assertEqual(h.listed("inv-life")["lifecycle"], "PROVISIONING")
        dev = Device("inv-life", fc.assert_json(provision("inv-life", tok), 200)["api_key"])
        self.assertEqual(h.db_device("inv-life", "lifecycle"), "PROVISIONED")
        d = fc.assert_json(h.heartbeat(dev), 200)
        self.assertEqual((d["lifecycle"], d["status"]), ("ACTIVE", "online"))
        d = fc.assert_json(h.heartbeat(dev, json={"error": "lens fogged"}), 200)
        self.assertEqual((d["lifecycle"], d["error_message"]), ("ERROR", "lens fogged"))
        since = d["error_reported_at"]
        fc.parse_ts(since)
        fc.psql("UPDATE devices SET error_reported_at = error_reported_at - interval '1 hour' "
                "WHERE hotel_id = %d AND device_id = 'inv-life'" % h.hotel_id)
        d = fc.assert_json(h.heartbeat(dev, json={"error": "lens still fogged"}), 200)
        self.assertEqual(fc.parse_ts(d["error_reported_at"]), fc.parse_ts(since) - 3600)   # since the first report
        d = fc.assert_json(act(h, "inv-life", "clear-error"), 200)
        self.assertEqual((d["lifecycle"], d["error_message"], d["error_reported_at"]), ("ACTIVE", None, None))
        d = fc.assert_json(act(h, "inv-life", "disable"), 200)
        self.assertEqual((d["lifecycle"], d["status"]), ("DISABLED", "offline"))
        fc.parse_ts(d["disabled_at"])
        d = fc.assert_json(act(h, "inv-life", "enable"), 200)
        self.assertEqual((d["lifecycle"], d["status"], d["disabled_at"]), ("ALLOCATED", "provisioning", None))
        # the old key stays revoked: back only through a new token
        fc.assert_error(h.heartbeat(dev), 401, "UNAUTHENTICATED")
        tok = fc.assert_json(fc.post(DEVICES + "/inv-life/provisioning-token", json={}, token=admin),
                             201)["provisioning_token"]
        dev2 = Device("inv-life", fc.assert_json(provision("inv-life", tok), 200)["api_key"])
        self.assertEqual(fc.assert_json(h.heartbeat(dev2), 200)["lifecycle"], "ACTIVE")
        fc.assert_json(act(h, "inv-life", "deactivate"), 200)
        fc.assert_error(h.heartbeat(dev2), 401, "UNAUTHENTICATED")
        rows = fc.assert_json(fc.admin("GET", h.path("action-audit-logs/?limit=100&target=device:inv-life")), 200)
        rows = rows if isinstance(rows, list) else rows["data"]
        self.assertEqual([x["action"] for x in reversed(rows)],
                         ["device.registered", "device.allocated", "device.token_issued", "device.provisioned",
                          "device.error_cleared", "device.disabled", "device.enabled", "device.token_issued",
                          "device.provisioned", "device.deactivated"])

    def test_reprovisioning_clears_a_fault(self):
        h = self.h
        dev = h.in_lifecycle("inv-fault", "ERROR")
        tok = fc.assert_json(act(h, "inv-fault", "provisioning-token"), 201)["provisioning_token"]
        self.assertEqual(h.db_device("inv-fault", "lifecycle"), "ERROR")
        key = fc.assert_json(provision("inv-fault", tok), 200)["api_key"]
        self.assertEqual(h.db_device("inv-fault", "lifecycle || '|' || coalesce(error_message, '-') || '|' || "
                                                  "coalesce(error_reported_at::text, '-')"), "PROVISIONED|-|-")
        fc.assert_error(h.heartbeat(dev), 401, "UNAUTHENTICATED")
        fc.assert_json(h.heartbeat(Device("inv-fault", key)), 200)


class Disabled(IotCase):
    """A disabled device is refused at once, by its key, everywhere."""

    def test_refused_at_once(self):
        h = IotHotel("dis").make()
        sid = h.people[0]
        h.enroll(sid)
        dev = h.device("dis-1")
        h.push_ok(sid, dev)
        fc.assert_json(h.sync(dev), 200)
        fc.assert_json(h.event(dev)[0], 201)
        fc.assert_json(fc.post(DEVICES + "/dis-1/disable", json={}, token=h.login("admin")), 200)
        fc.assert_error(h.heartbeat(dev), 401, "UNAUTHENTICATED")
        fc.assert_error(h.sync(dev), 401, "UNAUTHENTICATED")
        fc.assert_error(h.event(dev)[0], 401, "UNAUTHENTICATED")
        self.assertEqual(h.db_device("dis-1", "coalesce(key_hash, '-')"), "-")
        d = h.listed("dis-1")
        self.assertEqual((d["lifecycle"], d["status"], d["actions"]), ("DISABLED", "offline", ["enable", "deactivate"]))
        # what it holds stays with it (it may come back; attendance/test_alerts:
        # no device_offline alert for it)
        self.assertEqual(d["enrolled_count"], 1)
        # and nothing is pushed to it: it is offline at once
        other = h.people[1]
        h.enroll(other)
        push = fc.assert_json(h.push(other, targets=[dev]), 200)
        self.assertEqual(push["data"]["results"], [{"device_id": "dis-1", "success": False,
                                                    "error": "Device offline"}])
        fc.assert_error(fc.post(DEVICES + "/dis-1/provisioning-token", json={}, token=h.login("admin")),
                        409, "INVALID_TRANSITION")

    def test_token_voided(self):
        h = IotHotel("dis2").make()
        created = fc.assert_json(h.create_device("dis-tok"), 201)
        fc.assert_json(fc.post(DEVICES + "/dis-tok/disable", json={}, token=h.login("admin")), 200)
        fc.assert_error(provision("dis-tok", created["provisioning_token"]), 403, "FORBIDDEN")
        self.assertEqual(h.db_device("dis-tok", "lifecycle"), "DISABLED")

    def test_sysadmin_with_hotel(self):
        h = IotHotel("dis3").make()
        h.in_lifecycle("dis-sys", "ACTIVE")
        fc.assert_json(h.sys("POST", DEVICES + "/dis-sys/disable", json={}), 200)
        fc.assert_json(h.sys("POST", DEVICES + "/dis-sys/enable", json={}), 200)
        r = fc.post(DEVICES + "/dis-sys/disable", json={}, api_key=fc.ADMIN_KEY)
        fc.assert_error(r, 400, "VALIDATION_ERROR", field="hotel")
        self.assertEqual(h.db_device("dis-sys", "lifecycle"), "ALLOCATED")



class Migration(unittest.TestCase):
    """sql/019_device_lifecycle.sql on a database holding devices made
    before it (a scratch database: migrations 001-016, rows, then 019): a
    deactivated device becomes DECOMMISSIONED, a stored OFFLINE ACTIVE, the
    rest keep theirs, the new constraints hold, and no live event is
    emitted for the renaming."""

    ROWS = [  # device_id, lifecycle before, key, deactivated, lifecycle after
        ("prov", "PROVISIONING", False, False, "PROVISIONING"),
        ("keyed", "PROVISIONED", True, False, "PROVISIONED"),
        ("act", "ACTIVE", True, False, "ACTIVE"),
        ("off", "OFFLINE", True, False, "ACTIVE"),
        ("err", "ERROR", True, False, "ERROR"),
        ("gone", "ACTIVE", False, True, "DECOMMISSIONED"),
        ("gone2", "OFFLINE", False, True, "DECOMMISSIONED"),
    ]

    def run_sql(self, db, *args):
        conninfo = fc.ENV["FACECLOCK_MIGRATE_URL"] + " dbname=" + db
        p = subprocess.run(fc._psql_cmd() + [conninfo, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA"] + list(args),
                           capture_output=True, text=True, timeout=60, cwd="/")
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.strip()

    def test_existing_rows(self):
        db = "migcheck_%d" % os.getpid()
        rc, _, err = fc.psql("CREATE DATABASE %s" % db, check=False)
        if rc != 0:
            self.skipTest("cannot create a scratch database: %s" % err)
        try:
            self.run_sql(db, "-c", "CREATE TABLE schema_migrations (version text PRIMARY KEY, "
                                   "applied_at timestamptz NOT NULL DEFAULT now())")
            for f in sorted(glob.glob(os.path.join(fc.REPO, "sql", "0*.sql"))):
                if os.path.basename(f) >= "019":
                    break
                self.run_sql(db, "-f", f)
            values = ", ".join("(1, '%s', 'x', '%s', %s, now(), %s, %s)"
                               % (d, lc, "'k'" if key else "NULL", "now()" if gone else "NULL",
                                  "'fault'" if lc == "ERROR" else "NULL")
                               for d, lc, key, gone, _ in self.ROWS)
            self.run_sql(db, "-c", "INSERT INTO hotels (id, slug, name) VALUES (1, 'm', 'M'); "
                                   "INSERT INTO devices (hotel_id, device_id, display_name, lifecycle, key_hash, "
                                   "provisioned_at, deactivated_at, error_message) VALUES " + values)
            events = self.run_sql(db, "-c", "SELECT count(*) FROM events")
            self.run_sql(db, "-f", os.path.join(fc.REPO, "sql", "019_device_lifecycle.sql"))
            got = self.run_sql(db, "-c", "SELECT string_agg(device_id || ' ' || lifecycle, ',' ORDER BY id) "
                                         "FROM devices")
            self.assertEqual(got, ",".join("%s %s" % (r[0], r[4]) for r in self.ROWS))
            self.assertEqual(self.run_sql(db, "-c", "SELECT string_agg(device_id, ',') FROM devices "
                                                    "WHERE error_reported_at IS NOT NULL"), "err")
            self.assertEqual(self.run_sql(db, "-c", "SELECT count(*) FROM events"), events)
            # the trigger is back: a change of lifecycle is an event again
            self.run_sql(db, "-c", "UPDATE devices SET lifecycle = 'ERROR' WHERE device_id = 'act'")
            self.assertEqual(int(self.run_sql(db, "-c", "SELECT count(*) FROM events")), int(events) + 1)
        finally:
            fc.psql("DROP DATABASE IF EXISTS %s" % db, check=False)
