"""Concurrency on the enrollment / IoT endpoints: the database decides, not
luck. Parallel captures of one person (one face-data row, one enrollment,
one REGISTERED and the rest RE_REGISTERED), one event_id posted at once
(one 201, the rest duplicates), one provisioning token exchanged at once
(one key), parallel pushes to one device, and a push racing a revocation
(a revoked face is never left on a device); the provisioning exchange is
rate limited per client address by nginx."""

import concurrent.futures
import glob
import os
import re
import threading

import fc
from devices.iot import IotCase, IotHotel, emp, event_id, provision
from attendance.att import person

N = 8


def parallel(fn, n=N):
    """fn(i) for i in range(n), started together; results in order."""
    gate = threading.Barrier(n)

    def run(i):
        try:
            gate.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        return fn(i)

    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
        return list(ex.map(run, range(n)))


class Races(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("race", extra=2 * N + 4).make()

    def test_parallel_captures_of_one_person(self):
        h = self.h
        sid = h.people[0]
        bodies = [h.capture_body(sid) for _ in range(N)]
        tok = h.login("manager")
        rs = parallel(lambda i: fc.post("/api/enrollment/capture", json=bodies[i], token=tok, timeout=30))
        for r in rs:
            fc.assert_json(r, 201)
        self.assertEqual(h.db_count("face_data", "staff_id = %d" % sid), 1)
        self.assertEqual(h.db_count("enrollments", "staff_id = %d" % sid), 1)
        actions = sorted(x["action"] for x in h.audit(sid))
        self.assertEqual(actions, ["REGISTERED"] + ["RE_REGISTERED"] * (N - 1))

    def test_one_event_id_at_once(self):
        h = self.h
        devs = [h.device("race-ev-%d" % i) for i in range(2)]
        eid = event_id()
        rs = parallel(lambda i: h.event(devs[i % 2], event_id=eid)[0], n=16)
        created = [r for r in rs if r.status == 201]
        dups = [r for r in rs if r.status == 200]
        self.assertEqual(len(created), 1, rs)
        self.assertEqual(len(dups), 15, rs)
        for r in dups:
            self.assertIs(fc.assert_json(r, 200)["duplicate"], True)
        self.assertEqual(h.db_count("device_events", "event_id = %s" % fc.sql_str(eid)), 1)

    def test_one_token_at_once(self):
        h = self.h
        created = fc.assert_json(h.create_device("race-prov"), 201)
        rs = parallel(lambda i: provision("race-prov", created["provisioning_token"], timeout=30))
        ok = [r for r in rs if r.status == 200]
        self.assertEqual(len(ok), 1, rs)
        for r in rs:
            if r.status != 200:
                fc.assert_error(r, 403, "FORBIDDEN")
        key = ok[0].json["api_key"]
        fc.assert_json(fc.post("/api/iot/devices/race-prov/heartbeat", json={}, api_key=key), 200)

    def test_parallel_pushes_to_one_device(self):
        h = self.h
        dev = h.device("race-push")
        people = h.people[1:1 + N]
        for sid in people:
            h.register(sid)
        tok = h.login("manager")
        body = lambda sid: {"employee_id": emp(sid), "push_mode": "selected", "target_devices": ["race-push"]}
        rs = parallel(lambda i: fc.post("/api/iot/enrollments/push", json=body(people[i]), token=tok, timeout=30))
        versions = []
        for r in rs:
            d = fc.assert_json(r, 200)["data"]
            self.assertEqual(d["new_status"], "enrolled", d)
            versions.append(d["results"][0]["sync_version"])
        self.assertEqual(len(set(versions)), N, "two pushes got the same version: %r" % versions)
        self.assertEqual(h.listed("race-push")["enrolled_count"], N)
        s = self.assert_sync(h.sync_ok(dev, 0))
        self.assertEqual(set(self.additions(s)), {emp(x) for x in people})
        # the same person pushed N times at once: held once
        rs = parallel(lambda i: fc.post("/api/iot/enrollments/push", json=body(people[0]), token=tok, timeout=30))
        for r in rs:
            self.assertEqual(fc.assert_json(r, 200)["data"]["devices_updated"], 1)
        self.assertEqual(h.listed("race-push")["enrolled_count"], N)

    def test_push_racing_revocation(self):
        """Whichever wins, a revoked face is on no device afterwards, and a
        device that got it sees the removal."""
        h = self.h
        dev = h.device("race-rev")
        sid = h.people[1 + N]
        mgr = h.login("manager")
        for round_ in range(6):
            with self.subTest(round=round_):
                h.register(sid)
                v = h.sync_ok(dev, 0)["sync_version"]
                calls = [
                    lambda: fc.post("/api/iot/enrollments/push",
                                    json={"employee_id": emp(sid), "push_mode": "selected",
                                          "target_devices": ["race-rev"]}, token=mgr, timeout=30),
                    lambda: fc.request("DELETE", h.att("revoke-face/%d/" % sid), json={"reason": "race"},
                                       token=mgr, timeout=30),
                ]
                push, rev = parallel(lambda i: calls[i](), n=2)
                fc.assert_json(rev, 200)
                self.assertIn(push.status, (200, 404), push)
                self.assertEqual(h.db_count("device_profiles", "staff_id = %d" % sid), 0,
                                 "a revoked face is still held by a device")
                self.assertEqual(h.listed("race-rev")["enrolled_count"], 0)
                s = self.assert_sync(h.sync_ok(dev, v))
                self.assertEqual(s["additions"], [])
                if push.status == 200:
                    self.assertEqual(s["removals"], [emp(sid)])
                self.assertEqual(h.enrollment_ok(sid)["enrollment_status"], "unenrolled")


    def test_push_racing_reregistration(self):
        """A push and a new face for the same person at once: both succeed,
        and the device ends up with the new face."""
        h = self.h
        dev = h.device("race-rereg")
        sid = h.people[2 + N]
        mgr = h.login("manager")
        h.register(sid)
        h.push_ok(sid, dev)
        for round_ in range(6):
            with self.subTest(round=round_):
                v = h.sync_ok(dev, 0)["sync_version"]
                new = person()
                calls = [
                    lambda: fc.post("/api/iot/enrollments/push",
                                    json={"employee_id": emp(sid), "push_mode": "selected",
                                          "target_devices": ["race-rereg"]}, token=mgr, timeout=30),
                    lambda: fc.post(h.att("register-face/"), json={"descriptor": new, "consent_given": True,
                                                                   "staff_id": sid}, token=mgr, timeout=30),
                ]
                push, reg = parallel(lambda i: calls[i](), n=2)
                fc.assert_json(reg, 201)
                fc.assert_json(push, 200)
                s = self.assert_sync(h.sync_ok(dev, v))
                self.assert_floats(self.additions(s)[emp(sid)], new)


class ProvisionRateLimit(IotCase):
    def test_limited_per_address(self):
        conf = glob.glob(os.path.join(fc.ENV["FC_VAR"], "nginx", "*.conf"))
        rate = burst = None
        for path in conf:
            text = open(path, encoding="utf-8").read()
            m = re.search(r"zone=faceclock_provision_\S+\s+rate=(\d+)r/s", text)
            b = re.search(r"limit_req zone=faceclock_provision_\S+ burst=(\d+)", text)
            if m and b:
                rate, burst = int(m.group(1)), int(b.group(1))
        if rate is None:
            self.skipTest("no provisioning rate limit found in the stack's nginx configuration")
        if rate > 500:
            self.skipTest("provisioning rate limit %d r/s is too high to reach from here" % rate)
        src = fc.fresh_source()
        if src is None:
            self.skipTest("cannot send from a second loopback address")
        n = 3 * (rate + burst)
        rs = parallel(lambda i: fc.post("/api/iot/devices/provision", json={}, source=src), n=min(n, 64)) \
            if n <= 64 else None
        if rs is None:
            with concurrent.futures.ThreadPoolExecutor(max_workers=48) as ex:
                rs = list(ex.map(lambda i: fc.post("/api/iot/devices/provision", json={}, source=src), range(n)))
        limited = [r for r in rs if r.status == 429]
        self.assertTrue(limited, "%d exchanges at once from one address were never limited" % n)
        fc.assert_error(limited[0], 429, "RATE_LIMITED")
        for r in rs:
            if r.status != 429:
                fc.assert_error(r, 400, "VALIDATION_ERROR", field="device_id")
        # another address is not affected
        fc.assert_error(fc.post("/api/iot/devices/provision", json={}), 400, "VALIDATION_ERROR")
