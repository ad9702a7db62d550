"""The face-audit-log CSV export at size (contract 5.8): 100 000 rows
inserted as the database owner (INSERT … SELECT generate_series) into a
hotel of their own — with commas, quotes, line breaks and non-ASCII in
reasons and user agents, NULL performers, reasons and addresses, IPv4 and
IPv6, and pairs of rows sharing a created_at — then the CSV is compared row
for row, in order, with the JSON listing paged at limit=1000 through Link,
and client_ip / user_agent with the database."""

import concurrent.futures
import csv
import io
import re
import time
import unittest

import fc
from attendance.att import AttHotel

N = 100_000
AUDIT_ROW = ["id", "hotel", "staff", "staff_name", "action", "performed_by", "performed_by_name",
             "reason", "consent_given", "created_at"]


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def norm_bool(text):
    t = text.lower()
    return {"t": "true", "1": "true", "f": "false", "0": "false"}.get(t, t)


class BigExport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("auditbig", extra=3).make()
        p = h.people
        mgr = h.users["manager"]["staff_id"]
        t0 = time.monotonic()
        fc.psql("""
INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, consent_given,
                            client_ip, user_agent, created_at)
SELECT %(hid)d,
       (ARRAY[%(p0)d, %(p1)d, %(p2)d])[1 + g %% 3],
       (ARRAY['REGISTERED', 'REVOKED', 'RE_REGISTERED', 'FORCED_CLOCK_IN'])[1 + g %% 4],
       CASE WHEN g %% 5 = 0 THEN NULL WHEN g %% 5 = 1 THEN %(mgr)d ELSE (ARRAY[%(p0)d, %(p1)d, %(p2)d])[1 + g %% 3] END,
       CASE g %% 7 WHEN 0 THEN NULL
                   WHEN 1 THEN 'comma, "quoted" ' || g
                   WHEN 2 THEN E'line\\nbreak ' || g
                   WHEN 3 THEN 'café ☕ ' || g
                   WHEN 4 THEN ''
                   ELSE 'reason ' || g END,
       g %% 2 = 0,
       CASE g %% 11 WHEN 0 THEN NULL
                    WHEN 1 THEN ('2001:db8::' || to_hex(g %% 65536))::inet
                    ELSE ('10.' || (g / 65536) %% 256 || '.' || (g / 256) %% 256 || '.' || g %% 256)::inet END,
       CASE g %% 13 WHEN 0 THEN '' WHEN 1 THEN 'UA "' || g || '", x' ELSE 'Kiosk/' || g %% 97 END,
       timestamptz '2024-03-01 00:00:00+00' + (g / 2) * interval '17 seconds'
FROM generate_series(1, %(n)d) AS g
""" % {"hid": h.hotel_id, "p0": p[0], "p1": p[1], "p2": p[2], "mgr": mgr, "n": N})
        cls.insert_s = time.monotonic() - t0

    def walk_pages(self, first, tok):
        """Every page from `first` on, each page's Link rel="next" checked
        to name the page that follows. When the links are plain offsets
        (…&offset=N), the pages are fetched four at a time at the offsets
        the links will name, and each link is then checked against its
        successor's path — the same walk, without waiting for each answer
        (deep offset pages take the server a second each); otherwise one
        by one."""
        r = fc.get(first, token=tok, timeout=30)
        page = fc.assert_json(r, 200)
        self.assertEqual(r.header("X-Total-Count"), str(N))
        nxt = fc.link_next(r)
        pages, rows = 1, list(page)
        m = re.match(r"^(.*[?&]offset=)(\d+)(.*)$", nxt or "")
        if m and int(m.group(2)) == len(page):
            step = len(page)
            paths = [m.group(1) + str(off) + m.group(3) for off in range(step, N, step)]

            def fetch(path):
                return fc.get(path, token=tok, timeout=60)
            with concurrent.futures.ThreadPoolExecutor(4) as ex:
                answers = list(ex.map(fetch, paths))
            for i, (path, r) in enumerate(zip(paths, answers)):
                page = fc.assert_json(r, 200)
                self.assertLessEqual(len(page), 1000)
                rows += page
                pages += 1
                want = paths[i + 1] if i + 1 < len(paths) else None
                self.assertEqual(fc.link_next(r), want, "Link rel=next of %s" % path)
            return pages, rows
        while nxt:
            r = fc.get(nxt, token=tok, timeout=60)
            page = fc.assert_json(r, 200)
            self.assertLessEqual(len(page), 1000)
            rows += page
            pages += 1
            nxt = fc.link_next(r)
            self.assertLessEqual(pages, N // 1000 + 1, "Link rel=next keeps going")
        return pages, rows

    def test_csv_matches_json_row_for_row(self):
        h = self.h
        tok = h.login("hr")
        t0 = time.monotonic()
        r = fc.get(h.att("face-audit-logs/?format=csv"), token=tok, timeout=120)
        t_csv = time.monotonic() - t0
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/csv")
        self.assertRegex(r.header("Content-Disposition") or "", r"^attachment\b")
        csv_bytes = len(r.body)
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))
        header, data = rows[0], rows[1:]
        self.assertTrue(set(AUDIT_ROW) | {"client_ip", "user_agent"} <= set(header), header)
        self.assertEqual(len(data), N)
        self.assertEqual(r.header("X-Export-Rows"), str(N))
        col = {k: header.index(k) for k in header}

        # the JSON listing, 1000 a page, following Link
        t0 = time.monotonic()
        pages, json_rows = self.walk_pages(h.att("face-audit-logs/?limit=1000"), tok)
        t_json = time.monotonic() - t0
        self.assertEqual(pages, N // 1000)
        self.assertEqual(len(json_rows), N)
        self.assertEqual(len({x["id"] for x in json_rows}), N, "JSON pages repeat or skip rows")

        # newest first (created_at descending)
        stamps = [x["created_at"] for x in json_rows]
        self.assertEqual(stamps, sorted(stamps, reverse=True))

        # row for row
        mismatches = []
        for i, (js, line) in enumerate(zip(json_rows, data)):
            for k in AUDIT_ROW:
                want = cell(js[k])
                got = line[col[k]]
                if k == "consent_given":
                    got = norm_bool(got)
                if want != got:
                    mismatches.append((i, k, js[k], got))
            if len(mismatches) > 10:
                break
        self.assertEqual(mismatches, [], "CSV differs from JSON (row, field, JSON, CSV)")

        # client_ip and user_agent against the database
        out = fc.psql("COPY (SELECT id, coalesce(host(client_ip), ''), user_agent FROM face_audit_log "
                      "WHERE hotel_id = %d) TO STDOUT WITH (FORMAT csv)" % h.hotel_id)
        db = {int(a): (b, c) for a, b, c in csv.reader(io.StringIO(out + "\n", newline=""))}
        self.assertEqual(len(db), N)
        bad = [(line[col["id"]], line[col["client_ip"]], line[col["user_agent"]], db.get(int(line[col["id"]])))
               for line in data
               if (line[col["client_ip"]].split("/")[0], line[col["user_agent"]]) != db.get(int(line[col["id"]]))]
        self.assertEqual(bad[:5], [])
        print("       | audit export: insert %.1fs, CSV %.1fs (%d bytes), JSON %d pages %.1fs"
              % (self.insert_s, t_csv, csv_bytes, pages, t_json))

    def test_filtered_export_counts(self):
        h = self.h
        tok = h.login("manager")
        for q in ("action=REVOKED", "staff_id=%d" % h.people[1], "from=2024-03-05&to=2024-03-06",
                  "action=FORCED_CLOCK_IN&to=2024-03-03T12:00:00Z"):
            with self.subTest(q=q):
                r = fc.get(h.att("face-audit-logs/?limit=1&" + q), token=tok)
                fc.assert_json(r, 200)
                total = int(r.header("X-Total-Count"))
                estimated = r.header("X-Total-Count-Estimated") == "true"
                self.assertGreater(total, 0)
                r = fc.get(h.att("face-audit-logs/?format=csv&" + q), token=tok, timeout=60)
                self.assertEqual(r.status, 200, r)
                n = len(list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))) - 1
                if estimated:
                    # a time bound over more rows than the count's cap
                    # (FACECLOCK_LIST_COUNT_CAP, 10000; docs/api.md "Lists"):
                    # the cap + 1 (counted that far), or the planner's
                    # estimate when it expects more than twice the cap —
                    # past the cap either way, and never more than the
                    # rows of the hotel's log
                    self.assertGreater(total, 10000)
                    self.assertLessEqual(total, N)
                    self.assertGreater(n, 10000)
                    self.assertIn("from=", q)
                else:
                    self.assertEqual(n, total)
                self.assertEqual(r.header("X-Export-Rows"), str(n))
