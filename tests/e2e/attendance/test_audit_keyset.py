"""Keyset paging of the audit lists (docs/api.md, "Lists"; issue 15):
the face audit log and the action audit log walked by the Link header's
cursors, next to the end and prev back to the start, give exactly the
rows of ?offset= paging; rows written between two pages are neither
repeated nor skipped; X-Total-Count is exact up to the cap
(FACECLOCK_LIST_COUNT_CAP, 10000 by default) and past it is cap + 1 with
X-Total-Count-Estimated: true, or, when the planner expects more than
twice the cap, its estimate (not counted), marked the same and never more
than the rows without the time bound; a garbled or forged cursor, or one with
?offset=, is 400 VALIDATION_ERROR field cursor, and another hotel's
cursor (or another list's) is refused, never a way to its rows."""

import re
import unittest
import urllib.parse

import fc
from attendance.att import AttHotel

CAP = 10000
ROWS = 300          # audit rows of the small hotel, pairs sharing a created_at


def link(resp, rel):
    """The target of Link: <...>; rel="<rel>" as a path with its query, or None."""
    for value in resp.header_all("Link"):
        for part in value.split(","):
            m = re.match(r'\s*<([^>]*)>\s*;(.*)$', part)
            if m and re.search(r'rel\s*=\s*"?%s"?' % rel, m.group(2)):
                u = urllib.parse.urlsplit(m.group(1))
                return u.path + ("?" + u.query if u.query else "")
    return None


def insert_face_rows(h, n, newer=False):
    p = h.people
    fc.psql("""
INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, created_at)
SELECT %(hid)d, (ARRAY[%(p0)d, %(p1)d, %(p2)d])[1 + g %% 3],
       (ARRAY['REGISTERED', 'REVOKED', 'RE_REGISTERED', 'FORCED_CLOCK_IN'])[1 + g %% 4], NULL, 'keyset ' || g,
       %(base)s + (g / 2) * interval '1 second'
FROM generate_series(1, %(n)d) AS g""" % {
        "hid": h.hotel_id, "p0": p[0], "p1": p[1], "p2": p[2], "n": n,
        "base": "now() + interval '1 hour'" if newer else "now() - interval '30 days'"})


class KeysetWalk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("keyset", extra=3).make()
        insert_face_rows(h, ROWS)
        cls.tok = h.login("hr")
        cls.path = h.att("face-audit-logs/")

    def get(self, path, **kw):
        return fc.get(path, token=self.tok, **kw)

    def walk(self, first, rel="next"):
        """The pages from `first` on, following rel, each a list of ids."""
        pages, path = [], first
        while path:
            r = self.get(path)
            pages.append([x["id"] for x in fc.assert_json(r, 200)])
            path = link(r, rel)
            self.assertLess(len(pages), 200, "Link rel=%s never ends" % rel)
            last = r
        return pages, last

    def by_offset(self, query, limit):
        ids, off = [], 0
        while True:
            r = self.get(self.path + "?%slimit=%d&offset=%d" % (query, limit, off))
            page = [x["id"] for x in fc.assert_json(r, 200)]
            ids += page
            if link(r, "next") is None:
                return ids
            self.assertIn("offset=%d" % (off + limit), link(r, "next"), "offset pages link on by offset")
            off += limit

    def test_next_and_prev_walk_as_offset_pages(self):
        total = int(fc.psql("SELECT count(*) FROM face_audit_log WHERE hotel_id = %d" % self.h.hotel_id))
        self.assertGreaterEqual(total, ROWS)
        want = self.by_offset("", 17)
        self.assertEqual(len(want), total)
        pages, last = self.walk(self.path + "?limit=17")
        self.assertEqual([i for p in pages for i in p], want)
        self.assertTrue(all(len(p) == 17 for p in pages[:-1]))
        self.assertIn("cursor=", link(self.get(self.path + "?limit=17"), "next"))
        self.assertIsNone(link(self.get(self.path + "?limit=17"), "prev"), "the first page has no prev")
        # back from the last page by prev: the same pages, in reverse
        back, top = self.walk(link(last, "prev"), rel="prev")
        self.assertEqual([i for p in reversed(back) for i in p] + pages[-1], want)
        self.assertIsNone(link(top, "prev"))
        # filters stay in the links: one staff member's rows
        sid = self.h.people[1]
        pages, _ = self.walk(self.path + "?staff_id=%d&limit=9" % sid)
        self.assertEqual([i for p in pages for i in p], self.by_offset("staff_id=%d&" % sid, 9))

    def test_rows_written_between_pages(self):
        h = AttHotel("keysetw", extra=3).make()
        insert_face_rows(h, 40)
        tok = h.login("hr")
        path = h.att("face-audit-logs/?limit=10")
        r1 = fc.get(path, token=tok)
        first = [x["id"] for x in fc.assert_json(r1, 200)]
        before = [x["id"] for x in fc.assert_json(fc.get(h.att("face-audit-logs/?limit=1000"), token=tok), 200)]
        insert_face_rows(h, 6, newer=True)          # newer than every row: offsets would shift by 6
        r2 = fc.get(link(r1, "next"), token=tok)
        second = [x["id"] for x in fc.assert_json(r2, 200)]
        self.assertEqual(second, before[10:20], "the next page neither repeats nor skips")
        # prev of the second page is the first page as it was; prev again, the new rows
        r3 = fc.get(link(r2, "prev"), token=tok)
        self.assertEqual([x["id"] for x in fc.assert_json(r3, 200)], first)
        r4 = fc.get(link(r3, "prev"), token=tok)
        self.assertEqual(len(fc.assert_json(r4, 200)), 6)
        # with offsets the same second page would repeat rows of the first
        r5 = fc.get(h.att("face-audit-logs/?limit=10&offset=10"), token=tok)
        self.assertNotEqual([x["id"] for x in fc.assert_json(r5, 200)], second)

    def test_total_exact_under_the_cap(self):
        r = self.get(self.path + "?limit=5")
        fc.assert_json(r, 200)
        total = int(fc.psql("SELECT count(*) FROM face_audit_log WHERE hotel_id = %d" % self.h.hotel_id))
        self.assertEqual(r.header("X-Total-Count"), str(total))
        self.assertIsNone(r.header("X-Total-Count-Estimated"))
        # the same total on a cursor page
        r2 = self.get(link(r, "next"))
        self.assertEqual(r2.header("X-Total-Count"), str(total))

    def test_total_marked_past_the_cap(self):
        h = AttHotel("keysetbig", extra=3).make()
        insert_face_rows(h, CAP + 200)
        tok = h.login("hr")
        count = "SELECT count(*) FROM face_audit_log WHERE hotel_id = %d" % h.hotel_id
        # a time bound over more rows than the cap: cap + 1, marked
        r = fc.get(h.att("face-audit-logs/?from=2000-01-01&limit=3"), token=tok)
        fc.assert_json(r, 200)
        self.assertEqual(r.header("X-Total-Count"), str(CAP + 1))
        self.assertEqual(r.header("X-Total-Count-Estimated"), "true")
        # a time bound that leaves fewer than the cap: counted, exact
        r = fc.get(h.att("face-audit-logs/?to=%s&limit=3" % fc.psql(
            "SELECT to_char((min(created_at) + interval '100 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
            "FROM face_audit_log WHERE hotel_id = %d" % h.hotel_id)), token=tok)
        fc.assert_json(r, 200)
        self.assertIsNone(r.header("X-Total-Count-Estimated"))
        self.assertEqual(r.header("X-Total-Count"), fc.psql(
            count + " AND created_at <= (SELECT date_trunc('second', min(created_at) + interval '100 seconds') FROM face_audit_log "
            "WHERE hotel_id = %d)" % h.hotel_id))
        # no filter, a staff member, an action, both: the kept counts, exact past the cap
        sid = h.people[0]
        for q, where in (("", ""), ("staff_id=%d&" % sid, " AND staff_id = %d" % sid),
                         ("action=REVOKED&", " AND action = 'REVOKED'"),
                         ("staff_id=%d&action=REVOKED&" % sid, " AND staff_id = %d AND action = 'REVOKED'" % sid)):
            r = fc.get(h.att("face-audit-logs/?%slimit=3" % q), token=tok)
            fc.assert_json(r, 200)
            self.assertEqual(r.header("X-Total-Count"), fc.psql(count + where), q)
            self.assertIsNone(r.header("X-Total-Count-Estimated"), q)
        self.assertGreater(int(fc.psql(count)), CAP)
        # offset paging past the cap still links on
        r = fc.get(h.att("face-audit-logs/?from=2000-01-01&limit=100&offset=10000"), token=tok)
        self.assertEqual(len(fc.assert_json(r, 200)), 100)
        self.assertIn("offset=10100", link(r, "next"))

    def test_total_estimated_far_past_the_cap(self):
        h = AttHotel("keysethuge", extra=3).make()
        insert_face_rows(h, 2 * CAP + 5000)
        fc.psql("ANALYZE face_audit_log")          # the planner's estimate follows the rows
        tok = h.login("hr")
        count = "SELECT count(*) FROM face_audit_log WHERE hotel_id = %d" % h.hotel_id
        exact = int(fc.psql(count))
        # every row, by a time bound: not counted, the planner's estimate
        r = fc.get(h.att("face-audit-logs/?from=2000-01-01&limit=3"), token=tok)
        self.assertEqual(len(fc.assert_json(r, 200)), 3)
        self.assertEqual(r.header("X-Total-Count-Estimated"), "true")
        est = int(r.header("X-Total-Count"))
        self.assertGreater(est, 2 * CAP, "the planner's estimate, past twice the cap")
        self.assertLessEqual(est, exact, "never more than the kept count without the time bound")
        self.assertNotEqual(est, CAP + 1, "not counted up to the cap")
        # one action's rows (a quarter, under the cap): expected under twice the cap, counted, exact
        r = fc.get(h.att("face-audit-logs/?action=REVOKED&from=2000-01-01&limit=3"), token=tok)
        fc.assert_json(r, 200)
        self.assertEqual(r.header("X-Total-Count"), fc.psql(count + " AND action = 'REVOKED'"))
        self.assertIsNone(r.header("X-Total-Count-Estimated"))
        # a bound that leaves few rows: counted, exact
        r = fc.get(h.att("face-audit-logs/?from=%s&limit=3" % fc.psql(
            "SELECT to_char((max(created_at) - interval '50 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
            "FROM face_audit_log WHERE hotel_id = %d" % h.hotel_id)), token=tok)
        fc.assert_json(r, 200)
        self.assertIsNone(r.header("X-Total-Count-Estimated"))
        self.assertEqual(r.header("X-Total-Count"), fc.psql(
            count + " AND created_at >= (SELECT date_trunc('second', max(created_at) - interval '50 seconds') "
            "FROM face_audit_log WHERE hotel_id = %d)" % h.hotel_id))

    def test_bad_cursors(self):
        nxt = link(self.get(self.path + "?limit=5"), "next")
        cur = urllib.parse.parse_qs(urllib.parse.urlsplit(nxt).query)["cursor"][0]
        flipped = cur[:-1] + ("0" if cur[-1] != "0" else "1")
        for bad in ["x", "", cur[:-2], cur.upper(), flipped, cur + "00", "g" + cur[1:], "0" * len(cur)]:
            r = self.get(self.path + "?cursor=" + bad)
            e = fc.assert_error(r, 400, "VALIDATION_ERROR")
            self.assertEqual(e.get("field"), "cursor", bad)
        fc.assert_error(self.get(self.path + "?offset=5&cursor=" + cur), 400, "VALIDATION_ERROR")
        # another list's cursor (the action audit of the same hotel)
        r = self.get(self.h.path("action-audit-logs/?cursor=" + cur))
        self.assertEqual(fc.assert_error(r, 400, "VALIDATION_ERROR").get("field"), "cursor")

    def test_other_hotels_cursor_gives_nothing_of_it(self):
        other = AttHotel("keyseto", extra=3).make()
        insert_face_rows(other, 5)
        nxt = link(self.get(self.path + "?limit=5"), "next")
        cur = urllib.parse.parse_qs(urllib.parse.urlsplit(nxt).query)["cursor"][0]
        r = fc.get(other.att("face-audit-logs/?cursor=" + cur), token=other.login("hr"))
        self.assertEqual(fc.assert_error(r, 400, "VALIDATION_ERROR").get("field"), "cursor")
        # and the cursor grants nothing on this hotel's list to the other's caller
        r = fc.get(self.path + "?cursor=" + cur, token=other.login("hr"))
        self.assertIn(r.status, (403, 404))

    def test_action_audit_walk(self):
        h = self.h
        fc.psql("""
INSERT INTO action_audit_log (hotel_id, actor, action, target, created_at)
SELECT %d, 'system:keyset', 'keyset.row', 'row ' || g, now() - interval '10 days' + (g / 3) * interval '1 second'
FROM generate_series(1, 120) AS g""" % h.hotel_id)
        path = h.path("action-audit-logs/")
        want, off = [], 0
        while True:
            r = self.get(path + "?limit=11&offset=%d" % off)
            page = fc.assert_json(r, 200)
            want += [x["id"] for x in page]
            if not link(r, "next"):
                break
            off += 11
        pages, last = self.walk(path + "?limit=11")
        self.assertEqual([i for p in pages for i in p], want)
        back, _ = self.walk(link(last, "prev"), rel="prev")
        self.assertEqual([i for p in reversed(back) for i in p] + pages[-1], want)


if __name__ == "__main__":
    unittest.main()
