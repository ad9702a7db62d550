#!/usr/bin/env python3
"""tests/soak/run.py — the soak (scripts/soak.sh starts the stack and calls
it): the fault suite's hotel and traffic (tests/faults/harness.py: scans,
PMS syncs, enrollment captures, device sync pulls) plus sign-ins with
dashboard pages and the action-audit listing, CSV exports, device events
and wrong passwords, for DURATION; every SOAK_EVERY seconds a sample of
the workers' RSS (the master's children, whoever they are by then; at
rest: the least of a few reads), the open fds of the master, workers, nginx workers and the postmaster, the
PostgreSQL connections and the sizes of the tables that must stay
bounded; then the verdict (tests/soak/verdict.py) as a table. Exits 1 when
a metric grew past its bound.

    run.py DURATION        (DURATION: 90, 30s, 10m, 1h)

Environment: FC_VAR (the stack's), SOAK_RATE (scans per second, 20),
SOAK_EVERY (seconds between samples; default DURATION/40 within 2-15).
Writes $FC_VAR/soak-samples.csv (a row per sample) and
$FC_VAR/soak-minutes.csv (requests, p50, p99 per minute).

It owns: its traffic threads (harness.Traffic) and the sampler thread.
"""

import csv
import json
import os
import random
import re
import string
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "faults"))

from harness import Hotel, Stack, Traffic, children  # noqa: E402
from verdict import GAUGES, GROWING, TRANSIENT, judge, per_minute  # noqa: E402

USER, PASSWORD = "soak-manager", "soak-manager-password-1"
PAGES = ("/dashboard/", "/dashboard/clock-logs", "/dashboard/approvals", "/dashboard/staff")
TABLES = tuple(TRANSIENT) + GROWING


def say(msg):
    print("[soak] " + msg, flush=True)


def parse_duration(text):
    """Seconds of "90", "30s", "10m", "1h"; ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", text)
    if not m or int(m.group(1)) == 0:
        raise ValueError("DURATION %r: a positive number with s, m or h (30s, 10m, 1h)" % text)
    return int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


class SoakTraffic(Traffic):
    """The fault suite's traffic and the rest of a day's mix."""

    def __init__(self, stack, hotel, rate):
        self.exports = []          # (sent, seconds, lines)
        super().__init__(stack, hotel, rate)

    def drivers(self):
        return super().drivers() + (self.sessions, self.csv_exports, self.events, self.bad_logins)

    def sessions(self):
        """Every 3 s: sign in, four dashboard pages with the cookie, the
        hotel's action-audit listing with the bearer token, sign out."""
        s, h = self.s, self.h
        creds = json.dumps({"username": USER, "password": PASSWORD})

        def one(k):
            e, data = s.request("login", None, "POST", "/api/auth/login", creds)
            if not e.ok():
                return e
            token = json.loads(data)["token"]
            self.ledger.append(e)
            for p in PAGES:
                self.ledger.append(s.request("page", None, "GET", p, headers={"Cookie": "fc_token=" + token})[0])
            bearer = {"Authorization": "Bearer " + token}
            self.ledger.append(s.request("audit", None, "GET", h.path("action-audit-logs/"), headers=bearer)[0])
            return s.request("logout", None, "POST", "/api/auth/logout", headers=bearer)[0]
        self.loop(3.0, one)

    def csv_exports(self):
        """Every 5 s a CSV export read to its end, the clock logs and the
        face audit log in turn."""
        paths = (self.h.path("attendance/clock-logs/?format=csv"),
                 self.h.path("attendance/clock-logs/face-audit-logs/?format=csv"))

        def one(k):
            e, data = self.s.request("export", None, "GET", paths[k % 2], key=self.s.admin, keep=1 << 30)
            if e.ok():
                self.exports.append((e.sent, e.done - e.sent, data.count(b"\n")))
            return e
        self.loop(5.0, one)

    def events(self):
        """A device event a second (device_events)."""
        rnd = random.Random(7)

        def one(k):
            ev = "EV1-%d-%s" % (int(time.time() * 1000), "".join(rnd.choice(string.ascii_letters) for _ in range(10)))
            body = {"event_id": ev, "event_type": "face_recognition",
                    "event_timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "metadata": {"confidence": 0.93}}
            return self.s.request("event", None, "POST", "/api/iot/events", body, self.h.device_key)[0]
        self.loop(1.0, one)

    def bad_logins(self):
        """A wrong password a minute (auth_failures; few enough that the
        address is never locked out of the good sign-ins)."""
        body = json.dumps({"username": "soak-nobody", "password": "wrong"})
        self.loop(60.0, lambda k: self.s.request("badlogin", None, "POST", "/api/auth/login", body)[0])


# ---------------------------------------------------------------- samples

def rss_bytes(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def resting_rss(pids, reads=5, gap=0.04, read=rss_bytes):
    """Each worker's RSS at rest: the least of a few reads 40 ms apart. A
    request in flight (a sign-in's scrypt maps 16 MiB for a moment) is not
    what stays; a leak raises the floor. [bytes] of the workers alive."""
    low = {}
    for k in range(reads):
        for p in pids:
            r = read(p)
            if r is not None:
                low[p] = min(low.get(p, r), r)
        if k + 1 < reads:
            time.sleep(gap)
    return list(low.values())


def biggest(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def sample(s, t, seen):
    """One row: the processes from the PIDs the stack recorded (workers
    and nginx workers: the masters' children now; seen collects the
    worker PIDs), the tables by psql."""
    master, nginx, pg = s.pid("faceclock"), s.pid("nginx"), s.pid("postgres")
    workers = children(master)
    seen.update(workers)
    rss = resting_rss(workers)
    row = {"t": t, "workers": len(rss), "rss_sum": sum(rss) if rss else None, "rss_max": biggest(rss),
           "fd_master": fds(master), "fd_worker_max": biggest(fds(p) for p in workers),
           "fd_nginx_max": biggest(fds(p) for p in children(nginx)), "fd_postmaster": fds(pg)}
    sql = ", ".join("(SELECT count(*) FROM %s), pg_total_relation_size('%s')" % (t_, t_) for t_ in TABLES)
    # the connections but this psql's own
    row["t_db"] = time.time()
    vals = s.psql("SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') - 1, "
                  + sql).split("|")
    row["pg_connections"] = int(vals[0])
    for i, table in enumerate(TABLES):
        row["rows_" + table] = int(vals[1 + 2 * i])
        row["bytes_" + table] = int(vals[2 + 2 * i])
    return row


class Sampler:
    def __init__(self, stack, every, path):
        self.s, self.every, self.path = stack, every, path
        self.samples = []
        self.errors = []
        self.workers_seen = set()
        self.stop = threading.Event()
        self.rnd = random.Random(11)
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        cols = ["t", "t_db", "workers"] + list(GAUGES) + ["rows_" + t for t in TABLES] + ["bytes_" + t for t in TABLES]
        with open(self.path, "w", newline="") as f:
            w = csv.DictWriter(f, cols, extrasaction="ignore")
            w.writeheader()
            while not self.stop.is_set():
                t = time.time()
                try:
                    row = sample(self.s, t, self.workers_seen)
                    self.samples.append(row)
                    w.writerow(row)
                    f.flush()
                except (OSError, RuntimeError, ValueError) as e:
                    self.errors.append("%.0f: %s" % (t, e))
                # jittered: a period in step with a traffic loop's (the
                # sign-ins every 3 s) would sample the same moment of it
                self.stop.wait(max(0.0, self.every * self.rnd.uniform(0.7, 1.3) - (time.time() - t)))


# ------------------------------------------------------------------ table

def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "bytes":
        return "%.2f MiB" % (v / 1048576.0) if abs(v) >= 1048576 else "%.0f KiB" % (v / 1024.0)
    if unit == "s":
        return "%.0f ms" % (v * 1000)
    return "%g" % v


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    try:
        duration = parse_duration(argv[1])
    except ValueError as e:
        sys.exit(str(e))
    s = Stack(os.environ["FC_VAR"])
    rate = float(os.environ.get("SOAK_RATE", "20"))
    every = float(os.environ.get("SOAK_EVERY", str(min(15.0, max(2.0, duration / 40.0)))))
    users = [{"id": 80000, "employee_code": "SOAK00000", "first_name": "Soak", "last_name": "Manager",
              "department_id": 1, "role": "manager", "username": USER, "password": PASSWORD}]
    h = Hotel(s, n_scan=max(100, int(rate * 3)), n_enroll=20, users=users)
    say("setup: %d scanned staff, %d enrollees, a manager who signs in; %.0f scans/s for %d s, a sample every %g s"
        % (h.n_scan, h.n_enroll, rate, duration, every))
    h.setup()
    traffic = SoakTraffic(s, h, rate)
    sampler = Sampler(s, every, os.path.join(s.var, "soak-samples.csv"))
    t0 = time.time()
    sampler.thread.start()
    traffic.start()
    try:
        while time.time() - t0 < duration:
            time.sleep(max(0.0, min(60.0, duration - (time.time() - t0))))
            done = time.time() - t0
            say("%3.0f%%: %d requests, %d samples" % (100 * min(1.0, done / duration), len(traffic.ledger),
                                                      len(sampler.samples)))
    finally:
        traffic.finish()
        sampler.stop.set()
        sampler.thread.join()
    t1 = time.time()
    ledger = list(traffic.ledger)
    minutes = per_minute(ledger, t0)
    with open(os.path.join(s.var, "soak-minutes.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["minute", "requests", "p50_s", "p99_s"])
        w.writerows(minutes)
    rows = judge(sampler.samples, ledger, traffic.exports, t0, t1)

    print()
    print("minute  requests     p50     p99")
    for m, n, p50, p99 in minutes:
        print("%6d  %8d  %6.0f  %6.0f ms" % (m, n, p50 * 1000, p99 * 1000))
    print()
    head = "%-28s %12s %12s %12s %12s  %s" % ("metric", "start", "end", "growth", "bound", "verdict")
    print(head)
    print("-" * len(head))
    for r in rows:
        print("%-28s %12s %12s %12s %12s  %s%s" % (
            r["metric"], fmt(r["start"], r["unit"]), fmt(r["end"], r["unit"]), fmt(r["growth"], r["unit"]),
            fmt(r["bound"], r["unit"]), r["verdict"], "  (" + r["note"] + ")" if r.get("note") else ""))
    kinds = {}
    for e in ledger:
        key = "%s %s" % (e.kind, e.status or "no answer")
        kinds[key] = kinds.get(key, 0) + 1
    print()
    print("  start: the median of the second quarter's samples (after warm-up), end: the last quarter's;")
    print("  tables: the first sample of the second quarter against the last one")
    print("  requests: " + ", ".join("%s x%d" % kv for kv in sorted(kinds.items())))
    print("  samples: %d (%s), per minute: %s; %d worker PIDs seen"
          % (len(sampler.samples), sampler.path, os.path.join(s.var, "soak-minutes.csv"), len(sampler.workers_seen)))
    bad = [r for r in rows if not r["ok"]]
    # a request the server failed (5xx, no answer) is a finding too
    failed = {k: v for k, v in kinds.items() if k.split()[1] in ("no", "500", "502", "503", "504")}
    if sampler.errors:
        print("  sampler errors: " + "; ".join(sampler.errors[:5]))
    if bad or failed or sampler.errors:
        for r in bad:
            print("FAIL %s: %s past its bound %s" % (r["metric"], fmt(r["end"], r["unit"]), fmt(r["bound"], r["unit"])))
        for k, v in sorted(failed.items()):
            print("FAIL requests answered %s: %d" % (k, v))
        return 1
    print("\nflat: every metric within its bound")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
