"""The face audit page's body, written row by row (issue 15;
docs/operations.md, "The audit page at 1 M rows"): a page's JSON is
written as text by db_row_text (fcgi/db.h) instead of an object per row,
and the body must stay byte for byte what json-c wrote before: no spaces,
members in the contract's order, strings escaped as json-c escapes them
('/' left alone, \\b \\f \\n \\r \\t, other control characters as
\\u00xx in lower case, DEL and non-ASCII as they are), null for a missing
performed_by, integers and booleans bare. Python's compact json.dumps
without ASCII escaping writes exactly that (the unit table row_text of
tests/unit/fcgi/test_db.c holds db_row_text to db_row_object's bytes), so
each body is compared with the dump of its own parse, and each value with
the row in the database — on the first page, a cursor page each way, an
?offset= page and a filtered page."""

import json
import unittest

import fc
from attendance.att import AttHotel
from attendance.test_audit_keyset import link

KEYS = ["id", "hotel", "staff", "staff_name", "action", "performed_by", "performed_by_name", "reason",
        "consent_given", "created_at"]
# every control character, the escapes json-c names, '/', DEL, non-ASCII
# (2, 3 and 4 bytes), and markup: a reason each, and a staff name
TRICKY = ["".join(chr(c) for c in range(1, 32)), 'q"uote \\back /slash </script>', "\x7f del",
          "é ü ß ☃ 😀", "", "plain", "tab\tnew\nline\r\n\b\f"]
NAME = 'Zoë "Q" \\ O\'Brien/\x01'


def hexlit(s):
    """s as a SQL expression that survives psql's command line."""
    return "convert_from(decode('%s', 'hex'), 'UTF8')" % s.encode("utf-8").hex()


def compact(body):
    """The body json-c writes for body's values: Python's compact dump."""
    return json.dumps(json.loads(body.decode("utf-8")), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class AuditJson(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("auditjson", extra=3).make()
        p = h.people
        fc.psql("UPDATE staff SET first_name = %s WHERE hotel_id = %d AND id = %d" % (hexlit(NAME), h.hotel_id, p[0]))
        values = ",\n".join(
            "(%d, %d, '%s', %s, %s, %s, now() - interval '1 day' + %d * interval '1 second')" % (
                h.hotel_id, p[i % 3], ("REGISTERED", "REVOKED", "FORCED_CLOCK_IN")[i % 3],
                "NULL" if i % 2 else str(p[(i + 1) % 3]), hexlit(TRICKY[i % len(TRICKY)]),
                "true" if i % 4 == 0 else "false", i // 2)
            for i in range(3 * len(TRICKY)))
        fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, consent_given, "
                "created_at) VALUES " + values)
        cls.tok = h.login("hr")
        cls.path = h.att("face-audit-logs/")

    def rows(self, where=""):
        """The hotel's rows newest first, as the database holds them: a dict each."""
        out = fc.psql(
            "SELECT json_agg(json_build_object('id', a.id, 'staff', a.staff_id, 'action', a.action, "
            "'performed_by', a.performed_by, 'reason', a.reason, 'consent_given', coalesce(a.consent_given, false)) "
            "ORDER BY a.created_at DESC, a.id DESC) FROM face_audit_log a WHERE a.hotel_id = %d %s"
            % (self.h.hotel_id, where))
        return json.loads(out)

    def page(self, path):
        r = fc.get(path, token=self.tok)
        fc.assert_json(r, 200)
        self.assertEqual(r.body, compact(r.body), "the body as json-c writes it: " + path)
        got = r.json
        for x in got:
            self.assertEqual(list(x), KEYS, "the contract's members in its order")
        return r, got

    def same(self, got, want):
        self.assertEqual([x["id"] for x in got], [w["id"] for w in want])
        for x, w in zip(got, want):
            for k in ("staff", "action", "performed_by", "reason", "consent_given"):
                self.assertEqual(x[k], w[k], "%s of row %d" % (k, w["id"]))
            self.assertEqual(x["hotel"], self.h.slug)
            self.assertIsNone(x["performed_by_name"]) if w["performed_by"] is None else \
                self.assertIsInstance(x["performed_by_name"], str)

    def test_pages_each_way(self):
        want = self.rows()
        self.assertEqual(len(want), 3 * len(TRICKY))
        r, first = self.page(self.path + "?limit=8")
        self.same(first, want[:8])
        r2, second = self.page(link(r, "next"))
        self.same(second, want[8:16])
        _, back = self.page(link(r2, "prev"))
        self.same(back, want[:8])
        _, by_offset = self.page(self.path + "?limit=8&offset=8")
        self.same(by_offset, want[8:16])
        # the staff member whose name needs escaping, and the text of it
        sid = self.h.people[0]
        _, mine = self.page(self.path + "?staff_id=%d&limit=100" % sid)
        self.same(mine, self.rows("AND a.staff_id = %d" % sid))
        self.assertTrue(all(x["staff_name"].startswith(NAME) for x in mine), mine[0]["staff_name"])
        # an empty page: []
        r, none = self.page(self.path + "?staff_id=%d&action=REVOKED&from=2000-01-01&to=2000-01-02" % sid)
        self.assertEqual(r.body, b"[]")


if __name__ == "__main__":
    unittest.main()
