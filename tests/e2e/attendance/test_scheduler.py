"""The scheduler service (issue 13; docs/operations.md "Scheduler"): in a
private `faceclock serve` ticking every second (FACECLOCK_SCHEDULER_INTERVAL;
the test stack's own scheduler is off, so other tests move time by
`faceclock alerts-tick`), a session past the hard limit raises its alert
with no scan and no command, and the alert is resolved once the session
is closed; kill -9 → respawned; the retention purge runs from it when its
last run (scheduler_runs) is 24 h old, audited by system:scheduler, and
only once when the scheduler is killed before its commit (the run, its
audit and its record are one transaction); a second master's scheduler waits for the lock until the first stops. The
auto-close of forgotten sessions (attendance_settings auto_close): at
the hard limit, at the rostered end plus auto_close_after_hours (an
unrostered session at the hard limit), never when off; time_out is the
computed time, the log waits in the review queue marked auto_closed (the
listings' items, the approvals page's badge), audited
clock_log.auto_closed by system:scheduler."""

import datetime
import os
import re
import signal

import fc
from attendance.att import AttHotel, near
from devices.iot import IotCase, IotHotel
from fcgi import server
from pages.browse import page, session
from people.test_pms_lock import Locker, blocked_by

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

    def test_purge_cut_before_its_commit_runs_once(self):
        """The scheduler killed while its purge waits to record the run
        (scheduler_runs locked by another session): the purge, its audit
        and its record are one transaction, so the next scheduler runs it
        once, not a second time after a first that had half committed."""
        fc.psql("INSERT INTO scheduler_runs (job, last_run) VALUES ('purge', now() - interval '25 hours') "
                "ON CONFLICT (job) DO UPDATE SET last_run = excluded.last_run")
        before = int(fc.psql("SELECT coalesce(max(id), 0) FROM action_audit_log"))
        ran = "SELECT count(*) FROM action_audit_log WHERE id > %d AND action = 'purge.ran' " \
              "AND actor = 'system:scheduler'" % before
        lock = Locker("LOCK TABLE scheduler_runs IN EXCLUSIVE MODE;")     # reads pass, writes wait
        try:
            s = self.server("schx", settings=FAST)
            waiting = fc.wait_for(lambda: blocked_by(lock.pid), WAIT)
            self.assertTrue(waiting, "the purge never reached its record:\n" + s.log_tail())
            pid = server.services(s.pid).get("scheduler")
            os.kill(pid, signal.SIGKILL)
            for backend in waiting:    # its connection goes with it, mid-transaction
                fc.psql("SELECT pg_terminate_backend(%d)" % backend)
            self.assertEqual(fc.psql(ran), "0")
        finally:
            lock.release()
        self.assertTrue(fc.wait_for(lambda: fc.psql("SELECT last_run > now() - interval '1 minute' "
                                                    "FROM scheduler_runs WHERE job = 'purge'") == "t", WAIT),
                        s.log_tail())
        self.assertEqual(fc.psql(ran), "1")

    def test_one_scheduler_among_masters(self):
        first = self.server("sch1", settings=FAST)
        self.assertTrue(fc.wait_for(lambda: "scheduler: every 1 s" in first.log(), WAIT), first.log_tail())
        second = self.server("sch2", settings=FAST)
        self.assertTrue(fc.wait_for(lambda: "another scheduler holds the lock" in second.log(), WAIT),
                        second.log_tail())
        self.assertNotIn("scheduler: every 1 s", second.log())
        self.assert_stopped_cleanly(first)
        self.assertTrue(fc.wait_for(lambda: "scheduler: every 1 s" in second.log(), WAIT), second.log_tail())


def iso(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class AutoClose(server.ServerTest):
    def closed_at(self, h, sid):
        """(epoch of time_out, auto_closed, is_approved) of sid's only log, or None while open."""
        row = fc.psql("SELECT extract(epoch FROM time_out)::bigint, auto_closed, is_approved FROM clock_logs "
                      "WHERE hotel_id = %d AND staff_id = %d AND time_out IS NOT NULL" % (h.hotel_id, sid))
        if not row:
            return None
        t, ac, ok = row.split("|")
        return int(t), ac == "t", ok == "t"

    def test_modes(self):
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        hard = AttHotel("ach").make()
        fc.assert_json(fc.patch(hard.path("attendance/settings/"), json={"auto_close": "hard_limit"},
                                token=hard.login("manager")), 200)
        shift = AttHotel("acs", timezone="Europe/Paris").make()
        got = shift.settings(auto_close="shift_end", auto_close_after_hours=1)
        self.assertEqual((got["auto_close"], got["auto_close_after_hours"]), ("shift_end", 1))
        off = AttHotel("aco").make()
        self.assertEqual(off.settings()["auto_close"], "off")

        t_hard = now - datetime.timedelta(hours=13)
        hard.import_logs((hard.people[0], iso(t_hard), None, None))
        # a shift that ended 4 h ago (hotel time), its session still open
        start = (now - datetime.timedelta(hours=8)).astimezone(shift.tz)
        end = (now - datetime.timedelta(hours=4)).astimezone(shift.tz)
        row = shift.shift_row(shift.people[0], start, end)
        shift.add_shifts(row)
        shift.import_logs((shift.people[0], iso(now - datetime.timedelta(hours=7, minutes=50)), None, row["id"]),
                          (shift.people[1], iso(t_hard), None, None))
        # rostered, its end plus 1 h still ahead: stays open
        later = shift.shift_row(shift.people[2], (now - datetime.timedelta(hours=2)).astimezone(shift.tz),
                                (now - datetime.timedelta(minutes=30)).astimezone(shift.tz))
        shift.add_shifts(later)
        shift.import_logs((shift.people[2], iso(now - datetime.timedelta(hours=2)), None, later["id"]))
        off.import_logs((off.people[0], iso(t_hard), None, None))

        s = self.server("acl", settings=FAST)
        want_hard = int((t_hard + datetime.timedelta(hours=12)).timestamp())
        self.assertTrue(fc.wait_for(lambda: self.closed_at(hard, hard.people[0]), WAIT), s.log_tail())
        self.assertEqual(self.closed_at(hard, hard.people[0]), (want_hard, True, False))
        self.assertTrue(fc.wait_for(lambda: self.closed_at(shift, shift.people[0])
                                    and self.closed_at(shift, shift.people[1]), WAIT), s.log_tail())
        self.assertEqual(self.closed_at(shift, shift.people[0]),
                         (int((end + datetime.timedelta(hours=1)).timestamp()), True, False))
        self.assertEqual(self.closed_at(shift, shift.people[1]), (want_hard, True, False))
        # every hotel's due sessions were closed in the same ticks: the others stay open
        self.assertIsNone(self.closed_at(shift, shift.people[2]))
        self.assertIsNone(self.closed_at(off, off.people[0]))

        # the review queue and the audit
        log_id = int(fc.psql("SELECT id FROM clock_logs WHERE hotel_id = %d AND staff_id = %d"
                             % (hard.hotel_id, hard.people[0])))
        pending = fc.assert_json(fc.get(hard.att("pending-approval/?limit=1000"),
                                        token=hard.login("manager")), 200)
        self.assertIn(log_id, [p["id"] for p in pending])
        self.assertIs(next(p for p in pending if p["id"] == log_id)["auto_closed"], True)
        logs = fc.assert_json(fc.get(hard.att("?limit=1000"), token=hard.login("manager")), 200)
        self.assertEqual([x["auto_closed"] for x in logs if x["id"] == log_id], [True])
        # the approvals page marks it with a badge
        text = page("/dashboard/approvals", session(hard, "manager")[0]).text
        row = re.search(r'<tr id="log-%d">.*?</tr>' % log_id, text, re.S)
        self.assertIsNotNone(row, text)
        self.assertIn('<span class="badge badge-warn">auto-closed</span>', row.group(0))
        audit = fc.assert_json(fc.admin("GET", hard.path("action-audit-logs/?action=clock_log.auto_closed")), 200)
        self.assertEqual([(a["actor"], a["target"], a["new_value"]["auto_close"]) for a in audit],
                         [("system:scheduler", "clock_log:%d" % log_id, "hard_limit")])
        # the manager's decision takes it out of the queue
        fc.assert_json(fc.post(hard.att("%d/approve/" % log_id), json={"approved": True},
                               token=hard.login("manager")), 200)
        pending = fc.assert_json(fc.get(hard.att("pending-approval/?limit=1000"),
                                        token=hard.login("manager")), 200)
        self.assertNotIn(log_id, [p["id"] for p in pending])
        self.assertEqual(audit[0]["old_value"], {"time_out": None})

    def test_bad_settings(self):
        h = AttHotel("acb").make()
        for body, field in (({"auto_close": "sometimes"}, "auto_close"),
                            ({"auto_close": 3}, "auto_close"),
                            ({"auto_close_after_hours": 25}, "auto_close_after_hours"),
                            ({"auto_close_after_hours": -1}, "auto_close_after_hours")):
            r = fc.patch(h.path("attendance/settings/"), json=body, token=h.login("manager"))
            fc.assert_error(r, 400, "VALIDATION_ERROR", field=field)
