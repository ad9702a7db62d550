"""`faceclock purge` removes the expired rows of sign-in and only those:
sessions past their expiry (auth_tokens), login failures older than the
7 days a lockout remembers them (auth_failures), nonces of confirmation tokens past
their expiry (used_confirmation_tokens); live sessions keep working."""

import unittest

import fc


class PurgeExpired(unittest.TestCase):
    def test_only_expired_rows_go(self):
        h = fc.Hotel("purgex")
        h.create()
        token = h.login("manager")
        tag = h.slug
        uid = int(fc.psql("SELECT id FROM users WHERE username = %s" % fc.sql_str(h.users["staff"]["username"])))
        hid = int(fc.psql("SELECT id FROM hotels WHERE slug = %s" % fc.sql_str(h.slug)))
        n1, n2 = ("%032x" % fc._rng.getrandbits(128) for _ in range(2))
        fc.psql("INSERT INTO auth_tokens (token_hash, user_id, hotel_id, expires_at) VALUES "
                "(sha256(convert_to('%s-old', 'UTF8')), %d, %d, now() - interval '1 minute'), "
                "(sha256(convert_to('%s-live', 'UTF8')), %d, %d, now() + interval '1 hour'); "
                "INSERT INTO auth_failures (scope, key, at) VALUES "
                "('user', '%s-old', now() - interval '8 days'), ('user', '%s-live', now() - interval '25 hours'); "
                "INSERT INTO used_confirmation_tokens (nonce, hotel_id, expires_at) VALUES "
                "('%s', %d, now() - interval '1 second'), ('%s', %d, now() + interval '5 minutes')"
                % (tag, uid, hid, tag, uid, hid, tag, tag, n1, hid, n2, hid))

        def left():
            return fc.psql(
                "SELECT (SELECT string_agg(CASE WHEN token_hash = sha256(convert_to('%s-old', 'UTF8')) THEN 'old' "
                "ELSE 'live' END, ',' ORDER BY expires_at) FROM auth_tokens WHERE token_hash IN "
                "(sha256(convert_to('%s-old', 'UTF8')), sha256(convert_to('%s-live', 'UTF8')))) || ' ' || "
                "(SELECT string_agg(key, ',' ORDER BY at) FROM auth_failures WHERE key LIKE '%s-%%') || ' ' || "
                "(SELECT string_agg(CASE WHEN nonce = '%s' THEN 'old' ELSE 'live' END, ',' ORDER BY expires_at) "
                "FROM used_confirmation_tokens WHERE nonce IN ('%s', '%s'))"
                % (tag, tag, tag, tag, n1, n1, n2))

        self.assertEqual(left(), "old,live %s-old,%s-live old,live" % (tag, tag))
        p = fc.faceclock(["purge"], clean=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"expired: [1-9]\d* auth_tokens, [1-9]\d* auth_failures, "
                                   r"[1-9]\d* used_confirmation_tokens removed")
        self.assertEqual(left(), "live %s-live live" % tag)
        fc.assert_json(fc.get("/api/auth/me", token=token), 200)     # a live session stays
