"""The audit chain (sql/009_audit_chain.sql; since 012_action_audit.sql
one sequence per hotel across face and action rows) and `faceclock
audit-verify`: every writer's rows (the API's registrations and forced
clock-ins, rows the database owner inserts) chain per hotel with no gap,
also when many requests of one hotel write at once; each hash is
SHA-256(previous hash || canonical row), recomputed here in Python; verify
passes, then names the row a superuser edited (and the row after one
whose hash the editor recomputed), and passes again once the row is put
back. The audit CSV carries its hotel's head in X-Audit-Chain-Head."""

import concurrent.futures
import hashlib
import unittest

import fc
from attendance.att import AttHotel

ATT = "attendance/clock-logs/"


def chain(hotel_id):
    """[(id, chain_seq, hash hex, canonical text, table)] of a hotel's face
    and action rows, in chain order."""
    out = fc.psql("SELECT string_agg(id || E'\\t' || chain_seq || E'\\t' || encode(hash, 'hex') "
                  "|| E'\\t' || encode(convert_to(canon, 'UTF8'), 'hex') || E'\\t' || t, E'\\n' "
                  "ORDER BY chain_seq) FROM ("
                  "SELECT a.id, a.chain_seq, a.hash, fc_audit_canonical(a) AS canon, 'face_audit_log' AS t "
                  "FROM face_audit_log a WHERE a.hotel_id = %d UNION ALL "
                  "SELECT b.id, b.chain_seq, b.hash, fc_action_canonical(b), 'action_audit_log' "
                  "FROM action_audit_log b WHERE b.hotel_id = %d) u" % (hotel_id, hotel_id))
    rows = []
    for line in out.splitlines():
        i, seq, h, canon, t = line.split("\t")
        rows.append((int(i), int(seq), h, bytes.fromhex(canon), t))
    return rows


def faces(rows):
    """The positions in rows of face audit rows."""
    return [k for k, r in enumerate(rows) if r[4] == "face_audit_log"]


def superuser(sql):
    """sql as the cluster's superuser, past the append-only trigger."""
    return fc.psql("BEGIN; SET LOCAL session_replication_role = replica; %s; COMMIT;" % sql)


class Chain(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("chain", extra=12).make()
        cls.b = AttHotel("chainb", extra=2).make()
        for sid in h.people[:3]:
            h.register(sid)
        h.register(h.people[0])                                      # RE_REGISTERED
        fc.assert_json(fc.post(h.att("force-log/"), json={"staff_id": h.people[5], "reason": "x, \"y\" é"},
                               token=h.login("manager")), 201)       # FORCED_CLOCK_IN
        cls.b.register(cls.b.people[0])
        # many writers of one hotel at once: the chain must not fork
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            list(pool.map(h.register, h.people[6:12]))
        # the owner's own insert is chained too, whatever it says its hash is
        fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, reason, client_ip, chain_seq, hash) "
                "VALUES (%d, %d, 'REVOKED', NULL, '2001:db8::7', 1, '\\x00')" % (h.hotel_id, h.people[1]))

    def verify(self, *args):
        return fc.faceclock(["audit-verify"] + list(args))

    def assert_holds(self, slug):
        p = self.verify("--hotel", slug)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("%s: ok" % slug, p.stdout)
        return p.stdout

    def test_chain_links_every_row(self):
        for hotel in (self.h, self.b):
            rows = chain(hotel.hotel_id)
            n = int(fc.psql("SELECT (SELECT count(*) FROM face_audit_log WHERE hotel_id = %d) + "
                            "(SELECT count(*) FROM action_audit_log WHERE hotel_id = %d)"
                            % (hotel.hotel_id, hotel.hotel_id)))
            self.assertEqual([r[1] for r in rows], list(range(1, n + 1)))
            prev = b""
            for i, seq, h, canon, _ in rows:
                with self.subTest(hotel=hotel.slug, id=i):
                    self.assertEqual(h, hashlib.sha256(prev + canon).hexdigest())
                prev = bytes.fromhex(h)
        self.assertEqual(len(faces(chain(self.h.hotel_id))), 12)
        self.assertEqual(len(faces(chain(self.b.hotel_id))), 1)

    def test_csv_carries_the_head(self):
        for hotel in (self.h, self.b):
            rows = chain(hotel.hotel_id)
            for q in ("?format=csv", "?format=csv&action=REVOKED", "?format=csv&from=2000-01-01&to=2000-01-02"):
                with self.subTest(hotel=hotel.slug, q=q):
                    r = fc.get(hotel.att("face-audit-logs/" + q), api_key=fc.ADMIN_KEY)
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(r.header("X-Audit-Chain-Head"), "%d %s" % (rows[-1][1], rows[-1][2]))
            # the JSON pages do not carry it
            self.assertIsNone(fc.get(hotel.att("face-audit-logs/"), api_key=fc.ADMIN_KEY).header("X-Audit-Chain-Head"))
        # a hotel without face audit rows: the head is its last action row (its PMS sync's)
        e = AttHotel("chaine", extra=1).make()
        r = fc.get(e.att("face-audit-logs/?format=csv"), api_key=fc.ADMIN_KEY)
        self.assertEqual(r.status, 200, r)
        rows = chain(e.hotel_id)
        self.assertEqual(faces(rows), [])
        self.assertEqual(r.header("X-Audit-Chain-Head"), "%d %s" % (rows[-1][1], rows[-1][2]))

    def test_verify_names_the_edited_row(self):
        h = self.h
        out = self.assert_holds(h.slug)
        rows = chain(h.hotel_id)
        self.assertIn("%d rows, head chain_seq %d hash %s" % (len(rows), len(rows), rows[-1][2]), out)
        k = faces(rows)[4]
        victim, after = rows[k][0], rows[k + 1]
        reason = fc.psql("SELECT coalesce(reason, '<null>') FROM face_audit_log WHERE id = %d" % victim)
        restore = "UPDATE face_audit_log SET reason = %s WHERE id = %d" % (
            "NULL" if reason == "<null>" else fc.sql_str(reason), victim)
        superuser("UPDATE face_audit_log SET reason = 'tampered' WHERE id = %d" % victim)
        try:
            p = self.verify("--hotel", h.slug)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("BROKEN at face_audit_log id %d (chain_seq %d)" % (victim, k + 1), p.stdout)
            # every hotel: this one broken, the others still hold
            p = self.verify()
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("%s: BROKEN at face_audit_log id %d " % (h.slug, victim), p.stdout)
            self.assertIn("%s: ok" % self.b.slug, p.stdout)
            # the editor recomputes the row's hash: the next row names it
            superuser("UPDATE face_audit_log a SET hash = sha256(%s || convert_to(fc_audit_canonical(a), 'UTF8')) "
                      "WHERE id = %d" % ("'\\x%s'::bytea" % rows[k - 1][2], victim))
            p = self.verify("--hotel", h.slug)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("BROKEN at %s id %d (chain_seq %d)" % (after[4], after[0], k + 2), p.stdout)
        finally:
            superuser(restore + "; UPDATE face_audit_log SET hash = '\\x%s' WHERE id = %d" % (rows[k][2], victim))
        self.assert_holds(h.slug)

    def test_verify_names_the_row_after_a_removed_one(self):
        b = AttHotel("chaind", extra=3).make()
        for sid in b.people:
            b.register(sid)
        rows = chain(b.hotel_id)
        k = faces(rows)[1]
        saved = fc.psql("SELECT row_to_json(a) FROM face_audit_log a WHERE id = %d" % rows[k][0])
        superuser("DELETE FROM face_audit_log WHERE id = %d" % rows[k][0])
        p = self.verify("--hotel", b.slug)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("BROKEN at %s id %d (chain_seq %d)" % (rows[k + 1][4], rows[k + 1][0], k + 2), p.stdout)
        # put back as it was (no trigger runs for the superuser here): the chain holds again
        superuser("INSERT INTO face_audit_log SELECT * FROM json_populate_record(NULL::face_audit_log, %s)"
                  % fc.sql_str(saved))
        self.assert_holds(b.slug)

    def test_usage_and_unknown_hotel(self):
        p = self.verify("--hotel")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        p = self.verify("--hotel", "no-such-hotel-zz")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("no hotel no-such-hotel-zz", p.stderr)


if __name__ == "__main__":
    unittest.main()
