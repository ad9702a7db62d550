#!/usr/bin/env python3
"""Entry point of the end-to-end tests (called by scripts/test.sh once the
stack is up). Reads $FC_VAR/env through fc.py, runs the modules of MODULES
below in that order (grouped by room as handlers/ is, fcgi/'s restarting
ones last), prints one line per test and closes with "N passed, M failed"
alone on a line; exits 1 on any failure or error, or when no test ran, and
2 before running anything when a test_*.py file under tests/e2e/ is not in
MODULES (or MODULES names a file that is not there). Every JSON body the
tests send is recorded ($FC_E2E_BODIES, fc.record_body) for the last
module, app/test_openapi.py, which checks them against the API document.

    tests/e2e/run.py                         all tests
    tests/e2e/run.py test_auth               one module (several allowed), by
    tests/e2e/run.py people.test_auth        file name, dotted name or path,
    tests/e2e/run.py people/test_auth.py     or a class / test in it:
    tests/e2e/run.py test_auth.Login.test_me_by_bearer
    tests/e2e/run.py pages                   one room's modules
    tests/e2e/run.py -k kiosk                tests whose id contains "kiosk"
"""

import argparse
import os
import sys
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
FC_PY = os.path.join(HERE, "fc.py")

import fc  # noqa: E402

# Every test module, in the order they run. A new test file goes here, in its
# room: run.py refuses to start while a test_*.py on disk is not listed.
MODULES = [
    # people/: sign-in and sessions, kiosk keys, the staff list, the PMS
    "people.test_auth",
    "people.test_kiosks",
    "people.test_staff",
    "people.test_pms_sync",
    "people.test_pms_lock",
    "people.test_purge_expired",
    # app/: who may call each route of the table, on which hotel
    "app.test_access",
    "app.test_metrics",
    # attendance/
    "attendance.test_settings",
    "attendance.test_faces",
    "attendance.test_clock",
    "attendance.test_unrostered",
    "attendance.test_safety",
    "attendance.test_logs",
    "attendance.test_review_exports",
    "attendance.test_audit_export",
    "attendance.test_audit_chain",
    "attendance.test_action_audit",
    "attendance.test_audit_keyset",
    "attendance.test_audit_partitions",
    "attendance.test_audit_json",
    "attendance.test_alerts",
    "attendance.test_scheduler",
    "attendance.test_insights",
    "attendance.test_clock_race",
    "attendance.test_idempotency",
    # live/: live events through nchan, the publisher service
    "live.test_live",
    "live.test_notify",
    # devices/: enrollment and the IoT edge devices
    "devices.test_enrollment",
    "devices.test_devices",
    "devices.test_lifecycle",
    "devices.test_push",
    "devices.test_sync",
    "devices.test_events",
    "devices.test_paths",
    "devices.test_device_race",
    "devices.test_seal",
    "devices.test_certs",
    "devices.test_mqtt",
    "devices.test_receipts",
    "devices.test_device_config",
    "devices.test_config_push",
    "devices.test_acl",
    # pages/: the dashboard and the face pages
    "pages.test_dashboard",
    "pages.test_enroll",
    # fcgi/: the runtime; test_serve runs servers of its own, test_resilience
    # kills and reloads the stack's workers and stops PostgreSQL, test_crash
    # crashes one of them: last
    "fcgi.test_platform",
    "fcgi.test_robustness",
    "fcgi.test_csrf",
    "fcgi.test_nginx_limits",
    "fcgi.test_serve",
    "fcgi.test_standby",
    "fcgi.test_crash",
    "fcgi.test_resilience",
    # ops/: the operator's tools: `make run`'s supervisor (a stack of its
    # own), the systemd units
    "ops.test_supervise",
    "ops.test_systemd",
    # app/test_openapi checks what all the others did (every route's
    # statuses and codes in the server log, every JSON body they sent): last
    "app.test_openapi",
]


class Result(unittest.TestResult):
    """Counts per test (a test with failing subtests counts once) and
    prints as it goes."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.passed = 0
        self.failed_ids = []
        self.skipped_n = 0
        self._t0 = {}
        self._bad = set()

    def _name(self, test):
        return test.id().replace("__main__.", "")

    def startTest(self, test):
        super().startTest(test)
        self._t0[test.id()] = time.monotonic()

    def _elapsed(self, test):
        t0 = self._t0.get(test.id())
        return 0.0 if t0 is None else time.monotonic() - t0

    def _report(self, test, word, detail=None):
        self.stream.write("%-6s %s (%.2fs)\n" % (word, self._name(test), self._elapsed(test)))
        if detail:
            for line in detail.rstrip().splitlines():
                self.stream.write("       | " + line + "\n")
        self.stream.flush()

    def _fmt(self, err):
        etype, value, tb = err
        if issubclass(etype, AssertionError):
            # the test files' own frames and the message; not unittest's or fc.py's
            frames = [f for f in traceback.extract_tb(tb)
                      if os.path.abspath(f.filename).startswith(HERE + os.sep)
                      and os.path.abspath(f.filename) != FC_PY]
            return "".join(traceback.format_list(frames)) + "".join(
                traceback.format_exception_only(etype, value))
        return "".join(traceback.format_exception(etype, value, tb))

    def addSuccess(self, test):
        super().addSuccess(test)
        if test.id() not in self._bad:
            self.passed += 1
            self._report(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._mark_bad(test, "FAIL", self._fmt(err))

    def addError(self, test, err):
        super().addError(test, err)
        self._mark_bad(test, "ERROR", self._fmt(err))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            word = "FAIL" if issubclass(err[0], test.failureException) else "ERROR"
            self.stream.write("%-6s %s\n" % (word, subtest.id().replace("__main__.", "")))
            for line in self._fmt(err).rstrip().splitlines():
                self.stream.write("       | " + line + "\n")
            if test.id() not in self._bad:
                self._bad.add(test.id())
                self.failed_ids.append(test.id())

    def _mark_bad(self, test, word, detail):
        tid = test.id()
        self._report(test, word, detail)
        if tid not in self._bad:
            self._bad.add(tid)
            self.failed_ids.append(tid)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.skipped_n += 1
        self._report(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.passed += 1
        self._report(test, "xfail")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._mark_bad(test, "FAIL", "unexpected success")


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


def modules_on_disk():
    """The dotted names of the test_*.py files under HERE."""
    out = []
    for d, dirs, files in os.walk(HERE):
        dirs[:] = sorted(x for x in dirs if not x.startswith((".", "__")))
        rel = os.path.relpath(d, HERE)
        pkg = "" if rel == "." else rel.replace(os.sep, ".") + "."
        out += [pkg + f[:-3] for f in sorted(files) if f.startswith("test_") and f.endswith(".py")]
    return out


def check_modules():
    """Stops (status 2) unless MODULES names each test file on disk exactly
    once, by a file name of its own: a file missing from the list would
    never run."""
    on_disk = modules_on_disk()
    bases = [m.rsplit(".", 1)[-1] for m in MODULES]
    problems = ["%s.py is not in run.py's MODULES: add it to its room there"
                % m.replace(".", os.sep) for m in on_disk if m not in MODULES]
    problems += ["run.py's MODULES names %s, but there is no %s.py" % (m, m.replace(".", os.sep))
                 for m in MODULES if m not in on_disk]
    problems += ["run.py's MODULES names %s twice" % m for m in sorted(set(MODULES)) if MODULES.count(m) > 1]
    problems += ["two test modules are called %s: give each file a name of its own" % b
                 for b in sorted(set(bases)) if bases.count(b) > 1]
    if problems:
        for p in problems:
            print("e2e: %s" % p, file=sys.stderr)
        sys.exit(2)


def test_names(arg):
    """The dotted names to load for a command-line argument: a room (pages),
    or a module by file name (test_auth), dotted name (people.test_auth) or
    path (people/test_auth.py, tests/e2e/people/test_auth.py), the last
    three optionally followed by .Class or .Class.test_method. Stops
    (status 2) if it names nothing of MODULES."""
    room = [m for m in MODULES if m.startswith(arg.strip(os.sep) + ".")]
    if room and "." not in arg:
        return room
    name = arg
    if name.endswith(".py") or os.sep in name:
        path = name if name.endswith(".py") else name + ".py"
        name = os.path.basename(path)[:-3]
        for p in (os.path.abspath(path), os.path.join(HERE, path)):
            if os.path.isfile(p) and p.startswith(HERE + os.sep):
                name = os.path.relpath(p, HERE)[:-3].replace(os.sep, ".")
                break
    for m in MODULES:
        for key in (m, m.rsplit(".", 1)[-1]):
            if name == key or name.startswith(key + "."):
                return [m + name[len(key):]]
    print("e2e: no test module %r; the modules are: %s" % (arg, " ".join(MODULES)), file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description="faceclock end-to-end tests")
    ap.add_argument("modules", nargs="*", help="test modules (e.g. test_auth), in the order to run")
    ap.add_argument("-k", dest="keyword", action="append", default=[],
                    help="only tests whose id contains this (repeatable)")
    args = ap.parse_args()

    check_modules()
    loader = unittest.TestLoader()
    names = [n for m in args.modules for n in test_names(m)] or MODULES
    suite = unittest.TestSuite()
    for name in names:
        suite.addTests(loader.loadTestsFromName(name))
    if args.keyword:
        keep = [t for t in iter_tests(suite) if any(k in t.id() for k in args.keyword)]
        suite = unittest.TestSuite(keep)

    bodies = os.path.join(fc.ENV["FC_VAR"], "e2e-bodies.jsonl")
    open(bodies, "w").close()
    os.environ[fc.BODIES_ENV] = bodies

    print("e2e: %s (env %s)" % (fc.ENV["BASE_URL"], fc.ENV["_ENV_FILE"]))
    try:
        r = fc.get("/healthz", timeout=5)
        print("e2e: /healthz -> %d %s" % (r.status, r.text.strip()[:200]))
    except Exception as e:  # noqa: BLE001 - report and let the tests fail
        print("e2e: /healthz unreachable: %s" % e)
    sys.stdout.flush()

    result = Result(sys.stdout)
    t0 = time.monotonic()
    suite.run(result)
    failed = len(result.failed_ids)
    print("")
    if failed:
        print("failed tests:")
        for tid in result.failed_ids:
            print("  " + tid)
    print("e2e: %.1fs" % (time.monotonic() - t0))
    line = "%d passed, %d failed" % (result.passed, failed)
    if result.skipped_n:
        line += ", %d skipped" % result.skipped_n
    print(line)
    sys.stdout.flush()
    if failed or result.passed == 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
