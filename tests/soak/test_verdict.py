#!/usr/bin/env python3
"""tests/soak/test_verdict.py — the soak's judge (verdict.py) on made-up
samples and ledgers, rule by rule: a flat run passes, and each bound sees
the growth it is there for (scripts/soak.sh runs this first; a judge that
cannot fail would pass any run)."""

import importlib.util
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "faults"))

from ledger import Entry  # noqa: E402
from verdict import GAUGES, GROWING, MIB, TRANSIENT, judge, per_minute, percentile, quarters  # noqa: E402

T0, T1 = 0.0, 400.0      # quarters: [100, 200] and [300, 400]


def samples(**grow):
    """A sample every 10 s, flat, except the metrics in grow: name ->
    amount added per sample after t=200."""
    out = []
    for i in range(41):
        t = i * 10.0
        s = {"t": t, "rss_sum": 80 * MIB, "rss_max": 20 * MIB, "fd_master": 9, "fd_worker_max": 12,
             "fd_nginx_max": 20, "fd_postmaster": 10, "pg_connections": 4}
        for table in list(TRANSIENT) + list(GROWING):
            s["rows_" + table] = 100
            s["bytes_" + table] = 64 * 1024
        for k, v in grow.items():
            s[k] += v * max(0, i - 20)
        out.append(s)
    return out


def ledger(kind="scan", status=200, secs=0.01, slow=None, every=1.0):
    """A request every `every` seconds; after t=300 taking `slow` s."""
    out = []
    t = 0.0
    while t < T1:
        d = slow if slow is not None and t >= 300 else secs
        out.append(Entry(kind, None, t, t + d, status))
        t += every
    return out


def verdicts(rows):
    return {r["metric"]: r["verdict"] for r in rows}


class Judge(unittest.TestCase):
    def test_flat_run_passes(self):
        rows = judge(samples(), ledger(), [(150.0, 1.0, 1000), (350.0, 1.0, 1000)], T0, T1)
        bad = [r for r in rows if not r["ok"]]
        self.assertEqual(bad, [])
        self.assertEqual(verdicts(rows)["clock_logs bytes"], "reported")

    # (name, growth per sample after t=200, the metric that must fail)
    CASES = [
        ("RSS sum creeping 2 MiB a sample", {"rss_sum": 2 * MIB}, "rss_sum"),
        ("one worker's RSS creeping", {"rss_max": MIB}, "rss_max"),
        ("the master leaking an fd a sample", {"fd_master": 1}, "fd_master"),
        ("a worker leaking fds", {"fd_worker_max": 1}, "fd_worker_max"),
        ("nginx workers' fds", {"fd_nginx_max": 1}, "fd_nginx_max"),
        ("the postmaster's fds", {"fd_postmaster": 1}, "fd_postmaster"),
        ("connections piling up", {"pg_connections": 1}, "pg_connections"),
        ("auth_tokens growing with no logins", {"rows_auth_tokens": 5}, "auth_tokens rows"),
        ("auth_failures bloating", {"bytes_auth_failures": 64 * 1024}, "auth_failures bytes"),
        ("face_changes growing with no captures", {"rows_face_changes": 1}, "face_changes rows"),
        ("used_confirmation_tokens", {"rows_used_confirmation_tokens": 1}, "used_confirmation_tokens rows"),
        ("device_events with no events", {"rows_device_events": 1}, "device_events rows"),
    ]

    def test_each_bound_fails_its_growth(self):
        for name, grow, metric in self.CASES:
            with self.subTest(name):
                v = verdicts(judge(samples(**grow), ledger(), [], T0, T1))
                self.assertEqual(v[metric], "FAIL")
                others = [m for m, x in v.items() if x == "FAIL" and m != metric]
                self.assertEqual(others, [])

    def test_small_growth_within_bounds(self):
        # RSS +4 MiB over the run (under 8 MiB), fds +3
        v = verdicts(judge(samples(rss_sum=MIB // 5, fd_master=0.15), ledger(), [], T0, T1))
        self.assertEqual(v["rss_sum"], "ok")
        self.assertEqual(v["fd_master"], "ok")

    def test_rows_the_traffic_added_are_allowed(self):
        # a login a second: auth_tokens grows a row a second (10 a sample)
        led = ledger() + ledger("login", 200)
        v = verdicts(judge(samples(rows_auth_tokens=10), led, [], T0, T1))
        self.assertEqual(v["auth_tokens rows"], "ok")
        # two rows a sign-in is not
        v = verdicts(judge(samples(rows_auth_tokens=20), led, [], T0, T1))
        self.assertEqual(v["auth_tokens rows"], "FAIL")
        # the same growth with the logins refused is not
        led = ledger() + ledger("login", 401)
        v = verdicts(judge(samples(rows_auth_tokens=10), led, [], T0, T1))
        self.assertEqual(v["auth_tokens rows"], "FAIL")

    def test_a_request_across_the_first_count(self):
        # the tables are counted at t_db; an event sent before the first
        # count and committed after it is growth the traffic explains
        smp = samples()
        for x in smp:
            x["t_db"] = x["t"] + 0.2
        first = [x for x in smp if x["t"] >= 100][0]
        for x in smp:
            if x["t_db"] > first["t_db"]:
                x["rows_device_events"] += 1
        led = ledger() + [Entry("event", None, first["t_db"] - 0.1, first["t_db"] + 0.1, 201)]
        self.assertEqual(verdicts(judge(smp, led, [], T0, T1))["device_events rows"], "ok")
        # and without that request it is not
        self.assertEqual(verdicts(judge(smp, ledger(), [], T0, T1))["device_events rows"], "FAIL")

    def test_latency(self):
        self.assertEqual(verdicts(judge(samples(), ledger(slow=0.05), [], T0, T1))["p99 latency"], "ok")
        self.assertEqual(verdicts(judge(samples(), ledger(slow=0.5), [], T0, T1))["p99 latency"], "FAIL")
        # exports are judged per line, not in the p99
        led = ledger() + ledger("export", slow=30.0, every=20.0)
        self.assertEqual(verdicts(judge(samples(), led, [], T0, T1))["p99 latency"], "ok")
        ex = [(150.0, 1.0, 1000), (350.0, 2.0, 2000)]
        self.assertEqual(verdicts(judge(samples(), ledger(), ex, T0, T1))["export s/1000 lines"], "ok")
        ex = [(150.0, 1.0, 1000), (350.0, 5.0, 1000)]
        self.assertEqual(verdicts(judge(samples(), ledger(), ex, T0, T1))["export s/1000 lines"], "FAIL")

    def test_no_samples_is_no_pass(self):
        rows = judge([], ledger(), [], T0, T1)
        self.assertTrue(any(not r["ok"] for r in rows))

    def test_helpers(self):
        self.assertEqual(quarters(0, 400), ((100, 200), (300, 400)))
        self.assertEqual(percentile(list(range(1, 101)), 99), 99)
        self.assertEqual(percentile([5], 50), 5)
        self.assertEqual([m for m, _, _, _ in per_minute(ledger(), T0)], [0, 1, 2, 3, 4, 5, 6])
        self.assertEqual(set(GAUGES) & set(TRANSIENT), set())


class RestingRss(unittest.TestCase):
    """The sampler's RSS is each worker's floor over a few reads: a
    request in flight (a sign-in's 16 MiB scrypt) is not counted, a worker
    gone between reads is left out, a leak (a higher floor) is kept."""

    def test_floor_of_the_reads(self):
        # tests/soak/run.py by its path: tests/faults/ has a run.py too
        spec = importlib.util.spec_from_file_location("soak_run", os.path.join(HERE, "run.py"))
        soak_run = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(soak_run)
        resting_rss = soak_run.resting_rss
        # pid -> its successive reads (None: the worker is gone)
        CASES = [
            ("in flight on one read", {1: [22 * MIB, 6 * MIB, 6 * MIB]}, [6 * MIB]),
            ("steady", {1: [6 * MIB] * 3, 2: [7 * MIB] * 3}, [6 * MIB, 7 * MIB]),
            ("a leak is a higher floor", {1: [30 * MIB, 30 * MIB, 31 * MIB]}, [30 * MIB]),
            ("gone after one read", {1: [6 * MIB, None, None]}, [6 * MIB]),
            ("never there", {1: [None] * 3}, []),
        ]
        for name, reads, want in CASES:
            with self.subTest(name):
                left = {p: list(v) for p, v in reads.items()}
                got = resting_rss(sorted(reads), reads=3, gap=0, read=lambda p: left[p].pop(0))
                self.assertEqual(sorted(got), want)


if __name__ == "__main__":
    unittest.main()
