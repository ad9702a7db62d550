#!/usr/bin/env python3
"""scripts/scan_log.py LOG — the end of `make test` (scripts/test.sh): fails
(exit 1, the offending lines on stderr) when the server log holds a
sanitizer report or an unexpected worker death.

Expected, and let through:
- a death by SIGKILL (signal 9): sent from outside on purpose, by the
  master's watchdog (a request past its deadline, logged as "killing it")
  or by a test (tests/e2e/fcgi/test_resilience.py);
- the death of a worker on the test build's crash route (GET
  /api/test/crash, handlers/app/crash.c): the worker logs the marker "test
  crash: worker PID faults on purpose" before it faults, and the master's
  death line names the route test.crash. That worker's sanitizer report
  (the lines from "==PID==ERROR" to "==PID==ABORTING", and the
  "AddressSanitizer:DEADLYSIGNAL" line just before them) is expected too.

Anything else is not: a worker or a service (fcgi/app.h app_services)
killed by another signal (a crash) or exiting with a non-zero status, and every other sanitizer line
(AddressSanitizer, LeakSanitizer, UBSan's "runtime error")."""

import re
import sys

SANITIZER = re.compile(r"runtime error|AddressSanitizer|LeakSanitizer")
MARKER = re.compile(r"test crash: worker (\d+) faults on purpose")
DEATH = re.compile(r"(?:worker|service \S+) \(?(\d+)\)? (?:\(slot \d+\) )?"
                   r"(?:killed by signal (\d+)|exited with status (\d+))")
REPORT_START = re.compile(r"^==(\d+)==ERROR: ")
REPORT_END = re.compile(r"^==(\d+)==ABORTING")
DEADLY = re.compile(r"^AddressSanitizer:DEADLYSIGNAL$")
CRASH_ROUTE = "on route test.crash "


def problems(lines):
    """The (line number, line) of each unexpected report or death."""
    expected = set()
    for line in lines:
        m = MARKER.search(line)
        if m:
            expected.add(int(m.group(1)))
    bad = []
    in_expected = None          # the pid of the expected report being read
    deadly = []                 # "AddressSanitizer:DEADLYSIGNAL" lines: of the next report
    for n, line in enumerate(lines, 1):
        start = REPORT_START.match(line)
        if start:
            if int(start.group(1)) in expected:
                in_expected = int(start.group(1))
            else:
                bad.extend(deadly)
            deadly = []
        if in_expected is None and DEADLY.match(line):
            deadly.append((n, line))
        elif in_expected is None and SANITIZER.search(line):
            bad.append((n, line))
        end = REPORT_END.match(line)
        if end and int(end.group(1)) == in_expected:
            in_expected = None
        d = DEATH.search(line)
        if d and not (d.group(2) == "9" or
                      (int(d.group(1)) in expected and CRASH_ROUTE in line)):
            bad.append((n, line))
    return sorted(bad + deadly)


def main(argv):
    if len(argv) != 2:
        print("usage: scan_log.py LOG", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return 0
    bad = problems(lines)
    for n, line in bad[:40]:
        print("%s:%d: %s" % (argv[1], n, line), file=sys.stderr)
    if bad:
        print("%d unexpected sanitizer line(s) or worker death(s) in %s (above)" % (len(bad), argv[1]),
              file=sys.stderr)
        return 1
    crashes = sum(1 for line in lines if MARKER.search(line))
    print("server log: no sanitizer reports, no unexpected worker deaths (%d expected test crash%s)"
          % (crashes, "" if crashes == 1 else "es"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
