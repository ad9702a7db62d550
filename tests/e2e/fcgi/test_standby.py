"""Reads on a standby (fcgi/db.h db_read_begin; docs/operations.md "Reads
on the standby"): this test makes a streaming standby of the stack's
PostgreSQL (pg_basebackup -R as the user PostgreSQL runs as, its own data
directory and unix socket in a directory of its own, started and stopped
by the test) and a second `faceclock serve` (fcgi/server.py) with
FACECLOCK_READ_DATABASE_URL naming it. Proves: an export of a route
declared READS_STANDBY is read on the standby (X-Read-From: standby, and
the standby's pg_stat_activity shows the worker's read connection); a
write answers the primary's WAL position (X-WAL-Position, the fc_wal
cookie) and a read carrying it back is served by the primary while the
standby has not replayed it (its replay paused), by the standby once it
has, and sees the write either way; a position that is not one means the
primary; Insights go to the standby; a device's full sync pull reads its
rows on the standby, but on the primary while the standby is behind the
version it is told; with the standby stopped the same
reads are answered by the primary, never an error."""

import csv
import io
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

import fc
from fcgi.server import Server

WAIT_S = 30.0


def conninfo(url):
    """{key: value} of a key=value conninfo (the stack writes those)."""
    return dict(kv.split("=", 1) for kv in shlex.split(url))


class Standby:
    """A hot standby of the stack's private cluster, streaming from it."""

    def __init__(self):
        if fc.ENV.get("FC_DB_MODE") != "private" or not fc.ENV.get("PG_BIN"):
            raise unittest.SkipTest("the stack's database is not its private cluster")
        app = conninfo(fc.ENV["DATABASE_URL"])
        owner = conninfo(fc.ENV["FACECLOCK_MIGRATE_URL"])
        self.primary_sock, self.db, self.owner = app["host"], app["dbname"], owner["user"]
        self.app_user = app["user"]
        self.bin = fc.ENV["PG_BIN"]
        self.run_as = fc.ENV.get("RUN_AS") if os.geteuid() == 0 else None
        if self.run_as == "root":
            self.run_as = None
        self.dir = tempfile.mkdtemp(prefix="fc-standby-")
        os.chmod(self.dir, 0o700)
        if self.run_as:
            shutil.chown(self.dir, self.run_as)
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "postgres.log")
        self.running = False

    def _cmd(self, args, timeout=120):
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        p = subprocess.run(prefix + args, capture_output=True, text=True, timeout=timeout, cwd="/")
        if p.returncode != 0:
            raise AssertionError("%s failed (%d): %s%s" % (args[0], p.returncode, p.stderr.strip(),
                                                            self.log_tail()))
        return p.stdout.strip()

    def log_tail(self):
        try:
            with open(self.log) as f:
                return "\n" + "".join(f.readlines()[-15:])
        except OSError:
            return ""

    def make(self):
        self._cmd([os.path.join(self.bin, "pg_basebackup"), "-h", self.primary_sock, "-U", self.owner,
                   "-D", self.data, "-R", "-X", "stream", "-c", "fast"], timeout=300)
        return self.start()

    def start(self):
        opts = "-k %s -c listen_addresses='' -c hot_standby=on -c shared_preload_libraries=''" % self.dir
        self._cmd([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "60",
                   "-o", opts, "start"])
        self.running = True
        return self

    def stop(self):
        if self.running:
            self._cmd([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"])
            self.running = False

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self):
        return "host=%s dbname=%s user=%s" % (self.dir, self.db, self.app_user)

    def psql(self, sql):
        return self._cmd([os.path.join(self.bin, "psql"), "-h", self.dir, "-U", self.owner, "-d", self.db,
                          "-X", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql])

    def replayed(self, lsn):
        return self.psql("SELECT pg_last_wal_replay_lsn() >= '%s'::pg_lsn" % lsn) == "t"


class Test1ReadsOnTheStandby(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("stby")
        cls.h.create()
        cls.standby = Standby()
        cls.server = None
        try:
            cls.standby.make()
            cls.server = Server("standby", workers=1,
                                settings={"FACECLOCK_READ_DATABASE_URL": cls.standby.url(),
                                          "FACECLOCK_READ_MAX_LAG": "30",
                                          # device keys and face data: the stack's keys
                                          "FACECLOCK_DATA_KEY": fc.ENV.get("FACECLOCK_DATA_KEY", "")}).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server is not None:
                cls.server.cleanup()
        finally:
            cls.standby.cleanup()

    def req(self, method, path, headers=None, json=None):
        return self.server.request(method, path, headers=headers, json=json,
                                   api_key=fc.ENV["FACECLOCK_ADMIN_KEY"])

    def export(self, headers=None):
        """The hotel's action audit export: (response, its rows as dicts)."""
        r = self.req("GET", self.h.path("action-audit-logs/?format=csv"), headers=headers)
        self.assertEqual(r.status, 200, r)
        got = list(csv.DictReader(io.StringIO(r.text)))
        self.assertEqual(len(got), int(r.header("X-Export-Rows")), r.header("X-Export-Rows"))
        return r, got

    def catch_up(self):
        """Until the standby has replayed what the primary has now."""
        lsn = fc.psql("SELECT pg_current_wal_lsn()")
        self.assertTrue(fc.wait_for(lambda: self.standby.replayed(lsn), WAIT_S),
                        "the standby did not replay %s in %.0f s%s" % (lsn, WAIT_S, self.standby.log_tail()))

    def settings_change(self, minutes):
        r = self.req("PATCH", self.h.path("attendance/settings/"), json={"duplicate_scan_seconds": minutes})
        self.assertEqual(r.status, 200, r)
        lsn = r.header("X-WAL-Position")
        self.assertRegex(lsn or "", r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$")
        cookies = r.header_all("Set-Cookie")
        self.assertTrue(any(c.startswith("fc_wal=%s;" % lsn) for c in cookies), cookies)
        return lsn

    @staticmethod
    def changed_to(rows, seconds):
        return [x for x in rows if x["action"] == "settings.changed"
                and re.search(r'"duplicate_scan_seconds": ?%d\b' % seconds, x.get("new_value", ""))]

    def test_1_an_export_is_read_on_the_standby(self):
        self.catch_up()
        r, rows = self.export()
        self.assertEqual(r.header("X-Read-From"), "standby")
        self.assertTrue(any(x["action"] == "hotel.created" for x in rows), rows[:3])
        # the worker's read connection is the standby's client
        self.assertEqual(self.standby.psql("SELECT count(*) > 0 FROM pg_stat_activity "
                                           "WHERE application_name = 'faceclock-read'"), "t")
        # the same route's JSON page is not a marked read: the primary, no header
        page = self.req("GET", self.h.path("action-audit-logs/"))
        self.assertEqual(page.status, 200, page)
        self.assertIsNone(page.header("X-Read-From"))
        # nor is a route not declared READS_STANDBY
        alerts = self.req("GET", self.h.path("alerts/?format=csv"))
        self.assertEqual(alerts.status, 200, alerts)
        self.assertIsNone(alerts.header("X-Read-From"))

    def test_2_a_write_then_a_read_sees_the_write(self):
        self.catch_up()
        self.standby.psql("SELECT pg_wal_replay_pause()")
        try:
            self.assertTrue(fc.wait_for(lambda: self.standby.psql(
                "SELECT pg_get_wal_replay_pause_state()") == "paused", WAIT_S))
            lsn = self.settings_change(91)
            # carried back: the standby has not replayed it, the primary answers
            r, rows = self.export({"X-WAL-Position": lsn})
            self.assertEqual(r.header("X-Read-From"), "primary; behind")
            self.assertEqual(len(self.changed_to(rows, 91)), 1, rows[:3])
            r, rows = self.export({"Cookie": "fc_wal=%s" % lsn})     # the page's way
            self.assertEqual(r.header("X-Read-From"), "primary; behind")
            self.assertEqual(len(self.changed_to(rows, 91)), 1)
            # not carried: the standby, which does not have it yet
            r, rows = self.export()
            self.assertEqual(r.header("X-Read-From"), "standby")
            self.assertEqual(self.changed_to(rows, 91), [])
        finally:
            self.standby.psql("SELECT pg_wal_replay_resume()")
        self.assertTrue(fc.wait_for(lambda: self.standby.replayed(lsn), WAIT_S))
        r, rows = self.export({"X-WAL-Position": lsn})
        self.assertEqual(r.header("X-Read-From"), "standby")
        self.assertEqual(len(self.changed_to(rows, 91)), 1)

    def test_3_a_position_that_is_not_one_means_the_primary(self):
        for bad in ("junk", "0/", "123456789/0", "0/0 0"):
            r, _ = self.export({"X-WAL-Position": bad})
            self.assertEqual(r.header("X-Read-From"), "primary; behind", bad)

    def test_4_insights_on_the_standby(self):
        self.catch_up()
        r = self.req("GET", self.h.path("insights/"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("X-Read-From"), "standby")
        self.assertIn("recognition", r.json)

    def test_4b_a_full_sync_pull_on_the_standby_never_older_than_its_version(self):
        from devices.iot import IotHotel, emp, q
        h = IotHotel("stbysync", extra=2).make()
        dev = h.device("sb-a")
        p0, p1 = h.people[0], h.people[1]
        h.enroll(p0)
        h.enroll(p1)
        h.push_ok(p0, dev)
        path = q("/api/iot/enrollments/sync", device_id=dev.device_id, since_version=0)

        def pull():
            r = self.server.request("GET", path, api_key=dev.key)
            self.assertEqual(r.status, 200, r)
            return r, {a["user_id"] for a in r.json["additions"]}

        # the standby must have what the primary has at the pull: on a busy
        # stack a pull may come while it replays the last moment (the primary
        # then serves it); until a pull finds it caught up
        self.catch_up()
        r, users = fc.wait_for(lambda: (lambda x: x if x[0].header("X-Read-From") == "standby" else None)(pull()),
                               WAIT_S, 0.2) or pull()
        self.assertEqual(r.header("X-Read-From"), "standby")
        self.assertEqual(users, {emp(p0)})
        self.assertEqual(r.json["sync_version"], h.version())
        # the standby paused behind a push: the version read on the primary
        # is past it, so the primary serves the rows
        self.standby.psql("SELECT pg_wal_replay_pause()")
        try:
            self.assertTrue(fc.wait_for(lambda: self.standby.psql(
                "SELECT pg_get_wal_replay_pause_state()") == "paused", WAIT_S))
            h.push_ok(p1, dev)
            r, users = pull()
            self.assertEqual(r.header("X-Read-From"), "primary; behind")
            self.assertEqual(users, {emp(p0), emp(p1)})
            self.assertEqual(r.json["sync_version"], h.version())
        finally:
            self.standby.psql("SELECT pg_wal_replay_resume()")
        self.catch_up()
        r, users = fc.wait_for(lambda: (lambda x: x if x[0].header("X-Read-From") == "standby" else None)(pull()),
                               WAIT_S, 0.2) or pull()
        self.assertEqual(r.header("X-Read-From"), "standby")
        self.assertEqual(users, {emp(p0), emp(p1)})

    def test_5_the_standby_stopped_the_primary_answers(self):
        lsn = self.settings_change(92)
        self.standby.stop()
        try:
            for _ in range(3):
                r, rows = self.export({"X-WAL-Position": lsn})
                self.assertEqual(r.header("X-Read-From"), "primary; down")
                self.assertEqual(len(self.changed_to(rows, 92)), 1)
                r, rows = self.export()
                self.assertEqual(r.header("X-Read-From"), "primary; down")
                i = self.req("GET", self.h.path("insights/"))
                self.assertEqual(i.status, 200, i)
                self.assertEqual(i.header("X-Read-From"), "primary; down")
        finally:
            self.standby.start()
        # back: after the read connection's retry interval, the standby again
        self.catch_up()
        self.assertTrue(fc.wait_for(lambda: self.export()[0].header("X-Read-From") == "standby", WAIT_S, 0.5))


if __name__ == "__main__":
    unittest.main()
