"""Push (contract 6, docs/iot.md): the three modes against a hotel with
online, offline, provisioning, never-seen and emotion-monitoring devices;
per-device results ("Device offline", "Device not provisioned", "Device
not found"), success / new_status (enrolled only when every targeted device
succeeded), 200 either way; what it records (enrolled_count, the change
log, the enrollment status); validation; who may push."""

import fc
from devices.iot import IotCase, IotHotel, emp

PUSH = "/api/iot/enrollments/push"


class PushModes(IotCase):
    @classmethod
    def setUpClass(cls):
        h = cls.h = IotHotel("push", extra=16).make()
        cls.on1 = h.device("p-on1", location_label="Lobby")
        cls.on2 = h.device("p-on2", location_label="Floor 2")
        cls.off = h.device("p-off", state="offline", location_label="Lobby")
        cls.prov = h.device("p-prov", state="provisioning", location_label="Lobby")
        cls.seen = h.device("p-seen", state="provisioned", location_label="Garage")
        cls.emo = h.device("p-emo", capability="emotion_monitoring", location_label="Lobby")
        cls.n = 0

    def setUp(self):
        # each test pushes a person of its own; keep the online ones online
        h = self.h
        for d in (self.on1, self.on2, self.emo):
            h.set_heartbeat_age(d, 0)
        self.sid = h.people[PushModes.n]
        PushModes.n += 1
        h.enroll(self.sid)

    def results(self, body):
        return {x["device_id"]: x for x in body["data"]["results"]}

    def check(self, r, ok, failed, new_status):
        """ok: device ids that succeeded; failed: {device_id: error}."""
        h = self.h
        body = fc.assert_json(r, 200)
        self.assertEqual(set(body), {"success", "message", "data"}, body)
        d = body["data"]
        self.assertEqual(set(d), {"employee_id", "devices_targeted", "devices_updated", "devices_failed",
                                  "new_status", "results"}, d)
        self.assertEqual(d["employee_id"], emp(self.sid))
        self.assertEqual(d["devices_updated"], len(ok), d)
        self.assertEqual(d["devices_failed"], len(failed), d)
        self.assertEqual(d["devices_targeted"], len(ok) + len(failed), d)
        self.assertEqual(len(d["results"]), len(ok) + len(failed), d)
        res = self.results(body)
        self.assertEqual(set(res), set(ok) | set(failed))
        v = h.version()
        for did in ok:
            x = res[did]
            self.assertEqual(set(x), {"device_id", "success", "sync_version"}, x)
            self.assertIs(x["success"], True)
            self.assertIsInstance(x["sync_version"], int)
            self.assertLessEqual(x["sync_version"], v)
            self.assertGreater(x["sync_version"], 0)
        for did, err in failed.items():
            x = res[did]
            self.assertEqual(set(x), {"device_id", "success", "error"}, x)
            self.assertIs(x["success"], False)
            self.assertEqual(x["error"], err, x)
        self.assertEqual(d["new_status"], new_status, d)
        self.assertIs(body["success"], new_status == "enrolled", body)
        self.assertIsInstance(body["message"], str)
        self.assertEqual(h.enrollment_ok(self.sid)["enrollment_status"], new_status)
        return body

    def test_selected_all_succeed(self):
        h = self.h
        v0 = h.version()
        body = self.check(h.push(self.sid, targets=[self.on1, self.on2]), ["p-on1", "p-on2"], {}, "enrolled")
        self.assertEqual(body["message"], "Profile pushed to 2 devices")
        self.assertEqual([x["device_id"] for x in body["data"]["results"]], ["p-on1", "p-on2"])
        vs = [x["sync_version"] for x in body["data"]["results"]]
        self.assertTrue(all(v > v0 for v in vs), (v0, vs))
        held = {x["device_id"] for x in h.enrollment_ok(self.sid)["devices"]}
        self.assertEqual(held, {"p-on1", "p-on2"})

    def test_selected_mixed(self):
        h = self.h
        before = (h.listed("p-off")["enrolled_count"], h.listed("p-prov")["enrolled_count"])
        body = self.check(h.push(self.sid, targets=[self.on1, self.off, self.prov, "p-nope"]),
                          ["p-on1"], {"p-off": "Device offline", "p-prov": "Device not provisioned",
                                      "p-nope": "Device not found"}, "pending")
        self.assertEqual(body["message"], "Profile push partially failed")
        self.assertEqual([x["device_id"] for x in body["data"]["results"]],
                         ["p-on1", "p-off", "p-prov", "p-nope"])
        # the failed ones do not hold it
        self.assertEqual((h.listed("p-off")["enrolled_count"], h.listed("p-prov")["enrolled_count"]), before)
        self.assertEqual({x["device_id"] for x in h.enrollment_ok(self.sid)["devices"]}, {"p-on1"})

    def test_selected_emotion_device(self):
        h = self.h
        self.check(h.push(self.sid, targets=[self.emo, self.on1]), ["p-on1"],
                   {"p-emo": "Device does not support face recognition"}, "pending")

    def test_selected_never_seen_is_offline(self):
        h = self.h
        self.check(h.push(self.sid, targets=[self.seen]), [], {"p-seen": "Device offline"}, "pending")

    def test_selected_only_failures(self):
        h = self.h
        self.check(h.push(self.sid, targets=[self.off, "p-nope"]), [],
                   {"p-off": "Device offline", "p-nope": "Device not found"}, "pending")
        self.assertEqual(h.enrollment_ok(self.sid)["devices"], [])

    def test_all_online_face_recognition(self):
        h = self.h
        body = self.check(h.push(self.sid, mode="all"), ["p-on1", "p-on2"], {}, "enrolled")
        self.assertEqual(body["message"], "Profile pushed to 2 devices")

    def test_all_ignores_target_list(self):
        h = self.h
        self.check(h.push(self.sid, mode="all", targets=[self.off]), ["p-on1", "p-on2"], {}, "enrolled")

    def test_location(self):
        h = self.h
        self.check(h.push(self.sid, mode="location", location="Lobby"), ["p-on1"],
                   {"p-off": "Device offline", "p-prov": "Device not provisioned"}, "pending")
        self.check(h.push(self.sid, mode="location", location="Floor 2"), ["p-on2"], {}, "enrolled")
        # where nothing is: none targeted, not enrolled
        self.check(h.push(self.sid, mode="location", location="Nowhere"), [], {}, "pending")

    def test_enrolled_count_and_repeat(self):
        h = self.h
        c1 = h.listed("p-on1")["enrolled_count"]
        v0 = h.version()
        self.check(h.push(self.sid, targets=[self.on1]), ["p-on1"], {}, "enrolled")
        self.assertEqual(h.listed("p-on1")["enrolled_count"], c1 + 1)
        # the same push again: still held once
        self.check(h.push(self.sid, targets=[self.on1]), ["p-on1"], {}, "enrolled")
        self.assertEqual(h.listed("p-on1")["enrolled_count"], c1 + 1)
        self.assertGreater(h.version(), v0)

    def test_goes_offline_between_pushes(self):
        h = self.h
        self.check(h.push(self.sid, targets=[self.on2]), ["p-on2"], {}, "enrolled")
        h.set_offline(self.on2)
        self.check(h.push(self.sid, targets=[self.on2]), [], {"p-on2": "Device offline"}, "pending")
        # still held from the first push
        self.assertEqual({x["device_id"] for x in h.enrollment_ok(self.sid)["devices"]}, {"p-on2"})


class PushAllNothingOnline(IotCase):
    def test_all_with_no_online_device(self):
        h = IotHotel("pushnone").make()
        sid = h.people[0]
        h.enroll(sid)
        h.device("pn-off", state="offline")
        h.device("pn-emo", capability="emotion_monitoring")
        body = fc.assert_json(h.push(sid, mode="all"), 200)
        d = body["data"]
        self.assertEqual((d["devices_targeted"], d["devices_updated"], d["devices_failed"]), (0, 0, 0))
        self.assertEqual(d["results"], [])
        self.assertEqual(d["new_status"], "pending")
        self.assertIs(body["success"], False)


class PushRefused(IotCase):
    @classmethod
    def setUpClass(cls):
        h = cls.h = IotHotel("pushbad").make()
        cls.dev = h.device("pb-1")
        cls.sid = h.people[0]
        h.enroll(cls.sid)

    def setUp(self):
        h = self.h
        self.before = (h.version(), h.db_count("face_changes"), h.db_count("device_profiles"))

    def tearDown(self):
        h = self.h
        self.assertEqual((h.version(), h.db_count("face_changes"), h.db_count("device_profiles")),
                         self.before, "a refused push wrote something")

    def test_no_face_data(self):
        h = self.h
        other = IotHotel("pushbad2").make()
        for sid in (h.people[1], "E-nobody", emp(other.people[0]), emp(h.inactive["staff_id"])):
            with self.subTest(sid=sid):
                fc.assert_error(h.push(sid, targets=[self.dev]), 404, "NOT_FOUND")
        other.enroll(other.people[0])
        fc.assert_error(h.push(emp(other.people[0]), targets=[self.dev]), 404, "NOT_FOUND")

    def test_validation(self):
        h = self.h
        tok = h.login("manager")
        good = {"employee_id": emp(self.sid), "push_mode": "selected", "target_devices": ["pb-1"]}
        cases = [
            ("employee_id", {"employee_id": None}), ("employee_id", {"employee_id": 5}),
            ("employee_id", {"employee_id": ""}),
            ("push_mode", {"push_mode": "some"}), ("push_mode", {"push_mode": 1}),
            ("target_devices", {"target_devices": None}), ("target_devices", {"target_devices": []}),
            ("target_devices", {"target_devices": "pb-1"}), ("target_devices", {"target_devices": [1]}),
            ("location_label", {"push_mode": "location"}),
            ("location_label", {"push_mode": "location", "location_label": ""}),
            ("location_label", {"push_mode": "location", "location_label": 3}),
        ]
        for field, change in cases:
            with self.subTest(field=field, change=change):
                body = dict(good)
                for k, v in change.items():
                    if v is None:
                        body.pop(k, None)
                    else:
                        body[k] = v
                fc.assert_error(fc.post(PUSH, json=body, token=tok), 400, "VALIDATION_ERROR", field=field)
        for text in ("", "{", "[]", "null"):
            r = fc.post(PUSH, body=text, token=tok)
            self.assertIn(fc.assert_json(r, 400)["code"], ("INVALID_JSON", "VALIDATION_ERROR"))

    def test_who(self):
        h = self.h
        body = {"employee_id": emp(self.sid), "push_mode": "selected", "target_devices": ["pb-1"]}
        for role in ("hr", "staff"):
            with self.subTest(role=role):
                fc.assert_error(fc.post(PUSH, json=body, token=h.login(role)), 403, "FORBIDDEN")
        fc.assert_error(fc.post(PUSH, json=body, api_key=h.kiosk), 403, "FORBIDDEN")
        fc.assert_error(fc.post(PUSH, json=body, api_key=self.dev.key), 403, "FORBIDDEN")
        fc.assert_error(fc.post(PUSH, json=body), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.post(PUSH, json=body, api_key=fc.ADMIN_KEY), 400, "VALIDATION_ERROR", field="hotel")


class PushWho(IotCase):
    def test_manager_admin_sysadmin(self):
        h = IotHotel("pushwho").make()
        dev = h.device("pw-1")
        for i, role in enumerate(("manager", "admin", "sysadmin")):
            with self.subTest(role=role):
                sid = h.people[i]
                h.enroll(sid)
                body = fc.assert_json(h.push(sid, targets=[dev], role=role), 200)
                self.assertEqual(body["data"]["new_status"], "enrolled")
        self.assertEqual(h.listed("pw-1")["enrolled_count"], 3)

    def test_default_mode_is_selected(self):
        h = IotHotel("pushdef").make()
        dev = h.device("pd-1")
        h.device("pd-2")
        sid = h.people[0]
        h.enroll(sid)
        r = fc.post(PUSH, json={"employee_id": emp(sid), "target_devices": ["pd-1"]}, token=h.login("manager"))
        body = fc.assert_json(r, 200)
        self.assertEqual([x["device_id"] for x in body["data"]["results"]], [dev.device_id])
