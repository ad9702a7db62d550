"""Device configuration and actions (docs/iot.md "Config", "Actions"; issue 14): GET/PUT
/api/iot/devices/{device_id}/config — the defaults, a PUT replaces the
settings and moves config_version (absent settings back to their
defaults), the heartbeat's answer carries config_version, the device
reads its own and no other's, an unknown key or a setting out of range is
400 naming it with nothing changed, another hotel's device is 404, and
each change is in the action audit with the old and new settings.
Actions: queued by an admin, delivered in every heartbeat's answer until
the device acknowledges each (its own only), listed with their status,
another hotel's device 404, an unknown action 400, audited."""

import fc
from devices.iot import IotCase, IotHotel

DEFAULTS = {"recognition_threshold": 0.6, "capture_interval_ms": 1000, "min_face_px": 80, "liveness_check": True}


class Config(IotCase):
    def setUp(self):
        h = self.h = IotHotel("dcfg").make()
        self.a = h.device("c-a")
        self.b = h.device("c-b")

    def path(self, device_id="c-a"):
        return "/api/iot/devices/%s/config" % device_id

    def get(self, device_id="c-a", role="manager"):
        return fc.assert_json(fc.get(self.path(device_id), token=self.h.login(role)), 200)

    def put(self, body, device_id="c-a", role="admin"):
        return fc.request("PUT", self.path(device_id), json=body, token=self.h.login(role))

    def test_round_trip(self):
        h = self.h
        c = self.get()
        self.assertEqual((c["device_id"], c["config_version"], c["config"], c["updated_at"]),
                         ("c-a", 0, DEFAULTS, None))
        self.assertEqual(fc.assert_json(h.heartbeat(self.a), 200)["config_version"], 0)
        c = fc.assert_json(self.put({"recognition_threshold": 0.45, "liveness_check": False}), 200)
        self.assertEqual(c["config_version"], 1)
        self.assertEqual(c["config"], dict(DEFAULTS, recognition_threshold=0.45, liveness_check=False))
        fc.parse_ts(c["updated_at"])
        # the device sees the new version in its heartbeat and reads it
        self.assertEqual(fc.assert_json(h.heartbeat(self.a), 200)["config_version"], 1)
        mine = fc.assert_json(fc.get(self.path(), api_key=self.a.key), 200)
        self.assertEqual(mine["config"], c["config"])
        fc.assert_error(fc.get(self.path("c-b"), api_key=self.a.key), 404, "NOT_FOUND")
        # a PUT replaces: what it leaves out is back to the default
        c = fc.assert_json(self.put({"min_face_px": 120}), 200)
        self.assertEqual((c["config_version"], c["config"]), (2, dict(DEFAULTS, min_face_px=120)))
        self.assertEqual(self.get("c-b")["config_version"], 0)          # another device untouched
        rows = fc.assert_json(fc.get(h.path("action-audit-logs/?action=device.config_changed"),
                                     token=h.login("admin")), 200)
        rows = rows if isinstance(rows, list) else rows.get("results", rows.get("logs", []))
        self.assertEqual(len(rows), 2)
        newest = rows[0]
        self.assertEqual((newest["target"], newest["old_value"]["liveness_check"], newest["new_value"]["min_face_px"]),
                         ("device:c-a", False, 120))

    def test_bad_input(self):
        for body, field in (({"threshold": 0.5}, "threshold"),
                            ({"recognition_threshold": 0.81}, "recognition_threshold"),
                            ({"recognition_threshold": 0.29}, "recognition_threshold"),
                            ({"capture_interval_ms": 99}, "capture_interval_ms"),
                            ({"min_face_px": "80"}, "min_face_px"),
                            ({"liveness_check": 1}, "liveness_check"),
                            ({"recognition_threshold": 0.5, "extra": {}}, "extra")):
            fc.assert_error(self.put(body), 400, "VALIDATION_ERROR", field)
        self.assertEqual(self.get()["config_version"], 0)
        fc.assert_error(self.put({"recognition_threshold": 0.5}, role="manager"), 403, "FORBIDDEN")
        fc.assert_error(self.put({"recognition_threshold": 0.5}, device_id="c-none"), 404, "NOT_FOUND")

    def test_other_hotel(self):
        other = IotHotel("dcfg2").make()
        other.device("c-x")
        fc.assert_error(self.put({"recognition_threshold": 0.5}, device_id="c-x"), 404, "NOT_FOUND")
        fc.assert_error(fc.get(self.path("c-x"), token=self.h.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.request("PUT", self.path("c-a"), json={"recognition_threshold": 0.5},
                                   token=other.login("admin")), 404, "NOT_FOUND")
        self.assertEqual(self.get()["config_version"], 0)


class Actions(IotCase):
    def setUp(self):
        h = self.h = IotHotel("dact").make()
        self.a = h.device("x-a")
        self.b = h.device("x-b")

    def queue(self, action, device_id="x-a", role="admin"):
        return fc.post("/api/iot/devices/%s/actions" % device_id, json={"action": action}, token=self.h.login(role))

    def listed(self, device_id="x-a"):
        r = fc.get("/api/iot/devices/%s/actions" % device_id, token=self.h.login("hr"))
        return fc.assert_json(r, 200)

    def ack(self, action_id, dev=None, device_id=None):
        dev = dev or self.a
        return fc.post("/api/iot/devices/%s/actions/%d/ack" % (device_id or dev.device_id, action_id), json={},
                       api_key=dev.key)

    def test_round_trip(self):
        h = self.h
        self.assertEqual(fc.assert_json(h.heartbeat(self.a), 200)["pending_actions"], [])
        first = fc.assert_json(self.queue("sync_now"), 201)
        self.assertEqual((first["device_id"], first["action"], first["status"], first["delivered_at"]),
                         ("x-a", "sync_now", "queued", None))
        second = fc.assert_json(self.queue("send_logs"), 201)
        # delivered with every heartbeat until acknowledged, oldest first
        for _ in range(2):
            got = fc.assert_json(h.heartbeat(self.a), 200)["pending_actions"]
            self.assertEqual(got, [{"id": first["id"], "action": "sync_now"},
                                   {"id": second["id"], "action": "send_logs"}])
        self.assertEqual(fc.assert_json(h.heartbeat(self.b), 200)["pending_actions"], [])
        self.assertEqual([(x["id"], x["status"]) for x in self.listed()],
                         [(second["id"], "delivered"), (first["id"], "delivered")])
        done = fc.assert_json(self.ack(first["id"]), 200)
        self.assertEqual(done["status"], "acknowledged")
        fc.parse_ts(done["acknowledged_at"])
        self.assertEqual(fc.assert_json(self.ack(first["id"]), 200)["acknowledged_at"], done["acknowledged_at"])
        got = fc.assert_json(h.heartbeat(self.a), 200)["pending_actions"]
        self.assertEqual(got, [{"id": second["id"], "action": "send_logs"}])
        # another device cannot acknowledge it, nor name this one
        fc.assert_error(self.ack(second["id"], dev=self.b), 404, "NOT_FOUND")
        fc.assert_error(self.ack(second["id"], dev=self.b, device_id="x-a"), 404, "NOT_FOUND")
        fc.assert_error(self.ack(999999999), 404, "NOT_FOUND")
        rows = fc.assert_json(fc.get(h.path("action-audit-logs/?target=device:x-a"), token=h.login("admin")), 200)
        actions = sorted(r["action"] for r in rows if r["action"].startswith("device.action"))
        self.assertEqual(actions, ["device.action_acknowledged", "device.action_queued", "device.action_queued"])

    def fail(self, action_id, error="disk full", dev=None):
        dev = dev or self.a
        return fc.post("/api/iot/devices/%s/actions/%d/ack" % (dev.device_id, action_id),
                       json={"result": "failed", "error": error}, api_key=dev.key)

    def test_failing_actions_put_the_device_in_error(self):
        """docs/iot.md "Errors": three failed in a row (lifecycle_rules.h
        LC_FAILED_ACTIONS) put it in ERROR; a healthy heartbeat does not
        end that fault; the next action done does."""
        h = self.h
        ids = [fc.assert_json(self.queue("send_logs"), 201)["id"] for _ in range(5)]
        got = fc.assert_json(self.fail(ids[0]), 200)
        self.assertEqual((got["result"], got["error"]), ("failed", "disk full"))
        fc.assert_json(self.ack(ids[1]), 200)                      # done: the run starts again
        fc.assert_json(self.fail(ids[2]), 200)
        fc.assert_json(self.fail(ids[3]), 200)
        self.assertEqual(h.listed("x-a")["lifecycle"], "ACTIVE")  # two in a row: not yet
        got = fc.assert_json(self.fail(ids[4], error="upload refused"), 200)
        d = h.listed("x-a")
        self.assertEqual(d["lifecycle"], "ERROR")
        self.assertIn("3 actions failed in a row", d["error_message"])
        self.assertIn("upload refused", d["error_message"])
        since = d["error_reported_at"]
        # acknowledging again changes nothing, the first result kept
        again = fc.assert_json(fc.post("/api/iot/devices/x-a/actions/%d/ack" % ids[4], json={"result": "done"},
                                       api_key=self.a.key), 200)
        self.assertEqual(again["result"], "failed")
        fc.assert_json(h.heartbeat(self.a), 200)                  # healthy, but its actions fail
        d = h.listed("x-a")
        self.assertEqual((d["lifecycle"], d["error_reported_at"]), ("ERROR", since))
        self.assertEqual(h.listed("x-b")["lifecycle"], "ACTIVE")
        # the next one done ends it
        nxt = fc.assert_json(self.queue("sync_now"), 201)["id"]
        fc.assert_json(self.ack(nxt), 200)
        d = h.listed("x-a")
        self.assertEqual((d["lifecycle"], d["error_message"]), ("ACTIVE", None))
        rows = fc.assert_json(fc.get(h.path("action-audit-logs/?target=device:x-a"), token=h.login("admin")), 200)
        moves = [(r["action"], r["new_value"]["lifecycle"]) for r in rows
                 if r["action"] in ("device.fault", "device.error_cleared")]
        self.assertEqual(moves, [("device.error_cleared", "ACTIVE"), ("device.fault", "ERROR")])
        # a fault the device reports itself still ends with its healthy heartbeat
        fc.assert_json(h.heartbeat(self.a, json={"error": "lens"}), 200)
        self.assertEqual(h.listed("x-a")["lifecycle"], "ERROR")
        fc.assert_json(h.heartbeat(self.a), 200)
        self.assertEqual(h.listed("x-a")["lifecycle"], "ACTIVE")

    def test_bad_acknowledgement(self):
        first = fc.assert_json(self.queue("restart"), 201)["id"]
        for body, field in (({"result": "maybe"}, "result"), ({"result": "failed", "error": "x" * 501}, "error"),
                            ({"result": 1}, "result")):
            fc.assert_error(fc.post("/api/iot/devices/x-a/actions/%d/ack" % first, json=body, api_key=self.a.key),
                            400, "VALIDATION_ERROR", field)
        self.assertEqual([x["status"] for x in self.listed()], ["queued"])

    def test_bad_input(self):
        h = self.h
        fc.assert_error(self.queue("reboot"), 400, "VALIDATION_ERROR", "action")
        fc.assert_error(fc.post("/api/iot/devices/x-a/actions", json={}, token=h.login("admin")), 400,
                        "VALIDATION_ERROR", "action")
        fc.assert_error(self.queue("restart", role="manager"), 403, "FORBIDDEN")
        fc.assert_error(self.queue("restart", device_id="x-none"), 404, "NOT_FOUND")
        self.assertEqual(self.listed(), [])
        other = IotHotel("dact2").make()
        other.device("x-z")
        fc.assert_error(self.queue("restart", device_id="x-z"), 404, "NOT_FOUND")
        fc.assert_error(fc.get("/api/iot/devices/x-z/actions", token=h.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.post("/api/iot/devices/x-a/actions", json={"action": "restart"}, token=other.login("admin")),
                        404, "NOT_FOUND")
        self.assertEqual(self.listed(), [])
