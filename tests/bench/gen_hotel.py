#!/usr/bin/env python3
"""tests/bench/gen_hotel.py — the inputs scripts/bench.sh needs for the
PMS-sync benchmark: a generated hotel of N staff (default 200) as a PMS-sync
document (contract section 4), and a pgbench script issuing the SQL the sync
endpoint runs for that document (one upsert per row inside one transaction),
which is the endpoint's database ceiling.

    gen_hotel.py json SLUG [N]     > hotel.json
    gen_hotel.py pgbench SLUG [N]  > pms.sql

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
    for s in doc["staff"]:
        v = tuple(lit(s[k]) for k in ("id", "employee_code", "first_name", "last_name",
                                        "department_id", "role", "is_active"))
        out.append("WITH upd AS (UPDATE staff SET employee_code = %s, first_name = %s, last_name = %s, "
                   "department_id = %s, role = %s, is_active = %s, updated_at = now() "
                   "WHERE hotel_id = :hid AND id = %s AND (employee_code, first_name, last_name, department_id, role, "
                   "is_active) IS DISTINCT FROM (%s, %s, %s, %s::bigint, %s, %s) "
                   "RETURNING false, (SELECT o.role FROM staff o WHERE o.hotel_id = :hid AND o.id = %s) <> %s), "
                   "ins AS (INSERT INTO staff (hotel_id, id, employee_code, first_name, last_name, department_id, role, "
                   "is_active) SELECT :hid, %s, %s, %s, %s, %s, %s, %s "
                   "WHERE NOT EXISTS (SELECT 1 FROM staff WHERE hotel_id = :hid AND id = %s) "
                   "ON CONFLICT (hotel_id, id) DO NOTHING RETURNING true, false) "
                   "SELECT * FROM upd UNION ALL SELECT * FROM ins;"
                   % (v[1:] + (v[0],) + v[1:] + (v[0], v[5]) + v + (v[0],)))
    for r in doc["roster"]:
        out.append("INSERT INTO roster_shifts (hotel_id, id, staff_id, shift_date, start_time, end_time, location, department_id) "
                   "VALUES (:hid, %s, %s, %s::date, %s::time, %s::time, coalesce(%s, ''), %s) "
                   "ON CONFLICT (hotel_id, id) DO UPDATE SET staff_id = EXCLUDED.staff_id, shift_date = EXCLUDED.shift_date, "
                   "start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, location = EXCLUDED.location, "
                   "department_id = EXCLUDED.department_id, updated_at = now() "
                   "WHERE (roster_shifts.staff_id, roster_shifts.shift_date, roster_shifts.start_time, "
                   "roster_shifts.end_time, roster_shifts.location, roster_shifts.department_id) IS DISTINCT FROM "
                   "(EXCLUDED.staff_id, EXCLUDED.shift_date, EXCLUDED.start_time, EXCLUDED.end_time, "
                   "EXCLUDED.location, EXCLUDED.department_id) RETURNING (xmax = 0);"
                   % tuple(lit(r[k]) for k in ("id", "staff_id", "date", "start_time", "end_time",
                                                "location", "department_id")))
    out.append("COMMIT;")
    return "\n".join(out) + "\n"


def main(argv):
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
