#!/usr/bin/env python3
"""tests/faults/run.py — the fault suite (scripts/faults.sh starts the
stack and calls it): a hotel of scanned staff, enrollees, a kiosk and an
edge device; steady traffic through nginx (face-clock-in scans, PMS
syncs, enrollment captures, sync pulls) with every request and answer in
a ledger (both in tests/faults/harness.py, shared with the soak); one
fault at a time, each with traffic before and after it; then the ledger
against the database (tests/faults/ledger.py) and a table.
Exits 1 on any violation.

    run.py full|short [FAULT...]        (FAULT: a name from FAULTS below)

Environment: FC_VAR (the stack's, with its env file), FAULTS_RATE (scans
per second; full 100, short 40), FAULTS_EXPORT_ROWS (audit rows for the
big export; full 1000000, short 50000).

All along, a subscriber reads the hotel's live channel (nchan's SSE): every
clock event of a 2xx scan must reach it at least once (ledger.live_events),
whatever the fault; `publisher-kill` is the live publisher's own. When
`notifier-kill` runs (a full run, or named), a webhook endpoint of the
hotel wants clock.in and clock.out, delivered to a receiver here: every
clock event of the outbox must reach it at least once, under its own id
and with a valid signature (ledger.notified), whatever the fault;
`notifier-kill` kills the notifier service again and again.

It owns: the traffic threads, the live subscriber, the processes it signals (found by the PIDs
the stack recorded and their children in /proc), the filler file and the
tmpfs of the disk-full fault (mounted here, unmounted by faults.sh).
"""

import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import SLUG, Hotel, Stack, Subscriber, Traffic, children, tree  # noqa: E402
from ledger import bad_answers, live_events, notified, recovery, scan_events  # noqa: E402


def say(msg):
    print("[faults] " + msg, flush=True)


# ----------------------------------------------------------------- faults
# Each takes (ctx, seconds) and returns when the fault has ended (the time
# recovery is measured from); ctx.notes collects what to say about it.

class Ctx:
    def __init__(self, stack, hotel, mode):
        self.s, self.h, self.mode = stack, hotel, mode
        self.notes = {}
        self.disk = None

    def note(self, fault, text):
        self.notes.setdefault(fault, []).append(text)
        say("%s: %s" % (fault, text))


def f_worker_kill(ctx, secs):
    end, n = time.time() + secs, 0
    master = ctx.s.pid("faceclock")
    while time.time() < end:
        pids = children(master)
        if pids:
            os.kill(random.choice(pids), signal.SIGKILL)
            n += 1
        time.sleep(min(2.0, max(0.0, end - time.time())))
    ctx.note("worker-kill", "%d workers killed with SIGKILL" % n)
    return time.time()


def service_pid(master, name):
    """The pid of the master's service `name` (its comm is svc:<name>), or None."""
    for p in children(master):
        try:
            with open("/proc/%d/comm" % p) as f:
                if f.read().strip() == "svc:" + name:
                    return p
        except OSError:
            pass
    return None


def f_publisher_kill(ctx, secs):
    """The live publisher (handlers/live/publisher_svc.c) killed with
    SIGKILL again and again, each time 0.2-1.2 s after it is back (the
    master respawns it, with its backoff): mid-batch, between the post to
    nchan and the mark, or idle."""
    end, n = time.time() + secs, 0
    master = ctx.s.pid("faceclock")
    while time.time() < end:
        pid = service_pid(master, "publisher")
        if pid is None:
            time.sleep(0.05)
            continue
        time.sleep(random.uniform(0.2, 1.2))
        if time.time() >= end:
            break
        try:
            os.kill(pid, signal.SIGKILL)
            n += 1
        except ProcessLookupError:
            pass
        while service_pid(master, "publisher") == pid:
            time.sleep(0.01)
    ctx.note("publisher-kill", "the live publisher killed %d times with SIGKILL" % n)
    return time.time()


def f_notifier_kill(ctx, secs):
    """The notifier (handlers/notify/notifier_svc.c) killed with SIGKILL
    again and again, 0.2-1.2 s after it is back: mid-delivery (between the
    receiver's answer and the commit of the mark: delivered again, same
    id), between deliveries, or idle."""
    end, n = time.time() + secs, 0
    master = ctx.s.pid("faceclock")
    while time.time() < end:
        pid = service_pid(master, "notifier")
        if pid is None:
            time.sleep(0.05)
            continue
        time.sleep(random.uniform(0.2, 1.2))
        if time.time() >= end:
            break
        try:
            os.kill(pid, signal.SIGKILL)
            n += 1
        except ProcessLookupError:
            pass
        while service_pid(master, "notifier") == pid:
            time.sleep(0.01)
    ctx.note("notifier-kill", "the notifier killed %d times with SIGKILL" % n)
    return time.time()


class Receiver:
    """The hotel's webhook receiver on 127.0.0.1 (the stack allows private
    addresses: scripts/faults.sh): every request as (header event id, body
    id, signature verified), repeats included; answers 200."""

    def __init__(self):
        outer = self
        self.secret = None
        self.received = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ts = self.headers.get("X-Faceclock-Timestamp", "")
                mac = hmac.new((outer.secret or "").encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
                ok = hmac.compare_digest(self.headers.get("X-Faceclock-Signature", ""), "sha256=" + mac)
                try:
                    body_id = json.loads(body)["id"]
                except (ValueError, KeyError, TypeError):
                    body_id = None
                hdr = self.headers.get("X-Faceclock-Event-Id", "")
                with outer.lock:
                    outer.received.append((int(hdr) if hdr.isdigit() else hdr, body_id, ok))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/faults-hook" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def subscribe(self, s, h):
        ep = s.must("POST", h.path("notifications/endpoints/"),
                    {"kind": "webhook", "url": self.url, "events": ["clock.in", "clock.out"]})
        self.secret = ep["secret"]
        return ep["id"]

    def got(self):
        with self.lock:
            return list(self.received)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def f_pg_restart(mode):
    def run(ctx, secs):
        name = "pg-restart-" + mode
        data = os.path.join(ctx.s.pg_dir, "data")
        t0 = time.time()
        p = ctx.s.as_pg([os.path.join(ctx.s.env["PG_BIN"], "pg_ctl"), "-D", data, "-m", mode, "-w", "-t", "30",
                         "-s", "stop"])
        if p.returncode != 0:
            raise RuntimeError("pg_ctl stop -m %s: %s" % (mode, p.stderr))
        time.sleep(max(0.0, secs - (time.time() - t0)))
        ctx.s.script("pg-start")
        ctx.note(name, "PostgreSQL down %.1f s (pg_ctl stop -m %s, then scripts/stack.sh pg-start)"
                 % (time.time() - t0, mode))
        return time.time()
    return run


def f_pg_freeze(ctx, secs):
    pids = tree(ctx.s.pid("postgres"))
    for p in pids:                  # the postmaster first: it forks no more
        os.kill(p, signal.SIGSTOP)
    t0 = time.time()
    try:
        time.sleep(secs)
    finally:
        for p in reversed(pids):
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass
    ctx.note("pg-freeze", "%d PostgreSQL processes stopped (SIGSTOP) for %.1f s" % (len(pids), time.time() - t0))
    return time.time()


def f_reloads(ctx, secs):
    end, n = time.time() + secs, [0, 0]
    while time.time() < end:
        os.kill(ctx.s.pid("nginx"), signal.SIGHUP)
        n[0] += 1
        time.sleep(0.5)
        os.kill(ctx.s.pid("faceclock"), signal.SIGHUP)
        n[1] += 1
        time.sleep(0.5)
    ctx.note("reloads", "%d nginx and %d faceclock SIGHUPs" % tuple(n))
    return time.time()


def f_long_work(ctx, secs):
    """The 10 000-staff PMS sync (`faceclock import`, in a loop, renaming
    every extra person each time) and the audit CSV export, while the scans
    go on for at least `secs`."""
    s, h = ctx.s, ctx.h
    env = dict(os.environ, **{k: s.env[k] for k in ("DATABASE_URL", "FACECLOCK_DATA_KEY", "FACECLOCK_ADMIN_KEY")})
    env["ASAN_OPTIONS"] = "detect_leaks=0"
    end, syncs, exports = time.time() + secs, [], []

    def sync_loop():
        k = 0
        while time.time() < end:
            k += 1
            h.write_big_doc(10000, "r%d" % k)
            t0 = time.monotonic()
            p = subprocess.run([s.env["FC_BIN"], "import", SLUG, h.big_doc], env=env, capture_output=True,
                               text=True)
            syncs.append((p.returncode, time.monotonic() - t0, p.stderr[-300:]))

    def export_loop():
        while time.time() < end:
            t0 = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=s.deadline + 30)
            rows, err, status = 0, "", 0
            try:
                conn.request("GET", h.path("attendance/clock-logs/face-audit-logs/?format=csv"),
                             headers={"X-API-Key": s.admin, "Connection": "close"})
                r = conn.getresponse()
                status = r.status
                while True:
                    chunk = r.read(1 << 16)
                    if not chunk:
                        break
                    rows += chunk.count(b"\n")
            except (OSError, http.client.HTTPException) as e:
                err = type(e).__name__
            finally:
                conn.close()
            exports.append((status, rows, time.monotonic() - t0, err))

    ts = [threading.Thread(target=sync_loop), threading.Thread(target=export_loop)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if syncs:
        t = [x[1] for x in syncs]
        ctx.note("long-work", "%d PMS syncs of %d staff (faceclock import), %d failed, %.1f-%.1f s each"
                 % (len(syncs), 10000 + h.n_scan + h.n_enroll, sum(1 for x in syncs if x[0] != 0), min(t), max(t)))
    if exports:
        t = [x[2] for x in exports]
        kinds = {}
        for status, _, _, err in exports:
            k = "%s%s" % (status, " cut (" + err + ")" if err else " whole" if status == 200 else "")
            kinds[k] = kinds.get(k, 0) + 1
        ctx.note("long-work", "%d audit CSV exports of %d+ rows: %s; %.1f-%.1f s, up to %d lines"
                 % (len(exports), ctx.export_rows, ", ".join("%s x%d" % kv for kv in sorted(kinds.items())),
                    min(t), max(t), max(x[1] for x in exports)))
    ctx.long_results = (syncs, exports)
    return time.time()


def disk_prepare(ctx, size_mb=48):
    """A tmpfs of size_mb under the cluster's directory holding clock_logs
    and its indexes (a tablespace): the disk-full fault fills it. Returns
    a reason when it cannot (not root, mount refused)."""
    s = ctx.s
    mnt = os.path.join(os.path.dirname(s.pg_dir), "faults-disk")
    os.makedirs(mnt, exist_ok=True)
    if os.geteuid() != 0:
        return "not root: no tmpfs can be mounted"
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0755" % size_mb, "faults-disk", mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return "mount refused: " + p.stderr.strip()
    ctx.disk = mnt
    ts = os.path.join(mnt, "ts")
    os.makedirs(ts)
    if s.env.get("RUN_AS"):
        subprocess.run(["chown", s.env["RUN_AS"] + ":", ts], check=True)
    os.chmod(ts, 0o700)
    s.psql("CREATE TABLESPACE faults_disk LOCATION '%s'" % ts)
    idx = s.psql("SELECT string_agg(format('ALTER INDEX %I SET TABLESPACE faults_disk', indexrelid::regclass::text),"
                 " '; ') FROM pg_index WHERE indrelid = 'clock_logs'::regclass")
    s.psql("ALTER TABLE clock_logs SET TABLESPACE faults_disk; " + idx)
    return None


def f_disk_full(ctx, secs):
    if ctx.disk is None:
        ctx.note("disk-full", "SKIPPED: %s" % ctx.disk_reason)
        time.sleep(secs)
        return time.time()
    filler = os.path.join(ctx.disk, "filler")
    n = 0
    with open(filler, "wb") as f:
        block = b"\0" * (1 << 16)
        try:
            while True:
                f.write(block)
                f.flush()
                n += len(block)
        except OSError:
            pass
    t0 = time.time()
    time.sleep(secs)
    os.unlink(filler)
    ctx.note("disk-full", "clock_logs' tablespace (tmpfs) full for %.1f s (%.1f MB of filler), then freed"
             % (time.time() - t0, n / 1e6))
    return time.time()


FAULTS = [
    ("worker-kill", f_worker_kill),
    ("publisher-kill", f_publisher_kill),
    ("notifier-kill", f_notifier_kill),
    ("pg-restart-fast", f_pg_restart("fast")),
    ("pg-restart-immediate", f_pg_restart("immediate")),
    ("pg-freeze", f_pg_freeze),
    ("reloads", f_reloads),
    ("long-work", f_long_work),
    ("disk-full", f_disk_full),
]

# (before, fault, after) seconds; the freeze is 10 s in both forms (past
# the request deadline)
WINDOWS = {"full": (6, 25, 8), "short": (3, 6, 5)}
FAULT_SECS = {"full": {"pg-freeze": 10}, "short": {"pg-freeze": 10, "long-work": 8}}


# ------------------------------------------------------------------ verdict

def db_rows(s, hid):
    out = s.psql("SELECT id, staff_id, extract(epoch FROM time_in), extract(epoch FROM time_out) FROM clock_logs "
                 "WHERE hotel_id = %d" % hid)
    rows = []
    for line in out.splitlines():
        a, b, c, d = line.split("|")
        rows.append((int(a), int(b), float(c), float(d) if d else None))
    return rows


def outbox(s, hid):
    out = s.psql("SELECT id, type, data->>'log_id' FROM events WHERE hotel_id = %d AND type IN ('clock.in', 'clock.out')"
                 % hid)
    rows = []
    for line in out.splitlines():
        a, b, c = line.split("|")
        rows.append((int(a), b, int(c) if c else None))
    return rows


def drain(s, h, ledger, sub, wait=30.0):
    """The live verdict once the subscriber has had up to `wait` seconds to
    receive what the publisher still had to post: (undelivered, twice)."""
    end = time.time() + wait
    while True:
        box = outbox(s, h.hid)
        got = [r[:3] for r in list(sub.received)]
        undelivered, twice = live_events(ledger, box, got)
        if not undelivered or time.time() >= end:
            return undelivered, twice, len(box)
        time.sleep(1.0)


def drain_notified(s, h, rx, wait=60.0):
    """The notification verdict once the notifier has had up to `wait`
    seconds to deliver what was due: (undelivered, wrong, events)."""
    end = time.time() + wait
    while True:
        box = outbox(s, h.hid)
        undelivered, wrong = notified(box, rx.got())
        if not undelivered or time.time() >= end:
            return undelivered, wrong, len(box)
        time.sleep(1.0)


def main(argv):
    mode = argv[1] if len(argv) > 1 else "full"
    if mode not in WINDOWS:
        sys.exit(__doc__)
    only = argv[2:]
    unknown = [n for n in only if n not in dict(FAULTS)]
    if unknown:
        sys.exit("unknown fault(s): %s (known: %s)" % (" ".join(unknown), " ".join(n for n, _ in FAULTS)))
    s = Stack(os.environ["FC_VAR"])
    rate = float(os.environ.get("FAULTS_RATE", "100" if mode == "full" else "40"))
    export_rows = int(os.environ.get("FAULTS_EXPORT_ROWS", "1000000" if mode == "full" else "50000"))
    before, length, after = WINDOWS[mode]
    h = Hotel(s, n_scan=max(100, int(rate * 3)), n_enroll=20)
    say("setup: hotel %s, %d scanned staff, %d enrollees, deadline %d s, %s form, %.0f scans/s"
        % (SLUG, h.n_scan, h.n_enroll, s.deadline, mode, rate))
    h.setup()
    ctx = Ctx(s, h, mode)
    ctx.disk_reason = disk_prepare(ctx) if not only or "disk-full" in only else "not selected"
    if ctx.disk_reason:
        say("disk-full: %s" % ctx.disk_reason)
    if not only or "long-work" in only:
        ctx.export_rows, secs = h.audit_rows(export_rows)
        say("audit log: %d rows (%.0f s to make)" % (ctx.export_rows, secs))
    rx = None
    if not only or "notifier-kill" in only:
        rx = Receiver()
        say("notifications: webhook endpoint %d of the hotel wants clock.in and clock.out, to %s"
            % (rx.subscribe(s, h), rx.url))
    sub = Subscriber(s)
    sub.start()
    traffic = Traffic(s, h, rate)
    traffic.start()
    spans = []
    try:
        for name, fn in FAULTS:
            if only and name not in only:
                continue
            t_begin = time.time()
            time.sleep(before)
            say("%s: begins" % name)
            t_fault = time.time()
            t_end = fn(ctx, FAULT_SECS[mode].get(name, length))
            say("%s: over after %.1f s" % (name, t_end - t_fault))
            time.sleep(after)
            spans.append((name, t_begin, t_fault, t_end, time.time()))
    finally:
        traffic.finish()
        ledger = traffic.ledger
        try:
            undelivered, twice, n_events = drain(s, h, ledger, sub)
        finally:
            sub.finish()
        unnotified, wrong_notes, n_notify = drain_notified(s, h, rx) if rx else ([], [], 0)
        if rx:
            rx.close()
    rows = db_rows(s, h.hid)
    out = os.path.join(s.var, "faults-ledger.jsonl")
    with open(out, "w") as f:
        for e in ledger:
            f.write(json.dumps(e.to_json()) + "\n")
    lost, doubled, unacked, refused = scan_events(ledger, rows)
    late, malformed = bad_answers(ledger, s.deadline)
    two_open = s.psql("SELECT count(*) FROM (SELECT staff_id FROM clock_logs WHERE hotel_id = %d AND time_out IS NULL"
                      " GROUP BY staff_id HAVING count(*) > 1) x" % h.hid)

    def within(items, a, b):
        return [x for x in items if a <= x[0] < b]

    violations = []
    head = "%-22s %8s %7s %6s %6s %5s %7s %7s %5s %9s %6s" % ("fault", "requests", "2xx", "503", "other", "lost",
                                                               "doubled", "unacked", "late", "recovery", "unsent")
    lines = [head, "-" * len(head)]
    for name, t_begin, t_fault, t_end, t_stop in spans:
        mine = [e for e in ledger if t_begin <= e.sent < t_stop]
        c2 = sum(1 for e in mine if e.ok())
        c503 = sum(1 for e in mine if e.status == 503)
        other = len(mine) - c2 - c503
        sel = {k: within(v, t_begin, t_stop) for k, v in
               (("lost", lost), ("doubled", doubled), ("unacked", unacked), ("refused-but-written", refused),
                ("late", late), ("malformed", malformed), ("undelivered live event", undelivered))}
        rec = recovery(mine, t_end, t_stop, rate)
        lines.append("%-22s %8d %7d %6d %6d %5d %7d %7d %5d %9s %6d" % (
            name, len(mine), c2, c503, other, len(sel["lost"]), len(sel["doubled"]), len(sel["unacked"]),
            len(sel["late"]), "never" if rec is None else "%.1f s" % rec, len(sel["undelivered live event"])))
        for k in ("lost", "doubled", "refused-but-written", "late", "malformed"):
            violations += ["%s: %s: %s" % (name, k, x[1]) for x in sel[k]]
        after = [r[3] for r in sub.received if t_end <= r[3] < t_stop]
        if after:
            ctx.note(name, "live events resumed %.1f s after the fault (%d received after it)"
                     % (after[0] - t_end, len(after)))
        else:
            violations.append("%s: no live event received after the fault" % name)
        if rec is None or rec > 2.0:
            violations.append("%s: not back to full rate within 2 s (%s)" % (name, "never" if rec is None
                                                                              else "%.1f s" % rec))
        statuses = {}
        for e in mine:
            if not e.ok():
                key = "%s %s %s" % (e.kind, e.status or "no answer", e.code or e.error[:40])
                statuses[key] = statuses.get(key, 0) + 1
        if statuses:
            ctx.note(name, "non-2xx: " + ", ".join("%s x%d" % kv for kv in sorted(statuses.items())))
    # every scan's, inside a fault's span or not; except across nginx's own
    # reloads: nchan keeps its message buffer in memory that a reload may
    # drop, so an event posted just then can miss a subscriber that
    # reconnects with Last-Event-ID (seen: 19 of 3 692 in one run). Counted
    # in the table's "unsent" and noted, not failed, until subscribers can
    # catch up from the outbox itself (issue 13's next step).
    reloads = [sp for sp in spans if sp[0] == "reloads"]
    in_reload = [x for x in undelivered if any(b <= x[0] < e for _, b, _, _, e in reloads)]
    if in_reload:
        ctx.note("reloads", "KNOWN: %d live events posted across nginx reloads never reached the subscriber "
                 "(nchan's in-memory buffer; the outbox holds them)" % len(in_reload))
    violations += ["live: undelivered: %s" % x[1] for x in undelivered if x not in in_reload]
    violations += ["live: received twice: %s" % x[1] for x in twice]
    violations += ["notifications: undelivered: %s" % x[1] for x in unnotified]
    violations += ["notifications: %s" % x[1] for x in wrong_notes]
    if two_open != "0":
        violations.append("%s people hold two open sessions" % two_open)
    syncs, exports = getattr(ctx, "long_results", ([], []))
    for rc, _, err in syncs:
        if rc != 0:
            violations.append("long-work: the 10 000-staff PMS sync failed: %s" % err)
    for status, nlines, _, err in exports:
        # whole (every row and the header), or cut where the transfer shows
        # it (the deadline: an incomplete chunked body), or refused cleanly
        if status not in (200, 503) or (status == 200 and not err and nlines < ctx.export_rows + 1):
            violations.append("long-work: an audit export answered %s with %d lines%s"
                              % (status, nlines, " (" + err + ")" if err else ""))
    skipped = len(traffic.skipped)
    print()
    print("\n".join(lines))
    print()
    for name, _ in FAULTS:
        for n in ctx.notes.get(name, []):
            print("  %-20s %s" % (name, n))
    print("  ledger: %d requests (%s), %d scan slots with no free client thread; %s"
          % (len(ledger), ", ".join("%s %d" % (k, sum(1 for e in ledger if e.kind == k))
                                    for k in ("scan", "pms", "capture", "pull")), skipped, out))
    print("  live: %d clock events in the outbox, %d messages received (%d distinct), %d reconnections%s"
          % (n_events, len(sub.received), len({r[0] for r in sub.received}), sub.reconnects,
             ", openings refused: %s" % sub.refused[:10] if sub.refused else ""))
    if rx:
        got = rx.got()
        print("  notifications: %d clock events in the outbox, %d webhooks received (%d distinct ids), %d undelivered"
              % (n_notify, len(got), len({g[0] for g in got}), len(unnotified)))
    if violations:
        print()
        for v in violations[:60]:
            print("VIOLATION " + v)
        if len(violations) > 60:
            print("... and %d more" % (len(violations) - 60))
        return 1
    print("\nno violations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
