#!/usr/bin/env python3
"""Entry point of the end-to-end tests (called by scripts/test.sh once the
stack is up). Reads $FC_VAR/env through fc.py, discovers tests/e2e/test_*.py,
runs them in name order (test_zz_resilience.py last of those) and then
test_openapi.py, which checks what all the others did: every JSON body they
send is recorded ($FC_E2E_BODIES, fc.record_body) for it. Prints one line
per test and closes with "N passed, M failed" alone on a line; exits 1 on
any failure or error, or when no test ran.

    tests/e2e/run.py                    all tests
    tests/e2e/run.py test_auth          one module (several allowed)
    tests/e2e/run.py -k kiosk           tests whose id contains "kiosk"
"""

import argparse
import os
import sys
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fc  # noqa: E402

# runs after every other module: it reads what they did
LAST = "test_openapi"


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
                      if os.path.dirname(os.path.abspath(f.filename)) == HERE
                      and os.path.basename(f.filename) != "fc.py"]
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


def main():
    ap = argparse.ArgumentParser(description="faceclock end-to-end tests")
    ap.add_argument("modules", nargs="*", help="test modules (e.g. test_auth)")
    ap.add_argument("-k", dest="keyword", action="append", default=[],
                    help="only tests whose id contains this (repeatable)")
    args = ap.parse_args()

    loader = unittest.TestLoader()
    if args.modules:
        suite = unittest.TestSuite()
        for m in args.modules:
            m = os.path.basename(m)
            if m.endswith(".py"):
                m = m[:-3]
            suite.addTests(loader.loadTestsFromName(m))
    else:
        found = list(iter_tests(loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)))
        last = [t for t in found if t.id().startswith(LAST + ".")]
        suite = unittest.TestSuite([t for t in found if t not in last] + last)
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
