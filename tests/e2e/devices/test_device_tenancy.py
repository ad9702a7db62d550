"""Tenant isolation and authorization for every enrollment / IoT endpoint
(contract 2-3, docs/iot.md "Who calls what"): no credentials → 401, a
caller of the hotel whose kind or role is not allowed → 403, another
hotel's allowed caller aimed at this hotel's objects → 404 (or simply not
seeing them, for lists and creations); and none of the refused requests
changes anything in the hotel."""

import fc
from devices.iot import IotCase, IotHotel, emp, event_id, q, ts


def world():
    """Two hotels, each with an enrolled person pushed to an online device."""
    out = []
    for tag in ("tena", "tenb"):
        h = IotHotel(tag).make()
        h.dev = h.device("ten-cam")            # the same device_id in both hotels
        h.dev2 = h.device("ten-cam2")
        h.sid = h.people[0]
        h.enroll(h.sid)
        h.push_ok(h.sid, h.dev)
        out.append(h)
    return out


def snapshot(h):
    return (h.db_count("face_data"), h.db_count("enrollments"), h.db_count("face_audit_log"),
            h.version(), h.db_count("device_profiles"), h.db_count("device_events"),
            fc.psql("SELECT string_agg(device_id || ':' || lifecycle || ':' || coalesce(key_hash, '') || ':' "
                    "|| coalesce(provisioning_token_hash, '') || ':' || sync_version || ':' "
                    "|| coalesce(deactivated_at::text, ''), ',' ORDER BY device_id) FROM devices "
                    "WHERE hotel_id = %d" % h.hotel_id))


class Matrix(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.a, cls.b = world()

    def endpoints(self, h):
        """name → (method, path, body, allowed caller kinds)."""
        e = emp(h.sid)
        return {
            "capture": ("POST", "/api/enrollment/capture", h.capture_body(h.sid),
                        {"manager", "admin", "sysadmin"}),
            "enrollment": ("GET", "/api/enrollment/%s" % e, None, {"manager", "hr", "admin", "sysadmin"}),
            "devices.create": ("POST", "/api/iot/devices",
                               {"device_id": "ten-new", "display_name": "New"}, {"admin", "sysadmin"}),
            "devices.list": ("GET", "/api/iot/devices", None, {"manager", "hr", "admin", "sysadmin"}),
            "devices.token": ("POST", "/api/iot/devices/ten-cam2/provisioning-token", {}, {"admin", "sysadmin"}),
            "devices.delete": ("DELETE", "/api/iot/devices/ten-cam2", None, {"admin", "sysadmin"}),
            "heartbeat": ("POST", "/api/iot/devices/ten-cam/heartbeat", {}, {"device"}),
            "push": ("POST", "/api/iot/enrollments/push",
                     {"employee_id": e, "push_mode": "selected", "target_devices": ["ten-cam"]},
                     {"manager", "admin", "sysadmin"}),
            "sync": ("GET", q("/api/iot/enrollments/sync", device_id="ten-cam", since_version=0), None,
                     {"device"}),
            "events.post": ("POST", "/api/iot/events",
                            {"event_id": event_id(), "event_type": "face_recognition",
                             "event_timestamp": ts(), "metadata": {}}, {"device"}),
            "events.list": ("GET", "/api/iot/events", None, {"manager", "hr", "admin", "sysadmin"}),
        }

    def creds(self, h):
        return {
            "staff": {"token": h.login("staff")}, "manager": {"token": h.login("manager")},
            "hr": {"token": h.login("hr")}, "admin": {"token": h.login("admin")},
            "kiosk": {"api_key": h.kiosk}, "device": {"api_key": h.dev.key},
            "sysadmin": {"api_key": fc.ADMIN_KEY},
        }

    def call(self, h, method, path, body, cred, kind):
        if kind == "sysadmin":
            path = q(path, hotel=h.slug)
        return fc.request(method, path, json=body, **cred)

    def test_no_credentials(self):
        a = self.a
        before = snapshot(a)
        for name, (method, path, body, _) in self.endpoints(a).items():
            with self.subTest(endpoint=name):
                fc.assert_error(fc.request(method, path, json=body), 401, "UNAUTHENTICATED")
                fc.assert_error(fc.request(method, path, json=body, api_key="nope"), 401, "UNAUTHENTICATED")
                fc.assert_error(fc.request(method, path, json=body, token="x" * 43), 401, "UNAUTHENTICATED")
        self.assertEqual(snapshot(a), before)

    def test_callers_not_allowed(self):
        a = self.a
        before = snapshot(a)
        creds = self.creds(a)
        for name, (method, path, body, allowed) in self.endpoints(a).items():
            for kind, cred in creds.items():
                if kind in allowed:
                    continue
                with self.subTest(endpoint=name, caller=kind):
                    r = self.call(a, method, path, body, cred, kind)
                    fc.assert_error(r, 403, "FORBIDDEN")
        self.assertEqual(snapshot(a), before)

    def test_other_hotel_objects_are_not_found(self):
        """B's allowed callers, aimed at A's person and A's device ids: 404."""
        a, b = self.a, self.b
        before = snapshot(a)
        cb = self.creds(b)
        a_emp = emp(a.sid)
        # enrollment of A's person
        for kind in ("manager", "admin"):
            with self.subTest(endpoint="capture", caller=kind):
                r = fc.post("/api/enrollment/capture", json=b.capture_body(a_emp), **cb[kind])
                fc.assert_error(r, 404, "NOT_FOUND")
        for kind in ("manager", "hr", "admin"):
            with self.subTest(endpoint="enrollment", caller=kind):
                fc.assert_error(fc.get("/api/enrollment/%s" % a_emp, **cb[kind]), 404, "NOT_FOUND")
        # the system administrator naming hotel B cannot reach A's person either
        fc.assert_error(b.sys("GET", "/api/enrollment/%s" % a_emp), 404, "NOT_FOUND")
        # push of A's person
        for kind in ("manager", "admin"):
            with self.subTest(endpoint="push", caller=kind):
                r = fc.post("/api/iot/enrollments/push", json={"employee_id": a_emp, "push_mode": "all"}, **cb[kind])
                fc.assert_error(r, 404, "NOT_FOUND")
        # A-only device ids from B
        a.create_device("only-in-a")
        fc.assert_error(fc.post("/api/iot/devices/only-in-a/provisioning-token", json={}, **cb["admin"]),
                        404, "NOT_FOUND")
        fc.assert_error(fc.delete("/api/iot/devices/only-in-a", **cb["admin"]), 404, "NOT_FOUND")
        fc.assert_error(fc.post("/api/iot/devices/only-in-a/heartbeat", json={}, **cb["device"]), 404, "NOT_FOUND")
        fc.assert_error(fc.get(q("/api/iot/enrollments/sync", device_id="only-in-a", since_version=0),
                               **cb["device"]), 404, "NOT_FOUND")
        # B pushing its own person to a device only A has: not found
        body = fc.assert_json(fc.post("/api/iot/enrollments/push",
                                      json={"employee_id": emp(b.sid), "push_mode": "selected",
                                            "target_devices": ["only-in-a"]}, **cb["manager"]), 200)
        self.assertEqual(body["data"]["results"], [{"device_id": "only-in-a", "success": False,
                                                   "error": "Device not found"}])
        self.assertEqual(snapshot(a)[:6], before[:6])

    def test_same_device_id_means_own_hotel(self):
        """Both hotels have "ten-cam": each credential reaches its own."""
        a, b = self.a, self.b
        a.set_offline(a.dev)
        fc.assert_json(b.heartbeat(b.dev), 200)
        self.assertEqual(a.listed("ten-cam")["status"], "offline")
        self.assertEqual(b.listed("ten-cam")["status"], "online")
        # B's sync of "ten-cam" is B's profile, not A's
        sb = self.assert_sync(b.sync_ok(b.dev, 0))
        self.assertEqual([x["user_id"] for x in sb["additions"]], [emp(b.sid)])
        # B's admin deactivating "ten-cam2" leaves A's alone
        fc.assert_json(fc.delete("/api/iot/devices/ten-cam2", token=b.login("admin")), 200)
        self.assertIsNotNone(a.listed("ten-cam2"))
        self.assertIsNone(b.listed("ten-cam2"))
        fc.assert_json(a.heartbeat(a.dev2), 200)
        a.set_heartbeat_age(a.dev, 0)

    def test_lists_show_own_hotel_only(self):
        a, b = self.a, self.b
        fc.assert_json(a.event(a.dev, employee_id=emp(a.sid))[0], 201)
        for kind in ("manager", "hr", "admin"):
            with self.subTest(caller=kind):
                rows = fc.assert_json(fc.get("/api/iot/events", token=b.login(kind)), 200)
                self.assertTrue(all(e["employee_id"] != emp(a.sid) for e in rows), rows)
                devs = fc.assert_json(fc.get("/api/iot/devices", token=b.login(kind)), 200)
                mine = fc.psql("SELECT string_agg(device_id, ',' ORDER BY device_id) FROM devices "
                               "WHERE hotel_id = %d AND deactivated_at IS NULL" % b.hotel_id)
                self.assertEqual(",".join(sorted(d["device_id"] for d in devs["devices"])), mine)
        rows = fc.assert_json(fc.get(q("/api/iot/events", employee_id=emp(a.sid)), token=b.login("manager")), 200)
        self.assertEqual(rows, [])
        # a device created by B's admin lands in B
        fc.assert_json(fc.post("/api/iot/devices", json={"device_id": "b-made", "display_name": "B"},
                               token=b.login("admin")), 201)
        self.assertIsNotNone(b.listed("b-made"))
        self.assertIsNone(a.listed("b-made"))

    def test_provisioning_is_public_but_needs_the_token(self):
        a = self.a
        created = fc.assert_json(a.create_device("ten-pub"), 201)
        # any credential or none: the token is what counts
        r = fc.post("/api/iot/devices/provision",
                    json={"device_id": "ten-pub", "provisioning_token": created["provisioning_token"]},
                    token=self.b.login("admin"))
        self.assertIn(r.status, (200, 403), r)
        if r.status == 403:
            fc.assert_error(r, 403, "FORBIDDEN")
            r = fc.post("/api/iot/devices/provision",
                        json={"device_id": "ten-pub", "provisioning_token": created["provisioning_token"]})
        key = fc.assert_json(r, 200)["api_key"]
        self.assertEqual(a.listed("ten-pub")["status"], "offline")
        self.assertIsNone(self.b.listed("ten-pub"))
        fc.assert_error(fc.post("/api/iot/devices/ten-pub/heartbeat", json={}, api_key=key + "0"),
                        401, "UNAUTHENTICATED")

    def test_device_key_elsewhere(self):
        """A device key opens the device routes only: the hotel's other
        routes are 403, another hotel's 404."""
        a, b = self.a, self.b
        key = {"api_key": a.dev.key}
        for method, path in (("GET", a.path("staff/")), ("GET", a.path("kiosks/")),
                             ("GET", a.path("attendance/settings/")), ("GET", a.att("face-audit-logs/")),
                             ("POST", a.att("face-clock-in/")), ("GET", "/api/auth/me")):
            with self.subTest(path=path):
                r = fc.request(method, path, json={} if method == "POST" else None, **key)
                self.assertIn(r.status, (401, 403), r)
                fc.assert_error(r, r.status, "FORBIDDEN" if r.status == 403 else "UNAUTHENTICATED")
        fc.assert_error(fc.get(b.path("staff/"), **key), 404, "NOT_FOUND")

    def test_logged_out_token(self):
        a = self.a
        tok = a.login("manager", fresh=True)
        fc.assert_json(fc.post("/api/auth/logout", token=tok), 200)
        for path in ("/api/iot/devices", "/api/iot/events", "/api/enrollment/%s" % emp(a.sid)):
            with self.subTest(path=path):
                fc.assert_error(fc.get(path, token=tok), 401, "UNAUTHENTICATED")


class SameEmployeeCode(IotCase):
    def test_codes_are_per_hotel(self):
        """Two hotels with a staff member of the same employee_code: each
        hotel's calls reach its own person only."""
        a = IotHotel("codea").make()
        b = IotHotel("codeb")
        code = emp(a.people[0])
        row = [r for r in b.staff if r["id"] == b.people[0]][0]
        row["employee_code"] = code
        b.make()
        da = a.device("code-cam")
        db = b.device("code-cam")
        fa = a.enroll(a.people[0])
        a.push_ok(code, da)
        va = a.sync_ok(da, 0)["sync_version"]
        # B sees its own, unenrolled person under that code
        g = fc.assert_json(fc.get("/api/enrollment/%s" % code, token=b.login("manager")), 200)
        self.assertEqual(g["enrollment_status"], "unenrolled")
        self.assertEqual(g["devices"], [])
        fc.assert_error(b.push(code, targets=[db]), 404, "NOT_FOUND")
        # B enrolls its person, pushes, revokes: A's device notices nothing
        fb = b.enroll(b.people[0])
        b.push_ok(code, db)
        sb = self.assert_sync(b.sync_ok(db, 0))
        self.assert_floats(self.additions(sb)[code], fb)
        r = fc.request("DELETE", b.att("revoke-face/%d/" % b.people[0]), json={"reason": "x"},
                       token=b.login("manager"))
        fc.assert_json(r, 200)
        s = self.assert_sync(a.sync_ok(da, va))
        self.assertEqual((s["additions"], s["removals"]), ([], []))
        full = self.assert_sync(a.sync_ok(da, 0))
        self.assert_floats(self.additions(full)[code], fa)
        self.assertEqual(a.enrollment_ok(code)["enrollment_status"], "enrolled")
        # events with that employee id stay in their hotel
        fc.assert_json(b.event(db, employee_id=code)[0], 201)
        self.assertEqual(fc.assert_json(a.events(employee_id=code), 200), [])
