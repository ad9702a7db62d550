"""Helpers shared by the attendance/ tests and the others that clock in or
register faces (no tests here; the name has no test_ prefix).

- Synthetic face descriptors: person() is a random 128-vector (norm ~1.7;
  two people are ~2.4 apart, never under 1.0 in practice); near(base, d)
  is the same face seen again at exactly Euclidean distance d (base + d·u
  for a random unit u); along(base, axis, d) moves along coordinate axis
  `axis`, so several such points are mutually orthogonal offsets.
- AttHotel: an fc.Hotel (time zone UTC unless told) with extra staff
  without logins, a kiosk, and short-cuts for settings, registration,
  scans, roster shifts around "now" in the hotel's own time zone, imported
  open sessions (PMS sync clock_logs) and database look-ups.
"""

import datetime
import math
import random
import unittest
import zoneinfo

import fc

DIM = 128
ATT = "attendance/clock-logs/"
_rng = random.SystemRandom()

CLOCK_FIELDS = {"message", "staff_id", "staff_name", "action", "is_rostered", "shift_info",
                "session_duration_hours", "needs_break_warning", "needs_long_session_warning",
                "needs_hard_stop_warning", "overtime_threshold_reached", "should_clock_out",
                "log", "confidence"}
LOG_FIELDS = {"id", "staff_id", "time_in", "time_out", "roster_shift_id", "verified_by_face",
              "is_unrostered", "is_approved", "long_session_ack_mode", "source", "auto_closed"}
SHIFT_FIELDS = {"id", "date", "start_time", "end_time", "location", "department"}
FLAG_NAMES = ("needs_break_warning", "needs_long_session_warning", "needs_hard_stop_warning",
              "should_clock_out")


# ------------------------------------------------------------ descriptors

def person():
    return [_rng.gauss(0.0, 0.15) for _ in range(DIM)]


def unit():
    v = [_rng.gauss(0.0, 1.0) for _ in range(DIM)]
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def near(base, d):
    """A descriptor at Euclidean distance d from base, in a random direction."""
    u = unit()
    return [b + d * x for b, x in zip(base, u)]


def along(base, axis, d):
    """base moved by d along coordinate axis `axis` (exactly d away)."""
    v = list(base)
    v[axis] += d
    return v


def dist(a, b):
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))


def confidence(d):
    return max(0.0, 1.0 - d / 3.0)


# ------------------------------------------------------------------- time

def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(seconds):
    """RFC 3339 (whole seconds, rounded down) of now − seconds: the session
    it starts is at least `seconds` old."""
    t = utc_now() - datetime.timedelta(seconds=seconds)
    return rfc3339(t.replace(microsecond=0))


# ------------------------------------------------------------------ hotel

def staff_name(sid):
    return "F%d L%d" % (sid % 1000, sid % 1000)


class AttHotel(fc.Hotel):
    """A hotel for attendance tests. extra= staff without logins, ids
    self.people[0..extra-1], alternating the two departments; one more,
    self.no_dept, has no department."""

    def __init__(self, tag="att", timezone="UTC", extra=6):
        super().__init__(tag, timezone=timezone)
        self.people = [self.base + 300 + i for i in range(extra)]
        for i, sid in enumerate(self.people):
            self.staff.append(self.staff_row(sid, self.dept[i % 2], "staff"))
        self.no_dept = self.base + 990
        row = self.staff_row(self.no_dept, None, "staff")
        del row["department_id"]
        self.staff.append(row)
        self.tz = zoneinfo.ZoneInfo(timezone)
        self._next_shift = 600
        self._kiosk = None
        self._hotel_id = None

    def make(self):
        self.create()
        return self

    # --- paths and callers
    def att(self, rest=""):
        return self.path(ATT + rest)

    @property
    def kiosk(self):
        if self._kiosk is None:
            self._kiosk = self.new_kiosk("Att kiosk")["api_key"]
        return self._kiosk

    def tok(self, role):
        return {"token": self.login(role)}

    @property
    def hotel_id(self):
        if self._hotel_id is None:
            self._hotel_id = int(fc.psql("SELECT id FROM hotels WHERE slug = %s" % fc.sql_str(self.slug)))
        return self._hotel_id

    def dept_name(self, dept_id):
        return {self.dept[0]: "Reception", self.dept[1]: "Housekeeping"}.get(dept_id)

    def dept_of(self, sid):
        for r in self.staff:
            if r["id"] == sid:
                return r.get("department_id")
        return None

    # --- settings
    def settings(self, **kw):
        r = fc.admin("PATCH", self.path("attendance/settings/"), json=kw)
        return fc.assert_json(r, 200)

    def alert_rules(self, **rules):
        """PATCH the hotel's alert rules ({rule: {field: value}})."""
        r = fc.admin("PATCH", self.path("alerts/rules/"), json=rules)
        return fc.assert_json(r, 200)

    # --- face data
    def register(self, sid, desc=None):
        desc = desc if desc is not None else person()
        r = fc.admin("POST", self.att("register-face/"),
                     json={"descriptor": desc, "consent_given": True, "staff_id": sid})
        fc.assert_json(r, 201)
        return desc

    def scan(self, desc, api_key=None, **extra):
        body = {"descriptor": desc}
        body.update(extra)
        return fc.post(self.att("face-clock-in/"), json=body, api_key=api_key or self.kiosk)

    # --- time and roster
    def now_local(self):
        return utc_now().astimezone(self.tz)

    def shift_row(self, sid, start_local, end_local, location="Front Desk", dept=None):
        """A roster row from start_local to end_local (aware datetimes in
        the hotel's zone; the date is start's date)."""
        self._next_shift += 1
        row = {"id": self.base + self._next_shift, "staff_id": sid,
               "date": start_local.strftime("%Y-%m-%d"),
               "start_time": start_local.strftime("%H:%M:%S"),
               "end_time": end_local.strftime("%H:%M:%S"), "location": location}
        d = dept if dept is not None else self.dept_of(sid)
        if d is not None:
            row["department_id"] = d
        return row

    def add_shifts(self, *rows):
        r = fc.admin("PUT", self.sync_path, json={"roster": list(rows)})
        fc.assert_json(r, 200)
        return rows

    def shift_now(self, sid, before_s=3600, after_s=7 * 3600, **kw):
        """A shift of sid running from now − before_s to now + after_s."""
        now = self.now_local().replace(microsecond=0)
        row = self.shift_row(sid, now - datetime.timedelta(seconds=before_s),
                             now + datetime.timedelta(seconds=after_s), **kw)
        self.add_shifts(row)
        return row

    def import_logs(self, *logs):
        """PMS sync clock_logs rows: (staff_id, time_in, time_out, shift_id)."""
        rows = [{"staff_id": s, "time_in": ti, "time_out": to, "roster_shift_id": sh}
                for s, ti, to, sh in logs]
        fc.assert_json(fc.admin("PUT", self.sync_path, json={"clock_logs": rows}), 200)

    # --- database look-ups (inspection only)
    def db_logs(self, sid=None):
        """Clock logs as dicts (id, staff_id, open, is_unrostered, is_approved,
        long_session_ack_mode, source), oldest first."""
        where = "hotel_id = %d" % self.hotel_id
        if sid is not None:
            where += " AND staff_id = %d" % sid
        out = fc.psql("SELECT id, staff_id, time_out IS NULL, is_unrostered, is_approved, "
                      "coalesce(long_session_ack_mode, ''), source FROM clock_logs WHERE %s "
                      "ORDER BY time_in, id" % where)
        rows = []
        for line in out.splitlines():
            f = line.split("|")
            rows.append({"id": int(f[0]), "staff_id": int(f[1]), "open": f[2] == "t",
                         "is_unrostered": f[3] == "t", "is_approved": f[4] == "t",
                         "long_session_ack_mode": f[5] or None, "source": f[6]})
        return rows

    def db_count(self, table, where="TRUE"):
        return int(fc.psql("SELECT count(*) FROM %s WHERE hotel_id = %d AND (%s)"
                           % (table, self.hotel_id, where)))

    def state(self):
        """A snapshot of everything a refused request must leave alone."""
        return (self.db_logs(), self.db_count("face_audit_log"), self.db_count("face_data"),
                self.db_count("used_confirmation_tokens"))

    def open_log_id(self, sid):
        ids = [r["id"] for r in self.db_logs(sid) if r["open"]]
        if len(ids) != 1:
            raise AssertionError("staff %d has %d open sessions" % (sid, len(ids)))
        return ids[0]

    def audit(self, sid, **kw):
        q = "face-audit-logs/?staff_id=%d" % sid
        for k, v in kw.items():
            q += "&%s=%s" % (k, v)
        return fc.assert_json(fc.admin("GET", self.att(q)), 200)


class AttCase(unittest.TestCase):
    """Checks shared by the attendance tests."""

    def assert_log(self, log, sid):
        self.assertIsInstance(log, dict)
        self.assertTrue(LOG_FIELDS <= set(log), "log lacks %s: %r" % (LOG_FIELDS - set(log), log))
        self.assertIsInstance(log["id"], int)
        self.assertEqual(log["staff_id"], sid)
        fc.parse_ts(log["time_in"])
        if log["time_out"] is not None:
            fc.parse_ts(log["time_out"])

    def assert_clock(self, r, status, action, sid, hotel, d=None, scanned=True):
        """A clock-in/out answer: status, action, every field, message,
        name, confidence (when the distance d is known); returns the body.
        scanned=False: the answer of a request without a face scan
        (confirmation, force-log), which names no match: "confidence" is
        null or absent."""
        body = fc.assert_json(r, status)
        fields = CLOCK_FIELDS if scanned else CLOCK_FIELDS - {"confidence"}
        self.assertTrue(fields <= set(body), "missing %s in %r" % (fields - set(body), body))
        self.assertEqual(body["action"], action, body)
        self.assertEqual(body["staff_id"], sid)
        self.assertEqual(body["staff_name"], staff_name(sid))
        word = {"CLOCK_IN": "Clock-in", "CLOCK_OUT": "Clock-out"}[action]
        self.assertEqual(body["message"], "%s successful for %s" % (word, staff_name(sid)))
        self.assert_log(body["log"], sid)
        if action == "CLOCK_IN":
            self.assertIsNone(body["log"]["time_out"])
            self.assertEqual(body["session_duration_hours"], 0)
            for k in FLAG_NAMES + ("overtime_threshold_reached",):
                self.assertIs(body[k], False, k)
        else:
            self.assertIsNotNone(body["log"]["time_out"])
        if scanned:
            self.assertIsInstance(body["confidence"], (int, float))
            self.assertEqual(round(body["confidence"], 3), body["confidence"], "confidence not rounded to 3 decimals")
        else:
            self.assertIsNone(body.get("confidence"), "confidence without a scan")
        if d is not None:
            self.assertAlmostEqual(body["confidence"], round(confidence(d), 3), delta=0.0011)
        return body

    def assert_shift_info(self, info, row, hotel):
        self.assertIsInstance(info, dict)
        self.assertEqual(set(info), SHIFT_FIELDS, info)
        self.assertEqual(info["id"], row["id"])
        self.assertEqual(info["date"], row["date"])
        self.assertEqual(info["start_time"], row["start_time"])
        self.assertEqual(info["end_time"], row["end_time"])
        self.assertEqual(info["location"], row["location"])
        self.assertEqual(info["department"], hotel.dept_name(row.get("department_id")))
