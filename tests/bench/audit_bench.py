#!/usr/bin/env python3
"""tests/bench/audit_bench.py — inputs for the face-audit-log benchmarks of
scripts/bench.sh: a hotel of a few staff (one of them an `hr` user) with N
audit rows, a page of 100 rows of them through the API beside pgbench
running the listing's SQL, and the CSV export of all N beside `psql \\copy`
of the same SELECT.

    audit_bench.py setup BASE_URL ADMIN_KEY SLUG WORKDIR N
        PMS-syncs the hotel, tops its face and action audit logs up to N
        rows each (inserted as the database owner, INSERT ... SELECT
        generate_series, 10 000 a transaction, only when it holds fewer),
        logs the hr user in, and writes into WORKDIR:
          audit.lua         wrk: the bearer token
          audit.sql         pgbench: the listing statement of handlers/attendance/audit_store.c
          audit_token       the bearer token (for curl)
          export_set.sql    the export's set_config() statement, values in place
          export_select.sql the SELECT inside the export's COPY, on one line
          export_literal.sql that SELECT with the settings as literal values
    audit_bench.py sql list|export-set|export-select|export-literal HOTEL_ID
        print one of those statements
    audit_bench.py deep BASE_URL SLUG WORKDIR DEPTH
        print the path of the keyset page DEPTH rows down (limit=100),
        reached by following Link rel="next" (scripts/bench.sh audit)

The statements are not copied by hand: they are taken from handlers/attendance/audit_store.c
through the C preprocessor (its macros assemble them), so the ceilings run
exactly what the handler runs. Needs PG_BIN and FACECLOCK_MIGRATE_URL in
the environment for `setup` (scripts/bench.sh exports $FC_VAR/env).
"""
import os
import re
import sys
import time

from benchlib import bind, c_string, call, must, psql

SOURCE = "handlers/attendance/audit_store.c"
HR_PASSWORD = "audit-bench-hr-pw"      # a bench-only user on a loopback stack
CHUNK = 10000                          # audit rows inserted a transaction


# ------------------------------------------------------------ the statements

def statements(hid):
    listing = c_string(SOURCE, '"audit_list",')
    export_set = c_string(SOURCE, '"audit_export_set",')
    copy = c_string(SOURCE, "export_sql[] =")
    m = re.fullmatch(r"COPY \((SELECT .*)\) TO STDOUT WITH \(FORMAT csv, HEADER\)", copy, re.S)
    if not m:
        raise SystemExit("audit_bench: the export in handlers/attendance/audit_store.c is no longer COPY (SELECT ...) TO STDOUT")
    # The handler's parameters with no filter: $1 the hotel, $2..$7 NULL,
    # $8/$9 the keyset boundary (NULL: the top), $10/$11 limit and offset.
    # pgbench binds :hid/:lim/:off as parameters (-M prepared) as the
    # worker does; the NULLs are literals.
    nulls = {i: "NULL" for i in range(2, 8)}
    listing = bind(listing, {**nulls, 1: ":hid", 8: "NULL", 9: "NULL", 10: ":lim", 11: ":off"})
    export_set = bind(export_set, {**nulls, 1: "'%d'" % hid})
    select = m.group(1)
    # The same SELECT with the export's settings spelled as literals, so
    # that the planner sees the values (psql's best case, for comparison).
    literal = select.replace("(SELECT current_setting('faceclock.audit_hotel'))::bigint", str(hid))
    literal = re.sub(r"\(SELECT nullif\(current_setting\('faceclock\.audit_[a-z_]+'\), ''\)::([a-z]+)\)",
                     r"NULL::\1", literal)
    if "current_setting" in literal:
        raise SystemExit("audit_bench: a setting of the export in handlers/attendance/audit_store.c has no literal form here")
    return {"list": listing, "export-set": export_set, "export-select": select, "export-literal": literal}


# ------------------------------------------------------------------- setup

def setup(base, key, slug, work, n):
    hr_user = slug + "-hr"
    people = [30001, 30002, 30003, 30004]
    doc = {
        "hotel": {"name": "Audit Bench", "timezone": "Europe/Dublin"},
        "departments": [{"id": 1, "name": "Front of house"}],
        "staff": [
            {"id": 30000, "employee_code": "AUD00000", "first_name": "Hannah", "last_name": "Rees",
             "department_id": 1, "role": "hr", "username": hr_user, "password": HR_PASSWORD},
            {"id": 30001, "employee_code": "AUD00001", "first_name": "Mark", "last_name": "Manager",
             "department_id": 1, "role": "manager"},
            {"id": 30002, "employee_code": "AUD00002", "first_name": "Aoife", "last_name": "Byrne",
             "department_id": 1},
            {"id": 30003, "employee_code": "AUD00003", "first_name": "Tomasz", "last_name": "",
             "department_id": 1},
            {"id": 30004, "employee_code": "AUD00004", "first_name": "Zoë", "last_name": "O'Brien",
             "department_id": 1},
        ],
    }
    must(call(base, "PUT", "/api/staff/hotel/%s/pms-sync/" % slug, doc, key), "pms sync")
    hid = int(psql("SELECT id FROM hotels WHERE slug = '%s'" % slug))

    have = int(psql("SELECT count(*) FROM face_audit_log WHERE hotel_id = %d" % hid))
    if have < n:
        t0 = time.monotonic()
        # Rows like real ones, with what makes CSV work: commas, quotes,
        # line breaks and non-ASCII in reasons and user agents, NULL
        # performers, reasons and addresses, IPv4 and IPv6; two rows per
        # created_at, 17 s apart, ending about now. CHUNK rows a
        # transaction: the kept counts' rows (sql/027) are updated once per
        # audit row, and a row updated N times in one transaction leaves N
        # versions that every later update walks (quadratic in one go).
        for first in range(have + 1, n + 1, CHUNK):
            psql("""
INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, consent_given,
                            client_ip, user_agent, created_at)
SELECT %(hid)d,
       (ARRAY[%(p)s])[1 + g %% %(np)d],
       (ARRAY['REGISTERED', 'REVOKED', 'RE_REGISTERED', 'FORCED_CLOCK_IN'])[1 + g %% 4],
       CASE WHEN g %% 5 = 0 THEN NULL WHEN g %% 5 = 1 THEN 30001 ELSE (ARRAY[%(p)s])[1 + g %% %(np)d] END,
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
       CASE g %% 13 WHEN 0 THEN '' WHEN 1 THEN 'UA "' || g || '", x'
                    ELSE 'Mozilla/5.0 (X11; Linux x86_64) Kiosk/' || g %% 97 END,
       now() - (%(n)d - g) / 2 * interval '17 seconds'
FROM generate_series(%(first)d, %(last)d) AS g
""" % {"hid": hid, "p": ", ".join(map(str, people)), "np": len(people), "first": first,
       "last": min(n, first + CHUNK - 1), "n": n})
        psql("VACUUM (ANALYZE) face_audit_log")
        print("[bench] audit log of %s: %d rows inserted in %.1f s (now %d)"
              % (slug, n - have, time.monotonic() - t0, n), flush=True)
    # the action audit log of the same hotel topped up to N rows too (its
    # page is measured beside the face log's), CHUNK rows a transaction
    have_actions = int(psql("SELECT count(*) FROM action_audit_log WHERE hotel_id = %d" % hid))
    if have_actions < n:
        t0 = time.monotonic()
        for first in range(have_actions + 1, n + 1, CHUNK):
            psql("""
INSERT INTO action_audit_log (hotel_id, actor, action, target, old_value, new_value, client_ip, user_agent,
                              created_at)
SELECT %(hid)d,
       (ARRAY['user:%(slug)s-hr', 'user:mark', 'system:admin-key', 'kiosk:7'])[1 + g %% 4],
       (ARRAY['staff.update', 'settings.update', 'kiosk.create', 'face.revoke'])[1 + g %% 4],
       'staff ' || g %% 50, jsonb_build_object('n', g), jsonb_build_object('n', g + 1, 'path', 'a/b "c"'),
       CASE WHEN g %% 3 = 0 THEN NULL ELSE '10.0.0.1'::inet END, 'Mozilla/5.0 ' || g %% 97,
       now() - (%(n)d - g) / 2 * interval '17 seconds'
FROM generate_series(%(first)d, %(last)d) AS g
""" % {"hid": hid, "slug": slug, "first": first, "last": min(n, first + CHUNK - 1), "n": n})
        psql("VACUUM (ANALYZE) action_audit_log")
        print("[bench] action audit log of %s: %d rows inserted in %.1f s (now %d)"
              % (slug, n - have_actions, time.monotonic() - t0, n), flush=True)
    if have > n:
        print("[bench] audit log of %s holds %d rows (> %d; the log is append-only): "
              "the page and the export cover all %d" % (slug, have, n, have), flush=True)

    token = must(call(base, "POST", "/api/auth/login", {"username": hr_user, "password": HR_PASSWORD}),
                 "hr login")["token"]
    sql = statements(hid)
    files = {
        "audit_token": token + "\n",
        "audit_rows": "%d\n" % max(have, n),
        "audit.lua": "-- generated by tests/bench/audit_bench.py\n"
                     "wrk.headers['Authorization'] = 'Bearer %s'\n" % token,
        "audit.sql": "-- generated by tests/bench/audit_bench.py: the face-audit-log page of\n"
                     "-- handlers/attendance/audit_store.c (statement audit_list), no filters\n"
                     "\\set hid %d\n\\set lim 100\n\\set off 0\n%s;\n" % (hid, sql["list"]),
        "export_set.sql": sql["export-set"] + "\n",
        "export_select.sql": sql["export-select"] + "\n",
        "export_literal.sql": sql["export-literal"] + "\n",
    }
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)


def deep(base, slug, work, depth):
    """The path of a keyset page `depth` rows down the hotel's audit log,
    limit=100: the Link rel="next" cursors followed 1000 rows at a time."""
    import urllib.request
    token = open(os.path.join(work, "audit_token")).read().strip()
    path = "/api/staff/hotel/%s/attendance/clock-logs/face-audit-logs/?limit=1000" % slug
    seen = 0
    while seen < depth:
        req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=60) as r:
            link = r.headers.get("Link") or ""
        m = re.search(r'<([^>]*)>;\s*rel="next"', link)
        if not m:
            raise SystemExit("audit_bench: the log ends before row %d" % depth)
        path, seen = m.group(1), seen + 1000
    return path.replace("limit=1000", "limit=100")


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "setup":
        setup(a[1], a[2], a[3], a[4], int(a[5]))
    elif len(a) == 5 and a[0] == "deep":
        print(deep(a[1], a[2], a[3], int(a[4])))
    elif len(a) == 3 and a[0] == "sql" and a[1] in ("list", "export-set", "export-select", "export-literal"):
        print(statements(int(a[2]))[a[1]])
    else:
        sys.exit(__doc__)
