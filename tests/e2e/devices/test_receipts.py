"""Receipts and heartbeat metrics (docs/iot.md "Receipts", "Metrics";
issue 14): a device reports the version it has applied, in its heartbeat
or its sync; GET /api/iot/revocations shows each face revocation with the
devices that still hold it and since when, complete when none does; the
devices page and the person's own page show it; a receipt past the
hotel's version is refused. Heartbeat metrics are range-checked (400
naming the field, nothing stored), kept per device up to a bound (the
oldest dropped), and read back by GET /api/iot/devices/{id}/metrics;
another hotel's device is 404. The alert on an unapplied removal is in
attendance/test_alerts.py (test_revocation_and_unsynced)."""

import re

import fc
from devices.iot import IotCase, IotHotel, emp, q
from pages.browse import page, session

REVOCATIONS = "/api/iot/revocations"
KEEP = 1000


class Receipts(IotCase):
    def setUp(self):
        h = self.h = IotHotel("rcpt").make()
        self.a = h.device("r-a")
        self.b = h.device("r-b")
        self.sid = h.users["staff"]["staff_id"]
        h.enroll(self.sid)
        h.push_ok(self.sid, self.a, self.b)
        for d in (self.a, self.b):
            h.sync_ok(d, 0)
            fc.assert_json(h.heartbeat(d, json={"applied_version": h.version()}), 200)

    def revocations(self, role="manager", **filters):
        return fc.assert_json(fc.get(q(REVOCATIONS, **filters), token=self.h.login(role)), 200)

    def revoke(self):
        r = fc.request("DELETE", self.h.att("revoke-face/%d/" % self.sid), json={"reason": "left"},
                       token=self.h.login("manager"))
        fc.assert_json(r, 200)

    def me(self):
        cookie, _ = session(self.h, "staff")
        r = page("/dashboard/me", cookie)
        self.assertEqual(r.status, 200, r)
        m = re.search(r'<dd id="face-removal" data-complete="(true|false)">([^<]*)', r.text)
        return m and (m.group(1), m.group(2).strip())

    def test_pending_then_complete(self):
        h = self.h
        self.assertEqual(self.revocations(), [])
        self.assertIsNone(self.me())                  # a face now: nothing withdrawn
        self.revoke()
        v = h.version()
        [rv] = self.revocations(pending="true")
        self.assertEqual((rv["staff_id"], rv["employee_id"], rv["devices"], rv["pending_count"], rv["complete"]),
                         (self.sid, emp(self.sid), 2, 2, False))
        self.assertNotIn("name", rv)                  # the code, not the person's name
        self.assertEqual([d["device_id"] for d in rv["pending_devices"]], ["r-a", "r-b"])
        for d in rv["pending_devices"]:
            self.assertEqual(d["since"], rv["revoked_at"])
        self.assertEqual(self.me(), ("false", "Still on 2 of 2 devices: removed at their next sync"))
        # A pulls the removal: pulled is not applied, both still hold it
        body = h.sync_ok(self.a, v - 2)
        self.assertEqual(body["removals"], [emp(self.sid)])
        self.assertEqual(self.revocations(pending="true")[0]["pending_count"], 2)
        # A reports it applied (heartbeat): pending on B only, since the revocation
        fc.assert_json(h.heartbeat(self.a, json={"applied_version": v}), 200)
        [rv] = self.revocations(pending="true")
        self.assertEqual(rv["pending_count"], 1)
        [b] = rv["pending_devices"]
        self.assertEqual((b["device_id"], b["since"]), ("r-b", rv["revoked_at"]))
        self.assertEqual(self.me(), ("false", "Still on 1 of 2 devices: removed at their next sync"))
        devices = {d["device_id"]: d for d in h.device_list()["devices"]}
        self.assertEqual(devices["r-a"]["applied_version"], v)
        self.assertIsNotNone(devices["r-a"]["applied_at"])
        # the move is a live event (once: the same receipt again is not)
        fc.assert_json(h.heartbeat(self.a, json={"applied_version": v}), 200)
        events = fc.psql("SELECT data->>'applied_version' FROM events WHERE hotel_id = %d AND type = 'device.applied' "
                         "AND data->>'device_id' = 'r-a' ORDER BY id" % h.hotel_id).split()
        self.assertEqual(events[-1], str(v))
        self.assertEqual(events.count(str(v)), 1)
        # B reports it with its sync: complete
        h.sync_ok(self.b, v, applied=v)
        self.assertEqual(self.revocations(pending="true"), [])
        [rv] = self.revocations(pending="false")
        self.assertEqual((rv["pending_count"], rv["complete"], rv["pending_devices"]), (0, True, []))
        self.assertEqual(self.revocations(staff_id=self.sid)[0]["version"], rv["version"])
        self.assertEqual(self.revocations(staff_id=self.sid + 1), [])
        self.assertEqual(self.me(), ("true", "Removed from all devices"))
        # the devices page shows it
        cookie, _ = session(h, "manager")
        text = page("/dashboard/devices", cookie).text
        self.assertIn('id="revocation-%d-%d" data-complete="true"' % (self.sid, rv["version"]), text)
        self.assertIn("✓ from all 2", text)

    def test_pending_on_the_page(self):
        h = self.h
        self.revoke()
        cookie, _ = session(h, "manager")
        text = page("/dashboard/devices", cookie).text
        self.assertIn("2 of 2 pending", text)
        self.assertIn(emp(self.sid), text)

    def test_decommissioned_device_holds_nothing(self):
        h = self.h
        self.revoke()
        fc.assert_json(fc.request("DELETE", "/api/iot/devices/r-b", token=h.login("admin")), 200)
        [rv] = self.revocations()
        self.assertEqual([d["device_id"] for d in rv["pending_devices"]], ["r-a"])
        # decommissioning A: what it held is logged as removed, no new revocation
        fc.assert_json(fc.request("DELETE", "/api/iot/devices/r-a", token=h.login("admin")), 200)
        [rv] = self.revocations()
        self.assertTrue(rv["complete"])

    def test_receipt_past_the_hotel_refused(self):
        h = self.h
        v = h.version()
        fc.assert_error(h.heartbeat(self.a, json={"applied_version": v + 1}), 400, "VALIDATION_ERROR",
                        "applied_version")
        fc.assert_error(h.sync(self.a, v, applied=v + 1), 400, "VALIDATION_ERROR", "applied_version")
        fc.assert_error(h.sync(self.a, v, applied=-1), 400, "VALIDATION_ERROR", "applied_version")
        fc.assert_error(h.sync(self.a, v, applied="x"), 400, "VALIDATION_ERROR", "applied_version")
        fc.assert_error(h.heartbeat(self.a, json={"applied_version": "7"}), 400, "VALIDATION_ERROR",
                        "applied_version")
        # nothing stored: still at v, no sample beyond the setup's
        devices = {d["device_id"]: d for d in h.device_list()["devices"]}
        self.assertEqual(devices["r-a"]["applied_version"], v)
        self.assertEqual(len(self.samples("r-a")), 1)

    def samples(self, device_id, role="manager", **filters):
        r = fc.get(q("/api/iot/devices/%s/metrics" % device_id, **filters), token=self.h.login(role))
        return fc.assert_json(r, 200)["samples"]

    # ---- metrics
    def test_metrics_round_trip(self):
        h = self.h
        m = {"firmware_version": "2.4.1", "uptime_seconds": 3600, "temperature_c": 41.5,
             "free_storage_mb": 2048, "profile_count": 1}
        fc.assert_json(h.heartbeat(self.a, json=m), 200)
        fc.assert_json(h.heartbeat(self.a, json={"temperature_c": 42}), 200)
        fc.assert_json(h.heartbeat(self.a), 200)                 # nothing reported: no sample
        s = self.samples("r-a")
        self.assertEqual(len(s), 3)                              # the setup's receipt, then these
        for k, v in m.items():
            self.assertEqual(s[1][k], v)
        self.assertEqual((s[2]["temperature_c"], s[2]["firmware_version"]), (42, None))
        fc.parse_ts(s[2]["at"])
        self.assertEqual(self.samples("r-a", role="hr")[2]["temperature_c"], 42)
        self.assertEqual(self.samples("r-a", **{"from": "2000-01-01", "to": "2000-01-02"}), [])
        self.assertEqual(len(self.samples("r-b")), 1)
        # the devices page charts them
        cookie, _ = session(h, "hr")
        text = page("/dashboard/devices?device=r-a", cookie).text
        self.assertIn('<h2 id="metrics-title">Metrics of r-a <span class="sub">3 samples</span></h2>', text)
        self.assertIn("2 samples: lowest 41.5 °C, highest 42 °C, last 42 °C.", text)
        self.assertIn("1 samples: lowest 2048 MB, highest 2048 MB, last 2048 MB.", text)
        self.assertEqual(text.count("<polyline"), 1)              # temperature: two in a row
        self.assertEqual(text.count("<circle"), 2)                # storage and profiles: one each
        self.assertIn('href="/dashboard/devices?device=r-b#metrics"', text)
        self.assertIn("No device r-zz in this hotel.", page("/dashboard/devices?device=r-zz", cookie).text)
        self.assertEqual(page("/dashboard/devices?device=-bad", cookie).status, 400)

    def test_metrics_out_of_range(self):
        h = self.h
        for body, field in (({"temperature_c": 125.5}, "temperature_c"),
                            ({"temperature_c": -41}, "temperature_c"),
                            ({"uptime_seconds": -1}, "uptime_seconds"),
                            ({"uptime_seconds": 315576001}, "uptime_seconds"),
                            ({"free_storage_mb": 10000001}, "free_storage_mb"),
                            ({"profile_count": 1.5}, "profile_count"),
                            ({"firmware_version": "x" * 65}, "firmware_version"),
                            ({"firmware_version": 7}, "firmware_version"),
                            ({"profile_count": 3, "temperature_c": "hot"}, "temperature_c")):
            fc.assert_error(h.heartbeat(self.a, json=body), 400, "VALIDATION_ERROR", field)
        self.assertEqual(len(self.samples("r-a")), 1)
        # a fault and a bad metric: the fault is not recorded either
        fc.assert_error(h.heartbeat(self.a, json={"error": "lens", "temperature_c": 999}), 400,
                        "VALIDATION_ERROR", "temperature_c")
        devices = {d["device_id"]: d for d in h.device_list()["devices"]}
        self.assertIsNone(devices["r-a"]["error_message"])

    def test_history_bounded(self):
        h = self.h
        dev_pk = "(SELECT id FROM devices WHERE hotel_id = %d AND device_id = 'r-a')" % h.hotel_id
        fc.psql("INSERT INTO device_metrics (device_pk, hotel_id, at, temperature_c) "
                "SELECT %s, %d, now() - (i || ' seconds')::interval, 20 FROM generate_series(1, %d) i"
                % (dev_pk, h.hotel_id, KEEP + 5))
        count = "SELECT count(*) FROM device_metrics WHERE device_pk = %s" % dev_pk
        self.assertEqual(int(fc.psql(count)), KEEP + 6)
        fc.assert_json(h.heartbeat(self.a, json={"temperature_c": 30}), 200)
        self.assertEqual(int(fc.psql(count)), KEEP)
        s = self.samples("r-a")
        self.assertEqual((len(s), s[-1]["temperature_c"]), (KEEP, 30))
        fc.assert_json(h.heartbeat(self.a, json={"temperature_c": 31}), 200)
        self.assertEqual(int(fc.psql(count)), KEEP)
        self.assertEqual(len(self.samples("r-b")), 1)            # another device's history untouched

    def test_other_hotel(self):
        other = IotHotel("rcpt2").make()
        other.device("r-x")
        fc.assert_error(fc.get("/api/iot/devices/r-x/metrics", token=self.h.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.get("/api/iot/devices/r-a/metrics", token=other.login("manager")), 404, "NOT_FOUND")
        self.assertEqual(fc.assert_json(fc.get(REVOCATIONS, token=other.login("manager")), 200), [])
        # a device's receipt is its own: another id is 404
        fc.assert_error(self.h.heartbeat(self.a, json={"applied_version": 0}, device_id="r-b"), 404, "NOT_FOUND")
