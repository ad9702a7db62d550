"""Device ACL tiers over HTTP (issue 14, seed 001's DeviceACL; docs/iot.md
"ACL tiers"): a device's tier (camera, display, gateway) set at
registration or allocation and changed with PUT .../tier decides which
device routes it may call, from the one table of
handlers/devices/acl_rules.c — a camera syncs descriptors and posts
recognition events; a display and a gateway are refused both with 403
DEVICE_TIER_FORBIDDEN and keep their own channel (heartbeat, config,
actions). A change of tier applies to the next request at once and is
audited; an unknown tier is 400 naming the field; another hotel's device
is 404; GET .../acl shows the effective rules. The broker's side is in
test_mqtt.py."""

import unittest

import fc
from devices.iot import IotCase, IotHotel


def tier_path(device_id, what="tier"):
    return "/api/iot/devices/%s/%s" % (device_id, what)


class Tiers(IotCase):
    def setUp(self):
        self.h = IotHotel("acl").make()

    def set_tier(self, device_id, tier, role="admin"):
        return fc.put(tier_path(device_id), json={"tier": tier}, token=self.h.login(role))

    def assert_device_routes(self, dev, sync_events_allowed):
        """dev's own channel always answers; sync and events as its tier says."""
        h = self.h
        self.assertEqual(fc.assert_json(h.heartbeat(dev), 200)["device_id"], dev.device_id)
        fc.assert_json(fc.get(tier_path(dev.device_id, "config"), api_key=dev.key), 200)
        queued = fc.assert_json(fc.post(tier_path(dev.device_id, "actions"), json={"action": "restart"},
                                        token=h.login("admin")), 201)
        fc.assert_json(fc.post(tier_path(dev.device_id, "actions/%d/ack" % queued["id"]), json={}, api_key=dev.key),
                       200)
        if sync_events_allowed:
            self.assert_sync(h.sync_ok(dev))
            fc.assert_json(h.event(dev)[0], 201)
        else:
            body = fc.assert_error(h.sync(dev), 403, "DEVICE_TIER_FORBIDDEN")
            self.assertIn("sync", body["message"])
            fc.assert_error(h.event(dev)[0], 403, "DEVICE_TIER_FORBIDDEN")

    def test_each_tier_on_its_routes(self):
        h = self.h
        for tier, allowed in (("camera", True), ("display", False), ("gateway", False)):
            with self.subTest(tier=tier):
                dev = h.device("t-" + tier, tier=tier)
                self.assertEqual(dev.created["tier"], tier)
                self.assertEqual(h.db_device(dev.device_id, "tier"), tier)
                self.assert_device_routes(dev, allowed)
        # the default is camera, and the list shows each tier
        dev = h.device("t-default")
        self.assertEqual(dev.created["tier"], "camera")
        self.assertEqual({d["device_id"]: d["tier"] for d in h.device_list()["devices"]},
                         {"t-camera": "camera", "t-display": "display", "t-gateway": "gateway",
                          "t-default": "camera"})
        # a refused request stored nothing
        self.assertEqual(fc.psql("SELECT count(*) FROM device_events e JOIN devices d ON d.id = e.device_pk "
                                 "WHERE d.hotel_id = %d AND d.tier <> 'camera'" % h.hotel_id).strip(), "0")

    def test_change_applies_at_once_and_is_audited(self):
        h = self.h
        dev = h.device("t-move")
        self.assert_sync(h.sync_ok(dev))
        moved = fc.assert_json(self.set_tier("t-move", "display"), 200)
        self.assert_device(moved)
        self.assertEqual(moved["tier"], "display")
        fc.assert_error(h.sync(dev), 403, "DEVICE_TIER_FORBIDDEN")      # the same key, the next request
        fc.assert_json(h.heartbeat(dev), 200)
        self.assertEqual(fc.assert_json(self.set_tier("t-move", "camera"), 200)["tier"], "camera")
        self.assert_sync(h.sync_ok(dev))
        rows = fc.assert_json(fc.get(h.path("action-audit-logs/?action=device.tier_changed"),
                                     token=h.login("admin")), 200)
        rows = rows if isinstance(rows, list) else rows.get("results", rows.get("logs", []))
        self.assertEqual([(r["target"], r["old_value"], r["new_value"]) for r in rows],
                         [("device:t-move", {"tier": "display"}, {"tier": "camera"}),
                          ("device:t-move", {"tier": "camera"}, {"tier": "display"})])

    def test_allocate_sets_the_tier(self):
        h = self.h
        fc.assert_json(h.create_device("t-inv", provision=False, location_label=None), 201)
        got = fc.assert_json(fc.post(tier_path("t-inv", "allocate"),
                                     json={"location_label": "Lobby", "tier": "display"}, token=h.login("admin")), 200)
        self.assertEqual((got["lifecycle"], got["tier"]), ("ALLOCATED", "display"))
        # allocating again without a tier keeps it
        got = fc.assert_json(fc.post(tier_path("t-inv", "allocate"), json={"location_label": "Bar"},
                                     token=h.login("admin")), 200)
        self.assertEqual(got["tier"], "display")
        fc.assert_error(fc.post(tier_path("t-inv", "allocate"), json={"location_label": "Bar", "tier": "root"},
                                token=h.login("admin")), 400, "VALIDATION_ERROR", field="tier")

    def test_bad_input_changes_nothing(self):
        h = self.h
        dev = h.device("t-bad")
        for body in ({"tier": "root"}, {"tier": "Camera"}, {"tier": 2}, {"tier": None}, {}, {"tier": ""}):
            with self.subTest(body=body):
                fc.assert_error(fc.put(tier_path("t-bad"), json=body, token=h.login("admin")),
                                400, "VALIDATION_ERROR", field="tier")
        fc.assert_error(h.create_device("t-bad2", tier="service"), 400, "VALIDATION_ERROR", field="tier")
        self.assertEqual(h.db_device("t-bad2", "count(*)").strip(), "0")
        fc.assert_error(self.set_tier("t-none", "display"), 404, "NOT_FOUND")
        fc.assert_error(fc.get(tier_path("t-none", "acl"), token=h.login("manager")), 404, "NOT_FOUND")
        # another hotel's device: 404, untouched, each way
        other = IotHotel("acl2").make()
        other.device("t-oth")
        fc.assert_error(fc.put(tier_path("t-bad"), json={"tier": "display"}, token=other.login("admin")),
                        404, "NOT_FOUND")
        fc.assert_error(self.set_tier("t-oth", "display"), 404, "NOT_FOUND")
        fc.assert_error(fc.get(tier_path("t-oth", "acl"), token=h.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.put(tier_path("t-bad"), json={"tier": "display"}, token=h.login("manager")),
                        403, "FORBIDDEN")
        self.assertEqual(h.db_device("t-bad", "tier"), "camera")
        self.assertEqual(other.db_device("t-oth", "tier"), "camera")
        # a device may not change its own tier
        fc.assert_error(fc.put(tier_path("t-bad"), json={"tier": "gateway"}, api_key=dev.key), 403, "FORBIDDEN")

    def test_push_leaves_out_tiers_without_profiles(self):
        """A display or gateway holds no descriptors: a push that names one
        is told so for it, "all" and "location" leave it out, and it never
        holds a profile (so no revocation can wait on it)."""
        h = self.h
        cam = h.device("t-pcam")
        disp = h.device("t-pdisp", tier="display")
        gw = h.device("t-pgw", tier="gateway")
        p0 = h.people[0]
        h.enroll(p0)
        body = fc.assert_json(h.push(p0, targets=[cam, disp, gw]), 200)
        res = {x["device_id"]: x for x in body["data"]["results"]}
        self.assertIs(res["t-pcam"]["success"], True)
        for d in ("t-pdisp", "t-pgw"):
            self.assertEqual((res[d]["success"], res[d]["error"]), (False, "Device's tier holds no profiles"))
        for mode, extra in (("all", {}), ("location", {"location": "Lobby"})):
            with self.subTest(mode=mode):
                body = fc.assert_json(h.push(p0, mode=mode, **extra), 200)
                self.assertEqual([x["device_id"] for x in body["data"]["results"]], ["t-pcam"])
                self.assertEqual(body["data"]["devices_failed"], 0)
        self.assertEqual((h.listed("t-pdisp")["enrolled_count"], h.listed("t-pgw")["enrolled_count"]), (0, 0))

    def test_effective_rules(self):
        h = self.h
        h.device("t-cam")
        h.device("t-disp", tier="display")
        own = "faceclock/%s/devices/%%s/" % h.slug
        for device_id, tier, level in (("t-cam", "camera", 1), ("t-disp", "display", 2)):
            with self.subTest(tier=tier):
                acl = fc.assert_json(fc.get(tier_path(device_id, "acl"), token=h.login("hr")), 200)
                self.assertEqual((acl["device_id"], acl["tier"], acl["tier_level"]), (device_id, tier, level))
                rules = {(r["via"], r["action"], r["topic"]): r["allow"] for r in acl["rules"]}
                for r in acl["rules"]:
                    self.assertEqual(set(r), {"via", "action", "topic", "allow"})
                camera = tier == "camera"
                self.assertEqual(rules[("http", "read", "GET /api/iot/enrollments/sync")], camera)
                self.assertEqual(rules[("http", "write", "POST /api/iot/events")], camera)
                self.assertTrue(rules[("http", "write", "POST /api/iot/devices/%s/heartbeat" % device_id)])
                self.assertTrue(rules[("http", "read", "GET /api/iot/devices/%s/config" % device_id)])
                self.assertTrue(rules[("http", "write",
                                       "POST /api/iot/devices/%s/actions/{action_id}/ack" % device_id)])
                self.assertTrue(rules[("mqtt", "read", own % device_id + "#")])
                self.assertEqual(rules[("mqtt", "write", own % device_id + "up/#")], camera)
                self.assertFalse(rules[("mqtt", "read", "faceclock/%s/devices/#" % h.slug)])
                self.assertNotIn("faceclock/#", [t for _, _, t in rules])      # the service's row
        # a device of another tier sees the change at once
        fc.assert_json(self.set_tier("t-disp", "gateway"), 200)
        acl = fc.assert_json(fc.get(tier_path("t-disp", "acl"), token=h.login("manager")), 200)
        rules = {(r["via"], r["action"], r["topic"]): r["allow"] for r in acl["rules"]}
        self.assertEqual((acl["tier"], acl["tier_level"]), ("gateway", 3))
        self.assertTrue(rules[("mqtt", "read", "faceclock/%s/devices/#" % h.slug)])
        self.assertTrue(rules[("mqtt", "write", own % "t-disp" + "up/#")])


if __name__ == "__main__":
    unittest.main()
