"""The scheduler service (issue 13; docs/operations.md "Scheduler"): in a
private `faceclock serve` ticking every second (FACECLOCK_SCHEDULER_INTERVAL;
the test stack's own scheduler is off, so other tests move time by
`faceclock alerts-tick`), a session past the hard limit raises its alert
with no scan and no command, and the alert is resolved once the session
is closed; kill -9 → respawned; the retention purge runs from it when its
last run (scheduler_runs) is 24 h old, audited by system:scheduler; a
second master's scheduler waits for the lock until the first stops."""

import os
import signal

import fc
from attendance.att import near
from devices.iot import IotCase, IotHotel
from fcgi import server

WAIT = 20.0
FAST = {"FACECLOCK_SCHEDULER_INTERVAL": "1"}


def open_alerts(hotel_id, rule, state):
    return int(fc.psql("SELECT count(*) FROM alerts WHERE hotel_id = %d AND rule = '%s' AND state = '%s'"
                       % (hotel_id, rule, state)))


class Scheduler(IotCase, server.ServerTest):
    def test_time_passing_raises_and_closing_resolves(self):
        h = IotHotel("sch").make()
        h.settings(duplicate_scan_seconds=0, enforce_limits=False)
        sid = h.people[0]
        face = h.register(sid)
        h.shift_now(sid)
        self.assert_clock(h.scan(near(face, 0.05)), 201, "CLOCK_IN", sid, h)
        fc.psql("UPDATE clock_logs SET time_in = now() - interval '13 hours' WHERE hotel_id = %d "
                "AND time_out IS NULL" % h.hotel_id)
        s = self.server("sched", settings=FAST)
        self.assertTrue(fc.wait_for(lambda: open_alerts(h.hotel_id, "hard_limit", "open") == 1, WAIT),
                        "no hard_limit alert from the scheduler:\n" + s.log_tail())
        self.assert_clock(h.scan(near(face, 0.05)), 200, "CLOCK_OUT", sid, h)
        self.assertTrue(fc.wait_for(lambda: open_alerts(h.hotel_id, "hard_limit", "resolved") == 1, WAIT),
                        "the alert was not resolved:\n" + s.log_tail())
        by = fc.psql("SELECT resolved_by FROM alerts WHERE hotel_id = %d AND rule = 'hard_limit'" % h.hotel_id)
        self.assertEqual(by, "system:alerts")

    def test_killed_scheduler_is_respawned(self):
        s = self.server("schk", settings=FAST)
        old = fc.wait_for(lambda: server.services(s.pid).get("scheduler"), 10.0)
        self.assertTrue(old, "no svc:scheduler under the master:\n" + s.log_tail())
        os.kill(old, signal.SIGKILL)
        new = fc.wait_for(lambda: (server.services(s.pid).get("scheduler") or old) != old
                          and server.services(s.pid).get("scheduler"), 10.0)
        self.assertTrue(new, "the scheduler was not respawned:\n" + s.log_tail())
        self.assertTrue(fc.wait_for(lambda: "service scheduler (%d) killed by signal 9" % old in s.log(), 5.0),
                        s.log_tail())

    def test_purge_runs_when_due(self):
        s = self.server("schp", settings=FAST)
        # the first tick starts the day's count when there is no row yet
        self.assertTrue(fc.wait_for(lambda: fc.psql("SELECT count(*) FROM scheduler_runs WHERE job = 'purge'")
                                    == "1", WAIT), s.log_tail())
        before = int(fc.psql("SELECT coalesce(max(id), 0) FROM action_audit_log"))
        fc.psql("UPDATE scheduler_runs SET last_run = now() - interval '25 hours' WHERE job = 'purge'")
        ran = "SELECT count(*) FROM action_audit_log WHERE id > %d AND action = 'purge.ran' " \
              "AND actor = 'system:scheduler'" % before
        self.assertTrue(fc.wait_for(lambda: fc.psql(ran) == "1", WAIT), "no purge:\n" + s.log_tail())
        self.assertEqual(fc.psql("SELECT last_run > now() - interval '1 minute' FROM scheduler_runs "
                                 "WHERE job = 'purge'"), "t")

    def test_one_scheduler_among_masters(self):
        first = self.server("sch1", settings=FAST)
        self.assertTrue(fc.wait_for(lambda: "scheduler: every 1 s" in first.log(), WAIT), first.log_tail())
        second = self.server("sch2", settings=FAST)
        self.assertTrue(fc.wait_for(lambda: "another scheduler holds the lock" in second.log(), WAIT),
                        second.log_tail())
        self.assertNotIn("scheduler: every 1 s", second.log())
        self.assert_stopped_cleanly(first)
        self.assertTrue(fc.wait_for(lambda: "scheduler: every 1 s" in second.log(), WAIT), second.log_tail())
