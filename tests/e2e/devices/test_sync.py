"""Sync (contract 6, docs/iot.md): GET /api/iot/enrollments/sync by the
device itself — since_version=0 (every profile it holds, embeddings equal
to the face data), incremental (only newer pushes / updates), revocation
reaching every device that held the face as a removal (manager revoke,
withdrawal by the staff member, PMS departure, `faceclock purge` for
retention), re-registration reaching
them as an addition, removal then re-push, full_sync_required when behind
hotels.sync_floor, on a model mismatch or when ahead of the hotel; the
device's sync_version and heartbeat; another device's id → 404; a bigger
full sync (streamed) with names that need JSON escaping."""


import fc
from devices.iot import MODEL, IotCase, IotHotel, emp, poses, mean, q
from attendance.att import person, staff_name

SYNC = "/api/iot/enrollments/sync"


def revoke(h, sid, role="manager", reason="test"):
    r = fc.request("DELETE", h.att("revoke-face/%d/" % sid), json={"reason": reason}, token=h.login(role))
    fc.assert_json(r, 200)


class Sync(IotCase):
    def setUp(self):
        h = self.h = IotHotel("sync").make()
        self.a = h.device("s-a")
        self.b = h.device("s-b")
        self.c = h.device("s-c")
        self.faces = {}
        for sid in h.people[:4]:
            self.faces[sid] = h.enroll(sid)

    def test_full_sync_from_zero(self):
        h = self.h
        p0, p1 = h.people[0], h.people[1]
        h.push_ok(p0, self.a, self.b)
        h.push_ok(p1, self.a)
        v = h.version()
        body = self.assert_sync(h.sync_ok(self.a, 0))
        self.assertEqual(body["sync_version"], v)
        adds = self.additions(body)
        self.assertEqual(set(adds), {emp(p0), emp(p1)})
        for sid in (p0, p1):
            self.assert_floats(adds[emp(sid)], self.faces[sid])
        names = {a["user_id"]: a["display_name"] for a in body["additions"]}
        self.assertEqual(names[emp(p0)], staff_name(p0))
        self.assertEqual(body["removals"], [])
        self.assertEqual(body["total_enrolled"], 2)
        # B holds one, C none
        body = self.assert_sync(h.sync_ok(self.b, 0))
        self.assertEqual(set(self.additions(body)), {emp(p0)})
        self.assertEqual(body["total_enrolled"], 1)
        body = self.assert_sync(h.sync_ok(self.c, 0))
        self.assertEqual((body["additions"], body["removals"], body["total_enrolled"]), ([], [], 0))
        self.assertEqual(body["sync_version"], v)

    def test_incremental(self):
        h = self.h
        p0, p1, p2 = h.people[:3]
        h.push_ok(p0, self.a)
        v1 = self.assert_sync(h.sync_ok(self.a, 0))["sync_version"]
        # nothing new
        body = self.assert_sync(h.sync_ok(self.a, v1))
        self.assertEqual((body["additions"], body["removals"], body["sync_version"], body["total_enrolled"]),
                         ([], [], v1, 1))
        # a push to A: only that one
        h.push_ok(p1, self.a)
        body = self.assert_sync(h.sync_ok(self.a, v1))
        self.assertEqual(set(self.additions(body)), {emp(p1)})
        self.assert_floats(self.additions(body)[emp(p1)], self.faces[p1])
        self.assertEqual(body["total_enrolled"], 2)
        v2 = body["sync_version"]
        self.assertGreater(v2, v1)
        # a push to B does not concern A
        h.push_ok(p2, self.b)
        body = self.assert_sync(h.sync_ok(self.a, v2))
        self.assertEqual((body["additions"], body["removals"]), ([], []))
        self.assertEqual(body["sync_version"], h.version())
        # from an older version: everything since then
        body = self.assert_sync(h.sync_ok(self.a, v1))
        self.assertEqual(set(self.additions(body)), {emp(p1)})
        # a version between: a push at exactly since_version is not repeated
        body = self.assert_sync(h.sync_ok(self.a, v2 - 1))
        self.assertEqual(set(self.additions(body)), {emp(p1)})

    def test_revoke_reaches_every_device(self):
        h = self.h
        p0, p1 = h.people[:2]
        h.push_ok(p0, self.a, self.b)
        h.push_ok(p1, self.a)
        va = h.sync_ok(self.a, 0)["sync_version"]
        vb = h.sync_ok(self.b, 0)["sync_version"]
        vc = h.sync_ok(self.c, 0)["sync_version"]
        revoke(h, p0)
        for dev, v, total in ((self.a, va, 1), (self.b, vb, 0)):
            with self.subTest(device=dev.device_id):
                body = self.assert_sync(h.sync_ok(dev, v))
                self.assertEqual(body["removals"], [emp(p0)])
                self.assertEqual(body["additions"], [])
                self.assertEqual(body["total_enrolled"], total)
                # and not in a full sync any more
                full = self.assert_sync(h.sync_ok(dev, 0))
                self.assertNotIn(emp(p0), self.additions(full))
                self.assertEqual(full["removals"], [])
        body = self.assert_sync(h.sync_ok(self.c, vc))
        self.assertEqual((body["additions"], body["removals"]), ([], []))
        self.assertEqual([x["device_id"] for x in h.enrollment_ok(p0)["devices"]], [])
        self.assertEqual(h.listed("s-b")["enrolled_count"], 0)

    def test_withdrawal_and_departure_reach_devices(self):
        h = self.h
        staff_sid = h.users["staff"]["staff_id"]
        h.enroll(staff_sid)
        gone = h.people[2]
        h.push_ok(staff_sid, self.a, self.b)
        h.push_ok(gone, self.a, self.b)
        va = h.sync_ok(self.a, 0)["sync_version"]
        # the staff member withdraws consent themselves
        revoke(h, staff_sid, role="staff", reason="withdrawn")
        # another leaves the hotel (PMS: is_active false)
        row = [r for r in h.staff if r["id"] == gone][0]
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [dict(row, is_active=False)]}), 200)
        for dev in (self.a, self.b):
            body = self.assert_sync(h.sync_ok(dev, va))
            self.assertEqual(sorted(body["removals"]), sorted([emp(staff_sid), emp(gone)]))
            self.assertEqual(body["additions"], [])

    def test_retention_purge_reaches_devices(self):
        """`faceclock purge` (retention) deletes face data like a revocation:
        a removal on every device that held it."""
        h = self.h
        h.settings(face_data_retention_days=30)
        old, young = h.people[0], h.people[1]
        h.push_ok(old, self.a, self.b)
        h.push_ok(young, self.a)
        va = h.sync_ok(self.a, 0)["sync_version"]
        vb = h.sync_ok(self.b, 0)["sync_version"]
        fc.psql("UPDATE face_data SET registered_at = now() - interval '31 days' "
                "WHERE hotel_id = %d AND staff_id = %d" % (h.hotel_id, old))
        p = fc.faceclock(["purge"], timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("%s: 1 removed\n" % h.slug, p.stdout)
        for dev, v, total in ((self.a, va, 1), (self.b, vb, 0)):
            body = self.assert_sync(h.sync_ok(dev, v))
            self.assertEqual((body["removals"], body["additions"], body["total_enrolled"]),
                             ([emp(old)], [], total))
        self.assertEqual(h.enrollment_ok(old)["enrollment_status"], "unenrolled")
        self.assertEqual(h.enrollment_ok(young)["enrollment_status"], "enrolled")

    def test_purge_trims_history_into_a_full_sync(self):
        """`faceclock purge` keeps FACECLOCK_SYNC_HISTORY_DAYS of changes:
        a device further behind is told to sync in full; one at the current
        version is not."""
        h = self.h
        p0, p1 = h.people[2], h.people[3]
        h.push_ok(p0, self.c)
        v0 = h.sync_ok(self.c, 0)["sync_version"]        # >= 1: a version to fall behind from
        h.push_ok(p1, self.c)
        now = h.sync_ok(self.c, 0)["sync_version"]
        fc.psql("UPDATE face_changes SET created_at = now() - interval '200 days' "
                "WHERE hotel_id = %d" % h.hotel_id)
        p = fc.faceclock(["purge"], timeout=60, FACECLOCK_SYNC_HISTORY_DAYS="90")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("%s: " % h.slug, p.stdout)
        behind = h.sync_ok(self.c, v0)
        self.assertTrue(behind["full_sync_required"], behind)
        self.assertEqual((behind["additions"], behind["removals"]), ([], []))
        current = h.sync_ok(self.c, now)
        self.assertFalse(current["full_sync_required"], current)
        full = h.sync_ok(self.c, 0)
        self.assertIn(emp(p0), [a["user_id"] for a in full["additions"]])

    def test_reregistration_is_an_addition(self):
        h = self.h
        p1 = h.people[1]
        h.push_ok(p1, self.a, self.b)
        va = h.sync_ok(self.a, 0)["sync_version"]
        vc = h.sync_ok(self.c, 0)["sync_version"]
        # re-registered at the kiosk endpoint: new face data
        new = h.register(p1, person())
        for dev in (self.a, self.b):
            body = self.assert_sync(h.sync_ok(dev, va))
            adds = self.additions(body)
            self.assertEqual(set(adds), {emp(p1)})
            self.assert_floats(adds[emp(p1)], new)
            self.assertEqual(body["removals"], [])
        self.assertEqual(h.sync_ok(self.c, vc)["additions"], [])
        # re-captured: the mean again
        v2 = h.sync_ok(self.a, 0)["sync_version"]
        descs = poses()
        fc.assert_json(h.capture(p1, descs=descs), 201)
        body = self.assert_sync(h.sync_ok(self.a, v2))
        self.assert_floats(self.additions(body)[emp(p1)], mean(descs))

    def test_revoke_then_push_again(self):
        h = self.h
        p0 = h.people[0]
        h.push_ok(p0, self.a)
        v = h.sync_ok(self.a, 0)["sync_version"]
        revoke(h, p0)
        m = h.enroll(p0)
        h.push_ok(p0, self.a)
        body = self.assert_sync(h.sync_ok(self.a, v))
        self.assertEqual(set(self.additions(body)), {emp(p0)})
        self.assert_floats(self.additions(body)[emp(p0)], m)
        self.assertNotIn(emp(p0), body["removals"])
        # revoked again: a removal after all
        revoke(h, p0)
        body = self.assert_sync(h.sync_ok(self.a, v))
        self.assertEqual(body["removals"], [emp(p0)])
        self.assertEqual(body["additions"], [])

    def test_behind_history(self):
        h = self.h
        h.push_ok(h.people[0], self.a)
        v1 = h.sync_ok(self.a, 0)["sync_version"]
        h.push_ok(h.people[1], self.a)
        v2 = h.version()
        fc.psql("UPDATE hotels SET sync_floor = %d WHERE id = %d" % (v1 + 1, h.hotel_id))
        body = self.assert_sync(h.sync_ok(self.a, v1), full=True)
        self.assertEqual((body["additions"], body["removals"]), ([], []))
        self.assertEqual(body["sync_version"], v2)
        # at the floor: fine
        body = self.assert_sync(h.sync_ok(self.a, v1 + 1))
        # a full sync is always possible
        body = self.assert_sync(h.sync_ok(self.a, 0))
        self.assertEqual(set(self.additions(body)), {emp(h.people[0]), emp(h.people[1])})
        self.assertEqual(body["total_enrolled"], 2)

    def test_model_mismatch(self):
        h = self.h
        h.push_ok(h.people[0], self.a)
        v = h.sync_ok(self.a, 0)["sync_version"]
        h.push_ok(h.people[1], self.a)
        body = self.assert_sync(h.sync_ok(self.a, v, model="ArcFace"), full=True)
        self.assertEqual((body["additions"], body["removals"]), ([], []))
        body = self.assert_sync(h.sync_ok(self.a, v, model=MODEL))
        self.assertEqual(set(self.additions(body)), {emp(h.people[1])})
        body = self.assert_sync(h.sync_ok(self.a, 0, model="ArcFace"), full=True)
        self.assertEqual(body["additions"], [])
        # a full-sync-required answer does not move the device's recorded version
        recorded = h.listed("s-a")["sync_version"]
        h.push_ok(h.people[2], self.a)
        self.assert_sync(h.sync_ok(self.a, recorded, model="ArcFace"), full=True)
        self.assertEqual(h.listed("s-a")["sync_version"], recorded)

    def test_ahead_of_the_hotel(self):
        h = self.h
        h.push_ok(h.people[0], self.a)
        for since in (h.version() + 1, h.version() + 100, 2 ** 63 - 1):
            with self.subTest(since=since):
                body = self.assert_sync(h.sync_ok(self.a, since), full=True)
                self.assertEqual((body["additions"], body["removals"]), ([], []))
                self.assertEqual(body["sync_version"], h.version())

    def test_device_state_updated(self):
        h = self.h
        h.push_ok(h.people[0], self.a)
        h.set_offline(self.a)
        self.assertEqual(h.listed("s-a")["status"], "offline")
        body = h.sync_ok(self.a, 0)
        d = h.listed("s-a")
        self.assertEqual(d["sync_version"], body["sync_version"])
        self.assertEqual(d["status"], "online")
        self.assertEqual(d["enrolled_count"], 1)

    def test_only_its_own_id(self):
        h = self.h
        other = IotHotel("sync2").make()
        o = other.device("s-o")
        fc.assert_error(h.sync(self.a, 0, device_id="s-b"), 404, "NOT_FOUND")
        fc.assert_error(h.sync(self.a, 0, device_id="s-o"), 404, "NOT_FOUND")
        fc.assert_error(h.sync(self.a, 0, device_id="s-none"), 404, "NOT_FOUND")
        fc.assert_error(h.sync(o, 0, device_id="s-a"), 404, "NOT_FOUND")
        # the version B had is untouched
        self.assertEqual(h.listed("s-b")["sync_version"], 0)

    def test_parameters(self):
        h = self.h
        key = self.a.key
        for label, path in (("since abc", q(SYNC, device_id="s-a", since_version="abc")),
                            ("since -1", q(SYNC, device_id="s-a", since_version="-1")),
                            ("since 1.5", q(SYNC, device_id="s-a", since_version="1.5")),
                            ("since huge", q(SYNC, device_id="s-a", since_version="9" * 30)),
                            ("since 2^63", q(SYNC, device_id="s-a", since_version=str(2 ** 63))),
                            ("since empty", q(SYNC, device_id="s-a", since_version=""))):
            with self.subTest(case=label):
                fc.assert_error(fc.get(path, api_key=key), 400, "VALIDATION_ERROR", field="since_version")
        fc.assert_error(fc.get(q(SYNC, device_id="s-a", since_version=0, model="m" * 65), api_key=key),
                        400, "VALIDATION_ERROR", field="model")
        r = fc.get(q(SYNC, since_version=0), api_key=key)
        self.assertIn(r.status, (400, 404), r)
        fc.assert_error(r, r.status, "VALIDATION_ERROR" if r.status == 400 else "NOT_FOUND")
        # without since_version: a full sync
        r = fc.get(q(SYNC, device_id="s-a"), api_key=key)
        if r.status == 200:
            self.assert_sync(r.json)
        else:
            fc.assert_error(r, 400, "VALIDATION_ERROR", field="since_version")

    def test_callers(self):
        h = self.h
        path = q(SYNC, device_id="s-a", since_version=0)
        for role in ("manager", "admin", "hr", "staff"):
            with self.subTest(role=role):
                fc.assert_error(fc.get(path, token=h.login(role)), 403, "FORBIDDEN")
        fc.assert_error(fc.get(path, api_key=h.kiosk), 403, "FORBIDDEN")
        fc.assert_error(fc.get(q(path, hotel=h.slug), api_key=fc.ADMIN_KEY), 403, "FORBIDDEN")
        fc.assert_error(fc.get(path), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.get(path, api_key="dev_1_" + "0" * 64), 401, "UNAUTHENTICATED")


class BigSync(IotCase):
    def test_many_profiles_streamed(self):
        n = 150
        h = IotHotel("syncbig", extra=n).make()
        # names that need escaping in JSON
        odd = h.people[0]
        row = [r for r in h.staff if r["id"] == odd][0]
        row = dict(row, first_name='Zoë "Q"', last_name="O'Brien \\ 東")
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": [row]}), 200)
        dev = h.device("big-1")
        faces = {}
        for sid in h.people:
            faces[sid] = h.register(sid)
        for sid in h.people:
            h.push_ok(sid, dev)
        body = self.assert_sync(h.sync_ok(dev, 0))
        adds = self.additions(body)
        self.assertEqual(len(adds), n)
        self.assertEqual(body["total_enrolled"], n)
        for sid in h.people:
            self.assert_floats(adds[emp(sid)], faces[sid])
        names = {a["user_id"]: a["display_name"] for a in body["additions"]}
        self.assertEqual(names[emp(odd)], 'Zoë "Q" O\'Brien \\ 東')
        self.assertEqual(body["sync_version"], h.version())
        # none of it is new since then
        again = self.assert_sync(h.sync_ok(dev, body["sync_version"]))
        self.assertEqual((again["additions"], again["removals"], again["total_enrolled"]), ([], [], n))
