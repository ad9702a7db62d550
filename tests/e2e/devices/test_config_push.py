"""Per-location configuration and the config and action pushes (issue 14;
docs/iot.md "Config", "Actions", "MQTT push").

- A location's settings (GET/PUT /api/iot/locations/{location_label}/config,
  managers write) lie under each device's own: the effective configuration
  a device reads is the defaults, its location's settings over them, its
  own over those; its config_version moves when either changes and when
  it is moved to another location; another location's devices are left
  alone; audited location.config_changed; a bad key is 400 naming it with
  nothing changed; a location the hotel does not have (another hotel's)
  is 404 with nothing created.
- Receipt: a device reports the config version it applied in its
  heartbeat (applied_config_version); past its version is 400, nothing
  stored.
- Over MQTT (the real mosquitto, the simulator tests/devices/sim.py): a
  connected camera gets {"version": N} on its config topic after a PUT of
  its own settings and of its location's, fetches the configuration and
  reports it applied; an action queued for it comes as {"id", "kind"} on
  its actions topic and is acknowledged; both show in the API. The
  messages carry nothing else (no settings, no secret).
- Without MQTT (the poll path): the same device learns both from its
  heartbeat's answer (config_version, pending_actions) and acknowledges.
- An action for another hotel's device is 404 and nothing is queued."""

import json
import os
import sys
import time
import unittest

import fc
from devices.iot import IotCase, IotHotel

sys.path.insert(0, os.path.join(fc.REPO, "tests", "devices"))
import sim  # noqa: E402

DEFAULTS = {"recognition_threshold": 0.6, "capture_interval_ms": 1000, "min_face_px": 80, "liveness_check": True}
BOUND_S = 10.0           # sanity bound on a push's delay (expected well under a second)


def loc_path(label):
    return "/api/iot/locations/%s/config" % label


class LocationConfig(IotCase):
    def setUp(self):
        h = self.h = IotHotel("lcfg").make()
        self.a = h.device("l-a")                              # Lobby
        self.b = h.device("l-b")                              # Lobby
        self.c = h.device("l-c", location_label="Roof")

    def dev_config(self, device_id):
        return fc.assert_json(fc.get("/api/iot/devices/%s/config" % device_id, token=self.h.login("hr")), 200)

    def put_loc(self, body, label="Lobby", role="manager", h=None):
        h = h or self.h
        return fc.request("PUT", loc_path(label), json=body, token=h.login(role))

    def test_precedence_and_versions(self):
        h = self.h
        got = fc.assert_json(fc.get(loc_path("Lobby"), token=h.login("hr")), 200)
        self.assertEqual((got["location_label"], got["config_version"], got["config"], got["settings"],
                          got["updated_at"], got["devices"]), ("Lobby", 0, DEFAULTS, {}, None, 2))
        v_a, v_c = self.dev_config("l-a")["config_version"], self.dev_config("l-c")["config_version"]

        loc = fc.assert_json(self.put_loc({"recognition_threshold": 0.5, "min_face_px": 100}), 200)
        self.assertEqual((loc["config_version"], loc["settings"], loc["config"]),
                         (1, {"recognition_threshold": 0.5, "min_face_px": 100},
                          dict(DEFAULTS, recognition_threshold=0.5, min_face_px=100)))
        a = self.dev_config("l-a")
        self.assertEqual((a["config_version"], a["location_label"], a["location_config_version"], a["settings"]),
                         (v_a + 1, "Lobby", 1, {}))
        self.assertEqual(a["config"], loc["config"])
        self.assertEqual(self.dev_config("l-c")["config_version"], v_c)          # another location: untouched

        # the device's own settings over its location's
        own = fc.assert_json(fc.request("PUT", "/api/iot/devices/l-a/config", json={"min_face_px": 150},
                                        token=h.login("admin")), 200)
        self.assertEqual((own["config_version"], own["settings"]), (v_a + 2, {"min_face_px": 150}))
        self.assertEqual(own["config"], dict(DEFAULTS, recognition_threshold=0.5, min_face_px=150))
        # a location PUT replaces the location's settings; the device's own stay on top
        fc.assert_json(self.put_loc({"liveness_check": False}), 200)
        a = self.dev_config("l-a")
        self.assertEqual((a["config_version"], a["location_config_version"]), (v_a + 3, 2))
        self.assertEqual(a["config"], dict(DEFAULTS, min_face_px=150, liveness_check=False))
        b = self.dev_config("l-b")
        self.assertEqual(b["config"], dict(DEFAULTS, liveness_check=False))
        # what the device itself reads, and its heartbeat's version
        mine = fc.assert_json(fc.get("/api/iot/devices/l-a/config", api_key=self.a.key), 200)
        self.assertEqual(mine["config"], a["config"])
        self.assertEqual(fc.assert_json(h.heartbeat(self.a), 200)["config_version"], a["config_version"])
        # audited with the old and new settings
        rows = fc.assert_json(fc.get(h.path("action-audit-logs/?action=location.config_changed"),
                                     token=h.login("admin")), 200)
        self.assertEqual([(r["target"], r["old_value"], r["new_value"]) for r in rows],
                         [("location:Lobby", {"recognition_threshold": 0.5, "min_face_px": 100},
                           {"liveness_check": False}),
                          ("location:Lobby", {}, {"recognition_threshold": 0.5, "min_face_px": 100})])

    def test_moved_device_runs_its_new_location(self):
        h = self.h
        fc.assert_json(self.put_loc({"capture_interval_ms": 250}, label="Roof"), 200)
        fc.assert_json(h.create_device("l-new", provision=False, location_label=None), 201)
        before = self.dev_config("l-new")
        self.assertEqual((before["location_label"], before["config"]), (None, DEFAULTS))
        fc.assert_json(fc.post("/api/iot/devices/l-new/allocate", json={"location_label": "Roof"},
                               token=h.login("admin")), 200)
        after = self.dev_config("l-new")
        self.assertEqual(after["config_version"], before["config_version"] + 1)
        self.assertEqual((after["location_label"], after["config"]), ("Roof", dict(DEFAULTS, capture_interval_ms=250)))

    def test_applied_receipt(self):
        h = self.h
        fc.assert_json(self.put_loc({"min_face_px": 60}), 200)
        v = self.dev_config("l-a")["config_version"]
        fc.assert_error(h.heartbeat(self.a, json={"applied_config_version": v + 1}), 400, "VALIDATION_ERROR",
                        "applied_config_version")
        fc.assert_error(h.heartbeat(self.a, json={"applied_config_version": "1"}), 400, "VALIDATION_ERROR",
                        "applied_config_version")
        self.assertEqual(self.dev_config("l-a")["applied_config_version"], 0)
        got = fc.assert_json(h.heartbeat(self.a, json={"applied_config_version": v}), 200)
        self.assertEqual((got["config_version"], got["applied_config_version"]), (v, v))
        a = self.dev_config("l-a")
        self.assertEqual(a["applied_config_version"], v)
        fc.parse_ts(a["config_applied_at"])

    def test_bad_input(self):
        h = self.h
        v_a = self.dev_config("l-a")["config_version"]
        for body, field in (({"threshold": 0.5}, "threshold"),
                            ({"recognition_threshold": 0.9}, "recognition_threshold"),
                            ({"capture_interval_ms": "fast"}, "capture_interval_ms"),
                            ({"liveness_check": 0}, "liveness_check"),
                            ({"min_face_px": 100, "extra": 1}, "extra")):
            fc.assert_error(self.put_loc(body), 400, "VALIDATION_ERROR", field)
        self.assertEqual(fc.assert_json(fc.get(loc_path("Lobby"), token=h.login("hr")), 200)["config_version"], 0)
        self.assertEqual(self.dev_config("l-a")["config_version"], v_a)
        fc.assert_error(self.put_loc({"min_face_px": 100}, role="hr"), 403, "FORBIDDEN")
        # a location the hotel does not have, another hotel's among them
        other = IotHotel("lcfg2").make()
        other.device("l-x", location_label="Attic")
        fc.assert_error(fc.get(loc_path("Attic"), token=h.login("hr")), 404, "NOT_FOUND")
        fc.assert_error(self.put_loc({"min_face_px": 100}, label="Attic"), 404, "NOT_FOUND")
        fc.assert_error(self.put_loc({"min_face_px": 100}, label="Nowhere"), 404, "NOT_FOUND")
        self.assertEqual(fc.psql("SELECT count(*) FROM location_configs WHERE hotel_id IN (%d, %d)"
                                 % (h.hotel_id, other.hotel_id)), "0")
        # the admin of the other hotel reaches only its own Lobby: none there
        fc.assert_error(self.put_loc({"min_face_px": 100}, h=other, role="admin"), 404, "NOT_FOUND")
        self.assertEqual(self.dev_config("l-a")["config_version"], v_a)

    def test_action_for_another_hotels_device(self):
        other = IotHotel("lcfg3").make()
        x = other.device("l-z")
        fc.assert_error(fc.post("/api/iot/devices/l-z/actions", json={"action": "restart"},
                                token=self.h.login("admin")), 404, "NOT_FOUND")
        self.assertEqual(fc.psql("SELECT count(*) FROM device_actions WHERE hotel_id = %d" % other.hotel_id), "0")
        self.assertEqual(fc.psql("SELECT count(*) FROM mqtt_pushes WHERE kind = 'action' AND hotel_id = %d"
                                 % other.hotel_id), "0")
        self.assertEqual(fc.assert_json(other.heartbeat(x), 200)["pending_actions"], [])

    def test_poll_path(self):
        """Without MQTT: the heartbeat's answer tells the device both."""
        h = self.h
        fc.assert_json(self.put_loc({"min_face_px": 90}), 200)
        queued = fc.assert_json(fc.post("/api/iot/devices/l-b/actions", json={"action": "send_logs"},
                                        token=h.login("admin")), 201)
        beat = fc.assert_json(h.heartbeat(self.b), 200)
        self.assertEqual(beat["pending_actions"], [{"id": queued["id"], "action": "send_logs"}])
        self.assertGreater(beat["config_version"], beat["applied_config_version"])
        fc.assert_json(fc.post("/api/iot/devices/l-b/actions/%d/ack" % queued["id"], json={}, api_key=self.b.key), 200)
        mine = fc.assert_json(fc.get("/api/iot/devices/l-b/config", api_key=self.b.key), 200)
        self.assertEqual(mine["config"]["min_face_px"], 90)
        beat = fc.assert_json(h.heartbeat(self.b, json={"applied_config_version": mine["config_version"]}), 200)
        self.assertEqual((beat["pending_actions"], beat["applied_config_version"]), ([], mine["config_version"]))
        listed = fc.assert_json(fc.get("/api/iot/devices/l-b/actions", token=h.login("hr")), 200)
        self.assertEqual([(x["id"], x["status"]) for x in listed], [(queued["id"], "acknowledged")])


class ConfigPush(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.url = fc.ENV.get("MQTT_URL")
        if not cls.url:
            raise unittest.SkipTest("the stack has no MQTT broker (mosquitto not installed: scripts/deps.sh)")
        if not sim.available():
            raise unittest.SkipTest("paho-mqtt not installed (Debian python3-paho-mqtt: scripts/deps.sh)")

    def setUp(self):
        self.h = IotHotel("cpush").make()
        self.sims = []

    def tearDown(self):
        for s in self.sims:
            s.stop()

    def connected(self, dev, **kw):
        """dev's simulated camera, connected (a connect refused before the
        service wrote the broker's files is tried again, within BOUND_S)."""
        end = time.monotonic() + BOUND_S
        while True:
            s = sim.SimDevice(fc.ENV["BASE_URL"], self.url, self.h.slug, dev.device_id, dev.key, **kw).start()
            self.sims.append(s)
            if s.wait_connected(BOUND_S):
                return s
            self.assertLess(time.monotonic(), end, "camera %s did not connect (%r)" % (dev.device_id, s.refused))
            time.sleep(0.2)

    def dev_config(self, device_id):
        return fc.assert_json(fc.get("/api/iot/devices/%s/config" % device_id, token=self.h.login("hr")), 200)

    def pushes(self, dev, kind):
        return int(fc.psql("SELECT count(*) FROM mqtt_pushes p JOIN devices d ON d.id = p.device_pk "
                           "WHERE d.hotel_id = %d AND d.device_id = %s AND p.kind = %s"
                           % (self.h.hotel_id, fc.sql_str(dev.device_id), fc.sql_str(kind))))

    def config_reaches(self, cam, version, what):
        got = cam.wait(lambda: next((t for t, v in cam.config_versions if v >= version), None), BOUND_S)
        self.assertIsNotNone(got, "%s: config version %d did not reach the camera: %r"
                             % (what, version, cam.config_versions))
        self.assertTrue(cam.wait(lambda: cam.config_version >= version, BOUND_S), "the camera did not fetch it")
        end = time.monotonic() + BOUND_S         # its heartbeat reports it applied
        while time.monotonic() < end and self.dev_config(cam.device_id)["applied_config_version"] < version:
            time.sleep(0.1)
        self.assertEqual(self.dev_config(cam.device_id)["applied_config_version"], version)
        return got

    def test_config_and_actions_pushed_and_acknowledged(self):
        h = self.h
        dev = h.device("p-a")                                   # Lobby
        roof = h.device("p-r", location_label="Roof")
        cam = self.connected(dev)
        # its own settings
        own = fc.assert_json(fc.request("PUT", "/api/iot/devices/p-a/config", json={"min_face_px": 120},
                                        token=h.login("admin")), 200)
        answered = time.monotonic()
        got = self.config_reaches(cam, own["config_version"], "device PUT")
        print("  [mqtt] config version reached the camera %.3f s after the API answered" % (got - answered))
        self.assertEqual(cam.config, own["config"])
        # its location's
        fc.assert_json(fc.request("PUT", loc_path("Lobby"), json={"recognition_threshold": 0.45},
                                  token=h.login("manager")), 200)
        v = self.dev_config("p-a")["config_version"]
        self.assertEqual(v, own["config_version"] + 1)
        self.config_reaches(cam, v, "location PUT")
        self.assertEqual(cam.config, dict(DEFAULTS, recognition_threshold=0.45, min_face_px=120))
        self.assertEqual(self.pushes(roof, "config"), 0)        # another location's device: nothing for it
        # an action
        queued = fc.assert_json(fc.post("/api/iot/devices/p-a/actions", json={"action": "restart"},
                                        token=h.login("admin")), 201)
        self.assertTrue(cam.wait(lambda: queued["id"] in cam.acked, BOUND_S),
                        "the action did not reach the camera: %r" % cam.actions)
        self.assertEqual(cam.actions, [{"id": queued["id"], "kind": "restart"}])
        listed = fc.assert_json(fc.get("/api/iot/devices/p-a/actions", token=h.login("hr")), 200)
        self.assertEqual([(x["id"], x["status"]) for x in listed], [(queued["id"], "acknowledged")])
        fc.parse_ts(listed[0]["acknowledged_at"])
        # the messages: a version or an action's id and kind, nothing else
        for _, t, payload in cam.messages:
            body = json.loads(payload)
            if t == sim.topic(h.slug, "p-a", "config"):
                self.assertEqual(set(body), {"version"})
            elif t == sim.topic(h.slug, "p-a", "actions"):
                self.assertEqual(set(body), {"id", "kind"})
            self.assertLess(len(payload), 64, payload)
        # every push of this hotel marked sent once the broker took it
        end = time.monotonic() + BOUND_S
        pending = "SELECT count(*) FROM mqtt_pushes WHERE hotel_id = %d AND sent_at IS NULL" % h.hotel_id
        while time.monotonic() < end and fc.psql(pending) != "0":
            time.sleep(0.1)
        self.assertEqual(fc.psql(pending), "0")

    def test_missed_while_away_comes_with_the_heartbeat(self):
        """A camera not connected when they were sent: its heartbeat on
        (re)connection brings the action and the config version."""
        h = self.h
        dev = h.device("p-b")
        fc.assert_json(fc.request("PUT", "/api/iot/devices/p-b/config", json={"liveness_check": False},
                                  token=h.login("admin")), 200)
        queued = fc.assert_json(fc.post("/api/iot/devices/p-b/actions", json={"action": "sync_now"},
                                        token=h.login("admin")), 201)
        v = self.dev_config("p-b")["config_version"]
        cam = self.connected(dev, heartbeat=True)
        self.assertTrue(cam.wait(lambda: queued["id"] in cam.acked and cam.config_version >= v, BOUND_S),
                        "acked %r, config %d" % (cam.acked, cam.config_version))
        self.assertEqual(cam.config["liveness_check"], False)


if __name__ == "__main__":
    unittest.main()
