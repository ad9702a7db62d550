"""Edge devices (contract 6, seed 001, docs/iot.md): registration by the
hotel's admin (answer shape, defaults, validation, 409 on a duplicate id),
provisioning with the one-time token (api_key once; reuse, expiry, wrong
device, unknown token → 403; a new token), heartbeat (own id only, error
reports) and the status / lifecycle transitions provisioning → online →
offline, the list with its three filters and counts, deactivation (key
revoked, no longer listed)."""

import re
import time

import fc
from devices.iot import DEVICE_FIELDS, Device, IotCase, IotHotel, provision, q

DEVICES = "/api/iot/devices"
KEY_RE = re.compile(r"^dev_[0-9]+_[0-9a-f]{64}$")


class Register(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("dev").make()

    def test_create_answer(self):
        h = self.h
        t0 = time.time()
        r = h.create_device("cam-001", display_name="Lobby Entrance Camera", device_category="camera",
                            capability="face_recognition", location_label="Main entrance outside",
                            location_geo=[-122.4194, 37.7749])
        body = fc.assert_json(r, 201)
        self.assertTrue(DEVICE_FIELDS | {"provisioning_token", "provisioning_expires_at"} <= set(body), body)
        self.assertEqual(body["device_id"], "cam-001")
        self.assertEqual(body["display_name"], "Lobby Entrance Camera")
        self.assertEqual(body["device_category"], "camera")
        self.assertEqual(body["capability"], "face_recognition")
        self.assertEqual(body["location_label"], "Main entrance outside")
        self.assertEqual(body["location_geo"], [-122.4194, 37.7749])
        self.assertEqual(body["status"], "provisioning")
        self.assertEqual(body["lifecycle"], "PROVISIONING")
        self.assertIsNone(body["last_heartbeat_at"])
        self.assertEqual(body["enrolled_count"], 0)
        self.assertEqual(body["sync_version"], 0)
        self.assertRegex(body["provisioning_token"], r"^[0-9a-f]{64}$")
        exp = fc.parse_ts(body["provisioning_expires_at"])
        self.assertTrue(t0 + 240 <= exp <= t0 + 360, "token expires in %.0f s, not 5 minutes" % (exp - t0))
        # stored hashed, never the token itself
        stored = h.db_device("cam-001", "coalesce(provisioning_token_hash, '')")
        self.assertNotIn(body["provisioning_token"], stored)
        self.assertTrue(stored)
        # listed, without the token
        d = h.listed("cam-001")
        self.assert_device(d)
        self.assertEqual(d["status"], "provisioning")
        self.assertNotIn(body["provisioning_token"], h.devices().text)

    def test_defaults(self):
        h = self.h
        r = fc.post(DEVICES, json={"device_id": "cam-def", "display_name": "Defaults"},
                    token=h.login("admin"))
        body = fc.assert_json(r, 201)
        self.assertEqual(body["capability"], "face_recognition")
        self.assertEqual(body["device_category"], "camera")
        self.assertIsNone(body["location_geo"])
        self.assertIsNone(body["location_label"])

    def test_sysadmin_creates_with_hotel(self):
        h = self.h
        fc.assert_json(h.create_device("cam-sys", role="sysadmin", capability="emotion_monitoring"), 201)
        self.assertEqual(h.listed("cam-sys")["capability"], "emotion_monitoring")
        r = fc.post(DEVICES, json={"device_id": "cam-sys2", "display_name": "x"}, api_key=fc.ADMIN_KEY)
        fc.assert_error(r, 400, "VALIDATION_ERROR", field="hotel")

    def test_duplicate(self):
        h = self.h
        fc.assert_json(h.create_device("cam-dup"), 201)
        fc.assert_error(h.create_device("cam-dup", display_name="Other"), 409, "CONFLICT")
        # another hotel may use the same device_id
        other = IotHotel("dev2").make()
        fc.assert_json(other.create_device("cam-dup"), 201)

    def test_validation(self):
        h = self.h
        tok = h.login("admin")
        good = {"device_id": "cam-v", "display_name": "V", "device_category": "camera",
                "capability": "face_recognition", "location_label": "L", "location_geo": [1.5, 2.5]}
        cases = [
            ("device_id", None), ("device_id", ""), ("device_id", "has space"), ("device_id", "-lead"),
            ("device_id", "x" * 65), ("device_id", 12), ("device_id", "ünï"), ("device_id", "a/b"),
            ("display_name", None), ("display_name", ""), ("display_name", "x" * 201), ("display_name", 5),
            ("capability", "facial_recognition"), ("capability", 1), ("capability", ""),
            ("location_geo", [200, 0]), ("location_geo", [0, 91]), ("location_geo", [1]),
            ("location_geo", [1, 2, 3]), ("location_geo", "1,2"), ("location_geo", ["1", "2"]),
            ("location_geo", {"lon": 1, "lat": 2}),
            ("location_label", 7), ("location_label", "x" * 201),
            ("device_category", ""), ("device_category", 3),
        ]
        before = h.db_count("devices")
        for field, v in cases:
            with self.subTest(field=field, value=v):
                body = dict(good)
                if v is None:
                    del body[field]
                else:
                    body[field] = v
                fc.assert_error(fc.post(DEVICES, json=body, token=tok), 400, "VALIDATION_ERROR", field=field)
        for text in ("", "[]", "{", "null"):
            with self.subTest(body=text):
                r = fc.post(DEVICES, body=text, token=tok)
                self.assertIn(fc.assert_json(r, 400)["code"], ("INVALID_JSON", "VALIDATION_ERROR"))
        self.assertEqual(h.db_count("devices"), before)
        # the boundaries are fine
        ok = dict(good, device_id="a" + "b" * 63, display_name="x" * 200, location_geo=[-180, 90])
        fc.assert_json(fc.post(DEVICES, json=ok, token=tok), 201)


class Provisioning(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("prov").make()

    def test_token_to_api_key_once(self):
        h = self.h
        created = fc.assert_json(h.create_device("prov-1"), 201)
        r = provision("prov-1", created["provisioning_token"])
        body = fc.assert_json(r, 200)
        self.assertEqual(set(body), {"device_id", "api_key"}, body)
        self.assertEqual(body["device_id"], "prov-1")
        key = body["api_key"]
        self.assertRegex(key, KEY_RE)
        self.assertNotIn(key.split("_")[-1], h.db_device("prov-1", "coalesce(key_hash, '')"))
        d = h.listed("prov-1")
        self.assertEqual(d["status"], "offline")             # provisioned, never seen
        self.assertEqual(d["lifecycle"], "OFFLINE")
        self.assertIsNone(d["last_heartbeat_at"])
        # the key works
        fc.assert_json(h.heartbeat(Device("prov-1", key)), 200)
        # the token again: used
        fc.assert_error(provision("prov-1", created["provisioning_token"]), 403, "FORBIDDEN")
        # the key still works after the refused reuse
        fc.assert_json(h.heartbeat(Device("prov-1", key)), 200)

    def test_expired_token(self):
        h = self.h
        created = fc.assert_json(h.create_device("prov-exp"), 201)
        fc.psql("UPDATE devices SET token_expires_at = now() - interval '1 second' "
                "WHERE hotel_id = %d AND device_id = 'prov-exp'" % h.hotel_id)
        fc.assert_error(provision("prov-exp", created["provisioning_token"]), 403, "FORBIDDEN")
        self.assertEqual(h.listed("prov-exp")["status"], "provisioning")
        # a new token from the admin works
        r = fc.post(DEVICES + "/prov-exp/provisioning-token", json={}, token=h.login("admin"))
        body = fc.assert_json(r, 201 if r.status == 201 else 200)
        self.assertRegex(body["provisioning_token"], r"^[0-9a-f]{64}$")
        fc.parse_ts(body["provisioning_expires_at"])
        self.assertNotEqual(body["provisioning_token"], created["provisioning_token"])
        fc.assert_error(provision("prov-exp", created["provisioning_token"]), 403, "FORBIDDEN")
        fc.assert_json(provision("prov-exp", body["provisioning_token"]), 200)

    def test_wrong_device_and_unknown(self):
        h = self.h
        a = fc.assert_json(h.create_device("prov-a"), 201)
        b = fc.assert_json(h.create_device("prov-b"), 201)
        # A's token with B's id: refused, and neither token is spent by it
        fc.assert_error(provision("prov-b", a["provisioning_token"]), 403, "FORBIDDEN")
        fc.assert_error(provision("prov-a", b["provisioning_token"]), 403, "FORBIDDEN")
        fc.assert_error(provision("prov-nope", a["provisioning_token"]), 403, "FORBIDDEN")
        fc.assert_error(provision("prov-a", "0" * 64), 403, "FORBIDDEN")
        fc.assert_error(provision("prov-a", a["provisioning_token"][:-1] + "x"), 403, "FORBIDDEN")
        fc.assert_error(provision("prov-a", a["provisioning_token"][:32]), 403, "FORBIDDEN")
        fc.assert_json(provision("prov-a", a["provisioning_token"]), 200)
        fc.assert_json(provision("prov-b", b["provisioning_token"]), 200)

    def test_same_device_id_in_two_hotels(self):
        """The token decides the hotel."""
        h = self.h
        other = IotHotel("prov2").make()
        a = fc.assert_json(h.create_device("shared-cam"), 201)
        b = fc.assert_json(other.create_device("shared-cam"), 201)
        kb = fc.assert_json(provision("shared-cam", b["provisioning_token"]), 200)["api_key"]
        ka = fc.assert_json(provision("shared-cam", a["provisioning_token"]), 200)["api_key"]
        fc.assert_json(other.heartbeat(Device("shared-cam", kb)), 200)
        self.assertEqual(other.listed("shared-cam")["status"], "online")
        self.assertEqual(h.listed("shared-cam")["status"], "offline")
        fc.assert_json(h.heartbeat(Device("shared-cam", ka)), 200)
        self.assertEqual(h.listed("shared-cam")["status"], "online")

    def test_malformed_requests(self):
        h = self.h
        a = fc.assert_json(h.create_device("prov-m"), 201)
        for body in ({}, {"device_id": "prov-m"}, {"provisioning_token": a["provisioning_token"]},
                     {"device_id": 5, "provisioning_token": a["provisioning_token"]},
                     {"device_id": "prov-m", "provisioning_token": 5}):
            with self.subTest(body=body):
                r = fc.post(DEVICES + "/provision", json=body)
                self.assertIn(r.status, (400, 403), r)
                fc.assert_error(r, r.status, "VALIDATION_ERROR" if r.status == 400 else "FORBIDDEN")
        r = fc.post(DEVICES + "/provision", body="{")
        fc.assert_error(r, 400, "INVALID_JSON")
        # none of that spent the token
        fc.assert_json(provision("prov-m", a["provisioning_token"]), 200)

    def test_new_token_for_a_provisioned_device(self):
        """Re-provisioning (a replaced camera): the device keeps its key and
        state until the new token is exchanged; then the new key works and
        the old one does not."""
        h = self.h
        dev = h.device("prov-re")
        r = fc.post(DEVICES + "/prov-re/provisioning-token", json={}, token=h.login("admin"))
        self.assertIn(r.status, (200, 201), r)
        tok = r.json["provisioning_token"]
        self.assertEqual(h.listed("prov-re")["status"], "online")
        fc.assert_json(h.heartbeat(dev), 200)
        key2 = fc.assert_json(provision("prov-re", tok), 200)["api_key"]
        self.assertNotEqual(key2, dev.key)
        fc.assert_error(h.heartbeat(dev), 401, "UNAUTHENTICATED")
        fc.assert_json(h.heartbeat(Device("prov-re", key2)), 200)

    def test_deactivated_before_provisioning_voids_the_token(self):
        h = self.h
        created = fc.assert_json(h.create_device("da-tok"), 201)
        fc.assert_json(fc.delete(DEVICES + "/da-tok", token=h.login("admin")), 200)
        fc.assert_error(provision("da-tok", created["provisioning_token"]), 403, "FORBIDDEN")
        fc.assert_error(fc.post(DEVICES + "/da-tok/provisioning-token", json={}, token=h.login("admin")),
                        404, "NOT_FOUND")

    def test_new_token_who_and_unknown(self):
        h = self.h
        h.create_device("prov-who")
        path = DEVICES + "/prov-who/provisioning-token"
        for role in ("manager", "hr", "staff"):
            with self.subTest(role=role):
                fc.assert_error(fc.post(path, json={}, token=h.login(role)), 403, "FORBIDDEN")
        r = fc.post(q(path, hotel=h.slug), json={}, api_key=fc.ADMIN_KEY)
        self.assertIn(r.status, (200, 201), r)
        fc.assert_error(fc.post(DEVICES + "/prov-none/provisioning-token", json={}, token=h.login("admin")),
                        404, "NOT_FOUND")


class Heartbeat(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("hb").make()

    def test_status_transitions(self):
        h = self.h
        created = fc.assert_json(h.create_device("hb-1"), 201)
        d = h.listed("hb-1")
        self.assertEqual((d["status"], d["lifecycle"]), ("provisioning", "PROVISIONING"))
        key = fc.assert_json(provision("hb-1", created["provisioning_token"]), 200)["api_key"]
        dev = Device("hb-1", key)
        self.assertEqual(h.listed("hb-1")["status"], "offline")
        t0 = time.time()
        r = h.heartbeat(dev)
        fc.assert_json(r, 200)
        d = h.listed("hb-1")
        self.assertEqual((d["status"], d["lifecycle"]), ("online", "ACTIVE"))
        self.assertLessEqual(abs(fc.parse_ts(d["last_heartbeat_at"]) - t0), 5)
        # 80 s ago: still online; 2 minutes: offline
        h.set_heartbeat_age(dev, 80)
        self.assertEqual(h.listed("hb-1")["status"], "online")
        h.set_offline(dev)
        d = h.listed("hb-1")
        self.assertEqual((d["status"], d["lifecycle"]), ("offline", "OFFLINE"))
        self.assertLessEqual(abs(fc.parse_ts(d["last_heartbeat_at"]) - (t0 - 120)), 5)
        # seen again: online
        fc.assert_json(h.heartbeat(dev), 200)
        d = h.listed("hb-1")
        self.assertEqual((d["status"], d["lifecycle"]), ("online", "ACTIVE"))

    def test_error_report(self):
        h = self.h
        dev = h.device("hb-err")
        fc.assert_json(h.heartbeat(dev, json={"error": "camera unplugged"}), 200)
        d = h.listed("hb-err")
        self.assertEqual(d["lifecycle"], "ERROR")
        self.assertEqual(d["status"], "online")
        self.assertEqual(h.db_device("hb-err", "error_message"), "camera unplugged")
        fc.assert_json(h.heartbeat(dev), 200)
        self.assertEqual(h.listed("hb-err")["lifecycle"], "ACTIVE")
        for v in (5, ["x"], "x" * 1001):
            with self.subTest(error=v):
                fc.assert_error(h.heartbeat(dev, json={"error": v}), 400, "VALIDATION_ERROR", field="error")
        # an error while offline shows as OFFLINE
        fc.assert_json(h.heartbeat(dev, json={"error": "x" * 1000}), 200)
        h.set_offline(dev)
        self.assertEqual(h.listed("hb-err")["lifecycle"], "OFFLINE")
        # an empty or null error is no error
        for v in ("", None):
            with self.subTest(error=v):
                fc.assert_json(h.heartbeat(dev, json={"error": "lens"}), 200)
                d = fc.assert_json(h.heartbeat(dev, json={"error": v}), 200)
                self.assertEqual(d["lifecycle"], "ACTIVE")
                self.assertIsNone(d["error_message"])

    def test_answer_is_the_device(self):
        h = self.h
        dev = h.device("hb-ans", state="provisioned")
        d = self.assert_device(fc.assert_json(h.heartbeat(dev), 200))
        self.assertEqual((d["device_id"], d["status"], d["lifecycle"]), ("hb-ans", "online", "ACTIVE"))
        self.assertIsNone(d["error_message"])
        fc.parse_ts(d["provisioned_at"])
        fc.parse_ts(d["created_at"])

    def test_body_optional(self):
        h = self.h
        dev = h.device("hb-nobody", state="provisioned")
        r = fc.post("/api/iot/devices/hb-nobody/heartbeat", api_key=dev.key)
        fc.assert_json(r, 200)
        self.assertEqual(h.listed("hb-nobody")["status"], "online")
        r = fc.post("/api/iot/devices/hb-nobody/heartbeat/", json={}, api_key=dev.key)
        fc.assert_json(r, 200)

    def test_only_its_own(self):
        h = self.h
        a = h.device("hb-a", state="provisioned")
        b = h.device("hb-b", state="provisioned")
        fc.assert_error(h.heartbeat(a, device_id="hb-b"), 404, "NOT_FOUND")
        fc.assert_error(h.heartbeat(a, device_id="hb-none"), 404, "NOT_FOUND")
        self.assertEqual(h.listed("hb-b")["status"], "offline")
        fc.assert_error(h.heartbeat(Device("hb-a", "dev_1_" + "0" * 64)), 401, "UNAUTHENTICATED")
        fc.assert_error(h.heartbeat(Device("hb-a", b.key[:-1] + ("0" if b.key[-1] != "0" else "1"))),
                        401, "UNAUTHENTICATED")
        fc.assert_error(fc.post("/api/iot/devices/hb-a/heartbeat", json={}), 401, "UNAUTHENTICATED")
        for role in ("admin", "manager", "staff"):
            fc.assert_error(fc.post("/api/iot/devices/hb-a/heartbeat", json={}, token=h.login(role)),
                            403, "FORBIDDEN")
        fc.assert_error(fc.post("/api/iot/devices/hb-a/heartbeat", json={}, api_key=h.kiosk), 403, "FORBIDDEN")


class Listing(IotCase):
    @classmethod
    def setUpClass(cls):
        h = cls.h = IotHotel("list").make()
        h.device("l-on", location_label="Lobby")
        h.device("l-off", state="offline", location_label="Lobby")
        h.device("l-prov", state="provisioning", location_label="Garage")
        h.device("l-emo", capability="emotion_monitoring", location_label="Lobby")
        h.device("l-seen", state="provisioned", location_label="Garage")
        gone = h.device("l-gone", location_label="Lobby")
        fc.assert_json(fc.delete(DEVICES + "/l-gone", token=h.login("admin")), 200)
        cls.gone = gone

    def ids(self, body):
        return sorted(d["device_id"] for d in body["devices"])

    def check(self, filters, ids, online, offline):
        body = self.h.device_list(**filters)
        self.assertEqual(set(body), {"devices", "total", "online", "offline"}, body)
        for d in body["devices"]:
            self.assert_device(d)
        self.assertEqual(self.ids(body), sorted(ids), filters)
        self.assertEqual(body["total"], len(ids), filters)
        self.assertEqual((body["online"], body["offline"]), (online, offline), filters)
        return body

    def test_no_filter_all_active_devices(self):
        self.check({}, ["l-on", "l-off", "l-prov", "l-emo", "l-seen"], 2, 2)

    def test_filters_and_counts(self):
        self.check({"capability": "face_recognition"}, ["l-on", "l-off", "l-prov", "l-seen"], 1, 2)
        self.check({"capability": "emotion_monitoring"}, ["l-emo"], 1, 0)
        self.check({"status": "online"}, ["l-on", "l-emo"], 2, 0)
        self.check({"status": "offline"}, ["l-off", "l-seen"], 0, 2)
        self.check({"status": "provisioning"}, ["l-prov"], 0, 0)
        self.check({"location_label": "Lobby"}, ["l-on", "l-off", "l-emo"], 2, 1)
        self.check({"location_label": "Garage"}, ["l-prov", "l-seen"], 0, 1)
        self.check({"location_label": "Nowhere"}, [], 0, 0)
        self.check({"capability": "face_recognition", "status": "online", "location_label": "Lobby"},
                   ["l-on"], 1, 0)
        self.check({"capability": "face_recognition", "status": "offline", "location_label": "Garage"},
                   ["l-seen"], 0, 1)

    def test_paging(self):
        """The devices array is the page; total / online / offline count the
        whole filtered list."""
        h = self.h
        seen = []
        path = q(DEVICES, limit=2)
        pages = 0
        while path and pages < 10:
            r = fc.get(path, token=h.login("manager"))
            body = fc.assert_json(r, 200)
            self.assertEqual(r.header("X-Total-Count"), "5")
            self.assertEqual((body["total"], body["online"], body["offline"]), (5, 2, 2))
            self.assertLessEqual(len(body["devices"]), 2)
            seen += [d["device_id"] for d in body["devices"]]
            path = fc.link_next(r)
            pages += 1
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), ["l-emo", "l-off", "l-on", "l-prov", "l-seen"])
        self.assertEqual(len(set(seen)), 5)
        r = fc.get(q(DEVICES, limit=1, status="offline"), token=h.login("manager"))
        body = fc.assert_json(r, 200)
        self.assertEqual((len(body["devices"]), body["total"], body["offline"]), (1, 2, 2))
        self.assertEqual(r.header("X-Total-Count"), "2")
        for v in ("0", "-1", "1001", "x"):
            with self.subTest(limit=v):
                fc.assert_error(h.devices(limit=v), 400, "VALIDATION_ERROR", field="limit")

    def test_bad_filters(self):
        h = self.h
        for k, v in (("capability", "facial_recognition"), ("status", "dead"), ("status", "")):
            with self.subTest(**{k: v}):
                fc.assert_error(h.devices(**{k: v}), 400, "VALIDATION_ERROR", field=k)

    def test_fields(self):
        h = self.h
        d = h.listed("l-on")
        self.assertEqual(d["display_name"], "Cam l-on")
        self.assertEqual(d["device_category"], "camera")
        self.assertEqual(d["location_label"], "Lobby")
        self.assertIsNone(d["location_geo"])
        self.assertEqual(d["enrolled_count"], 0)
        self.assertEqual(d["sync_version"], 0)

    def test_readers(self):
        h = self.h
        want = self.ids(h.device_list())
        for role in ("manager", "hr", "admin", "sysadmin"):
            with self.subTest(role=role):
                self.assertEqual(self.ids(fc.assert_json(h.devices(role=role), 200)), want)
        fc.assert_json(fc.get(DEVICES + "/", token=h.login("hr")), 200)

    def test_deactivated(self):
        h = self.h
        self.assertIsNone(h.listed("l-gone"))
        fc.assert_error(h.heartbeat(self.gone), 401, "UNAUTHENTICATED")
        fc.assert_error(h.sync(self.gone), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.delete(DEVICES + "/l-gone", token=h.login("admin")), 404, "NOT_FOUND")
        fc.assert_error(fc.delete(DEVICES + "/l-nope", token=h.login("admin")), 404, "NOT_FOUND")
        for role in ("manager", "hr", "staff"):
            fc.assert_error(fc.delete(DEVICES + "/l-on", token=h.login(role)), 403, "FORBIDDEN")
        self.assertIsNotNone(h.listed("l-on"))


class Deactivation(IotCase):
    def test_answer_and_removals_when_it_comes_back(self):
        h = IotHotel("deact2").make()
        dev = h.device("da-back")
        prov = h.device("da-prov", state="provisioning")
        people = h.people[:2]
        for sid in people:
            h.enroll(sid)
            h.push_ok(sid, dev)
        v = h.sync_ok(dev, 0)["sync_version"]
        r = fc.delete(DEVICES + "/da-back", token=h.login("admin"))
        d = self.assert_device(fc.assert_json(r, 200))
        self.assertEqual((d["device_id"], d["status"], d["enrolled_count"]), ("da-back", "offline", 0))
        fc.parse_ts(d["deactivated_at"])
        d = fc.assert_json(fc.delete(DEVICES + "/da-prov/", token=h.login("admin")), 200)
        self.assertEqual(d["status"], "provisioning")
        for sid in people:
            self.assertEqual(h.enrollment_ok(sid)["devices"], [])
        self.assertGreater(h.version(), v)
        # registered again under the same id: a reset row, and syncing from
        # its old version it learns what was taken off it
        created = fc.assert_json(h.create_device("da-back"), 201)
        self.assertEqual((created["sync_version"], created["enrolled_count"], created["status"]),
                         (0, 0, "provisioning"))
        key = fc.assert_json(provision("da-back", created["provisioning_token"]), 200)["api_key"]
        self.assertNotEqual(key, dev.key)
        back = Device("da-back", key)
        s = self.assert_sync(h.sync_ok(back, v))
        self.assertEqual(sorted(s["removals"]), sorted(h.code(x) for x in people))
        self.assertEqual((s["additions"], s["total_enrolled"]), ([], 0))
        self.assertEqual(self.assert_sync(h.sync_ok(back, 0))["additions"], [])
        fc.assert_error(h.heartbeat(dev), 401, "UNAUTHENTICATED")

    def test_deactivate_revokes_key_and_drops_from_pushes(self):
        h = IotHotel("deact").make()
        sid = h.people[0]
        h.enroll(sid)
        dev = h.device("da-1")
        h.push_ok(sid, dev)
        r = h.sys("DELETE", DEVICES + "/da-1")
        fc.assert_json(r, 200)
        fc.assert_error(h.heartbeat(dev), 401, "UNAUTHENTICATED")
        push = fc.assert_json(h.push(sid, targets=[dev]), 200)
        self.assertEqual(push["data"]["results"], [{"device_id": "da-1", "success": False,
                                                    "error": "Device not found"}])
        self.assertEqual(h.enrollment_ok(sid)["devices"], [])
