"""Biometric data at rest (docs/operations.md, "Rotating the data key"):
an enrollment's thumbnail is sealed like the face data (no JPEG in the
database, each record naming its key) and still served as a data URL;
`faceclock rekey` re-seals one hotel under a new key while the old key is
configured, idempotently, without moving the face caches or the devices'
change log; a server with the old key dropped (and FACECLOCK_KEY_HASH_KEY
keeping the kiosk keys) still matches faces and serves thumbnails, one
with only the old key no longer can; a rotation without
FACECLOCK_KEY_HASH_KEY is refused. The hotel is re-sealed back under the
stack's key at the end, so the stack keeps reading it."""


import fc
from devices.iot import IotHotel, from_data_url
from fcgi.server import ServerTest

HEADER = "fc01"       # seal.h: SEAL_MAGIC0, SEAL_MAGIC1


def faceclock(args, **keys):
    """`faceclock <args>` against the stack's database with only the given
    FACECLOCK_* settings; the CompletedProcess."""
    return fc.faceclock(args, clean=True, **keys)


class Sealed(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.k1 = fc.ENV.get("FACECLOCK_DATA_KEY")
        if not cls.k1:
            raise AssertionError("no FACECLOCK_DATA_KEY in the stack's env")
        cls.k2 = "%064x" % fc._rng.getrandbits(256)
        cls.h = h = IotHotel("seal", extra=3).make()
        cls.enrolled = h.enroll(h.people[0])              # face data and a thumbnail
        cls.registered = h.register(h.people[1])           # face data only (kiosk)
        cls.kiosk = h.kiosk                                # keyed under the stack's key

    @classmethod
    def tearDownClass(cls):
        # back under the stack's key, whatever happened
        faceclock(["rekey", "--hotel", cls.h.slug], FACECLOCK_DATA_KEY=cls.k1,
                  FACECLOCK_DATA_KEY_OLD=cls.k2, FACECLOCK_KEY_HASH_KEY=cls.k1)

    def rows(self):
        """{(table, staff_id): hex of the stored record} of the hotel."""
        out = fc.psql("SELECT string_agg(t || E'\\t' || staff_id || E'\\t' || encode(v, 'hex'), E'\\n') FROM ("
                      "SELECT 'face' AS t, staff_id, descriptor_enc AS v FROM face_data WHERE hotel_id = %d "
                      "UNION ALL SELECT 'thumb', staff_id, thumbnail FROM enrollments WHERE hotel_id = %d "
                      "AND thumbnail IS NOT NULL) x" % (self.h.hotel_id, self.h.hotel_id))
        got = {}
        for line in out.splitlines():
            t, sid, v = line.split("\t")
            got[(t, int(sid))] = v
        return got

    def moved(self):
        """What a change of face data moves: the hotel's face_version and change log."""
        return fc.psql("SELECT h.face_version || '/' || (SELECT count(*) FROM face_changes c "
                       "WHERE c.hotel_id = h.id) FROM hotels h WHERE h.id = %d" % self.h.hotel_id)

    def scan(self, srv, desc):
        return srv.request("POST", self.h.att("face-clock-in/"), json={"descriptor": desc}, api_key=self.kiosk)

    def matched(self, r):
        body = r.json
        self.assertIn(r.status, (200, 201, 404), body)
        if r.status == 404:
            self.assertEqual(body.get("code"), "FACE_NOT_RECOGNIZED", body)
            return None
        return body.get("staff_id") or (body.get("staff") or {}).get("id")

    def thumbnail(self, srv):
        r = srv.request("GET", "/api/enrollment/%s?hotel=%s" % (self.h.code(self.h.people[0]), self.h.slug),
                        api_key=fc.ADMIN_KEY)
        self.assertEqual(r.status, 200, r.body)
        return r.json["thumbnail"]

    def test_rotation(self):
        h = self.h
        thumb = from_data_url(h.enrollment_ok(h.people[0])["thumbnail"])
        # sealed at rest: every record names its key, no JPEG in clear
        before = self.rows()
        self.assertEqual(set(before), {("face", h.people[0]), ("face", h.people[1]), ("thumb", h.people[0])})
        for k, v in before.items():
            self.assertTrue(v.startswith(HEADER), "%s not sealed with a key id: %s" % (k, v[:16]))
        self.assertNotIn("ffd8ff", before[("thumb", h.people[0])][:12])
        self.assertNotIn(thumb.hex(), before[("thumb", h.people[0])])
        self.assertEqual(len({v[:12] for v in before.values()}), 1, "one key id")
        self.assertEqual(thumb[:3], b"\xff\xd8\xff")

        # a rotation that would void every kiosk and device key is refused
        p = faceclock(["rekey", "--hotel", h.slug], FACECLOCK_DATA_KEY=self.k2, FACECLOCK_DATA_KEY_OLD=self.k1)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("FACECLOCK_KEY_HASH_KEY", p.stderr)
        self.assertEqual(self.rows(), before)

        # re-sealed under k2, online, moving nothing
        moved = self.moved()
        keys = dict(FACECLOCK_DATA_KEY=self.k2, FACECLOCK_DATA_KEY_OLD=self.k1, FACECLOCK_KEY_HASH_KEY=self.k1)
        p = faceclock(["rekey", "--hotel", h.slug], **keys)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("face_data: 2 re-sealed, 0 changed meanwhile, 0 opened under no key", p.stdout)
        self.assertIn("enrollments: 1 re-sealed, 0 changed meanwhile, 0 opened under no key", p.stdout)
        # the run is audited in the system's rows, by system:rekey
        ran = fc.assert_json(fc.admin("GET", "/api/action-audit-logs/?action=data.rekeyed&target=hotel:%s"
                                      % h.slug), 200)
        self.assertEqual(ran[0]["actor"], "system:rekey")
        self.assertEqual(ran[0]["new_value"]["face_data"], {"resealed": 2, "changed": 0, "unopened": 0})
        after = self.rows()
        self.assertEqual(set(after), set(before))
        for k, v in after.items():
            self.assertTrue(v.startswith(HEADER))
            self.assertNotEqual(v[:12], before[k][:12], "%s still under the old key" % (k,))
        self.assertEqual(len({v[:12] for v in after.values()}), 1)
        self.assertEqual(self.moved(), moved, "a re-seal moved the face caches or the devices' change log")
        # idempotent
        p = faceclock(["rekey", "--hotel", h.slug], **keys)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("face_data: 0 re-sealed", p.stdout)
        self.assertIn("enrollments: 0 re-sealed", p.stdout)
        self.assertEqual(self.rows(), after)

        # the old key dropped: faces match, the thumbnail decodes, kiosk keys still work
        srv = self.server("seal-new", settings={"FACECLOCK_DATA_KEY": self.k2,
                                                "FACECLOCK_KEY_HASH_KEY": self.k1})
        self.assertEqual(from_data_url(self.thumbnail(srv)), thumb)
        self.assertEqual(self.matched(self.scan(srv, self.registered)), h.people[1])
        self.assertEqual(self.matched(self.scan(srv, self.enrolled)), h.people[0])
        # under the old key alone the hotel's data no longer opens
        old = self.server("seal-old", settings={"FACECLOCK_DATA_KEY": self.k1})
        self.assertIsNone(self.thumbnail(old))
        self.assertIsNone(self.matched(self.scan(old, self.registered)))
