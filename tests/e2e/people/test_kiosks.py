"""Kiosk keys: create (201 with a one-time api_key), list (no secrets, paging
with X-Total-Count and Link rel="next"), revoke (200 with revoked_at, the
key then refused with 401), validation, another hotel's kiosk, and GET
/api/auth/me with a kiosk key (which kiosk of which hotel: how the kiosk
page checks a key). KeyHashes: how keys are stored (a keyed hash, not
scrypt), a wrong key for an existing kiosk refused, and a key made before
keyed hashes (scrypt) accepted once and re-hashed. KioskCache: a
worker keeps the kiosks it identified for their scans
(handlers/app/identity_store.c), yet a revoked or re-keyed kiosk is refused
401 on its very next scan. Who may call the kiosk routes:
app/test_access.py."""

import hashlib
import os
import time
import unittest

import fc

LIST_KEYS = {"id", "name", "created_at", "revoked_at"}


class Kiosks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("kiosk")
        cls.h.create()
        cls.other = fc.Hotel("kiosk-b")
        cls.other.create()
        cls.base = cls.h.path("kiosks/")

    def list_all(self, hotel=None):
        hotel = hotel or self.h
        return fc.assert_json(fc.admin("GET", hotel.path("kiosks/?limit=1000")), 200)

    def test_create_by_sysadmin_manager_admin(self):
        callers = {"sysadmin": {"api_key": fc.ADMIN_KEY},
                   "manager": {"token": self.h.login("manager")},
                   "admin": {"token": self.h.login("admin")}}
        for who, cred in callers.items():
            with self.subTest(caller=who):
                r = fc.post(self.base, json={"name": "Kiosk by " + who}, **cred)
                body = fc.assert_json(r, 201)
                self.assertLessEqual({"id", "name", "api_key"}, set(body), body)
                self.assertFalse([k for k in body if "hash" in k], body)
                self.assertIsInstance(body["id"], int)
                self.assertEqual(body["name"], "Kiosk by " + who)
                self.assertIsInstance(body["api_key"], str)
                self.assertGreaterEqual(len(body["api_key"]), 32)
                listed = [k for k in self.list_all() if k["id"] == body["id"]]
                self.assertEqual(len(listed), 1)
                self.assertEqual(listed[0]["name"], body["name"])

    def test_list_shape_without_secrets(self):
        k = self.h.new_kiosk("Shape kiosk")
        r = fc.admin("GET", self.base)
        rows = fc.assert_json(r, 200)
        self.assertIsInstance(rows, list)
        for row in rows:
            self.assertEqual(set(row), LIST_KEYS, row)
            fc.parse_ts(row["created_at"])
        mine = [row for row in rows if row["id"] == k["id"]][0]
        self.assertIsNone(mine["revoked_at"])
        self.assertNotIn(k["api_key"], r.text)
        secret_part = k["api_key"].split("_")[-1]
        self.assertNotIn(secret_part, r.text)
        self.assertEqual(r.header("X-Total-Count"), str(len(rows)))

    def test_paging(self):
        h = fc.Hotel("kpage")
        h.create()
        made = {h.new_kiosk("K%d" % i)["id"] for i in range(5)}
        r = fc.admin("GET", h.path("kiosks/?limit=2"))
        page = fc.assert_json(r, 200)
        self.assertEqual(len(page), 2)
        self.assertEqual(r.header("X-Total-Count"), "5")
        seen = [k["id"] for k in page]
        nxt = fc.link_next(r)
        pages = 1
        while nxt:
            self.assertLess(pages, 10, "Link rel=next never ends")
            r = fc.admin("GET", nxt)
            page = fc.assert_json(r, 200)
            self.assertEqual(r.header("X-Total-Count"), "5")
            self.assertLessEqual(len(page), 2)
            seen += [k["id"] for k in page]
            nxt = fc.link_next(r)
            pages += 1
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), sorted(made), "pages overlap or miss rows")
        # default page holds them all, no next link
        r = fc.admin("GET", h.path("kiosks/"))
        self.assertEqual(len(fc.assert_json(r, 200)), 5)
        self.assertIsNone(fc.link_next(r))
        r = fc.admin("GET", h.path("kiosks/?limit=5"))
        self.assertEqual(len(fc.assert_json(r, 200)), 5)
        self.assertIsNone(fc.link_next(r))

    def test_bad_limit(self):
        for q in ("limit=abc", "limit=1x"):
            with self.subTest(q=q):
                fc.assert_error(fc.admin("GET", self.base + "?" + q), 400, "VALIDATION_ERROR", field="limit")
        for q in ("limit=-1", "limit=0"):
            with self.subTest(q=q):
                r = fc.admin("GET", self.base + "?" + q)
                if r.status == 400:
                    fc.assert_error(r, 400, "VALIDATION_ERROR", field="limit")
                else:
                    self.assertIsInstance(fc.assert_json(r, 200), list)

    def test_limit_above_max_is_bounded(self):
        r = fc.admin("GET", self.base + "?limit=5000")
        if r.status == 400:
            fc.assert_error(r, 400, "VALIDATION_ERROR", field="limit")
        else:
            self.assertLessEqual(len(fc.assert_json(r, 200)), 1000)

    def test_create_validation(self):
        for body, field in (({}, "name"), ({"name": ""}, "name"), ({"name": 5}, "name"),
                            ({"name": None}, "name")):
            with self.subTest(body=body):
                fc.assert_error(fc.admin("POST", self.base, json=body), 400, "VALIDATION_ERROR", field=field)

    def test_revoke(self):
        k = self.h.new_kiosk("Doomed kiosk")
        t0 = time.time()
        fc.assert_error(fc.get(self.base, api_key=k["api_key"]), 403, "FORBIDDEN")
        r = fc.admin("DELETE", self.h.path("kiosks/%d/" % k["id"]))
        body = fc.assert_json(r, 200)
        self.assertEqual(set(body), LIST_KEYS, body)
        self.assertEqual(body["id"], k["id"])
        self.assertEqual(body["name"], "Doomed kiosk")
        self.assertIsNotNone(body["revoked_at"])
        self.assertLess(abs(fc.parse_ts(body["revoked_at"]) - t0), 300)
        # the key is dead now: credentials invalid, not merely not allowed
        fc.assert_error(fc.get(self.base, api_key=k["api_key"]), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.get("/api/auth/me", api_key=k["api_key"]), 401, "UNAUTHENTICATED")
        listed = [x for x in self.list_all() if x["id"] == k["id"]][0]
        self.assertEqual(listed["revoked_at"], body["revoked_at"])

    def test_me_as_kiosk(self):
        k = self.h.new_kiosk("Front door kiosk")
        for path in ("/api/auth/me", "/api/auth/me/"):
            with self.subTest(path=path):
                body = fc.assert_json(fc.get(path, api_key=k["api_key"]), 200)
                self.assertEqual(body, {"kind": "kiosk", "kiosk_id": k["id"], "name": "Front door kiosk",
                                        "hotel": self.h.slug, "hotel_name": self.h.name})
        # another hotel's kiosk learns its own hotel
        ko = self.other.new_kiosk("Other kiosk")
        self.assertEqual(fc.assert_json(fc.get("/api/auth/me", api_key=ko["api_key"]), 200)["hotel"],
                         self.other.slug)
        # a key that is not quite right, or revoked, is not a kiosk
        fc.assert_error(fc.get("/api/auth/me", api_key=k["api_key"][:-1] + ("0" if k["api_key"][-1] != "0" else "1")),
                        401, "UNAUTHENTICATED")
        fc.assert_json(fc.admin("DELETE", self.h.path("kiosks/%d/" % k["id"])), 200)
        fc.assert_error(fc.get("/api/auth/me", api_key=k["api_key"]), 401, "UNAUTHENTICATED")
        # users keep their answer: no "kind"
        me = fc.assert_json(fc.get("/api/auth/me", token=self.h.login("manager")), 200)
        self.assertEqual(set(me), {"user", "expires_at"})
        fc.assert_error(fc.post("/api/auth/me", api_key=ko["api_key"]), 405, "METHOD_NOT_ALLOWED")

    def test_revoke_without_slash_by_manager(self):
        k = self.h.new_kiosk("Manager revokes")
        r = fc.delete(self.h.path("kiosks/%d" % k["id"]), token=self.h.login("manager"))
        self.assertIsNotNone(fc.assert_json(r, 200)["revoked_at"])

    def test_revoke_unknown_or_foreign(self):
        fc.assert_error(fc.admin("DELETE", self.h.path("kiosks/999999999/")), 404, "NOT_FOUND")
        theirs = self.other.new_kiosk("Other hotel kiosk")
        # through this hotel's path, even as sysadmin: 404, and it stays alive
        fc.assert_error(fc.admin("DELETE", self.h.path("kiosks/%d/" % theirs["id"])), 404, "NOT_FOUND")
        fc.assert_error(fc.delete(self.h.path("kiosks/%d/" % theirs["id"]), token=self.h.login("manager")),
                        404, "NOT_FOUND")
        fc.assert_error(fc.delete(self.other.path("kiosks/%d/" % theirs["id"]), token=self.h.login("manager")),
                        404, "NOT_FOUND")
        alive = [x for x in self.list_all(self.other) if x["id"] == theirs["id"]][0]
        self.assertIsNone(alive["revoked_at"])
        fc.assert_error(fc.get(self.other.path("kiosks/"), api_key=theirs["api_key"]), 403, "FORBIDDEN")

    def test_list_is_per_hotel(self):
        mine = self.h.new_kiosk("Mine")
        theirs = self.other.new_kiosk("Theirs")
        ids = {k["id"] for k in self.list_all()}
        self.assertIn(mine["id"], ids)
        self.assertNotIn(theirs["id"], ids)


KEYED = "$hmac-sha256$"


def scrypt_hash(secret, log_n=10):
    """The scrypt hash string fcgi/crypto.c made for keys before keyed hashes."""
    salt = os.urandom(16)
    dk = hashlib.scrypt(secret.encode(), salt=salt, n=1 << log_n, r=8, p=1, dklen=32)
    return "$scrypt$ln=%d,r=8,p=1$%s$%s" % (log_n, salt.hex(), dk.hex())


class KeyHashes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("keyhash")
        cls.h.create()

    def stored(self, kiosk_id):
        return fc.psql("SELECT key_hash FROM kiosks WHERE id = %d" % kiosk_id)

    def me(self, key):
        return fc.get("/api/auth/me", api_key=key)

    def test_new_key_is_stored_as_a_keyed_hash(self):
        k = self.h.new_kiosk("Keyed")
        stored = self.stored(k["id"])
        self.assertTrue(stored.startswith(KEYED), stored)
        self.assertEqual(len(stored), len(KEYED) + 64)
        self.assertNotIn(k["api_key"].split("_")[-1], stored)
        self.assertEqual(fc.assert_json(self.me(k["api_key"]), 200)["kiosk_id"], k["id"])

    def test_wrong_key_for_an_existing_id_is_refused(self):
        k = self.h.new_kiosk("Guessed")
        for n in range(5):
            wrong = "kio_%d_%s" % (k["id"], os.urandom(32).hex())
            fc.assert_error(self.me(wrong), 401, "UNAUTHENTICATED")
        fc.assert_json(self.me(k["api_key"]), 200)
        self.assertTrue(self.stored(k["id"]).startswith(KEYED))

    def test_scrypt_key_works_and_is_rehashed_once(self):
        k = self.h.new_kiosk("Legacy")
        legacy = scrypt_hash(k["api_key"])
        fc.psql("UPDATE kiosks SET key_hash = %s WHERE id = %d" % (fc.sql_str(legacy), k["id"]))
        # a wrong key leaves the old hash as it was
        wrong = "kio_%d_%s" % (k["id"], os.urandom(32).hex())
        fc.assert_error(self.me(wrong), 401, "UNAUTHENTICATED")
        self.assertEqual(self.stored(k["id"]), legacy)
        # the right one is accepted (the scrypt budget may be spent for this
        # second in that worker: a kiosk retries) and then stored keyed
        ok = fc.wait_for(lambda: self.me(k["api_key"]).status == 200, 5.0, 0.3)
        self.assertTrue(ok, "the legacy key was never accepted")
        stored = self.stored(k["id"])
        self.assertTrue(stored.startswith(KEYED), stored)
        fc.assert_json(self.me(k["api_key"]), 200)
        fc.assert_error(self.me(wrong), 401, "UNAUTHENTICATED")


class KioskCache(unittest.TestCase):
    """The scan takes a kiosk from the worker's cache and confirms it in its
    first statement: after a revoke, or a new key stored under the same
    kiosk id, the next scans are refused at once. Each kiosk first scans
    WARM times so that every worker of the test stack (2) has it cached;
    face attendance is off, so an accepted scan answers 403
    FACE_DISABLED_FOR_HOTEL and writes nothing."""
    WARM = 12

    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("kcache")
        cls.h.create()
        r = fc.admin("PATCH", cls.h.path("attendance/settings/"), json={"face_attendance_enabled": False})
        fc.assert_json(r, 200)

    def scan(self, key):
        return fc.post(self.h.path("attendance/clock-logs/face-clock-in/"), json={"descriptor": [0.01] * 128},
                       api_key=key)

    def warm(self, key):
        for _ in range(self.WARM):
            fc.assert_error(self.scan(key), 403, "FACE_DISABLED_FOR_HOTEL")

    def test_revoked_kiosk_refused_at_once(self):
        k = self.h.new_kiosk("Cached then revoked")
        self.warm(k["api_key"])
        fc.assert_json(fc.admin("DELETE", self.h.path("kiosks/%d/" % k["id"])), 200)
        for _ in range(self.WARM):
            fc.assert_error(self.scan(k["api_key"]), 401, "UNAUTHENTICATED")

    def test_rekeyed_kiosk_refused_at_once(self):
        k, other = self.h.new_kiosk("Cached then re-keyed"), self.h.new_kiosk("Source of a new hash")
        self.warm(k["api_key"])
        # the kiosk's row gets another key's hash: the old key is dead
        fc.psql("UPDATE kiosks SET key_hash = (SELECT key_hash FROM kiosks WHERE id = %d) WHERE id = %d"
                % (other["id"], k["id"]))
        for _ in range(self.WARM):
            fc.assert_error(self.scan(k["api_key"]), 401, "UNAUTHENTICATED")

    def test_revoked_kiosk_gets_no_replay(self):
        """A repeated Idempotency-Key is answered from the kept answer
        without the scan's own read: the cached kiosk is confirmed first."""
        k = self.h.new_kiosk("Cached, keyed, revoked")
        self.warm(k["api_key"])
        key = {"Idempotency-Key": "cache-%s" % os.urandom(8).hex()}
        body = {"descriptor": [0.01] * 128}
        path = self.h.path("attendance/clock-logs/face-clock-in/")
        fc.assert_error(fc.post(path, json=body, api_key=k["api_key"], headers=key), 403, "FACE_DISABLED_FOR_HOTEL")
        r = fc.post(path, json=body, api_key=k["api_key"], headers=key)
        fc.assert_error(r, 403, "FACE_DISABLED_FOR_HOTEL")
        self.assertEqual(r.header("Idempotent-Replayed"), "true")
        fc.assert_json(fc.admin("DELETE", self.h.path("kiosks/%d/" % k["id"])), 200)
        for _ in range(self.WARM):
            fc.assert_error(fc.post(path, json=body, api_key=k["api_key"], headers=key), 401, "UNAUTHENTICATED")

    def test_wrong_key_for_a_cached_kiosk_is_refused(self):
        k = self.h.new_kiosk("Cached, guessed")
        self.warm(k["api_key"])
        for _ in range(4):
            wrong = "kio_%d_%s" % (k["id"], os.urandom(32).hex())
            fc.assert_error(self.scan(wrong), 401, "UNAUTHENTICATED")
        fc.assert_error(self.scan(k["api_key"]), 403, "FACE_DISABLED_FOR_HOTEL")
