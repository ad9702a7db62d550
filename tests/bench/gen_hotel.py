#!/usr/bin/env python3
"""tests/bench/gen_hotel.py — the inputs scripts/bench.sh needs for the
PMS-sync benchmark: a generated hotel of N staff (default 200) as a PMS-sync
document (contract section 4), and a pgbench script issuing the SQL the sync
endpoint runs for that document (the staff and the roster one statement
each, inside one transaction),
which is the endpoint's database ceiling.

    gen_hotel.py json SLUG [N]     > hotel.json
    gen_hotel.py pgbench SLUG [N]  > pms.sql
    gen_hotel.py bulk SLUG N TAG   > bulk.json

"bulk" is the document of the bulk PMS-sync rows (issue 15: 10 000 staff
through nginx): staff only, the fields a PMS must send and the defaults
for the rest, without whitespace, so that 10 000 staff stay under the API's
1 MiB; TAG ends every first name, so that another TAG rewrites every row.

The staff carry no passwords: the benchmark measures the sync itself, not
password hashing (which a PMS re-sync of unchanged users need not repeat).
"""
import json
import sys

DEPARTMENTS = ["Reception", "Housekeeping", "Kitchen", "Maintenance", "Spa"]
FIRST = ["Aoife", "Liam", "Maria", "Tomasz", "Priya", "Ciaran", "Ana", "Sean",
         "Niamh", "Oisin", "Chloe", "Darragh", "Emma", "Jakub", "Saoirse", "Luca"]
LAST = ["Murphy", "Kelly", "Byrne", "Walsh", "Nowak", "Silva", "Doyle", "Ryan",
        "O'Brien", "Nair", "Rossi", "Kowalski", "Lynch", "Quinn", "Moran", "Burke"]
DATE = "2030-01-15"


def hotel(n):
    staff, roster = [], []
    for i in range(1, n + 1):
        dept = (i - 1) % len(DEPARTMENTS) + 1
        staff.append({
            "id": 10000 + i,
            "employee_code": "EMP%06d" % (200000 + i),
            "first_name": FIRST[i % len(FIRST)],
            "last_name": LAST[(i // len(FIRST)) % len(LAST)],
            "department_id": dept,
            "role": "manager" if i % 50 == 1 else "staff",
            "is_active": True,
        })
        start = 6 + (i % 3) * 8                      # 06:00, 14:00, 22:00 (overnight)
        roster.append({
            "id": 900000 + i,
            "staff_id": 10000 + i,
            "date": DATE,
            "start_time": "%02d:00:00" % start,
            "end_time": "%02d:00:00" % ((start + 8) % 24),
            "location": DEPARTMENTS[dept - 1] + " floor",
            "department_id": dept,
        })
    return {
        "hotel": {"name": "Bench Hotel %d" % n, "timezone": "Europe/Dublin"},
        "departments": [{"id": i + 1, "name": d} for i, d in enumerate(DEPARTMENTS)],
        "staff": staff,
        "roster": roster,
    }


def lit(v):
    """A SQL literal for the pgbench script (values are generated, not input)."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def pgbench(slug, doc):
    """The statements of handlers/people/pms_store.c for an existing hotel, in its order,
    with the document's values in place of the parameters."""
    name, tz = lit(doc["hotel"]["name"]), lit(doc["hotel"]["timezone"])
    out = ["-- PMS sync of %d staff for hotel %s: the statements of handlers/people/pms_store.c" % (len(doc["staff"]), slug),
           "BEGIN;",
           "SELECT id AS hid FROM hotels WHERE slug = %s FOR NO KEY UPDATE \\gset" % lit(slug),
           "UPDATE hotels SET name = coalesce(%s, name), timezone = coalesce(%s, timezone), updated_at = now() "
           "WHERE id = :hid AND (name, timezone) IS DISTINCT FROM (coalesce(%s, name), coalesce(%s, timezone));"
           % (name, tz, name, tz)]
    for d in doc["departments"]:
        out.append("INSERT INTO departments (hotel_id, id, name) VALUES (:hid, %s, %s) "
                   "ON CONFLICT (hotel_id, id) DO UPDATE SET name = EXCLUDED.name, updated_at = now() "
                   "WHERE departments.name IS DISTINCT FROM EXCLUDED.name RETURNING (xmax = 0);"
                   % (lit(d["id"]), lit(d["name"])))
    rows = json.dumps([{"i": i, "id": s["id"], "code": s["employee_code"], "first": s["first_name"],
                        "last": s["last_name"], "dept": s["department_id"], "role": s["role"],
                        "active": s["is_active"]} for i, s in enumerate(doc["staff"])])  # ": ": not a pgbench :variable
    recordset = ("jsonb_to_recordset(%s::jsonb) AS v(i int, id bigint, code text, first text, last text, "
                 "dept bigint, role text, active boolean)" % lit(rows))
    out.append("SAVEPOINT pms_staff_set; SET LOCAL enable_nestloop = off;")
    out.append("SELECT count(*) FROM %s JOIN staff s ON s.hotel_id = :hid AND s.id = v.id "
               "WHERE s.employee_code IS DISTINCT FROM v.code;" % recordset)
    out.append("WITH v AS (SELECT * FROM %s), "
               "upd AS (UPDATE staff s SET employee_code = v.code, first_name = v.first, last_name = v.last, "
               "department_id = v.dept, role = v.role, is_active = v.active, updated_at = now() "
               "FROM v JOIN staff o ON o.hotel_id = :hid AND o.id = v.id "
               "WHERE s.hotel_id = :hid AND s.id = v.id AND (s.employee_code, s.first_name, s.last_name, "
               "s.department_id, s.role, s.is_active) IS DISTINCT FROM (v.code, v.first, v.last, v.dept, v.role, "
               "v.active) RETURNING v.i, false AS created, o.role, o.is_active), "
               "ins AS (INSERT INTO staff (hotel_id, id, employee_code, first_name, last_name, department_id, role, "
               "is_active) SELECT :hid, v.id, v.code, v.first, v.last, v.dept, v.role, v.active FROM v "
               "WHERE NOT EXISTS (SELECT 1 FROM staff WHERE hotel_id = :hid AND id = v.id) "
               "ON CONFLICT (hotel_id, id) DO NOTHING RETURNING id) "
               "SELECT * FROM upd UNION ALL SELECT v.i, true, NULL::text, NULL::boolean FROM ins "
               "JOIN v ON v.id = ins.id ORDER BY 1;" % recordset)
    out.append("RESET enable_nestloop;")
    shifts = json.dumps([[str(r[k]) if r[k] is not None else None
                          for k in ("id", "staff_id", "date", "start_time", "end_time", "location", "department_id")]
                         for r in doc["roster"]])  # ": ": not a pgbench :variable
    out.append("SAVEPOINT pms_rows_set;")
    out.append("INSERT INTO roster_shifts (hotel_id, id, staff_id, shift_date, start_time, end_time, location, department_id) "
               "SELECT :hid, (r->>0)::bigint, (r->>1)::bigint, (r->>2)::date, (r->>3)::time, (r->>4)::time, "
               "coalesce(r->>5, ''), (r->>6)::bigint FROM jsonb_array_elements(%s::jsonb) r "
               "ON CONFLICT (hotel_id, id) DO UPDATE SET staff_id = EXCLUDED.staff_id, shift_date = EXCLUDED.shift_date, "
               "start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, location = EXCLUDED.location, "
               "department_id = EXCLUDED.department_id, updated_at = now() "
               "WHERE (roster_shifts.staff_id, roster_shifts.shift_date, roster_shifts.start_time, "
               "roster_shifts.end_time, roster_shifts.location, roster_shifts.department_id) IS DISTINCT FROM "
               "(EXCLUDED.staff_id, EXCLUDED.shift_date, EXCLUDED.start_time, EXCLUDED.end_time, "
               "EXCLUDED.location, EXCLUDED.department_id) RETURNING (xmax = 0);" % lit(shifts))
    out.append("COMMIT;")
    return "\n".join(out) + "\n"


def bulk(n, tag):
    return {
        "hotel": {"name": "Bulk Hotel %d" % n, "timezone": "UTC"},
        "departments": [{"id": i + 1, "name": d} for i, d in enumerate(DEPARTMENTS)],
        "staff": [{"id": 10000 + i, "employee_code": "B%06d" % i, "first_name": FIRST[i % len(FIRST)] + tag,
                   "department_id": (i - 1) % len(DEPARTMENTS) + 1} for i in range(1, n + 1)],
    }


def main(argv):
    if len(argv) == 5 and argv[1] == "bulk":
        json.dump(bulk(int(argv[3]), argv[4]), sys.stdout, separators=(",", ":"))
        return 0
    if len(argv) not in (3, 4) or argv[1] not in ("json", "pgbench"):
        sys.stderr.write(__doc__)
        return 2
    doc = hotel(int(argv[3]) if len(argv) == 4 else 200)
    if argv[1] == "json":
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(pgbench(argv[2], doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
