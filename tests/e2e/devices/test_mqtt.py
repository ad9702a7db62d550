"""MQTT push (issue 14, docs/iot.md "MQTT push"): mosquitto in the stack,
each provisioned device's credentials (<hotel>/<device_id>, its API key)
and ACL written by the mqtt service, and "sync now" {"version": N} on the
device's own topic when its hotel's profile version moves — driven by
the device simulator tests/devices/sim.py.

- a revocation reaches a connected simulated camera (the measured time is
  printed; only a generous sanity bound is asserted), which pulls the sync
  and applies the removal;
- the ACL tiers: a device gets nothing of another device's topic (its
  subscription is granted by mosquitto 2.0's acl_file, which checks each
  message delivered) and cannot publish outside its own up/ (the service's own
  subscription, a positive control, sees its up/ message and nothing
  else); anonymous and wrong-password connects are refused;
- every tier (docs/iot.md "ACL tiers"): a display reads only its own
  subtree and writes nothing, and gets no "sync now"; a gateway reads its
  hotel's device topics (not another hotel's) and writes only its own
  up/; a change of tier reaches the broker's ACL after its reload;
- disabling a device drops its live session and refuses its next
  connect;
- the broker stopped by its PID and started again (scripts/stack.sh
  revive mosquitto): versions that moved meanwhile are marked sent once
  it is back, and the next version reaches the device;
- the settling reload: after a change of the broker's files the service
  reloads it once more when they have been quiet for 2 s (mosquitto drops
  a SIGHUP that arrives while it re-reads them: the fleet bench's last
  devices stayed refused), seen in the broker's own log.

Skipped only when the stack has no broker (mosquitto not installed:
scripts/deps.sh installs it)."""

import os
import signal
import subprocess
import sys
import time
import unittest

import fc
from devices import pki
from devices.iot import Device as IotDevice, IotCase, IotHotel, emp
from devices.test_sync import revoke

sys.path.insert(0, os.path.join(fc.REPO, "tests", "devices"))
import sim  # noqa: E402

BOUND_S = 10.0          # sanity bound on a push's delay (expected well under 2 s)


def mqtt_url():
    url = fc.ENV.get("MQTT_URL")
    if not url:
        raise unittest.SkipTest("the stack has no MQTT broker (mosquitto not installed: scripts/deps.sh)")
    if not sim.available():
        raise unittest.SkipTest("paho-mqtt not installed (Debian python3-paho-mqtt: scripts/deps.sh)")
    return url


def service_client(url):
    """A client with the service's own credentials, subscribed to every
    faceclock topic: sees what devices publish."""
    spy = sim.SimDevice(fc.ENV["BASE_URL"], url, "x", "spy", fc.ENV["FACECLOCK_MQTT_SECRET"], pull=False)
    spy.client.username_pw_set("faceclock", fc.ENV["FACECLOCK_MQTT_SECRET"])
    return spy


class Mqtt(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.url = mqtt_url()

    def setUp(self):
        self.h = IotHotel("mqtt").make()
        self.sims = []

    def tearDown(self):
        for s in self.sims:
            s.stop()

    def camera(self, dev, **kw):
        s = sim.SimDevice(fc.ENV["BASE_URL"], self.url, self.h.slug, dev.device_id, dev.key, **kw).start()
        self.sims.append(s)
        return s

    def connected(self, dev, **kw):
        """dev's simulated camera, connected. The service writes the
        broker's files within a moment of provisioning: a connect refused
        before that is tried again, within BOUND_S."""
        end = time.monotonic() + BOUND_S
        while True:
            s = self.camera(dev, **kw)
            if s.wait_connected(BOUND_S):
                return s
            self.assertLess(time.monotonic(), end, "camera %s did not connect (%r)" % (dev.device_id, s.refused))
            time.sleep(0.2)

    def connected_camera(self, device_id):
        dev = self.h.device(device_id)
        return dev, self.connected(dev)

    def connected_tier(self, device_id, tier):
        """A device of that ACL tier, connected (only a camera pulls)."""
        dev = self.h.device(device_id, tier=tier)
        return dev, self.connected(dev, pull=tier == "camera")

    def spy(self):
        spy = service_client(self.url).start()
        self.sims.append(spy)
        self.assertTrue(spy.wait_connected(BOUND_S))
        self.assertEqual(spy.subscribe("faceclock/#"), [1])
        return spy

    def delivered(self, spy, sender, t):
        """Whether sender's message on t reaches the service's subscription.
        The broker acknowledges a QoS 1 message once it has queued it for
        the subscribers (or dropped it: outside the sender's ACL), so the
        spy's own control message, sent after, arrives after it."""
        tag = os.urandom(6).hex().encode()
        sender.publish(t, tag).wait_for_publish()
        control = "faceclock/%s/control/%s" % (self.h.slug, tag.decode())
        spy.publish(control, b"{}").wait_for_publish()
        self.assertTrue(spy.wait(lambda: any(x == control for _, x, _ in spy.messages), BOUND_S))
        with spy.lock:
            return any(x == t and p == tag for _, x, p in spy.messages)

    def received(self, spy, receiver, t):
        """Whether the service's message on t reaches receiver (subscribed
        to faceclock/#): the service then writes to receiver's own topic,
        which every tier reads; one publisher's messages arrive in order."""
        tag = os.urandom(6).hex().encode()
        spy.publish(t, tag).wait_for_publish()
        control = sim.topic(receiver.hotel, receiver.device_id, "control")
        spy.publish(control, tag).wait_for_publish()
        self.assertTrue(receiver.wait(lambda: any(x == control and p == tag for _, x, p in receiver.messages),
                                      BOUND_S), "%s did not get its own message" % receiver.device_id)
        with receiver.lock:
            return any(x == t and p == tag for _, x, p in receiver.messages)

    def test_revocation_reaches_connected_camera(self):
        h = self.h
        dev, cam = self.connected_camera("mq-a")
        p0 = h.people[0]
        h.enroll(p0)
        h.push_ok(p0, dev)
        v_push = h.version()
        self.assertTrue(cam.wait(lambda: any(v >= v_push for _, v in cam.versions), BOUND_S),
                        "the push's version %d did not reach the camera: %r" % (v_push, cam.versions))
        self.assertTrue(cam.wait(lambda: cam.synced_version >= v_push, BOUND_S), cam.applied)
        self.assertIn(emp(p0), [a for r in cam.applied for a in r.get("additions", [])])

        revoke(h, p0)
        answered = time.monotonic()
        v_rev = h.version()
        self.assertGreater(v_rev, v_push)
        got = cam.wait(lambda: next((t for t, v in cam.versions if v >= v_rev), None), BOUND_S)
        self.assertIsNotNone(got, "the revocation's version %d did not reach the camera: %r" % (v_rev, cam.versions))
        print("  [mqtt] revocation reached the camera %.3f s after the API answered" % (got - answered))
        self.assertLess(got - answered, BOUND_S)
        self.assertTrue(cam.wait(lambda: cam.synced_version >= v_rev, BOUND_S), cam.applied)
        self.assertIn(emp(p0), [x for r in cam.applied for x in r.get("removals", [])])
        # the message is the version alone: no descriptors on the broker
        for _, t, payload in cam.messages:
            self.assertEqual(t, sim.topic(h.slug, dev.device_id, "sync"))
            self.assertLess(len(payload), 40, payload)

    def test_simulator_provisions_with_a_csr(self):
        """The simulator's own provisioning, with a certificate request:
        the API key it gets is its broker password at once."""
        h = self.h
        created = fc.assert_json(h.create_device("mq-e"), 201)
        pem, _ = pki.csr("mq-e")
        got = sim.provision(fc.ENV["BASE_URL"], "mq-e", created["provisioning_token"], csr=pem)
        self.assertIn("BEGIN CERTIFICATE", got["certificate"])
        cam = self.connected(IotDevice("mq-e", got["api_key"]))
        self.assertTrue(cam.connected)

    def test_acl_tiers(self):
        h = self.h
        a, cam_a = self.connected_camera("mq-b1")
        b, cam_b = self.connected_camera("mq-b2")
        spy = service_client(self.url).start()
        self.sims.append(spy)
        self.assertTrue(spy.wait_connected(BOUND_S))
        self.assertEqual(spy.subscribe("faceclock/#"), [1])
        # another device's topic, and every topic: mosquitto 2.0's acl_file
        # grants the SUBSCRIBE and checks "read" on each message it would
        # deliver (docs/iot.md): nothing of b's reaches a. The service
        # publishes to b's topic, then to a's: one publisher's messages
        # are handled in order, so a's own message arriving means b's
        # would have come before it.
        cam_a.subscribe(sim.topic(h.slug, b.device_id))
        cam_a.subscribe("faceclock/#")
        spy.publish(sim.topic(h.slug, b.device_id, "sync"), b'{"version": 7}').wait_for_publish()
        spy.publish(sim.topic(h.slug, a.device_id, "note"), b'{"n": 1}').wait_for_publish()
        self.assertTrue(cam_b.wait(lambda: cam_b.versions, BOUND_S), "b did not get its own message")
        self.assertTrue(cam_a.wait(lambda: cam_a.messages, BOUND_S), "a did not get its own message")
        self.assertEqual([t for _, t, _ in cam_a.messages], [sim.topic(h.slug, a.device_id, "note")])
        self.assertTrue(spy.wait(lambda: len(spy.messages) >= 2, BOUND_S))
        with spy.lock:
            spy.messages.clear()
        # outside its own up/: dropped; then its own up/ (the positive
        # control: one connection's messages arrive in order)
        for t in (sim.topic(h.slug, b.device_id, "sync"), sim.topic(h.slug, a.device_id, "sync"),
                  "faceclock/%s/all" % h.slug):
            cam_a.publish(t, b'{"version": 999999}').wait_for_publish()
        cam_a.publish(sim.topic(h.slug, a.device_id, "up/status"), b'{"ok": true}').wait_for_publish()
        self.assertTrue(spy.wait(lambda: any(t.endswith("/up/status") for _, t, _ in spy.messages), BOUND_S))
        self.assertEqual([t for _, t, _ in spy.messages], [sim.topic(h.slug, a.device_id, "up/status")])
        self.assertEqual([v for _, v in cam_b.versions], [7])
        # no anonymous access, no wrong password, no other device's name
        for user, pw in ((None, None), ("%s/%s" % (h.slug, a.device_id), b.key), ("faceclock", a.key)):
            with self.subTest(user=user):
                s = sim.SimDevice(fc.ENV["BASE_URL"], self.url, h.slug, a.device_id, a.key)
                if user is None:
                    s.client.username_pw_set(None, None)
                else:
                    s.client.username_pw_set(user, pw)
                s.start()
                self.sims.append(s)
                self.assertFalse(s.wait_connected(BOUND_S))
                self.assertEqual(s.refused, 5)           # not authorised

    def test_display_tier(self):
        """A kiosk display (tier 2) reads only its own subtree and writes
        nothing: another device's topic, even the camera's beside it, never
        reaches it, and what it publishes anywhere is dropped."""
        h = self.h
        cam, cam_sim = self.connected_camera("mq-t1")
        disp, disp_sim = self.connected_tier("mq-t2", "display")
        spy = self.spy()
        self.assertEqual(disp_sim.subscribe("faceclock/#"), [1])       # granted, filtered per message
        self.assertEqual(disp_sim.subscribe(sim.topic(h.slug, cam.device_id)), [1])
        self.assertFalse(self.received(spy, disp_sim, sim.topic(h.slug, cam.device_id, "sync")))
        self.assertFalse(self.received(spy, disp_sim, sim.topic(h.slug, cam.device_id, "up/status")))
        self.assertFalse(self.received(spy, disp_sim, "faceclock/%s/all" % h.slug))
        self.assertTrue(self.received(spy, disp_sim, sim.topic(h.slug, disp.device_id, "note")))
        for t in (sim.topic(h.slug, cam.device_id, "up/status"), sim.topic(h.slug, cam.device_id, "sync"),
                  sim.topic(h.slug, disp.device_id, "up/heartbeat")):
            with self.subTest(topic=t):
                self.assertFalse(self.delivered(spy, disp_sim, t))
        self.assertTrue(self.delivered(spy, cam_sim, sim.topic(h.slug, cam.device_id, "up/status")))
        # no "sync now" for a tier that holds no descriptors: a new version
        # reaches the camera and not the display
        p0 = h.people[0]
        h.enroll(p0)
        h.push_ok(p0, cam)
        v = h.version()
        self.assertTrue(cam_sim.wait(lambda: any(x >= v for _, x in cam_sim.versions), BOUND_S))
        self.assertTrue(self.received(spy, disp_sim, sim.topic(h.slug, disp.device_id, "note")))
        self.assertEqual(disp_sim.versions, [])

    def test_gateway_tier(self):
        """A gateway (tier 3) reads every device topic of its own hotel and
        nothing of another hotel's, and writes only under its own up/."""
        h = self.h
        cam, cam_sim = self.connected_camera("mq-g1")
        gw, gw_sim = self.connected_tier("mq-g2", "gateway")
        other = IotHotel("mqtt-o").make()
        spy = self.spy()
        self.assertEqual(gw_sim.subscribe("faceclock/#"), [1])
        self.assertTrue(self.received(spy, gw_sim, sim.topic(h.slug, cam.device_id, "sync")))
        self.assertTrue(self.received(spy, gw_sim, sim.topic(h.slug, cam.device_id, "up/status")))
        self.assertFalse(self.received(spy, gw_sim, sim.topic(other.slug, cam.device_id, "sync")))
        self.assertFalse(self.received(spy, gw_sim, "faceclock/%s/all" % h.slug))
        self.assertTrue(self.delivered(spy, gw_sim, sim.topic(h.slug, gw.device_id, "up/status")))
        self.assertFalse(self.delivered(spy, gw_sim, sim.topic(h.slug, cam.device_id, "up/status")))
        self.assertFalse(self.delivered(spy, gw_sim, sim.topic(h.slug, cam.device_id, "sync")))

    def test_tier_change_reaches_the_broker(self):
        """PUT .../tier: faceclock refuses at once; the broker's acl_file is
        rewritten and reloaded (the connection stays: the credentials did
        not change), so the camera-turned-display soon cannot write its
        up/, and turned back, can again."""
        h = self.h
        dev, cam = self.connected_camera("mq-tc")
        spy = self.spy()
        up = sim.topic(h.slug, dev.device_id, "up/status")
        self.assertTrue(self.delivered(spy, cam, up))

        def until(want):
            end = time.monotonic() + BOUND_S
            while self.delivered(spy, cam, up) != want:
                self.assertLess(time.monotonic(), end, "the broker's ACL did not follow the tier")
                time.sleep(0.1)

        path = "/api/iot/devices/%s/tier" % dev.device_id
        fc.assert_json(fc.put(path, json={"tier": "display"}, token=h.login("admin")), 200)
        fc.assert_error(h.sync(dev), 403, "DEVICE_TIER_FORBIDDEN")
        until(False)
        self.assertTrue(cam.connected)
        fc.assert_json(fc.put(path, json={"tier": "camera"}, token=h.login("admin")), 200)
        h.sync_ok(dev)
        until(True)

    def test_disable_drops_the_session_and_refuses_the_next(self):
        h = self.h
        dev, cam = self.connected_camera("mq-c")
        fc.assert_json(fc.post("/api/iot/devices/%s/disable" % dev.device_id, json={}, token=h.login("admin")), 200)
        answered = time.monotonic()
        self.assertTrue(cam.wait(lambda: cam.disconnects >= 1, BOUND_S), "the live session was not dropped")
        print("  [mqtt] disabled camera dropped %.3f s after the API answered" % (time.monotonic() - answered))
        again = sim.SimDevice(fc.ENV["BASE_URL"], self.url, h.slug, dev.device_id, dev.key).start()
        self.sims.append(again)
        self.assertFalse(again.wait_connected(BOUND_S))
        self.assertEqual(again.refused, 5)

    def test_broker_restart(self):
        h = self.h
        dev, cam = self.connected_camera("mq-d")
        p0, p1 = h.people[:2]
        h.enroll(p0)
        h.enroll(p1)
        var = fc.ENV["FC_VAR"]
        with open(os.path.join(var, "pids", "mosquitto.pid")) as f:
            pid = int(f.read().split()[0])
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.1)
        self.assertFalse(os.path.exists("/proc/%d" % pid), "mosquitto did not stop")
        # a version moves while the broker is away
        h.push_ok(p0, dev)
        v_down = h.version()
        subprocess.run([fc.ENV["FC_STACK"], "revive", "mosquitto"], check=True, timeout=60,
                       env=dict(os.environ, FC_VAR=var), stdout=subprocess.DEVNULL)
        pending = "SELECT count(*) FROM mqtt_pushes WHERE hotel_id = %d AND sent_at IS NULL" % h.hotel_id
        end = time.monotonic() + 40
        while time.monotonic() < end and int(fc.psql(pending)) != 0:
            time.sleep(0.2)
        self.assertEqual(int(fc.psql(pending)), 0, "what moved while the broker was away was not sent")
        self.assertTrue(cam.wait(lambda: cam.connected, 20), "the camera did not reconnect")
        self.assertTrue(cam.wait(lambda: cam.subscribe_results and cam.connected, BOUND_S))
        h.push_ok(p1, dev)
        v_next = h.version()
        self.assertGreater(v_next, v_down)
        self.assertTrue(cam.wait(lambda: any(v >= v_next for _, v in cam.versions), 20),
                        "after the restart the next version %d did not reach the camera: %r" % (v_next, cam.versions))
        self.assertTrue(cam.wait(lambda: cam.synced_version >= v_next, BOUND_S), cam.applied)
        added = [a for r in cam.applied for a in r.get("additions", [])]
        self.assertIn(emp(p0), added)
        self.assertIn(emp(p1), added)

    def test_a_change_is_followed_by_a_settling_reload(self):
        """The race itself (a SIGHUP landing while mosquitto re-reads its
        files) needs thousands of devices to happen at all, so this checks
        the repair: a reload logged at least two whole seconds after the
        files' last write — the immediate reload comes within a second of
        it, the settling one SETTLE (2 s) later (log times are whole
        seconds: floor(t + 2.x) >= floor(t) + 2)."""
        mqtt_dir = os.path.join(fc.ENV["FC_VAR"], "state", "mqtt")
        log = os.path.join(mqtt_dir, "mosquitto.log")

        def reloads():
            with open(log, errors="replace") as f:
                return [int(line.split(":", 1)[0]) for line in f if line.rstrip().endswith("Reloading config.")]

        def last_write():
            return int(max(os.stat(os.path.join(mqtt_dir, n)).st_mtime for n in ("acl", "passwd")))

        def listed():
            with open(os.path.join(mqtt_dir, "passwd")) as f:
                return any(line.startswith("%s/mq-settle:" % self.h.slug) for line in f)

        dev = self.h.device("mq-settle", state="provisioned")
        end = time.monotonic() + BOUND_S
        while time.monotonic() < end and not listed():
            time.sleep(0.1)
        self.assertTrue(listed(), "the device's credentials were not written")
        written = last_write()
        while time.monotonic() < end and not any(t >= written + 2 for t in reloads()):
            time.sleep(0.2)
            written = last_write()      # a later write moves the mark on
        self.assertTrue(any(t >= written + 2 for t in reloads()),
                        "no reload 2 s after the files' last write at %d: %r" % (written, reloads()[-5:]))
        self.connected(dev)


if __name__ == "__main__":
    unittest.main()
