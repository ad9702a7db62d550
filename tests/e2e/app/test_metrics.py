"""GET /metrics: the seed's families (issue 13) — recognition attempts by
outcome per hotel, the confidence histogram, the latency histogram per
route, audit rows written, alerts by rule and state — present and
counting after scans; the hotel
label bounded (at most 32 hotels named, the rest as _other); the
persisted day counts (recognition_daily) the Insights page reads; the
live subscribers nchan holds (two SSE subscribers counted, gone once
closed), read from nchan's stub status on the internal socket only (the
public server answers 404 there), and left out, never a 5xx, when nginx
cannot be read (no socket, or one that never answers)."""

import os
import re
import socket
import unittest

import fc
from attendance.att import AttHotel, along, near, person
from fcgi import server
from live.sse import Sse

OUTCOMES = ("recognised", "not_recognised", "low_confidence", "ambiguous")
SERIES = re.compile(r'^([a-z_]+)(?:\{(.*)\})? ([0-9.e+-]+)$')


def scrape():
    r = fc.get("/metrics")
    if r.status != 200:
        raise AssertionError("/metrics answered %d" % r.status)
    out = []
    for line in r.text.splitlines():
        if line.startswith("#") or not line:
            continue
        m = SERIES.match(line)
        if m is None:
            raise AssertionError("not a Prometheus sample: %r" % line)
        labels = dict(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2) or ""))
        out.append((m.group(1), labels, float(m.group(3))))
    return out, r.text


def value(samples, name, **labels):
    """The sum of name's samples whose labels include labels."""
    return sum(v for n, l, v in samples
               if n == name and all(l.get(k) == want for k, want in labels.items()))


class Metrics(unittest.TestCase):

    def test_families_present(self):
        scrape()                 # a request is observed once answered: this one shows in the next
        _, text = scrape()
        for family, kind in (("faceclock_recognition_attempts_total", "counter"),
                             ("faceclock_recognition_confidence", "histogram"),
                             ("faceclock_request_duration_seconds", "histogram"),
                             ("faceclock_audit_rows_total", "counter")):
            self.assertIn("# TYPE %s %s\n" % (family, kind), text)
        for log in ("face", "action"):
            self.assertRegex(text, r'faceclock_audit_rows_total\{log="%s"\} \d+' % log)
        self.assertRegex(text, r'faceclock_request_duration_seconds_bucket\{route="healthz",le="\+Inf"\} \d+')
        self.assertRegex(text, r'faceclock_request_duration_seconds_count\{route="metrics"\} \d+')

    def test_alerts_gauge(self):
        """faceclock_alerts: every hotel's alerts not resolved, by rule and
        state, read from the database at each scrape."""
        h = AttHotel("metricsal", extra=1).make()
        before, text = scrape()
        self.assertIn("# TYPE faceclock_alerts gauge\n", text)
        n = value(before, "faceclock_alerts", rule="face_revoked", state="open")
        fc.psql("INSERT INTO alerts (hotel_id, rule, subject) VALUES (%d, 'face_revoked', 'staff:%d')"
                % (h.hotel_id, h.people[0]))
        after, _ = scrape()
        self.assertEqual(value(after, "faceclock_alerts", rule="face_revoked", state="open"), n + 1)
        fc.psql("UPDATE alerts SET state = 'resolved', resolved_by = 'user:t', resolved_at = now() "
                "WHERE hotel_id = %d" % h.hotel_id)
        again, _ = scrape()
        self.assertEqual(value(again, "faceclock_alerts", rule="face_revoked", state="open"), n)

    def test_scans_counted_per_hotel_and_outcome(self):
        h = AttHotel("metrics", extra=4).make()
        a, b = h.people[:2]
        s = person()
        fa = h.register(a, along(s, 0, 0.20))
        h.register(b, along(s, 1, 0.24))        # within 0.05 of A from s: ambiguous
        before, _ = scrape()
        plan = {"recognised": 2, "not_recognised": 1, "low_confidence": 1, "ambiguous": 1}
        fc.assert_json(h.scan(fa), 200)
        fc.assert_json(h.scan(near(fa, 0.05)), 200)
        fc.assert_error(h.scan(person()), 404, "FACE_NOT_RECOGNIZED")
        fc.assert_error(h.scan(near(fa, 0.5)), 403, "FACE_CONFIDENCE_TOO_LOW")
        fc.assert_error(h.scan(s), 403, "FACE_CONFIDENCE_TOO_LOW")
        after, _ = scrape()
        name = "faceclock_recognition_attempts_total"
        for outcome, n in plan.items():
            # the hotel by its slug, or under _other once 32 hotels have been named
            got = (value(after, name, outcome=outcome, hotel=h.slug) + value(after, name, outcome=outcome, hotel="_other")
                   - value(before, name, outcome=outcome, hotel=h.slug)
                   - value(before, name, outcome=outcome, hotel="_other"))
            self.assertEqual(got, n, outcome)
        hotels = {l.get("hotel") for n, l, _ in after if n == name}
        self.assertLessEqual(len(hotels - {"_other"}), 32)
        conf = "faceclock_recognition_confidence_count"
        self.assertEqual(value(after, conf) - value(before, conf), 5)
        # every scan above had a nearest face; only the stranger's (~2.4 away) is under 0.5
        b05 = "faceclock_recognition_confidence_bucket"
        self.assertEqual(value(after, b05, le="0.5") - value(before, b05, le="0.5"), 1)
        self.assertEqual(value(after, b05, le="1") - value(before, b05, le="1"), 5)
        lat = "faceclock_request_duration_seconds_count"
        self.assertGreaterEqual(value(after, lat, route="clock.face") - value(before, lat, route="clock.face"), 5)
        # the persisted day counts
        rows = fc.psql("SELECT outcome, sum(attempts) FROM recognition_daily WHERE hotel_id = %d "
                       "GROUP BY outcome" % h.hotel_id)
        got = dict(line.split("|") for line in rows.splitlines())
        self.assertEqual({k: int(v) for k, v in got.items()}, plan)

    def test_refused_for_disabled_hotel_not_an_attempt(self):
        h = AttHotel("metricsoff", extra=1).make()
        f = h.register(h.people[0])
        h.settings(face_attendance_enabled=False)
        fc.assert_error(h.scan(f), 403, "FACE_DISABLED_FOR_HOTEL")
        self.assertEqual(h.db_count("recognition_daily"), 0)

    def test_audit_rows_counted_when_committed(self):
        h = AttHotel("metricsaudit", extra=1).make()
        face_rows = "SELECT count(*) FROM face_audit_log"
        action_rows = "SELECT count(*) FROM action_audit_log"
        before, _ = scrape()
        f0, a0 = int(fc.psql(face_rows)), int(fc.psql(action_rows))
        h.register(h.people[0])                          # REGISTERED
        h.settings(break_warning_hours=5.5)              # settings.update
        fc.assert_json(fc.admin("DELETE", h.att("revoke-face/%d/" % h.people[0]), json={"reason": "Staff departure"}), 200)
        after, _ = scrape()
        f1, a1 = int(fc.psql(face_rows)), int(fc.psql(action_rows))
        name = "faceclock_audit_rows_total"
        self.assertGreaterEqual(f1 - f0, 2)
        self.assertGreaterEqual(a1 - a0, 1)
        self.assertEqual(value(after, name, log="face") - value(before, name, log="face"), f1 - f0)
        self.assertEqual(value(after, name, log="action") - value(before, name, log="action"), a1 - a0)


LIVE = "faceclock_live_subscribers"


class LiveSubscribers(server.ServerTest):
    def subscribers(self):
        samples, text = scrape()
        self.assertIn("# TYPE %s gauge\n" % LIVE, text)
        return value(samples, LIVE)

    def test_counts_open_subscribers(self):
        h = AttHotel("metricslive").make()
        base = self.subscribers()
        subs = [Sse("/api/events/hotel/%s" % h.slug, token=h.login(role)) for role in ("manager", "admin")]
        try:
            for s in subs:
                self.assertEqual(s.status, 200, s.body)
            fc.wait_for(lambda: self.subscribers() - base == 2, 10.0)
            self.assertEqual(self.subscribers() - base, 2)
        finally:
            for s in subs:
                s.close()
        self.assertTrue(fc.wait_for(lambda: self.subscribers() == base, 10.0), self.subscribers())

    def test_status_not_public(self):
        for path in ("/nchan-status", "/nchan-status/", "/pub/hotel/x"):
            r = fc.get(path)
            self.assertEqual(r.status, 404, (path, r))
            self.assertNotIn("subscribers:", r.text)

    def test_left_out_when_nginx_cannot_be_read(self):
        silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path = os.path.join(fc.ENV["FC_VAR"], "silent-nchan-%d.sock" % os.getpid())
        if os.path.exists(path):
            os.unlink(path)
        silent.bind(path)
        silent.listen(8)                  # connects, never answers
        os.chmod(path, 0o777)
        self.addCleanup(os.unlink, path)
        self.addCleanup(silent.close)
        for name, sock in (("nosock", "/nonexistent/nchan.sock"), ("silent", path)):
            with self.subTest(name):
                s = self.server("m" + name, settings={"FACECLOCK_NCHAN_PUB": sock})
                r = s.request("GET", "/metrics", timeout=10)
                self.assertEqual(r.status, 200, r)
                self.assertIn("faceclock_alerts", r.text)
                self.assertNotIn(LIVE, r.text)
