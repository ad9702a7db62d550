"""Identity: login (answer shape, cookie, wrong credentials alike for unknown
user and wrong password, missing fields, inactive staff, per-user rate
limit, counted per address so a stranger cannot lock a user out, and
growing with repeated failures, a cheaper password hash re-hashed at
today's scrypt cost), /api/auth/me by bearer and by cookie, logout revoking the token,
expired and garbage tokens, and a wrong X-API-Key."""

import hashlib
import os
import re
import time
import unittest

import fc

USER_KEYS = {"id", "username", "role", "hotel", "staff_id"}


def parse_set_cookie(value):
    parts = [p.strip() for p in value.split(";")]
    name, _, val = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip()
    return name.strip(), val, attrs


class Login(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = h = fc.Hotel("auth")
        cls.rl = h.add_user("ratelim")
        cls.victim = h.add_user("victim")
        cls.grows = h.add_user("grows")
        cls.cheap = h.add_user("cheap")
        cls.other = h.add_user("other")
        cls.timing = h.add_user("timing")
        cls.expiring = h.add_user("expiring", role="manager")
        cls.logout_user = h.add_user("logout", role="hr")
        h.create()

    def check_user(self, user, role_key, role):
        u = self.h.users[role_key]
        self.assertEqual(set(user), USER_KEYS, user)
        self.assertIsInstance(user["id"], int)
        self.assertEqual(user["username"], u["username"])
        self.assertEqual(user["role"], role)
        self.assertEqual(user["hotel"], self.h.slug)
        self.assertEqual(user["staff_id"], u["staff_id"])

    def test_login_answer_and_cookie(self):
        u = self.h.users["manager"]
        r = fc.login(u["username"], u["password"])
        body = fc.assert_json(r, 200)
        self.assertEqual(set(body), {"token", "expires_at", "user"}, body)
        self.assertIsInstance(body["token"], str)
        self.assertGreaterEqual(len(body["token"]), 22, "token shorter than 128 bits of base64")
        exp = fc.parse_ts(body["expires_at"])
        self.assertGreater(exp, time.time() + 60)
        self.check_user(body["user"], "manager", "manager")

        cookies = [parse_set_cookie(v) for v in r.header_all("Set-Cookie")]
        fct = [c for c in cookies if c[0] == "fc_token"]
        self.assertEqual(len(fct), 1, r.header_all("Set-Cookie"))
        _, val, attrs = fct[0]
        self.assertEqual(val, body["token"])
        self.assertIn("httponly", attrs)
        self.assertEqual(attrs.get("samesite", "").lower(), "strict")
        self.assertTrue(attrs.get("path", "").startswith("/"), attrs)

    def test_two_logins_give_different_tokens(self):
        u = self.h.users["staff"]
        a = fc.login_ok(u["username"], u["password"])["token"]
        b = fc.login_ok(u["username"], u["password"])["token"]
        self.assertNotEqual(a, b)
        fc.assert_json(fc.get("/api/auth/me", token=a), 200)
        fc.assert_json(fc.get("/api/auth/me", token=b), 200)

    def test_wrong_password_and_unknown_user_alike(self):
        u = self.h.users["staff"]
        wrong = fc.login(u["username"], u["password"] + "x")
        unknown = fc.login("nobody-" + self.h.slug, u["password"])
        a = fc.assert_error(wrong, 401, "INVALID_CREDENTIALS")
        b = fc.assert_error(unknown, 401, "INVALID_CREDENTIALS")
        self.assertEqual(a, b)
        self.assertEqual(wrong.body, unknown.body)
        self.assertEqual(wrong.header_all("Set-Cookie"), [])

    def test_unknown_user_costs_like_wrong_password(self):
        # the contract asks for the same timing; a server that skips the
        # slow hash for unknown users answers them many times faster
        u = self.timing
        wrong, unknown = [], []
        for _ in range(2):
            r = fc.login(u["username"], "not-the-password")
            fc.assert_error(r, 401, "INVALID_CREDENTIALS")
            wrong.append(r.elapsed)
            r = fc.login("ghost-%s" % self.h.slug, "not-the-password")
            fc.assert_error(r, 401, "INVALID_CREDENTIALS")
            unknown.append(r.elapsed)
        if min(wrong) > 0.02:
            self.assertGreater(min(unknown), 0.3 * min(wrong),
                               "unknown user %.3fs vs wrong password %.3fs" % (min(unknown), min(wrong)))

    def test_missing_or_bad_fields(self):
        u = self.h.users["staff"]
        cases = [({}, "username"), ({"password": "x"}, "username"),
                 ({"username": u["username"]}, "password"),
                 ({"username": 12, "password": "x"}, "username"),
                 ({"username": u["username"], "password": None}, "password")]
        for body, field in cases:
            with self.subTest(body=body):
                fc.assert_error(fc.post("/api/auth/login", json=body), 400, "VALIDATION_ERROR", field=field)

    def test_inactive_staff_cannot_log_in(self):
        i = self.h.inactive
        r = fc.login(i["username"], i["password"])
        fc.assert_error(r, 401, "INVALID_CREDENTIALS")

    def test_rate_limit_per_username(self):
        u = self.rl
        for i in range(5):
            with self.subTest(attempt=i + 1):
                fc.assert_error(fc.login(u["username"], "wrong-%d" % i), 401, "INVALID_CREDENTIALS")
        # now even the right password is refused
        fc.assert_error(fc.login(u["username"], u["password"]), 429, "RATE_LIMITED")
        fc.assert_error(fc.login(u["username"], "wrong-again"), 429, "RATE_LIMITED")
        # another user of the same hotel (same client address) is not affected
        fc.login_ok(self.other["username"], self.other["password"])

    def source(self):
        src = fc.fresh_source()
        if src is None:
            self.skipTest("cannot send from a second loopback address")
        return src

    def test_flood_from_one_address_does_not_lock_out_another(self):
        u, attacker = self.victim, self.source()
        for i in range(8):
            r = fc.login(u["username"], "guess-%d" % i, source=attacker)
            if i < 5:
                fc.assert_error(r, 401, "INVALID_CREDENTIALS")
            else:
                fc.assert_error(r, 429, "RATE_LIMITED")
        # the attacker's address is locked out even with the right password
        fc.assert_error(fc.login(u["username"], u["password"], source=attacker), 429, "RATE_LIMITED")
        # the user, from elsewhere, is not
        tok = fc.login_ok(u["username"], u["password"])["token"]
        fc.assert_json(fc.get("/api/auth/me", token=tok), 200)
        # and their success does not lift the attacker's lock
        fc.assert_error(fc.login(u["username"], u["password"], source=attacker), 429, "RATE_LIMITED")

    def age_failures(self, username, src, secs):
        """Move the user name's failed logins from src secs into the past,
        as if that much time had gone by."""
        fc.psql("UPDATE auth_failures SET at = at - make_interval(secs => %d) WHERE scope = 'user' "
                "AND key = lower(%s) AND addr = %s" % (secs, fc.sql_str(username), fc.sql_str(src)))

    def test_lockout_doubles_with_repeated_failures(self):
        u, src = self.grows, self.source()
        for i in range(5):
            fc.assert_error(fc.login(u["username"], "guess-%d" % i, source=src), 401, "INVALID_CREDENTIALS")
        r = fc.login(u["username"], u["password"], source=src)
        fc.assert_error(r, 429, "RATE_LIMITED")
        first = int(r.header("Retry-After"))
        self.assertGreater(first, 0)
        want = first
        for round_ in range(3):
            with self.subTest(round=round_):
                # the lock is over: one more try, which fails ...
                self.age_failures(u["username"], src, want + 1)
                fc.assert_error(fc.login(u["username"], "again-%d" % round_, source=src), 401,
                                "INVALID_CREDENTIALS")
                # ... and locks the name out of this address twice as long
                want *= 2
                r = fc.login(u["username"], u["password"], source=src)
                fc.assert_error(r, 429, "RATE_LIMITED")
                self.assertAlmostEqual(int(r.header("Retry-After")), want, delta=2)
        # a right password once the lock is over clears the count
        self.age_failures(u["username"], src, want + 1)
        fc.assert_json(fc.login(u["username"], u["password"], source=src), 200)
        fc.assert_error(fc.login(u["username"], "after", source=src), 401, "INVALID_CREDENTIALS")
        fc.assert_json(fc.login(u["username"], u["password"], source=src), 200)

    def test_cheap_hash_rehashed_at_todays_cost_on_login(self):
        u = self.cheap
        salt = os.urandom(16)
        dk = hashlib.scrypt(u["password"].encode(), salt=salt, n=1 << 10, r=8, p=1, dklen=32)
        where = "lower(username) = lower(%s)" % fc.sql_str(u["username"])
        fc.psql("UPDATE users SET password_hash = '$scrypt$ln=10,r=8,p=1$%s$%s' WHERE %s"
                % (salt.hex(), dk.hex(), where))
        fc.assert_error(fc.login(u["username"], "not-" + u["password"]), 401, "INVALID_CREDENTIALS")
        self.assertIn("ln=10,", fc.psql("SELECT password_hash FROM users WHERE " + where))
        fc.login_ok(u["username"], u["password"])
        stored, mark = fc.psql("SELECT password_hash, pms_password_mark IS NULL FROM users WHERE "
                               + where).split("|")
        cost = int(re.match(r"\$scrypt\$ln=(\d+),r=8,p=1\$", stored).group(1))
        self.assertEqual(cost, int(os.environ.get("FACECLOCK_SCRYPT_LOG_N", "17")), stored)
        self.assertEqual(mark, "t")
        # the new hash holds the same password, and is not re-hashed again
        fc.login_ok(u["username"], u["password"])
        self.assertEqual(fc.psql("SELECT password_hash FROM users WHERE " + where), stored)

    def test_rate_limit_per_address(self):
        # failures for many different user names from one address end in
        # 429 for that address (even for a right password), not for others;
        # paced under nginx's own per-address rate so the app is what answers
        src = fc.fresh_source()
        if src is None:
            self.skipTest("cannot send from a second loopback address")
        limited_after = None
        next_start = time.monotonic()
        for i in range(150):
            time.sleep(max(0.0, next_start - time.monotonic()))
            next_start = time.monotonic() + 0.11
            r = fc.login("nobody-%d-%s" % (i, self.h.slug), "wrong", source=src)
            if r.status == 429:
                fc.assert_error(r, 429, "RATE_LIMITED")
                limited_after = i
                break
            fc.assert_error(r, 401, "INVALID_CREDENTIALS")
        self.assertIsNotNone(limited_after, "150 failed logins from one address were never limited")
        self.assertGreaterEqual(limited_after, 5, "address limited before the per-user threshold")
        u = self.h.users["staff"]
        fc.assert_error(fc.login(u["username"], u["password"], source=src), 429, "RATE_LIMITED")
        fc.login_ok(u["username"], u["password"])

    def test_me_by_bearer(self):
        tok = self.h.login("hr")
        body = fc.assert_json(fc.get("/api/auth/me", token=tok), 200)
        self.assertEqual(set(body), {"user", "expires_at"}, body)
        self.check_user(body["user"], "hr", "hr")
        fc.parse_ts(body["expires_at"])

    def test_me_by_cookie(self):
        tok = self.h.login("admin")
        for cookie in ("fc_token=" + tok, "theme=dark; fc_token=%s; lang=en" % tok):
            with self.subTest(cookie=cookie[:20]):
                body = fc.assert_json(fc.get("/api/auth/me", cookie=cookie), 200)
                self.check_user(body["user"], "admin", "admin")

    def test_no_or_garbage_credentials(self):
        cases = [
            {},
            {"token": "garbage"},
            {"token": ""},
            {"token": "x" * 64},
            {"headers": {"Authorization": "Basic Zm9vOmJhcg=="}},
            {"cookie": "fc_token=garbage"},
            {"api_key": "not-the-admin-key"},
            {"api_key": fc.ADMIN_KEY + "x"},
        ]
        for kw in cases:
            with self.subTest(kw=kw):
                fc.assert_error(fc.get("/api/auth/me", **kw), 401, "UNAUTHENTICATED")

    def test_wrong_api_key_on_hotel_route(self):
        for key in ("wrong", fc.ADMIN_KEY[:-1] if fc.ADMIN_KEY else "x", "kiosk_1_" + "0" * 64):
            with self.subTest(key=key[:10]):
                fc.assert_error(fc.get(self.h.path("kiosks/"), api_key=key), 401, "UNAUTHENTICATED")

    def test_logout_revokes_token(self):
        u = self.logout_user
        tok = fc.login_ok(u["username"], u["password"])["token"]
        keep = fc.login_ok(u["username"], u["password"])["token"]
        r = fc.post("/api/auth/logout", token=tok)
        body = fc.assert_json(r, 200)
        self.assertIsInstance(body.get("message"), str)
        fc.assert_error(fc.get("/api/auth/me", token=tok), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.get("/api/auth/me", cookie="fc_token=" + tok), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.post("/api/auth/logout", token=tok), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.get(self.h.path("staff/"), token=tok), 401, "UNAUTHENTICATED")
        # only that token: the user's other session goes on
        fc.assert_json(fc.get("/api/auth/me", token=keep), 200)

    def test_logout_by_cookie(self):
        u = self.logout_user
        r = fc.login(u["username"], u["password"])
        tok = fc.assert_json(r, 200)["token"]
        # a write with the cookie carries the session's CSRF token (fcgi/test_csrf.py)
        fc.assert_json(fc.post("/api/auth/logout", cookie="fc_token=" + tok,
                               headers={"X-CSRF-Token": r.header("X-CSRF-Token")}), 200)
        fc.assert_error(fc.get("/api/auth/me", token=tok), 401, "UNAUTHENTICATED")

    def test_expired_token(self):
        u = self.expiring
        tok = fc.login_ok(u["username"], u["password"])["token"]
        fc.assert_json(fc.get(self.h.path("staff/"), token=tok), 200)
        digest = hashlib.sha256(tok.encode()).hexdigest()
        n = fc.psql("WITH u AS (UPDATE auth_tokens SET expires_at = now() - interval '1 minute' "
                    "WHERE token_hash = '\\x%s'::bytea RETURNING 1) SELECT count(*) FROM u" % digest)
        self.assertEqual(n, "1", "token row not found by sha256(token) in auth_tokens")
        fc.assert_error(fc.get("/api/auth/me", token=tok), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.get(self.h.path("staff/"), token=tok), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.get("/api/auth/me", cookie="fc_token=" + tok), 401, "UNAUTHENTICATED")
