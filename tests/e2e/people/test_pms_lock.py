"""A PMS sync never freezes its hotel (issue 11): while a sync of the
hotel is in the middle of its transaction, a scan (clock-in) of a person
whose staff row it has just rewritten and the login of a user whose login
row it has just read both finish, and PostgreSQL's own lock accounting
(pg_blocking_pids) never shows any backend waiting for the sync's. The
sync is held mid-transaction from outside: a second connection holds a
table lock on roster_shifts, which the sync writes after its staff and
logins, so no timing is involved. A re-sync sending the same passwords
leaves every stored scrypt hash as it was, byte for byte, and a new
password gets a new hash that logs in."""

import subprocess
import threading
import unittest

import fc
from attendance.att import AttHotel, near

EXTRA = 2000            # staff rows the held sync writes before its roster


class Locker:
    """A psql session of the owner role holding a lock until release()."""

    def __init__(self, lock_sql):
        url = fc.ENV.get("FACECLOCK_MIGRATE_URL")
        if not url:
            raise unittest.SkipTest("no FACECLOCK_MIGRATE_URL in the stack's env")
        self.p = subprocess.Popen(fc._psql_cmd() + [url, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/")
        self.pid = int(self.ask("SELECT pg_backend_pid();"))
        self.ask("BEGIN; %s SELECT 'held';" % lock_sql)

    def ask(self, sql):
        self.p.stdin.write(sql + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline().strip()
        if not line:
            raise AssertionError("psql of the lock holder ended: %r" % sql)
        return line

    def release(self):
        if self.p.poll() is None:
            self.p.stdin.write("ROLLBACK;\n")
            self.p.stdin.close()
            self.p.wait(fc.TIMEOUT)


def blocked_by(pid):
    """Backends waiting for a lock pid holds (PostgreSQL's accounting)."""
    out = fc.psql("SELECT pid FROM pg_stat_activity WHERE %d = ANY(pg_blocking_pids(pid))" % pid)
    return [int(x) for x in out.split()]


class SyncLocks(unittest.TestCase):
    def setUp(self):
        h = self.h = AttHotel("pmslock").make()
        self.sid = h.people[0]
        self.desc = h.register(self.sid)
        h.shift_now(self.sid)
        self.kiosk = h.kiosk

    def big_body(self):
        """The hotel again with EXTRA new staff, each rostered; the scanned
        person, the manager (a login) and every other row renamed, so the
        sync rewrites them."""
        h = self.h
        body = h.body()
        for row in body["staff"]:
            row["last_name"] = "Renamed"
        ids = [5_000_000_000 + i for i in range(EXTRA)]
        body["staff"] += [h.staff_row(sid, h.dept[sid % 2], "staff") for sid in ids]
        body["roster"] += [{"id": sid, "staff_id": sid, "date": "2030-01-15",
                            "start_time": "09:00:00", "end_time": "17:00:00"} for sid in ids]
        return body

    def run_held(self, during):
        """PUT the big body while roster_shifts is held; once the sync waits
        for that lock, run during() in a thread and fail as soon as any
        other backend waits for the sync's. Returns during()'s result."""
        h = self.h
        locker = Locker("LOCK TABLE roster_shifts IN SHARE ROW EXCLUSIVE MODE;")
        sync, result = {}, {}
        put = threading.Thread(target=lambda: sync.update(r=fc.admin("PUT", h.sync_path, json=self.big_body())))
        act = threading.Thread(target=lambda: result.update(r=during()))
        try:
            put.start()
            waiting = fc.wait_for(lambda: blocked_by(locker.pid), fc.TIMEOUT)
            self.assertEqual(len(waiting), 1, "the sync never reached its roster: %r" % sync)
            sync_pid = waiting[0]
            act.start()
            while act.is_alive():
                stuck = blocked_by(sync_pid)
                self.assertEqual(stuck, [], "a request of the hotel waits for the PMS sync's locks")
                act.join(0.05)
            self.assertTrue(put.is_alive(), "the sync ended before the requests ran")
            self.assertEqual(blocked_by(locker.pid), [sync_pid], "the sync is no longer held")
        finally:
            locker.release()
            put.join(fc.TIMEOUT)
            act.join(fc.TIMEOUT)
        body = fc.assert_json(sync["r"], 200)
        self.assertEqual(body["staff"]["created"], EXTRA, body)
        return result["r"]

    def test_scan_and_login_during_a_sync(self):
        h = self.h
        manager = h.users["manager"]

        def scan_and_login():
            return h.scan(near(self.desc, 0.05), api_key=self.kiosk), fc.login(manager["username"],
                                                                              manager["password"])
        scan, login = self.run_held(scan_and_login)
        self.assertEqual(fc.assert_json(scan, 201)["action"], "CLOCK_IN")
        self.assertIsInstance(fc.assert_json(login, 200)["token"], str)
        self.assertEqual(len(h.db_logs(self.sid)), 1)


class Passwords(unittest.TestCase):
    def hashes(self, h):
        out = fc.psql("SELECT username, password_hash FROM users u JOIN hotels h ON h.id = u.hotel_id "
                      "WHERE h.slug = %s" % fc.sql_str(h.slug))
        return dict(line.split("|", 1) for line in out.splitlines())

    def test_same_password_keeps_the_hash_new_one_replaces_it(self):
        h = fc.Hotel("pmspw")
        h.create()
        before = self.hashes(h)
        self.assertEqual(len(before), len(h.users) + 1)
        for _ in range(2):
            fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": h.body()["staff"]}), 200)
            self.assertEqual(self.hashes(h), before)
        u = h.users["hr"]
        old = u["password"]
        u["password"] = "new-" + old
        row = next(r for r in h.staff if r["id"] == u["staff_id"])
        row["password"] = u["password"]
        body = fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": h.body()["staff"]}), 200)
        self.assertEqual(body["staff"]["updated"], 1, body)
        after = self.hashes(h)
        self.assertNotEqual(after[u["username"]], before[u["username"]])
        self.assertEqual({k: v for k, v in after.items() if k != u["username"]},
                         {k: v for k, v in before.items() if k != u["username"]})
        fc.login_ok(u["username"], u["password"])
        fc.assert_error(fc.login(u["username"], old), 401, "INVALID_CREDENTIALS")
        # the mark is bound to the hash: a hash written by another path is not proven by it
        fc.psql("UPDATE users SET password_hash = %s WHERE lower(username) = lower(%s)"
                % (fc.sql_str(before[u["username"]]), fc.sql_str(u["username"])))
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"staff": h.body()["staff"]}), 200)
        fc.login_ok(u["username"], u["password"])


if __name__ == "__main__":
    unittest.main()
