#!/usr/bin/env python3
"""tests/faults/test_ledger.py — the fault suite's judge (ledger.py) on
made-up ledgers and databases, table by table (the scans, the answers,
recovery, live events, and the scheduler's auto-closes, alerts and
purge runs): each rule must see the violation it is there for (scripts/faults.sh runs this first; a judge
that cannot fail would pass any run)."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ledger import (Entry, alerts_once, auto_closes, bad_answers, live_events, notified, purge_runs,  # noqa: E402
                    recovery, scan_events)

ERR503 = json.dumps({"code": "UNAVAILABLE", "message": "retry"}).encode()


def scan(who, sent, done, status=201, action="CLOCK_IN", log_id=1, body=None):
    if body is None:
        body = json.dumps({"action": action, "log": {"id": log_id}}).encode() if status < 300 else ERR503
    return Entry("scan", who, sent, done, status, body)


class ScanEvents(unittest.TestCase):
    # (name, entries, db rows (id, staff, time_in, time_out), counts of lost, doubled, unacked, refused)
    CASES = [
        ("clock-in held", [scan(7, 10.0, 10.2, log_id=1)], [(1, 7, 10.1, None)], (0, 0, 0, 0)),
        ("clock-in and out held",
         [scan(7, 10.0, 10.2, log_id=1), scan(7, 11.0, 11.2, 200, "CLOCK_OUT", 1)],
         [(1, 7, 10.1, 11.1)], (0, 0, 0, 0)),
        ("acknowledged clock-in missing", [scan(7, 10.0, 10.2, log_id=1)], [], (1, 0, 0, 0)),
        ("acknowledged clock-out missing",
         [scan(7, 10.0, 10.2, log_id=1), scan(7, 11.0, 11.2, 200, "CLOCK_OUT", 1)],
         [(1, 7, 10.1, None)], (1, 0, 0, 0)),
        # the row is someone else's: lost for 7, and a write no request of 8 made
        ("row of another person", [scan(7, 10.0, 10.2, log_id=1)], [(1, 8, 10.1, None)], (1, 1, 0, 0)),
        ("row stamped after the answer",
         [scan(7, 10.0, 10.2, log_id=1), scan(7, 13.0, 13.2, 503)], [(1, 7, 12.0, None)], (1, 1, 0, 0)),
        ("event with no request in flight",
         [scan(7, 10.0, 10.2, log_id=1), scan(7, 20.0, 20.2, log_id=2)],
         [(1, 7, 10.1, 15.0), (2, 7, 20.1, None)], (0, 1, 0, 0)),
        ("one scan wrote twice",
         [scan(7, 10.0, 10.5, log_id=1)], [(1, 7, 10.1, 10.3)], (0, 1, 0, 0)),
        # scanned again at once (within the slack of the first answer):
        # each event is its own scan's, not two of the first's
        ("next scan within the slack",
         [scan(7, 10.0, 10.5, 200, "CLOCK_OUT", 1), scan(7, 10.51, 10.7, log_id=2)],
         [(1, 7, 9.0, 10.4), (2, 7, 10.52, None)], (0, 0, 0, 0)),
        ("a double still seen with a scan right after",
         [scan(7, 10.0, 10.5, 200, "CLOCK_OUT", 1), scan(7, 10.51, 10.7, log_id=3)],
         [(1, 7, 9.0, 10.4), (2, 7, 10.45, None), (3, 7, 10.6, None)], (0, 1, 0, 0)),
        ("written after a 503", [scan(7, 10.0, 10.2, 503)], [(1, 7, 10.1, None)], (0, 0, 1, 0)),
        ("written after no answer", [Entry("scan", 7, 10.0, 17.0, 0, error="timeout")],
         [(1, 7, 10.1, None)], (0, 0, 1, 0)),
        ("written after a 409", [scan(7, 10.0, 10.2, 409,
                                      body=json.dumps({"code": "CONFLICT", "message": "x"}).encode())],
         [(1, 7, 10.1, None)], (0, 0, 0, 1)),
        ("a 503 that wrote nothing", [scan(7, 10.0, 10.2, 503)], [], (0, 0, 0, 0)),
        ("rows outside the ledger's span are not judged", [scan(7, 10.0, 10.2, log_id=1)],
         [(1, 7, 10.1, None), (9, 7, 3.0, 4.0)], (0, 0, 0, 0)),
    ]

    def test_table(self):
        for name, entries, rows, want in self.CASES:
            with self.subTest(name):
                got = tuple(len(x) for x in scan_events(entries, rows))
                self.assertEqual(got, want)


class BadAnswers(unittest.TestCase):
    CASES = [
        ("2xx in time", Entry("pull", None, 1.0, 1.1, 200, b"{}"), (0, 0)),
        ("JSON 503", Entry("pull", None, 1.0, 1.1, 503, ERR503), (0, 0)),
        ("JSON 504 from nginx", Entry("pull", None, 1.0, 6.0, 504, ERR503), (0, 0)),
        ("no answer", Entry("pull", None, 1.0, 1.1, 0, error="reset"), (1, 0)),
        ("answered past the deadline", Entry("pull", None, 1.0, 7.5, 200, b"{}"), (1, 0)),
        ("HTML error page", Entry("pull", None, 1.0, 1.1, 502, b"<html>bad gateway</html>"), (0, 1)),
        ("a 500, even as JSON", Entry("scan", 7, 1.0, 1.1, 500,
                                      json.dumps({"code": "INTERNAL", "message": "x"}).encode()), (0, 1)),
        ("JSON without message", Entry("pull", None, 1.0, 1.1, 503, b'{"code":"UNAVAILABLE"}'), (0, 1)),
    ]

    def test_table(self):
        for name, e, want in self.CASES:
            with self.subTest(name):
                self.assertEqual(tuple(len(x) for x in bad_answers([e], deadline=5)), want)


class Recovery(unittest.TestCase):
    @staticmethod
    def steady(t0, t1, rate, bad_until=None):
        out, t, i = [], t0, 0
        while t < t1:
            status = 503 if bad_until is not None and t < bad_until else 201
            out.append(scan(i, t, t + 0.01, status, log_id=i))
            i += 1
            t = t0 + i / rate
        return out

    def test_table(self):
        cases = [
            ("back at once", self.steady(100, 106, 20), 0.0),
            ("failures until 1.2 s after", self.steady(100, 106, 20, bad_until=101.2), 1.5),
            ("failing to the end", self.steady(100, 106, 20, bad_until=107), None),
            ("half the rate", self.steady(100, 106, 10), None),
            ("no traffic", [], None),
        ]
        for name, entries, want in cases:
            with self.subTest(name):
                self.assertEqual(recovery(entries, 100.0, 106.0, 20), want)


class LiveEvents(unittest.TestCase):
    IN1, OUT1 = scan(7, 10.0, 10.2, log_id=1), scan(7, 11.0, 11.2, 200, "CLOCK_OUT", 1)
    # (name, entries, outbox (id, type, log), received (id, type, log), counts of undelivered, twice)
    CASES = [
        ("in and out delivered", [IN1, OUT1], [(5, "clock.in", 1), (6, "clock.out", 1)],
         [(5, "clock.in", 1), (6, "clock.out", 1)], (0, 0)),
        ("delivered twice under one id", [IN1], [(5, "clock.in", 1)], [(5, "clock.in", 1), (5, "clock.in", 1)],
         (0, 0)),
        ("the clock-out never came", [IN1, OUT1], [(5, "clock.in", 1), (6, "clock.out", 1)],
         [(5, "clock.in", 1)], (1, 0)),
        ("nothing came", [IN1], [(5, "clock.in", 1)], [], (1, 0)),
        ("no event in the outbox", [IN1], [], [], (1, 0)),
        ("another log's event came", [IN1], [(5, "clock.in", 1), (9, "clock.in", 2)], [(9, "clock.in", 2)],
         (1, 0)),
        ("one clock event under two ids", [IN1], [(5, "clock.in", 1), (8, "clock.in", 1)],
         [(5, "clock.in", 1), (8, "clock.in", 1)], (0, 1)),
        ("one id as two events", [IN1], [(5, "clock.in", 1)], [(5, "clock.in", 1), (5, "clock.out", 1)], (0, 1)),
        ("other kinds of event are not clock events", [IN1], [(5, "clock.in", 1)],
         [(5, "clock.in", 1), (9, "face.registered", None), (10, "face.registered", None)], (0, 0)),
        ("a refused scan needs no event", [scan(7, 10.0, 10.2, 503)], [], [], (0, 0)),
    ]

    def test_table(self):
        for name, entries, outbox, received, want in self.CASES:
            with self.subTest(name):
                got = live_events(entries, outbox, received)
                self.assertEqual(tuple(len(x) for x in got), want, got)


class AutoCloses(unittest.TestCase):
    # (name, due ids, logs (id, staff, closed, auto_closed), audit targets,
    #  counts of not_closed, twice, stray, two_open)
    CASES = [
        ("closed once", {1, 2}, [(1, 7, True, True), (2, 8, True, True)], ["clock_log:1", "clock_log:2"],
         (0, 0, 0, 0)),
        ("still open", {1}, [(1, 7, False, False)], [], (1, 0, 0, 0)),
        ("closed by a scan, not the scheduler", {1}, [(1, 7, True, False)], [], (1, 0, 0, 0)),
        ("marked with no audit row", {1}, [(1, 7, True, True)], [], (1, 0, 0, 0)),
        ("the log is gone", {1}, [], ["clock_log:1"], (1, 0, 0, 0)),
        ("audited twice", {1}, [(1, 7, True, True)], ["clock_log:1", "clock_log:1"], (0, 1, 0, 0)),
        ("a log that was not due", {1}, [(1, 7, True, True), (3, 9, True, True)],
         ["clock_log:1", "clock_log:3"], (0, 0, 1, 0)),
        ("a malformed target", {1}, [(1, 7, True, True)], ["clock_log:1", "clock_log:x"], (0, 0, 1, 0)),
        ("two open sessions of one person", set(), [(4, 7, False, False), (5, 7, False, False)], [],
         (0, 0, 0, 1)),
        ("one open and one closed", {1}, [(1, 7, True, True), (5, 7, False, False)], ["clock_log:1"],
         (0, 0, 0, 0)),
        ("nothing due, nothing done", set(), [(4, 7, False, False)], [], (0, 0, 0, 0)),
    ]

    def test_table(self):
        for name, due, logs, audits, want in self.CASES:
            with self.subTest(name):
                got = auto_closes(due, logs, audits)
                self.assertEqual(tuple(len(x) for x in got), want, got)


class AlertsOnce(unittest.TestCase):
    H7, H8 = ("hard_limit", "staff:7"), ("hard_limit", "staff:8")
    # (name, expected, rows (rule, subject, state), counts of missing, twice)
    CASES = [
        ("each raised once", {H7, H8}, [H7 + ("open",), H8 + ("acknowledged",)], (0, 0)),
        ("one never raised", {H7, H8}, [H7 + ("open",)], (1, 0)),
        ("none at all", {H7}, [], (1, 0)),
        ("raised, resolved, raised again", {H7}, [H7 + ("resolved",), H7 + ("open",)], (0, 1)),
        ("a storm of one condition", {H7}, [H7 + ("open",)] + [H7 + ("resolved",)] * 3, (0, 1)),
        ("the same subject under two rules", {H7, ("overtime", "staff:7")},
         [H7 + ("open",), ("overtime", "staff:7", "open")], (0, 0)),
        ("an unexpected one twice", {H7}, [H7 + ("open",), ("device_offline", "device:x", "resolved"),
                                           ("device_offline", "device:x", "open")], (0, 1)),
    ]

    def test_table(self):
        for name, expected, rows, want in self.CASES:
            with self.subTest(name):
                got = alerts_once(expected, rows)
                self.assertEqual(tuple(len(x) for x in got), want, got)


class PurgeRuns(unittest.TestCase):
    # (name, run times, due, counts of missed, twice)
    CASES = [
        ("once", [1000.0], True, (0, 0)),
        ("never, when due", [], True, (1, 0)),
        ("never, not due", [], False, (0, 0)),
        ("twice within a second", [1000.0, 1000.5], True, (0, 1)),
        ("twice within a day, out of order", [1000.0 + 86000, 1000.0], True, (0, 1)),
        ("a day apart", [1000.0, 1000.0 + 86400], True, (0, 0)),
        ("three in a day", [1.0, 2.0, 3.0], True, (0, 2)),
    ]

    def test_table(self):
        for name, times, due, want in self.CASES:
            with self.subTest(name):
                got = purge_runs(times, due)
                self.assertEqual(tuple(len(x) for x in got), want, got)


class Notified(unittest.TestCase):
    # (name, outbox (event_id, type, log_id), received (header id, body id, signature ok), undelivered, wrong)
    BOX = [(1, "clock.in", 10), (2, "clock.out", 10), (3, "clock.in", 11)]
    CASES = [
        ("each once", BOX, [(1, 1, True), (2, 2, True), (3, 3, True)], (0, 0)),
        ("repeats under the same id", BOX, [(1, 1, True), (1, 1, True), (2, 2, True), (3, 3, True), (3, 3, True)],
         (0, 0)),
        ("one never arrived", BOX, [(1, 1, True), (3, 3, True)], (1, 0)),
        ("none arrived", BOX, [], (3, 0)),
        ("nothing to send", [], [], (0, 0)),
        ("header and body differ", BOX, [(1, 2, True), (2, 2, True), (3, 3, True)], (1, 1)),
        ("an id not in the outbox", BOX, [(1, 1, True), (2, 2, True), (3, 3, True), (9, 9, True)], (0, 1)),
        ("a bad signature is no delivery", BOX, [(1, 1, True), (2, 2, False), (3, 3, True)], (1, 1)),
        ("other event types are not wanted", BOX + [(4, "face.revoked", None)],
         [(1, 1, True), (2, 2, True), (3, 3, True)], (0, 0)),
    ]

    def test_table(self):
        for name, outbox, received, want in self.CASES:
            with self.subTest(name):
                got = notified(outbox, received)
                self.assertEqual(tuple(len(x) for x in got), want, got)


if __name__ == "__main__":
    unittest.main(verbosity=1)
