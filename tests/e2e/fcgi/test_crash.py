"""The crash path, end to end, on the stack's own workers: GET
/api/test/crash (the test build only: handlers/app/crash.c, -DFC_TEST_ROUTES)
makes the worker on the request fault with a real SIGSEGV. The client gets
nginx's JSON 502, the master logs the death with its signal (or, under the
sanitizer, the exit after its report) and the route, a new worker takes the
slot and the next requests succeed. The release binary has no such route.

And the scan that closes `make test` (scripts/scan_log.py): that death is
let through, as are SIGKILLs sent on purpose, but any other worker death or
sanitizer line fails the run; checked on made-up logs and on the stack's
own log after the crash."""

import os
import re
import subprocess
import unittest

import fc
from fcgi.test_resilience import master_pid, worker_pids

SCAN = os.path.join(fc.REPO, "scripts", "scan_log.py")
CRASH = "/api/test/crash"


def scan(path):
    return subprocess.run(["python3", SCAN, path], capture_output=True, text=True, timeout=60)


def log_from(offset):
    with open(fc.ENV["FC_LOG"], encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        return f.read()


class TestCrashRoute(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        doc = fc.assert_json(fc.get("/api/openapi.json"), 200)
        if CRASH not in doc["paths"]:
            raise unittest.SkipTest("not the test build: no %s" % CRASH)

    def test_release_build_has_no_crash_route(self):
        path = os.path.join(fc.REPO, "build", "release", "faceclock")
        if not os.path.exists(path):
            self.fail("no %s: make build builds it" % path)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        p = subprocess.run([path, "openapi"], capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('"/api/openapi.json"', p.stdout)
        self.assertNotIn(CRASH, p.stdout)
        self.assertNotIn("test.crash", p.stdout)

    def test_crashing_request_gets_502_and_the_worker_is_replaced(self):
        master = master_pid()
        before = worker_pids(master)
        self.assertGreaterEqual(len(before), 1)
        offset = os.path.getsize(fc.ENV["FC_LOG"])
        r = fc.admin("GET", CRASH, timeout=30)
        fc.assert_error(r, 502, "UNAVAILABLE")
        marker = fc.wait_for(lambda: re.search(r"test crash: worker (\d+) faults on purpose",
                                               log_from(offset)), 10.0, 0.05)
        self.assertTrue(marker, "no marker logged:\n%s" % log_from(offset)[-3000:])
        victim = int(marker.group(1))
        self.assertIn(victim, before)
        # killed by SIGSEGV, or (the sanitizer build) exited after its report
        death = fc.wait_for(lambda: re.search(
            r"comp=master .*worker %d \(slot \d+\) (killed by signal 11|exited with status [1-9]\d*) "
            r"after [\d.]+s on route test\.crash for [\d.]+s" % victim, log_from(offset)), 15.0, 0.05)
        self.assertTrue(death, "the master did not log the death:\n%s" % log_from(offset)[-3000:])
        if "exited with status" in death.group(0):
            self.assertRegex(log_from(offset), r"==%d==ERROR: AddressSanitizer: SEGV" % victim)

        def replaced():
            now = worker_pids(master)
            return now if len(now) == len(before) and victim not in now else None
        now = fc.wait_for(replaced, 30.0, 0.05)
        self.assertTrue(now, "worker %d not replaced (workers %s)" % (victim, worker_pids(master)))
        self.assertEqual(master_pid(), master, "the master itself changed")
        # every worker answers again, the database too
        for i in range(2 * len(now) + 2):
            with self.subTest(request=i):
                self.assertEqual(fc.assert_json(fc.get("/healthz"), 200)["database"], "ok")
        # the scan of make test lets this death through
        p = scan(fc.ENV["FC_LOG"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"\([1-9]\d* expected test crash")


MASTER = "ts=2026-01-01T00:00:00.000Z level=warn comp=master pid=100 func=reap "
WORKER = "ts=2026-01-01T00:00:00.000Z level=warn comp=worker pid=%d func=h_test_crash "
REPORT = ["AddressSanitizer:DEADLYSIGNAL",
          "=================================================================",
          "==%d==ERROR: AddressSanitizer: SEGV on unknown address 0x7f0000000000 (pc 0x1 bp 0x2 sp 0x3 T0)",
          "==%d==The signal is caused by a WRITE memory access.",
          "    #0 0x55 in h_test_crash handlers/app/crash.c:24",
          "AddressSanitizer can not provide additional info.",
          "SUMMARY: AddressSanitizer: SEGV handlers/app/crash.c:24 in h_test_crash",
          "==%d==ABORTING"]


def report(pid):
    return [line % pid if "%d" in line else line for line in REPORT]


class TestScanLog(unittest.TestCase):
    """scripts/scan_log.py on made-up logs: (name, lines, passes)."""

    CASES = [
        ("empty", [], True),
        ("expected crash, sanitizer build",
         [WORKER % 7 + "test crash: worker 7 faults on purpose (expected death)"] + report(7) +
         [MASTER + "worker 7 (slot 0) exited with status 1 after 2.0s on route test.crash for 0.0s; "
          "respawn in 0.0s"], True),
        ("expected crash, release build",
         [WORKER % 7 + "test crash: worker 7 faults on purpose (expected death)",
          MASTER + "worker 7 (slot 0) killed by signal 11 after 2.0s on route test.crash for 0.0s; "
          "respawn in 0.0s"], True),
        ("sigkill on purpose",
         [MASTER + "worker 8 (slot 1) killed by signal 9 after 0.7s; respawn in 0.2s"], True),
        ("recycled", [MASTER.replace("warn", "info") + "worker 9 (slot 0) recycled itself after 60.0s"], True),
        ("segv elsewhere",
         report(7) + [MASTER + "worker 7 (slot 0) exited with status 1 after 2.0s on route auth.login "
                      "for 0.0s; respawn in 0.0s"], False),
        ("a crash on another route by a marked worker",
         [WORKER % 7 + "test crash: worker 7 faults on purpose (expected death)",
          MASTER + "worker 7 (slot 0) killed by signal 11 after 2.0s on route auth.login for 0.0s; "
          "respawn in 0.0s"], False),
        ("another worker's report beside the expected one",
         [WORKER % 7 + "test crash: worker 7 faults on purpose (expected death)"] + report(7) + report(8),
         False),
        ("unmarked death, no route", [MASTER + "worker 8 (slot 1) killed by signal 6 after 3.0s; respawn in 0.2s"],
         False),
        ("exit status", [MASTER + "worker 8 (slot 1) exited with status 2 after 3.0s; respawn in 0.2s"], False),
        ("a service killed on purpose",
         [MASTER + "service publisher (8) killed by signal 9 after 3.0s; respawn in 0.0s"], True),
        ("a service crashed", [MASTER + "service publisher (8) killed by signal 11 after 3.0s; respawn in 0.2s"],
         False),
        ("a service failed", [MASTER + "service publisher (8) exited with status 70 after 0.1s; respawn in 0.2s"],
         False),
        ("a deadly signal with no report after it", ["AddressSanitizer:DEADLYSIGNAL"], False),
        ("ubsan", ["fcgi/jsonx.c:12:5: runtime error: signed integer overflow"], False),
        ("leak", ["==5==ERROR: LeakSanitizer: detected memory leaks"], False),
    ]

    def test_cases(self):
        d = os.path.join(fc.ENV["FC_VAR"], "scan-cases")
        os.makedirs(d, exist_ok=True)
        for name, lines, passes in self.CASES:
            with self.subTest(name):
                path = os.path.join(d, re.sub(r"\W+", "-", name) + ".log")
                with open(path, "w", encoding="utf-8") as f:
                    f.write("".join(line + "\n" for line in lines))
                p = scan(path)
                self.assertEqual(p.returncode, 0 if passes else 1, p.stdout + p.stderr)
