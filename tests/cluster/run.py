#!/usr/bin/env python3
"""tests/cluster/run.py — `make cluster-test`: scans through the edge of
the cluster scripts/cluster.sh started (run in its client namespace, the
cluster's env file in CL_ENV) while it kills app host 2's faceclock and
brings it back, then crashes the PostgreSQL primary's host (Patroni
promotes the synchronous standby) and brings it back as a standby
(pg_rewind through Patroni), then kills etcd (Patroni's DCS) and starts it
again. Then the ledger against the primary. Meanwhile the hotel's face
audit export is asked for a second apart (route declared READS_STANDBY:
served by the standby when it is fit): every one must be answered, some
by the standby; and a write's X-WAL-Position carried back must show the
write. With --restarted (after `cluster.sh down` and `up` on the kept
data, whichever host led): scans and an export succeed.

A scan here is what a kiosk does: one unique Idempotency-Key per scan,
sent with every attempt; an attempt that gets no answer, or 502/503/504,
is retried with the same key and body for up to RETRY_FOR seconds. The
ledger (tests/faults/ledger.py, the fault suite's judgement) takes each
scan as one request from its first attempt's sending to its last answer:
  lost     acknowledged (a 2xx the kiosk finally got) but its log row is
           not in the database;
  doubled  one scan wrote two clock events (a retry of an attempt that
           had committed, when the server does not yet know the key), or
           an event that no scan was in flight for.
A person's scans are sent one at a time, so each clock event belongs to
exactly one scan window. Passes iff nothing is lost or doubled, every scan
was acknowledged in the end, and both databases are back (one primary,
one synchronous standby).

It owns: the traffic threads (joined before the verdict); the faults are
scripts/cluster.sh's (app-kill/app-start, db-crash/db-start,
etcd-kill/etcd-start), which kill
and start only what it recorded.
"""

import concurrent.futures
import csv
import http.client
import io
import json
import os
import random
import shlex
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "faults"))
from ledger import Entry, recovery, scan_events  # noqa: E402
from harness import DIM, STAFF0, roster_doc  # noqa: E402

SLUG = "cluster"
RATE = float(os.environ.get("CLUSTER_RATE", "30"))        # scans a second
PEOPLE = int(os.environ.get("CLUSTER_PEOPLE", "90"))
RETRY_FOR = float(os.environ.get("CLUSTER_RETRY_FOR", "60"))
RETRY_STATUSES = (0, 502, 503, 504)


def say(msg):
    print("[cluster-test] %s" % msg, flush=True)


def load_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = shlex.split(v)[0] if v else ""
    return env


class Cluster:
    def __init__(self, env):
        self.env = env
        self.host = env["BASE_URL"].split("//", 1)[1]
        self.admin = env["FACECLOCK_ADMIN_KEY"]

    def request(self, method, path, body=None, key=None, headers=None, timeout=20, answer=None):
        """(status, body, error, replayed): one attempt on a fresh connection;
        replayed: the answer says it repeats an earlier one (Idempotent-Replayed);
        answer (a dict) gets the response's headers."""
        headers = dict(headers or {}, Connection="close")
        if key:
            headers["X-API-Key"] = key
        if body is not None:
            headers["Content-Type"] = "application/json"
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
        conn = http.client.HTTPConnection(self.host, 80, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            if answer is not None:
                answer.update((k.lower(), v) for k, v in r.getheaders())
            return r.status, r.read(), "", (r.getheader("Idempotent-Replayed") or "").lower() == "true"
        except (OSError, http.client.HTTPException) as e:
            return 0, b"", type(e).__name__ + ": " + str(e), False
        finally:
            conn.close()

    def must(self, method, path, body=None):
        st, data, err, _ = self.request(method, path, body, self.admin, timeout=120)
        if not 200 <= st < 300:
            raise RuntimeError("%s %s: %s %s" % (method, path, st or err, data[:300]))
        return json.loads(data)

    def psql(self, sql):
        p = subprocess.run([os.path.join(self.env["PG_BIN"], "psql"), self.env["OWNER_URL"], "-X", "-q", "-A", "-t",
                            "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True,
                           env=dict(os.environ, PGPASSWORD=self.env["PGPASSWORD"]))
        if p.returncode != 0:
            raise RuntimeError("psql: %s" % p.stderr.strip())
        return p.stdout.strip()

    def script(self, *args):
        t = time.time()
        p = subprocess.run([self.env["CLUSTER"]] + list(args), capture_output=True, text=True, timeout=180)
        if p.returncode != 0:
            raise RuntimeError("cluster.sh %s: %s%s" % (" ".join(args), p.stdout, p.stderr))
        say("cluster.sh %s (%.1f s): %s" % (" ".join(args), time.time() - t, p.stdout.strip().splitlines()[-1:]))
        return p.stdout.strip()


class Hotel:
    def __init__(self, c, n):
        self.c, self.n = c, n
        rnd = random.Random(1515)
        self.faces = [[rnd.gauss(0, 0.09) for _ in range(DIM)] for _ in range(n)]
        self.bodies = [json.dumps({"descriptor": [round(x + rnd.gauss(0, 0.004), 6) for x in f]})
                       for f in self.faces]

    def path(self, rest):
        return "/api/staff/hotel/%s/%s" % (SLUG, rest)

    def setup(self):
        c = self.c
        c.must("PUT", self.path("pms-sync/"), roster_doc(self.n, 0))
        self.hid = int(c.psql("SELECT id FROM hotels WHERE slug = '%s'" % SLUG))
        have = int(c.psql("SELECT count(*) FROM face_data WHERE hotel_id = %d" % self.hid))
        if have < self.n:
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda i: c.must("POST", self.path("attendance/clock-logs/register-face/"),
                                               {"descriptor": self.faces[i], "consent_given": True,
                                                "staff_id": STAFF0 + i}), range(self.n)))
        self.kiosk = c.must("POST", self.path("kiosks/"), {"name": "cluster-test"})["api_key"]


class Traffic:
    """Open-loop scans at RATE a second by a pool of client threads; a person
    is never scanned twice at once. scans: one Entry per scan (first sent,
    last answered, final status); attempts: one Entry per attempt."""

    def __init__(self, c, h):
        self.c, self.h = c, h
        self.scans, self.attempts, self.skipped, self.retried, self.replayed = [], [], 0, 0, 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.idle = list(range(h.n))
        random.Random(7).shuffle(self.idle)
        self.pool = concurrent.futures.ThreadPoolExecutor(64)
        self.thread = threading.Thread(target=self.run, daemon=True)

    def scan(self, i):
        key = str(uuid.uuid4())
        path = self.h.path("attendance/clock-logs/face-clock-in/")
        first = time.time()
        while True:
            sent = time.time()
            st, data, err, replayed = self.c.request("POST", path, self.h.bodies[i], self.h.kiosk,
                                                     {"Idempotency-Key": key})
            e = Entry("scan", STAFF0 + i, sent, time.time(), st, data[:1024], err)
            with self.lock:
                self.attempts.append(e)
            if st not in RETRY_STATUSES or time.time() - first > RETRY_FOR:
                break
            time.sleep(0.5)
        whole = Entry("scan", STAFF0 + i, first, e.done, st, data[:1024], err)
        with self.lock:
            self.retried += sent != first
            self.replayed += replayed
            self.scans.append(whole)
            self.idle.append(i)

    def run(self):
        t0, n = time.time(), 0
        while not self.stop.is_set():
            n += 1
            wait = t0 + n / RATE - time.time()
            if wait > 0:
                time.sleep(wait)
            with self.lock:
                if not self.idle:
                    self.skipped += 1
                    continue
                i = self.idle.pop(0)
            self.pool.submit(self.scan, i)

    def start(self):
        self.thread.start()

    def finish(self):
        self.stop.set()
        self.thread.join()
        self.pool.shutdown(wait=True)


class Exports:
    """The face audit log's CSV export of the hotel, one after the other
    (a second apart) through the faults, like a manager's client: on no
    answer, 502, 503 or 504 it is asked again every 0.5 s for up to
    RETRY_FOR. An export is answered when it is 200 with as many rows as
    its X-Export-Rows promised; X-Read-From says who served it (the route
    is declared READS_STANDBY: the standby when it is fit, else the
    primary)."""

    def __init__(self, c, h):
        self.c, self.h = c, h
        self.done, self.failed, self.attempts, self.sources = 0, [], 0, {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def one(self):
        first = time.time()
        while True:
            self.attempts += 1
            hdr = {}
            st, data, err, _ = self.c.request("GET", self.h.path("attendance/clock-logs/face-audit-logs/?format=csv"),
                                              key=self.c.admin, timeout=60, answer=hdr)
            if st == 200:
                rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8", "replace")))) - 1
                promised = int(hdr.get("x-export-rows", "-1"))
                if rows != promised:
                    return "rows %d, X-Export-Rows %d" % (rows, promised)
                src = hdr.get("x-read-from", "(none)")
                self.sources[src] = self.sources.get(src, 0) + 1
                return None
            if st not in RETRY_STATUSES or time.time() - first > RETRY_FOR:
                return "%s %s" % (st or err, data[:120])
            time.sleep(0.5)

    def run(self):
        while not self.stop.is_set():
            why = self.one()
            if why is None:
                self.done += 1
            else:
                self.failed.append(why)
            self.stop.wait(1.0)

    def start(self):
        self.thread.start()

    def finish(self):
        self.stop.set()
        self.thread.join()

    def summary(self):
        return "exports during the faults: %d answered complete (%s), %d not, %d attempts" % (
            self.done, ", ".join("%d from %s" % (n, k) for k, n in sorted(self.sources.items())),
            len(self.failed), self.attempts)


def read_your_write(c, h):
    """A write's X-WAL-Position carried back to an export: the export
    (standby or primary) holds the write. (ok, how it was served)."""
    hdr = {}
    st, data, err, _ = c.request("PATCH", h.path("attendance/settings/"), {"break_warning_hours": 6.5},
                                 c.admin, answer=hdr)
    if st != 200 or not hdr.get("x-wal-position"):
        return False, "the write: %s %s, X-WAL-Position %r" % (st or err, data[:120], hdr.get("x-wal-position"))
    got = {}
    st, data, err, _ = c.request("GET", h.path("action-audit-logs/?format=csv&action=settings.changed"), key=c.admin,
                                 headers={"X-WAL-Position": hdr["x-wal-position"]}, answer=got)
    seen = st == 200 and b"break_warning_hours" in data and b"6.5" in data
    return seen, "%s, X-Read-From %s" % (st or err, got.get("x-read-from"))


def restarted(c):
    """After `cluster.sh down` with the data kept and `up` again (whichever
    host led): scans through the edge succeed, an export is answered."""
    h = Hotel(c, 20)
    h.setup()
    primary = c.script("leader")
    ok = 0
    for i in range(h.n):
        first = time.time()
        while True:
            st, data, err, _ = c.request("POST", h.path("attendance/clock-logs/face-clock-in/"), h.bodies[i],
                                         h.kiosk, {"Idempotency-Key": str(uuid.uuid4())})
            if st not in RETRY_STATUSES or time.time() - first > RETRY_FOR:
                break
            time.sleep(0.5)
        ok += 200 <= st < 300
    exp = Exports(c, h)
    why = exp.one()
    say("restart on kept data: primary %s; %d of %d scans 2xx; an export %s"
        % (primary, ok, h.n, "answered (%s)" % ", ".join(exp.sources) if why is None else "failed: " + why))
    return 0 if ok == h.n and why is None else 1


def db_rows(c, hid):
    rows = []
    for line in c.psql("SELECT id, staff_id, extract(epoch FROM time_in), extract(epoch FROM time_out)"
                       " FROM clock_logs WHERE hotel_id = %d" % hid).splitlines():
        a, b, t_in, t_out = line.split("|")
        rows.append((int(a), int(b), float(t_in), float(t_out) if t_out else None))
    return rows


def probe_idempotency(c, h):
    """Whether the server answers a repeated scan (same key, same body)
    with the first answer: the last person scanned twice under one key."""
    i, key = h.n - 1, str(uuid.uuid4())
    path = h.path("attendance/clock-logs/face-clock-in/")
    answers = []
    for _ in range(2):
        st, data, err, _ = c.request("POST", path, h.bodies[i], h.kiosk, {"Idempotency-Key": key})
        if not 200 <= st < 300:
            raise RuntimeError("probe scan: %s %s" % (st or err, data[:200]))
        doc = json.loads(data)
        answers.append((doc.get("action"), (doc.get("log") or {}).get("id")))
    return answers[0] == answers[1]


def wait_until(what, fn, secs):
    t = time.time()
    while time.time() - t < secs:
        try:
            if fn():
                return time.time() - t
        except RuntimeError:
            pass
        time.sleep(0.5)
    raise RuntimeError("%s: not within %d s" % (what, secs))


def main():
    c = Cluster(load_env(os.environ["CL_ENV"]))
    if sys.argv[1:] == ["--restarted"]:
        return restarted(c)
    h = Hotel(c, PEOPLE)
    say("setup: hotel %s, %d people, %.0f scans/s, retries for %.0f s with the same Idempotency-Key"
        % (SLUG, PEOPLE, RATE, RETRY_FOR))
    h.setup()
    honours = probe_idempotency(c, h)
    say("the server %s the Idempotency-Key (a repeat of a scan with its key %s)"
        % (("honours", "answers the first answer") if honours else ("ignores", "scans again")))
    primary0 = c.script("leader")
    say("primary: %s" % primary0)
    standby0 = "db2" if primary0 == "db1" else "db1"
    ryw, how = read_your_write(c, h)
    say("read-your-writes: a settings change carried back by X-WAL-Position %s in the export (%s)"
        % ("is" if ryw else "is NOT", how))
    t = Traffic(c, h)
    t.start()
    exports = Exports(c, h)
    exports.start()
    events, notes = [], []        # (name, time): each fault, and each return

    def event(name, *args):
        events.append((name, time.time()))
        c.script(*args)

    try:
        time.sleep(8)
        # 1. an app host dies (kill -9 of its master and workers) and comes back
        event("app2 kill -9", "app-kill", "2")
        time.sleep(10)
        event("app2 back", "app-start", "2")
        time.sleep(10)
        # 2. the primary's host dies: Patroni on the standby takes the leader
        # key once it expires (ttl 10 s) and promotes it
        event("%s (primary) crash" % primary0, "db-crash", primary0[2:])
        took = wait_until("promotion", lambda: c.script("leader") == standby0, 60)
        notes.append("%s promoted %.1f s after %s's crash" % (standby0, took, primary0))
        time.sleep(5)
        # 3. the old primary back: Patroni rewinds it and it joins as the
        # synchronous standby
        event("%s back (rewind)" % primary0, "db-start", primary0[2:])
        took = wait_until("%s back as the synchronous standby" % primary0,
                          lambda: subprocess.run([c.env["CLUSTER"], "sync-ok"], capture_output=True).returncode == 0,
                          90)
        notes.append("%s back as the synchronous standby %.1f s after its start" % (primary0, took))
        time.sleep(8)
        # 4. the DCS dies (etcd, one member here): Patroni cannot renew the
        # leader key, so after its ttl the primary stops taking writes (503)
        # rather than risk a second primary; etcd back, a leader again
        event("etcd kill -9", "etcd-kill")
        time.sleep(15)
        event("etcd back", "etcd-start")
        took = wait_until("a primary again after etcd's return",
                          lambda: subprocess.run([c.env["CLUSTER"], "sync-ok"], capture_output=True).returncode == 0,
                          90)
        notes.append("a primary with its synchronous standby %.1f s after etcd's return" % took)
        time.sleep(8)
    finally:
        t.finish()
        exports.finish()
    spans = [(name, at, events[k + 1][1] if k + 1 < len(events) else time.time())
             for k, (name, at) in enumerate(events)]
    leader = c.script("leader")
    rows = db_rows(c, h.hid)
    with open(os.path.join(c.env["CL_VAR"], "cluster-ledger.jsonl"), "w") as f:
        for e in t.attempts:
            f.write(json.dumps(e.to_json()) + "\n")
    lost, doubled, unacked, refused = scan_events(t.scans, rows)
    head = "%-20s %8s %6s %6s %6s %6s %6s %5s %7s %9s %9s" % (
        "fault", "requests", "2xx", "503", "502", "other", "acked", "lost", "doubled", "outage", "recovery")
    lines = [head, "-" * len(head)]
    for name, b, e in spans:
        att = [x for x in t.attempts if b <= x.sent < e]
        sc = [x for x in t.scans if b <= x.sent < e]
        bad = [x.done for x in att if not x.ok()]
        outage = (max(bad) - b) if bad else 0.0
        rec = recovery(att, b, e, RATE)
        lines.append("%-20s %8d %6d %6d %6d %6d %6d %5d %7d %9s %9s" % (
            name, len(att), sum(1 for x in att if x.ok()), sum(1 for x in att if x.status == 503),
            sum(1 for x in att if x.status == 502), sum(1 for x in att if not x.ok() and x.status not in (502, 503)),
            sum(1 for x in sc if x.ok()), sum(1 for x in lost if b <= x[0] < e),
            sum(1 for x in doubled if b <= x[0] < e), "%.1f s" % outage,
            "never" if rec is None else "%.1f s" % rec))
    acked = sum(1 for x in t.scans if x.ok())
    lines.append("%-20s %8d %6d %6d %6d %6d %6d %5d %7d" % (
        "whole run", len(t.attempts), sum(1 for x in t.attempts if x.ok()),
        sum(1 for x in t.attempts if x.status == 503), sum(1 for x in t.attempts if x.status == 502),
        sum(1 for x in t.attempts if not x.ok() and x.status not in (502, 503)), acked, len(lost), len(doubled)))
    print()
    print("\n".join(lines))
    print()
    for n in notes:
        print("  " + n)
    print("  each row from its event to the next; outage: from the event to the last failed answer; recovery:"
          " from the event until every 0.5 s holds 80 % of the rate in 2xx and nothing fails"
          " (tests/faults/ledger.py)")
    print("  %d scans (%d acknowledged, %d retried, %d never acknowledged), %d scan slots with nobody idle;"
          " verdict read from the primary %s" % (len(t.scans), acked, t.retried, len(t.scans) - acked, t.skipped, leader))
    statuses = {}
    for x in t.attempts:
        if not x.ok():
            k = "%s %s" % (x.status or "no answer", x.code or x.error[:50])
            statuses[k] = statuses.get(k, 0) + 1
    if statuses:
        print("  non-2xx attempts: " + ", ".join("%s x%d" % kv for kv in sorted(statuses.items())))
    print("  " + exports.summary())
    violations = ["lost: " + x[1] for x in lost] + ["doubled: " + x[1] for x in doubled]
    violations += ["refused but written: " + x[1] for x in refused]
    violations += ["never acknowledged: staff %s at %.3f: %s %s" % (x.who, x.sent, x.status or x.error, x.code or "")
                   for x in t.scans if not x.ok()]
    if unacked:
        print("  %d events written by a scan never acknowledged (unknown outcome, not a failure)" % len(unacked))
    violations += ["export not answered: " + why for why in exports.failed]
    if exports.done == 0 or not any(k == "standby" for k in exports.sources):
        violations.append("no export was served by the standby: %s" % exports.sources)
    if not ryw:
        violations.append("read-your-writes: " + how)
    if leader != standby0:
        violations.append("the primary at the end is %s, not %s" % (leader, standby0))
    if subprocess.run([c.env["CLUSTER"], "sync-ok"], capture_output=True).returncode != 0:
        violations.append("no synchronous standby at the end")
    if t.replayed:
        print("  %d retried scans were answered with the first answer (Idempotent-Replayed: their first attempt"
              " had committed, its answer lost)" % t.replayed)
    if doubled and not honours:
        print("  the server ignores the Idempotency-Key: a scan whose answer was lost after its COMMIT (a host or"
              " the primary killed under it) is written again by its retry — what the key is for (issue 15)")
    if violations:
        print()
        for v in violations[:40]:
            print("VIOLATION " + v)
        return 1
    print("\nno violations: 0 lost, 0 doubled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
